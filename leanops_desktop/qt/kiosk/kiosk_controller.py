"""What the kiosk does, without its widgets: sign-in, reports, undo, block, complete, scans.

Reports (counts, scrap) go to the durable outbox, are confirmed at once and sent behind; all
else that needs the database (reads, block/resume, complete, start, scans, sign-in) runs in
order on the DbRunner's ``kiosk`` lane, never freezing the screen; those are not queued
offline: the operator is told they were not recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError, RuleViolation
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.core.rows import JobRow
from leanops_desktop.core.validation import MAX_REPORT_QTY, check_quantity
from leanops_desktop.db.outbox_items import ItemState, OutboxCounts, OutboxItem
from leanops_desktop.db.scrap_outbox import ScrapOutbox
from leanops_desktop.qt.db_runner import KIOSK, DbRunner
from leanops_desktop.qt.kiosk.live_refresh import FeedFactory, LiveRefresh, default_feed
from leanops_desktop.qt.kiosk.scan import ScanVerdict, scan_verdict, sentence
from leanops_desktop.qt.kiosk.sender_bridge import SenderBridge
from leanops_desktop.qt.kiosk.snapshot import KioskSnapshot, load_snapshot
from leanops_desktop.qt.kiosk.station_actions import StationActions
from leanops_desktop.services.accounts.auth import kiosk_sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.reporting.report_sender import (
    ErrorKind,
    Outcome,
    classify,
    connection_message,
)
from leanops_desktop.services.reporting.send_loop import SenderStatus

if TYPE_CHECKING:
    from leanops_desktop.db.outbox import Outbox
    from leanops_desktop.qt.kiosk.device_link import DeviceLink
    from leanops_desktop.services.kiosk.kiosk_start import KioskStart

log = logging.getLogger(__name__)

SignInFunction = Callable[[str, str, str], SignedIn]
REFRESH_MS = 5000
AFTER_SEND_REFRESH_MS = 300


class KioskController(QObject):
    """The kiosk's state and actions for one bound station."""

    snapshot_changed = Signal(object)  # KioskSnapshot | None
    counts_changed = Signal(object)  # OutboxCounts
    connection_changed = Signal(object, str)  # online (bool | None), message
    signed_in_changed = Signal(object)  # Actor | None
    sign_in_failed = Signal(str)
    notice = Signal(str, str)  # level ("info", "warning", "error"), text
    report_confirmed = Signal(object)  # OutboxItem: a report or a correction, now durable
    scan_resolved = Signal(object)  # ScanVerdict

    def __init__(
        self,
        url: str,
        config: SiteConfig,
        station_id: str,
        outbox: Outbox,
        *,
        sign_in_function: SignInFunction = kiosk_sign_in,
        refresh_ms: int = REFRESH_MS,
        live: bool = True,
        runner: DbRunner | None = None,
        make_feed: FeedFactory = default_feed,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.url = url
        self.config = config
        self.station_id = station_id
        self.outbox = outbox
        self.scrap_queue = ScrapOutbox(outbox)  # scrap reports, in the same file
        self._sign_in = sign_in_function
        #: Every database call of the kiosk (the composition root passes its runner).
        self.runner = runner if runner is not None else DbRunner(self)
        self._make_feed = make_feed
        self.signed_in: SignedIn | None = None
        self.snapshot: KioskSnapshot | None = None
        self.online: bool | None = None
        self._bridge: SenderBridge | None = None
        self._live_enabled = live
        self._live: LiveRefresh | None = None
        self._refreshing = False
        self._refresh_again = False
        self._snapshot_started = 0.0
        self._last_sent: tuple[str, int, float] | None = None  # job, its units, when seen
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._after_send = QTimer(self)
        self._after_send.setSingleShot(True)
        self._after_send.setInterval(AFTER_SEND_REFRESH_MS)
        self._after_send.timeout.connect(self.refresh)
        self.actions = StationActions(self)
        #: An enrolled kiosk's device side (badge and PIN sign-in), set by ``attach_device``.
        self.link: DeviceLink | None = None

    def attach_device(self, start: KioskStart) -> None:
        """Work as the enrolled device of ``start``: its login sends the reports."""
        from leanops_desktop.qt.kiosk.device_link import DeviceLink

        self.link = DeviceLink(self, start, on_status=self._on_sender_status)
        self.link.begin()

    # -- who is signed in -------------------------------------------------------------------

    @property
    def actor(self) -> Actor | None:
        return self.signed_in.actor if self.signed_in else None

    def may(self, action: Action) -> bool:
        actor = self.actor
        return actor is not None and allowed(actor.role, action)

    def may_start_next(self) -> bool:
        """Supervisors start jobs here; operators too where ``[kiosk] start_next_job``."""
        started_by_operators = self.config.kiosk_start_next_job and self.actor is not None
        return self.may(Action.START_NEXT_JOB) or started_by_operators

    def begin_sign_in(self, email: str, password: str) -> None:
        """Check the credentials in the background; then the session starts or fails."""
        url = self.url

        def done(signed_in: SignedIn) -> None:
            self.start_session(signed_in)

        def failed(error: BaseException) -> None:
            if classify(error) == ErrorKind.CONNECTION:  # never the driver's own words
                self.sign_in_failed.emit("no connection to the database: try again later")
            elif isinstance(error, LeanOpsError):
                self.sign_in_failed.emit(error.message)
            else:
                log.exception("sign-in failed", exc_info=error)
                self.sign_in_failed.emit(f"sign-in failed: {type(error).__name__}")

        self.runner.submit(lambda: self._sign_in(url, email, password), done, failed, lane=KIOSK)

    def start_session(self, signed_in: SignedIn) -> None:
        """Begin working as ``signed_in``: send the outbox with their connection, read."""
        if self.signed_in is not None:
            self.sign_out()
        self.signed_in = signed_in
        self._bridge = self._sender_for(signed_in)
        self._bridge.wake()
        if self._live_enabled:
            self._live = LiveRefresh(
                signed_in,
                self.station_id,
                self.refresh,
                self._assignment_key,
                self,
                runner=self.runner,
                make_feed=self._make_feed,
            )
        self._timer.start()
        self.signed_in_changed.emit(signed_in.actor)
        if self.snapshot is not None:
            self.snapshot_changed.emit(self.snapshot)
        self.counts_changed.emit(self.counts())
        self.refresh()

    def _sender_for(self, signed_in: SignedIn) -> SenderBridge:
        """The enrolled device's sender, or one on the user's connection (the device's pauses)."""
        if self.link is not None and signed_in.db is self.link.start.device.db:
            return self.link.bridge
        if self.link is not None:
            self.link.pause()
        bridge = SenderBridge(self.outbox, signed_in, self.runner, self, scrap=self.scrap_queue)
        bridge.status_changed.connect(self._on_sender_status)
        bridge.start()
        return bridge

    def sign_out(self, reason: str = "") -> None:
        """End the session; the station stays bound and unsent reports stay in the outbox."""
        if self.signed_in is None:
            return
        self._timer.stop()
        if self._live is not None:
            self._live.stop()
            self._live.deleteLater()
            self._live = None
        if self.link is not None and self._bridge is self.link.bridge:
            self.link.end()
        elif self._bridge is not None:
            self._bridge.status_changed.disconnect(self._on_sender_status)
            self._bridge.stop(dispose=True)
            if self.link is not None:  # the device sends again
                self.link.resume()
        self._bridge = None
        self.signed_in = None
        if self.link is None:  # an enrolled kiosk keeps its station's last read (offline)
            self.snapshot = None
            self.online = None
        self.snapshot_changed.emit(None)
        self.signed_in_changed.emit(None)
        self.counts_changed.emit(self.counts())
        if reason:
            self.notice.emit("info", reason)

    # -- reading -------------------------------------------------------------------------------

    def _assignment_key(self) -> str | None:
        assignment = self.snapshot.assignment if self.snapshot else None
        return str(assignment.id) if assignment else None

    def load_now(self) -> None:
        """Read the station on the calling thread (screenshots; the kiosk itself never waits)."""
        if self.signed_in is not None:
            self._refreshing = True
            self._loaded((time.monotonic(), load_snapshot(self.signed_in.db, self.station_id)))

    def refresh(self) -> None:
        """Re-read the station, job and queue (one read at a time; extra calls coalesce)."""
        if self.signed_in is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        db, station_id = self.signed_in.db, self.station_id

        def read() -> tuple[float, KioskSnapshot]:
            return time.monotonic(), load_snapshot(db, station_id)

        self.runner.submit(read, self._loaded, self._load_failed, lane=KIOSK)

    def _loaded(self, read: tuple[float, KioskSnapshot]) -> None:
        self._refreshing = False
        if self.signed_in is None:
            return
        self._snapshot_started, snapshot = read
        self.snapshot = snapshot
        self.set_online(True, "")
        counts = self.counts()
        if counts.pending and self._bridge is not None:
            self._bridge.wake()  # the server answers again: no need to wait for the back-off
        self.snapshot_changed.emit(snapshot)
        self.counts_changed.emit(counts)
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _load_failed(self, error: BaseException) -> None:
        self._refreshing = False
        self._refresh_again = False
        if classify(error) == ErrorKind.CONNECTION:
            self.set_online(False, connection_message(error))
        elif isinstance(error, LeanOpsError):
            self.notice.emit("error", sentence(error.message))
        else:
            log.error("reading the station failed", exc_info=error)
            self.notice.emit("error", f"could not read the station: {type(error).__name__}")

    def set_online(self, online: bool | None, message: str) -> None:
        if online != self.online or not online:
            self.online = online
            self.connection_changed.emit(online, message)

    def counts(self) -> OutboxCounts:  # scrap waiting is waiting too
        return self.scrap_queue.add_waiting(self.outbox.counts())

    def pending_units(self) -> int:
        """Units of the current job confirmed here but not yet on the server."""
        job_id = self.snapshot.job_id if self.snapshot else None
        return self.outbox.pending_units(job_id, self.station_id) if job_id else 0

    def server_done(self) -> int:
        """The job's units on the server as last seen: the last read, or the count a send
        returned after it began (units sent while offline since stay on the screen)."""
        if self.snapshot is None or self.snapshot.assignment is None:
            return 0
        done = self.snapshot.assignment.job_qty_done
        if self._last_sent is not None:
            job_id, job_done, when = self._last_sent
            if job_id == self.snapshot.assignment.job_id and when > self._snapshot_started:
                done = job_done
        return done

    def job_done(self) -> int:
        """The job's units as the operator should see them: the server's plus those waiting."""
        return self.server_done() + self.pending_units()

    # -- reports ---------------------------------------------------------------------------------

    def check_report(self, qty: object) -> str | None:
        """Raise when ``qty`` cannot be reported now; a question when it passes the total."""
        if self.signed_in is None:
            raise RuleViolation("sign in first")
        qty = check_quantity("quantity", qty, maximum=MAX_REPORT_QTY)
        if self.snapshot is None or self.snapshot.assignment is None:
            raise RuleViolation(
                f"no job is running on {self.station_id}: there is nothing to count"
            )
        assignment = self.snapshot.assignment
        after = self.job_done() + qty
        if after > assignment.qty_total:
            return (
                f"{assignment.job_id} needs {assignment.qty_total:,} units and has "
                f"{self.job_done():,}. Count {qty:,} more anyway ({after:,} in all)?"
            )
        return None

    def report(self, qty: int, *, confirm_over: bool = False) -> OutboxItem:
        """Store the report durably, confirm it, and wake the sender."""
        question = self.check_report(qty)
        if question is not None and not confirm_over:
            raise RuleViolation("counting past the job's total needs a confirmation")
        assert self.snapshot is not None and self.snapshot.assignment is not None
        assert self.actor is not None
        item = self.outbox.add_report(
            station_id=self.station_id,
            job_id=self.snapshot.assignment.job_id,
            qty=qty,
            operator=self.actor.email,
            confirm_over=question is not None,
        )
        self._after_store(item)
        return item

    def undo(self, report_id: UUID) -> OutboxItem:
        """Take a report back by queueing its correction (the log is never deleted)."""
        if self.actor is None:
            raise RuleViolation("sign in first")
        if self.outbox.get(report_id).state == ItemState.REFUSED:
            raise RuleViolation("that report was not counted (see Refused): nothing to undo")
        item = self.outbox.add_correction(report_id, operator=self.actor.email)
        self._after_store(item)
        return item

    def wake_sender(self) -> None:
        if self._bridge is not None:
            self._bridge.wake()

    def _after_store(self, item: OutboxItem) -> None:
        self.wake_sender()
        self.report_confirmed.emit(item)
        self.counts_changed.emit(self.counts())

    def requeue(self, item_id: UUID) -> None:
        """Send an over-total refusal again, now with the operator's confirmation."""
        self.outbox.requeue(item_id, confirm_over=True)
        if self._bridge is not None:
            self._bridge.wake()
        self.counts_changed.emit(self.counts())

    def acknowledge_refused(self) -> None:
        for item in self.outbox.refused():
            if not item.acknowledged:
                self.outbox.acknowledge(item.id)
        self.counts_changed.emit(self.counts())

    def _on_sender_status(self, status: SenderStatus) -> None:
        if status.online is not None:
            self.set_online(status.online, status.message if status.online is False else "")
        last = status.last
        if last is not None and last.outcome == Outcome.REFUSED:
            self.notice.emit(
                "error",
                f"Not counted: {last.item.signed_qty:+d} for {last.item.job_id}. "
                f"{sentence(last.message)} It is kept under Refused.",
            )
        if last is not None and last.result is not None:
            self._last_sent = (last.item.job_id, last.result.job_qty_done, time.monotonic())
        if last is not None and last.outcome in (Outcome.SENT, Outcome.REFUSED):
            self._after_send.start()
        self.counts_changed.emit(self.counts())

    def scan(self, code: str) -> None:
        """Look up a scanned job id; the verdict arrives as ``scan_resolved``."""
        from leanops_desktop.qt.kiosk.scan_lookup import look_up

        look_up(self, code)

    def verdict(self, job: JobRow) -> ScanVerdict:
        """Why a scanned job can or cannot be worked here."""
        current = self.snapshot.job_id if self.snapshot else None
        return scan_verdict(job, self.station_id, current, may_start=self.may_start_next())

    def close(self) -> None:
        """Stop everything (the window is closing)."""
        self.sign_out()
        if self.link is not None:
            self.link.close()
        self._after_send.stop()
        self.runner.close()
