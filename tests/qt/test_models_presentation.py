"""What the floor models show: texts, colours, markers, tooltips, local times, progress."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.rows import AssignmentRow, EventRow
from leanops_desktop.qt.models import (
    AssignmentTableModel,
    EventTableModel,
    JobTableModel,
    StationTableModel,
)
from leanops_desktop.qt.models import assignment_table_model as acols
from leanops_desktop.qt.models import event_table_model as ecols
from leanops_desktop.qt.models import job_table_model as jcols
from leanops_desktop.qt.models import station_table_model as scols
from leanops_desktop.qt.models.event_table_model import event_details
from leanops_desktop.qt.models.status_colors import (
    BLOCKED_HEX,
    HIGH_PRIORITY_HEX,
    INACTIVE_HEX,
    OVERDUE_HEX,
    STATION_STATE_HEX,
    station_state,
)
from leanops_desktop.qt.models.time_text import exact_time, export_time, relative_time
from tests.qt.test_models_rows import NOW, TODAY, job, station

FOREGROUND = Qt.ItemDataRole.ForegroundRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FONT = Qt.ItemDataRole.FontRole
DECORATION = Qt.ItemDataRole.DecorationRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole


@pytest.fixture
def utc_plus_three(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with the local time zone at UTC+3 (named LOC)."""
    if not hasattr(time, "tzset"):
        pytest.skip("changing the time zone needs time.tzset (POSIX)")
    monkeypatch.setenv("TZ", "LOC-3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def assignment(**changes: object) -> AssignmentRow:
    row = AssignmentRow(
        id=uuid4(),
        station_id="ST-01",
        station_name="Laser cutter",
        line="Line A",
        job_id="JOB-0001",
        part_name="Bracket",
        priority=Priority.NORMAL,
        due_date=TODAY,
        qty_done=40,
        qty_total=100,
        job_qty_done=60,
        started_at=NOW - timedelta(hours=2),
        updated_at=NOW - timedelta(minutes=3),
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]


def event(minutes_ago: int, event_type: str = "job_assigned", **meta: object) -> EventRow:
    return EventRow(
        id=uuid4(),
        event_type=event_type,
        station_id="ST-01",
        job_id="JOB-0001",
        actor="sam@plant.test",
        meta={"actor": "sam@plant.test", "role": "supervisor", **meta},
        timestamp=NOW - timedelta(minutes=minutes_ago),
    )


def color_of(value: object) -> str:
    assert isinstance(value, QColor)
    return value.name()


# -- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=3), "3 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=2, minutes=10), "2 h ago"),
        (timedelta(minutes=-5), "in 5 min"),
    ],
)
def test_relative_times(ago: timedelta, text: str) -> None:
    assert relative_time(NOW - ago, NOW) == text


def test_older_times_name_the_day_in_local_time(utc_plus_three: None) -> None:
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # 15:00 local
    assert relative_time(datetime(2025, 3, 9, 20, 30, tzinfo=UTC), now) == "yesterday 23:30"
    assert relative_time(datetime(2025, 3, 9, 22, 30, tzinfo=UTC), now) == "today 01:30"
    assert relative_time(datetime(2025, 3, 6, 6, 0, tzinfo=UTC), now) == "Thu 09:00"
    assert relative_time(datetime(2025, 1, 2, 6, 0, tzinfo=UTC), now) == "02 Jan 09:00"
    assert relative_time(datetime(2023, 1, 2, 6, 0, tzinfo=UTC), now) == "2023-01-02"


def test_exact_times_are_local(utc_plus_three: None) -> None:
    moment = datetime(2025, 3, 10, 22, 15, 7, 123456, tzinfo=UTC)
    assert exact_time(moment) == "2025-03-11 01:15:07 LOC"
    assert export_time(moment) == datetime(2025, 3, 11, 1, 15, 7)


def test_created_column_is_relative_with_exact_tooltip(qapp: object, utc_plus_three: None) -> None:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows([job(3)])  # created 3 minutes before NOW
    index = model.index(0, jcols.COL_CREATED)
    assert index.data() == "3 min ago"
    assert index.data(TOOLTIP) == "Created 2025-03-10 14:57:00 LOC"


def test_refresh_clock_updates_relative_texts(qapp: object) -> None:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows([job(1), job(2)])
    changed: list[tuple[int, int, int]] = []
    model.dataChanged.connect(
        lambda top, bottom, *_: changed.append((top.row(), bottom.row(), top.column()))
    )
    model.refresh_clock(NOW + timedelta(minutes=10))
    assert model.index(0, jcols.COL_CREATED).data() == "11 min ago"
    assert (0, 1, jcols.COL_CREATED) in changed


# -- jobs -----------------------------------------------------------------------------------


def test_overdue_due_dates_are_highlighted(qapp: object) -> None:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows([job(1, due=-2), job(2, due=-2, status="completed"), job(3, due=0)])
    overdue, finished, today = (model.index(n, jcols.COL_DUE) for n in range(3))
    assert color_of(overdue.data(FOREGROUND)) == OVERDUE_HEX
    font = overdue.data(FONT)
    assert isinstance(font, QFont) and font.bold()
    assert overdue.data(TOOLTIP).startswith("Overdue by 2 days")
    assert finished.data(FOREGROUND) is None  # a completed job is not overdue
    assert today.data(FOREGROUND) is None
    assert today.data(TOOLTIP).startswith("Due today")
    assert overdue.data() == (TODAY - timedelta(days=2)).isoformat()


