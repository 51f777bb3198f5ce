"""Production use cases: report quantities (idempotent by a client-made id) and correct them.

Reports run in the database on PostgreSQL (``services/reporting/report_pg.py``, one round trip per
report or per batch) and here in Python on SQLite, with the same rules and the same errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, Role
from leanops_desktop.core.errors import (
    LeanOpsError,
    NotFound,
    OverReportNotConfirmed,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.core.tap_time import plausible_tap_time, tap_meta
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import Job, PerformanceLog, Station, StationAssignment, User
from leanops_desktop.services.events import record_event
from leanops_desktop.services.floor import floor_pg
from leanops_desktop.services.floor.locks import integrity_as_rule
from leanops_desktop.services.kiosk import device_checks
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import report_pg
from leanops_desktop.services.reporting.report_request import (
    ReportRequest,
    check_uuid,
    make_request,
)

__all__ = [
    "UNDO_WINDOW",
    "ReportRequest",
    "ReportResult",
    "correct_report",
    "report_quantities",
    "report_quantity",
]


#: How long after a report was counted an operator may take it back (supervisors and admins
#: may at any time): a kiosk's undo is for a mistaken tap, not for rewriting a shift.
UNDO_WINDOW = timedelta(minutes=15)
#: The longest email core.validation accepts (64 + "@" + 190).
_MAX_EMAIL_LENGTH = 255
_NOT_A_USER = "is not the email of an active user"


def _insert_once(session: Session, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT (id) DO NOTHING; True when this call inserted the row."""
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(PerformanceLog).on_conflict_do_nothing(index_elements=["id"])
    elif dialect == "sqlite":
        statement = sqlite.insert(PerformanceLog).on_conflict_do_nothing(index_elements=["id"])
    else:  # pragma: no cover - only the two backends are supported
        statement = insert(PerformanceLog)
    inserted = session.execute(statement.values(**values).returning(PerformanceLog.id)).first()
    return inserted is not None


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def report_quantity(
    session: Session,
    actor: Actor,
    *,
    station_id: str,
    job_id: str,
    qty: int,
    report_id: UUID | str,
    confirm_over: bool = False,
    reported_by: str | None = None,
    tapped_at: datetime | None = None,
) -> ReportResult:
    """Count ``qty`` units of ``job_id`` made at ``station_id``.

    ``report_id`` is made by the client before the first attempt; sending the same report
    again (a retry after a lost reply) counts it once. Reporting beyond the job's total needs
    ``confirm_over=True``, which the event records. ``reported_by`` names the operator who
    tapped, when a kiosk's outbox sends it later under another signed-in user: it must be
    the email of an active user of this database (else ValidationError, field
    ``reported by``); the event's actor stays who sent it (on PostgreSQL the database
    stamps it).

    On PostgreSQL this is one call of the ``leanops_report`` function (one round trip);
    on SQLite the same rules run here in Python.
    """
    require(actor, Action.REPORT_QUANTITY)
    request = make_request(
        actor,
        station_id=station_id,
        job_id=job_id,
        qty=qty,
        report_id=report_id,
        confirm_over=confirm_over,
        reported_by=reported_by,
        tapped_at=tapped_at,
    )
    if _on_postgresql(session):
        return report_pg.report_one(session, actor, request)
    with write_transaction(session):
        return _report_here(session, actor, request)


def report_quantities(
    session: Session, actor: Actor, requests: Sequence[ReportRequest]
) -> list[ReportResult | LeanOpsError]:
    """Count several reports in order, each judged on its own, in one transaction.

    Returns one outcome per request: its :class:`ReportResult`, or the error that refused
    it (the same error :func:`report_quantity` would raise). A refused report writes
    nothing and does not undo the others. Errors that are not refusals (no connection, a
    bug) raise, and then nothing of the batch is counted. On PostgreSQL the whole batch is
    one call of ``leanops_report_batch`` (one round trip); on SQLite each report runs under
    its own savepoint.
    """
    require(actor, Action.REPORT_QUANTITY)
    outcomes: list[ReportResult | LeanOpsError | None] = [None] * len(requests)
    checked: list[tuple[int, ReportRequest]] = []
    for index, raw in enumerate(requests):
        try:
            checked.append((index, _recheck(actor, raw)))
        except ValidationError as error:
            outcomes[index] = error
    if checked:
        batch = [request for _index, request in checked]
        if _on_postgresql(session):
            results = report_pg.report_many(session, actor, batch)
        else:
            results = _report_here_each(session, actor, batch)
        for (index, _request), outcome in zip(checked, results, strict=True):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _recheck(actor: Actor, request: ReportRequest) -> ReportRequest:
    """The request's input checked as :func:`report_quantity` checks it."""
    return make_request(
        actor,
        station_id=request.station_id,
        job_id=request.job_id,
        qty=request.qty,
        report_id=request.report_id,
        confirm_over=request.confirm_over,
        reported_by=request.reported_by,
        tapped_at=request.tapped_at,
    )


