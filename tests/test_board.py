"""The production board's reads: output this hour and this shift, the rate a job needs to
meet its due date, and the traffic light, on both backends with a fixed clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services.board.board_reads import Light, read_board, required_rate
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station

UTC_ZONE = ZoneInfo("UTC")
SHIFTS = (time(6), time(14), time(22))


def report_at(db: Database, actor: Actor, station: str, job: str, qty: int, at: datetime) -> None:
    """A report tapped at ``at`` (the board counts by the log's time)."""
    with db.session() as session:
        production.report_quantity(
            session,
            actor,
            station_id=station,
            job_id=job,
            qty=qty,
            report_id=uuid.uuid4(),
            tapped_at=at,
        )


def test_required_rate_is_what_remains_over_the_time_left() -> None:
    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert required_rate(100, now, now + timedelta(hours=4)) == 25
    assert required_rate(0, now, now + timedelta(hours=4)) == 0
    assert required_rate(100, now, now - timedelta(minutes=1)) is None


def test_the_board_counts_this_hour_and_this_shift_against_the_needed_rate(
    db: Database, supervisor: Actor
) -> None:
    make_station(db, supervisor, "ST-01", line="Line A")
    make_station(db, supervisor, "ST-02", line="Line B")
    make_job(db, supervisor, "JOB-0001", qty_total=1000, due_in_days=1)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    now = datetime.now(UTC) + timedelta(minutes=1)
    hour = now.replace(minute=0, second=0, microsecond=0)
    shifts = (time((hour.hour - 2) % 24),)  # this shift began two hours before this hour
    report_at(db, supervisor, "ST-01", "JOB-0001", 7, hour - timedelta(hours=3))  # last shift
    report_at(db, supervisor, "ST-01", "JOB-0001", 30, hour - timedelta(hours=1))  # this shift
    report_at(db, supervisor, "ST-01", "JOB-0001", 13, now - timedelta(minutes=1))  # this hour

    with db.session() as session:
        board = read_board(session, now, UTC_ZONE, shifts)
    first, second = board.stations
    assert board.shift.start == hour - timedelta(hours=2)
    assert (first.hour_done, first.shift_done) == (13, 43)
    due = datetime.combine(now.date() + timedelta(days=2), time(0), tzinfo=UTC)
    rate = 950 / ((due - now).total_seconds() / 3600)
    assert first.rate_needed is not None and abs(first.rate_needed - rate) < 1e-9
    assert first.hour_target == round(rate * (now - hour).total_seconds() / 3600)
    assert first.shift_target == round(rate * (now - board.shift.start).total_seconds() / 3600)
    target = first.shift_target
    assert target is not None
    share = 43 / target if target else 1.0
    expected = Light.GREEN if share >= 1 else Light.AMBER if share >= 0.8 else Light.RED
    assert first.light == expected and not first.late
    assert second.station.id == "ST-02" and second.light == Light.OFF
    with db.session() as session:
        only_b = read_board(session, now, UTC_ZONE, shifts, line="Line B")
    assert [item.station.id for item in only_b.stations] == ["ST-02"]


def test_blocked_and_late_stations_are_red(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-0001", qty_total=50, due_in_days=0)
    make_job(db, supervisor, "JOB-0002", qty_total=50, due_in_days=7)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
        dispatch.assign_job(session, supervisor, "JOB-0002", "ST-02")
    with db.session() as session:
        stations.block_station(session, supervisor, "ST-02", "material")
    tomorrow = datetime.now(UTC) + timedelta(days=2)
    with db.session() as session:
        late, blocked = read_board(session, tomorrow, UTC_ZONE, SHIFTS).stations
    assert late.late and late.light == Light.RED and late.hour_target is None
    assert blocked.light == Light.RED and not blocked.late
    assert blocked.station.blocked_reason == "material"
    assert blocked.station.blocked_since is not None


def test_the_light_compares_the_output_with_the_target(db: Database, supervisor: Actor) -> None:
    from leanops_desktop.services.board.board_reads import judge

    make_station(db, supervisor, "ST-01")
    make_job(db, supervisor, "JOB-0001")
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    with db.session() as session:
        (item,) = read_board(session, datetime.now(UTC), UTC_ZONE, SHIFTS).stations
    row = item.station
    assert judge(row, 10, 10, late=False) == Light.GREEN
    assert judge(row, 8, 10, late=False) == Light.AMBER
    assert judge(row, 7, 10, late=False) == Light.RED
    assert judge(row, 0, 0, late=False) == Light.GREEN  # nothing asked yet
    assert judge(row, 99, 10, late=True) == Light.RED