def test_high_priority_has_a_marker(qapp: object) -> None:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows([job(1, priority="high"), job(2)])
    high, normal = model.index(0, jcols.COL_PRIORITY), model.index(1, jcols.COL_PRIORITY)
    assert high.data() == "High" and normal.data() == "Normal"
    assert color_of(high.data(FOREGROUND)) == HIGH_PRIORITY_HEX
    assert isinstance(high.data(DECORATION), QIcon)
    assert normal.data(DECORATION) is None and normal.data(FOREGROUND) is None


def test_progress_text_and_role(qapp: object) -> None:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows([job(1, done=123, total=500), job(2, done=1200, total=1000)])
    first = model.index(0, jcols.COL_PROGRESS)
    assert first.data() == "123 / 500"
    assert first.data(model.ProgressRole) == (123, 500)
    assert model.index(1, jcols.COL_PROGRESS).data() == "1,200 / 1,000"
    assert "200 over the target" in model.index(1, jcols.COL_PROGRESS).data(TOOLTIP)
    assert model.index(0, jcols.COL_PART).data(model.ProgressRole) is None


# -- stations -------------------------------------------------------------------------------


def test_station_states_have_colours_and_words(qapp: object) -> None:
    model = StationTableModel(clock=lambda: NOW)
    rows = [
        station("ST-01", status="running"),
        station("ST-02", status="blocked"),
        station("ST-03", status="idle"),
        station("ST-04", status="idle", active=False),
    ]
    model.set_rows(rows)
    words = [model.index(n, scols.COL_STATUS).data() for n in range(4)]
    assert words == ["Running", "Blocked", "Idle", "Not in use"]
    assert [station_state(row) for row in rows] == ["running", "blocked", "idle", "inactive"]
    assert STATION_STATE_HEX["inactive"] == INACTIVE_HEX
    for number in range(4):
        assert isinstance(model.index(number, scols.COL_STATUS).data(DECORATION), QIcon)
    blocked_background = model.index(1, scols.COL_NAME).data(BACKGROUND)
    assert isinstance(blocked_background, QColor)
    assert blocked_background.rgb() == QColor(BLOCKED_HEX).rgb()
    assert model.index(1, scols.COL_STATUS).data(TOOLTIP) == "Blocked: tooling"
    assert color_of(model.index(3, scols.COL_NAME).data(FOREGROUND)) == INACTIVE_HEX
    assert model.index(0, scols.COL_NAME).data(FOREGROUND) is None


def test_station_progress_is_its_jobs(qapp: object) -> None:
    model = StationTableModel(clock=lambda: NOW)
    busy = dataclasses.replace(
        station("ST-01", status="running"),
        current_job_id="JOB-0007",
        current_part_name="Hinge",
        assignment_qty_done=30,
        job_qty_done=75,
        job_qty_total=300,
    )
    model.set_rows([busy, station("ST-02")])
    assert model.index(0, scols.COL_PROGRESS).data() == "75 / 300"
    assert model.index(0, scols.COL_PROGRESS).data(model.ProgressRole) == (75, 300)
    assert "30 made at ST-01" in model.index(0, scols.COL_PROGRESS).data(TOOLTIP)
    assert model.index(1, scols.COL_PROGRESS).data() == ""
    assert model.index(1, scols.COL_PROGRESS).data(model.ProgressRole) is None


# -- assignments and events -----------------------------------------------------------------


def test_assignment_columns(qapp: object) -> None:
    model = AssignmentTableModel(clock=lambda: NOW)
    row = assignment(priority=Priority.HIGH, due_date=TODAY - timedelta(days=1))
    model.set_rows([row])
    assert model.index(0, acols.COL_DONE_HERE).data() == "40"
    assert model.index(0, acols.COL_JOB_PROGRESS).data(model.ProgressRole) == (60, 100)
    assert model.index(0, acols.COL_UPDATED).data() == "3 min ago"
    assert model.index(0, acols.COL_STARTED).data() == "2 h ago"
    assert color_of(model.index(0, acols.COL_DUE).data(FOREGROUND)) == OVERDUE_HEX
    assert isinstance(model.index(0, acols.COL_PRIORITY).data(DECORATION), QIcon)
    assert model.index(0, acols.COL_DONE_HERE).data(model.ExportRole) == 40


def test_event_details_read_as_a_sentence() -> None:
    meta = {
        "actor": "sam@plant.test",
        "role": "supervisor",
        "old": {"status": "running"},
        "new": {"status": "blocked"},
        "reason": "material",
        "assignment_id": "392b299e-b8dc-42ba-9153-93962455bf2c",
        "over_reported": False,
        "qty_done": 1540,
    }
    assert event_details(meta) == "status: running → blocked; reason: material; qty done: 1540"
    assert "assignment id: 392b299e" in event_details(meta, full=True)


def test_events_newest_first_and_bounded(qapp: object) -> None:
    model = EventTableModel(clock=lambda: NOW, max_rows=3)
    model.sort(ecols.COL_TIME, Qt.SortOrder.DescendingOrder)
    rows = [event(minutes) for minutes in (30, 10, 20)]
    model.set_rows(rows)
    assert [model.index(n, ecols.COL_TIME).data() for n in range(3)] == [
        "10 min ago",
        "20 min ago",
        "30 min ago",
    ]
    newest = event(1, "station_blocked", reason="tooling")
    model.upsert_rows([newest])
    assert model.rowCount() == 3 and model.total_count() == 3
    assert model.row_at(0) == newest
    assert model.row_for_key(rows[0].id) is None  # the oldest made room
    assert model.index(0, ecols.COL_TYPE).data() == "Station blocked"
    assert model.index(0, ecols.COL_DETAILS).data() == (
        "Station ST-01 blocked: tooling (job JOB-0001 paused)"
    )
