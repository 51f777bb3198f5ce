"""Assign a job to a station, or move a running job to another station."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from leanops_desktop.core.enums import JobStatus, Priority, StationStatus
from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService


@dataclass(frozen=True, slots=True)
class AssignValues:
    """A job and the station to run it on (``from_station_id`` only when moving)."""

    job_id: str
    station_id: str
    from_station_id: str | None = None


def free_stations(stations: Sequence[StationRow]) -> list[StationRow]:
    """Stations that can take a job now: in use, not blocked, no job on them."""
    return [
        s
        for s in stations
        if s.is_active and s.status != StationStatus.BLOCKED and s.current_job_id is None
    ]


def open_jobs(jobs: Sequence[JobRow]) -> list[JobRow]:
    """Jobs that can be started: waiting first, then running ones (to add a station)."""
    waiting = [j for j in jobs if j.status == JobStatus.WAITING]
    running = [j for j in jobs if j.status == JobStatus.RUNNING]
    return waiting + running


def _job_label(job: JobRow) -> str:
    flag = "  ▲ high" if job.priority == Priority.HIGH else ""
    return f"{job.id}  ·  {job.part_name}  ·  due {job.due_date:%Y-%m-%d}{flag}"


def _station_label(station: StationRow) -> str:
    return f"{station.id}  ·  {station.name}  ({station.line})"


class AssignDialog(FormDialog):
    """Choose a job and a free station; both may be preselected."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[AssignValues], object],
        *,
        jobs: Sequence[JobRow],
        stations: Sequence[StationRow],
        job_id: str | None = None,
        station_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title="Assign job",
            subtitle="The station and the job both become running.",
            submit_text="Assign",
            parent=parent,
        )
        self.job_combo = QComboBox(self)
        for job in open_jobs(jobs):
            self.job_combo.addItem(_job_label(job), job.id)
        self.station_combo = QComboBox(self)
        for station in free_stations(stations):
            self.station_combo.addItem(_station_label(station), station.id)
        _select(self.job_combo, job_id)
        _select(self.station_combo, station_id)
        self.details = QLabel(self)
        self.details.setObjectName("DialogSubtitle")
        self._jobs = {job.id: job for job in jobs}
        self.add_field("Job", self.job_combo, lambda: _required(self.job_combo, "no open job"))
        self.add_field(
            "Station",
            self.station_combo,
            lambda: _required(self.station_combo, "no free station: all are busy or blocked"),
        )
        self.add_field("Progress", self.details)
        self.job_combo.currentIndexChanged.connect(self._show_details)
        self.watch(self.job_combo, self.job_combo.currentIndexChanged)
        self.watch(self.station_combo, self.station_combo.currentIndexChanged)
        self.set_submit(lambda: submit(self.values()))
        self._show_details()
        self.revalidate(show_all=True)

    def values(self) -> AssignValues:
        return AssignValues(
            job_id=str(self.job_combo.currentData() or ""),
            station_id=str(self.station_combo.currentData() or ""),
        )

    def _show_details(self) -> None:
        job = self._jobs.get(str(self.job_combo.currentData() or ""))
        if job is None:
            self.details.setText("")
            return
        where = f", running on {', '.join(job.station_ids)}" if job.station_ids else ""
        self.details.setText(
            f"{job.qty_done:,} of {job.qty_total:,} made ({job.progress:.0%}){where}"
        )


class MoveDialog(FormDialog):
    """Move the job of one station to a free station."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[AssignValues], object],
        *,
        job_id: str,
        from_station: StationRow,
        stations: Sequence[StationRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title=f"Move job {job_id}",
            subtitle=(
                f"From {from_station.id} ({from_station.name}); "
                f"{from_station.assignment_qty_done:,} units made there stay counted."
            ),
            submit_text="Move",
            parent=parent,
        )
        self._job_id = job_id
        self._from = from_station.id
        self.station_combo = QComboBox(self)
        for station in free_stations(stations):
            if station.id != from_station.id:
                self.station_combo.addItem(_station_label(station), station.id)
        self.add_field(
            "To station",
            self.station_combo,
            lambda: _required(self.station_combo, "no free station to move to"),
        )
        self.watch(self.station_combo, self.station_combo.currentIndexChanged)
        self.set_submit(lambda: submit(self.values()))
        self.revalidate(show_all=True)

    def values(self) -> AssignValues:
        return AssignValues(
            job_id=self._job_id,
            station_id=str(self.station_combo.currentData() or ""),
            from_station_id=self._from,
        )


def _select(combo: QComboBox, key: str | None) -> None:
    if key is not None and (index := combo.findData(key)) >= 0:
        combo.setCurrentIndex(index)


def _required(combo: QComboBox, problem: str) -> object:
    return None if combo.currentData() else Problem(problem)
