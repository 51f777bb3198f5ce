"""The docks: filters through the filter bar, saved column state, row signals by key,
dragging jobs onto stations, loading off the GUI thread."""

from __future__ import annotations

import dataclasses
import threading

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.docks import AssignmentsDock, EventsDock, JobsDock, StationsDock
from leanops_desktop.qt.models import (
    AssignmentTableModel,
    EventTableModel,
    JobTableModel,
    StationTableModel,
)
from leanops_desktop.qt.models import job_table_model as jcols
from leanops_desktop.qt.models.job_mime import JOB_ID_MIME, JOB_IDS_MIME, job_mime_data
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.window.floor_views import OPEN_JOBS
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reads.table_pages import all_jobs, first_jobs
from tests.factories import make_job
from tests.qt.test_models_rows import NOW, job, station


def jobs_dock(qtbot: QtBot, rows: list) -> JobsDock:  # type: ignore[type-arg]
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows(rows)
    dock = JobsDock(model)
    qtbot.addWidget(dock)
    dock.resize(900, 400)
    return dock


def stations_dock(qtbot: QtBot) -> StationsDock:
    model = StationTableModel(clock=lambda: NOW)
    model.set_rows(
        [
            station("ST-01", "Line A", "running"),
            station("ST-02", "Line A", "idle"),
            station("ST-03", "Line B", "blocked"),
        ]
    )
    dock = StationsDock(model)
    qtbot.addWidget(dock)
    dock.resize(900, 300)
    return dock


def select_data(combo: QComboBox | None, value: object) -> None:
    assert combo is not None
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_docks_are_named_and_sorted_by_default(qtbot: QtBot) -> None:
    docks = [
        StationsDock(StationTableModel()),
        JobsDock(JobTableModel()),
        AssignmentsDock(AssignmentTableModel()),
        EventsDock(EventTableModel()),
    ]
    for dock in docks:
        qtbot.addWidget(dock)
    assert [dock.objectName() for dock in docks] == [
        "StationsDock",
        "JobsDock",
        "AssignmentsDock",
        "EventsDock",
    ]
    assert [dock.windowTitle() for dock in docks] == ["Stations", "Jobs", "Assignments", "Events"]
    assert all(dock.view.model() is dock.model for dock in docks)
    assert (docks[1].model.sort_column(), docks[1].model.sort_order()) == (
        jcols.COL_DUE,
        Qt.SortOrder.AscendingOrder,
    )
    assert docks[3].model.sort_order() == Qt.SortOrder.DescendingOrder  # newest events first


def test_typing_in_the_search_box_filters(qtbot: QtBot) -> None:
    dock = jobs_dock(qtbot, [job(1, part="Hinge plate"), job(2, part="Bolt"), job(3, part="Hinge")])
    assert dock.count_label.text() == "3 jobs"
    qtbot.keyClicks(dock.filter_bar.search, "HINGE")
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2)
    assert dock.model.keys() == ["JOB-0001", "JOB-0003"]
    assert dock.count_label.text() == "2 of 3 jobs"
    dock.filter_bar.search.clear()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 3)


def test_job_filter_choices(qtbot: QtBot) -> None:
    dock = jobs_dock(
        qtbot,
        [
            job(1, due=-1, status="running", priority="high"),
            job(2, due=2, status="waiting"),
            job(3, due=20, status="waiting", priority="high"),
            job(4, due=-5, status="completed"),
        ],
    )
    bar = dock.filter_bar
    select_data(bar.status_combo, "waiting")
    assert dock.model.keys() == ["JOB-0002", "JOB-0003"]  # soonest due first
    select_data(bar.priority_combo, "high")
    assert dock.model.keys() == ["JOB-0003"]
    select_data(bar.status_combo, None)
    select_data(bar.due_combo, 7)
    assert dock.model.keys() == ["JOB-0001"]  # high, unfinished, due within 7 days
    bar.clear()
    assert dock.model.rowCount() == 4
    assert bar.line_combo is None  # jobs have no line


