"""A small plant built by hand, with its OEE worked out on paper (tests/test_oee.py).

Saturday 2026-03-14, UTC, one shift "S" 06:00-14:00 with a break 10:00-10:30 (the seeded
shifts run Monday to Friday only).

ST-A1 (Line A): J1 (ideal 30 s) from 06:00; planned stop (meeting) 08:00-08:30;
maintenance stop 11:00-11:45; J1 completed 12:00, idle to 12:15; J2 (ideal 60 s) to 14:00.
Counts: J1 200 good 07:00, 200 good 09:00, 20 scrap 09:30; J2 90 good 13:00, 10 scrap
13:30; and 50 good at 05:00 (before the shift: not counted).
ST-A2 (Line A): J3 (ideal 20 s) from 05:00, 900 good at 08:00; deactivated at 12:00.
ST-B1 (Line B): inactive all day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import insert, update

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import Job
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.services.quality import calendar
from tests.analytics_seed import add_events, add_job, add_logs, add_stations, utc

DAY = date(2026, 3, 14)


def at(hour: int, minute: int = 0) -> datetime:
    return utc(2026, 3, 14, hour, minute)


def add_scrap(db: Database, station: str, job: str, qty: int, when: datetime) -> None:
    with db.session() as session, session.begin():
        session.execute(
            insert(ScrapLog).values(
                id=uuid.uuid4(), station_id=station, job_id=job, qty_scrapped=qty,
                reason_id="quality/surface", timestamp=when,
            )
        )


def build_plant(db: Database, admin: Actor) -> None:
    with db.session() as session:
        calendar.save_shift(
            session, admin,
            calendar.ShiftSpec("S", "day", time(6), time(14), "6", (calendar.BreakSpec(240, 30),)),
        )
    add_stations(db, [("ST-A1", "Line A"), ("ST-A2", "Line A")])
    add_stations(db, [("ST-B1", "Line B")], is_active=False)
    for job_id, ideal in (("J1", 30.0), ("J2", 60.0), ("J3", 20.0)):
        add_job(db, job_id, 1000, DAY)
        with db.session() as session, session.begin():
            session.execute(update(Job).where(Job.id == job_id).values(ideal_cycle_s=ideal))
    add_events(
        db,
        [
            ("station_deactivated", "ST-B1", None, {}, utc(2026, 3, 1)),
            ("job_assigned", "ST-A2", "J3", {}, at(5)),
            ("job_assigned", "ST-A1", "J1", {}, at(6)),
            ("station_blocked", "ST-A1", None, {"reason": "planned stop/meeting"}, at(8)),
            ("station_unblocked", "ST-A1", None, {}, at(8, 30)),
            ("station_blocked", "ST-A1", None, {"reason": "maintenance: spindle noise"}, at(11)),
            ("station_unblocked", "ST-A1", None, {}, at(11, 45)),
            ("job_completed", "ST-A1", "J1", {"old": {"stations": ["ST-A1"]}}, at(12)),
            ("station_deactivated", "ST-A2", None, {}, at(12)),
            ("job_assigned", "ST-A1", "J2", {}, at(12, 15)),
        ],
    )
    add_logs(
        db,
        [
            ("ST-A1", "J1", 50, at(5)),
            ("ST-A1", "J1", 200, at(7)),
            ("ST-A1", "J1", 200, at(9)),
            ("ST-A1", "J2", 90, at(13)),
            ("ST-A2", "J3", 900, at(8)),
        ],
    )
    add_scrap(db, "ST-A1", "J1", 20, at(9, 30))
    add_scrap(db, "ST-A1", "J2", 10, at(13, 30))

