"""Never lose a count: the outbox and sender against a real PostgreSQL that misbehaves.

These tests start their OWN throwaway cluster so they can stop, crash and restart it
without disturbing other tests. They prove, on one assignment:

* reports in random sizes keep flowing while the server is stopped (fast and immediate)
  and restarted, and while the sender's connections are killed with
  ``pg_terminate_backend``: afterwards the sum of the assignment's logs is exactly what the
  kiosk confirmed, with one log per confirmed report (no duplicate, none missing);
* a kiosk process killed with SIGKILL while sending, then restarted, gives the same result;
* a reply lost after the server committed is counted once: the proxy drops the connection
  instead of passing on the server's answer to the report, which comes after the commit
  (a ``COMMIT`` acknowledgement, or, for the one-statement report call, the server's
  "ready, no transaction open" that follows its implicit commit).

:class:`~tests.fault_proxy.FaultProxy` (also used by the kiosk's offline GUI test, which
imports it from here) sits between the client and the server and can cut every connection,
refuse new ones, or swallow the reply to a commit.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, PerformanceLog, StationAssignment
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import ItemState
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting.report_sender import Outcome, ReportSender
from leanops_desktop.services.reporting.send_loop import SendLoop
from tests.factories import make_job, make_station
from tests.fault_proxy import FaultProxy
from tests.pg_server import (
    ClusterStartError,
    ThrowawayCluster,
    admin_connect,
    create_database,
    find_pg_bindir,
)

pytestmark = [pytest.mark.postgres]

OPERATOR = Actor(email="olga.operator@plant.test", role=Role.OPERATOR)
SUPERVISOR = Actor(email="sam.supervisor@plant.test", role=Role.SUPERVISOR)
UNITS = 1000
# -- the cluster and one running assignment ----------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[ThrowawayCluster]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries: the kiosk fault tests need their own cluster")
    own = ThrowawayCluster()
    try:
        own.start()
    except ClusterStartError as exc:
        pytest.skip(f"the kiosk's own PostgreSQL cluster did not start: {exc}")
    try:
        yield own
    finally:
        own.cleanup()


@pytest.fixture
def pg_url(cluster: ThrowawayCluster) -> str:
    """A fresh migrated database; commits are synchronous even on this test server, so a
    crash (immediate stop) loses nothing that was acknowledged."""
    name = f"k_{uuid.uuid4().hex[:10]}"
    url = create_database(cluster.url, name)
    with admin_connect(cluster.url) as conn:
        conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = on")
    db = open_database(url)
    try:
        migrate.upgrade(db)
        make_station(db, SUPERVISOR, "ST-01")
        make_job(db, SUPERVISOR, "JOB-1001", qty_total=UNITS * 10)
        with db.session() as session:
            dispatch.assign_job(session, SUPERVISOR, "JOB-1001", "ST-01")
    finally:
        db.dispose()
    return url


def assignment_logs(url: str) -> tuple[list[uuid.UUID], int, int, int]:
    """(log ids, sum of units, the assignment's qty_done, qty_reported events)."""
    db = open_database(url)
    try:
        with db.session() as session:
            assignment = session.scalars(select(StationAssignment)).one()
            logs = session.execute(
                select(PerformanceLog.id, PerformanceLog.qty_completed).where(
                    PerformanceLog.assignment_id == assignment.id
                )
            ).all()
            events = session.scalar(
                select(func.count()).where(EventLog.event_type == EventType.QTY_REPORTED.value)
            )
            return (
                [log_id for log_id, _qty in logs],
                sum(qty for _id, qty in logs),
                assignment.qty_done,
                int(events or 0),
            )
    finally:
        db.dispose()


def terminate_sender_connections(cluster: ThrowawayCluster, url: str) -> int:
    name = urlsplit(url).path.lstrip("/")
    with admin_connect(cluster.url) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = 'leanops'",
            (name,),
        ).fetchall()
    return len(rows)


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def assert_counted_exactly(outbox: Outbox, url: str, confirmed: int) -> None:
    items = outbox.items()
    assert [item.state for item in items] == [ItemState.SENT] * len(items)
    ids, total, qty_done, events = assignment_logs(url)
    assert total == confirmed == sum(item.qty for item in items)
    assert sorted(ids) == sorted(item.id for item in items)  # one log per report, no duplicate
    assert len(ids) == len(set(ids)) == events
    assert qty_done == confirmed


