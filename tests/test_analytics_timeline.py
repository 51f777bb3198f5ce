"""The status replay machine on its own: the same machine takes live events in the view."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from leanops_desktop.core.rows import EventRow
from leanops_desktop.services.analytics_timeline import (
    StationReplay,
    StationState,
    replay,
    stations_touched,
)

START = datetime(2026, 3, 10, 8, tzinfo=UTC)


def minute(value: int) -> datetime:
    return datetime.fromtimestamp(START.timestamp() + 60 * value, UTC)


def event(kind: str, station: str | None, at: int, **meta: Any) -> EventRow:
    return EventRow(uuid.uuid4(), kind, station, "J1", "sam", meta, minute(at))


def spans(machine: StationReplay, until: int) -> list[tuple[str, str, int, int, str | None]]:
    return [
        (
            band.station_id,
            band.state.value,
            int((band.start - START.timestamp()) // 60),
            int((band.end - START.timestamp()) // 60),
            band.reason,
        )
        for band in machine.all_bands(minute(until).timestamp())
    ]


def test_stations_touched_by_moves_and_completions() -> None:
    assert stations_touched("job_moved", "S2", {"old": {"station_id": "S1"}}) == ["S2", "S1"]
    assert stations_touched("job_completed", None, {"old": {"stations": ["S1", "S3"]}}) == [
        "S1",
        "S3",
    ]
    assert stations_touched("station_blocked", "S1", {"old": "not a dict"}) == ["S1"]


def test_a_move_frees_the_source_and_starts_the_target() -> None:
    machine = replay(
        ["S1", "S2"],
        {"S1": {"has_job": True}},
        [
            event("job_moved", "S2", 10, old={"station_id": "S1"}),
            event("job_completed", None, 30, old={"stations": ["S2"]}),
        ],
        start=START,
        until=minute(60),
    )
    assert spans(machine, 60) == [
        ("S1", "running", 0, 10, None),
        ("S1", "idle", 10, 60, None),
        ("S2", "idle", 0, 10, None),
        ("S2", "running", 10, 30, None),
        ("S2", "idle", 30, 60, None),
    ]


def test_live_events_extend_the_bands() -> None:
    machine = replay(["S1"], {"S1": {"has_job": True}}, [], start=START, until=minute(5))
    assert machine.apply(event("station_blocked", "S1", 20, reason="material")) == ["S1"]
    assert machine.apply(event("qty_reported", "S1", 25)) == []
    assert machine.apply(event("station_blocked", "S1", 26, reason="again")) == ["S1"]
    assert machine.state_of("S1") is StationState.BLOCKED
    assert machine.reason_of("S1") == "again"
    assert machine.apply(event("station_unblocked", "S1", 40)) == ["S1"]
    assert spans(machine, 50) == [
        ("S1", "running", 0, 20, None),
        ("S1", "blocked", 20, 26, "material"),
        ("S1", "blocked", 26, 40, "again"),
        ("S1", "running", 40, 50, None),
    ]


def test_deactivated_time_is_off_and_unknown_stations_are_ignored() -> None:
    machine = replay(
        ["S1"],
        {},
        [
            event("station_deactivated", "S1", 10),
            event("station_blocked", "S9", 15, reason="x"),
            event("station_activated", "S1", 30),
        ],
        start=START,
        until=minute(40),
    )
    assert [(state, begin, end) for _s, state, begin, end, _r in spans(machine, 40)] == [
        ("idle", 0, 10),
        ("off", 10, 30),
        ("idle", 30, 40),
    ]


def test_a_station_that_does_not_exist_yet_has_no_band() -> None:
    machine = replay(
        ["S1"],
        {"S1": {"exists": False}},
        [event("station_created", "S1", 15, new={"is_active": True})],
        start=START,
        until=minute(20),
    )
    assert spans(machine, 20) == [("S1", "idle", 15, 20, None)]
