"""Bench: the longest GUI-thread stall while the supervisor works and the database is far, down
or silent.

A PostgreSQL plant (12 stations, 4 running, 1 blocked, 20 waiting jobs) is reached through a
TCP fault proxy (tests/fault_proxy.py). The real ``MainWindow`` (offscreen, supervisor) then
performs each action: create job, edit job, assign, move, block, resume, complete, export
(the dialogs filled and submitted as a person would), with the database

(a) ``--delay-ms`` away (default 200: every answer from the server held back that long),
(b) stopped (connections cut, new ones refused),
(c) not answering at all (connections cut, new ones accepted and never answered: the
    connect timeout, ``--connect-timeout`` seconds, runs out).

For each action the bench records the longest gap between two ticks of a 1 ms timer in the
GUI thread, from the moment the action is triggered until its outcome is on screen (the change
shown through the live feed, or the failure said) — that is the longest time the window was
frozen. Two modes of the same code run side by side:

* ``inline (before)``: the ``DbRunner`` runs every job at once on the GUI thread, which is
  exactly how the window worked before the runner (the save, then the re-read, on the GUI
  thread);
* ``background (now)``: the runner's lanes, as the app runs.

Target: <= 50 ms in every case for the background mode.

PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a superuser URL) or a throwaway cluster
started here (tests/pg_server.py).

    python bench/gui_stall.py [--delay-ms 200] [--connect-timeout 5] [--cap-s 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stall_meter import StallMeter
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, Role, StationStatus
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.floor import dispatch, jobs, stations

SUPERVISOR = Actor(email="bench.supervisor@leanops.test", role=Role.SUPERVISOR)
STATIONS = 12
RUNNING = 4
WAITING_JOBS = 20
TARGET_MS = 50.0
ACTIONS = ("create job", "edit job", "assign", "move", "block", "resume", "complete", "export")
CASES = ("far away", "stopped", "not answering")
MODES = ("inline", "background")
DATABASE = "leanops_bench_gui_stall"


# -- the plant -------------------------------------------------------------------------------


def postgres_url(stack: list[Any]) -> str:
    from tests.pg_server import ThrowawayCluster, create_database, drop_database

    server = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    if not server:
        cluster = ThrowawayCluster().start()
        stack.append(cluster)
        server = cluster.url
    drop_database(server, DATABASE)
    return create_database(server, DATABASE)


def build_plant(url: str) -> None:
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            for number in range(1, STATIONS + 1):
                stations.create_station(
                    session, SUPERVISOR, station_id=f"ST-{number:02d}",
                    name=f"Station {number}", line=f"Line {'AB'[number % 2]}",
                )  # fmt: skip
            for number in range(1, RUNNING + WAITING_JOBS + 1):
                jobs.create_job(
                    session, SUPERVISOR, job_id=f"JOB-{number:04d}",
                    part_name=f"Part {number}", qty_total=100, due_date=date(2030, 1, 1),
                )  # fmt: skip
            for number in range(1, RUNNING + 1):
                dispatch.assign_job(session, SUPERVISOR, f"JOB-{number:04d}", f"ST-{number:02d}")
            stations.block_station(session, SUPERVISOR, f"ST-{STATIONS:02d}", "maintenance")
    finally:
        db.dispose()


# -- measuring -------------------------------------------------------------------------------


def run_until(done: Callable[[], bool], cap_s: float) -> bool:
    """Run the event loop until ``done()`` (checked every 2 ms) or ``cap_s`` seconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + cap_s
    finished = {"ok": False}

    def check() -> None:
        if done():
            finished["ok"] = True
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    checker = QTimer()
    checker.setInterval(2)
    checker.timeout.connect(check)
    checker.start()
    loop.exec()
    checker.stop()
    return finished["ok"]


