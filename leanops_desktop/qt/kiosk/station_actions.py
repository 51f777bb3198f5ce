"""The kiosk's station actions, which need the server now: block, resume, complete the
job, start the next one.

They are not queued while offline (their server time is the time of the stoppage, and they
depend on the station's state at that moment): each runs on the kiosk's lane of the
controller's runner, and the operator is told plainly when it was not recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leanops_desktop.core.errors import LeanOpsError, PermissionDenied, RuleViolation
from leanops_desktop.qt.db_runner import KIOSK
from leanops_desktop.qt.kiosk.scan import sentence
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.kiosk import kiosk_floor
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession
from leanops_desktop.services.reporting.report_sender import (
    ErrorKind,
    classify,
    connection_message,
)

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_controller import KioskController

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Completion:
    """What the operator confirms before completing the current job."""

    job_id: str
    done: int
    total: int

    @property
    def short_by(self) -> int:
        return max(self.total - self.done, 0)


class StationActions:
    """Block, resume, complete and start for the controller's station."""

    def __init__(self, controller: KioskController) -> None:
        self.controller = controller

    def _run(self, what: str, task: Callable[[SignedIn], Any], success: str) -> None:
        signed_in = self.controller.signed_in
        if signed_in is None:
            self.controller.notice.emit("error", "Sign in first.")
            return

        def done(_result: object) -> None:
            self.controller.set_online(True, "")
            self.controller.notice.emit("info", success)
            self.controller.refresh()

        def failed(error: BaseException) -> None:
            if classify(error) == ErrorKind.CONNECTION:
                self.controller.set_online(False, connection_message(error))
                self.controller.notice.emit(
                    "error",
                    f"No connection to the database: {what} was NOT recorded. "
                    "Try again when the connection is back, or tell your supervisor.",
                )
            elif isinstance(error, PermissionDenied) and self.controller.link is not None:
                self.controller.notice.emit(
                    "error",
                    f"{what.capitalize()} was not recorded: your sign-in here is over. "
                    "Sign in again.",
                )
            elif isinstance(error, LeanOpsError):
                self.controller.notice.emit("error", sentence(error.message))
                self.controller.refresh()
            else:
                log.error("%s failed", what, exc_info=error)
                self.controller.notice.emit("error", f"{what} failed: {type(error).__name__}")

        self.controller.runner.submit(lambda: task(signed_in), done, failed, lane=KIOSK)

    def _device(self, signed_in: SignedIn) -> DeviceSession | None:
        """The enrolled device, when an operator works at it (its checks apply)."""
        link = self.controller.link
        device = link.start.device if link is not None else None
        return device if device is not None and signed_in.db is device.db else None

    def block(self, reason: str) -> None:
        station = self.controller.station_id

        def task(s: SignedIn) -> object:
            device = self._device(s)
            if device is not None:
                return kiosk_floor.block_station(device, s.actor.email, reason)
            with s.db.session() as session:
                return stations.block_station(session, s.actor, station, reason)

        self._run("blocking the station", task, f"{station} is blocked: {reason}.")

    def resume(self) -> None:
        station = self.controller.station_id

        def task(s: SignedIn) -> object:
            device = self._device(s)
            if device is not None:
                return kiosk_floor.unblock_station(device, s.actor.email)
            with s.db.session() as session:
                return stations.unblock_station(session, s.actor, station)

        self._run("resuming the station", task, f"{station} is running again.")

    def completion(self) -> Completion:
        """What completing the current job means now; raises when it must wait."""
        if self.controller.snapshot is None or self.controller.snapshot.assignment is None:
            raise RuleViolation(f"no job is running on {self.controller.station_id}")
        assignment = self.controller.snapshot.assignment
        waiting = self.waiting_reports(assignment.job_id)
        if waiting:
            raise RuleViolation(
                f"{waiting} report(s) for {assignment.job_id} still wait to be sent: "
                "complete the job once they are sent"
            )
        return Completion(assignment.job_id, self.controller.job_done(), assignment.qty_total)

    def waiting_reports(self, job_id: str) -> int:
        """How many reports (or corrections) for ``job_id`` are still to be sent."""
        return sum(1 for item in self.controller.outbox.pending() if item.job_id == job_id)

    def complete(self, job_id: str) -> None:
        station = self.controller.station_id

        def task(s: SignedIn) -> object:
            device = self._device(s)
            if device is not None:
                return kiosk_floor.complete_job(device, s.actor.email, job_id)
            with s.db.session() as session:
                return dispatch.complete_job(session, s.actor, job_id, station_id=station)

        self._run("completing the job", task, f"{job_id} is completed.")

    def start_job(self, job_id: str) -> None:
        station = self.controller.station_id

        def task(s: SignedIn) -> object:
            device = self._device(s)
            if device is not None:
                return kiosk_floor.start_job(device, s.actor.email, job_id)
            with s.db.session() as session:
                return dispatch.assign_job(session, s.actor, job_id, station)

        self._run("starting the job", task, f"{job_id} started on {station}.")