# -- the tests -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_stops_restarts_and_killed_connections_lose_nothing(
    cluster: ThrowawayCluster, pg_url: str, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    db = open_database(pg_url, connect_timeout=2)
    sender = ReportSender(outbox, db, OPERATOR)
    offline_seen = threading.Event()
    loop = SendLoop(
        sender,
        lambda status: offline_seen.set() if status.online is False else None,
        first_delay=0.05,
        max_delay=0.4,
    )
    rng = random.Random(6)
    confirmed = 0
    done = threading.Event()

    def operator_taps() -> None:
        nonlocal confirmed
        while confirmed < UNITS:
            qty = min(rng.randint(1, 12), UNITS - confirmed)
            outbox.add_report(
                station_id="ST-01", job_id="JOB-1001", qty=qty, operator="olga.operator@plant.test"
            )
            confirmed += qty  # on screen now: durable in the outbox
            loop.wake()
            time.sleep(0.025)
        done.set()

    def sent() -> int:
        return sum(1 for item in outbox.items() if item.state == ItemState.SENT)

    loop.start()
    tapping = threading.Thread(target=operator_taps)
    tapping.start()
    try:
        wait_for(lambda: sent() >= 15, 20, "the first reports")
        during = [not done.is_set()]
        cluster.stop("fast")
        time.sleep(0.3)
        cluster.start_again()
        wait_for(lambda: sent() >= 50, 30, "sending after the first restart")
        killed = terminate_sender_connections(cluster, pg_url)
        time.sleep(0.05)
        killed += terminate_sender_connections(cluster, pg_url)
        wait_for(lambda: sent() >= 80, 30, "sending after killed connections")
        during.append(not done.is_set())
        cluster.stop("immediate")  # a crash: acknowledged commits must survive it
        time.sleep(0.3)
        cluster.start_again()
        terminate_sender_connections(cluster, pg_url)
        tapping.join(60)
        assert done.is_set()
        loop.wake()
        wait_for(lambda: outbox.counts().pending == 0, 60, "the outbox to drain")
    finally:
        loop.stop(20)
        tapping.join(5)
        db.dispose()
    assert during == [True, True]  # both outages came while the operator was still tapping
    assert offline_seen.is_set() and killed >= 1
    assert confirmed == UNITS
    assert any(item.attempts > 1 for item in outbox.items())  # some sends really failed
    assert_counted_exactly(outbox, pg_url, UNITS)
    outbox.close()


KIOSK_PROCESS = r"""
import random, sys, threading, time
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services.reporting.report_sender import Outcome, ReportSender
from leanops_desktop.services.reporting.send_loop import SendLoop

url, path, units, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
outbox = Outbox(path)
db = open_database(url)
actor = Actor(email="olga.operator@plant.test", role=Role.OPERATOR)
lock = threading.Lock()

def say(*words):
    with lock:  # one write per line: the two threads never interleave
        sys.stdout.write(" ".join(str(word) for word in words) + "\n")
        sys.stdout.flush()

def on_status(status):
    if status.last is not None and status.last.outcome == Outcome.SENT:
        say("sent", status.last.item.id)

loop = SendLoop(ReportSender(outbox, db, actor), on_status, first_delay=0.05, max_delay=0.2)
loop.start()
rng = random.Random(seed)
total = sum(item.qty for item in outbox.items())
while total < units:
    qty = min(rng.randint(1, 12), units - total)
    item = outbox.add_report(station_id="ST-01", job_id="JOB-1001", qty=qty, operator=actor.email)
    total += qty
    say("confirmed", item.id, qty)
    loop.wake()
    time.sleep(0.004)
while outbox.counts().pending:
    loop.wake()
    time.sleep(0.02)
say("drained")
loop.stop(10)
"""


