"""RangeBar: the range presets, a custom range, grouping, the line / station / job filters and
the export buttons above the performance plots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.services.analytics_scope import GroupBy, Scope
from leanops_desktop.services.analytics_time import RangePreset

CUSTOM = "custom"
PRESETS: tuple[tuple[str, str], ...] = (
    ("This shift", RangePreset.THIS_SHIFT.value),
    ("Today", RangePreset.TODAY.value),
    ("7 days", RangePreset.LAST_7_DAYS.value),
    ("30 days", RangePreset.LAST_30_DAYS.value),
    ("Custom…", CUSTOM),
)
ALL_LINES = "All lines"
ALL_STATIONS = "All stations"
ALL_JOBS = "All jobs"


class RangeBar(QWidget):
    """Emits ``selection_changed`` whenever the range, grouping or a filter changes."""

    selection_changed = Signal()
    export_png_requested = Signal()
    export_csv_requested = Signal()

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._stations: list[StationRow] = []
        self.preset_box = QComboBox(self)
        for label, value in PRESETS:
            self.preset_box.addItem(label, value)
        self.from_edit = QDateTimeEdit(self)
        self.to_edit = QDateTimeEdit(self)
        for edit in (self.from_edit, self.to_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.setVisible(False)
            edit.editingFinished.connect(self._custom_edited)
        self.group_box = QComboBox(self)
        self.group_box.addItem("Per station", GroupBy.STATION.value)
        self.group_box.addItem("Per line", GroupBy.LINE.value)
        self.line_box = QComboBox(self)
        self.station_box = QComboBox(self)
        self.job_box = QComboBox(self)
        self.job_box.setMinimumContentsLength(10)
        self.png_button = QPushButton("Export PNG…", self)
        self.csv_button = QPushButton("Export CSV…", self)
        self.png_button.clicked.connect(self.export_png_requested)
        self.csv_button.clicked.connect(self.export_csv_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._dash = QLabel("–", self)
        self._dash.setVisible(False)
        for widget in (
            QLabel("Range:", self),
            self.preset_box,
            self.from_edit,
            self._dash,
            self.to_edit,
            self.group_box,
            self.line_box,
            self.station_box,
            self.job_box,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.png_button)
        layout.addWidget(self.csv_button)
        self.set_options([], [])
        self.preset_box.currentIndexChanged.connect(self._preset_changed)
        self.group_box.currentIndexChanged.connect(self.selection_changed)
        self.line_box.currentIndexChanged.connect(self._line_changed)
        self.station_box.currentIndexChanged.connect(self.selection_changed)
        self.job_box.currentIndexChanged.connect(self.selection_changed)

    # -- what is chosen ------------------------------------------------------------------

    def preset(self) -> RangePreset | None:
        value = self.preset_box.currentData()
        return None if value == CUSTOM else RangePreset(value)

    def set_preset(self, preset: RangePreset | None) -> None:
        self.preset_box.setCurrentIndex(
            self.preset_box.findData(preset.value if preset else CUSTOM)
        )

    def custom_range(self) -> tuple[datetime, datetime]:
        """The custom range as aware datetimes (the edits show local wall time)."""
        return self._read(self.from_edit), self._read(self.to_edit)

    def set_custom_range(self, start: datetime, end: datetime) -> None:
        for edit, value in ((self.from_edit, start), (self.to_edit, end)):
            edit.blockSignals(True)
            wall = value.astimezone(self._tz)
            edit.setDateTime(
                QDateTime(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second)
            )
            edit.blockSignals(False)
        self.blockSignals(True)
        self.set_preset(None)
        self.blockSignals(False)
        self._show_custom(True)
        self.selection_changed.emit()

    def _read(self, edit: QDateTimeEdit) -> datetime:
        wall: datetime = edit.dateTime().toPython()  # type: ignore[assignment]
        return wall.replace(tzinfo=self._tz)

    def group_by(self) -> GroupBy:
        return GroupBy(self.group_box.currentData())

    def scope(self) -> Scope:
        line = self.line_box.currentData()
        station = self.station_box.currentData()
        job = self.job_box.currentData()
        return Scope(
            line=line or None, station_ids=(station,) if station else (), job_id=job or None
        )

    def select(
        self, *, line: str | None = None, station: str | None = None, job: str | None = None
    ) -> None:
        """Choose filters from code (``None`` leaves one as it is, ``""`` clears it)."""
        for box, value in ((self.line_box, line), (self.station_box, station), (self.job_box, job)):
            if value is not None:
                box.setCurrentIndex(max(box.findData(value), 0))

    # -- options -------------------------------------------------------------------------

    def set_options(self, stations: Sequence[StationRow], jobs: Sequence[JobRow]) -> None:
        """Fill the filter lists, keeping what was chosen where it still exists."""
        self._stations = list(stations)
        chosen = self.scope()
        self.blockSignals(True)
        try:
            self._fill(
                self.line_box, ALL_LINES, sorted({row.line for row in stations}), chosen.line
            )
            self._fill_stations(chosen.station_ids[0] if chosen.station_ids else None)
            job_ids = [(row.id, f"{row.id} · {row.part_name}") for row in jobs]
            self.job_box.clear()
            self.job_box.addItem(ALL_JOBS, "")
            for job_id, label in job_ids:
                self.job_box.addItem(label, job_id)
            self.job_box.setCurrentIndex(max(self.job_box.findData(chosen.job_id or ""), 0))
        finally:
            self.blockSignals(False)

    def _fill(self, box: QComboBox, everything: str, values: list[str], chosen: str | None) -> None:
        box.blockSignals(True)
        box.clear()
        box.addItem(everything, "")
        for value in values:
            box.addItem(value, value)
        box.setCurrentIndex(max(box.findData(chosen or ""), 0))
        box.blockSignals(False)

    def _fill_stations(self, chosen: str | None) -> None:
        line = self.line_box.currentData()
        self.station_box.blockSignals(True)
        self.station_box.clear()
        self.station_box.addItem(ALL_STATIONS, "")
        for row in self._stations:
            if not line or row.line == line:
                self.station_box.addItem(f"{row.id} {row.name}", row.id)
        self.station_box.setCurrentIndex(max(self.station_box.findData(chosen or ""), 0))
        self.station_box.blockSignals(False)

    def _line_changed(self) -> None:
        current = self.station_box.currentData()
        self._fill_stations(current)
        self.selection_changed.emit()

    def _preset_changed(self) -> None:
        self._show_custom(self.preset() is None)
        self.selection_changed.emit()

    def _show_custom(self, visible: bool) -> None:
        for widget in (self.from_edit, self._dash, self.to_edit):
            widget.setVisible(visible)

    def _custom_edited(self) -> None:
        if self.preset() is None:
            self.selection_changed.emit()
