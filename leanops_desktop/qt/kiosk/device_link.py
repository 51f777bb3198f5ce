"""An enrolled kiosk's device side: operators sign in by badge or PIN, reports go out with
the device's own login, and offline the cache signs in operators who signed in here before.

Every database call (and the Argon2 work of the offline cache) runs on the ``kiosk`` lane
of the controller's runner; the GUI only gets the answer, in plain words
(:func:`sign_in_message`). The report sender runs with the device's login from the start,
whoever is signed in: reports made offline go out as soon as the server answers, each
naming its operator and tap time, after the offline sign-ins they were made under.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError, PermissionDenied
from leanops_desktop.qt.db_runner import HOUSEKEEPING, KIOSK
from leanops_desktop.qt.kiosk.sender_bridge import SenderBridge
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.kiosk import operator_sign_in
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache
from leanops_desktop.services.kiosk.kiosk_start import KioskStart, reach_server
from leanops_desktop.services.kiosk.offline_reports import settle_offline_sign_ins
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.kiosk.operator_sign_in import OperatorSignIn, SignInStatus
from leanops_desktop.services.reporting.report_channel import ErrorKind, classify
from leanops_desktop.services.reporting.send_loop import SenderStatus

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_controller import KioskController

log = logging.getLogger(__name__)

PROBE_MS = 5000
NOT_KNOWN = "Badge or PIN not known. Try again, or ask your supervisor."
LOCKED = "Too many wrong PINs: this account is locked. Ask an admin for a new PIN."
RATE_LIMITED = "Too many tries at this kiosk. Wait a minute, then try again."
NOT_CACHED = (
    "No connection to the database, and this badge or PIN cannot be checked here offline "
    "(only operators who signed in at this kiosk before can). Ask your supervisor."
)
REVOKED = "This kiosk is no longer enrolled, so nobody can sign in here. Ask IT."


def sign_in_message(status: SignInStatus) -> str:
    """What the operator reads after a refused sign-in (never which part was wrong)."""
    if status == SignInStatus.LOCKED:
        return LOCKED
    if status == SignInStatus.RATE_LIMITED:
        return RATE_LIMITED
    return NOT_KNOWN


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one badge or PIN: an operator signed in, or why not."""

    signed: OperatorSignIn | None
    message: str = ""


def check_secret(start: KioskStart, method: Method, secret: str, email: str | None) -> Attempt:
    """On the runner: ask the server; when it is away, the offline cache."""
    try:
        signed = operator_sign_in.sign_in(start.device, method, secret, email)
    except PermissionDenied:
        return Attempt(None, REVOKED)
    except Exception as error:
        if classify(error) != ErrorKind.CONNECTION:
            raise
        offline = start.cache.verify(method, secret, email)
        if offline is None:
            return Attempt(None, NOT_CACHED)
        return Attempt(offline.as_sign_in())
    if not signed.ok:
        return Attempt(None, sign_in_message(signed.status))
    start.cache.remember(signed, method, secret)
    return Attempt(signed)


