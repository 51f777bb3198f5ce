"""The status timeline's bands computed in SQL equal the Python replay of the same events.

A seeded random history (fixed seed, about 600 status events over four days on six stations)
holds every kind the replay knows: blocks with and without a reason, unblocks, assignments,
moves (also onto the station they came from), completions naming their stations in meta
only, deactivations and activations, stations created inside the range (with and without an
``is_active`` flag), events at the same instant and events of other kinds. For many ranges
and scopes the database's bands (``status_timeline``) must be exactly those of the former
computation, the replay of the range's events in Python (``in_sql=False``): same stations,
states, reasons, and start and end to the microsecond. The machines both leave behind must
then take the same live events to the same bands.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from leanops_desktop.core.rows import EventRow
from leanops_desktop.db.engine import Database
from leanops_desktop.services.analytics_scope import ALL, Scope
from leanops_desktop.services.analytics_status import StatusTimeline, status_timeline
from leanops_desktop.services.analytics_timeline import StatusBand
from tests.analytics_seed import SUPERVISOR, add_events, add_job, add_logs, add_stations, utc

FIRST = utc(2026, 3, 1, 6)
STATIONS = [("S1", "Line A"), ("S2", "Line A"), ("S3", "Line A"), ("S4", "Line B")]
LATE = [("S5", "Line B", utc(2026, 3, 2, 9, 30)), ("S6", "Line A", utc(2026, 3, 3, 14))]
JOBS = ["J1", "J2", "J3", "J4"]
REASONS = ["material", "tooling", "quality", "changeover"]
EVENTS = 600


def _meta(rng: random.Random, kind: str, station: str | None) -> dict[str, Any]:
    ids = [station_id for station_id, _line in STATIONS] + [sid for sid, _l, _at in LATE]
    if kind == "station_blocked":
        roll = rng.random()
        if roll < 0.1:
            return {}
        if roll < 0.15:
            return {"reason": ""}
        return {"reason": rng.choice(REASONS)}
    if kind == "job_moved":
        source = rng.choice([*ids, station])  # now and then onto its own station
        return {"old": {"station_id": source}, "new": {"station_id": station}}
    if kind == "job_completed":
        return {"old": {"stations": rng.sample(ids, rng.randint(0, 3)), "job_status": "running"}}
    if kind == "station_created":
        return rng.choice([{}, {"new": {"is_active": True}}, {"new": {"is_active": False}}])
    return {}


def _history(seed: int) -> list[tuple[str, str | None, str | None, dict[str, Any], datetime]]:
    rng = random.Random(seed)
    kinds = [
        ("station_blocked", 14),
        ("station_unblocked", 12),
        ("job_assigned", 10),
        ("job_unassigned", 5),
        ("job_moved", 4),
        ("job_completed", 4),
        ("station_deactivated", 2),
        ("station_activated", 2),
        ("qty_reported", 3),
        ("job_created", 1),
    ]
    names = [name for name, weight in kinds for _ in range(weight)]
    ids = [station_id for station_id, _line in STATIONS]
    at = FIRST
    events: list[tuple[str, str | None, str | None, dict[str, Any], datetime]] = []
    for _ in range(EVENTS):
        if rng.random() > 0.08:  # now and then two events at the same instant
            at += timedelta(seconds=rng.randint(1, 1200), microseconds=rng.randint(0, 999_999))
        kind = rng.choice(names)
        late = [sid for sid, _line, created in LATE if created <= at]
        station: str | None = rng.choice(ids + late)
        if kind == "job_completed" and rng.random() < 0.5:
            station = None
        events.append((kind, station, rng.choice(JOBS), _meta(rng, kind, station), at))
    for station_id, _line, created in LATE:
        events.append(
            ("station_created", station_id, None, _meta(rng, "station_created", None), created)
        )
    return events


@pytest.fixture
def history(db: Database) -> Database:
    add_stations(db, STATIONS)
    for station_id, line, created in LATE:
        add_stations(db, [(station_id, line)], created_at=created)
    for job_id in JOBS:
        add_job(db, job_id, 500, date(2026, 3, 9))
    add_events(db, _history(7))
    add_logs(db, [("S1", "J1", 3, utc(2026, 3, 2, 10)), ("S4", "J1", 2, utc(2026, 3, 3, 8))])
    return db


def _spans(timeline: StatusTimeline) -> list[tuple[str, str, float, float, str | None]]:
    return [
        (band.station_id, band.state.value, band.start, band.end, band.reason)
        for band in timeline.bands
    ]


RANGES = [
    (utc(2026, 2, 28), utc(2026, 3, 6)),  # all of it, from before the first event
    (utc(2026, 3, 1, 12), utc(2026, 3, 2, 12)),
    (utc(2026, 3, 2, 9, 30), utc(2026, 3, 3, 14)),  # starts as S5 is created, ends as S6 is
    (utc(2026, 3, 3, 7, 15), utc(2026, 3, 3, 8, 15)),
    (utc(2026, 3, 4, 20), utc(2026, 3, 10)),  # runs past the last event
]
SCOPES = [ALL, Scope(line="Line A"), Scope(station_ids=("S2", "S5")), Scope(job_id="J1")]


@pytest.mark.parametrize("scope", SCOPES, ids=["all", "line", "stations", "job"])
def test_sql_bands_equal_the_python_replay(history: Database, scope: Scope) -> None:
    now = utc(2026, 3, 8)
    compared = 0
    with history.session() as session:
        for start, end in RANGES:
            in_sql = status_timeline(session, SUPERVISOR, start, end, scope=scope, now=now)
            replayed = status_timeline(
                session, SUPERVISOR, start, end, scope=scope, now=now, in_sql=False
            )
            assert in_sql.stations == replayed.stations
            assert _spans(in_sql) == _spans(replayed), (start, end)
            for station in in_sql.stations:
                assert in_sql.machine.state_of(station.id) == replayed.machine.state_of(station.id)
                assert in_sql.machine.reason_of(station.id) == replayed.machine.reason_of(
                    station.id
                )
            compared += len(in_sql.bands)
    assert compared > (40 if scope.job_id else 150)  # the history gives both a lot to do


def test_both_machines_take_live_events_alike(history: Database) -> None:
    start, end, now = utc(2026, 3, 2), utc(2026, 3, 5), utc(2026, 3, 5)
    with history.session() as session:
        in_sql = status_timeline(session, SUPERVISOR, start, end, now=now)
        replayed = status_timeline(session, SUPERVISOR, start, end, now=now, in_sql=False)
    live: list[tuple[str, str | None, dict[str, Any]]] = [
        ("station_blocked", "S1", {"reason": "tooling"}),
        ("job_assigned", "S2", {}),
        ("job_completed", None, {"old": {"stations": ["S2", "S3"]}}),
        ("station_deactivated", "S4", {}),
        ("station_unblocked", "S1", {}),
    ]
    for minutes, (kind, station, meta) in enumerate(live, start=1):
        event = EventRow(
            uuid.uuid4(), kind, station, "J2", "sam", meta, now + timedelta(minutes=minutes)
        )
        assert in_sql.machine.apply(event) == replayed.machine.apply(event)
    until = (now + timedelta(hours=1)).timestamp()
    assert in_sql.machine.all_bands(until) == replayed.machine.all_bands(until)


def test_the_bands_start_at_what_happened_before_the_range(history: Database) -> None:
    """A range that starts mid-history: the seeds (the look-back) shape the first bands."""
    start, end = utc(2026, 3, 3, 7, 15), utc(2026, 3, 3, 8, 15)
    with history.session() as session:
        timeline = status_timeline(session, SUPERVISOR, start, end, now=utc(2026, 3, 8))
    first: dict[str, StatusBand] = {}
    for band in timeline.bands:
        first.setdefault(band.station_id, band)
    assert all(band.start == start.timestamp() for band in first.values())
    assert {band.state.value for band in first.values()} - {"idle", "off"}  # not all at rest
