"""The station kiosk, composed: its local outbox file (one per station and database), the
one runner for every database call, the live feed made at sign-in, the site's theme."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from leanops_desktop.composition.main_window import make_live_feed
from leanops_desktop.config import SiteConfig, user_data_dir
from leanops_desktop.core.errors import AuthenticationFailed
from leanops_desktop.core.validation import check_id
from leanops_desktop.db.engine import normalize_url
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.application import create_application
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.demo_plant import DEMO_USERS

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
    from leanops_desktop.services.kiosk.kiosk_start import KioskStart

#: Sent reports are kept this long in the outbox file (the server has them), then pruned.
KEEP_SENT = timedelta(days=30)
WINDOWED_SIZE = (1024, 768)


def outbox_path(url: str, station_id: str, folder: Path | None = None) -> Path:
    """The outbox file for this station and database (never shared between databases)."""
    target = normalize_url(url)  # who signs in does not matter; where the data lives does
    host: object = target.host
    port: object = target.port
    if host is None and "host" in target.query:  # several servers serve the same data
        host, port = target.query.get("host"), target.query.get("port")
    where = f"{target.get_backend_name()}|{host}|{port}|{target.database}"
    key = hashlib.sha256(where.encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", station_id)
    return (folder or user_data_dir() / "outbox") / f"{safe}-{key}.sqlite3"


def open_outbox(url: str, station_id: str, folder: Path | None = None) -> Outbox:
    """The station's outbox file, opened, with reports sent long ago pruned."""
    outbox = Outbox(outbox_path(url, station_id, folder))
    outbox.prune_sent(datetime.now(UTC) - KEEP_SENT)
    return outbox


def build_kiosk(url: str, config: SiteConfig, station: str, outbox: Outbox) -> KioskWindow:
    """The kiosk for ``station`` wired like the main window: one runner for every database
    call, the live feed made by :func:`make_live_feed` at sign-in, the site's theme."""
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.kiosk.launch import create_kiosk

    station = check_id("station", station)
    runner = DbRunner()
    window = create_kiosk(
        url, config, station, outbox=outbox, runner=runner, make_feed=make_live_feed
    )
    runner.setParent(window.controller)
    return window


def run_kiosk(
    url: str,
    config: SiteConfig,
    station: str,
    *,
    windowed: bool = False,
    outbox_folder: Path | None = None,
) -> int:
    """Run the kiosk for ``station`` until it is closed (Ctrl+Shift+Q); the exit code.

    Full screen unless ``windowed``. The outbox lives in ``outbox_folder`` (default: the user
    data folder's ``outbox``).
    """
    app = create_application(config.theme)
    station = check_id("station", station)
    outbox = open_outbox(url, station, outbox_folder)
    window = build_kiosk(url, config, station, outbox)
    if windowed:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.showFullScreen()
    code = app.exec()
    outbox.close()
    return int(code)


def run_enrolled_kiosk(
    start: KioskStart,
    config: SiteConfig,
    *,
    windowed: bool = False,
    outbox_folder: Path | None = None,
) -> int:
    """Run the kiosk of an enrolled station (``kiosk_start.start_kiosk``) until it is
    closed; the exit code. Operators sign in by badge or PIN; offline when the server is
    away, it connects when it can."""
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.kiosk.launch import create_device_kiosk

    app = create_application(config.theme)
    outbox = open_outbox(start.enrolment.database, start.station_id, outbox_folder)
    runner = DbRunner()
    window = create_device_kiosk(
        start, config, outbox=outbox, runner=runner, make_feed=make_live_feed
    )
    runner.setParent(window.controller)
    if windowed:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.showFullScreen()
    code = app.exec()
    outbox.close()
    start.device.close()
    return int(code)


def create_kiosk_window(signed_in: SignedIn, config: SiteConfig, station: str) -> KioskWindow:
    """A kiosk already signed in as ``signed_in``, with a throwaway outbox (screenshots)."""
    folder = Path(tempfile.mkdtemp(prefix="leanops-kiosk-shot-"))
    url = signed_in.db.url.render_as_string(hide_password=False)
    outbox = Outbox(folder / "outbox.sqlite3")
    window = build_kiosk(url, config, station, outbox)

    def forget() -> None:
        outbox.close()
        shutil.rmtree(folder, ignore_errors=True)

    window.destroyed.connect(forget)
    window.controller.start_session(signed_in)
    window.controller.load_now()
    return window


def build_kiosk_for_screenshot(
    url: str, config: SiteConfig, station: str, size: tuple[int, int]
) -> KioskWindow:
    """A kiosk at ``size`` pixels, signed in as the demo operator when the database has them
    (else the demo supervisor), read once and ready to grab."""
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
