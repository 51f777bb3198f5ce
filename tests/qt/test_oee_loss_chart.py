"""The OEE tab's loss chart and the OEE key-figure tile, on the plant of tests/oee_plant.py
(worked out on paper in tests/test_oee.py), on both backends.

ST-A1: 420 planned minutes = 60 availability loss (the unplanned hour) + 50 performance
loss + 17.9 quality loss (30 scrap at the mean ideal cycle) + 292.1 value (docs/oee.md,
"Losses"). Line A (the total: ST-B1 is
inactive): OEE 79.6 %, A 92.0 %, P 88.4 %, Q 97.9 %.
"""

from __future__ import annotations

from datetime import UTC

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.performance.oee_loss_chart import SEGMENTS, loss_minutes
from leanops_desktop.qt.performance.oee_panel import TOTAL
from leanops_desktop.qt.performance.performance_view import PerformanceView
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from tests.analytics_seed import SUPERVISOR, add_logs
from tests.oee_plant import DAY, at
from tests.qt.test_oee_view import LOAD_TIMEOUT_MS, _open_view, plant  # noqa: F401


@pytest.fixture
def view(plant: Database, qtbot: QtBot, runner: DbRunner) -> PerformanceView:  # noqa: F811
    return _open_view(plant, qtbot, runner, at(20))


def _bars(view: PerformanceView, grouping: str) -> dict[str, tuple[float, ...]]:
    assert view.panels is not None
    view.panels.oee.set_grouping(grouping)
    return {
        name: tuple(round(m, 6) for m in v) for name, v in view.panels.oee.chart.segments().items()
    }


def test_each_bar_is_the_planned_time_split_into_value_and_losses(
    view: PerformanceView,
    plant: Database,  # noqa: F811
) -> None:
    bars = _bars(view, "station")
    assert TOTAL not in bars  # the total is the summary line, not a bar dwarfing the rest
    value, availability, performance, quality = bars["ST-A1 (Line A)"]
    assert (availability, performance) == (60.0, 50.0)
    assert quality == pytest.approx(17.884615)
    assert value == pytest.approx(292.115385)
    assert sum(bars["ST-A1 (Line A)"]) == pytest.approx(420.0)  # the planned minutes
    assert bars["ST-B1 (Line B)"] == (0.0, 0.0, 0.0, 0.0)  # inactive: no planned time
    with plant.session() as session:
        rows = oee_rows(session, SUPERVISOR, DAY, DAY, UTC, now=at(20))
    lines = f.group(rows, lambda row: row.line)
    shown = _bars(view, "line")
    assert list(shown) == ["Line A", "Line B"]
    assert shown["Line A"] == pytest.approx(loss_minutes(lines["Line A"]))


def test_the_chart_has_a_legend_naming_each_part(view: PerformanceView) -> None:
    assert view.panels is not None
    legend = view.panels.oee.chart.legend
    assert list(legend) == [title for title, _color in SEGMENTS]
    assert all(label.isVisible() for label in legend.values())


def test_the_oee_tile_shows_the_ranges_oee_and_its_factors(view: PerformanceView) -> None:
    assert view.tiles.texts()["oee"] == ("80%", "A 92% · P 88% · Q 98%")


def test_the_oee_tile_and_chart_follow_new_reports(
    view: PerformanceView,
    plant: Database,  # noqa: F811
    qtbot: QtBot,
) -> None:
    before = view.tiles.texts()["oee"]
    [log_id] = add_logs(plant, [("ST-A2", "J2", 40, at(13, 45))])
    view.apply_changes({"performance_logs": {str(log_id)}})
    qtbot.waitUntil(lambda: view.tiles.texts()["oee"] != before, timeout=LOAD_TIMEOUT_MS)
    with plant.session() as session:
        rows = oee_rows(session, SUPERVISOR, DAY, DAY, UTC, now=at(20))
    total = f.group(rows, lambda row: "all")["all"]
    assert total.oee is not None
    assert view.tiles.texts()["oee"][0] == f"{total.oee:.0%}"
    a2 = f.group(rows, lambda row: row.station_id)["ST-A2"]
    assert _bars(view, "station")["ST-A2 (Line A)"] == pytest.approx(loss_minutes(a2))
