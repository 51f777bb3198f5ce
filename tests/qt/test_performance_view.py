"""The performance view: presets, filters, exports read back, live updates, crosshair; its
reads on the runner, superseded choices and failed reads.

The clock is fixed at 10 March 2026 12:00 UTC (13:00 in Berlin, the early shift) and the
zone is passed explicitly, so nothing depends on the machine's time or zone. The view reads
on a background runner, as in the app: each choice is waited for (``loaded``).
"""

from __future__ import annotations

import csv
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import PerformanceRow
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog
from leanops_desktop.qt.db_runner import DbRunner, Job
from leanops_desktop.qt.performance import performance_reads
from leanops_desktop.qt.performance.performance_loading import UNREACHABLE_TEXT
from leanops_desktop.qt.performance.performance_view import LOADING_TEXT, PerformanceView
from leanops_desktop.services.analytics import Bucket, GroupBy
from leanops_desktop.services.analytics_time import RangePreset
from tests.analytics_seed import (
    SUPERVISOR,
    add_events,
    add_job,
    add_logs,
    add_stations,
    utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = utc(2026, 3, 10, 12)


def at(hour: int, minute: int = 0) -> datetime:
    return utc(2026, 3, 10, hour, minute)


@pytest.fixture
def plant(db: Database) -> Database:
    add_stations(db, [("A1", "Line A"), ("A2", "Line A"), ("B1", "Line B")])
    add_job(db, "J1", 100, date(2026, 3, 12))
    add_job(db, "J2", 50, date(2026, 3, 10))
    add_events(
        db,
        [
            ("job_assigned", "A1", "J1", {}, at(6)),
            ("job_assigned", "B1", "J2", {}, at(6)),
            ("station_blocked", "B1", "J2", {"reason": "material"}, at(9)),
            ("station_unblocked", "B1", "J2", {}, at(10)),
        ],
    )
    add_logs(
        db,
        [
            ("A1", "J1", 10, at(7, 10)),
            ("A1", "J1", 12, at(8, 20)),
            ("B1", "J2", 5, at(8, 40)),
            ("A1", "J1", 8, at(11, 5)),
            ("B1", "J2", 7, at(11, 15)),
            ("A2", "J1", 3, utc(2026, 3, 3, 10)),  # a week ago
        ],
    )
    return db


LOAD_TIMEOUT_MS = 15_000


@pytest.fixture
def view(plant: Database, qtbot: QtBot, runner: DbRunner) -> PerformanceView:
    widget = PerformanceView(
        plant, SUPERVISOR, SiteConfig(), tz=BERLIN, clock=lambda: NOW, runner=runner
    )
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.range_bar.set_preset(RangePreset.TODAY)
    with qtbot.waitSignal(widget.loaded, timeout=LOAD_TIMEOUT_MS):
        widget.show()
    qtbot.waitExposed(widget)
    assert widget.panels is not None  # built when first shown
    return widget


def choose(qtbot: QtBot, view: PerformanceView, action: Callable[[], object]) -> None:
    """Make a choice in the range bar and wait until every panel of it is on screen."""
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        action()


def settle(qtbot: QtBot, job: Job[Any] | None) -> None:
    """Wait for a read the view submitted (and what it put on screen)."""
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=LOAD_TIMEOUT_MS)


def units(view: PerformanceView) -> dict[str, list[int]]:
    assert view.panels is not None
    data = view.panels.throughput.data
    assert data is not None
    return {series.key: series.units.tolist() for series in data.series}


