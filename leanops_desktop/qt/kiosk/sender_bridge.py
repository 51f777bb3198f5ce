"""The Qt side of the report sender: runs the send loop, posts its status to the GUI thread.

The send loop is a Qt-free service (``services/reporting/send_loop.py``) with its own
thread; its status reaches the GUI through the kiosk's
:class:`~leanops_desktop.qt.db_runner.DbRunner` (``post``), and stopping it (which waits for
the item in flight, then closes the user's connection) runs on the runner's ``housekeeping`` lane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from leanops_desktop.qt.db_runner import HOUSEKEEPING, DbRunner, Job
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.quality.kiosk_scrap import ScrapReportSender
from leanops_desktop.services.reporting.report_sender import ReportSender
from leanops_desktop.services.reporting.send_loop import SenderStatus, SendLoop

if TYPE_CHECKING:
    from leanops_desktop.db.outbox import Outbox
    from leanops_desktop.db.scrap_outbox import ScrapOutbox


class SenderBridge(QObject):
    """Sends the outbox with one signed-in user's connection while they are signed in."""

    status_changed = Signal(object)  # SenderStatus, delivered on the GUI thread

    def __init__(
        self,
        outbox: Outbox,
        signed_in: SignedIn,
        runner: DbRunner,
        parent: QObject | None = None,
        *,
        first_delay: float = 0.5,
        max_delay: float = 8.0,
        prepare: Callable[[], object] | None = None,
        scrap: ScrapOutbox | None = None,
    ) -> None:
        """``prepare`` runs before every pass (a kiosk registers its offline sign-ins);
        ``scrap``: the kiosk's scrap outbox, sent after the counts in every pass."""
        super().__init__(parent)
        self._signed_in = signed_in
        self._runner = runner
        sender = (
            ReportSender(outbox, signed_in.db, signed_in.actor, prepare=prepare)
            if scrap is None
            else ScrapReportSender(outbox, signed_in.db, signed_in.actor, scrap, prepare=prepare)
        )
        self._loop = SendLoop(
            sender,
            self._post,
            first_delay=first_delay,
            max_delay=max_delay,
        )
        self._stopped = False

    def _post(self, status: SenderStatus) -> None:
        """Called in the sender's thread: hand the status to the GUI thread."""
        self._runner.post(lambda: self._deliver(status))

    def _deliver(self, status: SenderStatus) -> None:
        if not self._stopped:
            self.status_changed.emit(status)

    @property
    def online(self) -> bool | None:
        return self._loop.online

    def start(self) -> None:
        self._loop.start()

    def wake(self) -> None:
        self._loop.wake()

    def stop(self, *, dispose: bool = True) -> Job[None]:
        """Stop sending without blocking the GUI: the loop ends after the item in flight,
        then (``dispose``) the user's connection is closed, on the housekeeping lane."""
        self._stopped = True
        loop, db = self._loop, self._signed_in.db

        def finish() -> None:
            loop.stop(timeout=None)
            if dispose:
                db.dispose()

        return self._runner.submit(finish, lane=HOUSEKEEPING)