def quiet_for(seconds: float) -> None:
    """Let the event loop run (deferred deletes, first paints), then collect garbage."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    end = time.monotonic() + seconds
    run_until(lambda: time.monotonic() > end, seconds + 1)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


# -- the actions -----------------------------------------------------------------------------


class Supervisor:
    """Performs the actions on a window as a person would, through its dialogs."""

    def __init__(self, window: Any, folder: Path) -> None:
        self.window = window
        self.folder = folder
        self.counter = 0

    def _rows(self, model: Any) -> list[Any]:
        return list(model.all_rows())

    def idle_station(self) -> Any:
        return next(
            s
            for s in self._rows(self.window.models.stations)
            if s.is_active and s.status == StationStatus.IDLE and s.current_job_id is None
        )

    def waiting_job(self) -> Any:
        return next(j for j in self._rows(self.window.models.jobs) if j.status == JobStatus.WAITING)

    def running_station(self) -> Any:
        return next(
            s
            for s in self._rows(self.window.models.stations)
            if s.current_job_id and s.status == StationStatus.RUNNING
        )

    def blocked_station(self) -> Any:
        return next(
            s for s in self._rows(self.window.models.stations) if s.status == StationStatus.BLOCKED
        )

    def perform(self, action: str) -> Callable[[], None]:
        """What to call for ``action`` (chosen now, with what the window shows)."""
        commands = self.window.commands
        self.counter += 1
        mark = self.counter
        if action == "create job":

            def create() -> None:
                commands.new_job()
                dialog = commands.active_dialog
                dialog.part_edit.setText(f"Bench part {mark}")
                dialog.accept()

            return create
        if action == "edit job":
            job = self.waiting_job()

            def edit() -> None:
                commands.edit_job(job)
                dialog = commands.active_dialog
                dialog.part_edit.setText(f"Edited part {mark}")
                dialog.accept()

            return edit
        if action == "assign":
            job, station = self.waiting_job(), self.idle_station()

            def assign() -> None:
                commands.assign_job(job.id, station.id)
                commands.active_dialog.accept()

            return assign
        if action == "move":
            source, target = self.running_station(), self.idle_station()

            def move() -> None:
                commands.move_job(source)
                dialog = commands.active_dialog
                dialog.station_combo.setCurrentIndex(dialog.station_combo.findData(target.id))
                dialog.accept()

            return move
        if action == "block":
            station = self.idle_station()

            def block() -> None:
                commands.block_station(station)
                commands.active_dialog.accept()

            return block
        if action == "resume":
            station = self.blocked_station()
            return lambda: commands.unblock_station(station)
        if action == "complete":
            running = self.running_station()
            job = self.window.models.jobs.row_for_key(running.current_job_id)
            return lambda: commands.complete_job(job)
        if action == "export":
            path = self.folder / f"jobs-{mark}.csv"
            self.window.choose_save_path = lambda *_args: str(path)
            self.window._last_table = "jobs"
            return lambda: self.window.export_current("csv")
        raise ValueError(action)


def settled(window: Any, triggered: dict[str, bool]) -> bool:
    dialog = window.commands.active_dialog
    return (
        triggered["yes"]
        and not window.runner.is_busy()
        and not window.refresher.busy
        and not window.live_feed.reading
        and not (dialog is not None and getattr(dialog, "saving", False))
    )


def measure_case(
    via_proxy: str, proxy: Any, mode: str, case: str, args: argparse.Namespace, folder: Path
) -> dict[str, tuple[float, str]]:
    from PySide6.QtCore import QTimer

    from leanops_desktop.config import SiteConfig
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.main_window import MainWindow
    from leanops_desktop.qt.messages import MessageService
    from leanops_desktop.services.accounts.signed_in import SignedIn

    class Messages(MessageService):
        def __init__(self) -> None:
            super().__init__()
            self.said: list[str] = []

        def show(self, level: Any, text: str, *, source: Any = None) -> None:
            self.said.append(text)
            super().show(level, text, source=source)

        def confirm(self, question: str, **_kwargs: Any) -> bool:
            return True

    db: Database = open_database(via_proxy, connect_timeout=args.connect_timeout)
    messages = Messages()
    window = MainWindow(
        SignedIn(db=db, actor=SUPERVISOR),
        SiteConfig(),
        messages=messages,
        runner=DbRunner(inline=mode == "inline"),
        restore_layout=False,
    )
    window.resize(1400, 850)
    window.show()
    run_until(lambda: not window.runner.is_busy() and len(window.station_rows()) == STATIONS, 30)
    quiet_for(0.5)  # the first paint, the layout fit and the heap freeze are done
    supervisor = Supervisor(window, folder)
    if case == "far away":
        proxy.delay_s = args.delay_ms / 1000
    elif case == "stopped":
        proxy.set_down(True)
    else:
        proxy.set_hung(True)
    results: dict[str, tuple[float, str]] = {}
    meter = StallMeter()
    try:
        for action in ACTIONS:
            call = supervisor.perform(action)  # its rows chosen with what the window shows
            said_before = len(messages.said)
            triggered = {"yes": False}

            def trigger(
                call: Callable[[], None] = call, triggered: dict[str, bool] = triggered
            ) -> None:
                call()
                triggered["yes"] = True

            meter.start()
            QTimer.singleShot(0, trigger)
            finished = run_until(lambda t=triggered: settled(window, t), args.cap_s)
            stall = meter.stop()
            said = messages.said[said_before:]
            outcome = said[-1] if said else ("" if finished else "timed out")
            results[action] = (stall, outcome)
            dialog = window.commands.active_dialog
            if dialog is not None:  # a failed save: the dialog stayed open; close it now
                dialog.done(0)
    finally:
        proxy.delay_s = 0.0
        proxy.set_hung(False)
        proxy.set_down(False)
        window.runner.wait(30_000)
        window.close()
        window.deleteLater()
        quiet_for(0.2)  # delete it now, not during the next case's first action
        db.dispose()
    return results


# -- report ----------------------------------------------------------------------------------


def print_report(
    results: dict[tuple[str, str], dict[str, tuple[float, str]]], args: argparse.Namespace
) -> None:
    names = {
        "far away": f"(a) {args.delay_ms} ms away",
        "stopped": "(b) stopped",
        "not answering": "(c) not answering",
    }
    print()
    print("Longest GUI-thread stall per action, ms (1 ms timer; lower is better)")
    header = f"{'action':<11}" + "".join(f" | {names[case]:^25}" for case in CASES)
    print(header)
    print(f"{'':<11}" + "".join(f" | {'inline (before)':>15} {'now':>9}" for _ in CASES))
    print("-" * len(header))
    for action in ACTIONS:
        line = f"{action:<11}"
        for case in CASES:
            before = results[("inline", case)][action][0]
            now = results[("background", case)][action][0]
            line += f" | {before:15.1f} {now:9.1f}"
        print(line)
    print("-" * len(header))
    worst = {case: max(results[("background", case)][a][0] for a in ACTIONS) for case in CASES}
    line = f"{'worst now':<11}"
    for case in CASES:
        verdict = "ok" if worst[case] <= TARGET_MS else "OVER"
        line += f" | {'target <= 50 ms':>15} {worst[case]:6.1f} {verdict:>2}"
    print(line)
    print()
    print("What the window said (background mode):")
    for case in CASES:
        said = {results[("background", case)][a][1] for a in ACTIONS}
        print(f"  {names[case]}: " + " / ".join(sorted(s for s in said if s))[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=int, default=200, help="case (a): answer delay")
    parser.add_argument(
        "--connect-timeout", type=int, default=5, help="seconds a connection attempt may take"
    )
    parser.add_argument("--cap-s", type=float, default=30.0, help="give up on an action after")
    args = parser.parse_args()

    from leanops_desktop.qt.application import create_application
    from tests.fault_proxy import FaultProxy
    from tests.pg_server import drop_database

    app = create_application()
    stack: list[Any] = []
    url = postgres_url(stack)
    try:
        build_plant(url)
        port = urlsplit(url).port
        assert port is not None
        proxy = FaultProxy(port)
        results: dict[tuple[str, str], dict[str, tuple[float, str]]] = {}
        with tempfile.TemporaryDirectory(prefix="leanops-stall-") as folder:
            for case in CASES:
                for mode in MODES:
                    started = time.monotonic()
                    results[(mode, case)] = measure_case(
                        proxy.url(url), proxy, mode, case, args, Path(folder)
                    )
                    figures = ", ".join(f"{v[0]:.0f}" for v in results[(mode, case)].values())
                    print(
                        f"{case:>14} {mode:>10}: {figures} ms ({time.monotonic() - started:.0f} s)",
                        flush=True,
                    )
        proxy.close()
        print_report(results, args)
    finally:
        app.processEvents()
        server = os.environ.get("LEANOPS_TEST_DATABASE_URL") or (stack[0].url if stack else None)
        if server:
            drop_database(server, DATABASE)
        for cluster in stack:
            cluster.cleanup()


if __name__ == "__main__":
    main()
