"""The production board on screen: a report moves it live, an outage shows the banner and
clears by itself, and lines with more stations than fit are cycled page by page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from leanops_desktop.cli.main import main
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.seats import BOARD
from leanops_desktop.qt.board import BoardController, BoardView
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.live import LiveFeed
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.board import board_login
from leanops_desktop.services.floor import dispatch
from tests.factories import make_station, report_from_another_seat
from tests.fault_proxy import FaultProxy
from tests.qt.test_connection_budget import held
from tests.qt.test_live_feed import assigned_plant

SHIFTS = (time(6), time(14), time(22))


class Board:
    """A board view with its controller, runner and feed, torn down in order."""

    def __init__(
        self,
        db: Database,
        qtbot: QtBot,
        *,
        size: tuple[int, int] = (1920, 1080),
        cycle_seconds: int = 15,
        live: bool = True,
    ) -> None:
        self.view = BoardView(local_zone())
        qtbot.addWidget(self.view)
        self.view.resize(*size)
        self.runner = DbRunner()
        self.feed = LiveFeed(db, runner=self.runner) if live else None
        if self.feed is not None:
            self.feed.start()
        self.controller = BoardController(
            db,
            self.view,
            self.runner,
            tz=local_zone(),
            shift_starts=SHIFTS,
            cycle_seconds=cycle_seconds,
            feed=self.feed,
        )
        self.view.show()
        self.controller.start()
        qtbot.waitUntil(lambda: self.controller.loads >= 1, timeout=10_000)

    def station(self, station_id: str):  # type: ignore[no-untyped-def]
        page = self.view.current_page
        assert page is not None
        return next(item for item in page.stations if item.station.id == station_id)

    def close(self) -> None:
        self.controller.stop()
        if self.feed is not None:
            self.feed.stop()
        self.runner.close()


@pytest.fixture
def boards() -> Iterator[list[Board]]:
    made: list[Board] = []
    yield made
    for board in made:
        board.close()


def test_a_report_from_another_seat_moves_the_board(
    db: Database,
    db_url: str,
    supervisor: Actor,
    operator: Actor,
    qtbot: QtBot,
    boards: list[Board],
) -> None:
    assigned_plant(db, supervisor)
    board = Board(db, qtbot)
    boards.append(board)
    assert board.station("ST-01").station.job_qty_done == 0
    qtbot.waitUntil(lambda: board.feed is not None and board.feed.online, timeout=10_000)

    report_from_another_seat(db_url, operator, 12)

    qtbot.waitUntil(lambda: board.station("ST-01").hour_done == 12, timeout=10_000)
    item = board.station("ST-01")
    assert item.station.job_qty_done == 12 and item.shift_done == 12
    assert board.view.banner_text() is None


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_outage_shows_the_banner_and_the_board_recovers_by_itself(
    db: Database,
    db_url: str,
    supervisor: Actor,
    operator: Actor,
    qtbot: QtBot,
    boards: list[Board],
) -> None:
    assigned_plant(db, supervisor)
    port = urlsplit(db_url).port
    assert port is not None
    proxy = FaultProxy(port)
    via_proxy = open_database(proxy.url(db_url), connect_timeout=2)
    try:
        board = Board(via_proxy, qtbot)
        boards.append(board)
        qtbot.waitUntil(lambda: board.feed is not None and board.feed.online, timeout=10_000)
        shown_at = board.view._snapshot.read_at  # type: ignore[union-attr]

        proxy.set_down(True)
        qtbot.waitUntil(lambda: board.view.banner_text() is not None, timeout=15_000)
        banner = board.view.banner_text()
        assert banner == (
            f"Connection lost — showing data from {shown_at.astimezone(local_zone()):%H:%M}"
        )
        assert board.station("ST-01").station.id == "ST-01"  # the last data stays on screen
        report_from_another_seat(db_url, operator, 5)  # meanwhile, straight to the server

        proxy.set_down(False)
        qtbot.waitUntil(lambda: board.view.banner_text() is None, timeout=30_000)
        qtbot.waitUntil(lambda: board.station("ST-01").hour_done == 5, timeout=15_000)
    finally:
        for board in boards:
            board.close()
        boards.clear()
        via_proxy.dispose()
        proxy.close()


def test_lines_with_more_stations_than_fit_are_cycled_page_by_page(
    db: Database, supervisor: Actor, qtbot: QtBot, boards: list[Board]
) -> None:
    for number in range(1, 9):
        make_station(db, supervisor, f"ST-{number:02d}", line="Line A")
    make_station(db, supervisor, "ST-09", line="Line B")
    board = Board(db, qtbot, size=(1280, 720), live=False)  # type scales: 6 lines a page
    boards.append(board)
    view = board.view
    assert view.per_page == 6
    seen = []
    for _ in range(len(view.pages)):
        page = view.current_page
        assert page is not None
        seen.append((page.title, view.shown_station_ids()))
        board.controller.cycle_timer.timeout.emit()
    assert seen == [
        ("Line A (1/2)", ["ST-01", "ST-02", "ST-03", "ST-04", "ST-05", "ST-06"]),
        ("Line A (2/2)", ["ST-07", "ST-08"]),
        ("Line B", ["ST-09"]),
    ]
    assert view.current_page is not None and view.current_page.title == "Line A (1/2)"
    timer = board.controller.cycle_timer
    assert timer.interval() == 15_000 and timer.isActive()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_board_screenshot_is_full_hd_in_either_theme(
    demo_db_url: str, tmp_path: Path, theme: str
) -> None:
    out = tmp_path / f"board-{theme}.png"
    assert (
        main(
            [
                "screenshot",
                str(out),
                "--view",
                "board",
                "--size",
                "1920x1080",
                "--theme",
                theme,
                "--database",
                demo_db_url,
            ]
        )
        == 0
    )
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1920, 1080)
    corner = image.pixelColor(5, 1075)  # the board's background follows the theme
    assert (corner.lightness() < 100) == (theme == "dark")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_board_runs_live_on_its_own_read_only_login(
    db: Database,
    db_url: str,
    admin: Actor,
    operator: Actor,
    qtbot: QtBot,
    tmp_path: Path,
    boards: list[Board],
) -> None:
    assigned_plant(db, admin)
    with db.session() as session:
        credential = board_login.enroll_board(session, admin)
    path = board_login.save_board_credential(credential, tmp_path)
    assert path.stat().st_mode & 0o077 == 0
    loaded = board_login.load_board_credential(db_url, tmp_path)
    assert loaded.login == credential.login and loaded.login.startswith("board-")
    board_db = board_login.open_board(loaded)
    try:
        board = Board(board_db, qtbot)
        boards.append(board)
        assert board.view.shown_station_ids() == ["ST-01"]
        qtbot.waitUntil(lambda: board.feed is not None and board.feed.online, timeout=10_000)
        report_from_another_seat(db_url, operator, 4)
        qtbot.waitUntil(lambda: board.station("ST-01").hour_done == 4, timeout=10_000)
        # The connection budget of a board: its listener and one pooled connection.
        qtbot.waitUntil(lambda: not board.runner.is_busy(), timeout=10_000)
        assert 1 <= held(db_url, BOARD.application_name) <= BOARD.steady_connections == 2
    finally:
        for board in boards:
            board.close()
        boards.clear()
        board_db.dispose()


def test_lines_that_fit_together_share_one_page_and_nothing_cycles(
    db: Database, supervisor: Actor, qtbot: QtBot, boards: list[Board]
) -> None:
    for number, line in ((1, "Line A"), (2, "Line A"), (3, "Line B"), (4, "Line C")):
        make_station(db, supervisor, f"ST-{number:02d}", line=line)
    board = Board(db, qtbot, live=False)
    boards.append(board)
    view = board.view
    assert [page.title for page in view.pages] == ["Line A · Line B · Line C"]
    board.controller.cycle_timer.timeout.emit()
    assert view.shown_station_ids() == ["ST-01", "ST-02", "ST-03", "ST-04"]
    for number in range(5, 8):  # Line C grows: it no longer fits beside A and B
        make_station(db, supervisor, f"ST-{number:02d}", line="Line C")
    board.controller.reload()
    qtbot.waitUntil(lambda: len(view.pages) == 2, timeout=10_000)
    assert [page.title for page in view.pages] == ["Line A · Line B", "Line C"]


def test_a_blocked_late_station_says_late_since_when_and_why(
    db: Database, supervisor: Actor, qtbot: QtBot, boards: list[Board]
) -> None:
    from datetime import UTC, datetime, timedelta

    from leanops_desktop.qt.board.board_painting import state_lines
    from leanops_desktop.services.board.board_reads import Light, read_board
    from leanops_desktop.services.floor import stations
    from tests.factories import make_job

    make_station(db, supervisor, "ST-01")
    make_job(db, supervisor, "JOB-0001", due_in_days=0)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    with db.session() as session:
        stations.block_station(session, supervisor, "ST-01", "maintenance")
    zone = local_zone()
    with db.session() as session:
        (item,) = read_board(session, datetime.now(UTC) + timedelta(days=2), zone, SHIFTS).stations
    since = item.station.blocked_since
    assert since is not None and item.light == Light.RED
    assert state_lines(item, zone) == [
        ("LATE", True),
        (f"blocked since {since.astimezone(zone):%H:%M}", True),
        ("(maintenance)", True),
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_database_that_refuses_the_read_is_named_in_the_banner_not_an_outage(
    db: Database, db_url: str, qtbot: QtBot
) -> None:
    from psycopg import sql

    from tests.pg_server import admin_connect

    login = f"outsider-{uuid.uuid4().hex[:8]}"
    with admin_connect(db_url) as conn:  # a login of no LeanOps group: every read refused
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'Outsider-pw-1'").format(sql.Identifier(login))
        )
    parts = urlsplit(db_url)
    outsider = open_database(
        parts._replace(netloc=f"{login}:Outsider-pw-1@{parts.hostname}:{parts.port}").geturl()
    )
    view = BoardView(local_zone())
    qtbot.addWidget(view)
    runner = DbRunner()
    controller = BoardController(
        outsider, view, runner, tz=local_zone(), shift_starts=SHIFTS, cycle_seconds=15
    )
    try:
        controller.start()
        qtbot.waitUntil(lambda: view.banner_text() is not None, timeout=10_000)
        banner = view.banner_text()
        assert banner is not None and banner.startswith("The board cannot be read: ")
        assert not view.offline and "Connection lost" not in banner
        assert banner.endswith(
            "this login may not read the floor (enrol the board again: leanops board enroll)"
        )  # plain words, no driver text
    finally:
        controller.stop()
        runner.close()
        outsider.dispose()
        with admin_connect(db_url) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))


def test_board_figures_have_thousands_separators() -> None:
    from leanops_desktop.qt.board.board_painting import figure_text

    assert figure_text(12_345, 20_000) == "12,345 / 20,000"
    assert figure_text(1_500, None) == "1,500"
