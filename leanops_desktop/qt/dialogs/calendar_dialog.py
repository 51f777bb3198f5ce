"""Admin ▸ Shift calendar: the shifts (start, end, weekdays, breaks) and the days off.

Reads and changes run on the runner's lanes through ``services.quality.calendar`` (role
checked there, the ``shift_saved`` / ``non_working_day_set`` events written, and on
PostgreSQL the database's own functions, which refuse non-admins too).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.db_runner import (
    READS,
    WRITES,
    DbRunner,
    Job,
)
from leanops_desktop.qt.dialogs.admin_dialog import AdminDialog
from leanops_desktop.qt.dialogs.shift_form import WEEKDAYS, DayOffForm, ShiftForm, format_breaks
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.quality import calendar
from leanops_desktop.services.quality.calendar import ShiftSpec

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

FormT = TypeVar("FormT", bound=QDialog)
SHIFT_COLUMNS = ("Id", "Name", "Starts", "Ends", "Days", "Breaks")
UNREACHABLE_CALENDAR = "Could not read the shift calendar: the database does not answer."


def days_text(days: str) -> str:
    """``"12345"`` -> ``"Mon Tue Wed Thu Fri"``."""
    return " ".join(WEEKDAYS[int(digit) - 1] for digit in days)


def _table(parent: QWidget, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _group(
    parent: QWidget, title: str, table: QTableWidget, buttons: tuple[QPushButton, ...]
) -> QGroupBox:
    box = QGroupBox(title, parent)
    side = QVBoxLayout()
    for button in buttons:
        button.setMinimumWidth(150)
        side.addWidget(button)
    side.addStretch(1)
    row = QHBoxLayout(box)
    row.addWidget(table, 1)
    row.addLayout(side)
    return box


class CalendarDialog(AdminDialog):
    """The shift calendar for admins; non-blocking (open it with ``open()``)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        parent: QWidget | None = None,
        *,
        runner: DbRunner | None = None,
    ) -> None:
        super().__init__(
            db, actor, messages, parent, runner, title="Shift calendar", size=(820, 560)
        )
        self.shifts: list[ShiftSpec] = []
        self.days_off: list[date] = []
        self.active_form: QDialog | None = None
        title = QLabel("Shift calendar", self)
        title.setObjectName("DialogTitle")
        self.message_bar = MessageBar(self)
        self.shift_table = _table(self, SHIFT_COLUMNS)
        self.shift_table.itemDoubleClicked.connect(lambda *_: self.edit_shift())
        self.add_shift_button = QPushButton("Add shift…", self)
        self.add_shift_button.clicked.connect(lambda: self.open_shift_form(None))
        self.edit_shift_button = QPushButton("Edit shift…", self)
        self.edit_shift_button.clicked.connect(self.edit_shift)
        self.day_table = _table(self, ("Day off",))
        self.add_day_button = QPushButton("Add day off…", self)
        self.add_day_button.clicked.connect(self.open_day_form)
        self.remove_day_button = QPushButton("Work that day", self)
        self.remove_day_button.clicked.connect(self.remove_day)
        for table in (self.shift_table, self.day_table):
            table.itemSelectionChanged.connect(self._update_buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addWidget(self.message_bar)
        layout.addWidget(
            _group(
                self, "Shifts", self.shift_table, (self.add_shift_button, self.edit_shift_button)
            ),
            2,
        )
        layout.addWidget(
            _group(
                self,
                "Days the plant does not work",
                self.day_table,
                (self.add_day_button, self.remove_day_button),
            ),
            1,
        )
        self.reload()

    # -- reading -------------------------------------------------------------------------

    def reload(self) -> None:
        db = self._db

        def read() -> tuple[list[ShiftSpec], set[date]]:
            with db.session() as session:
                return calendar.read_calendar(session)

        self._runner.submit(
            read,
            self._show,
            lambda error: self.say_failure(error, UNREACHABLE_CALENDAR),
            lane=READS,
        )

    def _show(self, found: tuple[list[ShiftSpec], set[date]]) -> None:
        self.shifts, self.days_off = found[0], sorted(found[1])
        self.shift_table.setRowCount(len(self.shifts))
        for index, spec in enumerate(self.shifts):
            cells = (
                spec.shift_id,
                spec.name,
                f"{spec.start:%H:%M}",
                f"{spec.end:%H:%M}",
                days_text(spec.days),
                format_breaks(spec) or "—",
            )
            for column, text in enumerate(cells):
                self.shift_table.setItem(index, column, QTableWidgetItem(text))
        self.day_table.setRowCount(len(self.days_off))
        for index, day in enumerate(self.days_off):
            self.day_table.setItem(index, 0, QTableWidgetItem(f"{day:%Y-%m-%d, %A}"))
        self._update_buttons()

    def selected_shift(self) -> ShiftSpec | None:
        rows = self.shift_table.selectionModel().selectedRows()
        return self.shifts[rows[0].row()] if rows and rows[0].row() < len(self.shifts) else None

    def selected_day(self) -> date | None:
        rows = self.day_table.selectionModel().selectedRows()
        return self.days_off[rows[0].row()] if rows and rows[0].row() < len(self.days_off) else None

    def _update_buttons(self) -> None:
        self.edit_shift_button.setEnabled(self.selected_shift() is not None)
        self.remove_day_button.setEnabled(self.selected_day() is not None)

    # -- changing ------------------------------------------------------------------------

    def edit_shift(self) -> None:
        spec = self.selected_shift()
        if spec is not None:
            self.open_shift_form(spec)

    def open_shift_form(self, spec: ShiftSpec | None) -> ShiftForm:
        form = ShiftForm(
            self._messages,
            self.save_shift,
            shift=spec,
            taken_ids=[s.shift_id for s in self.shifts],
            parent=self,
        )
        return self._open(form)

    def open_day_form(self) -> DayOffForm:
        return self._open(DayOffForm(self._messages, self.set_day_off, parent=self))

    def _open(self, form: FormT) -> FormT:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.active_form = form
        form.open()
        return form

    def save_shift(self, spec: ShiftSpec) -> Job[None]:
        def write(session: Session) -> None:
            calendar.save_shift(session, self._actor, spec)

        return self._write(write, f"Saved the shift {spec.shift_id} ({spec.name}).", in_form=True)

    def set_day_off(self, day: date, note: str) -> Job[None]:
        def write(session: Session) -> None:
            calendar.set_non_working_day(session, self._actor, day, off=True, note=note)

        return self._write(write, f"{day:%Y-%m-%d} is a day off.", in_form=True)

    def remove_day(self) -> None:
        day = self.selected_day()
        if day is None:
            return

        def write(session: Session) -> None:
            calendar.set_non_working_day(session, self._actor, day, off=False)

        self._write(write, f"{day:%Y-%m-%d} is a working day again.", in_form=False)

    def _write(
        self, change: Callable[[Session], None], done_text: str, *, in_form: bool
    ) -> Job[None]:
        """Run ``change(session)`` on the writes lane; then re-read and say ``done_text``."""
        db = self._db

        def write() -> None:
            with db.session() as session:
                change(session)

        def saved(_nothing: None) -> None:
            self.reload()
            self._messages.info(done_text, source=self)

        def failed(error: BaseException) -> None:
            if not in_form:  # a form shows its own refusals
                self.say_failure(error, UNREACHABLE_CALENDAR)
            self.reload()

        return self._runner.submit(write, saved, failed, lane=WRITES)
