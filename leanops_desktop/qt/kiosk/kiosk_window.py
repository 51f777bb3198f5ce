"""The kiosk screen: header, the work page, full-page questions, refused reports, sign-in.

No menus, no docks, no modal dialogs: every question is a full page with big answers, and the
keyboard belongs to the scanner (a job id and Enter) unless someone types into the sign-in."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.db.outbox_items import ItemState, OutboxCounts, OutboxItem
from leanops_desktop.qt.gc_pauses import freeze_long_lived
from leanops_desktop.qt.kiosk import blocked_count
from leanops_desktop.qt.kiosk.barcode import BarcodeBuffer
from leanops_desktop.qt.kiosk.choice_page import CANCEL, Choice, ChoicePage
from leanops_desktop.qt.kiosk.header import KioskHeader
from leanops_desktop.qt.kiosk.idle import IdleWatcher
from leanops_desktop.qt.kiosk.job_panel import JobPanel
from leanops_desktop.qt.kiosk.kiosk_controller import KioskController
from leanops_desktop.qt.kiosk.notice_place import place_notice
from leanops_desktop.qt.kiosk.queue_panel import QueuePanel
from leanops_desktop.qt.kiosk.refused_page import RefusedPage
from leanops_desktop.qt.kiosk.report_pad import Keypad, QuickCountRow
from leanops_desktop.qt.kiosk.scan import ScanVerdict, sentence
from leanops_desktop.qt.kiosk.scrap_flow import ScrapFlow
from leanops_desktop.qt.kiosk.scrap_tally import job_scrap
from leanops_desktop.qt.kiosk.sign_in_page import SignInPage
from leanops_desktop.qt.kiosk.snapshot import KioskSnapshot
from leanops_desktop.qt.kiosk.stop_flow import StopFlow
from leanops_desktop.qt.kiosk.style import Sizing, sizing_for, stylesheet
from leanops_desktop.qt.kiosk.undo_banner import UNDO_MS, UndoBanner
from leanops_desktop.qt.kiosk.widgets import NoticeStrip, big_button

START_CHOICES = 4


class KioskWindow(QWidget):
    """One station's kiosk; the station stays bound while operators come and go."""

    def __init__(
        self,
        controller: KioskController,
        *,
        idle_ms: int | None = None,
        undo_ms: int = UNDO_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setWindowTitle(f"LeanOps kiosk · {controller.station_id}")
        self.controller = controller
        self.barcode = BarcodeBuffer()
        minutes = controller.config.idle_sign_out_minutes
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else minutes * 60_000, self)
        self._sizing: Sizing | None = None
        self._pending_qty = 0
        self._settled = False  # the first snapshot has been shown (see _show_snapshot)

        self.header = KioskHeader(controller.station_id, self)
        self.sign_in_page = SignInPage(controller.station_id, self)
        self.job_panel = JobPanel(self)
        self.quick = QuickCountRow(self)
        self.banner = UndoBanner(self, undo_ms=undo_ms)
        self.queue = QueuePanel(self)
        self.keypad = Keypad(self)
        self.block_button = big_button("Block station", "warn", self)
        self.resume_button = big_button("Resume", "go", self)
        self.complete_button = big_button("Complete job", "go", self)
        self.start_button = big_button("Start next job", "", self)
        self.refused_button = big_button("", "stop", self)
        self.refused_button.hide()
        self.choice_page = ChoicePage(self)
        self.refused_page = RefusedPage(self)
        self.notice = NoticeStrip(self)
        self.work_page = self._build_work_page()
        self.stack = QStackedWidget(self)
        for page in (self.sign_in_page, self.work_page, self.choice_page, self.refused_page):
            self.stack.addWidget(page)
        later = partial(QTimer.singleShot, 0, partial(place_notice, self))
        self.stack.currentChanged.connect(lambda _index: later())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self._connect()
        self.scrap = ScrapFlow(self)
        self.stops = StopFlow(self)
        self._apply_sizing()
        self._show_actor(controller.actor)
        self._show_counts(controller.counts())

    def _build_work_page(self) -> QWidget:
        page = QWidget(self)
        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(self.job_panel)
        left.addWidget(self.quick)
        left.addWidget(self.banner)
        left.addWidget(self.queue, 1)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        columns.addLayout(left, 3)
        columns.addWidget(self.keypad, 2)
        actions = QGridLayout()
        actions.setSpacing(12)
        actions.addWidget(self.block_button, 0, 0)
        actions.addWidget(self.resume_button, 0, 0)
        actions.addWidget(self.complete_button, 0, 1)
        actions.addWidget(self.start_button, 0, 2)
        actions.addWidget(self.refused_button, 0, 3)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(columns, 1)
        layout.addLayout(actions)
        self.resume_button.hide()  # shown instead of "Block station" while blocked
        return page

    def _connect(self) -> None:
        c = self.controller
        c.snapshot_changed.connect(self._show_snapshot)
        c.counts_changed.connect(self._show_counts)
        c.connection_changed.connect(self.header.set_connection)
        c.signed_in_changed.connect(self._show_actor)
        c.sign_in_failed.connect(self.sign_in_page.failed)
        c.notice.connect(self.show_notice)
        c.report_confirmed.connect(self._confirmed)
        c.scan_resolved.connect(self._scanned)
        self.sign_in_page.sign_in_requested.connect(c.begin_sign_in)
        self.header.sign_out_clicked.connect(lambda: c.sign_out("Signed out."))
        self.refused_button.clicked.connect(self.show_refused)
        self.quick.quantity_entered.connect(self.report)
        self.keypad.quantity_entered.connect(self.report)
        self.banner.undo_requested.connect(self.undo)
        self.block_button.clicked.connect(self.ask_block)
        self.resume_button.clicked.connect(c.actions.resume)
        self.complete_button.clicked.connect(self.ask_complete)
        self.start_button.clicked.connect(self.ask_start_next)
        self.choice_page.chosen.connect(self._answered)
        self.refused_page.resend_requested.connect(self._resend)
        self.refused_page.closed.connect(self._close_refused)
        self.idle.timed_out.connect(self._idle_sign_out)

    # -- showing state ---------------------------------------------------------------------

    def show_notice(self, level: str, text: str) -> None:
        self.notice.show_notice(level, text)
        place_notice(self)
        self.notice.raise_()
        QTimer.singleShot(0, partial(place_notice, self))  # again once the layouts have settled

    def _show_actor(self, actor: Actor | None) -> None:
        self.header.set_actor(actor)
        if actor is None:
            self.idle.stop()
            self.sign_in_page.reset()
            self.banner.show_item(None)
            self.job_panel.show_snapshot(None, 0)
            self.stack.setCurrentWidget(self.sign_in_page)
            self.sign_in_page.email.setFocus()
            return
        self.sign_in_page.remember(actor.email)
        self.sign_in_page.reset()
        self.start_button.setVisible(self.controller.may_start_next())
        self.stack.setCurrentWidget(self.work_page)
        self.idle.start()
        self.setFocus()

    def _show_snapshot(self, snapshot: KioskSnapshot | None) -> None:
        self._show_job()
        if snapshot is None:  # signed out: the header keeps the last known station
            return
        if not self._settled:
            # Everything alive now lives as long as the kiosk: out of the collector's walk,
            # so a full collection (40-60 ms here) never stalls a tap (see gc_pauses).
            self._settled = True
            freeze_long_lived()
        self.header.set_station(snapshot.station)
        self.queue.show_queue(snapshot.queue, snapshot.read_at.astimezone().date())
        blocked = snapshot.station.blocked_reason is not None
        self.block_button.setVisible(not blocked)
        self.resume_button.setVisible(blocked)
        has_job = snapshot.assignment is not None
        self.complete_button.setEnabled(has_job)
        self.quick.setEnabled(has_job)
        self.keypad.setEnabled(has_job)
        self.start_button.setEnabled(not has_job and bool(snapshot.queue))

    def _show_job(self) -> None:
        controller = self.controller
        done, waiting = controller.job_done(), controller.pending_units()
        self.job_panel.show_snapshot(controller.snapshot, done, waiting, job_scrap(controller))

    def _show_counts(self, counts: OutboxCounts) -> None:
        self.header.set_counts(counts)
        self.refused_button.setText(f"{counts.refused} refused")
        self.refused_button.setVisible(counts.refused > 0)
        self.sign_in_page.set_waiting(counts.pending)
        shown = self.banner.shown_id
        if shown is not None and self.controller.outbox.get(shown).state != ItemState.PENDING:
            self.banner.set_sent()
        if self.controller.snapshot is not None:
            self._show_job()
        if self.stack.currentWidget() is self.refused_page:
            self.refused_page.show_items(self.controller.outbox.refused())

    # -- reporting -------------------------------------------------------------------------

    def report(self, qty: int) -> None:
        """An amount from +N or the keypad: report it, asking first when over the total."""
        try:
            question = self.controller.check_report(qty)
            blocked = blocked_count.blocked_reason(self)
            if question is None and blocked is None:
                self.controller.report(qty)
                return
        except LeanOpsError as error:
            self.show_notice("error", sentence(error.message))
            return
        self._pending_qty = qty
        if blocked is not None:
            blocked_count.ask_blocked_count(self, qty, blocked, question)
            return
        assert question is not None
        self.ask_question(
            "over",
            "More than the job needs",
            question,
            [Choice("yes", f"Count {qty} anyway", "warn")],
        )

    def _confirmed(self, item: OutboxItem) -> None:
        self.banner.show_item(item, sent=False)
        self._show_job()

    def undo(self, report_id: UUID) -> None:
        try:
            self.controller.undo(report_id)
        except LeanOpsError as error:
            self.show_notice("error", sentence(error.message))

    # -- questions -------------------------------------------------------------------------

    def ask_question(
        self,
        question_id: str,
        title: str,
        text: str,
        choices: list[Choice],
        *,
        warning: str = "",
        columns: int = 2,
    ) -> None:
        self.choice_page.ask(question_id, title, text, choices, warning=warning, columns=columns)
        self.stack.setCurrentWidget(self.choice_page)

    def ask_block(self) -> None:
        reasons = [
            Choice(reason, reason.capitalize(), "warn")
            for reason in self.controller.config.block_reasons
        ]
        self.ask_question(
            "block", f"Why is {self.controller.station_id} stopped?", "", reasons, columns=3
        )

    def ask_complete(self) -> None:
        try:
            completion = self.controller.actions.completion()
        except LeanOpsError as error:
            self.show_notice("error", sentence(error.message))
            return
        warning = ""
        if completion.short_by:
            warning = (
                f"Only {completion.done:,} of {completion.total:,} units are counted: "
                f"{completion.short_by:,} short."
            )
        self.ask_question(
            "complete",
            f"Complete {completion.job_id}?",
            f"{completion.done:,} of {completion.total:,} units counted. The job ends on every "
            "station it runs on.",
            [Choice(completion.job_id, "Complete job", "go")],
            warning=warning,
            columns=1,
        )

    def ask_start_next(self) -> None:
        snapshot = self.controller.snapshot
        if snapshot is None or not snapshot.queue:
            self.show_notice("warning", "No job is waiting.")
            return
        choices = [Choice(job.id, f"{job.id} · {job.part_name}", "go") for job in snapshot.queue]
        self.ask_question("start", "Start which job here?", "", choices[:START_CHOICES], columns=1)

    def _answered(self, question_id: str, key: str) -> None:
        self.stack.setCurrentWidget(self.work_page)
        self.setFocus()
        if key == CANCEL:
            return
        if question_id == "over":
            try:
                self.controller.report(self._pending_qty, confirm_over=True)
            except LeanOpsError as error:
                self.show_notice("error", sentence(error.message))
        elif question_id == blocked_count.QUESTION:
            blocked_count.answer_blocked_count(self, self._pending_qty, key)
        elif question_id == "block":
            self.controller.actions.block(key)
        elif question_id == "complete":
            self.controller.actions.complete(key)
        elif question_id == "start":
            self.controller.actions.start_job(key)

    # -- refused reports -------------------------------------------------------------------

    def show_refused(self) -> None:
        self.refused_page.show_items(self.controller.outbox.refused())
        self.stack.setCurrentWidget(self.refused_page)

    def _resend(self, item_id: UUID) -> None:
        try:
            self.controller.requeue(item_id)
        except LeanOpsError as error:
            self.show_notice("error", sentence(error.message))
        self.refused_page.show_items(self.controller.outbox.refused())

    def _close_refused(self) -> None:
        self.controller.acknowledge_refused()
        self.stack.setCurrentWidget(
            self.work_page if self.controller.signed_in else self.sign_in_page
        )
        self.setFocus()

    # -- scanner, idle, sizing -------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        quit_keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_Q and event.modifiers() == quit_keys:
            self.close()  # IT's way out of the full-screen kiosk (a scanner never sends it)
            return
        if self.stack.currentWidget() is self.sign_in_page:
            super().keyPressEvent(event)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.barcode.enter()
            if code:
                self.controller.scan(code)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.barcode.clear()
            return
        if event.text():
            self.barcode.type(event.text())
            return
        super().keyPressEvent(event)

    def _scanned(self, verdict: ScanVerdict) -> None:
        if verdict.kind == "current":
            self.stack.setCurrentWidget(self.work_page)
            self.show_notice("info", verdict.text)
            self.controller.refresh()
        elif verdict.kind == "start":
            self.ask_question(
                "start", verdict.text, "", [Choice(verdict.code, f"Start {verdict.code}", "go")]
            )
        else:
            self.show_notice("warning", verdict.text)

    def _idle_sign_out(self) -> None:
        minutes = self.idle.timeout_ms / 60_000
        amount = f"{minutes:.0f} min" if minutes >= 1 else f"{self.idle.timeout_ms / 1000:.0f} s"
        self.stack.setCurrentWidget(self.sign_in_page)
        self.controller.sign_out(f"Signed out after {amount} without use.")

    def _apply_sizing(self) -> None:
        sizing = sizing_for(self.logicalDpiY(), self.width(), self.height())
        if sizing != self._sizing:
            self._sizing = sizing
            self.setStyleSheet(stylesheet(sizing, self.controller.config.theme))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_sizing()
        place_notice(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.controller.close()
        super().closeEvent(event)
