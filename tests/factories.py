"""Small builders for test data, all going through the real services."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.floor import jobs, stations
from leanops_desktop.services.reporting import production


def make_station(
    db: Database, actor: Actor, station_id: str = "ST-01", line: str = "Line A"
) -> StationRow:
    with db.session() as session:
        return stations.create_station(
            session, actor, station_id=station_id, name=f"Station {station_id}", line=line
        )


def make_job(
    db: Database,
    actor: Actor,
    job_id: str = "JOB-1001",
    qty_total: int = 100,
    due_in_days: int = 7,
    priority: str = "normal",
) -> JobRow:
    with db.session() as session:
        return jobs.create_job(
            session,
            actor,
            job_id=job_id,
            part_name=f"Part for {job_id}",
            qty_total=qty_total,
            due_date=date.today() + timedelta(days=due_in_days),
            priority=priority,
        )


def report_from_another_seat(
    url: str, operator: Actor, qty: int, *, station_id: str = "ST-01", job_id: str = "JOB-0001"
) -> None:
    """A quantity report committed by another seat (its own engine and connection)."""
    other = open_database(url)
    try:
        with other.session() as session:
            production.report_quantity(
                session,
                operator,
                station_id=station_id,
                job_id=job_id,
                qty=qty,
                report_id=uuid.uuid4(),
            )
    finally:
        other.dispose()
