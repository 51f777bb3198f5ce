"""Rendering for ``leanops screenshot``: a window offscreen to a PNG (README, reviews).

The composition root (``app.take_screenshot``) signs in and builds what is shown; this
module parses the size, starts Qt offscreen, lays out the window, lets its loads finish and
grabs it:

* ``main``: the supervisor's window;
* ``login``: the sign-in dialog (with the demo accounts on a demo database);
* ``kiosk``: a station's kiosk;
* ``board``: the production board for a TV.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.qt.application import create_application

if TYPE_CHECKING:
    from leanops_desktop.qt.dialogs.sign_in_dialog import DemoAccount
    from leanops_desktop.services.accounts.signed_in import SignedIn

VIEWS = ("main", "login", "kiosk", "board")
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


def check_view(view: str) -> None:
    if view not in VIEWS:
        raise ConfigError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")


def offscreen_application(theme: str) -> QApplication:
    """The application, offscreen unless a platform was chosen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application(theme)
    keep_settings_apart()
    return app


def keep_settings_apart() -> None:
    """Window state (layout, columns, filters) goes to a throwaway folder for the rest of this
    process: a screenshot never reads or overwrites the real user's saved layout."""
    folder = tempfile.mkdtemp(prefix="leanops-screenshot-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, folder)


def save_login(
    app: QApplication,
    url: str,
    demo_accounts: Sequence[DemoAccount],
    size: tuple[int, int],
    out: Path,
) -> None:
    """The sign-in dialog for ``url``, as wide as ``size`` allows (at most 560 pixels)."""
    from leanops_desktop.qt.dialogs.sign_in_dialog import SignInDialog
    from leanops_desktop.qt.messages import MessageService

    widget = SignInDialog(url, MessageService(), demo_accounts=demo_accounts)
    widget.adjustSize()
    widget.resize(max(widget.width(), min(size[0], 560)), widget.height())
    save(app, widget, out)


def save_main(
    app: QApplication, signed_in: SignedIn, config: SiteConfig, size: tuple[int, int], out: Path
) -> None:
    """The supervisor's window of ``signed_in`` at ``size``, its tables loaded."""
    from leanops_desktop.qt.andon import attach_andon
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.main_window import MainWindow

    widget = MainWindow(signed_in, config, runner=DbRunner(inline=True), restore_layout=False)
    attach_andon(widget, config)  # the Notifications dock, as the supervisor sees it
    from leanops_desktop.qt.stops.attach import attach_stops

    attach_stops(widget, config, sweeps=False)  # the Stops dock (a picture writes nothing)
    widget.resize(*size)
    save(app, widget, out)


def save(app: QApplication, widget: QWidget, out: Path) -> None:
    """Show ``widget``, let it settle, grab it into the PNG ``out``, close it."""
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
