"""Stops laid over status bands: only running time is cut, and no second is gained or lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.services.analytics_status import StatusTimeline
from leanops_desktop.services.analytics_stops import (
    UNEXPLAINED_STOP,
    StopSpan,
    overlay_stops,
)
from leanops_desktop.services.analytics_timeline import StationReplay, StationState, StatusBand
from leanops_desktop.services.oee.compute import _time_figures
from leanops_desktop.services.oee.shift_report import top_reasons
from leanops_desktop.services.quality.reason_pareto import CATEGORY_LABELS, blocked_by_category
from leanops_desktop.services.quality.reasons import ReasonRow

RUN, IDLE, BLOCKED = StationState.RUNNING, StationState.IDLE, StationState.BLOCKED


def _band(state: StationState, start: float, end: float, reason: str | None = None,
          station: str = "ST-1") -> StatusBand:  # fmt: skip
    return StatusBand(station, state, start, end, reason)


def _shape(bands: list[StatusBand]) -> list[tuple[str, str, float, float, str | None]]:
    return [(b.station_id, b.state.value, b.start, b.end, b.reason) for b in bands]


def test_an_unclassified_stop_inside_running_time_becomes_an_unexplained_block() -> None:
    bands = [_band(RUN, 0, 100)]
    result = overlay_stops(bands, [StopSpan("ST-1", 30, 50)])
    assert _shape(result) == [
        ("ST-1", "running", 0, 30, None),
        ("ST-1", "blocked", 30, 50, UNEXPLAINED_STOP),
        ("ST-1", "running", 50, 100, None),
    ]


def test_a_stop_over_a_block_and_idle_time_cuts_only_the_running_bands() -> None:
    bands = [
        _band(RUN, 0, 40),
        _band(BLOCKED, 40, 60, "maintenance"),
        _band(RUN, 60, 80),
        _band(IDLE, 80, 90),
        _band(RUN, 90, 120),
    ]
    result = overlay_stops(bands, [StopSpan("ST-1", 20, 100, "changeover")])
    assert _shape(result) == [
        ("ST-1", "running", 0, 20, None),
        ("ST-1", "blocked", 20, 40, "changeover"),
        ("ST-1", "blocked", 40, 60, "maintenance"),
        ("ST-1", "blocked", 60, 80, "changeover"),
        ("ST-1", "idle", 80, 90, None),
        ("ST-1", "blocked", 90, 100, "changeover"),
        ("ST-1", "running", 100, 120, None),
    ]
    assert sum(b.seconds for b in result) == 120


def test_stops_reach_only_their_station_and_overlaps_go_to_the_earlier_stop() -> None:
    bands = [_band(RUN, 0, 100), _band(RUN, 0, 100, station="ST-2")]
    spans = [
        StopSpan("ST-1", 50, 70, "quality/surface"),
        StopSpan("ST-1", 10, 60),  # begun first: owns 50-60
        StopSpan("ST-1", 90, 150),  # beyond the range: clipped to the band
        StopSpan("ST-1", 75, 75),  # empty: nothing
    ]
    result = overlay_stops(bands, spans)
    assert _shape(result) == [
        ("ST-1", "running", 0, 10, None),
        ("ST-1", "blocked", 10, 60, UNEXPLAINED_STOP),
        ("ST-1", "blocked", 60, 70, "quality/surface"),
        ("ST-1", "running", 70, 90, None),
        ("ST-1", "blocked", 90, 100, UNEXPLAINED_STOP),
        ("ST-2", "running", 0, 100, None),
    ]


def test_a_stop_spanning_several_running_bands_cuts_each_and_none_is_no_change() -> None:
    bands = [_band(RUN, 0, 10), _band(RUN, 10, 20), _band(RUN, 30, 40)]
    result = overlay_stops(bands, [StopSpan("ST-1", 5, 35)])
    assert _shape(result) == [
        ("ST-1", "running", 0, 5, None),
        ("ST-1", "blocked", 5, 10, UNEXPLAINED_STOP),
        ("ST-1", "blocked", 10, 20, UNEXPLAINED_STOP),
        ("ST-1", "blocked", 30, 35, UNEXPLAINED_STOP),
        ("ST-1", "running", 35, 40, None),
    ]
    assert overlay_stops(bands, []) == bands
    assert overlay_stops(bands, [StopSpan("ST-1", 20, 30)]) == bands  # between the bands


def test_oee_time_counts_stops_by_their_category_and_a_planned_stop_is_not_planned() -> None:
    categories = {"planned stop/meeting": "planned_stop", "changeover": "changeover"}
    spans = [
        StopSpan("ST-1", 600, 1200),  # unexplained, 10 min
        StopSpan("ST-1", 1800, 2700, "planned stop/meeting"),  # planned, 15 min
        StopSpan("ST-1", 3000, 3300, "changeover"),  # 5 min
    ]
    bands = overlay_stops([_band(RUN, 0, 3600)], spans)
    figures = _time_figures(bands, [(0, 3600)], categories)
    assert figures.planned_s == 3600 - 900
    assert figures.run_s == 3600 - 900 - 600 - 300
    assert figures.stops_s == {"unexplained": 600, "changeover": 300}


def test_the_pareto_counts_stops_by_leaf_reason_and_by_category() -> None:
    start = datetime(2026, 3, 14, 6, tzinfo=UTC)
    t0 = start.timestamp()
    bands = (
        _band(RUN, t0, t0 + 7200),
        _band(BLOCKED, t0 + 7200, t0 + 9000, "maintenance: spindle"),
        _band(RUN, t0 + 9000, t0 + 14400),
    )
    timeline = StatusTimeline(
        start, datetime.fromtimestamp(t0 + 14400, UTC), (), bands, StationReplay(("ST-1",))
    )
    spans = [
        StopSpan("ST-1", t0 + 600, t0 + 2400),  # 30 min unexplained
        StopSpan("ST-1", t0 + 3600, t0 + 4800, "tooling/insert"),  # 20 min
        StopSpan("ST-1", t0 + 9600, t0 + 10200, "tooling/insert"),  # 10 min
        StopSpan("ST-1", t0 + 12000, t0 + 12600),  # 10 min unexplained
    ]
    assert timeline.blocked_by_reason() == [("maintenance", 1800.0)]
    by_reason = replace(timeline, bands=tuple(overlay_stops(bands, spans))).blocked_by_reason()
    assert by_reason == [
        (UNEXPLAINED_STOP, 2400.0), ("maintenance", 1800.0), ("tooling/insert", 1800.0),
    ]  # fmt: skip
    categories = {"maintenance": ReasonCategory.UNPLANNED_STOP,
                  "tooling/insert": ReasonCategory.CHANGEOVER}  # fmt: skip
    assert blocked_by_category(by_reason, categories) == [
        ("unexplained", 2400.0),
        (CATEGORY_LABELS[ReasonCategory.CHANGEOVER], 1800.0),
        (CATEGORY_LABELS[ReasonCategory.UNPLANNED_STOP], 1800.0),
    ]


def test_the_shift_reports_top_reasons_name_stops_by_reason_or_unexplained() -> None:
    tree = [
        ReasonRow("tooling", None, "tooling", ReasonCategory.UNPLANNED_STOP, True),
        ReasonRow("planned stop", None, "planned stop", ReasonCategory.PLANNED_STOP, True),
    ]
    bands = overlay_stops(
        [_band(RUN, 0, 36000), _band(IDLE, 36000, 37200)],
        [
            StopSpan("ST-1", 1000, 4600),  # 60 min, of which 30 in a break
            StopSpan("ST-1", 6000, 8400, "tooling"),  # 40 min
            StopSpan("ST-1", 9000, 9900, "planned stop"),  # 15 min
        ],
    )
    windows = [(0, 2800), (4600, 37200)]  # a break 2800-4600
    reasons = top_reasons(bands, windows, tree, limit=4)
    assert [(r.label, r.category, r.seconds) for r in reasons] == [
        ("tooling", "unplanned_stop", 2400.0),
        ("unexplained", "unexplained", 1800.0),
        ("idle (no job)", "idle", 1200.0),
        ("planned stop", "planned_stop", 900.0),
    ]
