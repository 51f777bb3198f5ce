"""Small builders for test data, all going through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.db.engine import Database
from leanops_desktop.services.floor import jobs, stations


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
