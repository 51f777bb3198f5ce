"""The window layout (docks, column widths, sort order, central tab) is kept per user."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.models.job_table_model import OPEN_STATUS
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.window.layout_state import filter_from_text, filter_to_text, user_key
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


def test_user_key_is_safe_for_settings() -> None:
    assert user_key("Sam.O'Neil@Plant.test") == "sam.o_neil_plant.test"


def test_layout_is_saved_and_restored_per_user(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    jobs = window.tables["jobs"]
    header = jobs.horizontalHeader()
    default_width = header.sectionSize(1)
    header.resizeSection(1, default_width + 77)
    jobs.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    window.docks["events"].hide()
    window.docks["stations"].setFloating(True)
    extra = window.add_central_view(QLabel("plots"), "Extra view")
    window.central_tabs.setCurrentIndex(extra)
    window.close()  # saves

    again = open_window(qtbot, demo_db, supervisor, messages)
    assert again.central_tabs.currentIndex() == 0
    extra = again.add_central_view(QLabel("plots"), "Extra view")  # saved tab, added later
    header = again.tables["jobs"].horizontalHeader()
    assert header.sectionSize(1) == default_width + 77
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        2,
        Qt.SortOrder.DescendingOrder,
    )
    assert again.docks["events"].isHidden()
    assert again.docks["stations"].isFloating()
    assert again.central_tabs.currentIndex() == extra

    other = Actor(email="olga@plant.test", role=Role.OPERATOR)
    fresh = open_window(qtbot, demo_db, other, messages)
    assert not fresh.docks["events"].isHidden()
    assert not fresh.docks["stations"].isFloating()
    assert fresh.tables["jobs"].horizontalHeader().sectionSize(1) == default_width
    fresh.close()
    again.close()


def test_filters_and_searches_are_kept_per_user_across_a_restart(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    jobs = window.docks["jobs"]
    assert jobs.row_filter() == RowFilter(status=OPEN_STATUS)  # the default
    chosen = RowFilter(text="bracket", status="waiting", priority="high", due_within_days=14)
    jobs.set_row_filter(chosen)
    window.docks["events"].set_row_filter(RowFilter(event_type="station_blocked"))
    window.close()  # saves

    again = open_window(qtbot, demo_db, supervisor, messages)
    assert again.docks["jobs"].row_filter() == chosen
    bar = again.docks["jobs"].filter_bar
    assert bar.search.text() == "bracket"
    assert bar.due_combo is not None and bar.due_combo.currentData() == 14
    assert again.docks["events"].row_filter() == RowFilter(event_type="station_blocked")
    shown = [
        again.docks["jobs"].model.row_at(i) for i in range(again.docks["jobs"].model.rowCount())
    ]
    assert all(row.status == "waiting" and row.priority == "high" for row in shown)

    other = Actor(email="olga@plant.test", role=Role.OPERATOR)
    fresh = open_window(qtbot, demo_db, other, messages)
    assert fresh.docks["jobs"].row_filter() == RowFilter(status=OPEN_STATUS)
    fresh.close()

    again.reset_layout()
    assert again.docks["jobs"].row_filter() == RowFilter(status=OPEN_STATUS)
    again.close()


def test_a_damaged_saved_filter_is_ignored() -> None:
    assert filter_from_text("not json") is None
    assert filter_from_text("[1, 2]") is None
    assert filter_from_text('{"status": 3, "due_within_days": "x", "text": null}') == RowFilter()
    saved = RowFilter(text="a b", line="Line A", due_within_days=0)
    assert filter_from_text(filter_to_text(saved)) == saved


def test_reset_layout_brings_every_dock_back(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    width = window.tables["jobs"].horizontalHeader().sectionSize(0)
    for dock in window.docks.values():
        dock.hide()
    window.tables["jobs"].horizontalHeader().resizeSection(0, width + 50)
    window.registry["reset_layout"].trigger()
    assert all(not dock.isHidden() for dock in window.docks.values())
    assert window.tables["jobs"].horizontalHeader().sectionSize(0) == width
    assert window.dockWidgetArea(window.docks["jobs"]) == Qt.DockWidgetArea.RightDockWidgetArea


def test_view_menu_toggles_docks(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages)
    view_menu = window.menus["View"]
    toggles = {a.text(): a for a in view_menu.actions() if a.isCheckable()}
    assert set(toggles) == {dock.windowTitle() for dock in window.docks.values()}
    toggles[window.docks["jobs"].windowTitle()].trigger()
    assert window.docks["jobs"].isHidden()
    toggles[window.docks["jobs"].windowTitle()].trigger()
    assert not window.docks["jobs"].isHidden()
    assert window.docks["stations"].toggleViewAction().shortcut().toString() == "Alt+1"
