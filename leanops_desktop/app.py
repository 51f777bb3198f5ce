"""The composition root: builds the application, signs in, then opens the window or kiosk.

Nothing else in LeanOps reaches for globals: this module creates the QApplication (with its
theme), shows the sign-in dialog, opens the database through the services, and hands the
signed-in session to the main window or the kiosk together with the one :class:`DbRunner`
and the live feed they use. Signing out closes the window and asks again.

Every window LeanOps opens is built here, the same way for the screen and for
``leanops screenshot``: the main window, the sign-in dialog and the station kiosk (with its
local outbox file). ``qt/`` never opens a database or an outbox itself: it is handed them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from leanops_desktop import APP_NAME
from leanops_desktop.config import SiteConfig, demo_database_path, user_data_dir
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, ConfigError, LeanOpsError
from leanops_desktop.core.validation import check_id
from leanops_desktop.db.engine import Database, normalize_url, open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.application import ORGANIZATION, create_application
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.demo_plant import DEMO_USERS

if TYPE_CHECKING:
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
    from leanops_desktop.qt.live import LiveFeed
    from leanops_desktop.qt.models import RowTableModel

__all__ = [
    "ORGANIZATION",
    "DesktopSession",
    "build_kiosk",
    "create_application",
    "export_table",
    "is_demo_database",
    "make_live_feed",
    "run_kiosk",
    "run_main_window",
    "take_screenshot",
]

#: Sent reports are kept this long in the outbox file (the server has them), then pruned.
KEEP_SENT = timedelta(days=30)
WINDOWED_SIZE = (1024, 768)


def is_demo_database(url: str) -> bool:
    """Whether ``url`` is the demo plant file that ``leanops --demo`` prepares."""
    try:
        target = normalize_url(url)
    except Exception:
        return False
    if target.get_backend_name() != "sqlite" or not target.database:
        return False
    return Path(target.database).resolve() == demo_database_path().resolve()


def missing_database_notice(url: str) -> str:
    """A hint when a SQLite file does not exist yet (empty when nothing is wrong)."""
    try:
        target = normalize_url(url)
    except Exception:
        return ""
    if target.get_backend_name() != "sqlite" or not target.database:
        return ""
    if target.database == ":memory:" or Path(target.database).exists():
        return ""
    return (
        f"There is no LeanOps database at {target.database} yet. Create it with "
        "'leanops db upgrade' and 'leanops db init-admin EMAIL', or try 'leanops --demo'."
    )


class DesktopSession(QObject):
    """Sign in, open the main window, and sign in again after "Sign out"/"Switch user"."""

    def __init__(self, url: str, config: SiteConfig, *, demo: bool = False) -> None:
        super().__init__()
        self.url = url
        self.config = config
        self.demo = demo or is_demo_database(url)
        self.window: QObject | None = None
        self.signed_in: SignedIn | None = None
        self.feed: LiveFeed | None = None
        self.runner: DbRunner | None = None

    def sign_in(self) -> SignedIn | None:
        """Show the sign-in dialog (modal); None when the user quits."""
        from leanops_desktop.qt.dialogs.sign_in_dialog import SignInDialog
        from leanops_desktop.qt.messages import MessageService
        from leanops_desktop.services.demo_plant import DEMO_USERS

        dialog = SignInDialog(
            self.url,
            MessageService(),
            demo_accounts=DEMO_USERS if self.demo else (),
            notice=missing_database_notice(self.url),
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.signed_in

    def start(self) -> bool:
        """Sign in and show the window; False when the user gave up at sign-in."""
        signed_in = self.sign_in()
        if signed_in is None:
            return False
        self.open_window(signed_in)
        return True

    def open_window(self, signed_in: SignedIn) -> None:
        from leanops_desktop.qt.db_runner import DbRunner
        from leanops_desktop.qt.main_window import MainWindow

        self.signed_in = signed_in
        # One runner for the feed and the window: the feed's position is taken on its
        # "reads" lane before the window's loads.
        self.runner = DbRunner(self)
        self.feed = make_live_feed(signed_in, self, self.runner)
        window = MainWindow(signed_in, self.config, live_feed=self.feed, runner=self.runner)
        # Later, not inside the signal: the window (and its action) is deleted on the way.
        window.sign_out_requested.connect(self.restart_soon)
        window.switch_user_requested.connect(self.restart_soon)
        self.window = window
        window.show()

    def restart_soon(self) -> None:
        QTimer.singleShot(0, self.restart)

    def restart(self) -> None:
        """Close the window and its database, then sign in again (or quit)."""
        self.close_window()
        if not self.start():
            app = QApplication.instance()
            if app is not None:
                app.quit()

    def close_window(self) -> None:
        from leanops_desktop.qt.main_window import MainWindow

        window, self.window = self.window, None
        if isinstance(window, MainWindow):
            window.save_layout()
            window.shut_down()
            window.hide()
            window.deleteLater()
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop()
            feed.deleteLater()
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.close()
        if self.signed_in is not None:
            self.signed_in.db.dispose()
            self.signed_in = None


def make_live_feed(
    signed_in: SignedIn, parent: QObject, runner: DbRunner | None = None
) -> LiveFeed:
    """The live feed of this database, started before the views load (nothing is missed)."""
    from leanops_desktop.qt.live import LiveFeed

    feed = LiveFeed(signed_in.db, parent, runner=runner)
    feed.start()
    return feed


def run_main_window(url: str, config: SiteConfig, *, demo: bool = False) -> int:
    """Sign in and run the supervisor's window until it is closed; the process exit code."""
    app = create_application(config.theme)
    app.setQuitOnLastWindowClosed(True)
    session = DesktopSession(url, config, demo=demo)
    if not session.start():
        return 0
    code = app.exec()
    session.close_window()
    return code


