"""What the main window's actions do: open a dialog or call a service.

Every handler goes through the services (never SQL), on the host runner's ``writes`` lane:
the GUI thread never waits for the database. When the save has committed the host is told
(``saved()``: the window asks its live feed to read now), and the change reaches the views
through the feed like any other seat's; nothing guesses which rows an action touched. A
refusal or an unreachable database is said plainly: in the dialog, which stays open, or in
the window's message bar for actions without a dialog. Dialogs open without blocking
(``open()``); the one on screen is :attr:`active_dialog`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy.orm import Session

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, StationStatus
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.qt.db_runner import (
    READS,
    WRITES,
    DbRunner,
    Job,
    failure_text,
    is_connection_error,
)
from leanops_desktop.qt.dialogs.assign_dialog import AssignDialog, AssignValues, MoveDialog
from leanops_desktop.qt.dialogs.block_dialog import BlockDialog, BlockValues
from leanops_desktop.qt.dialogs.job_dialog import JobDialog, JobValues
from leanops_desktop.qt.dialogs.station_dialog import StationDialog, StationValues
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.qt.window.job_ideal import read_ideal, with_ideal
from leanops_desktop.services.floor import dispatch, jobs, stations

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

T = TypeVar("T")
log = logging.getLogger(__name__)


class CommandHost(Protocol):
    """What the commands need from the main window."""

    db: Database
    actor: Actor
    config: SiteConfig
    messages: MessageService
    runner: DbRunner

    def dialog_parent(self) -> QWidget: ...

    def station_rows(self) -> list[StationRow]: ...

    def job_rows(self) -> list[JobRow]: ...

    def assignment_rows(self) -> list[AssignmentRow]: ...

    def selected_station(self) -> StationRow | None: ...

    def selected_job(self) -> JobRow | None: ...

    def saved(self) -> None:
        """A change of ours has committed (the window asks its live feed to read now)."""


class FloorCommands(QObject):
    """The handlers of the job, station and dispatch actions."""

    def __init__(self, host: CommandHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.active_dialog: QDialog | None = None

    # -- plumbing --------------------------------------------------------------------------

    def _write(
        self,
        work: Callable[[Session], T],
        done: Callable[[T], str],
        *,
        in_dialog: bool = False,
    ) -> Job[T]:
        """Run one service call in a fresh session on the ``writes`` lane.

        When it has committed: tell the host, say ``done(result)``. When it fails: a dialog
        (``in_dialog``) says so itself and stays open; otherwise the message bar says it.
        """
        db = self.host.db

        def run() -> T:
            with db.session() as session:
                return work(session)

        def succeeded(result: T) -> None:
            self.host.saved()
            self.host.messages.info(done(result), source=self.host.dialog_parent())

        failed = self._failed_in_dialog if in_dialog else self._failed
        return self.host.runner.submit(run, succeeded, failed, lane=WRITES)

    def _do(self, work: Callable[[Session], object], done: str) -> None:
        """Run a service call that is not behind a dialog."""
        self._write(work, lambda _result: done)

    def _failed(self, error: BaseException) -> None:
        source = self.host.dialog_parent()
        if isinstance(error, LeanOpsError) and not is_connection_error(error):
            self.host.messages.refused(error, source=source)
        else:
            log.info("a change was not saved: %s", error)
            self.host.messages.error(failure_text(error), source=source)

    @staticmethod
    def _failed_in_dialog(error: BaseException) -> None:
        # The dialog waiting for this save shows the message and stays open.
        log.info("a change was not saved: %s", error)

    def _show(self, dialog: QDialog) -> QDialog:
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None

    # -- jobs ------------------------------------------------------------------------------

    def new_job(self) -> None:
        actor = self.host.actor

        def submit(values: JobValues) -> Job[JobRow]:
            return self._write(
                lambda s: with_ideal(s, actor, values, None, jobs.create_job(
                    s, actor, job_id=values.job_id, part_name=values.part_name,
                    qty_total=values.qty_total, due_date=values.due_date,
                    priority=values.priority,
                )),
                lambda row: f"Job {row.id} added to the queue.",
                in_dialog=True,
            )  # fmt: skip

        taken = [row.id for row in self.host.job_rows()]
        self._show(
            JobDialog(self.host.messages, submit, taken_ids=taken, parent=self.host.dialog_parent())
        )

    def edit_job(self, job: JobRow | None = None) -> None:
        job = job or self.host.selected_job()
        if job is None or job.status == JobStatus.COMPLETED:
            return
        actor, chosen = self.host.actor, job

        def show(ideal: float | None) -> None:
            def submit(values: JobValues) -> Job[JobRow]:
                return self._write(
                    lambda s: with_ideal(s, actor, values, ideal, jobs.update_job(
                        s, actor, values.job_id, part_name=values.part_name,
                        qty_total=values.qty_total, due_date=values.due_date,
                        priority=values.priority,
                    )),
                    lambda row: f"Job {row.id} saved.",
                    in_dialog=True,
                )  # fmt: skip

            self._show(JobDialog(self.host.messages, submit, job=chosen, ideal_cycle_s=ideal,
                                 parent=self.host.dialog_parent()))  # fmt: skip

        db = self.host.db
        self.host.runner.submit(lambda: read_ideal(db, chosen.id), show, self._failed, lane=READS)

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
        actor, job_id = self.host.actor, job.id
        self._do(
            lambda s: dispatch.complete_job(s, actor, job_id, station_id=on_station),
            f"Job {job_id} completed.",
        )

    # -- stations --------------------------------------------------------------------------

    def _lines(self) -> list[str]:
        return sorted({row.line for row in self.host.station_rows()})

    def new_station(self) -> None:
        actor = self.host.actor

        def submit(values: StationValues) -> Job[StationRow]:
            return self._write(
                lambda s: stations.create_station(
                    s, actor, station_id=values.station_id, name=values.name,
                    line=values.line, is_active=values.is_active,
                ),
                lambda row: f"Station {row.id} added to {row.line}.",
                in_dialog=True,
            )  # fmt: skip

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
        actor = self.host.actor

        def submit(values: StationValues) -> Job[StationRow]:
            return self._write(
                lambda s: stations.update_station(
                    s, actor, values.station_id, name=values.name, line=values.line
                ),
                lambda row: f"Station {row.id} saved.",
                in_dialog=True,
            )

        dialog = StationDialog(
            self.host.messages, submit, station=station, lines=self._lines(),
            parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def set_station_active(self, active: bool, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return
        actor, station_id = self.host.actor, station.id
        state = "is in use again" if active else "is out of use"
        self._do(
            lambda s: stations.set_station_active(s, actor, station_id, active),
            f"Station {station_id} {state}.",
        )

    def block_station(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return
        actor = self.host.actor

        def submit(values: BlockValues) -> Job[StationRow]:
            return self._write(
                lambda s: stations.block_station(s, actor, values.station_id, values.reason),
                lambda row: f"Station {row.id} blocked: {row.blocked_reason}.",
                in_dialog=True,
            )

        dialog = BlockDialog(
            self.host.messages, submit, station=station,
            reasons=self.host.config.block_reasons, parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def unblock_station(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None:
            return
        actor, station_id = self.host.actor, station.id
        self._do(
            lambda s: stations.unblock_station(s, actor, station_id),
            f"Station {station_id} resumed.",
        )

    # -- dispatch --------------------------------------------------------------------------

    def assign_job(self, job_id: str | None = None, station_id: str | None = None) -> None:
        """Open the assign dialog, preselecting what is selected (or given)."""
        job = self.host.selected_job()
        station = self.host.selected_station()
        job_id = job_id or (job.id if job else None)
        station_id = station_id or (station.id if station else None)
        actor = self.host.actor

        def submit(values: AssignValues) -> Job[AssignmentRow]:
            return self._write(
                lambda s: dispatch.assign_job(s, actor, values.job_id, values.station_id),
                lambda row: f"Job {row.job_id} started on {row.station_id}.",
                in_dialog=True,
            )

        dialog = AssignDialog(
            self.host.messages, submit, jobs=self.host.job_rows(),
            stations=self.host.station_rows(), job_id=job_id, station_id=station_id,
            parent=self.host.dialog_parent(),
        )  # fmt: skip
        self._show(dialog)

    def drop_job(self, job_id: str, station_id: str) -> bool:
        """A job was dragged onto a station: assign it there (True: the save was sent)."""
        if not allowed(self.host.actor.role, Action.DISPATCH):
            self.host.messages.error(
                "Assigning jobs needs the supervisor role.", source=self.host.dialog_parent()
            )
            return False
        actor = self.host.actor
        self._do(
            lambda s: dispatch.assign_job(s, actor, job_id, station_id),
            f"Job {job_id} started on {station_id}.",
        )
        return True

    def unassign_job(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None or station.current_job_id is None:
            return
        actor, station_id, job_id = self.host.actor, station.id, station.current_job_id
        self._do(
            lambda s: dispatch.unassign_job(s, actor, station_id),
            f"Job {job_id} taken off {station_id}.",
        )

    def move_job(self, station: StationRow | None = None) -> None:
        station = station or self.host.selected_station()
        if station is None or station.current_job_id is None:
            return
        actor = self.host.actor

        def submit(values: AssignValues) -> Job[AssignmentRow]:
            source = values.from_station_id or ""
            return self._write(
                lambda s: dispatch.move_job(s, actor, values.job_id, source, values.station_id),
                lambda row: f"Job {row.job_id} moved from {source} to {row.station_id}.",
                in_dialog=True,
            )

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