def test_the_queue_opens_on_open_jobs_soonest_due_first(qtbot: QtBot) -> None:
    dock = jobs_dock(
        qtbot,
        [
            job(1, due=9, status="waiting", priority="high"),
            job(2, due=-5, status="completed"),
            job(3, due=1, status="running"),
            job(4, due=4, status="waiting"),
        ],
    )
    assert dock.row_filter() == RowFilter(status=jcols.OPEN_STATUS)
    assert dock.filter_bar.status_combo is not None
    assert dock.filter_bar.status_combo.currentText() == "Open (not completed)"
    assert dock.model.keys() == ["JOB-0003", "JOB-0004", "JOB-0001"]
    assert dock.count_label.text() == "3 of 4 jobs"
    header = dock.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        jcols.COL_DUE,
        Qt.SortOrder.AscendingOrder,
    )


def test_station_filters_offer_the_lines_there_are(qtbot: QtBot) -> None:
    dock = stations_dock(qtbot)
    bar = dock.filter_bar
    assert bar.lines() == ["Line A", "Line B"]
    dock.model.upsert_rows([station("ST-04", "Line C", "idle", active=False)])
    assert bar.lines() == ["Line A", "Line B", "Line C"]
    select_data(bar.line_combo, "Line A")
    assert dock.model.keys() == ["ST-01", "ST-02"]
    select_data(bar.line_combo, None)
    select_data(bar.status_combo, "inactive")
    assert dock.model.keys() == ["ST-04"]


def test_column_state_and_sort_order_are_saved_and_restored(qtbot: QtBot) -> None:
    rows = [job(n, due=n % 5) for n in range(1, 9)]
    first = jobs_dock(qtbot, rows)
    first.view.sortByColumn(jcols.COL_DUE, Qt.SortOrder.DescendingOrder)
    header = first.view.horizontalHeader()
    header.resizeSection(jcols.COL_PART, 333)
    first.set_column_visible(jcols.COL_STATIONS, False)
    header.moveSection(header.visualIndex(jcols.COL_DUE), 0)
    state = first.save_state()
    assert isinstance(state, QByteArray) and not state.isEmpty()

    second = jobs_dock(qtbot, rows)
    assert second.model.sort_column() == jcols.COL_DUE
    assert second.restore_state(state)
    restored = second.view.horizontalHeader()
    assert restored.sectionSize(jcols.COL_PART) == 333
    assert restored.isSectionHidden(jcols.COL_STATIONS)
    assert restored.logicalIndex(0) == jcols.COL_DUE
    assert (second.model.sort_column(), second.model.sort_order()) == (
        jcols.COL_DUE,
        Qt.SortOrder.DescendingOrder,
    )
    dues = [second.model.row_at(n).due_date for n in range(8)]
    assert dues == sorted(dues, reverse=True)
    assert not second.restore_state(QByteArray(b"not a header state"))
    assert not second.restore_state(None)


def test_rows_are_reported_by_key(qtbot: QtBot) -> None:
    dock = jobs_dock(qtbot, [job(1, due=3), job(2, due=1), job(3, due=2)])
    dock.show()
    qtbot.waitExposed(dock)
    view = dock.view
    index = dock.model.index_for_key("JOB-0003")
    center = view.visualRect(index).center()
    with qtbot.waitSignal(dock.row_activated) as activated:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert activated.args == ["JOB-0003"]
    assert dock.current_key() == "JOB-0003"

    assert dock.select_key("JOB-0002")
    with qtbot.waitSignal(dock.row_activated) as entered:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert entered.args == ["JOB-0002"]

    row_pos = view.visualRect(dock.model.index_for_key("JOB-0001")).center()
    with qtbot.waitSignal(dock.context_menu_requested) as menu:
        view.customContextMenuRequested.emit(row_pos)
    assert menu.args[0] == "JOB-0001"
    assert isinstance(menu.args[1], QPoint)
    assert dock.current_key() == "JOB-0001"  # the row under the mouse becomes current
    with qtbot.waitSignal(dock.context_menu_requested) as empty:
        view.customContextMenuRequested.emit(QPoint(5, view.viewport().height() - 2))
    assert empty.args[0] is None


def test_selection_survives_a_reload(qtbot: QtBot) -> None:
    dock = jobs_dock(qtbot, [job(1), job(2), job(3)])
    assert dock.select_key("JOB-0002")
    dock.model.set_rows([job(5), job(2, done=7), job(1)])
    assert dock.current_key() == "JOB-0002"


