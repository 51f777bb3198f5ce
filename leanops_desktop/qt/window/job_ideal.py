"""The job form's ideal cycle time: read before editing, saved after the job itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.dialogs.job_dialog import JobValues
from leanops_desktop.services.quality import ideal_rate

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database


def read_ideal(db: Database, job_id: str) -> float | None:
    """The job's ideal cycle time (seconds per unit), None when unknown (runs on a lane)."""
    with db.session() as session:
        return ideal_rate.ideal_cycle_of(session, job_id)


def with_ideal(
    session: Session, actor: Actor, values: JobValues, shown: float | None, saved: JobRow
) -> JobRow:
    """After the job is saved: set its ideal cycle time when the form changed it.

    A new job left empty keeps the part's last known ideal (the database's default)."""
    ideal_rate.change_ideal_cycle(session, actor, saved.id, values.ideal_cycle_s, shown)
    return saved