class DeviceLink(QObject):
    """Signs operators in and out at an enrolled kiosk and keeps its reports going out."""

    operator_failed = Signal(str)  # a plain sentence for the sign-in page

    def __init__(
        self,
        controller: KioskController,
        start: KioskStart,
        *,
        on_status: Callable[[SenderStatus], None],
    ) -> None:
        super().__init__(controller)
        self.controller = controller
        self.start = start
        self.signed: OperatorSignIn | None = None
        self.signed_method: Method = Method.PIN
        self._on_status = on_status
        self.bridge = self._new_bridge()
        self._busy = False
        #: While the server is away and nobody is signed in (no reads run), try it now and
        #: then, so the header and the sender know as soon as it is back.
        self._probe = QTimer(self)
        self._probe.setInterval(PROBE_MS)
        self._probe.timeout.connect(self.probe)
        self._probing = False

    def probe(self) -> None:
        controller = self.controller
        if controller.online or controller.signed_in is not None or self._probing:
            return
        self._probing = True
        device = self.start.device

        def back(_result: object) -> None:
            self._probing = False
            controller.set_online(True, "")
            self.bridge.wake()
            self._settle()  # sign-ins and sign-outs made offline, also when nothing waits

        def away(error: BaseException) -> None:
            self._probing = False
            if classify(error) == ErrorKind.CONNECTION:
                controller.set_online(False, "no connection to the database")
            else:
                log.warning("kiosk probe failed: %s", type(error).__name__)

        controller.runner.submit(lambda: reach_server(device), back, away, lane=KIOSK)

    def _settle(self) -> None:
        """Tell the server of the offline sign-ins and of the sign-outs it missed, now,
        not only before the next report is sent."""
        start, outbox = self.start, self.controller.outbox

        def failed(error: BaseException) -> None:  # the sender's next pass tries again
            log.info("offline sign-ins not settled yet: %s", type(error).__name__)

        self.controller.runner.submit(
            lambda: settle_offline_sign_ins(start.cache, start.device, outbox),
            lambda _answers: None,
            failed,
            lane=KIOSK,
        )

    def _new_bridge(self) -> SenderBridge:
        cache: OfflineSignInCache = self.start.cache
        device = self.start.device
        outbox = self.controller.outbox
        bridge = SenderBridge(
            self.controller.outbox,
            SignedIn(device.db, device.actor),
            self.controller.runner,
            self,
            # The server checks the offline sign-ins (and learns the sign-outs made while it
            # was away) before the reports made under them; a refused one's reports are
            # refused in the outbox with the server's reason.
            prepare=lambda: settle_offline_sign_ins(cache, device, outbox),
            scrap=self.controller.scrap_queue,
        )
        bridge.status_changed.connect(self._on_status)
        return bridge

    def pause(self) -> None:
        """Stop sending with the device's login (a supervisor's own connection sends)."""
        self.bridge.stop(dispose=False)

    def resume(self) -> None:
        """Send with the device's login again."""
        self.bridge = self._new_bridge()
        self.bridge.start()
        self.bridge.wake()

    def begin(self) -> None:
        """Start sending (called once the controller is wired)."""
        self.bridge.start()
        self.bridge.wake()
        self._probe.start()

    def sign_in(self, method: Method | str, secret: str, email: str | None = None) -> None:
        """Check a badge scan or a PIN in the background; then the session starts or the
        page shows why not."""
        if self._busy:
            return
        self._busy = True
        start, method = self.start, Method(method)

        def done(attempt: Attempt) -> None:
            self._busy = False
            if attempt.signed is None:
                self.operator_failed.emit(attempt.message)
                return
            self.signed, self.signed_method = attempt.signed, method
            if attempt.signed.offline:
                self.controller.set_online(False, "no connection to the database")
            actor = Actor(email=attempt.signed.email or "", role=attempt.signed.actor.role)
            self.controller.start_session(SignedIn(start.device.db, actor))

        def failed(error: BaseException) -> None:
            self._busy = False
            if isinstance(error, LeanOpsError):
                self.operator_failed.emit(f"Sign-in failed: {error.message}")
            else:
                log.error("kiosk sign-in failed", exc_info=error)
                self.operator_failed.emit("Sign-in failed. Try again, or ask your supervisor.")

        self.controller.runner.submit(
            lambda: check_secret(start, method, secret, email), done, failed, lane=KIOSK
        )

    def end(self) -> None:
        """The operator signs out: the server (or, offline, the cache) ends the sign-in."""
        signed, self.signed = self.signed, None
        if signed is None or signed.sign_in_id is None:
            return
        start, sign_in_id, method = self.start, signed.sign_in_id, self.signed_method

        def finish() -> bool:
            """True when the server could not be reached (the sign-out waits in the cache)."""
            if signed.offline:
                start.cache.end(sign_in_id)
                return False
            try:
                operator_sign_in.sign_out(start.device, sign_in_id)
            except Exception as error:
                if classify(error) == ErrorKind.CONNECTION:
                    # Kept with its time: sent before the next reports, so this sign-in
                    # does not seem to cover the outage, when others tap here.
                    start.cache.end_online(signed, method)
                    return True
                log.info("sign-out not recorded: %s", type(error).__name__)
            return False

        def done(server_away: bool) -> None:
            if server_away:  # the probe then tells the server as soon as it is back
                self.controller.set_online(False, "no connection to the database")

        self.controller.runner.submit(finish, done, lane=HOUSEKEEPING)

    def close(self) -> None:
        self._probe.stop()
        self.bridge.stop(dispose=False)
