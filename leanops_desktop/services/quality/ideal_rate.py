"""Ideal cycle time per job (seconds per unit), set by supervisors.

A job created without one takes the ideal cycle time of the newest job of the same part that
has one (a trigger of migration 0014 on both backends); NULL means unknown, and OEE then
leaves that job's performance out (docs/oee.md).
"""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.core.errors import NotFound, ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import MAX_IDEAL_CYCLE_S
from leanops_desktop.core.validation import check_id
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import Job
from leanops_desktop.services.events import record_event
from leanops_desktop.services.quality import pg_call


def check_ideal_cycle(value: object) -> float | None:
    """Seconds per unit: a number above 0 and at most a day, or None (unknown)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("ideal_cycle_s", "must be a number of seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_IDEAL_CYCLE_S:
        raise ValidationError(
            "ideal_cycle_s", f"must be more than 0 and at most {MAX_IDEAL_CYCLE_S:.0f} seconds"
        )
    return seconds


def set_ideal_cycle(session: Session, actor: Actor, job_id: str, seconds: object) -> bool:
    """Set (or clear, with None) a job's ideal cycle time; False when it was that already."""
    require(actor, Action.MANAGE_JOBS)
    job_id = check_id("job_id", job_id)
    value = check_ideal_cycle(seconds)
    with write_transaction(session):
        return write_ideal_cycle(session, actor, job_id, value)


def write_ideal_cycle(session: Session, actor: Actor, job_id: str, value: float | None) -> bool:
    """:func:`set_ideal_cycle`'s write, inside the caller's write transaction (``value``
    already checked by :func:`check_ideal_cycle`, the role by the caller)."""
    if session.get_bind().dialect.name == "postgresql":
        return bool(
            pg_call.call(
                session,
                "leanops_set_ideal_cycle",
                {"job": job_id, "seconds": value, **pg_call.who(actor)},
                "CAST(:job AS text), CAST(:seconds AS double precision),"
                " CAST(:actor AS text), CAST(:role AS text)",
            )
        )
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("job", job_id)
    if job.ideal_cycle_s == value:
        return False
    old = job.ideal_cycle_s
    job.ideal_cycle_s = value
    session.flush()
    record_event(
        session,
        actor,
        EventType.JOB_UPDATED,
        job_id=job_id,
        old={"ideal_cycle_s": old},
        new={"ideal_cycle_s": value},
    )
    return True


def ideal_cycle_of(session: Session, job_id: str) -> float | None:
    """A job's ideal cycle time in seconds per unit (None: unknown)."""
    job_id = check_id("job_id", job_id)
    with read_transaction(session):
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("job", job_id)
        return job.ideal_cycle_s


def change_ideal_cycle(
    session: Session, actor: Actor, job_id: str, new: float | None, old: float | None
) -> bool:
    """Set the ideal cycle time the job form shows when it differs from what it showed."""
    if new == old:
        return False
    return set_ideal_cycle(session, actor, job_id, new)
