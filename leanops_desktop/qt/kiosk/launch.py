"""Starting the kiosk: the outbox file, the controller, the window, full screen.

* :func:`run_kiosk_window` is what ``leanops kiosk`` runs (through ``app.run_kiosk``).
* :func:`create_kiosk` builds the window (tests pass their own outbox, idle time, sign-in).
* :func:`create_kiosk_window` and :func:`build_kiosk_for_screenshot` render a signed-in
  kiosk for ``leanops screenshot --view kiosk`` with a throwaway outbox.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from leanops_desktop.config import SiteConfig, user_data_dir
from leanops_desktop.core.errors import AuthenticationFailed
from leanops_desktop.core.validation import check_id
from leanops_desktop.db.engine import normalize_url
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.kiosk_controller import REFRESH_MS, KioskController, SignInFunction
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.undo_banner import UNDO_MS
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn

#: Sent reports are kept this long in the outbox file (the server has them), then pruned.
KEEP_SENT = timedelta(days=30)
WINDOWED_SIZE = (1024, 768)


def outbox_path(url: str, station_id: str, folder: Path | None = None) -> Path:
    """The outbox file for this station and database (never shared between databases)."""
    target = normalize_url(url)  # who signs in does not matter; where the data lives does
    where = f"{target.get_backend_name()}|{target.host}|{target.port}|{target.database}"
    key = hashlib.sha256(where.encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", station_id)
    return (folder or user_data_dir() / "outbox") / f"{safe}-{key}.sqlite3"


def open_outbox(url: str, station_id: str, folder: Path | None = None) -> Outbox:
    outbox = Outbox(outbox_path(url, station_id, folder))
    outbox.prune_sent(datetime.now(UTC) - KEEP_SENT)
    return outbox


def create_kiosk(
    url: str,
    config: SiteConfig,
    station_id: str,
    *,
    outbox: Outbox | None = None,
    sign_in_function: SignInFunction = sign_in,
    idle_ms: int | None = None,
    undo_ms: int = UNDO_MS,
    refresh_ms: int = REFRESH_MS,
    live: bool = True,
) -> KioskWindow:
    """The kiosk window for ``station_id`` (not shown yet), showing the sign-in page."""
    station_id = check_id("station", station_id)
    controller = KioskController(
        url,
        config,
        station_id,
        outbox or open_outbox(url, station_id),
        sign_in_function=sign_in_function,
        refresh_ms=refresh_ms,
        live=live,
    )
    window = KioskWindow(controller, idle_ms=idle_ms, undo_ms=undo_ms)
    controller.setParent(window)
    return window


def _application(config: SiteConfig) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    from leanops_desktop.qt.theme import apply_theme

    apply_theme(app, config.theme)
    return app


def run_kiosk_window(
    url: str,
    config: SiteConfig,
    station: str,
    *,
    windowed: bool = False,
    outbox_folder: Path | None = None,
) -> int:
    """Run the kiosk for ``station`` until it is closed (Ctrl+Shift+Q); the exit code.

    The outbox lives in ``outbox_folder`` (default: the user data folder's ``outbox``).
    """
    app = _application(config)
    window = create_kiosk(url, config, station, outbox=open_outbox(url, station, outbox_folder))
    if windowed:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.showFullScreen()
    code = app.exec()
    window.controller.outbox.close()
    return int(code)


def create_kiosk_window(signed_in: SignedIn, config: SiteConfig, station: str) -> QWidget:
    """A kiosk already signed in as ``signed_in``, with a throwaway outbox (screenshots)."""
    folder = Path(tempfile.mkdtemp(prefix="leanops-kiosk-shot-"))
    url = signed_in.db.url.render_as_string(hide_password=False)
    outbox = Outbox(folder / "outbox.sqlite3")
    window = create_kiosk(url, config, station, outbox=outbox)

    def forget() -> None:
        outbox.close()
        shutil.rmtree(folder, ignore_errors=True)

    window.destroyed.connect(forget)
    window.controller.start_session(signed_in)
    window.controller.load_now()
    return window


def build_kiosk_for_screenshot(
    url: str, config: SiteConfig, station: str, size: tuple[int, int]
) -> QWidget:
    """A kiosk at ``size`` pixels, signed in as the demo operator when the database has them
    (else the demo supervisor), read once and ready to grab."""
    from leanops_desktop.services.demo_plant import DEMO_USERS

    by_role = {role.value: (email, password) for email, role, password in DEMO_USERS}
    signed_in: SignedIn | None = None
    for role in ("operator", "supervisor"):
        email, password = by_role[role]
        try:
            signed_in = sign_in(url, email, password)
            break
        except AuthenticationFailed:
            continue
    if signed_in is None:
        raise AuthenticationFailed("the kiosk screenshot needs the demo accounts (leanops --demo)")
    widget = create_kiosk_window(signed_in, config, station)
    widget.resize(*size)
    return widget
