"""Scrap at the kiosk: "Scrap…" beside +1/+5/+10, then how many, then why, in big buttons.

The reason is a quality leaf of the reason tree, picked in two levels (its group, then the
leaf). The report goes to the scrap outbox (durable, sent once with the counts) and is
confirmed at once; the reasons last read are kept in the outbox file, so an operator can
report scrap while the server is away.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QSizePolicy

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.db.scrap_reason_cache import ScrapReason, ScrapReasonCache
from leanops_desktop.qt.db_runner import KIOSK
from leanops_desktop.qt.kiosk.choice_page import CANCEL, Choice
from leanops_desktop.qt.kiosk.scan import sentence
from leanops_desktop.qt.kiosk.widgets import big_button
from leanops_desktop.services.quality.kiosk_scrap import quality_leaves

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow

log = logging.getLogger(__name__)

QTY_QUESTION, GROUP_QUESTION, REASON_QUESTION = "scrap-qty", "scrap-group", "scrap-reason"
SCRAP_AMOUNTS = (1, 2, 3, 5, 10)
_GROUP, _LEAF = "group:", "leaf:"


class ScrapFlow(QObject):
    """The kiosk window's scrap button and its questions."""

    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.cache = ScrapReasonCache(self.controller.outbox)
        self.reasons: list[ScrapReason] = self.cache.load()
        self.qty = 0
        self.button = big_button("Scrap…", "stop", window.quick)
        self.button.setAccessibleName("Report scrap")
        layout = window.quick.layout()
        assert layout is not None
        layout.addWidget(self.button)
        self.button.clicked.connect(self.start)
        window.choice_page.chosen.connect(self._answered)
        self.controller.signed_in_changed.connect(self._signed_in)
        # The same undo as a count's: offered for the banner's time after each scrap report.
        self.undo_button = big_button("Undo scrap", "undo", window.banner)  # in the banner
        self.undo_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.undo_button.hide()
        banner_layout = window.banner.layout()
        assert banner_layout is not None
        banner_layout.addWidget(self.undo_button)
        self.undo_button.clicked.connect(self.undo)
        self._undoable: UUID | None = None
        self._left_ms = 0
        self._tick = QTimer(self)
        self._tick.setInterval(min(1000, window.banner.undo_ms))
        self._tick.timeout.connect(self._count_down)
        self._refused_seen = len(self.controller.scrap_queue.refused())
        self.controller.counts_changed.connect(self._tell_refused)

    def _tell_refused(self, _counts: object) -> None:
        """Scrap the server refused (the job moved away, a reason retired) is said, once."""
        refused = self.controller.scrap_queue.refused()
        if len(refused) <= self._refused_seen:
            return
        item, self._refused_seen = refused[-1], len(refused)
        self.window.show_notice(
            "error",
            f"Scrap not counted: {item.qty:,} for {item.job_id}. "
            f"{sentence(item.last_error or 'refused')}",
        )

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is not None:
            self.read_reasons()

    def read_reasons(self) -> None:
        """Read the quality leaves in the background; keep them for offline use."""
        signed_in = self.controller.signed_in
        if signed_in is None:
            return
        db = signed_in.db

        def read() -> list[ScrapReason]:
            with db.session() as session:
                return quality_leaves(session)

        def failed(error: BaseException) -> None:  # offline: the kept reasons serve
            log.info("scrap reasons not read: %s", type(error).__name__)

        self.controller.runner.submit(read, self._read, failed, lane=KIOSK)

    def _read(self, reasons: list[ScrapReason]) -> None:
        self.reasons = reasons
        self.cache.replace(reasons)

    def start(self) -> None:
        """Ask how many (the keypad's amount, if typed, is taken as it)."""
        snapshot = self.controller.snapshot
        if self.controller.actor is None or snapshot is None or snapshot.assignment is None:
            self.window.show_notice("error", "No job is running here: there is nothing to scrap.")
            return
        if not self.reasons:
            self.read_reasons()
            self.window.show_notice(
                "warning", "No scrap reasons are set up yet: ask a supervisor to add them."
            )
            return
        typed = self.window.keypad.text
        if typed:
            self.window.keypad.press("C")
            self.qty = int(typed)
            self.ask_group()
            return
        choices = [Choice(str(n), f"{n} scrapped", "warn") for n in SCRAP_AMOUNTS]
        self.window.ask_question(
            QTY_QUESTION, f"Scrap on {snapshot.assignment.job_id}: how many?",
            "Units that are not good. Good units are counted with +1, +5, +10.",
            choices, columns=3,
        )  # fmt: skip

    def ask_group(self) -> None:
        groups: dict[str, Choice] = {}
        for reason in self.reasons:
            if reason.group_id is None:
                groups[_LEAF + reason.id] = Choice(_LEAF + reason.id, reason.name, "warn")
            else:
                key = _GROUP + reason.group_id
                groups.setdefault(key, Choice(key, f"{reason.group_name} ›", ""))
        if len(groups) == 1 and next(iter(groups)).startswith(_GROUP):
            self.ask_reason(next(iter(groups))[len(_GROUP):])
            return
        self.window.ask_question(
            GROUP_QUESTION, f"{self.qty:,} scrapped: why?", "", list(groups.values()), columns=3
        )

    def ask_reason(self, group_id: str) -> None:
        leaves = [r for r in self.reasons if r.group_id == group_id]
        choices = [Choice(_LEAF + r.id, r.name, "warn") for r in leaves]
        title = f"{self.qty:,} scrapped: {leaves[0].group_name if leaves else group_id}"
        self.window.ask_question(REASON_QUESTION, title, "", choices, columns=3)

    def _answered(self, question_id: str, key: str) -> None:
        if question_id not in (QTY_QUESTION, GROUP_QUESTION, REASON_QUESTION) or key == CANCEL:
            return
        if question_id == QTY_QUESTION:
            self.qty = int(key)
            self.ask_group()
        elif key.startswith(_GROUP):
            self.ask_reason(key[len(_GROUP):])
        else:
            self.report(self.qty, key[len(_LEAF):])

    def report(self, qty: int, reason_id: str) -> None:
        """Store the scrap report durably, confirm it and wake the sender."""
        controller = self.controller
        snapshot, actor = controller.snapshot, controller.actor
        if actor is None or snapshot is None or snapshot.assignment is None:
            self.window.show_notice("error", "Sign in first.")
            return
        job_id = snapshot.assignment.job_id
        try:
            report_id = controller.scrap_queue.add(
                station_id=controller.station_id, job_id=job_id, qty=qty,
                reason_id=reason_id, operator=actor.email,
            )  # fmt: skip
        except LeanOpsError as error:
            self.window.show_notice("error", sentence(error.message))
            return
        self._stored()
        name = next((r.name for r in self.reasons if r.id == reason_id), reason_id)
        self.window.show_notice("info", f"✓ {qty:,} scrapped on {job_id}: {name}")
        self._offer_undo(report_id)
        if self.window.banner.item is None:  # no count's undo running: say it there too
            self.window.banner.label.setText(f"✓ {qty:,} scrapped on {job_id}")

    def _stored(self) -> None:
        self.controller.wake_sender()
        self.controller.counts_changed.emit(self.controller.counts())

    def _offer_undo(self, report_id: UUID | None) -> None:
        self._undoable = report_id
        self._tick.stop()
        self.undo_button.setVisible(report_id is not None)
        if report_id is not None:
            self._left_ms = self.window.banner.undo_ms
            self._show_left()
            self._tick.start()

    def _show_left(self) -> None:
        self.undo_button.setText(f"Undo scrap  {max(self._left_ms // 1000, 0)} s")

    def _count_down(self) -> None:
        self._left_ms -= self._tick.interval()
        if self._left_ms <= 0:
            self._offer_undo(None)
            if self.window.banner.item is None:  # back to the quiet hint
                self.window.banner.show_item(None)
        else:
            self._show_left()

    def undo(self) -> None:
        """Take the last scrap report back by queueing its correction (nothing is deleted)."""
        report_id, actor = self._undoable, self.controller.actor
        self._offer_undo(None)
        if report_id is None or actor is None:
            return
        queue = self.controller.scrap_queue
        try:
            queue.add_correction(report_id, operator=actor.email)
        except LeanOpsError as error:
            self.window.show_notice("error", sentence(error.message))
            return
        self._stored()
        item = queue.get(report_id)
        self.window.show_notice("info", f"✓ Scrap taken back: -{item.qty:,} on {item.job_id}")
