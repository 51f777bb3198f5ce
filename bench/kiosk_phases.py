"""What runs in a worker process of the kiosk bench: some of the kiosks, for one phase.

See ``bench/kiosk_throughput.py`` for the phases and what is measured. Each function takes
the job the parent sends (``indexes`` of the kiosks, per-kiosk ``rate``, the common ``start``
on the ``time.monotonic()`` clock, ``seconds``, ...) and returns latencies, rates and the
process's CPU time over the measured window.
"""

from __future__ import annotations

import gc
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.kiosk_cpu import ThreadProfiles
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services.reporting import production, report_pg
from leanops_desktop.services.reporting.report_request import ReportRequest
from leanops_desktop.services.reporting.report_sender import Outcome, ReportSender
from leanops_desktop.services.reporting.send_loop import SenderStatus, SendLoop

OPERATOR = Actor(email="bench.operator@leanops.test", role=Role.OPERATOR)
#: Who taps, as each report names them: another user of the plant, so every report carries a
#: ``reported_by`` the server looks up (the costlier case; a kiosk's own sign-in sends none).
TAPPER = Actor(email="bench.tapper@leanops.test", role=Role.OPERATOR)
DRAIN_S = 15.0
RAW_SQL = "SELECT counted FROM public.leanops_report(%s, %s, %s, %s::integer, false, NULL, %s, %s)"


def station_of(index: int) -> tuple[str, str]:
    return f"ST-{index + 1:02d}", f"JOB-{index + 1:04d}"


def warm(db: Database, connections: int) -> None:
    """Open the pool's connections before the clock starts (sign-in happens before taps)."""
    opened = [db.engine.connect() for _ in range(connections)]
    for conn in opened:
        conn.exec_driver_sql("SELECT 1")
        conn.close()


def kiosk_connections(
    job: dict[str, Any], indexes: list[int]
) -> tuple[dict[int, Database], dict[int, Actor]]:
    """Each kiosk's database and actor: one shared pool as the operator's login, or, as
    enrolled devices (``job["devices"]``), each kiosk its own login and connection."""
    devices: dict[int, tuple[str, str]] | None = job.get("devices")
    if not devices:
        db = open_database(job["login_url"], pool_size=len(indexes) + 2, max_overflow=4)
        warm(db, len(indexes))
        return dict.fromkeys(indexes, db), dict.fromkeys(indexes, OPERATOR)
    dbs, actors = {}, {}
    for index in indexes:
        url, login = devices[index]
        dbs[index] = open_database(url, pool_size=1, max_overflow=2)
        warm(dbs[index], 1)
        actors[index] = Actor(email=login, role=Role.OPERATOR)
    return dbs, actors


def plain_url(job: dict[str, Any], index: int) -> tuple[str, Actor]:
    """A libpq URL and the actor for kiosk ``index`` (see :func:`kiosk_connections`)."""
    devices: dict[int, tuple[str, str]] | None = job.get("devices")
    url, actor = job["login_url"], OPERATOR
    if devices:
        url, login = devices[index]
        actor = Actor(email=login, role=Role.OPERATOR)
    return url.replace("postgresql+psycopg://", "postgresql://"), actor


def wait_until(moment: float) -> None:
    """Sleep until ``moment`` (one wake-up, not a 1 ms poll: the bench's own samplers must
    not cost the kiosks CPU)."""
    while (left := moment - time.monotonic()) > 0:
        time.sleep(left)


class Recorder:
    """Latencies of reports tapped inside the measured window (thread-safe), and the
    process's CPU time over the window."""

    def __init__(self, start: float, window_end: float) -> None:
        self.window_end = window_end
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.committed_in_window = 0
        self.taps = 0
        self.store_ms: list[float] = []
        self.cpu_s = 0.0
        self._sampler = threading.Thread(target=self._sample, args=(start,), daemon=True)
        self._sampler.start()

    def _sample(self, start: float) -> None:
        wait_until(start)
        before = time.process_time()
        wait_until(self.window_end)
        self.cpu_s = time.process_time() - before

    def committed(self, tapped: float, now: float) -> None:
        with self.lock:
            if tapped <= self.window_end:
                self.latencies.append((now - tapped) * 1000)
            if now <= self.window_end:
                self.committed_in_window += 1

    def result(self, **extra: Any) -> dict[str, Any]:
        self._sampler.join()
        values: dict[str, Any] = {
            "taps": self.taps or len(self.latencies),
            "committed_in_window": self.committed_in_window,
            "latencies": self.latencies,
            "store_ms": self.store_ms,
            "cpu_s": self.cpu_s,
            "backlog_at_end": 0,
            "drain_s": 0.0,
            "left": 0,
            "late": False,
        }
        values.update(extra)
        return values


