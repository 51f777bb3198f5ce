"""New station / edit station: id, name and production line."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from leanops_desktop.core.rows import StationRow
from leanops_desktop.core.validation import check_id, check_text
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService


@dataclass(frozen=True, slots=True)
class StationValues:
    """What the station form holds."""

    station_id: str
    name: str
    line: str
    is_active: bool


class StationDialog(FormDialog):
    """Create a station (``station=None``) or rename / move one to another line."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[StationValues], object],
        *,
        station: StationRow | None = None,
        lines: Sequence[str] = (),
        taken_ids: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title=f"Edit station {station.id}" if station else "New station",
            subtitle="" if station else "A new station starts idle.",
            submit_text="Save" if station else "Create station",
            parent=parent,
        )
        self._station = station
        self._taken = frozenset(taken_ids)
        self.id_edit = QLineEdit(self)
        self.id_edit.setPlaceholderText("e.g. ST-11")
        self.id_edit.setReadOnly(station is not None)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Laser cutter")
        self.line_combo = QComboBox(self)
        self.line_combo.setEditable(True)
        self.line_combo.addItems(sorted(set(lines)))
        self.line_combo.setCurrentText(station.line if station else (lines[0] if lines else ""))
        if (line_edit := self.line_combo.lineEdit()) is not None:
            line_edit.setPlaceholderText("e.g. Line A")
        self.active_check = QCheckBox("In use (can take jobs)", self)
        self.active_check.setChecked(station.is_active if station else True)
        self.active_check.setEnabled(station is None)
        if station:
            self.id_edit.setText(station.id)
            self.name_edit.setText(station.name)

        self.add_field("Station id", self.id_edit, self._check_id)
        self.add_field("Name", self.name_edit, lambda: check_text("name", self.name_edit.text()))
        self.add_field("Line", self.line_combo, lambda: check_text("line", self.line_text()))
        self.add_field("State", self.active_check)
        self.watch(self.id_edit, self.id_edit.textEdited)
        self.watch(self.name_edit, self.name_edit.textEdited)
        self.watch(self.line_combo, self.line_combo.currentTextChanged)
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()
        (self.name_edit if station else self.id_edit).setFocus()

    def line_text(self) -> str:
        return self.line_combo.currentText().strip()

    def values(self) -> StationValues:
        return StationValues(
            station_id=self.id_edit.text().strip(),
            name=self.name_edit.text().strip(),
            line=self.line_text(),
            is_active=self.active_check.isChecked(),
        )

    def _check_id(self) -> object:
        key = check_id("station id", self.id_edit.text())
        if self._station is None and key in self._taken:
            return Problem(f"{key} already exists: choose another id")
        return None
