"""Admin ▸ Stop detection: how long a running station may report nothing before it gets an
unexplained stop; the plant's limit and the lines' and stations' own (minutes, 0 = off).

Reads and changes run on the runner's lanes through ``services.downtime.limits`` (admins only,
checked there; each change writes a ``stop_limit_changed`` event). The table is read again
after every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.db_runner import READS, WRITES, DbRunner, Job
from leanops_desktop.qt.dialogs.admin_dialog import AdminDialog
from leanops_desktop.qt.dialogs.stop_limit_form import MAX_MINUTES, LimitForm, minutes_text
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.downtime import limits as limit_service
from leanops_desktop.services.reads import queries

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

OVERRIDE_COLUMNS = ("Applies to", "Name", "Quiet limit")
UNREACHABLE_LIMITS = "Could not read the stop detection limits: the database does not answer."


@dataclass(frozen=True, slots=True)
class Override:
    """One line's or station's own limit, as the table lists it."""

    kind: str  # "line" or "station"
    key: str
    minutes: int


def override_rows(found: Any) -> list[Override]:
    """The overrides of a ``StopLimits``: lines first, then stations, each by name."""
    lines = [Override("line", key, minutes) for key, minutes in sorted(found.lines.items())]
    stations = [
        Override("station", key, minutes) for key, minutes in sorted(found.stations.items())
    ]
    return lines + stations


class StopLimitsDialog(AdminDialog):
    """The quiet limits for admins; non-blocking (open it with ``open()``)."""

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
            db, actor, messages, parent, runner, title="Stop detection", size=(640, 480)
        )
        self.plant_minutes: int | None = None
        self.overrides: list[Override] = []
        self.stations: list[StationRow] = []
        self.active_form: LimitForm | None = None
        title = QLabel("Stop detection", self)
        title.setObjectName("DialogTitle")
        note = QLabel(
            "A running station with a job that reports nothing for this many minutes gets an "
            "unexplained stop. 0 turns detection off. A station's own limit wins over its "
            "line's, a line's over the plant's.",
            self,
        )
        note.setObjectName("DialogSubtitle")
        note.setWordWrap(True)
        self.message_bar = MessageBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.message_bar)
        layout.addWidget(self._plant_box())
        layout.addWidget(self._override_box(), 1)
        self.reload()

    def _plant_box(self) -> QGroupBox:
        box = QGroupBox("Plant", self)
        self.plant_spin = QSpinBox(box)
        self.plant_spin.setRange(0, MAX_MINUTES)
        self.plant_spin.setSuffix(" min")
        self.plant_spin.setSpecialValueText("off")
        self.plant_spin.setAccessibleName("Plant quiet limit")
        self.plant_save = QPushButton("Save plant limit", box)
        self.plant_save.clicked.connect(self.save_plant)
        row = QHBoxLayout(box)
        row.addWidget(QLabel("Every station, unless its line or itself says otherwise:", box))
        row.addWidget(self.plant_spin)
        row.addWidget(self.plant_save)
        row.addStretch(1)
        return box

    def _override_box(self) -> QGroupBox:
        box = QGroupBox("Lines and stations with their own limit", self)
        self.table = QTableWidget(0, len(OVERRIDE_COLUMNS), box)
        self.table.setHorizontalHeaderLabels(OVERRIDE_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit_selected())
        self.add_line_button = QPushButton("Add line limit…", box)
        self.add_line_button.clicked.connect(lambda: self.open_form("line", None))
        self.add_station_button = QPushButton("Add station limit…", box)
        self.add_station_button.clicked.connect(lambda: self.open_form("station", None))
        self.edit_button = QPushButton("Change…", box)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove", box)
        self.remove_button.setToolTip("The line or station follows the limit above it again")
        self.remove_button.clicked.connect(self.remove_selected)
        side = QVBoxLayout()
        for button in (
            self.add_line_button,
            self.add_station_button,
            self.edit_button,
            self.remove_button,
        ):
            button.setMinimumWidth(150)
            side.addWidget(button)
        side.addStretch(1)
        row = QHBoxLayout(box)
        row.addWidget(self.table, 1)
        row.addLayout(side)
        return box

    # -- reading -------------------------------------------------------------------------

    def reload(self) -> None:
        db = self._db

        def read() -> tuple[Any, list[StationRow]]:
            with db.session() as session:
                return limit_service.read_limits(session), queries.list_stations(session)

        self._runner.submit(
            read,
            self._show,
            lambda error: self.say_failure(error, UNREACHABLE_LIMITS),
            lane=READS,
        )

    def _show(self, found: tuple[Any, list[StationRow]]) -> None:
        limits, self.stations = found
        keep = self.selected()
        self.plant_minutes = int(limits.plant)
        self.plant_spin.setValue(self.plant_minutes)
        self.overrides = override_rows(limits)
        self.table.setRowCount(len(self.overrides))
        for number, override in enumerate(self.overrides):
            cells = (override.kind.capitalize(), override.key, minutes_text(override.minutes))
            for column, text in enumerate(cells):
                self.table.setItem(number, column, QTableWidgetItem(text))
            if keep is not None and (keep.kind, keep.key) == (override.kind, override.key):
                self.table.selectRow(number)
        self._update_buttons()

    def selected(self) -> Override | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.overrides):
            return None
        return self.overrides[rows[0].row()]

    def select(self, kind: str, key: str) -> bool:
        for number, override in enumerate(self.overrides):
            if (override.kind, override.key) == (kind, key):
                self.table.selectRow(number)
                return True
        return False

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    # -- changing ------------------------------------------------------------------------

    def choices(self, kind: str) -> list[str]:
        """The lines (or stations) that have no limit of their own yet."""
        taken = {o.key for o in self.overrides if o.kind == kind}
        names = (
            sorted({s.line for s in self.stations})
            if kind == "line"
            else [s.id for s in sorted(self.stations, key=lambda s: s.id)]
        )
        return [name for name in names if name not in taken]

    def open_form(self, kind: str, override: Override | None) -> LimitForm:
        choices: Sequence[str] = [override.key] if override else self.choices(kind)
        form = LimitForm(
            self._messages,
            lambda key, minutes: self.save(kind, key, minutes, in_form=True),
            kind=kind,
            choices=choices,
            minutes=override.minutes if override else self.plant_minutes or 0,
            parent=self,
        )
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.active_form = form
        form.open()
        return form

    def edit_selected(self) -> None:
        override = self.selected()
        if override is not None:
            self.open_form(override.kind, override)

    def remove_selected(self) -> None:
        override = self.selected()
        if override is not None:
            self.save(override.kind, override.key, None)

    def save_plant(self) -> Job[bool]:
        return self.save("plant", "", self.plant_spin.value())

    def save(self, kind: str, key: str, minutes: int | None, *, in_form: bool = False) -> Job[bool]:
        """Save on the writes lane; then read again and say what changed (a form shows its
        own refusals)."""
        db, actor = self._db, self._actor

        def write() -> bool:
            with db.session() as session:
                return bool(limit_service.save_limit(session, actor, kind, key, minutes))

        def saved(changed: bool) -> None:
            self.reload()
            if changed:
                self._messages.info(_saved_text(kind, key, minutes), source=self)

        def failed(error: BaseException) -> None:
            if not in_form:
                self.say_failure(error, UNREACHABLE_LIMITS)
            self.reload()

        return self._runner.submit(write, saved, failed, lane=WRITES)


def _saved_text(kind: str, key: str, minutes: int | None) -> str:
    where = "the plant" if kind == "plant" else f"{kind} {key}"
    if minutes is None:
        above = "line" if kind == "station" else "plant"
        return f"{where[0].upper()}{where[1:]} follows the {above}'s limit again."
    return f"Stop detection for {where}: {minutes_text(minutes)}."
