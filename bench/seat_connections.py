"""Bench: PostgreSQL connections each kind of seat holds, idle and at its busiest.

A throwaway PostgreSQL cluster (tests/pg_server.py) gets a small plant; then, offscreen, a
main window (the real composition: its runner, live feed, docks, performance view) and a
kiosk (signed in, sending reports, re-reading its station) are used for real while a
sampler counts their connections in ``pg_stat_activity`` by ``application_name`` every
20 ms. Printed per seat: the most seen at once while busy, and what is held once idle. Each
seat runs twice: with its budget (``db/seats.py``) and with the sizing every seat had before
(pool 5 + 20, the feed reader and the report sender each keeping a connection).

    python bench/seat_connections.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg
from PySide6.QtWidgets import QApplication

from leanops_desktop.config import SiteConfig
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.seats import KIOSK, WINDOW, Seat
from leanops_desktop.services.accounts.auth import sign_in

BEFORE = {  # what every seat was given before the budget
    name: Seat(name, f"leanops-{name}-before", 5, 20, True, True) for name in ("window", "kiosk")
}


class Sampler:
    """Counts connections by application_name in a thread; the largest count seen."""

    def __init__(self, url: str, name: str) -> None:
        self._url, self._name = url, name
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self) -> int:
        with psycopg.connect(self._url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [self._name]
            ).fetchone()
        return int(row[0]) if row else 0

    def _run(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [self._name],
                ).fetchone()
                self.most = max(self.most, int(row[0]) if row else 0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def pump(app: QApplication, seconds: float, until: Callable[[], bool] = lambda: False) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        app.processEvents()
        time.sleep(0.005)


def use_window(app: QApplication, url: str, seat: Seat, sampler: Sampler) -> tuple[int, int]:
    from leanops_desktop.composition.main_window import DesktopSession
    from leanops_desktop.qt.main_window import MainWindow
    from tests.qt.test_kiosk import SUPERVISOR

    session = DesktopSession(url, SiteConfig())
    session.open_window(sign_in(url, *SUPERVISOR, seat=seat))
    window = session.window
    assert isinstance(window, MainWindow) and session.feed is not None
    pump(app, 10, lambda: bool(session.feed and session.feed.online))
    window.commands.drop_job("JOB-1002", "ST-03")  # a save
    for _ in range(3):
        window.reload()
        if window.performance is not None:
            window.central_tabs.setCurrentWidget(window.performance)
        pump(app, 1.0)
    pump(app, 2.0)
    idle = sampler.now()
    session.close_window()
    return sampler.most, idle


def use_kiosk(app: QApplication, url: str, seat: Seat, sampler: Sampler) -> tuple[int, int]:
    from leanops_desktop.db.outbox import Outbox
    from leanops_desktop.qt.kiosk.launch import create_kiosk
    from tests.qt.test_kiosk import OPERATOR

    folder = Path(tempfile.mkdtemp(prefix="leanops-bench-kiosk-"))
    outbox = Outbox(folder / "outbox.sqlite3")
    kiosk = create_kiosk(
        url,
        SiteConfig(),
        "ST-01",
        outbox=outbox,
        refresh_ms=500,
        sign_in_function=lambda u, e, p: sign_in(u, e, p, seat=seat),
    )
    kiosk.show()
    controller = kiosk.controller
    controller.begin_sign_in(*OPERATOR)
    pump(app, 15, lambda: controller.snapshot is not None)
    for _ in range(6):
        controller.report(1)
        pump(app, 0.3)
    pump(app, 10, lambda: controller.outbox.counts().pending == 0)
    pump(app, 2.0)
    idle = sampler.now()
    controller.sign_out()
    pump(app, 1.0)
    kiosk.close()
    outbox.close()
    return sampler.most, idle


def main() -> None:
    from tests.factories import make_station
    from tests.pg_server import ThrowawayCluster, create_database
    from tests.qt.test_kiosk import ADMIN, build_plant

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with ThrowawayCluster() as cluster:
        url = create_database(cluster.url, "seats")
        db = open_database(url)
        migrate.upgrade(db)
        build_plant(url, db)
        make_station(db, ADMIN, "ST-03")
        db.dispose()
        print(f"{'seat':<8} {'sizing':<8} {'busiest':>8} {'idle':>5}")
        runs = [
            ("window", use_window, WINDOW, BEFORE["window"]),
            ("kiosk", use_kiosk, KIOSK, BEFORE["kiosk"]),
        ]
        for name, use, budget, before in runs:
            for label, seat in (("before", before), ("budget", budget)):
                sampler = Sampler(url, seat.application_name)
                try:
                    most, idle = use(app, url, seat, sampler)
                finally:
                    sampler.stop()
                print(f"{name:<8} {label:<8} {most:>8} {idle:>5}", flush=True)


if __name__ == "__main__":
    main()
