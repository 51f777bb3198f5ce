"""What the main window's actions do: open a dialog or call a service, then refresh.

Every handler goes through the services (never SQL), reports a refusal through the
message service, and afterwards hands the touched keys to the host's ``apply_changes``.
Dialogs open without blocking (``open()``); the one on screen is :attr:`active_dialog`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy.orm import Session

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.dialogs.assign_dialog import AssignDialog, AssignValues, MoveDialog
from leanops_desktop.qt.dialogs.block_dialog import BlockDialog, BlockValues
from leanops_desktop.qt.dialogs.job_dialog import JobDialog, JobValues
from leanops_desktop.qt.dialogs.station_dialog import StationDialog, StationValues
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.qt.window.changes import Changes, ChangeSet
from leanops_desktop.services import dispatch, jobs, stations

T = TypeVar("T")


class CommandHost(Protocol):
    """What the commands need from the main window."""

    db: Database
    actor: Actor
    config: SiteConfig
    messages: MessageService

    def dialog_parent(self) -> QWidget: ...

    def station_rows(self) -> list[StationRow]: ...

    def job_rows(self) -> list[JobRow]: ...

    def assignment_rows(self) -> list[AssignmentRow]: ...

    def selected_station(self) -> StationRow | None: ...

    def selected_job(self) -> JobRow | None: ...

    def apply_changes(self, changes: Changes) -> None: ...


class FloorCommands(QObject):
    """The handlers of the job, station and dispatch actions."""

    def __init__(self, host: CommandHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.active_dialog: QDialog | None = None

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, work: Callable[[Session], T]) -> T:
        """Run one service call in a fresh session (errors propagate to the caller)."""
        with self.host.db.session() as session:
            return work(session)

    def _do(self, work: Callable[[Session], Changes], done: str) -> bool:
        """Run a service call that is not behind a dialog; report refusals, refresh views."""
        try:
            changes = self._call(work)
        except LeanOpsError as exc:
            self.host.messages.refused(exc, source=self.host.dialog_parent())
            return False
        self.host.apply_changes(changes)
        self.host.messages.info(done, source=self.host.dialog_parent())
        return True

    def _show(self, dialog: QDialog) -> QDialog:
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None

    def _after(self, changes: Changes, done: str) -> None:
        self.host.apply_changes(changes)
        self.host.messages.info(done, source=self.host.dialog_parent())

    def _assignments_of(
        self, *, job_id: str | None = None, station_id: str | None = None
    ) -> list[AssignmentRow]:
        return [
            row
            for row in self.host.assignment_rows()
            if (job_id is None or row.job_id == job_id)
            and (station_id is None or row.station_id == station_id)
        ]

    # -- jobs ------------------------------------------------------------------------------

    def new_job(self) -> None:
        def submit(values: JobValues) -> JobRow:
            row = self._call(
                lambda s: jobs.create_job(
                    s, self.host.actor, job_id=values.job_id, part_name=values.part_name,
                    qty_total=values.qty_total, due_date=values.due_date,
                    priority=values.priority,
                )
            )  # fmt: skip
            changes = self._call(lambda s: ChangeSet().jobs(row.id).recent_events(s, job_id=row.id))
            self._after(changes.as_dict(), f"Job {row.id} added to the queue.")
            return row

        taken = [row.id for row in self.host.job_rows()]
        self._show(
            JobDialog(self.host.messages, submit, taken_ids=taken, parent=self.host.dialog_parent())
        )

    def edit_job(self, job: JobRow | None = None) -> None:
        job = job or self.host.selected_job()
        if job is None or job.status == JobStatus.COMPLETED:
            return

        def submit(values: JobValues) -> JobRow:
            row = self._call(
                lambda s: jobs.update_job(
                    s, self.host.actor, values.job_id, part_name=values.part_name,
                    qty_total=values.qty_total, due_date=values.due_date,
                    priority=values.priority,
                )
            )  # fmt: skip
            changes = self._call(
                lambda s: (
                    ChangeSet()
                    .jobs(row.id)
                    .stations(*row.station_ids)
                    .assignments(*(a.id for a in self._assignments_of(job_id=row.id)))
                    .recent_events(s, job_id=row.id)
                )
            )
            self._after(changes.as_dict(), f"Job {row.id} saved.")
            return row

        self._show(JobDialog(self.host.messages, submit, job=job, parent=self.host.dialog_parent()))

    def complete_job(self, job: JobRow | None = None) -> None:
        job = job or self.host.selected_job()
        if job is None or job.status == JobStatus.COMPLETED:
            return
        short = job.qty_total - job.qty_done
        if short > 0 and not self.host.messages.confirm(
            f"Job {job.id} has {job.qty_done:,} of {job.qty_total:,} units. "
            f"Complete it {short:,} short?",
            title="Complete job",
            accept_text="Complete job",
            source=self.host.dialog_parent(),
        ):
            return
        station = self.host.selected_station()
        on_station = (
            station.id
            if station is not None
            and station.current_job_id == job.id
            and not allowed(self.host.actor.role, Action.DISPATCH)
            else None
        )
        assignments = [a.id for a in self._assignments_of(job_id=job.id)]

        def work(s: Session) -> Changes:
            row = dispatch.complete_job(s, self.host.actor, job.id, station_id=on_station)
            return (
                ChangeSet()
                .jobs(row.id)
                .stations(*job.station_ids)
                .assignments(*assignments)
                .recent_events(s, job_id=row.id)
                .as_dict()
            )

        self._do(work, f"Job {job.id} completed.")

    # -- stations --------------------------------------------------------------------------

    def _lines(self) -> list[str]:
        return sorted({row.line for row in self.host.station_rows()})

    def new_station(self) -> None:
        def submit(values: StationValues) -> StationRow:
            row = self._call(
                lambda s: stations.create_station(
                    s, self.host.actor, station_id=values.station_id, name=values.name,
                    line=values.line, is_active=values.is_active,
                )
            )  # fmt: skip
            changes = self._call(
                lambda s: ChangeSet().stations(row.id).recent_events(s, station_id=row.id)
            )
            self._after(changes.as_dict(), f"Station {row.id} added to {row.line}.")
            return row

        taken = [row.id for row in self.host.station_rows()]
        dialog = StationDialog(
            self.host.messages, submit, lines=self._lines(), taken_ids=taken,
            parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def edit_station(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return

        def submit(values: StationValues) -> StationRow:
            row = self._call(
                lambda s: stations.update_station(
                    s, self.host.actor, values.station_id, name=values.name, line=values.line
                )
            )
            changes = self._call(
                lambda s: (
                    ChangeSet()
                    .stations(row.id)
                    .assignments(*(a.id for a in self._assignments_of(station_id=row.id)))
                    .recent_events(s, station_id=row.id)
                )
            )
            self._after(changes.as_dict(), f"Station {row.id} saved.")
            return row

        dialog = StationDialog(
            self.host.messages, submit, station=station, lines=self._lines(),
            parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def set_station_active(self, active: bool, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return
        station_id = station.id

        def work(s: Session) -> Changes:
            stations.set_station_active(s, self.host.actor, station_id, active)
            return (
                ChangeSet().stations(station_id).recent_events(s, station_id=station_id).as_dict()
            )

        state = "is in use again" if active else "is out of use"
        self._do(work, f"Station {station_id} {state}.")

    def block_station(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return

        def submit(values: BlockValues) -> StationRow:
            row = self._call(
                lambda s: stations.block_station(
                    s, self.host.actor, values.station_id, values.reason
                )
            )
            changes = self._call(
                lambda s: ChangeSet().stations(row.id).recent_events(s, station_id=row.id)
            )
            self._after(changes.as_dict(), f"Station {row.id} blocked: {row.blocked_reason}.")
            return row

        dialog = BlockDialog(
            self.host.messages, submit, station=station,
            reasons=self.host.config.block_reasons, parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def unblock_station(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return
        station_id = station.id

        def work(s: Session) -> Changes:
            stations.unblock_station(s, self.host.actor, station_id)
            return (
                ChangeSet().stations(station_id).recent_events(s, station_id=station_id).as_dict()
            )

        self._do(work, f"Station {station_id} resumed.")

    # -- dispatch --------------------------------------------------------------------------

    def _assigned(self, row: AssignmentRow, session: Session) -> Changes:
        return (
            ChangeSet()
            .assignments(row.id)
            .stations(row.station_id)
            .jobs(row.job_id)
            .recent_events(session, job_id=row.job_id)
            .as_dict()
        )

    def assign_job(self, job_id: str | None = None, station_id: str | None = None) -> None:
        """Open the assign dialog, preselecting what is selected (or given)."""
        job = self.host.selected_job()
        station = self.host.selected_station()
        job_id = job_id or (job.id if job else None)
        station_id = station_id or (station.id if station else None)

        def submit(values: AssignValues) -> AssignmentRow:
            def work(s: Session) -> tuple[AssignmentRow, Changes]:
                row = dispatch.assign_job(s, self.host.actor, values.job_id, values.station_id)
                return row, self._assigned(row, s)

            row, changes = self._call(work)
            self._after(changes, f"Job {row.job_id} started on {row.station_id}.")
            return row

        dialog = AssignDialog(
            self.host.messages, submit, jobs=self.host.job_rows(),
            stations=self.host.station_rows(), job_id=job_id, station_id=station_id,
            parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def drop_job(self, job_id: str, station_id: str) -> bool:
        """A job was dragged onto a station: assign it there at once."""
        if not allowed(self.host.actor.role, Action.DISPATCH):
            self.host.messages.error(
                "Assigning jobs needs the supervisor role.", source=self.host.dialog_parent()
            )
            return False

        def work(s: Session) -> Changes:
            row = dispatch.assign_job(s, self.host.actor, job_id, station_id)
            return self._assigned(row, s)

        return self._do(work, f"Job {job_id} started on {station_id}.")

    def unassign_job(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None or station.current_job_id is None:
            return
        station_id, job_id = station.id, station.current_job_id
        old = [a.id for a in self._assignments_of(station_id=station_id)]

        def work(s: Session) -> Changes:
            dispatch.unassign_job(s, self.host.actor, station_id)
            return (
                ChangeSet()
                .stations(station_id)
                .jobs(job_id)
                .assignments(*old)
                .recent_events(s, station_id=station_id)
                .as_dict()
            )

        self._do(work, f"Job {job_id} taken off {station_id}.")

    def move_job(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None or station.current_job_id is None:
            return
        old = [a.id for a in self._assignments_of(station_id=station.id)]

        def submit(values: AssignValues) -> AssignmentRow:
            source = values.from_station_id or ""

            def work(s: Session) -> tuple[AssignmentRow, Changes]:
                row = dispatch.move_job(
                    s, self.host.actor, values.job_id, source, values.station_id
                )
                changes = ChangeSet().stations(source).assignments(*old)
                merged = changes.as_dict()
                for table, keys in self._assigned(row, s).items():
                    merged.setdefault(table, set()).update(keys)
                return row, merged

            row, changes = self._call(work)
            self._after(changes, f"Job {row.job_id} moved from {source} to {row.station_id}.")
            return row

        dialog = MoveDialog(
            self.host.messages, submit, job_id=station.current_job_id, from_station=station,
            stations=self.host.station_rows(), parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)


def station_applicability(station: StationRow | None) -> dict[str, bool]:
    """Which station actions make sense for ``station`` (None: nothing selected)."""
    if station is None:
        return dict.fromkeys(
            ("edit_station", "activate_station", "deactivate_station", "block_station",
             "unblock_station", "unassign_job", "move_job"),
            False,
        )  # fmt: skip
    has_job = station.current_job_id is not None
    blocked = station.status == StationStatus.BLOCKED
    return {
        "edit_station": True,
        "activate_station": not station.is_active,
        "deactivate_station": station.is_active and not has_job,
        "block_station": station.is_active and not blocked,
        "unblock_station": blocked,
        "unassign_job": has_job,
        "move_job": has_job,
    }


def job_applicability(job: JobRow | None) -> dict[str, bool]:
    """Which job actions make sense for ``job``."""
    open_job = job is not None and job.status != JobStatus.COMPLETED
    return {"edit_job": open_job, "complete_job": open_job}