def kiosk_phase(job: dict[str, Any]) -> dict[str, Any]:
    """Kiosks ``indexes`` through the outbox and send loop; ``rate`` per kiosk (0: closed)."""
    indexes, rate, start = job["indexes"], job["rate"], job["start"]
    dbs, actors = kiosk_connections(job, indexes)
    folder = Path(tempfile.mkdtemp(prefix="leanops-bench-kiosk-"))
    end = start + job["seconds"]
    rec = Recorder(start, end)
    stop = threading.Event()
    loops: list[SendLoop] = []
    outboxes: list[Outbox] = []
    tapped: dict[uuid.UUID, float] = {}
    sent_events: dict[int, threading.Event] = {}

    def on_status_for(index: int) -> Any:
        def on_status(status: SenderStatus) -> None:
            last = status.last
            if last is not None and last.outcome == Outcome.SENT:
                now = time.monotonic()
                tap = tapped.pop(last.item.id, None)
                if tap is not None:  # not a warm-up report
                    rec.committed(tap, now)
                sent_events[index].set()

        return on_status

    def tapper(position: int, index: int) -> None:
        station, job_id = station_of(index)
        outbox, loop = outboxes[position], loops[position]
        rng = random.Random(index)
        next_at = start + rng.random() / rate if rate else start
        while not stop.is_set():
            now = time.monotonic()
            if now >= end:
                break
            if rate and next_at > now:
                time.sleep(next_at - now)
            tap = time.monotonic()
            sent_events[index].clear()
            item = outbox.add_report(
                station_id=station, job_id=job_id, qty=1, operator=TAPPER.email
            )
            tapped[item.id] = tap
            with rec.lock:
                rec.taps += 1
                rec.store_ms.append((time.monotonic() - tap) * 1000)
            loop.wake()
            if rate:
                next_at += 1 / rate
            else:
                sent_events[index].wait(5)

    profiles = ThreadProfiles() if job["profile"] else None
    if profiles is not None:
        profiles.start()
    for index in indexes:
        outbox = Outbox(folder / f"{index}.sqlite3")
        outboxes.append(outbox)
        sent_events[index] = threading.Event()
        sender = ReportSender(outbox, dbs[index], actors[index], batch_size=job["batch"])
        loop = SendLoop(sender, on_status_for(index), poll_interval=1.0)
        loops.append(loop)
        loop.start()
    # Warm-up, not measured: each kiosk's first report (its server session compiles the
    # report functions and triggers and loads its caches, once per sign-in).
    for position, index in enumerate(indexes):
        station, job_id = station_of(index)
        outboxes[position].add_report(
            station_id=station, job_id=job_id, qty=1, operator=TAPPER.email
        )
        loops[position].wake()
    while any(outbox.counts().pending for outbox in outboxes) and time.monotonic() < start:
        time.sleep(0.02)
    threads = [
        threading.Thread(target=tapper, args=(position, index), daemon=True)
        for position, index in enumerate(indexes)
    ]
    late = time.monotonic() > start
    wait_until(start)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    backlog = sum(outbox.counts().pending for outbox in outboxes)
    deadline = time.monotonic() + DRAIN_S
    while sum(outbox.counts().pending for outbox in outboxes) and time.monotonic() < deadline:
        time.sleep(0.05)
    drained_after = time.monotonic() - end
    left = sum(outbox.counts().pending for outbox in outboxes)
    for loop in loops:
        loop.stop(10)
    if profiles is not None:
        profiles.stop()
    for outbox in outboxes:
        outbox.close()
    shutil.rmtree(folder, ignore_errors=True)
    for db in set(dbs.values()):
        db.dispose()
    return rec.result(
        late=late,
        backlog_at_end=backlog,
        drain_s=drained_after,
        left=left,
        profile=profiles.report() if profiles is not None else "",
    )