def run_kiosk_until(
    url: str, path: Path, seed: int, kill_after_sent: int | None
) -> tuple[list[uuid.UUID], int]:
    """Run a kiosk process; SIGKILL it after ``kill_after_sent`` sends (None: let it drain).

    Returns the reports it confirmed (printed after they were stored) and its exit code."""
    process = subprocess.Popen(
        [sys.executable, "-c", KIOSK_PROCESS, url, str(path), str(UNITS), str(seed)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    confirmed: list[uuid.UUID] = []
    sent = 0
    for line in process.stdout:
        words = line.split() or [""]
        if words[0] == "confirmed":
            confirmed.append(uuid.UUID(words[1]))
        elif words[0] == "sent":
            sent += 1
            if kill_after_sent is not None and sent >= kill_after_sent:
                process.send_signal(signal.SIGKILL)  # in the middle of sending
                break
    process.stdout.close()
    return confirmed, process.wait(60)


@pytest.mark.slow
def test_a_kiosk_killed_while_sending_loses_nothing(pg_url: str, tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    confirmed: list[uuid.UUID] = []
    for seed, kill_after in ((1, 25), (2, 25), (3, None)):
        ids, code = run_kiosk_until(pg_url, path, seed, kill_after)
        confirmed += ids
        assert code == (-signal.SIGKILL if kill_after else 0)
    with Outbox(path) as outbox:
        stored = {item.id for item in outbox.items()}
        assert set(confirmed) <= stored  # everything shown as confirmed was kept
        assert_counted_exactly(outbox, pg_url, UNITS)


def test_a_reply_lost_after_commit_is_counted_once(
    cluster: ThrowawayCluster, pg_url: str, tmp_path: Path
) -> None:
    proxy = FaultProxy(cluster.port)
    db = open_database(proxy.url(pg_url), connect_timeout=2)
    try:
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            sender = ReportSender(outbox, db, OPERATOR)
            item = outbox.add_report(
                station_id="ST-01", job_id="JOB-1001", qty=7, operator=OPERATOR.email
            )
            proxy.drop_reply_once_committed(str(item.id).encode())  # the report's own trip
            first = sender.send_pending()
            assert proxy.commit_replies_dropped == 1
            assert first.online is False and first.results[0].outcome == Outcome.OFFLINE
            ids, total, _done, _events = assignment_logs(pg_url)
            assert (ids, total) == ([item.id], 7)  # the server did commit it
            assert outbox.get(item.id).state == ItemState.PENDING  # the kiosk could not know
            again = sender.send_pending()
            retried = again.results[0]
            assert retried.outcome == Outcome.SENT
            assert retried.result is not None and not retried.result.counted
            assert outbox.get(item.id).attempts == 2
            assert_counted_exactly(outbox, pg_url, 7)
    finally:
        db.dispose()
        proxy.close()


def test_a_dead_proxy_means_offline_and_nothing_is_lost(
    cluster: ThrowawayCluster, pg_url: str, tmp_path: Path
) -> None:
    proxy = FaultProxy(cluster.port)
    db: Database = open_database(proxy.url(pg_url), connect_timeout=2)
    try:
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            sender = ReportSender(outbox, db, OPERATOR)
            outbox.add_report(station_id="ST-01", job_id="JOB-1001", qty=2, operator=OPERATOR.email)
            assert sender.send_pending().online is True
            proxy.set_down(True)
            for qty in (3, 4):
                outbox.add_report(
                    station_id="ST-01", job_id="JOB-1001", qty=qty, operator=OPERATOR.email
                )
            down = sender.send_pending()
            assert down.online is False and outbox.counts().pending == 2
            proxy.set_down(False)
            assert [r.outcome for r in sender.send_pending().results] == [Outcome.SENT] * 2
            assert_counted_exactly(outbox, pg_url, 9)
    finally:
        db.dispose()
        proxy.close()


def test_a_reply_lost_after_a_batch_committed_is_counted_once(
    cluster: ThrowawayCluster, pg_url: str, tmp_path: Path
) -> None:
    proxy = FaultProxy(cluster.port)
    db = open_database(proxy.url(pg_url), connect_timeout=2)
    try:
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            sender = ReportSender(outbox, db, OPERATOR)
            items = [
                outbox.add_report(
                    station_id="ST-01", job_id="JOB-1001", qty=qty, operator=OPERATOR.email
                )
                for qty in (4, 5, 6)
            ]
            proxy.drop_reply_once_committed(str(items[0].id).encode())  # the batch's trip
            first = sender.send_pending()
            assert proxy.commit_replies_dropped == 1
            assert first.online is False and first.results[0].outcome == Outcome.OFFLINE
            ids, total, _done, _events = assignment_logs(pg_url)
            assert (sorted(ids), total) == (sorted(item.id for item in items), 15)  # committed
            assert outbox.counts().pending == 3  # the kiosk could not know
            again = sender.send_pending()
            assert [r.outcome for r in again.results] == [Outcome.SENT] * 3
            assert not any(r.result is not None and r.result.counted for r in again.results)
            assert_counted_exactly(outbox, pg_url, 15)
    finally:
        db.dispose()
        proxy.close()


def sender_backends(cluster: ThrowawayCluster, url: str) -> list[int]:
    name = urlsplit(url).path.lstrip("/")
    with admin_connect(cluster.url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'leanops'",
            (name,),
        ).fetchall()
    return [int(row[0]) for row in rows]


def test_the_kept_connection_is_reused_and_replaced_at_once_when_it_died(
    cluster: ThrowawayCluster, pg_url: str, tmp_path: Path
) -> None:
    db = open_database(pg_url, connect_timeout=2)
    try:
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            sender = ReportSender(outbox, db, OPERATOR)
            for qty in (1, 2):
                outbox.add_report(
                    station_id="ST-01", job_id="JOB-1001", qty=qty, operator=OPERATOR.email
                )
                assert sender.send_pending().online is True
            backends = sender_backends(cluster, pg_url)
            assert len(backends) == 1  # both trips on the one kept connection
            assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
            assert terminate_sender_connections(cluster, pg_url) == 1  # it dies while idle
            item = outbox.add_report(
                station_id="ST-01", job_id="JOB-1001", qty=3, operator=OPERATOR.email
            )
            again = sender.send_pending()
            assert again.online is True and [r.outcome for r in again.results] == [Outcome.SENT]
            assert outbox.get(item.id).attempts == 1  # replaced at once, not retried later
            assert sender_backends(cluster, pg_url) != backends
            sender.close()
            assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            assert_counted_exactly(outbox, pg_url, 6)
    finally:
        db.dispose()
