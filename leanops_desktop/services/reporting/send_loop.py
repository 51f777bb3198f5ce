"""The kiosk's report sender on its own thread: a pass after every new report, a retry with
a growing pause while offline, and the status the kiosk shows after every item and pass."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from leanops_desktop.services.reporting.report_sender import (
    ItemResult,
    Outcome,
    PassResult,
    ReportSender,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SenderStatus:
    """What the sender loop last learned (handed to the kiosk after every item and pass)."""

    online: bool | None  # None: not known yet
    message: str = ""
    retry_in: float | None = None  # seconds until the next attempt while offline
    last: ItemResult | None = None  # the item just handled, if any


class SendLoop:
    """Runs :meth:`ReportSender.send_pending` on a background thread.

    A pass starts when :meth:`wake` is called (after every new report) and, as a safety net,
    every ``poll_interval`` seconds. While offline it retries after 0.5 s, doubling up to
    ``max_delay``. ``on_status`` is called from the loop's thread.
    """

    def __init__(
        self,
        sender: ReportSender,
        on_status: Callable[[SenderStatus], None] | None = None,
        *,
        first_delay: float = 0.5,
        max_delay: float = 8.0,
        poll_interval: float = 30.0,
    ) -> None:
        self.sender = sender
        self._on_status = on_status
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._online: bool | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def online(self) -> bool | None:
        return self._online

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the send loop was already started")
        self._thread = threading.Thread(target=self._run, name="leanops-report-sender")
        self._thread.daemon = True  # a connect that hangs must not keep the process alive
        self._thread.start()

    def wake(self) -> None:
        """Send now (a new report, or the operator asked to retry)."""
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop after the item in flight; True when the thread has ended within ``timeout``."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _emit(self, status: SenderStatus) -> None:
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:  # a broken listener must not stop the sending
                log.exception("the sender's status listener failed")

    def _on_item(self, result: ItemResult) -> None:
        if result.outcome != Outcome.OFFLINE:
            self._online = True
        self._emit(SenderStatus(online=self._online, message=result.message, last=result))

    def _run(self) -> None:
        try:
            self._send_until_stopped()
        finally:
            self.sender.close()

    def _send_until_stopped(self) -> None:
        delay = self._first_delay
        while not self._stop.is_set():
            self._wake.clear()
            try:
                result = self.sender.send_pending(stop=self._stop, on_result=self._on_item)
            except Exception as error:  # the outbox itself failed (disk full, ...)
                log.exception("the report sender failed")
                result = PassResult((), online=None, error=f"outbox: {error}")
            self.sender.rest()
            if self._stop.is_set():
                break
            if result.error:
                if result.online is False:
                    self._online = False
                self._emit(SenderStatus(online=self._online, message=result.error, retry_in=delay))
                self._wake.wait(delay)
                delay = min(delay * 2, self._max_delay)
                continue
            delay = self._first_delay
            if result.online is not None:
                self._online = result.online
            self._emit(SenderStatus(online=self._online))
            self._wake.wait(self._poll_interval)