def _report_here_each(
    session: Session, actor: Actor, requests: Sequence[ReportRequest]
) -> list[ReportResult | LeanOpsError]:
    """The Python path for a batch: one write transaction, a savepoint per report."""
    outcomes: list[ReportResult | LeanOpsError] = []
    with write_transaction(session):
        for request in requests:
            try:
                with session.begin_nested():
                    outcomes.append(_report_here(session, actor, request))
            except LeanOpsError as error:
                outcomes.append(error)
    return outcomes


def _report_here(session: Session, actor: Actor, request: ReportRequest) -> ReportResult:
    """The rules of a report in Python, inside the caller's write transaction (SQLite)."""
    station_id, job_id, qty, log_id = (
        request.station_id,
        request.job_id,
        request.qty,
        request.report_id,
    )
    if _already_counted(session, request):
        return _result(session, log_id, job_id, counted=False)
    current = _running_assignment(session, station_id, job_id)
    done_before = current.qty_reported
    over = done_before + qty > current.qty_total
    if over and not request.confirm_over:
        raise OverReportNotConfirmed(job_id, current.qty_total, done_before + qty)
    if request.reported_by and not _is_active_user(session, request.reported_by):
        raise ValidationError("reported by", _NOT_A_USER)
    # An enrolled kiosk acts for the operator signed in at it (core/tap_time: the time).
    actor, kiosk_meta = device_checks.report_context(session, actor, request)
    logged_at = plausible_tap_time(request.tapped_at)
    with integrity_as_rule("the report could not be counted"):
        counted = _insert_once(
            session,
            {
                "id": log_id,
                "station_id": station_id,
                "job_id": job_id,
                "qty_completed": qty,
                "assignment_id": current.id,
                "timestamp": logged_at,
            },
        )
    if not counted:  # the same report arrived twice at once; the other one counted it
        return _result(session, log_id, job_id, counted=False)
    extra: dict[str, Any] = {"log_id": log_id, "over_reported": over}
    if request.reported_by:
        extra["reported_by"] = request.reported_by
    extra.update(tap_meta(request.tapped_at, logged_at))
    extra.update(kiosk_meta)
    record_event(
        session,
        actor,
        EventType.QTY_REPORTED,
        station_id=station_id,
        job_id=job_id,
        new={"qty": qty, "job_qty_done": done_before + qty},
        **extra,
    )
    return _result(session, log_id, job_id, counted=True, job_done=done_before + qty)


def _already_counted(session: Session, request: ReportRequest) -> bool:
    """Whether this report id was counted before; refused if it was for another report."""
    previous = session.execute(
        select(
            PerformanceLog.station_id, PerformanceLog.job_id, PerformanceLog.qty_completed
        ).where(PerformanceLog.id == request.report_id)
    ).first()
    if previous is None:
        return False
    if tuple(previous) != (request.station_id, request.job_id, request.qty):
        raise ValidationError(
            "report id",
            "was already used for a different report (station, job or quantity)",
        )
    return True


def _running_assignment(session: Session, station_id: str, job_id: str) -> Any:
    """The station's assignment of ``job_id`` with the job's total and reported count;
    NotFound or RuleViolation when the job does not run there (any more)."""
    current = session.execute(
        select(StationAssignment.id, StationAssignment.job_id, Job.qty_total, Job.qty_reported)
        .join(Job, Job.id == StationAssignment.job_id)
        .where(StationAssignment.station_id == station_id)
    ).first()
    if current is None or current.job_id != job_id:
        if session.get(Station, station_id) is None:
            raise NotFound("station", station_id)
        if session.get(Job, job_id) is None:
            raise NotFound("job", job_id)
        raise RuleViolation(
            f"job {job_id} is not running on station {station_id} any more "
            "(it was moved, unassigned or completed)"
        )
    return current


def _is_active_user(session: Session, email: str) -> bool:
    """Whether ``email`` names an active user of this database (who tapped a report)."""
    if len(email) > _MAX_EMAIL_LENGTH:
        return False
    found = session.scalar(select(User.id).where(User.email == email, User.is_active))
    return found is not None


