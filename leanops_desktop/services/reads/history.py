"""Read-side queries of what happened: the events log (the audit trail) and the quantity
reports (performance logs), newest events first, reports in time order, or by key.

Every function returns plain rows (``core.rows``); rows are selected as columns, never
loaded as ORM objects.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leanops_desktop.core.rows import EventRow, PerformanceRow
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import EventLog, PerformanceLog

#: The events_log columns :func:`event_row` reads (selected as columns: no ORM objects).
EVENT_COLUMNS = (
    EventLog.id,
    EventLog.event_type,
    EventLog.station_id,
    EventLog.job_id,
    EventLog.actor,
    EventLog.meta,
    EventLog.timestamp,
)
_PERFORMANCE_COLUMNS = (
    PerformanceLog.id,
    PerformanceLog.station_id,
    PerformanceLog.job_id,
    PerformanceLog.qty_completed,
    PerformanceLog.timestamp,
    PerformanceLog.assignment_id,
    PerformanceLog.corrects_id,
)


def event_row(event: Any) -> EventRow:
    """The plain row of one events_log entry (an ``EventLog`` or a row of EVENT_COLUMNS)."""
    return EventRow(
        id=event.id,
        event_type=event.event_type,
        station_id=event.station_id,
        job_id=event.job_id,
        actor=event.actor,
        meta=dict(event.meta or {}),
        timestamp=event.timestamp,
    )


def list_events(
    session: Session,
    *,
    limit: int = 1000,
    since: datetime | None = None,
    station_id: str | None = None,
    job_id: str | None = None,
) -> list[EventRow]:
    """The newest events first."""
    with read_transaction(session):
        query = select(*EVENT_COLUMNS).order_by(EventLog.timestamp.desc(), EventLog.id).limit(limit)
        if since is not None:
            query = query.where(EventLog.timestamp >= since)
        if station_id is not None:
            query = query.where(EventLog.station_id == check_key("station id", station_id))
        if job_id is not None:
            query = query.where(EventLog.job_id == check_key("job id", job_id))
        return [event_row(event) for event in session.execute(query)]


def count_events(session: Session) -> int:
    """How many events the log holds."""
    with read_transaction(session):
        return int(session.execute(select(func.count()).select_from(EventLog)).scalar_one())


def events_by_keys(session: Session, keys: Collection[UUID]) -> list[EventRow]:
    if not keys:
        return []
    with read_transaction(session):
        query = select(*EVENT_COLUMNS).where(EventLog.id.in_(list(keys)))
        return [event_row(event) for event in session.execute(query)]


def _performance_row(log: Any) -> PerformanceRow:
    return PerformanceRow(
        id=log.id,
        station_id=log.station_id,
        job_id=log.job_id,
        qty_completed=log.qty_completed,
        timestamp=log.timestamp,
        assignment_id=log.assignment_id,
        corrects_id=log.corrects_id,
    )


def performance_by_keys(session: Session, keys: Collection[UUID]) -> list[PerformanceRow]:
    if not keys:
        return []
    with read_transaction(session):
        query = select(*_PERFORMANCE_COLUMNS).where(PerformanceLog.id.in_(list(keys)))
        return [_performance_row(log) for log in session.execute(query)]


def list_performance(
    session: Session,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[PerformanceRow]:
    """Quantity reports in time order."""
    with read_transaction(session):
        query = select(*_PERFORMANCE_COLUMNS).order_by(PerformanceLog.timestamp, PerformanceLog.id)
        if station_id is not None:
            query = query.where(PerformanceLog.station_id == check_key("station id", station_id))
        if job_id is not None:
            query = query.where(PerformanceLog.job_id == check_key("job id", job_id))
        if since is not None:
            query = query.where(PerformanceLog.timestamp >= since)
        if until is not None:
            query = query.where(PerformanceLog.timestamp < until)
        return [_performance_row(log) for log in session.execute(query)]
