"""Take back a scrap report (the kiosk's undo): its exact negation, logged once.

The report stays in ``scrap_logs``; its correction is a negative delta pointing at it
(``corrects_id``), which the triggers subtract as they added the report. A report is taken
back once, never a correction; the same correction id sent again counts once. A kiosk device
acts on its own station, for the operator signed in at it; an operator takes back only their
own scrap, within :data:`UNDO_WINDOW`; supervisors and admins any. On PostgreSQL this is one
call of ``leanops_correct_scrap`` (migration 0016), which checks the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import NotFound, RuleViolation, ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import QualityEvent
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.services.kiosk import device_checks
from leanops_desktop.services.quality import pg_call
from leanops_desktop.services.quality.quality_events import record_quality_event

UNDO_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class ScrapCorrection:
    """Take back scrap report ``corrects_id`` with the new log ``correction_id``."""

    correction_id: UUID
    corrects_id: UUID
    operator: str | None = None  # who tapped Undo, when a kiosk device sends it
    tapped_at: datetime | None = None


def correct_scrap(session: Session, actor: Actor, correction: ScrapCorrection) -> bool:
    """Log the correction once; True when logged now, False when it was already."""
    require(actor, Action.REPORT_QUANTITY)
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            return bool(
                pg_call.call(
                    session,
                    "leanops_correct_scrap",
                    {
                        "id": correction.correction_id,
                        "corrects": correction.corrects_id,
                        "operator": correction.operator,
                        "tapped_at": correction.tapped_at,
                        **pg_call.who(actor),
                    },
                    "CAST(:id AS uuid), CAST(:corrects AS uuid), CAST(:actor AS text),"
                    " CAST(:role AS text), CAST(:operator AS text),"
                    " CAST(:tapped_at AS timestamptz)",
                )
            )
        return _correct_here(session, actor, correction)


def _correct_here(session: Session, actor: Actor, correction: ScrapCorrection) -> bool:
    original = session.get(ScrapLog, correction.corrects_id)
    if original is None:
        raise NotFound("scrap report", str(correction.corrects_id))
    tapped = correction.tapped_at or datetime.now(UTC)
    actor, kiosk_meta = device_checks.device_actor(
        session, actor, original.station_id, correction.operator, tapped
    )
    done = session.get(ScrapLog, correction.correction_id)
    if done is not None:
        if done.corrects_id != correction.corrects_id:
            raise ValidationError("correction id", "is already used by another report")
        return False
    _check_takeable(session, actor, original)
    session.add(
        ScrapLog(
            id=correction.correction_id,
            station_id=original.station_id,
            job_id=original.job_id,
            assignment_id=original.assignment_id,
            qty_scrapped=-original.qty_scrapped,
            reason_id=original.reason_id,
            timestamp=datetime.now(UTC),
            actor=actor.email,
            corrects_id=original.id,
        )
    )
    session.flush()
    record_quality_event(
        session, actor, QualityEvent.SCRAP_CORRECTED,
        station_id=original.station_id, job_id=original.job_id,
        log_id=correction.correction_id, corrects_id=original.id,
        qty=-original.qty_scrapped, reason=original.reason_id, **kiosk_meta,
    )  # fmt: skip
    return True


def _check_takeable(session: Session, actor: Actor, original: ScrapLog) -> None:
    if original.corrects_id is not None:
        raise RuleViolation("a correction cannot itself be corrected")
    if session.scalar(select(ScrapLog.id).where(ScrapLog.corrects_id == original.id)):
        raise RuleViolation(f"scrap report {original.id} has already been taken back")
    if actor.role in (Role.SUPERVISOR, Role.ADMIN):
        return
    if original.actor != actor.email:
        raise RuleViolation("an operator takes back only their own scrap: ask a supervisor")
    made = original.timestamp
    if made.tzinfo is None:
        made = made.replace(tzinfo=UTC)
    if datetime.now(UTC) - made > UNDO_WINDOW:
        raise RuleViolation(
            f"scrap report {original.id} was made more than 15 minutes ago: only a "
            "supervisor or an admin may take it back now"
        )
