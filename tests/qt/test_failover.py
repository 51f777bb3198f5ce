"""Failover to a promoted standby through a URL naming both servers: a kiosk's reports and a
window's live feed reconnect by themselves, and every report is counted exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.composition.main_window import DesktopSession
from leanops_desktop.config import SiteConfig
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.self_check import run_self_check
from leanops_desktop.services.accounts.auth import window_sign_in
from tests.pg_server import (
    ClusterStartError,
    ThrowawayCluster,
    create_database,
    find_pg_bindir,
)
from tests.pg_standby import StreamingReplica, current_wal_lsn
from tests.qt.test_kiosk import SUPERVISOR, Plant, build_plant, open_kiosk, sign_in, tap

pytestmark = pytest.mark.postgres


class Pair:
    """A primary with the plant, its streaming standby, and the URL naming both."""

    def __init__(self, primary: ThrowawayCluster, standby: StreamingReplica, url: str) -> None:
        self.primary = primary
        self.standby = standby
        self.url = url
        name = url.rsplit("/", 1)[1]
        self.listed = (
            f"postgresql://postgres:{primary.password}@127.0.0.1:{primary.port},"
            f"127.0.0.1:{standby.port}/{name}?target_session_attrs=read-write"
        )
        self.standby_url = url.replace(f":{primary.port}/", f":{standby.port}/")

    def wait_until_replayed(self) -> None:
        lsn = current_wal_lsn(self.url)
        deadline = time.monotonic() + 20
        while not self.standby.replayed_up_to(lsn):
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


@pytest.fixture
def pair() -> Iterator[Pair]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    primary = ThrowawayCluster()
    try:
        primary.start()
    except ClusterStartError as exc:
        pytest.skip(f"the throwaway PostgreSQL cluster did not start: {exc}")
    standby: StreamingReplica | None = None
    try:
        url = create_database(primary.url, "failover")
        db = open_database(url)
        try:
            migrate.upgrade(db)
            build_plant(url, db)
        finally:
            db.dispose()
        standby = StreamingReplica(primary)
        standby.start()
        yield Pair(primary, standby, url)
    finally:
        if standby is not None:
            standby.cleanup()
        primary.cleanup()


def in_thread(work: Callable[[], None]) -> threading.Thread:
    """Run ``work`` beside the GUI thread, so the event loop keeps running meanwhile."""
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def done_on(window: MainWindow, job_id: str) -> int:
    row = next((row for row in window.job_rows() if row.id == job_id), None)
    return -1 if row is None else row.qty_done


@pytest.mark.slow
def test_kiosk_reports_and_the_window_feed_survive_a_promotion(
    qtbot: QtBot, pair: Pair, tmp_path: Path
) -> None:
    started = time.monotonic()
    # The kiosk needs only the URL of the plant build_plant made.
    kiosk = open_kiosk(qtbot, Plant(url=pair.listed, db=None), tmp_path)  # type: ignore[arg-type]
    session = DesktopSession(pair.listed, SiteConfig())
    session.open_window(window_sign_in(pair.listed, *SUPERVISOR))
    window, feed = session.window, session.feed
    assert isinstance(window, MainWindow) and feed is not None
    controller = kiosk.controller
    try:
        sign_in(qtbot, kiosk)
        qtbot.waitUntil(lambda: feed.online, timeout=10_000)

        # 17 units in 5 reports, below the job's 20 (more would ask the operator first).
        for amount in (1, 5):  # before: counted on the primary
            tap(qtbot, kiosk.quick.buttons[amount])
        qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=15_000)
        qtbot.waitUntil(lambda: done_on(window, "JOB-1001") == 6, timeout=10_000)
        pair.wait_until_replayed()

        stopping = in_thread(lambda: pair.primary.stop("immediate"))
        qtbot.waitUntil(lambda: not stopping.is_alive(), timeout=30_000)
        tap(qtbot, kiosk.quick.buttons[5])  # during: kept in the outbox
        qtbot.waitUntil(lambda: window.status.online is False, timeout=10_000)
        assert "reconnecting" in window.status.offline_reason
        qtbot.wait(500)
        assert controller.outbox.counts().pending >= 1

        promoting = in_thread(pair.standby.promote)
        tap(qtbot, kiosk.quick.buttons[1])  # while the standby is being promoted
        qtbot.waitUntil(lambda: not promoting.is_alive(), timeout=30_000)
        tap(qtbot, kiosk.quick.buttons[5])  # after: the new primary takes it

        qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=30_000)
        qtbot.waitUntil(lambda: feed.online, timeout=30_000)
        qtbot.waitUntil(lambda: window.status.online is True, timeout=5_000)
        qtbot.waitUntil(lambda: done_on(window, "JOB-1001") == 17, timeout=10_000)
        sent = {str(item.id) for item in controller.outbox.items()}
        assert len(sent) == 5
        assert all(item.state.value == "sent" for item in controller.outbox.items())
        # Both seats are on the promoted server now, within their budgets.
        with psycopg.connect(pair.standby_url, autocommit=True) as conn:
            held = dict(
                conn.execute(
                    "SELECT application_name, count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() GROUP BY 1"
                ).fetchall()
            )
        assert 2 <= held.get("leanops-window", 0) <= 3, held
        assert 1 <= held.get("leanops-kiosk", 0) <= 2, held
    finally:
        controller.sign_out()
        session.close_window()
    with psycopg.connect(pair.standby_url) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        counted = conn.execute(
            "SELECT id::text, count(*), sum(qty_completed) FROM performance_logs"
            " WHERE job_id = 'JOB-1001' GROUP BY id"
        ).fetchall()
        job = conn.execute("SELECT qty_reported FROM jobs WHERE id = 'JOB-1001'").fetchone()
    assert {row[0] for row in counted} == sent  # every report, none twice
    assert all(row[1] == 1 for row in counted)
    assert sum(row[2] for row in counted) == 17
    assert job == (17,)
    assert time.monotonic() - started < 60


def test_the_self_check_fails_on_a_standby(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    pair.wait_until_replayed()
    assert run_self_check(pair.standby_url, SiteConfig()) == 1
    lines = capsys.readouterr().out.splitlines()
    assert (
        f"FAIL connections: a window holds at most 3 connections; reached"
        f" 127.0.0.1:{pair.standby.port}, a standby (read-only)"
    ) in "\n".join(lines)
    assert lines[-1].startswith("self-check FAILED: connections")