def test_job_rows_drag_their_id(qtbot: QtBot) -> None:
    dock = jobs_dock(qtbot, [job(1), job(2)])
    assert dock.view.dragEnabled()
    index = dock.model.index_for_key("JOB-0002", jcols.COL_PART)
    assert dock.model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    mime = dock.model.mimeData([index, dock.model.index_for_key("JOB-0002", 0)])
    assert bytes(mime.data(JOB_ID_MIME).data()) == b"JOB-0002"
    assert bytes(mime.data(JOB_IDS_MIME).data()) == b"JOB-0002"
    assert mime.text() == "JOB-0002"


def _drop(dock: StationsDock, mime: QMimeData, pos: QPoint) -> QDropEvent:
    viewport = dock.view.viewport()
    actions = Qt.DropAction.CopyAction
    button, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(pos, actions, mime, button, modifiers))
    QApplication.sendEvent(viewport, QDragMoveEvent(pos, actions, mime, button, modifiers))
    drop = QDropEvent(QPointF(pos), actions, mime, button, modifiers)
    QApplication.sendEvent(viewport, drop)
    return drop


def test_dropping_a_job_on_a_station_row(qtbot: QtBot) -> None:
    dock = stations_dock(qtbot)
    dock.show()
    qtbot.waitExposed(dock)
    target = dock.view.visualRect(dock.model.index_for_key("ST-02")).center()
    with qtbot.waitSignal(dock.job_dropped_on_station) as dropped:
        drop = _drop(dock, job_mime_data(["JOB-0007"]), target)
    assert dropped.args == ["JOB-0007", "ST-02"]
    assert drop.isAccepted()

    heard: list[tuple[str, str]] = []
    dock.job_dropped_on_station.connect(lambda job_id, st: heard.append((job_id, st)))
    below_rows = QPoint(10, dock.view.viewport().height() - 3)
    _drop(dock, job_mime_data(["JOB-0007"]), below_rows)  # no station there
    foreign = QMimeData()
    foreign.setText("JOB-0007")  # plain text alone is not a job drag
    _drop(dock, foreign, target)
    assert heard == []


def test_loading_runs_off_the_gui_thread(qtbot: QtBot, demo_db: Database, runner: DbRunner) -> None:
    with demo_db.session() as session:
        expected = queries.list_jobs(session)
    dock = jobs_dock(qtbot, [])
    threads: set[int] = set()
    sizes: list[int] = []

    def fetch_all() -> list:  # type: ignore[type-arg]
        threads.add(threading.get_ident())
        with demo_db.session() as session:
            return all_jobs(session)

    def fetch_first() -> list:  # type: ignore[type-arg]
        with demo_db.session() as session:
            return first_jobs(session, limit=5, statuses=OPEN_JOBS)

    dock.model.modelReset.connect(lambda: sizes.append(dock.model.rowCount()))
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        dock.load(runner, fetch_all, first_page=fetch_first)
        assert dock.busy.isVisibleTo(dock)
    runner.wait()
    open_jobs = [row for row in expected if row.status in OPEN_JOBS]
    assert sizes == [5, len(open_jobs)]  # the first screen, then everything (open shown)
    assert sorted(dock.model.all_rows(), key=lambda row: row.id) == sorted(
        expected, key=lambda row: row.id
    )
    assert not dock.busy.isVisibleTo(dock)
    assert threads and threading.get_ident() not in threads  # fetched off the GUI thread


def test_first_page_matches_the_full_list(db: Database, supervisor: Actor) -> None:
    for number, (days, priority) in enumerate(
        [(5, "normal"), (9, "high"), (1, "normal"), (2, "high")]
    ):
        make_job(db, supervisor, f"JOB-{number:04d}", due_in_days=days, priority=priority)
    with db.session() as session:
        everything = queries.list_jobs(session)
        first = first_jobs(session, limit=3)
    assert first == everything[:3]
    assert [row.id for row in first] == ["JOB-0003", "JOB-0001", "JOB-0002"]


def test_replaced_rows_keep_their_place_in_the_view(qtbot: QtBot) -> None:
    dock = jobs_dock(qtbot, [job(n) for n in range(1, 6)])
    dock.select_key("JOB-0003")
    dock.model.upsert_rows([dataclasses.replace(job(3), qty_done=50)])
    assert dock.current_key() == "JOB-0003"
    assert dock.model.row_for_key("JOB-0003").qty_done == 50  # type: ignore[union-attr]