# -- the station kiosk ---------------------------------------------------------------------


def outbox_path(url: str, station_id: str, folder: Path | None = None) -> Path:
    """The outbox file for this station and database (never shared between databases)."""
    target = normalize_url(url)  # who signs in does not matter; where the data lives does
    where = f"{target.get_backend_name()}|{target.host}|{target.port}|{target.database}"
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


# -- exports without a window --------------------------------------------------------------

#: ``leanops export TABLE``: the tables of the main window.
EXPORT_TABLES = ("jobs", "stations", "assignments", "events")


def export_table(db: Database, table: str, out: Path, *, events: int = 10_000) -> int:
    """Write a whole floor table (the newest ``events`` events) to ``out`` as CSV or XLSX,
    with the columns and cells of the window's File ▸ Export; the number of rows written."""
    from leanops_desktop.qt.export import snapshot_model, write_table
    from leanops_desktop.qt.models import (
        AssignmentTableModel,
        EventTableModel,
        JobTableModel,
        StationTableModel,
    )
    from leanops_desktop.services.reads import history, queries, table_pages
    from leanops_desktop.services.table_files import format_of

    if table not in EXPORT_TABLES:
        raise ConfigError(f"unknown table {table!r}: choose one of {', '.join(EXPORT_TABLES)}")
    format_of(out)  # refuse a bad suffix before reading anything
    if QCoreApplication.instance() is None:
        QCoreApplication([APP_NAME])  # the models' timers need an application, not a display
    model: RowTableModel[Any]
    with db.session() as session:
        if table == "jobs":
            model = JobTableModel()
            model.set_rows(table_pages.all_jobs(session))
        elif table == "stations":
            model = StationTableModel()
            model.set_rows(queries.list_stations(session))
        elif table == "assignments":
            model = AssignmentTableModel()
            model.set_rows(queries.list_assignments(session))
        else:
            model = EventTableModel(max_rows=events)
            model.set_rows(history.list_events(session, limit=events))
    snapshot = snapshot_model(model)
    model.deleteLater()  # its timers go with it, before the command's process ends
    del model
    return write_table(out, snapshot, title=table.capitalize())


# -- screenshots -----------------------------------------------------------------------------


def take_screenshot(
    out: Path,
    view: str,
    url: str,
    config: SiteConfig,
    station: str | None,
    size: tuple[int, int],
) -> None:
    """``leanops screenshot``: render ``view`` at ``size`` pixels into the PNG file ``out``."""
    from leanops_desktop.qt import screenshot

    screenshot.check_view(view)
    app = screenshot.offscreen_application(config.theme)
    if view == "login":
        demo = is_demo_database(url) or _has_demo_accounts(url)
        screenshot.save_login(app, url, DEMO_USERS if demo else (), size, out)
        return
    if view == "kiosk":
        station = station or config.kiosk_station or _first_active_station(url)
        screenshot.save(app, build_kiosk_for_screenshot(url, config, station, size), out)
        return
    signed_in = _sign_in_for_screenshot(url)
    try:
        screenshot.save_main(app, signed_in, config, size, out)
    finally:
        signed_in.db.dispose()


def _first_active_station(url: str) -> str:
    """The first active station (by line, then id), as ``--station``'s help promises."""
    from leanops_desktop.qt.models.presentation import natural_key
    from leanops_desktop.services.reads.queries import list_stations

    ask = "which station? pass --station ST-01 for the kiosk view"
    if missing_database_notice(url):
        raise ConfigError(f"{ask} (there is no database at {url})")
    db = open_database(url)
    try:
        with db.session() as session:
            rows = list_stations(session)
    except LeanOpsError as error:
        raise ConfigError(f"{ask} (the stations could not be read: {error})") from error
    except Exception as error:  # not a LeanOps database, unreachable server
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"{ask} (the stations could not be read: {first})") from error
    finally:
        db.dispose()
    active = sorted(
        (row for row in rows if row.is_active),
        key=lambda row: (natural_key(row.line), natural_key(row.id)),
    )
    if not active:
        raise ConfigError(f"{ask} (the database has no active station)")
    return active[0].id


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