def correct_report(
    session: Session,
    actor: Actor,
    *,
    log_id: UUID | str,
    correction_id: UUID | str,
    operator: str | None = None,
    tapped_at: datetime | None = None,
) -> ReportResult:
    """Take back a report by logging its negative (the original log is never deleted).

    The correction is the exact negation of the original on its station, job and
    assignment; a report is taken back once, never a correction; the same correction id
    sent again counts once. An operator may take back a report only within
    :data:`UNDO_WINDOW` of its log's time; supervisors and admins at any time. On
    PostgreSQL this is one call of ``leanops_correct_report`` (``services/floor/floor_pg.py``).
    """
    require(actor, Action.REPORT_QUANTITY)
    original_id = check_uuid("report id", log_id)
    new_id = check_uuid("correction id", correction_id)
    if _on_postgresql(session):
        return floor_pg.correct_report(session, actor, original_id, new_id, operator, tapped_at)
    with write_transaction(session):
        return _correct_here(session, actor, original_id, new_id, operator, tapped_at)


def _correct_here(
    session: Session,
    actor: Actor,
    original_id: UUID,
    new_id: UUID,
    operator: str | None,
    tapped_at: datetime | None,
) -> ReportResult:
    """The rules of taking a report back in Python, inside the caller's write transaction."""
    if session.get(PerformanceLog, new_id) is not None:
        previous = session.get(PerformanceLog, new_id)
        assert previous is not None
        if previous.corrects_id != original_id:
            raise ValidationError("correction id", "is already used by another report")
        return _result(session, new_id, previous.job_id or "", counted=False)
    original, actor, kiosk_meta = _takeable_report(session, actor, original_id, operator, tapped_at)
    with integrity_as_rule(
        f"report {original_id} was taken back just now, or the correction would make "
        "the station's count negative"
    ):
        _insert_once(
            session,
            {
                "id": new_id,
                "station_id": original.station_id,
                "job_id": original.job_id,
                "qty_completed": -original.qty_completed,
                "assignment_id": original.assignment_id,
                "corrects_id": original_id,
            },
        )
    record_event(
        session,
        actor,
        EventType.QTY_CORRECTED,
        station_id=original.station_id,
        job_id=original.job_id,
        old={"qty": original.qty_completed},
        new={"qty": 0},
        log_id=new_id,
        corrects_id=original_id,
        **kiosk_meta,
    )
    return _result(session, new_id, original.job_id or "", counted=True)


def _takeable_report(
    session: Session,
    actor: Actor,
    original_id: UUID,
    operator: str | None,
    tapped_at: datetime | None,
) -> tuple[PerformanceLog, Actor, dict[str, Any]]:
    """The report ``original_id`` if ``actor`` may take it back now, with who takes it back
    (an enrolled kiosk acts for the operator signed in at it, on its own station) and the
    event's kiosk details; refused otherwise."""
    original = session.get(PerformanceLog, original_id)
    if original is None:
        raise NotFound("report", original_id)
    actor, kiosk_meta = device_checks.device_actor(
        session, actor, original.station_id, operator, tapped_at or datetime.now(UTC)
    )
    if original.corrects_id is not None:
        raise RuleViolation("a correction cannot itself be corrected")
    already = session.scalar(
        select(PerformanceLog.id).where(PerformanceLog.corrects_id == original_id)
    )
    if already is not None:
        raise RuleViolation(f"report {original_id} has already been taken back")
    if actor.role == Role.OPERATOR and datetime.now(UTC) - original.timestamp > UNDO_WINDOW:
        raise RuleViolation(
            f"report {original_id} was counted more than "
            f"{int(UNDO_WINDOW.total_seconds() // 60)} minutes ago: "
            "only a supervisor or an admin may take it back now"
        )
    return original, actor, kiosk_meta


def _result(
    session: Session, log_id: UUID, job_id: str, *, counted: bool, job_done: int | None = None
) -> ReportResult:
    """The counts after a report: its assignment's (if it still runs) and its job's."""
    assignment_done = session.scalar(
        select(StationAssignment.qty_done)
        .join(PerformanceLog, PerformanceLog.assignment_id == StationAssignment.id)
        .where(PerformanceLog.id == log_id)
    )
    return ReportResult(
        log_id=log_id,
        counted=counted,
        assignment_qty_done=int(assignment_done or 0),
        job_qty_done=job_done
        if job_done is not None
        else queries.job_done_in_transaction(session, job_id),
    )
