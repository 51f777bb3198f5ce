"""The supervisor's window, composed: sign in, open the window with the one
:class:`~leanops_desktop.qt.db_runner.DbRunner` and the live feed it uses, and sign in again
after "Sign out" or "Switch user"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from leanops_desktop.config import SiteConfig, demo_database_path
from leanops_desktop.db.engine import normalize_url
from leanops_desktop.qt.application import create_application
from leanops_desktop.services.accounts.signed_in import SignedIn

if TYPE_CHECKING:
    from leanops_desktop.qt.daily_backup import DailyBackup
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.live import LiveFeed


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
        from leanops_desktop.qt.andon import attach_andon

        attach_andon(window, self.config)
        from leanops_desktop.qt.stops.attach import attach_stops

        attach_stops(window, self.config)
        # Later, not inside the signal: the window (and its action) is deleted on the way.
        window.sign_out_requested.connect(self.restart_soon)
        window.switch_user_requested.connect(self.restart_soon)
        self.window = window
        window.show()
        start_daily_backup(self.url, self.config, self.runner, window)

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
        from leanops_desktop.qt.db_runner import READS
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
        signed_in, self.signed_in = self.signed_in, None
        if runner is not None and signed_in is not None:
            # After the feed reader has given its connection back (same lane): disposed
            # earlier, the pool would keep that connection open after the window is gone.
            runner.submit(signed_in.db.dispose, lane=READS)
        elif signed_in is not None:
            signed_in.db.dispose()
        if runner is not None:
            runner.close()


def start_daily_backup(
    url: str, config: SiteConfig, runner: DbRunner, window: QMainWindow
) -> DailyBackup | None:
    """The one-PC plant's daily copy (``[backup] folder``), owned by ``window``: made now if
    today has none, checked hourly, told in the status bar. None when not configured."""
    from leanops_desktop.qt.daily_backup import DailyBackup
    from leanops_desktop.services.backups import backup_plan

    plan = backup_plan(url, config.backup_folder, config.backup_keep)
    if plan is None:
        return None
    backups = DailyBackup(plan, runner, window)
    backups.finished.connect(lambda text: window.statusBar().showMessage(text, 15_000))
    backups.start()
    return backups


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
