"""What the andon rules read, and acknowledging an alert (an ``andon_acknowledged`` event).

On PostgreSQL the event is written by ``leanops_acknowledge_andon`` (migration 0013;
supervisors and admins), on SQLite by the app after the same permission check. An alert is
acknowledged once: a second acknowledgement of the same key writes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, StationStatus
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import EventLog, Job, PerformanceLog, StationAssignment
from leanops_desktop.services.accounts.pg_users import call
from leanops_desktop.services.analytics_time import due_instant
from leanops_desktop.services.andon.rules import RATE_WINDOW, Alert, JobFacts, StationFacts
from leanops_desktop.services.reads.queries import list_stations

ACKNOWLEDGED = "andon_acknowledged"
#: Acknowledgements older than this are not looked up (their episodes are long over).
KEEP_ACKNOWLEDGED = timedelta(days=30)


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def read_floor_facts(
    session: Session, now: datetime, tz: tzinfo
) -> tuple[list[StationFacts], list[JobFacts]]:
    """The active stations and the running jobs, as the rules see them at ``now``."""
    with read_transaction(session):
        rows = [row for row in list_stations(session) if row.is_active]
        last_report: dict[str | None, datetime] = {
            station: at
            for station, at in session.execute(
                select(PerformanceLog.station_id, func.max(PerformanceLog.timestamp)).group_by(
                    PerformanceLog.station_id
                )
            )
        }
        started: dict[str, datetime] = {
            station: at
            for station, at in session.execute(
                select(StationAssignment.station_id, StationAssignment.started_at)
            )
        }
        # Resuming after a block is a sign of life too: the silence counts from there.
        resumed: dict[str | None, datetime] = {
            station: at
            for station, at in session.execute(
                select(EventLog.station_id, func.max(EventLog.timestamp))
                .where(EventLog.event_type == EventType.STATION_UNBLOCKED.value)
                .group_by(EventLog.station_id)
            )
        }
        recent: dict[str | None, int] = {
            job: int(total or 0)
            for job, total in session.execute(
                select(PerformanceLog.job_id, func.sum(PerformanceLog.qty_completed))
                .where(PerformanceLog.timestamp >= now - RATE_WINDOW)
                .group_by(PerformanceLog.job_id)
            )
        }
        jobs = session.execute(
            select(Job.id, Job.qty_total, Job.qty_reported, Job.due_date).where(
                Job.status == JobStatus.RUNNING.value
            )
        ).all()
    stations = [
        StationFacts(
            station_id=row.id,
            name=row.name,
            status=row.status.value,
            job_id=row.current_job_id,
            blocked_since=row.blocked_since if row.status == StationStatus.BLOCKED else None,
            blocked_reason=row.blocked_reason,
            last_activity=_latest(
                last_report.get(row.id), started.get(row.id), resumed.get(row.id)
            ),
        )
        for row in rows
    ]
    job_facts = [
        JobFacts(
            job_id=job_id,
            remaining=max(int(total) - int(done or 0), 0),
            due=due_instant(due_date, tz),
            done_last_hour=int(recent.get(job_id) or 0),
        )
        for job_id, total, done, due_date in jobs
    ]
    return stations, job_facts


def acknowledged_keys(session: Session, now: datetime) -> set[str]:
    """Keys of the alerts acknowledged in the last 30 days."""
    with read_transaction(session):
        metas = session.execute(
            select(EventLog.meta).where(
                EventLog.event_type == ACKNOWLEDGED,
                EventLog.timestamp >= now - KEEP_ACKNOWLEDGED,
            )
        ).scalars()
        return {str(meta.get("key")) for meta in metas if meta.get("key")}


def acknowledge(session: Session, actor: Actor, alert: Alert) -> bool:
    """Record that ``actor`` acknowledged ``alert``; False when it already was."""
    require(actor, Action.ACKNOWLEDGE_ALERTS)
    if session.get_bind().dialect.name == "postgresql":
        with write_transaction(session):
            written = call(
                session,
                "leanops_acknowledge_andon",
                key=alert.key,
                rule=alert.rule.value,
                station=alert.station_id,
                job=alert.job_id,
                alert=alert.text,
            )
        return written is not None
    with write_transaction(session):
        done = session.execute(
            select(EventLog.id).where(
                EventLog.event_type == ACKNOWLEDGED, EventLog.meta["key"].as_string() == alert.key
            )
        ).first()
        if done is not None:
            return False
        session.execute(
            insert(EventLog).values(
                id=uuid.uuid4(),
                event_type=ACKNOWLEDGED,
                station_id=alert.station_id,
                job_id=alert.job_id,
                meta={"key": alert.key, "rule": alert.rule.value, "alert": alert.text},
                actor=actor.email,
            )
        )
    return True
