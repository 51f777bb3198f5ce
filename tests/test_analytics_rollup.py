"""Analytics read whole quarter hours from the rollup and get exactly the logs' figures.

Every range here starts and ends inside a 15-minute slot, so the edge slots must come from
the logs and the whole slots from the rollup. Figures are hand-counted (quantities are powers
of two, so any unit counted twice or missed shows), compared with the raw-log path
(``use_rollup=False``), and the rollup is tampered with to prove which slots are read from it.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, update

from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import PerformanceLog, ThroughputRollup
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics import Bucket, GroupBy, Scope
from leanops_desktop.services.analytics_rollup import slots_fit, whole_slots
from tests.analytics_seed import SUPERVISOR, add_correction, add_job, add_logs, add_stations, utc

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45
LATER = utc(2026, 12, 1)


def throughput(
    db: Database, start: datetime, end: datetime, tz: tzinfo, bucket: Bucket, **options: Any
) -> analytics.Throughput:
    with db.session() as session:
        return analytics.throughput(
            session, SUPERVISOR, start, end, tz=tz, bucket=bucket, now=LATER, **options
        )


def units(result: analytics.Throughput) -> dict[str, list[int]]:
    return {series.key: series.units.tolist() for series in result.series}


def both_ways(
    db: Database, start: datetime, end: datetime, tz: tzinfo, bucket: Bucket, **options: Any
) -> dict[str, list[int]]:
    """Units per series through the rollup, checked equal to the raw-log path."""
    fast = throughput(db, start, end, tz, bucket, **options)
    raw = throughput(db, start, end, tz, bucket, use_rollup=False, **options)
    assert units(fast) == units(raw)
    assert fast.edges.tolist() == raw.edges.tolist()
    return units(fast)


def tamper(db: Database, slot: datetime, station: str, job: str, extra: int) -> None:
    """Add ``extra`` units to a rollup row (made when missing), as only a superuser can."""
    with db.session() as session, session.begin():
        row = (
            ThroughputRollup.slot_start == slot,
            ThroughputRollup.station_id == station,
            ThroughputRollup.job_id == job,
        )
        changed = session.execute(
            update(ThroughputRollup).where(*row).values(units=ThroughputRollup.units + extra)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            session.execute(
                insert(ThroughputRollup).values(
                    slot_start=slot, station_id=station, job_id=job, units=extra
                )
            )


# -- one day in Berlin, hours, both range edges inside a slot --------------------------------

START, END = utc(2026, 3, 10, 8, 7, 30), utc(2026, 3, 10, 10, 52, 10)


@pytest.fixture
def floor(db: Database) -> Database:
    add_stations(db, [("A1", "Line A"), ("A2", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 10_000, date(2026, 3, 12))
    add_job(db, "J2", 10_000, date(2026, 3, 12))
    at = utc(2026, 3, 10, 8)
    ids = add_logs(
        db,
        [
            ("A1", "J1", 1, START - timedelta(microseconds=1)),  # before the range
            ("A1", "J1", 2, START),  # edge slot 08:00-08:15
            ("A1", "J1", 4, at + timedelta(minutes=14, seconds=59, microseconds=999999)),
            ("A1", "J1", 8, at + timedelta(minutes=15)),  # whole slot
            ("A2", "J2", 16, at + timedelta(minutes=59, seconds=59)),
            ("B1", "J2", 32, at + timedelta(hours=1)),
            ("A1", "J1", 64, at + timedelta(hours=2, minutes=44, seconds=59, microseconds=999999)),
            ("A1", "J1", 128, at + timedelta(hours=2, minutes=45)),  # edge slot 10:45-11:00
            ("A1", "J1", 256, END - timedelta(microseconds=1)),
            ("A1", "J1", 512, END),  # the range ends before it
        ],
    )
    add_correction(db, ids[3], 8, at + timedelta(hours=1, minutes=30))  # in a whole slot
    add_correction(db, ids[1], 2, at + timedelta(hours=2, minutes=50))  # in the end slot
    return db


def test_hours_with_both_edges_inside_a_slot(floor: Database) -> None:
    assert whole_slots(START, END) == (utc(2026, 3, 10, 8, 15), utc(2026, 3, 10, 10, 45))
    assert both_ways(floor, START, END, BERLIN, Bucket.HOUR) == {
        "A1": [14, -8, 446],
        "A2": [16, 0, 0],
        "B1": [0, 32, 0],
    }
    assert both_ways(floor, START, END, BERLIN, Bucket.HOUR, group_by=GroupBy.LINE) == {
        "Line A": [30, -8, 446],
        "Line B": [0, 32, 0],
    }
    assert both_ways(floor, START, END, BERLIN, Bucket.HOUR, scope=Scope(job_id="J2")) == {
        "A1": [0, 0, 0],
        "A2": [16, 0, 0],
        "B1": [0, 32, 0],
    }
    assert both_ways(floor, START, END, BERLIN, Bucket.HOUR, scope=Scope(line="Line A")) == {
        "A1": [14, -8, 446],
        "A2": [16, 0, 0],
    }


def test_whole_slots_come_from_the_rollup_and_edge_slots_from_the_logs(floor: Database) -> None:
    tamper(floor, utc(2026, 3, 10, 8, 30), "A1", "J1", 1000)  # a whole slot
    tamper(floor, utc(2026, 3, 10, 8), "A1", "J1", 10_000)  # the start's slot
    tamper(floor, utc(2026, 3, 10, 10, 45), "A1", "J1", 100_000)  # the end's slot
    tamper(floor, utc(2026, 3, 10, 11), "A1", "J1", 100_000)  # after the range
    fast = units(throughput(floor, START, END, BERLIN, Bucket.HOUR))
    raw = units(throughput(floor, START, END, BERLIN, Bucket.HOUR, use_rollup=False))
    assert fast["A1"] == [1014, -8, 446]
    assert raw["A1"] == [14, -8, 446]
    # Five-minute buckets are narrower than a slot: always the logs.
    fine = throughput(floor, START, END, BERLIN, Bucket.FIVE_MINUTES)
    assert fine.series[0].total == 14 - 8 + 446
    with floor.session() as session:
        figures = analytics.key_figures(session, SUPERVISOR, START, END, tz=BERLIN, now=LATER)
        curve = analytics.job_progress(
            session, SUPERVISOR, "J1", START, END, tz=BERLIN, bucket=Bucket.HOUR, now=LATER
        )
    assert figures.units == 14 - 8 + 446 + 16 + 32 + 1000
    # The job's curve starts from what was made before the range (the 08:00 slot is cut:
    # its logs before 08:07:30 count, not the rollup's) and adds the range's hours.
    assert curve.done.tolist() == [1.0, 1015.0, 1007.0, 1453.0]


def test_logs_without_a_station_count_apart(floor: Database) -> None:
    with floor.session() as session, session.begin():
        session.execute(
            insert(PerformanceLog),
            [
                {"id": uuid.uuid4(), "qty_completed": 1024, "timestamp": utc(2026, 3, 10, 9, 20)},
                {"id": uuid.uuid4(), "qty_completed": 2048, "timestamp": utc(2026, 3, 10, 10, 50)},
            ],
        )
    assert both_ways(floor, START, END, BERLIN, Bucket.HOUR)[analytics.NO_STATION] == [
        0,
        1024,
        2048,
    ]
    by_line = both_ways(floor, START, END, BERLIN, Bucket.HOUR, group_by=GroupBy.LINE)
    assert by_line[analytics.NO_STATION] == [0, 1024, 2048]
    assert analytics.NO_STATION not in both_ways(
        floor, START, END, BERLIN, Bucket.HOUR, scope=Scope(line="Line A")
    )
    with floor.session() as session:
        figures = analytics.key_figures(session, SUPERVISOR, START, END, tz=BERLIN, now=LATER)
    assert figures.units == 14 - 8 + 446 + 16 + 32 + 1024 + 2048


def test_key_figures_and_job_curve_match_the_logs(floor: Database) -> None:
    with floor.session() as session:
        figures = analytics.key_figures(session, SUPERVISOR, START, END, tz=BERLIN, now=LATER)
        line_b = analytics.key_figures(
            session, SUPERVISOR, START, END, tz=BERLIN, scope=Scope(line="Line B"), now=LATER
        )
        curve = analytics.job_progress(
            session, SUPERVISOR, "J1", START, END, tz=BERLIN, bucket=Bucket.HOUR, now=LATER
        )
        later = analytics.job_progress(
            session, SUPERVISOR, "J1", END, LATER, tz=BERLIN, bucket=Bucket.DAY, now=LATER
        )
    assert figures.units == 14 - 8 + 446 + 16 + 32
    assert line_b.units == 32
    assert curve.done.tolist() == [1.0, 15.0, 7.0, 453.0]
    assert later.done[0] == 1 + 14 - 8 + 446  # everything before END, from slots and logs
    assert later.done[-1] == later.done[0] + 512


# -- local days in zones with half- and quarter-hour offsets, and across DST ----------------


def test_kolkata_days_and_hours(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 10_000, date(2026, 3, 20))
    start, end = utc(2026, 3, 9, 10, 7), utc(2026, 3, 12, 3, 3)
    add_logs(
        db,
        [
            ("S1", "J1", 1, utc(2026, 3, 9, 10, 6, 59)),  # before the range
            ("S1", "J1", 2, start),  # 9 March 15:37 IST
            ("S1", "J1", 4, utc(2026, 3, 9, 18, 29, 59, 999999)),  # 9 March 23:59:59 IST
            ("S1", "J1", 8, utc(2026, 3, 9, 18, 30)),  # 10 March 00:00 IST
            ("S1", "J1", 16, utc(2026, 3, 10, 18, 29, 59)),
            ("S1", "J1", 32, utc(2026, 3, 10, 18, 30)),  # 11 March
            ("S1", "J1", 64, utc(2026, 3, 11, 18, 30)),  # 12 March
            ("S1", "J1", 128, utc(2026, 3, 12, 3, 2, 59)),  # in the end's slot
            ("S1", "J1", 256, end),  # the range ends before it
        ],
    )
    days = throughput(db, start, end, KOLKATA, Bucket.DAY)
    assert days.x.tolist()[1] == utc(2026, 3, 9, 18, 30).timestamp()
    assert both_ways(db, start, end, KOLKATA, Bucket.DAY) == {"S1": [6, 24, 32, 192]}
    # Hours from local midnight: they begin at half past in UTC.
    hour_end = utc(2026, 3, 9, 19, 10)
    assert both_ways(db, start, hour_end, KOLKATA, Bucket.HOUR)["S1"] == [
        2,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        4,
        8,
    ]


def test_kathmandu_days_and_hours(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 10_000, date(2026, 3, 20))
    start, end = utc(2026, 3, 9, 17, 50, 20), utc(2026, 3, 11, 18, 20, 40)
    add_logs(
        db,
        [
            ("S1", "J1", 1, utc(2026, 3, 9, 17, 50, 19)),  # before the range
            ("S1", "J1", 2, utc(2026, 3, 9, 18, 14, 59, 500000)),  # 9 March 23:59:59 NPT
            ("S1", "J1", 4, utc(2026, 3, 9, 18, 15)),  # 10 March 00:00 NPT
            ("S1", "J1", 8, utc(2026, 3, 9, 19, 14, 59)),  # 10 March 00:59:59
            ("S1", "J1", 16, utc(2026, 3, 9, 19, 15)),  # 10 March 01:00
            ("S1", "J1", 32, utc(2026, 3, 10, 18, 15)),  # 11 March
            ("S1", "J1", 64, utc(2026, 3, 11, 18, 15)),  # 12 March, the end's slot
            ("S1", "J1", 128, utc(2026, 3, 11, 18, 20, 39)),
            ("S1", "J1", 256, end),  # the range ends before it
        ],
    )
    days = throughput(db, start, end, KATHMANDU, Bucket.DAY)
    assert days.edges.tolist()[1] == utc(2026, 3, 9, 18, 15).timestamp()
    assert both_ways(db, start, end, KATHMANDU, Bucket.DAY) == {"S1": [2, 28, 32, 192]}
    hour_end = utc(2026, 3, 9, 20, 0)
    assert both_ways(db, start, hour_end, KATHMANDU, Bucket.HOUR)["S1"] == [2, 12, 16]


def test_berlin_days_across_spring_forward_and_hours_across_fall_back(db: Database) -> None:
    add_stations(db, [("S1", "Line A")])
    add_job(db, "J1", 10_000, date(2026, 11, 30))
    start, end = utc(2026, 3, 27, 23, 7, 13), utc(2026, 3, 30, 21, 52)
    add_logs(
        db,
        [
            ("S1", "J1", 1, utc(2026, 3, 27, 23, 7, 12)),  # before the range
            ("S1", "J1", 2, start),  # 28 March 00:07:13 CET
            ("S1", "J1", 4, utc(2026, 3, 28, 22, 59, 59, 999999)),  # 28 March 23:59:59 CET
            ("S1", "J1", 8, utc(2026, 3, 28, 23)),  # 29 March 00:00 CET
            ("S1", "J1", 16, utc(2026, 3, 29, 0, 59, 59)),  # 01:59:59 CET
            ("S1", "J1", 32, utc(2026, 3, 29, 1)),  # 03:00 CEST, the change itself
            ("S1", "J1", 64, utc(2026, 3, 29, 21, 59, 59)),  # 29 March 23:59:59 CEST
            ("S1", "J1", 128, utc(2026, 3, 29, 22)),  # 30 March 00:00 CEST
            ("S1", "J1", 256, utc(2026, 3, 30, 21, 51, 59)),  # in the end's slot
            ("S1", "J1", 512, end),  # the range ends before it
            # 25 October: 02:00-03:00 happens twice (CEST, then CET).
            ("S1", "J1", 1, utc(2026, 10, 25, 0, 7)),  # 02:07 CEST
            ("S1", "J1", 2, utc(2026, 10, 25, 0, 59, 59)),
            ("S1", "J1", 4, utc(2026, 10, 25, 1)),  # 02:00 CET
            ("S1", "J1", 8, utc(2026, 10, 25, 2, 51, 59)),  # 03:51:59 CET, the end's slot
        ],
    )
    assert both_ways(db, start, end, BERLIN, Bucket.DAY) == {"S1": [6, 120, 384]}
    fall_start, fall_end = utc(2026, 10, 24, 23, 7), utc(2026, 10, 25, 2, 52)
    assert both_ways(db, fall_start, fall_end, BERLIN, Bucket.HOUR) == {"S1": [0, 3, 4, 8]}
    assert both_ways(db, fall_start, fall_end, BERLIN, Bucket.DAY) == {"S1": [15]}


def test_a_zone_off_the_quarter_hour_falls_back_to_the_logs(floor: Database) -> None:
    odd = timezone(timedelta(minutes=20))  # local midnight at 23:40 UTC
    assert not slots_fit(Bucket.HOUR, START, END, odd)
    assert not slots_fit(Bucket.DAY, START, END, odd)
    assert slots_fit(Bucket.DAY, START, END, KATHMANDU)
    tamper(floor, utc(2026, 3, 10, 8, 30), "A1", "J1", 1000)
    hours = throughput(floor, START, END, odd, Bucket.HOUR)
    assert hours.x.tolist()[0] == utc(2026, 3, 10, 7, 40).timestamp()
    assert units(hours)["A1"] == [14, -8, 0, 446]
    assert units(throughput(floor, START, END, odd, Bucket.DAY))["A1"] == [452]


# -- many random ranges: the rollup path always equals the logs -----------------------------


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "UTC"])
def test_random_ranges_match_the_logs(db: Database, zone: str) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(f"rollup-{zone}")
    add_stations(db, [("A1", "Line A"), ("A2", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 10**6, date(2026, 4, 30))
    add_job(db, "J2", 10**6, date(2026, 4, 30))
    first = utc(2026, 3, 27)
    span = 4 * 86400  # across the spring-forward weekend in Europe
    when = [first + timedelta(seconds=rng.uniform(0, span)) for _ in range(300)]
    logs = [(rng.choice(["A1", "A2", "B1"]), rng.choice(["J1", "J2"]), 2**i % 97 + 1, at)
            for i, at in enumerate(when)]  # fmt: skip
    ids = add_logs(db, logs)
    for index in rng.sample(range(len(ids)), 5):
        add_correction(db, ids[index], logs[index][2], logs[index][3] + timedelta(minutes=7))
    for _ in range(6):
        low, high = sorted(rng.uniform(0, span) for _ in range(2))
        start, end = first + timedelta(seconds=low), first + timedelta(seconds=high)
        for bucket in (Bucket.HOUR, Bucket.DAY):
            both_ways(db, start, end, tz, bucket)
        both_ways(db, start, end, tz, Bucket.DAY, group_by=GroupBy.LINE, scope=Scope(job_id="J2"))
        with db.session() as session:
            figures = analytics.key_figures(session, SUPERVISOR, start, end, tz=tz, now=LATER)
        in_range = [qty for _s, _j, qty, at in logs if start <= at < end]
        assert figures.units <= sum(in_range)  # corrections can only take units back
        assert figures.units == throughput(db, start, end, tz, Bucket.DAY).total_units().sum()