def test_importing_the_view_does_not_import_pyqtgraph() -> None:
    code = (
        "import sys; import leanops_desktop.qt.performance.performance_view; "
        "sys.exit(1 if 'pyqtgraph' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_today_in_hours(view: PerformanceView) -> None:
    assert view.panels is not None
    data = view.panels.throughput.data
    assert data is not None
    assert data.bucket is Bucket.HOUR
    assert data.start == utc(2026, 3, 9, 23)  # midnight in Berlin
    assert data.x.dtype == np.float64
    assert len(data.x) == 13  # 00:00 to 12:00 local, the last hour just begun
    assert units(view)["A1"][8] == 10  # 07:10 UTC is 08:10 in Berlin
    assert sum(units(view)["A1"]) == 30
    texts = view.tiles.texts()
    assert texts["units"][0] == "42"
    assert texts["units"][1].startswith("This shift (06:00–14:00): 42")


def test_presets_choose_range_and_bucket(view: PerformanceView, qtbot: QtBot) -> None:
    assert view.panels is not None
    expected = {
        RangePreset.THIS_SHIFT: (utc(2026, 3, 10, 5), Bucket.FIVE_MINUTES),
        RangePreset.LAST_7_DAYS: (utc(2026, 3, 3, 23), Bucket.HOUR),
        RangePreset.LAST_30_DAYS: (utc(2026, 2, 8, 23), Bucket.DAY),
    }
    for preset, (start, bucket) in expected.items():
        choose(qtbot, view, lambda preset=preset: view.range_bar.set_preset(preset))
        data = view.panels.throughput.data
        assert data is not None
        assert (data.start, data.bucket) == (start, bucket)
    assert sum(units(view)["A2"]) == 3  # the report a week ago is in the 30 days


def test_custom_range(view: PerformanceView, qtbot: QtBot) -> None:
    choose(qtbot, view, lambda: view.range_bar.set_custom_range(at(8), at(9)))
    assert view.range_bar.preset() is None
    assert not view.range_bar.from_edit.isHidden()
    assert units(view) == {
        "A1": [0] * 4 + [12] + [0] * 7,
        "A2": [0] * 12,
        "B1": [0] * 8 + [5] + [0] * 3,
    }


def test_filters_by_line_station_job_and_grouping(view: PerformanceView, qtbot: QtBot) -> None:
    bar = view.range_bar
    choose(qtbot, view, lambda: bar.select(line="Line B"))
    assert list(units(view)) == ["B1"]
    assert [bar.station_box.itemData(i) for i in range(bar.station_box.count())] == ["", "B1"]
    choose(qtbot, view, lambda: bar.select(line="", station="A1"))
    assert list(units(view)) == ["A1"]
    choose(qtbot, view, lambda: bar.select(station="", job="J2"))
    assert {key: sum(values) for key, values in units(view).items()} == {"A1": 0, "A2": 0, "B1": 12}
    assert view.panels is not None and view.panels.job_progress.job_id == "J2"
    choose(qtbot, view, lambda: bar.select(job=""))
    choose(
        qtbot,
        view,
        lambda: bar.group_box.setCurrentIndex(bar.group_box.findData(GroupBy.LINE.value)),
    )
    assert {key: sum(values) for key, values in units(view).items()} == {
        "Line A": 30,
        "Line B": 12,
    }


def test_timeline_and_pareto(view: PerformanceView) -> None:
    assert view.panels is not None
    b1 = [band for band in view.panels.timeline.bands if band.station_id == "B1"]
    assert [(band.state.value, band.reason) for band in b1] == [
        ("idle", None),
        ("running", None),
        ("blocked", "material"),
        ("running", None),
    ]
    assert view.panels.pareto.reasons == [("material", 3600.0)]


def test_exports_read_back(view: PerformanceView, tmp_path: Path) -> None:
    for tab in ("throughput", "job_progress", "timeline", "pareto"):
        png = tmp_path / f"{tab}.png"
        assert view.export_png(png, tab)
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 200
    view.export_csv(tmp_path / "throughput.csv", "throughput")
    rows = list(csv.reader((tmp_path / "throughput.csv").open(encoding="utf-8")))
    assert rows[0][:5] == [
        "bucket_start_local",
        "bucket_start_utc",
        "bucket_hours",
        "A1 units",
        "A1 units/h",
    ]
    row = rows[1 + 8]
    assert row[0] == "2026-03-10 08:00:00+01:00" and row[1] == "2026-03-10 07:00:00Z"
    assert (row[3], row[4]) == ("10", "10")
    view.export_csv(tmp_path / "timeline.csv", "timeline")
    timeline = list(csv.DictReader((tmp_path / "timeline.csv").open(encoding="utf-8")))
    blocked = [row for row in timeline if row["state"] == "blocked"]
    assert [(row["station"], row["reason"], row["minutes"]) for row in blocked] == [
        ("B1", "material", "60")
    ]
    view.export_csv(tmp_path / "job.csv", "job_progress")
    job_rows = list(csv.DictReader((tmp_path / "job.csv").open(encoding="utf-8")))
    assert job_rows[-1]["units_done"] == str(int(float(job_rows[-1]["units_done"])))
    view.export_csv(tmp_path / "figures.csv", "pareto")
    figures = list(csv.reader((tmp_path / "figures.csv").open(encoding="utf-8")))
    assert figures[1] == ["units", "42", "42"]
    assert ["material", "1", "1", "1"] in figures


def test_live_report_extends_one_curve(
    view: PerformanceView, plant: Database, qtbot: QtBot
) -> None:
    assert view.panels is not None
    plot = view.panels.throughput
    before = {key: plot.drawn_rates(key).copy() for key in ("A1", "A2")}
    [log_id] = add_logs(plant, [("A1", "J1", 6, at(11, 40))])
    settle(qtbot, view.apply_changes({"performance_logs": {str(log_id)}}))
    assert units(view)["A1"][12] == 14  # 12:00-13:00 Berlin: 8 + 6
    a1, a2 = plot.drawn_rates("A1"), plot.drawn_rates("A2")
    assert (before["A1"][12], a1[12]) == (8.0, 14.0)
    assert np.array_equal(a2, before["A2"])
    settle(
        qtbot, view.apply_changes({"performance_logs": {str(uuid.uuid4())}, "events_log": set()})
    )
    assert units(view)["A1"][12] == 14


def test_live_status_event_extends_the_timeline(
    view: PerformanceView, plant: Database, qtbot: QtBot
) -> None:
    assert view.panels is not None
    add_events(plant, [("station_blocked", "A1", "J1", {"reason": "tooling"}, at(11, 50))])
    with plant.session() as session:
        event_id = session.scalar(select(EventLog.id).where(EventLog.timestamp == at(11, 50)))
    settle(qtbot, view.apply_changes({"events_log": {str(event_id)}}))
    a1 = [band for band in view.panels.timeline.bands if band.station_id == "A1"]
    assert (a1[-1].state.value, a1[-1].reason, a1[-1].start) == (
        "blocked",
        "tooling",
        at(11, 50).timestamp(),
    )


def test_the_plot_follows_the_present_until_panned_away(view: PerformanceView) -> None:
    assert view.panels is not None
    plot = view.panels.throughput
    box = plot.plot.getPlotItem().vb
    box.setXRange(at(10).timestamp(), at(12).timestamp(), padding=0)
    box.sigRangeChangedManually.emit([True, True])
    assert plot.follow.following
    plot.add_report("A1", at(12, 30).timestamp(), 1)
    assert box.viewRange()[0][1] >= at(12, 30).timestamp() - 1
    box.setXRange(at(1).timestamp(), at(3).timestamp(), padding=0)
    box.sigRangeChangedManually.emit([True, True])
    assert not plot.follow.following
    plot.add_report("A1", at(12, 40).timestamp(), 1)
    assert box.viewRange()[0][1] == pytest.approx(at(3).timestamp())


def test_zooming_in_asks_the_database_for_finer_buckets(
    view: PerformanceView, qtbot: QtBot
) -> None:
    assert view.panels is not None
    settle(qtbot, view._zoomed(at(7).timestamp(), at(9).timestamp()))
    data = view.panels.throughput.data
    assert data is not None and data.bucket is Bucket.FIVE_MINUTES
    assert data.start <= at(7)
    slot = int(np.searchsorted(data.edges, at(8, 20).timestamp(), side="right")) - 1
    assert {series.key: int(series.units[slot]) for series in data.series}["A1"] == 12
    settle(qtbot, view._zoomed(utc(2026, 3, 9, 23).timestamp(), at(12).timestamp()))
    assert view.panels.throughput.data is not None
    assert view.panels.throughput.data.bucket is Bucket.HOUR


def test_crosshair_and_legend_toggle(view: PerformanceView) -> None:
    assert view.panels is not None
    plot = view.panels.throughput
    text = plot.crosshair.show_at(at(8, 30).timestamp(), 5)
    assert "Total: 17 units" in text
    assert "A1 Station A1: 12 units · 12.0/h" in text
    sample = plot.legend.items[0][0]

    class Click:
        def button(self) -> Qt.MouseButton:
            return Qt.MouseButton.LeftButton

        def accept(self) -> None:
            pass

    sample.mouseClickEvent(Click())
    assert not plot.curve("A1").isVisible()  # type: ignore[union-attr]
    assert "A1 Station A1" not in plot.crosshair.show_at(at(8, 30).timestamp(), 5)
    timeline_text = view.panels.timeline.crosshair.show_at(at(9, 30).timestamp(), 2)
    assert "Blocked (material)" in timeline_text and "(60 min)" in timeline_text


def test_an_operator_sees_why_there_is_nothing(
    plant: Database, operator: Actor, qtbot: QtBot, runner: DbRunner
) -> None:
    widget = PerformanceView(
        plant, operator, SiteConfig(), tz=BERLIN, clock=lambda: NOW, runner=runner
    )
    qtbot.addWidget(widget)
    widget.ensure_plots()
    assert "supervisor" in widget.status.text()
    assert not widget.range_bar.png_button.isEnabled()


def test_live_reports_update_the_figures_shortly_after(
    view: PerformanceView, plant: Database, qtbot: QtBot
) -> None:
    [log_id] = add_logs(plant, [("B1", "J2", 6, at(11, 45))])
    view.apply_changes({"performance_logs": {str(log_id)}, "station_assignments": {"x"}})
    assert view.tiles.texts()["units"][0] == "42"  # the numbers follow a moment later
    qtbot.waitUntil(lambda: view.tiles.texts()["units"][0] == "48", timeout=5000)


# -- reads on the runner -----------------------------------------------------------------------


def test_every_read_runs_off_the_gui_thread(
    plant: Database, qtbot: QtBot, runner: DbRunner
) -> None:
    """Loading, choosing, zooming, following the feed: no statement runs in the GUI thread,
    and the view says quietly that it is loading meanwhile."""
    threads: list[threading.Thread] = []
    [log_id] = add_logs(plant, [("A1", "J1", 6, at(11, 40))])  # the test's own write, first

    def record(*_args: object) -> None:
        threads.append(threading.current_thread())

    event.listen(plant.engine, "before_cursor_execute", record)
    try:
        widget = PerformanceView(
            plant, SUPERVISOR, SiteConfig(), tz=BERLIN, clock=lambda: NOW, runner=runner
        )
        qtbot.addWidget(widget)
        widget.resize(1200, 800)
        with qtbot.waitSignal(widget.loaded, timeout=LOAD_TIMEOUT_MS):
            widget.show()
            assert widget.loading and widget.status.text() == LOADING_TEXT
        assert not widget.loading and widget.status.text() == ""
        choose(qtbot, widget, lambda: widget.range_bar.set_preset(RangePreset.LAST_7_DAYS))
        assert widget.panels is not None
        settle(qtbot, widget._zoomed(at(7).timestamp(), at(9).timestamp()))
        settle(qtbot, widget.apply_changes({"performance_logs": {str(log_id)}}))
        widget.panels.risk_table.job_chosen.emit("J2")
        qtbot.waitUntil(lambda: widget.panels is not None and not runner.is_busy())
    finally:
        event.remove(plant.engine, "before_cursor_execute", record)
    assert len(threads) > 10
    assert threading.main_thread() not in threads
    assert {thread.name for thread in threads} <= {"leanops-db-reads", "leanops-db-analytics"}


def test_a_newer_choice_supersedes_an_older_one(
    view: PerformanceView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two choices in a row: the first one's reads are under way when the second is made;
    nothing of the first reaches the screen."""
    assert view.panels is not None
    panels = view.panels
    seven_days = utc(2026, 3, 3, 23)
    gate = threading.Event()
    reading: list[str] = []

    def held(read: Callable[..., Any]) -> Callable[..., Any]:
        def run(db: Database, actor: Actor, request: Any, *args: Any) -> Any:
            if request.start == seven_days:
                reading.append(read.__name__)
                assert gate.wait(10)
            return read(db, actor, request, *args)

        return run

    for name in ("read_throughput", "read_figures"):
        monkeypatch.setattr(performance_reads, name, held(getattr(performance_reads, name)))
    shown: list[datetime] = []
    timelines: list[datetime] = []
    set_data, set_timeline = panels.throughput.set_data, panels.timeline.set_timeline
    monkeypatch.setattr(
        panels.throughput,
        "set_data",
        lambda data, *a, **k: (shown.append(data.start), set_data(data, *a, **k)),
    )
    monkeypatch.setattr(
        panels.timeline,
        "set_timeline",
        lambda line, *a, **k: (timelines.append(line.start), set_timeline(line, *a, **k)),
    )
    view.range_bar.set_preset(RangePreset.LAST_7_DAYS)
    # Both reads of the first choice are under way (on their two lanes) when it is superseded.
    qtbot.waitUntil(lambda: len(reading) == 2, timeout=LOAD_TIMEOUT_MS)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.range_bar.set_preset(RangePreset.LAST_30_DAYS)
        gate.set()
    thirty_days = utc(2026, 2, 8, 23)
    assert shown == [thirty_days]
    assert timelines == [thirty_days]
    assert panels.timeline.timeline is not None and panels.timeline.timeline.start == thirty_days
    qtbot.wait(50)  # nothing of the older choice arrives late either
    assert shown == [thirty_days] and timelines == [thirty_days]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_database_is_said_in_the_view(qtbot: QtBot, runner: DbRunner) -> None:
    """The server does not answer: the view says so in words, the window stays responsive."""
    gone = open_database(
        f"postgresql://leanops@127.0.0.1:{_closed_port()}/plant", connect_timeout=2
    )
    try:
        widget = PerformanceView(
            gone, SUPERVISOR, SiteConfig(), tz=BERLIN, clock=lambda: NOW, runner=runner
        )
        qtbot.addWidget(widget)
        ticks: list[int] = []
        with qtbot.waitSignal(widget.load_failed, timeout=LOAD_TIMEOUT_MS) as failed:
            widget.show()
            timer = QTimer(widget)
            timer.timeout.connect(lambda: ticks.append(1))
            timer.start(5)
        assert failed.args == [UNREACHABLE_TEXT]
        assert widget.status.text() == UNREACHABLE_TEXT
        assert widget.status.property("level") == "error"
        assert not widget.status.isHidden()
        qtbot.wait(30)
        assert ticks  # the event loop kept turning
        qtbot.waitUntil(lambda: not runner.is_busy(), timeout=LOAD_TIMEOUT_MS)
    finally:
        gone.dispose()


def test_a_failed_read_is_tried_again_with_the_next_tick(
    view: PerformanceView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = performance_reads.read_throughput

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(performance_reads, "read_throughput", refused)
    with qtbot.waitSignal(view.load_failed, timeout=LOAD_TIMEOUT_MS):
        view.range_bar.set_preset(RangePreset.LAST_30_DAYS)
    assert view.status.text() == UNREACHABLE_TEXT
    # The other read (figures, on its own lane) still arrives; the message stays.
    qtbot.waitUntil(lambda: view.tiles.texts()["units"][0] == "45", timeout=LOAD_TIMEOUT_MS)
    assert view.status.text() == UNREACHABLE_TEXT
    monkeypatch.setattr(performance_reads, "read_throughput", original)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.tick()
        assert view.status.text() == UNREACHABLE_TEXT  # said until the reads succeed
    assert view.status.text() == ""
    assert view.panels is not None and view.panels.throughput.data is not None
    assert view.panels.throughput.data.start == utc(2026, 2, 8, 23)


def test_an_inline_runner_loads_at_once(plant: Database, qtbot: QtBot) -> None:
    """The former behaviour (tests, the bench's "before"): everything before show() returns."""
    inline = DbRunner(inline=True)
    widget = PerformanceView(
        plant, SUPERVISOR, SiteConfig(), tz=BERLIN, clock=lambda: NOW, runner=inline
    )
    qtbot.addWidget(widget)
    widget.range_bar.set_preset(RangePreset.TODAY)
    widget.show()
    assert not widget.loading
    assert widget.tiles.texts()["units"][0] == "42"
    assert widget.panels is not None and widget.panels.pareto.reasons == [("material", 3600.0)]


def test_live_rows_during_a_load_go_on_top_of_it(
    view: PerformanceView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report the floor refresher delivers while a load's panels are still to come is
    added after them, not to the curves the load then replaces."""
    gate = threading.Event()
    original = performance_reads.read_figures

    def slow_figures(*args: Any) -> Any:
        assert gate.wait(10)
        return original(*args)

    monkeypatch.setattr(performance_reads, "read_figures", slow_figures)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.range_bar.set_preset(RangePreset.LAST_7_DAYS)
        qtbot.waitUntil(lambda: view._loads.held != [], timeout=LOAD_TIMEOUT_MS)  # throughput in
        report = PerformanceRow(uuid.uuid4(), "A1", "J1", 6, at(11, 40))
        view.apply_rows({"performance_logs": {str(report.id)}}, [report], [])
        gate.set()
    assert sum(units(view)["A1"]) == 30 + 6


def test_pareto_by_category_groups_the_reasons_by_the_tree(
    view: PerformanceView, qtbot: QtBot
) -> None:
    assert view.panels is not None
    pareto = view.panels.pareto
    pareto.set_reasons([("material", 3600.0), ("quality", 600.0), ("robot fault", 1200.0)])
    with qtbot.waitSignal(pareto.grouping_changed):
        pareto.grouping.setCurrentIndex(pareto.grouping.findData("category"))
    qtbot.waitUntil(lambda: pareto.reasons[0][0] == "no work", timeout=LOAD_TIMEOUT_MS)
    assert pareto.reasons == [("no work", 3600.0), ("unexplained", 1200.0), ("quality", 600.0)]
    assert pareto.plot.getPlotItem().titleLabel.text == "Blocked time by category"
    pareto.grouping.setCurrentIndex(pareto.grouping.findData("reason"))
    assert pareto.reasons[0] == ("material", 3600.0) and len(pareto.reasons) == 3
