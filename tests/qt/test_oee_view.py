"""The performance view's OEE tab: the figures shown are services/oee's for the plant of
tests/oee_plant.py (worked out on paper in tests/test_oee.py), on both backends; they are
read off the GUI thread and follow new reports.

ST-A1: A 85.7 %, P 86.1 %, Q 94.2 %, OEE 69.6 %, 60 min availability loss.
ST-A2: A 100 %, P 90.9 %, Q 100 %, OEE 90.9 %. ST-B1 inactive: no figures.
Line A: OEE 79.6 %.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.performance import performance_reads
from leanops_desktop.qt.performance.oee_panel import TOTAL, figure_cells
from leanops_desktop.qt.performance.performance_panels import OEE
from leanops_desktop.qt.performance.performance_view import PerformanceView
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from tests.analytics_seed import SUPERVISOR, add_logs
from tests.oee_plant import DAY, at, build_plant

LOAD_TIMEOUT_MS = 15_000
DAY_START = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    return db


def _open_view(plant: Database, qtbot: QtBot, runner: DbRunner, now: datetime) -> PerformanceView:
    widget = PerformanceView(
        plant, SUPERVISOR, SiteConfig(), tz=UTC, clock=lambda: now, runner=runner
    )
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    with qtbot.waitSignal(widget.loaded, timeout=LOAD_TIMEOUT_MS):
        widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=LOAD_TIMEOUT_MS):
        widget.range_bar.set_custom_range(DAY_START, DAY_START + timedelta(days=1))
    assert widget.panels is not None
    widget.panels.show_tab(OEE)
    return widget


@pytest.fixture
def view(plant: Database, qtbot: QtBot, runner: DbRunner) -> PerformanceView:
    return _open_view(plant, qtbot, runner, at(20))


def _shown(view: PerformanceView, grouping: str) -> dict[str, list[str]]:
    assert view.panels is not None
    view.panels.oee.set_grouping(grouping)
    return view.panels.oee.texts()


def test_the_figures_shown_are_the_services_and_the_paper(
    view: PerformanceView, plant: Database
) -> None:
    with plant.session() as session:
        rows = oee_rows(session, SUPERVISOR, DAY, DAY, UTC, now=at(20))
    stations = f.group(rows, lambda row: row.station_id)
    shown = _shown(view, "station")
    for station_id, line in (("ST-A1", "Line A"), ("ST-A2", "Line A"), ("ST-B1", "Line B")):
        assert shown[f"{station_id} ({line})"] == figure_cells(stations[station_id])
    a1 = shown["ST-A1 (Line A)"]
    assert a1[:4] == ["69.6 %", "85.7 %", "86.1 %", "94.2 %"]
    assert a1[4:6] == ["420", "60"]  # planned minutes, availability loss (the unplanned hour)
    assert a1[8:] == ["490", "30"]
    assert shown["ST-A2 (Line A)"][:4] == ["90.9 %", "100.0 %", "90.9 %", "100.0 %"]
    assert shown["ST-B1 (Line B)"][:4] == ["–"] * 4  # inactive: empty, never 0 %
    assert _shown(view, "line")["Line A"][:4] == ["79.6 %", "92.0 %", "88.4 %", "97.9 %"]
    assert _shown(view, "shift")["2026-03-14 S"][0] == "79.6 %"
    day = _shown(view, "day")
    assert day["2026-03-14"] == day[TOTAL] == figure_cells(f.group(rows, f.by_day)[DAY])
    assert view.panels is not None
    assert view.panels.oee.summary.text() == (
        "OEE 79.6 % = availability 92.0 % × performance 88.4 % × quality 97.9 %"
    )


def test_a_running_shift_counts_up_to_now(plant: Database, qtbot: QtBot, runner: DbRunner) -> None:
    view = _open_view(plant, qtbot, runner, at(10))
    a1 = _shown(view, "station")["ST-A1 (Line A)"]
    assert a1[1:4] == ["100.0 %", "100.0 %", "95.2 %"]  # 210 min planned = run, 400 of 420
    assert a1[4] == "210"


def test_new_reports_reach_the_oee_shortly_after(
    view: PerformanceView, plant: Database, qtbot: QtBot
) -> None:
    [log_id] = add_logs(plant, [("ST-A1", "J2", 30, at(13, 45))])
    view.apply_changes({"performance_logs": {str(log_id)}})
    qtbot.waitUntil(
        lambda: _shown(view, "station")["ST-A1 (Line A)"][8] == "520", timeout=LOAD_TIMEOUT_MS
    )
    with plant.session() as session:
        rows = oee_rows(session, SUPERVISOR, DAY, DAY, UTC, now=at(20))
    a1 = f.group(rows, lambda row: row.station_id)["ST-A1"]
    assert _shown(view, "station")["ST-A1 (Line A)"] == figure_cells(a1)


def test_oee_is_read_off_the_gui_thread(
    plant: Database, qtbot: QtBot, runner: DbRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real = performance_reads.read_oee

    def recorded(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(performance_reads, "read_oee", recorded)
    _open_view(plant, qtbot, runner, at(20))
    assert threads and threading.main_thread() not in threads


def test_the_oee_tab_exports_csv_and_png(view: PerformanceView, tmp_path: Path) -> None:
    _shown(view, "line")
    view.export_csv(tmp_path / "oee.csv", OEE)
    lines = (tmp_path / "oee.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("group,planned_min,run_min,good,scrap")
    assert any(line.startswith("Line A,750.0,690.0,1390,30,") for line in lines)
    assert view.export_png(tmp_path / "oee.png", OEE)
