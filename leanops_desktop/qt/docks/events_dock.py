"""EventsDock: the audit trail, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from leanops_desktop.core.enums import EventType
from leanops_desktop.qt.docks.filter_bar import FilterOptions
from leanops_desktop.qt.docks.table_dock import TableDock
from leanops_desktop.qt.models import event_table_model as cols
from leanops_desktop.qt.models.event_table_model import EventTableModel
from leanops_desktop.qt.models.presentation import label

EVENT_TYPE_CHOICES = (
    ("All events", None),
    *((label(event_type.value), event_type.value) for event_type in EventType),
)


class EventsDock(TableDock):
    """Events, newest first; filters: event type, text."""

    noun = "events"

    def __init__(self, model: EventTableModel, parent: QWidget | None = None) -> None:
        super().__init__(
            "Events",
            "EventsDock",
            model,
            FilterOptions(event_type=EVENT_TYPE_CHOICES, placeholder="Search events…"),
            default_sort=(cols.COL_TIME, Qt.SortOrder.DescendingOrder),
            column_widths={
                cols.COL_TIME: 120,
                cols.COL_TYPE: 150,
                cols.COL_STATION: 70,
                cols.COL_JOB: 90,
                cols.COL_ACTOR: 170,
            },
            parent=parent,
        )
        model.stored_total_changed.connect(self._update_count)
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        """``"latest 2,000 of 13,261 events"`` when the database holds more than are shown."""
        model = self.model
        stored = getattr(model, "stored_total", None)
        loaded, shown = model.total_count(), model.rowCount()
        if stored is None or stored <= loaded:
            super()._update_count()
            return
        text = f"latest {loaded:,} of {stored:,} events"
        self.count_label.setText(text if shown == loaded else f"{shown:,} shown · {text}")
        self.count_label.setToolTip(
            f"The database holds {stored:,} events; the newest {loaded:,} are loaded here"
        )
