"""Unexplained stops at the kiosk: a sweep every minute while online, the station's stops
without a reason (last 24 h) on the work page, and "Explain" to give one a reason.

The sweep (``sweep_quiet_stations``) and the read run on the kiosk's lane, never on the
GUI thread, and not while offline. Explaining picks a reason of the downtime tree in two
levels (a top reason, then one of its sub-reasons, or the top reason itself) and calls
``classify_stop`` as the signed-in operator (an enrolled kiosk's device, for the operator
signed in at it). Classifying needs the server: offline the button says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import KIOSK
from leanops_desktop.qt.kiosk.choice_page import CANCEL, Choice
from leanops_desktop.qt.kiosk.scan import sentence
from leanops_desktop.qt.kiosk.stop_notice import StopNotice, stop_text
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.downtime.stops import (
    StopRow,
    classify_stop,
    list_stops,
    sweep_quiet_stations,
)
from leanops_desktop.services.quality.reasons import ReasonRow, list_reasons
from leanops_desktop.services.reporting.report_sender import (
    ErrorKind,
    classify,
    connection_message,
)

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow

log = logging.getLogger(__name__)

SWEEP_MS = 60_000
LOOK_BACK = timedelta(hours=24)
TOP_QUESTION, SUB_QUESTION = "stop-reason", "stop-sub-reason"
_GROUP, _REASON = "group:", "reason:"


@dataclass(frozen=True, slots=True)
class StopsRead:
    """What one sweep found: the unexplained stops (newest first) and the active reasons."""

    stops: list[StopRow]
    reasons: list[ReasonRow]
    read_at: datetime


def sweep_and_read(signed_in: SignedIn, station_id: str) -> StopsRead:
    """Open the stops of quiet stations, then read this station's unexplained ones."""
    now = datetime.now(UTC)
    with signed_in.db.session() as session:
        sweep_quiet_stations(session, signed_in.actor)
    with signed_in.db.session() as session:
        stops = list_stops(
            session, signed_in.actor, since=now - LOOK_BACK, station_id=station_id,
            unclassified_only=True,
        )  # fmt: skip
        reasons = [reason for reason in list_reasons(session) if reason.is_active]
    return StopsRead(stops, reasons, now)


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QBoxLayout:
    """The box layout, ``layout`` or one nested in it, that holds ``widget``."""
    if isinstance(layout, QBoxLayout) and layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count() if layout is not None else 0):
        item = layout.itemAt(index) if layout is not None else None
        inner = item.layout() if item is not None else None
        if inner is not None:
            try:
                return _layout_holding(inner, widget)
            except LookupError:
                continue
    raise LookupError("the work page has no queue")


