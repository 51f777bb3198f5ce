"""Report scrap: units of a job made at a station that are not good, with a quality reason.

Like a good count, a scrap report carries a client-made id and counts once however often it
is sent (a kiosk's outbox retries after a lost reply); a kiosk device reports only on its
own station, for an operator signed in at it. Triggers add it to the assignment's
``qty_scrap``, the job's ``qty_scrapped`` and the rollup's ``scrap_units``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, RuleViolation, ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import QualityEvent, ReasonCategory
from leanops_desktop.core.validation import MAX_QTY_TOTAL, check_id, check_quantity
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import StationAssignment
from leanops_desktop.db.oee_models import DowntimeReason, ScrapLog
from leanops_desktop.services.kiosk import device_checks
from leanops_desktop.services.quality import pg_call
from leanops_desktop.services.quality.quality_events import record_quality_event

_TAP_SKEW = timedelta(minutes=2)
_TAP_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class ScrapReport:
    """``qty`` units of ``job_id`` scrapped at ``station_id`` for ``reason_id``."""

    station_id: str
    job_id: str
    qty: int
    reason_id: str
    report_id: UUID
    operator: str | None = None  # who tapped, when a kiosk device sends it
    tapped_at: datetime | None = None


def report_scrap(session: Session, actor: Actor, report: ScrapReport) -> bool:
    """Count the scrap report once; True when counted now, False when it was already."""
    require(actor, Action.REPORT_QUANTITY)
    check_id("station_id", report.station_id)
    check_id("job_id", report.job_id)
    check_quantity("qty", report.qty, maximum=MAX_QTY_TOTAL)
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            return bool(
                pg_call.call(
                    session,
                    "leanops_report_scrap",
                    {
                        "id": report.report_id,
                        "station": report.station_id,
                        "job": report.job_id,
                        "qty": report.qty,
                        "reason": report.reason_id,
                        "operator": report.operator,
                        "tapped_at": report.tapped_at,
                        **pg_call.who(actor),
                    },
                    "CAST(:id AS uuid), CAST(:station AS text), CAST(:job AS text),"
                    " CAST(:qty AS integer), CAST(:reason AS text), CAST(:actor AS text),"
                    " CAST(:role AS text), CAST(:operator AS text),"
                    " CAST(:tapped_at AS timestamptz)",
                )
            )
        return _report_here(session, actor, report)


def _report_here(session: Session, actor: Actor, report: ScrapReport) -> bool:
    now = datetime.now(UTC)
    tapped = report.tapped_at
    if tapped is not None and tapped.tzinfo is None:
        tapped = tapped.replace(tzinfo=UTC)
    actor, kiosk_meta = device_checks.device_actor(
        session, actor, report.station_id, report.operator, tapped or now
    )
    reason = check_scrap_reason(session, report.reason_id)
    if session.get(ScrapLog, report.report_id) is not None:
        return False
    assignment_id = session.scalar(
        select(StationAssignment.id).where(
            StationAssignment.station_id == report.station_id,
            StationAssignment.job_id == report.job_id,
        )
    )
    if assignment_id is None:
        raise RuleViolation(
            f"station {report.station_id} is not working on job {report.job_id}"
        )
    at = tapped if tapped is not None and now - _TAP_MAX_AGE <= tapped <= now + _TAP_SKEW else now
    session.add(
        ScrapLog(
            id=report.report_id,
            station_id=report.station_id,
            job_id=report.job_id,
            assignment_id=assignment_id,
            qty_scrapped=report.qty,
            reason_id=reason.id,
            timestamp=at,
            actor=actor.email,
        )
    )
    session.flush()
    record_quality_event(
        session,
        actor,
        QualityEvent.SCRAP_REPORTED,
        station_id=report.station_id,
        job_id=report.job_id,
        log_id=report.report_id,
        qty=report.qty,
        reason=reason.id,
        category=reason.category,
        tapped_at=report.tapped_at,
        **kiosk_meta,
    )
    return True


def check_scrap_reason(session: Session, reason_id: str) -> DowntimeReason:
    """The reason, when it is an active quality leaf; else NotFound or ValidationError."""
    reason = session.get(DowntimeReason, reason_id)
    if reason is None:
        raise NotFound("reason", reason_id)
    has_children = session.scalar(
        select(DowntimeReason.id).where(DowntimeReason.parent_id == reason_id).limit(1)
    )
    if reason.category != ReasonCategory.QUALITY or not reason.is_active or has_children:
        raise ValidationError("reason", "must be an active quality reason without sub-reasons")
    return reason
