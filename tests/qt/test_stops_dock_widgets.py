"""The Stops dock and the reason picker as widgets, fed constructed stops: the cells and the
"Unexplained" mark, the filter, who may classify what (and the button saying why not), the
picker offering only active reasons in two levels and staying open on a refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.qt.db_runner import DbRunner, Job
from leanops_desktop.qt.stops.reason_picker import (
    REFUSED_CLASSIFY,
    ReasonPicker,
    active_reason_tree,
    classify_failure_text,
)
from leanops_desktop.qt.stops.stop_text import (
    COL_REASON,
    Period,
    classify_refusal,
    count_stops,
    period_start,
    reason_text,
    shown_stops,
    stop_cells,
)
from leanops_desktop.qt.stops.stops_dock import StopsDock
from leanops_desktop.services.downtime.stops import StopRow
from leanops_desktop.services.quality.reasons import ReasonRow
from tests.qt.conftest import RecordingMessages

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


def stop(
    station: str,
    start_min_ago: int,
    end_min_ago: int | None = None,
    reason: tuple[str, str, ReasonCategory] | None = None,
    by: str | None = None,
) -> StopRow:
    return StopRow(
        id=uuid.uuid4(),
        station_id=station,
        line="Line A" if station < "ST-05" else "Line B",
        started_at=NOW - timedelta(minutes=start_min_ago),
        ended_at=None if end_min_ago is None else NOW - timedelta(minutes=end_min_ago),
        reason_id=reason[0] if reason else None,
        reason_name=reason[1] if reason else None,
        category=reason[2] if reason else None,
        classified_by=by,
        quiet_minutes=20,
    )


SPINDLE = ("maintenance/spindle", "Spindle fault", ReasonCategory.UNPLANNED_STOP)
OPEN_STOP = stop("ST-02", 35)
CLOSED_UNEXPLAINED = stop("ST-03", 90, 62)
CLASSIFIED = stop("ST-07", 200, 150, SPINDLE, "sam@plant.test")
STOPS = [OPEN_STOP, CLOSED_UNEXPLAINED, CLASSIFIED]

REASONS = [
    ReasonRow("maintenance", None, "Maintenance", ReasonCategory.UNPLANNED_STOP, True),
    ReasonRow("maintenance/spindle", "maintenance", "Spindle fault",
              ReasonCategory.UNPLANNED_STOP, True),
    ReasonRow("maintenance/old", "maintenance", "Old press", ReasonCategory.UNPLANNED_STOP, False),
    ReasonRow("break", None, "Break", ReasonCategory.PLANNED_STOP, True),
    ReasonRow("retired", None, "Retired", ReasonCategory.NO_WORK, False),
    ReasonRow("retired/kept", "retired", "Kept leaf", ReasonCategory.NO_WORK, True),
]  # fmt: skip


def test_cells_say_open_minutes_and_unexplained_or_the_reason_with_its_category() -> None:
    assert stop_cells(OPEN_STOP, NOW, UTC) == (
        "ST-02", "Line A", "13:25", "open", "35", "Unexplained", ""
    )  # fmt: skip
    assert stop_cells(CLASSIFIED, NOW, UTC)[3:] == (
        "11:30", "50", "Spindle fault (unplanned stop)", "sam@plant.test"
    )  # fmt: skip
    yesterday = stop("ST-01", 60 * 20, 60 * 19)
    assert stop_cells(yesterday, NOW, UTC)[2] == "Fri 18:00"
    assert reason_text(CLOSED_UNEXPLAINED) == "Unexplained"


def test_the_filter_the_counts_and_the_period() -> None:
    assert shown_stops(STOPS, only_unexplained=True) == [OPEN_STOP, CLOSED_UNEXPLAINED]
    assert shown_stops(STOPS, only_unexplained=False) == STOPS
    assert count_stops(STOPS).text() == "3 stops, 2 unexplained, 1 open"
    assert count_stops([CLASSIFIED]).text() == "1 stop"
    starts = (time(6), time(14), time(22))
    assert period_start(Period.LAST_24_H, NOW, UTC, starts) == NOW - timedelta(hours=24)
    assert period_start(Period.THIS_SHIFT, NOW + timedelta(hours=1), UTC, starts) == NOW


def test_operators_classify_unexplained_stops_only_supervisors_may_change() -> None:
    assert classify_refusal(Role.OPERATOR, OPEN_STOP) is None
    assert classify_refusal(Role.OPERATOR, CLASSIFIED) == (
        "Already classified by sam@plant.test: only a supervisor may change it"
    )
    assert classify_refusal(Role.SUPERVISOR, CLASSIFIED) is None
    assert classify_refusal(Role.ADMIN, CLASSIFIED) is None
    assert classify_refusal(Role.SUPERVISOR, None) == "Select a stop first"


def make_dock(qtbot: QtBot, role: Role) -> StopsDock:
    dock = StopsDock(role, UTC, lambda: NOW)
    qtbot.addWidget(dock)
    dock.resize(900, 320)
    dock.show()
    dock.set_stops(STOPS)
    return dock


def test_dock_marks_unexplained_filters_and_keeps_the_selection(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dock = make_dock(qtbot, Role.SUPERVISOR)
    assert [dock.cell_texts(row)[0] for row in range(dock.model.rowCount())] == [
        "ST-02", "ST-03", "ST-07"
    ]  # fmt: skip
    unexplained = dock.model.index(0, COL_REASON)
    assert unexplained.data() == "Unexplained" and unexplained.data(Qt.ItemDataRole.FontRole).bold()
    assert dock.model.index(2, COL_REASON).data(Qt.ItemDataRole.FontRole) is None
    assert dock.model.index(0, COL_REASON).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert dock.count_label.text() == "3 stops, 2 unexplained, 1 open"
    dock.select_stop(CLOSED_UNEXPLAINED.id)
    dock.only_unexplained.setChecked(True)
    assert dock.shown() == [OPEN_STOP, CLOSED_UNEXPLAINED]
    assert dock.current_stop() == CLOSED_UNEXPLAINED  # still selected after filtering
    dock.only_unexplained.setChecked(False)
    qtbot.wait(20)  # let the count label take its new width
    dock.grab().save(str(tmp_path / "stops_dock.png"))


def test_the_button_says_why_an_operator_may_not_reclassify(qtbot: QtBot) -> None:
    dock = make_dock(qtbot, Role.OPERATOR)
    asked: list[object] = []
    dock.classify_requested.connect(asked.append)
    assert not dock.classify_button.isEnabled()  # nothing selected
    dock.select_stop(CLASSIFIED.id)
    assert not dock.classify_button.isEnabled()
    assert "only a supervisor may change it" in dock.classify_button.toolTip()
    assert "only a supervisor" in dock.hint.text()
    dock.table.doubleClicked.emit(dock.index_of(CLASSIFIED.id))
    assert asked == []
    dock.select_stop(OPEN_STOP.id)
    assert dock.classify_button.isEnabled()
    qtbot.mouseClick(dock.classify_button, Qt.MouseButton.LeftButton)
    assert asked == [OPEN_STOP]


def test_picker_offers_the_active_tree_in_two_levels() -> None:
    tree = active_reason_tree(REASONS)
    assert [(top.id, [leaf.id for leaf in leaves]) for top, leaves in tree] == [
        ("break", []),
        ("retired/kept", []),  # its parent is retired: it stands on its own
        ("maintenance", ["maintenance/spindle"]),
    ]


def picker(
    qtbot: QtBot, messages: RecordingMessages, submit: Callable[[str], Job[bool]]
) -> ReasonPicker:
    dialog = ReasonPicker(messages, CLASSIFIED, REASONS, submit, subtitle="11:30–12:10, 50 min")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_picker_sends_the_chosen_reason_and_stays_open_on_refusal(
    qtbot: QtBot, messages: RecordingMessages, tmp_path: Path
) -> None:
    runner = DbRunner(inline=True)
    sent: list[str] = []

    def refuse(reason_id: str) -> Job[bool]:
        sent.append(reason_id)

        def work() -> bool:
            raise RuleViolation("this stop was withdrawn: the station reported meanwhile")

        return runner.submit(work)

    dialog = picker(qtbot, messages, refuse)
    assert dialog.chosen_reason() == "maintenance/spindle"  # the stop's present reason
    assert "maintenance/old" not in dialog.reason_ids() and "retired" not in dialog.reason_ids()
    dialog.grab().save(str(tmp_path / "reason_picker.png"))
    assert dialog.choose("break")
    dialog.accept()
    assert sent == ["break"]
    assert dialog.isVisible()
    assert messages.errors[-1] == "This stop was withdrawn: the station reported meanwhile."
    assert dialog.submit_button.isEnabled()


def test_a_driver_failure_is_said_in_plain_words() -> None:
    class DriverError(Exception):
        pass

    assert classify_failure_text(DriverError('ERROR:  relation "x" ... LINE 1')) == (
        REFUSED_CLASSIFY
    )


def test_picker_closes_when_the_classification_is_taken(
    qtbot: QtBot, messages: RecordingMessages
) -> None:
    runner = DbRunner(inline=True)
    dialog = picker(qtbot, messages, lambda reason_id: runner.submit(lambda: True))
    dialog.choose("maintenance")
    dialog.accept()
    assert not dialog.isVisible() and dialog.result_value is True
