"""The production board, composed: the database opened as the board (on PostgreSQL with
this PC's read-only board login), one runner, the live feed, the site's theme and cycling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from leanops_desktop.composition.main_window import make_live_feed, missing_database_notice
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import DatabaseMissing
from leanops_desktop.db.engine import Database, normalize_url, open_database
from leanops_desktop.db.seats import BOARD
from leanops_desktop.qt.application import create_application
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.board import board_login

if TYPE_CHECKING:
    from leanops_desktop.qt.board import BoardView

WINDOWED_SIZE = (1280, 720)


def open_board_database(url: str) -> Database:
    """SQLite: the file itself (the board only reads). PostgreSQL: this PC's board login,
    enrolled by an admin with ``leanops board enroll`` (ConfigError when it is missing)."""
    if normalize_url(url).get_backend_name() != "postgresql":
        notice = missing_database_notice(url)
        if notice:  # opening it would create an empty file, and a board of nothing
            raise DatabaseMissing(notice)
        return open_database(url, seat=BOARD)
    return board_login.open_board(board_login.load_board_credential(url))


def build_board(
    db: Database, config: SiteConfig, line: str | None, *, live: bool = True
) -> BoardView:
    """The board over ``db``, reading now, following the change feed when ``live``."""
    from leanops_desktop.core.actor import Actor
    from leanops_desktop.core.enums import Role
    from leanops_desktop.qt.board import BoardController, BoardView
    from leanops_desktop.qt.db_runner import DbRunner

    view = BoardView(local_zone())
    view.setWindowTitle("LeanOps production board")
    runner = DbRunner(view, inline=not live)
    feed = None
    if live:
        feed = make_live_feed(SignedIn(db=db, actor=Actor("board", Role.OPERATOR)), view, runner)
    controller = BoardController(
        db,
        view,
        runner,
        tz=local_zone(),
        shift_starts=config.shift_starts,
        cycle_seconds=config.board_cycle_seconds,
        line=line,
        feed=feed,
    )
    view.on_close.append(controller.stop)
    if feed is not None:
        view.on_close.append(feed.stop)
    view.on_close.append(runner.close)
    controller.start()
    return view


def run_board(url: str, config: SiteConfig, line: str | None, *, windowed: bool = False) -> int:
    """Run the board until it is closed; full screen unless ``windowed``."""
    app = create_application(config.theme)
    db = open_board_database(url)
    view = build_board(db, config, line)
    if windowed:
        view.resize(*WINDOWED_SIZE)
        view.show()
    else:
        view.setCursor(Qt.CursorShape.BlankCursor)  # no pointer in the middle of the TV
        view.showFullScreen()
    code = app.exec()
    view.close()  # stops the feed and the runner before the database goes
    db.dispose()
    return int(code)
