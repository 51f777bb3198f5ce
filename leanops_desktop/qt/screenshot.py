"""``leanops screenshot``: render a window offscreen to a PNG (for the README and reviews).

* ``main``: the supervisor's window, signed in as the demo supervisor when the database holds
  the demo accounts, else read-only with the URL's own credentials.
* ``login``: the sign-in dialog (with the demo accounts on a demo database).
* ``kiosk``: a station's kiosk, when the kiosk module provides it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
from PySide6.QtWidgets import QApplication, QWidget

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, ConfigError, LeanOpsError
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.demo_plant import DEMO_USERS

VIEWS = ("main", "login", "kiosk")
SETTLE_MS = 400


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x900"`` -> ``(1600, 900)``."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ConfigError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1600x900")
    size = (int(width), int(height))
    if not (320 <= size[0] <= 7680 and 240 <= size[1] <= 4320):
        raise ConfigError(f"size {text} is out of range (320x240 to 7680x4320)")
    return size


def take_screenshot(
    out: Path,
    view: str,
    url: str,
    config: SiteConfig,
    station: str | None,
    size: tuple[int, int],
) -> None:
    """Render ``view`` at ``size`` pixels into the PNG file ``out``."""
    if view not in VIEWS:
        raise ConfigError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from leanops_desktop.app import create_application

    app = create_application(config.theme)
    if view == "login":
        widget = _login(url)
        widget.adjustSize()
        widget.resize(max(widget.width(), min(size[0], 560)), widget.height())
        _save(app, widget, out)
        return
    if view == "kiosk":
        widget = _kiosk(url, config, station or config.kiosk_station, size)
        _save(app, widget, out)
        return
    signed_in = _sign_in_for_screenshot(url)
    try:
        widget = _main(signed_in, config)
        widget.resize(*size)
        _save(app, widget, out)
    finally:
        signed_in.db.dispose()


def _save(app: QApplication, widget: QWidget, out: Path) -> None:
    widget.show()
    _settle(app)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out), "PNG"):
        raise ConfigError(f"could not write {out}")
    widget.close()
    widget.deleteLater()
    _settle(app, 50)


def _settle(app: QApplication, ms: int = SETTLE_MS) -> None:
    """Let layouts, timers and background loads finish."""
    deadline = QDeadlineTimer(ms)
    while not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        QCoreApplication.sendPostedEvents()


def _login(url: str) -> QWidget:
    from leanops_desktop.app import is_demo_database
    from leanops_desktop.qt.dialogs.sign_in_dialog import SignInDialog
    from leanops_desktop.qt.messages import MessageService

    demo = is_demo_database(url) or _has_demo_accounts(url)
    return SignInDialog(url, MessageService(), demo_accounts=DEMO_USERS if demo else ())


def _has_demo_accounts(url: str) -> bool:
    try:
        signed = sign_in(url, DEMO_USERS[1][0], DEMO_USERS[1][2])
    except LeanOpsError:
        return False
    signed.db.dispose()
    return True


def _sign_in_for_screenshot(url: str) -> SignedIn:
    """The demo supervisor when the database has the demo accounts, else a read-only viewer."""
    email, _role, password = DEMO_USERS[1]
    try:
        return sign_in(url, email, password)
    except AuthenticationFailed:
        pass
    db = open_database(url)
    return SignedIn(db=db, actor=Actor(email="screenshot", role=Role.SUPERVISOR))


def _main(signed_in: SignedIn, config: SiteConfig) -> QWidget:
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.main_window import MainWindow

    return MainWindow(signed_in, config, runner=DbRunner(inline=True), restore_layout=False)


def _kiosk(url: str, config: SiteConfig, station: str | None, size: tuple[int, int]) -> QWidget:
    """The kiosk module's window for ``station``, built without running the event loop."""
    if not station:
        raise ConfigError("which station? pass --station ST-01 for the kiosk view")
    try:
        from leanops_desktop.qt.kiosk.launch import build_kiosk_for_screenshot
    except ImportError:
        raise ConfigError("the kiosk view is not available in this build of LeanOps") from None
    return build_kiosk_for_screenshot(url, config, station, size)
