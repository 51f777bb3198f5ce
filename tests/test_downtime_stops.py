"""Automatic stops on both backends: detection back-dated to the last activity, once; the
station > line > plant limit (0 = off); only running stations with a job; ended by the
station's next activity or withdrawn by a late offline report; classification rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, PermissionDenied, RuleViolation
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.services.downtime import limits, stops
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.quality import reasons
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.stop_clock import age_plant


def running(db: Database, supervisor: Actor, station: str = "ST-01", line: str = "Line A",
            job: str | None = None) -> str:
    """A station in use, running a job of its own."""
    job_id = job or f"JOB-{station}"
    make_station(db, supervisor, station, line=line)
    make_job(db, supervisor, job_id)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, job_id, station)
    return job_id


def set_limit(db: Database, admin: Actor, kind: str, key: str, minutes: int | None) -> None:
    with db.session() as session:
        limits.save_limit(session, admin, kind, key, minutes)


def sweep(db: Database, actor: Actor) -> list[stops.StopRow]:
    with db.session() as session:
        return stops.sweep_quiet_stations(session, actor)


def all_stops(db: Database) -> list[DowntimeStop]:
    with db.session() as session:
        found = list(session.scalars(select(DowntimeStop).order_by(DowntimeStop.station_id)))
        session.expunge_all()
        return found


def events(db: Database, event_type: str) -> list[EventLog]:
    with db.session() as session:
        found = list(
            session.scalars(select(EventLog).where(EventLog.event_type == event_type)
                            .order_by(EventLog.timestamp))
        )
        session.expunge_all()
        return found


def last_event_at(db: Database, station: str) -> datetime:
    with db.session() as session:
        at = session.scalar(
            select(func.max(EventLog.timestamp)).where(EventLog.station_id == station)
        )
    assert at is not None
    return at


def report(db: Database, actor: Actor, station: str, job: str,
           tapped_at: datetime | None = None) -> None:
    with db.session() as session:
        production.report_quantity(session, actor, station_id=station, job_id=job, qty=1,
                                   report_id=uuid.uuid4(), tapped_at=tapped_at)


def quiet_stop(db: Database, db_url: str, supervisor: Actor, admin: Actor,
               minutes: float = 30) -> tuple[str, stops.StopRow]:
    """ST-01 running a job, quiet for ``minutes`` against a 20-minute plant limit, swept."""
    job = running(db, supervisor)
    set_limit(db, admin, "plant", "", 20)
    age_plant(db_url, minutes)
    opened = sweep(db, supervisor)
    assert [row.station_id for row in opened] == ["ST-01"]
    return job, opened[0]


def test_a_quiet_station_gets_one_stop_back_dated_to_its_last_activity(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    running(db, supervisor)
    set_limit(db, admin, "plant", "", 20)
    age_plant(db_url, 10)
    assert sweep(db, operator) == []  # quiet 10 minutes: not yet
    age_plant(db_url, 15)
    last = last_event_at(db, "ST-01")
    opened = sweep(db, operator)
    assert len(opened) == 1
    stop = opened[0]
    assert (stop.station_id, stop.line, stop.quiet_minutes) == ("ST-01", "Line A", 20)
    assert abs((stop.started_at - last).total_seconds()) < 0.01
    assert stop.ended_at is None and stop.reason_id is None and stop.category is None
    assert 24 < stop.minutes(datetime.now(UTC)) < 26
    # Swept again, from any seat: still one stop, one event.
    assert sweep(db, supervisor) == []
    assert len(all_stops(db)) == 1
    detected = events(db, "stop_detected")
    assert len(detected) == 1
    assert detected[0].station_id == "ST-01" and detected[0].job_id == "JOB-ST-01"
    assert detected[0].meta["stop_id"] == str(stop.id)
    assert detected[0].meta["quiet_minutes"] == 20


def test_the_station_limit_beats_the_line_limit_which_beats_the_plant_limit(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    running(db, supervisor, "ST-01", "Line A")
    running(db, supervisor, "ST-02", "Line A")
    running(db, supervisor, "ST-03", "Line B")
    running(db, supervisor, "ST-04", "Line B")
    set_limit(db, admin, "plant", "", 20)
    set_limit(db, admin, "line", "Line A", 0)  # off for the line ...
    set_limit(db, admin, "station", "ST-02", 5)  # ... but on for this station of it
    set_limit(db, admin, "station", "ST-04", 45)
    age_plant(db_url, 30)
    opened = sweep(db, supervisor)
    assert [(row.station_id, row.quiet_minutes) for row in opened] == [
        ("ST-02", 5), ("ST-03", 20)
    ]
    with db.session() as session:
        read = limits.read_limits(session)
    assert read.plant == 20 and read.lines == {"Line A": 0}
    assert read.for_station("ST-02", "Line A") == 5
    assert read.for_station("ST-01", "Line A") == 0
    assert read.for_station("ST-09", "Line C") == 20


def test_the_plant_limit_zero_turns_detection_off(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    running(db, supervisor)
    set_limit(db, admin, "plant", "", 0)
    age_plant(db_url, 600)
    assert sweep(db, supervisor) == []
    assert all_stops(db) == []


def test_blocked_idle_and_inactive_stations_get_no_stop(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    running(db, supervisor, "ST-01")
    with db.session() as session:
        stations.block_station(session, supervisor, "ST-01", "material")
    make_station(db, supervisor, "ST-02")  # idle, no job
    make_station(db, supervisor, "ST-03")
    with db.session() as session:
        stations.set_station_active(session, supervisor, "ST-03", False)
    set_limit(db, admin, "plant", "", 1)
    age_plant(db_url, 120)
    assert sweep(db, supervisor) == []


def test_a_report_ends_the_stop_at_its_time_and_the_next_sweep_counts_from_it(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job, stop = quiet_stop(db, db_url, supervisor, admin)
    report(db, operator, "ST-01", job)
    [ended] = all_stops(db)
    assert ended.id == stop.id and ended.ended_at is not None
    assert abs((ended.ended_at - datetime.now(UTC)).total_seconds()) < 30
    assert sweep(db, supervisor) == []  # the report was activity: quiet again from there
    assert events(db, "stop_withdrawn") == []


def test_scrap_ends_the_stop(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job, _stop = quiet_stop(db, db_url, supervisor, admin)
    with db.session() as session:
        report_scrap(session, operator, ScrapReport("ST-01", job, 1, "quality/surface",
                                                    uuid.uuid4()))
    [ended] = all_stops(db)
    assert ended.ended_at is not None


@pytest.mark.parametrize("how", ["block", "complete", "unassign"])
def test_leaving_running_or_losing_the_job_ends_the_stop_now(
    db: Database, db_url: str, supervisor: Actor, admin: Actor, how: str
) -> None:
    job, stop = quiet_stop(db, db_url, supervisor, admin)
    with db.session() as session:
        if how == "block":
            stations.block_station(session, supervisor, "ST-01", "maintenance")
        elif how == "complete":
            dispatch.complete_job(session, supervisor, job, station_id="ST-01")
        else:
            dispatch.unassign_job(session, supervisor, "ST-01")
    [ended] = all_stops(db)
    assert ended.ended_at is not None
    assert abs((ended.ended_at - datetime.now(UTC)).total_seconds()) < 30
    assert ended.started_at == stop.started_at


def test_a_new_assignment_ends_the_stop(
    db: Database, db_url: str, supervisor: Actor, admin: Actor
) -> None:
    job, _stop = quiet_stop(db, db_url, supervisor, admin)
    make_station(db, supervisor, "ST-02")
    with db.session() as session:
        dispatch.move_job(session, supervisor, job, "ST-01", "ST-02")
    [ended] = all_stops(db)
    assert ended.ended_at is not None


def test_a_late_offline_report_withdraws_an_unclassified_stop(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job, stop = quiet_stop(db, db_url, supervisor, admin)
    # A report tapped before the stop began says nothing of it.
    report(db, operator, "ST-01", job, tapped_at=stop.started_at - timedelta(minutes=1))
    [still] = all_stops(db)
    assert still.ended_at is None
    # Tapped 5 minutes after the last activity (within the 20-minute limit), sent only now.
    report(db, operator, "ST-01", job, tapped_at=stop.started_at + timedelta(minutes=5))
    assert all_stops(db) == []
    [withdrawn] = events(db, "stop_withdrawn")
    assert withdrawn.station_id == "ST-01"
    assert withdrawn.meta["stop_id"] == str(stop.id)
    assert withdrawn.meta["quiet_minutes"] == 20


def test_a_late_report_ends_a_classified_stop_at_its_time(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job, stop = quiet_stop(db, db_url, supervisor, admin)
    with db.session() as session:
        assert stops.classify_stop(session, operator, stop.id, "maintenance")
    tapped = stop.started_at + timedelta(minutes=5)
    report(db, operator, "ST-01", job, tapped_at=tapped)
    [ended] = all_stops(db)
    assert ended.ended_at is not None
    assert abs((ended.ended_at - tapped).total_seconds()) < 0.01
    assert events(db, "stop_withdrawn") == []


def test_classification_rules(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    _job, stop = quiet_stop(db, db_url, supervisor, admin)
    with db.session() as session:
        assert stops.classify_stop(session, operator, stop.id, "maintenance") is True
    with db.session() as session, pytest.raises(PermissionDenied, match="supervisor"):
        stops.classify_stop(session, operator, stop.id, "tooling")
    with db.session() as session:
        assert stops.classify_stop(session, operator, stop.id, "maintenance") is False
        assert stops.classify_stop(session, supervisor, stop.id, "planned stop/meeting")
    with db.session() as session:
        [row] = stops.list_stops(session, operator, since=stop.started_at)
    assert (row.reason_id, row.reason_name, row.category) == (
        "planned stop/meeting", "meeting", ReasonCategory.PLANNED_STOP
    )
    assert row.classified_by == supervisor.email
    first, second = events(db, "stop_classified")
    assert first.meta["reason_id"] == "maintenance"
    assert first.meta["previous_reason_id"] is None
    assert first.meta["stop_id"] == str(stop.id) and first.meta["minutes"] > 29
    assert second.meta["previous_reason_id"] == "maintenance"
    assert second.actor == supervisor.email


def test_unknown_or_retired_reasons_and_unknown_stops_are_refused_writing_nothing(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    _job, stop = quiet_stop(db, db_url, supervisor, admin)
    with db.session() as session:
        reasons.save_reason(session, admin, reason_id="old", name="old reason",
                            category="unplanned_stop", is_active=False)
    with db.session() as session, pytest.raises(NotFound, match="reason nope does not exist"):
        stops.classify_stop(session, operator, stop.id, "nope")
    with db.session() as session, pytest.raises(RuleViolation, match="no longer in use"):
        stops.classify_stop(session, operator, stop.id, "old")
    with db.session() as session, pytest.raises(NotFound, match="stop"):
        stops.classify_stop(session, operator, uuid.uuid4(), "maintenance")
    [row] = all_stops(db)
    assert row.reason_id is None and row.classified_by is None
    assert events(db, "stop_classified") == []


def test_listing(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job, stop = quiet_stop(db, db_url, supervisor, admin)
    running(db, supervisor, "ST-02", "Line B")
    now = datetime.now(UTC)
    with db.session() as session:
        assert [r.id for r in stops.list_stops(session, operator, since=now)] == [stop.id]
        assert stops.list_stops(session, operator, since=now, station_id="ST-02") == []
        assert stops.list_stops(session, operator, since=now - timedelta(hours=2),
                                until=stop.started_at - timedelta(minutes=1)) == []
    report(db, operator, "ST-01", job)
    with db.session() as session:
        assert stops.list_stops(session, operator, since=datetime.now(UTC)) == []
        [open_one] = stops.list_stops(session, operator, since=now - timedelta(hours=1),
                                          unclassified_only=True)
        assert open_one.id == stop.id and open_one.ended_at is not None
        stops.classify_stop(session, operator, stop.id, "material")
        assert stops.list_stops(session, operator, since=now - timedelta(hours=1),
                                unclassified_only=True) == []
        [span] = stops.list_stops(session, operator, since=now - timedelta(hours=1))
    assert span.category == ReasonCategory.NO_WORK and span.ended_at is not None
    assert 29 < span.minutes(datetime.now(UTC) + timedelta(hours=5)) < 31


def test_limits_are_admins_and_checked(
    db: Database, supervisor: Actor, admin: Actor
) -> None:
    make_station(db, supervisor, "ST-01")
    with db.session() as session, pytest.raises(PermissionDenied):
        limits.save_limit(session, supervisor, "plant", "", 5)
    for kind, key, minutes, match in (
        ("plant", "", 1441, "0 \\(off\\) to 1440"),
        ("plant", "", -1, "0 \\(off\\) to 1440"),
        ("plant", "", None, "cannot be removed"),
        ("shop", "x", 5, "plant, line or station"),
        ("line", "", 5, "line"),
    ):
        with db.session() as session, pytest.raises(Exception, match=match):
            limits.save_limit(session, admin, kind, key, minutes)
    with db.session() as session, pytest.raises(NotFound, match="station ST-99"):
        limits.save_limit(session, admin, "station", "ST-99", 5)
    with db.session() as session:
        assert limits.save_limit(session, admin, "station", "ST-01", 7) is True
        assert limits.save_limit(session, admin, "station", "ST-01", 7) is False
        assert limits.save_limit(session, admin, "station", "ST-01", None) is True
        assert limits.read_limits(session).stations == {}
        # The plant limit was seeded when the database was made: seeding keeps it.
        assert limits.seed_limits(session, admin, 99) is False
        assert limits.read_limits(session).plant != 99
    changed = events(db, "stop_limit_changed")
    assert [(e.meta.get("old"), e.meta.get("new")) for e in changed] == [
        (None, {"quiet_minutes": 7}), ({"quiet_minutes": 7}, None)
    ]
    assert changed[0].meta["kind"] == "station" and changed[0].station_id == "ST-01"


def test_seed_sets_the_plant_limit_only_when_missing(db: Database, admin: Actor) -> None:
    with db.session() as session:
        assert limits.read_limits(session).plant == 20  # the default [downtime] quiet_minutes
    with db.session() as session:
        session.execute(DowntimeStop.__table__.delete())  # nothing to do with limits
        session.execute(limits.StopLimit.__table__.delete())  # type: ignore[attr-defined]
        session.commit()
    with db.session() as session:
        assert limits.seed_limits(session, admin, 15) is True
        assert limits.read_limits(session).plant == 15


def test_only_floor_work_is_activity_not_sign_ins_or_a_late_reports_arrival(
    db: Database, db_url: str, supervisor: Actor, operator: Actor, admin: Actor
) -> None:
    job = running(db, supervisor)
    set_limit(db, admin, "plant", "", 20)
    age_plant(db_url, 60)
    # A report tapped 40 minutes ago, sent only now: its event is stamped on arrival, but the
    # station's activity is the tap. A kiosk sign-in at the station now is not work either.
    tapped = datetime.now(UTC) - timedelta(minutes=40)
    report(db, operator, "ST-01", job, tapped_at=tapped)
    with db.session() as session, session.begin():
        session.add(EventLog(event_type="kiosk_sign_in", station_id="ST-01", meta={}))
    [opened] = sweep(db, operator)
    assert abs((opened.started_at - tapped).total_seconds()) < 0.01


def test_the_postgresql_sweep_counts_the_same_events_as_activity() -> None:
    from leanops_desktop.core.stops import ACTIVITY_EVENT_TYPES
    from leanops_desktop.db import stop_pg_functions

    listed = stop_pg_functions._ACTIVITY_EVENTS
    assert sorted(part.split("'")[1] for part in listed.split(",")) == sorted(
        ACTIVITY_EVENT_TYPES
    )
