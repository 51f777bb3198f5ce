"""Fixed plant data for the analytics tests (no tests here).

Stations and jobs get fixed creation times, reports and events fixed timestamps in the past,
written with SQLAlchemy Core inserts (the database allows inserts into its append-only logs).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, Job, PerformanceLog, Station

SUPERVISOR = Actor(email="sam.supervisor@plant.test", role=Role.SUPERVISOR)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    """A UTC instant: ``utc(2026, 3, 10, 8)`` is 2026-03-10 08:00 UTC."""
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def add_stations(db: Database, stations: Iterable[tuple[str, str]], **extra: Any) -> None:
    """``(id, line)`` pairs, active and idle, created on 2026-01-01."""
    rows = [
        {
            "id": station_id,
            "name": f"Station {station_id}",
            "line": line,
            "status": "idle",
            "is_active": True,
            "created_at": CREATED,
            **extra,
        }
        for station_id, line in stations
    ]
    with db.session() as session, session.begin():
        session.execute(insert(Station), rows)


def add_job(
    db: Database,
    job_id: str,
    qty_total: int,
    due: date,
    *,
    status: str = "running",
    priority: str = "normal",
) -> None:
    with db.session() as session, session.begin():
        session.execute(
            insert(Job).values(
                id=job_id,
                part_name=f"Part {job_id}",
                qty_total=qty_total,
                due_date=due,
                priority=priority,
                status=status,
                created_at=CREATED,
            )
        )


def add_logs(db: Database, logs: Iterable[tuple[str, str, int, datetime]]) -> list[uuid.UUID]:
    """``(station, job, qty, when)`` reports; returns their ids."""
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "station_id": station_id,
            "job_id": job_id,
            "qty_completed": qty,
            "timestamp": when,
        }
        for station_id, job_id, qty, when in logs
    ]
    if rows:
        with db.session() as session, session.begin():
            session.execute(insert(PerformanceLog), rows)
    return [row["id"] for row in rows]


def add_correction(db: Database, original: uuid.UUID, qty: int, when: datetime) -> None:
    """Take back ``qty`` units of report ``original`` at ``when``."""
    with db.session() as session, session.begin():
        source = session.get(PerformanceLog, original)
        assert source is not None
        session.execute(
            insert(PerformanceLog).values(
                id=uuid.uuid4(),
                station_id=source.station_id,
                job_id=source.job_id,
                qty_completed=-qty,
                timestamp=when,
                corrects_id=original,
            )
        )


def add_events(
    db: Database,
    events: Iterable[tuple[str, str | None, str | None, dict[str, Any], datetime]],
) -> None:
    """``(event_type, station, job, meta, when)`` entries of the event log."""
    rows = [
        {
            "id": uuid.uuid4(),
            "event_type": event_type,
            "station_id": station_id,
            "job_id": job_id,
            "meta": meta,
            "timestamp": when,
            "actor": SUPERVISOR.email,
        }
        for event_type, station_id, job_id, meta, when in events
    ]
    if rows:
        with db.session() as session, session.begin():
            session.execute(insert(EventLog), rows)