class StopFlow(QObject):
    """The kiosk window's stop notice, its minute sweep and its reason questions."""

    def __init__(self, window: KioskWindow, *, sweep_ms: int = SWEEP_MS) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.stops: list[StopRow] = []
        self.reasons: list[ReasonRow] = []
        self._sweeping = False
        self.notice = StopNotice(window.work_page)
        # In the left column above the queue (which gives way): the keypad keeps its size.
        left = _layout_holding(window.work_page.layout(), window.queue)
        left.insertWidget(left.indexOf(window.queue), self.notice)
        self.notice.explain_clicked.connect(self.ask_reason)
        self.timer = QTimer(self)
        self.timer.setInterval(sweep_ms)
        self.timer.timeout.connect(self.sweep)
        window.choice_page.chosen.connect(self._answered)
        self.controller.signed_in_changed.connect(self._signed_in)
        self.controller.connection_changed.connect(self._connection)

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is None:
            self.timer.stop()
            self._show([])
            return
        self.timer.start()
        self.sweep()

    def _connection(self, online: bool | None, _message: str) -> None:
        self.notice.set_online(online is not False)

    def sweep(self) -> None:
        """Sweep and read in the background (one at a time; skipped while offline)."""
        signed_in = self.controller.signed_in
        if signed_in is None or self._sweeping or self.controller.online is False:
            return
        self._sweeping = True
        station_id = self.controller.station_id

        def failed(error: BaseException) -> None:
            self._sweeping = False
            if classify(error) == ErrorKind.CONNECTION:
                self.controller.set_online(False, connection_message(error))
            else:
                log.warning("the stop sweep failed: %s", type(error).__name__, exc_info=error)

        self.controller.runner.submit(
            lambda: sweep_and_read(signed_in, station_id), self._read, failed, lane=KIOSK
        )

    def _read(self, read: StopsRead) -> None:
        self._sweeping = False
        if self.controller.signed_in is None:
            return
        self.reasons = read.reasons
        self._show(read.stops)

    def _show(self, stops: list[StopRow]) -> None:
        self.stops = stops
        self.notice.show_stops(stops, datetime.now(UTC))
        self.notice.set_online(self.controller.online is not False)

    # -- the reason questions ------------------------------------------------------------------

    def ask_reason(self) -> None:
        """The top reasons, in big buttons (those with sub-reasons open a second page)."""
        if not self.stops:
            return
        if not self.reasons:
            self.window.show_notice("warning", "No stop reasons are set up: ask a supervisor.")
            return
        parents = {reason.parent_id for reason in self.reasons if reason.parent_id}
        choices = [
            Choice(_GROUP + reason.id, f"{reason.name} ›", "warn")
            if reason.id in parents
            else Choice(_REASON + reason.id, reason.name, "warn")
            for reason in self.reasons
            if reason.parent_id is None
        ]
        words = self._stop_words()
        self.window.ask_question(TOP_QUESTION, self._title(), words, choices, columns=3)

    def ask_sub_reason(self, parent_id: str) -> None:
        parent = next(reason for reason in self.reasons if reason.id == parent_id)
        choices = [
            Choice(_REASON + reason.id, reason.name, "warn")
            for reason in self.reasons
            if reason.parent_id == parent_id
        ]
        choices.append(Choice(_REASON + parent.id, f"{parent.name}, other", ""))
        words = f"{self._stop_words()}  ·  {parent.name} ›"  # wraps: a name may be long
        self.window.ask_question(SUB_QUESTION, self._title(), words, choices, columns=3)

    def _title(self) -> str:
        return f"Why did {self.controller.station_id} stop?"

    def _stop_words(self) -> str:
        return stop_text(self.stops[0], datetime.now(UTC)) if self.stops else "Stopped"

    def _answered(self, question_id: str, key: str) -> None:
        if question_id not in (TOP_QUESTION, SUB_QUESTION) or key == CANCEL:
            return
        if key.startswith(_GROUP):
            self.ask_sub_reason(key[len(_GROUP) :])
        elif self.stops:
            self.explain(self.stops[0], key[len(_REASON) :])

    def explain(self, stop: StopRow, reason_id: str) -> None:
        """Classify ``stop`` as the signed-in operator, in the background."""
        signed_in = self.controller.signed_in
        if signed_in is None:
            self.window.show_notice("error", "Sign in first.")
            return
        device = self.controller.actions._device(signed_in)
        name = next((r.name for r in self.reasons if r.id == reason_id), reason_id)

        def task() -> bool:
            if device is None:
                with signed_in.db.session() as session:
                    return classify_stop(session, signed_in.actor, stop.id, reason_id)
            with device.db.session() as session:
                return classify_stop(
                    session, device.actor, stop.id, reason_id, operator=signed_in.actor.email
                )

        def done(_changed: bool) -> None:
            self._show([other for other in self.stops if other.id != stop.id])
            self.window.show_notice("info", f"✓ {stop_text(stop, datetime.now(UTC))}: {name}")
            self.sweep()

        self.controller.runner.submit(task, done, self._explain_failed, lane=KIOSK)

    def _explain_failed(self, error: BaseException) -> None:
        if classify(error) == ErrorKind.CONNECTION:
            self.controller.set_online(False, connection_message(error))
            self.window.show_notice(
                "error",
                "No connection to the database: the stop was NOT explained. "
                "Explain it when the connection is back.",
            )
        elif isinstance(error, LeanOpsError):
            self.window.show_notice("error", f"Not explained: {sentence(error.message)}")
            self.sweep()
        else:
            log.error("explaining the stop failed", exc_info=error)
            self.window.show_notice("error", f"Not explained: {type(error).__name__}")