def service_phase(job: dict[str, Any]) -> dict[str, Any]:
    """Closed loop straight into the service, one thread per kiosk."""
    indexes, start = job["indexes"], job["start"]
    db = open_database(job["login_url"], pool_size=len(indexes) + 2)
    warm(db, len(indexes))
    end = start + job["seconds"]
    rec = Recorder(start, end)

    def run(index: int) -> None:
        station, job_id = station_of(index)
        with db.session() as session:
            production.report_quantity(  # warm-up, not measured
                session, OPERATOR, station_id=station, job_id=job_id, qty=1, report_id=uuid.uuid4()
            )
            late[0] = late[0] or time.monotonic() > start
            wait_until(start)
            while time.monotonic() < end:
                tap = time.monotonic()
                production.report_quantity(
                    session,
                    OPERATOR,
                    station_id=station,
                    job_id=job_id,
                    qty=1,
                    report_id=uuid.uuid4(),
                )
                rec.committed(tap, time.monotonic())

    late = [False]
    _run_threads(run, indexes)
    db.dispose()
    return rec.result(late=late[0])


def raw_phase(job: dict[str, Any]) -> dict[str, Any]:
    """Closed loop, the report function called with bare psycopg (autocommit)."""
    import psycopg

    indexes, start = job["indexes"], job["start"]
    end = start + job["seconds"]
    rec = Recorder(start, end)
    plain = job["login_url"].replace("postgresql+psycopg://", "postgresql://")
    ready = threading.Barrier(len(indexes))

    def run(index: int) -> None:
        station, job_id = station_of(index)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(RAW_SQL, (uuid.uuid4(), station, job_id, 1, OPERATOR.email, "operator"))
            ready.wait()
            late[0] = late[0] or time.monotonic() > start
            wait_until(start)
            while time.monotonic() < end:
                tap = time.monotonic()
                params = (uuid.uuid4(), station, job_id, 1, OPERATOR.email, "operator")
                conn.execute(RAW_SQL, params)
                rec.committed(tap, time.monotonic())

    late = [False]
    _run_threads(run, indexes)
    return rec.result(late=late[0])


def wire_phase(job: dict[str, Any]) -> dict[str, Any]:
    """Open loop at ``rate`` per kiosk sending exactly what a kiosk's sender sends for one
    report (the prepared batch call, on its own kept autocommit connection) with nothing
    else of the kiosk around it: the server's side of the target."""
    import psycopg

    indexes, rate, start = job["indexes"], job["rate"], job["start"]
    end = start + job["seconds"]
    rec = Recorder(start, end)
    ready = threading.Barrier(len(indexes))

    def params(index: int) -> tuple[str, ...]:
        station, job_id = station_of(index)
        request = ReportRequest(station, job_id, 1, uuid.uuid4(), reported_by=TAPPER.email)
        return report_pg.batch_params(plain_url(job, index)[1], [request])

    def run(index: int) -> None:
        with psycopg.connect(plain_url(job, index)[0], autocommit=True) as conn:
            report_pg.run_kept_batch(conn, params(index))  # warm-up, not measured
            ready.wait()
            late[0] = late[0] or time.monotonic() > start
            next_at = start + random.Random(index).random() / rate
            while next_at < end:
                wait_until(next_at)
                tap = time.monotonic()
                with rec.lock:
                    rec.taps += 1
                report_pg.run_kept_batch(conn, params(index))
                rec.committed(tap, time.monotonic())
                next_at += 1 / rate

    late = [False]
    _run_threads(run, indexes)
    return rec.result(late=late[0])


def _run_threads(run: Any, indexes: list[int]) -> None:
    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def worker(job: dict[str, Any]) -> dict[str, Any]:
    if job["switch_interval"]:
        sys.setswitchinterval(job["switch_interval"])
    phases = {"service": service_phase, "raw": raw_phase, "wire": wire_phase}
    phase = phases.get(job["mode"], kiosk_phase)
    gc.collect()  # as a kiosk does after its first view (qt/gc_pauses.py)
    gc.freeze()
    return phase(job)
