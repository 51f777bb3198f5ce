"""Andon rules with a controllable clock, on both backends: each rule fires once per
episode, an acknowledgement is an event, and an acknowledged alert stays quiet after a
restart (a new monitor reading the acknowledged keys back)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.db.engine import Database
from leanops_desktop.services.andon import andon_store
from leanops_desktop.services.andon.rules import (
    AndonMonitor,
    AndonRule,
    AndonThresholds,
    JobFacts,
    StationFacts,
    projected_finish,
)
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reads import history
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station

UTC_ZONE = ZoneInfo("UTC")
THRESHOLDS = AndonThresholds(blocked_minutes=10, silent_minutes=20)


class Clock:
    """The time the rules are asked at; moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def check(db: Database, monitor: AndonMonitor, clock: Clock) -> list[tuple[AndonRule, str]]:
    with db.session() as session:
        floor, jobs = andon_store.read_floor_facts(session, clock.now, UTC_ZONE)
    return [
        (alert.rule, alert.station_id or alert.job_id or "")
        for alert in monitor.new_alerts(floor, jobs, clock.now)
    ]


def test_each_rule_fires_once_per_episode_without_a_database() -> None:
    start = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    monitor = AndonMonitor(THRESHOLDS)
    blocked = StationFacts("ST-01", "Press", "blocked", "J-1", start, "material", start)
    silent = StationFacts("ST-02", "Lathe", "running", "J-2", None, None, start)
    slow = JobFacts("J-2", remaining=100, due=start + timedelta(hours=5), done_last_hour=10)
    # Nothing is blocked or silent long enough yet; the job is at risk at once: 100 left at
    # 10 an hour is 10 hours, and it is due in 5.
    early = monitor.new_alerts([blocked, silent], [slow], start + timedelta(minutes=9))
    assert [(a.rule, a.job_id) for a in early] == [(AndonRule.JOB_AT_RISK, "J-2")]
    later = start + timedelta(minutes=21)
    rules = {a.rule for a in monitor.new_alerts([blocked, silent], [slow], later)}
    assert rules == {AndonRule.BLOCKED_TOO_LONG, AndonRule.STATION_SILENT}
    assert monitor.new_alerts([blocked, silent], [slow], later + timedelta(hours=1)) == []
    reblocked = StationFacts("ST-01", "Press", "blocked", "J-1", later, "tooling", later)
    (again,) = monitor.new_alerts([reblocked], [], later + timedelta(minutes=10))
    assert again.rule == AndonRule.BLOCKED_TOO_LONG and "tooling" in again.text
    assert projected_finish(slow, start) == start + timedelta(hours=10)
    overdue = JobFacts("J-4", remaining=100, due=start - timedelta(hours=1), done_last_hour=10)
    assert AndonMonitor(THRESHOLDS).new_alerts([], [overdue], start) == []  # late, not at risk
    assert projected_finish(JobFacts("J-3", 5, start, 0), start) is None


def test_the_rules_on_a_real_floor_fire_once_and_acknowledging_is_recorded(
    db: Database, supervisor: Actor, operator: Actor
) -> None:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-0001", qty_total=10_000, due_in_days=0)
    make_job(db, supervisor, "JOB-0002", qty_total=100, due_in_days=30)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
        dispatch.assign_job(session, supervisor, "JOB-0002", "ST-02")
    with db.session() as session:
        production.report_quantity(
            session,
            operator,
            station_id="ST-01",
            job_id="JOB-0001",
            qty=10,
            report_id=uuid.uuid4(),
        )
    with db.session() as session:
        stations.block_station(session, supervisor, "ST-02", "material")
    clock = Clock(datetime.now(UTC))
    monitor = AndonMonitor(THRESHOLDS)

    # 10 units in the last hour, 9 990 left, due tonight: at risk at once.
    assert check(db, monitor, clock) == [(AndonRule.JOB_AT_RISK, "JOB-0001")]
    assert check(db, monitor, clock) == []
    clock.advance(minutes=11)
    assert check(db, monitor, clock) == [(AndonRule.BLOCKED_TOO_LONG, "ST-02")]
    clock.advance(minutes=10)
    assert check(db, monitor, clock) == [(AndonRule.STATION_SILENT, "ST-01")]
    clock.advance(minutes=30)
    assert check(db, monitor, clock) == []  # nothing twice

    with db.session() as session:
        floor, jobs = andon_store.read_floor_facts(session, clock.now, UTC_ZONE)
    blocked = next(
        a
        for a in AndonMonitor(THRESHOLDS).new_alerts(floor, jobs, clock.now)
        if a.rule == AndonRule.BLOCKED_TOO_LONG
    )
    with db.session() as session:
        assert andon_store.acknowledge(session, supervisor, blocked)
    with db.session() as session:
        assert not andon_store.acknowledge(session, supervisor, blocked)  # once only
    with db.session() as session:
        events = [
            e
            for e in history.list_events(session, limit=50)
            if e.event_type == "andon_acknowledged"
        ]
    assert len(events) == 1
    assert events[0].station_id == "ST-02" and events[0].meta["key"] == blocked.key
    assert events[0].actor  # stamped by the app (SQLite) or the database (PostgreSQL)

    # A restart: a new monitor that reads the acknowledged keys notifies the rest again,
    # never the acknowledged one.
    with db.session() as session:
        keys = andon_store.acknowledged_keys(session, clock.now)
    restarted = AndonMonitor(THRESHOLDS, keys)
    fired = check(db, restarted, clock)
    assert (AndonRule.BLOCKED_TOO_LONG, "ST-02") not in fired
    assert (AndonRule.STATION_SILENT, "ST-01") in fired


def test_operators_cannot_acknowledge(db: Database, operator: Actor) -> None:
    monitor = AndonMonitor(THRESHOLDS)
    now = datetime.now(UTC)
    facts = StationFacts("ST-01", "Press", "blocked", None, now - timedelta(hours=1), None, now)
    (alert,) = monitor.new_alerts([facts], [], now)
    with db.session() as session, pytest.raises(PermissionDenied):
        andon_store.acknowledge(session, operator, alert)


@pytest.mark.parametrize("backend", ["sqlite"])  # writes an event at a chosen time
def test_silence_counts_from_when_a_blocked_station_resumed(
    db: Database, supervisor: Actor
) -> None:
    from sqlalchemy import insert

    from leanops_desktop.db.models import EventLog

    make_station(db, supervisor, "ST-01")
    make_job(db, supervisor, "JOB-0001", qty_total=100, due_in_days=30)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    clock = Clock(datetime.now(UTC))
    resumed_at = clock.advance(minutes=30)  # blocked for half an hour, then resumed
    with db.session() as session, session.begin():
        session.execute(
            insert(EventLog).values(
                id=uuid.uuid4(),
                event_type="station_unblocked",
                station_id="ST-01",
                meta={},
                actor=supervisor.email,
                timestamp=resumed_at,
            )
        )
    monitor = AndonMonitor(THRESHOLDS)
    clock.advance(minutes=10)
    assert check(db, monitor, clock) == []  # 10 minutes since it resumed, not 40
    clock.advance(minutes=11)
    assert check(db, monitor, clock) == [(AndonRule.STATION_SILENT, "ST-01")]
