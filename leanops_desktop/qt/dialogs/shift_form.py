"""Add or change one shift (start, end, weekdays, breaks), and mark a day off.

Breaks are typed as local clock times, ``12:00-12:30 lunch; 15:00-15:10``; the form turns
them into the offsets from the shift's start that ``services.quality.calendar`` keeps, and
checks the whole shift with ``calendar.check_shift`` as you type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date, time

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QLineEdit, QTimeEdit, QWidget

from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.validation import check_key, check_text
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Note, Problem
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.quality.calendar import BreakSpec, ShiftSpec, check_shift

QUARTER_HOURS_NOTE = (
    "OEE counts in quarter hours: times off the quarter hour are counted to the nearest slot"
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_BREAK = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*(.*)")


def _minute(hours: str, minutes: str) -> int:
    hour, minute = int(hours), int(minutes)
    if hour > 23 or minute > 59:
        raise ValidationError("breaks", f"{hours}:{minutes} is not a time of day")
    return hour * 60 + minute


def parse_breaks(text: str, shift_start: time) -> tuple[BreakSpec, ...]:
    """``"12:00-12:30 lunch; 15:00-15:10"`` -> breaks as offsets from ``shift_start``."""
    start_minute = shift_start.hour * 60 + shift_start.minute
    found: list[BreakSpec] = []
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        match = _BREAK.fullmatch(part)
        if match is None:
            raise ValidationError("breaks", f"'{part}' is not like 12:00-12:30 lunch")
        begin, end = _minute(*match.group(1, 2)), _minute(*match.group(3, 4))
        duration = (end - begin) % 1440
        if duration == 0:
            raise ValidationError("breaks", f"'{part}' lasts no time")
        name = match.group(5).strip() or "break"
        found.append(BreakSpec((begin - start_minute) % 1440, duration, name))
    return tuple(found)


def format_breaks(spec: ShiftSpec) -> str:
    """The breaks of a shift as the form shows them."""
    parts = []
    for pause in spec.breaks:
        begin = (spec.start_minute + pause.offset_minutes) % 1440
        end = (begin + pause.duration_minutes) % 1440
        parts.append(
            f"{begin // 60:02d}:{begin % 60:02d}-{end // 60:02d}:{end % 60:02d} {pause.name}"
        )
    return "; ".join(parts)


def _as_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class ShiftForm(FormDialog):
    """New shift (``shift=None``) or change one; ``submit`` receives the ShiftSpec."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[ShiftSpec], object],
        *,
        shift: ShiftSpec | None = None,
        taken_ids: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages, title=f"Edit shift {shift.shift_id}" if shift else "New shift",
            subtitle="Local times; an end not after the start is the next day.",
            submit_text="Save" if shift else "Add shift", parent=parent,
        )  # fmt: skip
        self._shift = shift
        self._taken = frozenset(taken_ids)
        self.id_edit = QLineEdit(shift.shift_id if shift else "", self)
        self.id_edit.setReadOnly(shift is not None)
        self.id_edit.setPlaceholderText("e.g. 1 or early")
        self.name_edit = QLineEdit(shift.name if shift else "", self)
        self.start_edit, self.end_edit = QTimeEdit(self), QTimeEdit(self)
        for edit, value in (
            (self.start_edit, shift.start if shift else time(6)),
            (self.end_edit, shift.end if shift else time(14)),
        ):
            edit.setDisplayFormat("HH:mm")
            edit.setTime(QTime(value.hour, value.minute))
        self.day_boxes = self._days_row(shift.days if shift else "12345")
        self.breaks_edit = QLineEdit(format_breaks(shift) if shift else "", self)
        self.breaks_edit.setPlaceholderText("e.g. 09:00-09:15 break; 12:00-12:30 lunch")
        self.add_field("Id", self.id_edit, self._check_id)
        self.add_field("Name", self.name_edit, lambda: check_text("name", self.name_edit.text()))
        self.add_field("Starts", self.start_edit)
        self.add_field("Ends", self.end_edit)
        self.add_field("Days", self.days_holder, self._check_days)
        self.add_field("Breaks", self.breaks_edit, self._check_breaks)
        for widget, signal in (
            (self.id_edit, self.id_edit.textEdited),
            (self.name_edit, self.name_edit.textEdited),
            (self.start_edit, self.start_edit.timeChanged),
            (self.end_edit, self.end_edit.timeChanged),
            (self.breaks_edit, self.breaks_edit.textEdited),
        ):
            self.watch(widget, signal)
        for box in self.day_boxes:
            box.toggled.connect(lambda *_: self.revalidate())
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()

    def _days_row(self, days: str) -> list[QCheckBox]:
        holder = self.days_holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        boxes = []
        for number, label in enumerate(WEEKDAYS, start=1):
            box = QCheckBox(label, holder)
            box.setChecked(str(number) in days)
            row.addWidget(box)
            boxes.append(box)
        return boxes

    def days(self) -> str:
        return "".join(str(n) for n, box in enumerate(self.day_boxes, start=1) if box.isChecked())

    def values(self) -> ShiftSpec:
        start = _as_time(self.start_edit.time())
        return ShiftSpec(
            self.id_edit.text().strip(),
            self.name_edit.text().strip(),
            start,
            _as_time(self.end_edit.time()),
            self.days(),
            parse_breaks(self.breaks_edit.text(), start),
        )

    def _check_id(self) -> object:
        key = check_key("id", self.id_edit.text())
        if self._shift is None and key in self._taken:
            return Problem(f"shift {key} already exists: choose another id")
        return None

    def _check_days(self) -> object:
        return None if self.days() else Problem("choose at least one day")

    def _check_breaks(self) -> object:
        # the breaks within the shift (the other fields have their own checks)
        spec = check_shift(replace(self.values(), shift_id="x", name="x", days="1"))
        edges = [spec.start_minute, spec.end_minute]
        for pause in spec.breaks:
            edges += [pause.offset_minutes, pause.offset_minutes + pause.duration_minutes]
        if any(edge % 15 for edge in edges):
            return Note(QUARTER_HOURS_NOTE)
        return None


class DayOffForm(FormDialog):
    """Mark a date as not worked; ``submit`` receives the date and the note."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[date, str], object],
        *,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title="Add a day off",
            subtitle="No shift runs on it; OEE plans no time that day.",
            submit_text="Add day off",
            parent=parent,
        )
        start = today or date.today()
        self.date_edit = QDateEdit(QDate(start.year, start.month, start.day), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("e.g. Christmas (optional)")
        self.add_field("Date", self.date_edit)
        self.add_field("Note", self.note_edit)
        self.set_submit(lambda: submit(self.day(), self.note_edit.text().strip()))
        self.revalidate()

    def day(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())
