"""Block, resume, complete and start the next job from an enrolled kiosk, for the operator
signed in at it.

Reports and their corrections go through the outbox and the sender as before (they carry
the operator and the tap time); these four act at once. On PostgreSQL the device's own
login calls the floor functions with the operator (migrations 0012 and 0014 check the
station and the sign-in); on SQLite the app checks the same
(``device_checks.device_actor``), then runs the ordinary services as that operator (there
the event names the operator only; reports name the device too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.core.validation import MAX_REASON_LENGTH, check_key, check_text
from leanops_desktop.services.floor import dispatch, planning_pg, stations
from leanops_desktop.services.floor.pg_call import run_statement
from leanops_desktop.services.kiosk.device_checks import device_actor
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession
from leanops_desktop.services.reads import queries

_BLOCK = "SELECT public.leanops_block_station(%s, %s, NULL, NULL, %s)"
_UNBLOCK = "SELECT public.leanops_unblock_station(%s, NULL, NULL, %s)"
_COMPLETE = "SELECT public.leanops_complete_job(%s, %s, NULL, NULL, %s)"
_START = "SELECT public.leanops_kiosk_start_job(%s, %s)"


def _operator(operator: str) -> str:
    if not operator:
        raise ValidationError("operator", "must not be empty: an operator signs in first")
    return operator


def block_station(device: DeviceSession, operator: str, reason: str) -> StationRow:
    """Block the kiosk's station for ``operator`` (signed in at this kiosk)."""
    reason = check_text("reason", reason, max_length=MAX_REASON_LENGTH)
    with device.db.session() as session:
        if device.backend == "postgresql":
            run_statement(session, _BLOCK, (device.station_id, reason, _operator(operator)))
            return queries.get_station(session, device.station_id)
        actor, _meta = device_actor(
            session, device.actor, device.station_id, operator, datetime.now(UTC)
        )
        session.rollback()
        return stations.block_station(session, actor, device.station_id, reason)


def unblock_station(device: DeviceSession, operator: str) -> StationRow:
    """Resume the kiosk's station for ``operator``."""
    with device.db.session() as session:
        if device.backend == "postgresql":
            run_statement(session, _UNBLOCK, (device.station_id, _operator(operator)))
            return queries.get_station(session, device.station_id)
        actor, _meta = device_actor(
            session, device.actor, device.station_id, operator, datetime.now(UTC)
        )
        session.rollback()
        return stations.unblock_station(session, actor, device.station_id)


def complete_job(device: DeviceSession, operator: str, job_id: str) -> JobRow:
    """Complete the job running on the kiosk's station, for ``operator``."""
    job_id = check_key("job id", job_id)
    with device.db.session() as session:
        if device.backend == "postgresql":
            run_statement(session, _COMPLETE, (job_id, device.station_id, _operator(operator)))
            return queries.get_job(session, job_id)
        actor, _meta = device_actor(
            session, device.actor, device.station_id, operator, datetime.now(UTC)
        )
        session.rollback()
        return dispatch.complete_job(session, actor, job_id, station_id=device.station_id)


def start_job(device: DeviceSession, operator: str, job_id: str) -> AssignmentRow:
    """Start ``job_id`` on the kiosk's station for ``operator`` (signed in at this kiosk),
    where the site lets operators start jobs (``[kiosk] start_next_job``: the kiosk offers
    it only then). The job must be waiting in the queue and the station free, in use and
    not blocked, as for a supervisor's start.

    On PostgreSQL the device's login calls ``leanops_kiosk_start_job`` (migration 0014),
    which checks the same; on SQLite the app checks the device and the operator."""
    job_id = check_key("job id", job_id)
    with device.db.session() as session:
        if device.backend == "postgresql":
            new_id = _start_on_postgresql(session, job_id, _operator(operator))
            return queries.assignments_by_keys(session, [new_id])[0]
        actor, _meta = device_actor(
            session, device.actor, device.station_id, _operator(operator), datetime.now(UTC)
        )
        session.rollback()
        return dispatch.start_here(session, actor, job_id, device.station_id, waiting_only=True)


def _start_on_postgresql(session: Session, job_id: str, operator: str) -> UUID:
    """The new assignment's id; the database's refusals as the services' exceptions."""
    try:
        rows = run_statement(session, _START, (job_id, operator))
    except DBAPIError as error:
        diag = getattr(error.orig, "diag", None)
        translated = planning_pg.refusal(
            getattr(error.orig, "sqlstate", None),
            getattr(diag, "message_primary", None) or "",
            getattr(diag, "message_detail", None),
        )
        if translated is not None:
            raise translated from None
        raise
    return UUID(str(rows[0][0]))
