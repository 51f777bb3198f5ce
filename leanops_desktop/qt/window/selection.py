"""What is selected in the window: a station and/or a job, from whichever view was used last.

The plant overview and the station, job and assignment tables all feed one
:class:`FloorSelection`; the actions ask it what to act on.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow


@dataclass(frozen=True, slots=True)
class Picked:
    """The keys picked in a view (either may be None)."""

    station_id: str | None = None
    job_id: str | None = None
    source: str = ""


class FloorSelection(QObject):
    """The last selection made in any floor view."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.picked = Picked()

    def pick(self, picked: Picked) -> None:
        if picked != self.picked:
            self.picked = picked
            self.changed.emit()

    def pick_row(self, row: object, source: str) -> None:
        """Pick what a table row points at (a station, job or assignment row)."""
        if isinstance(row, StationRow):
            self.pick(Picked(station_id=row.id, job_id=row.current_job_id, source=source))
        elif isinstance(row, JobRow):
            self.pick(Picked(job_id=row.id, source=source))
        elif isinstance(row, AssignmentRow):
            self.pick(Picked(station_id=row.station_id, job_id=row.job_id, source=source))
        else:
            self.pick(Picked(source=source))

    def clear(self, source: str = "") -> None:
        self.pick(Picked(source=source))
