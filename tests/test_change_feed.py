"""The change feed reader: changes from other connections, late commits, exactly once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, insert, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.change_feed import ChangeBatch, ChangeFeedReader, FeedRow, prune_change_feed
from leanops_desktop.db.engine import Database
from leanops_desktop.db.feed_wakeup import PgListener
from leanops_desktop.db.models import ChangeFeed
from leanops_desktop.services.floor import dispatch, stations
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station

WRITERS = 10
CHANGES_PER_WRITER = 200


def commit_in_other_process(url: str, code: str) -> None:
    """Run ``code`` (with ``db``, ``admin`` and ``stations`` at hand) in a new interpreter."""
    script = (
        "from leanops_desktop.db.engine import open_database\n"
        "from leanops_desktop.core.actor import Actor\n"
        "from leanops_desktop.services.floor import stations, jobs, dispatch\n"
        "from leanops_desktop.services.reporting import production\n"
        f"db = open_database({url!r})\n"
        "admin = Actor.system()\n"
        "with db.session() as session:\n"
        f"    {code}\n"
        "db.dispose()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def read_all(reader: ChangeFeedReader) -> ChangeBatch:
    batch = ChangeBatch()
    while True:
        batch.merge(reader.read())
        if reader.caught_up:
            return batch


def test_batch_groups_keys_and_keeps_the_last_operation() -> None:
    batch = ChangeBatch()
    batch.add(FeedRow(1, "jobs", "JOB-1", "I"))
    batch.add(FeedRow(2, "jobs", "JOB-1", "U"))
    later = ChangeBatch()
    later.add(FeedRow(3, "stations", "ST-01", "D"))
    batch.merge(later)
    assert batch.changes == {"jobs": {"JOB-1"}, "stations": {"ST-01"}}
    assert batch.operations[("jobs", "JOB-1")] == "U"
    assert batch.deleted("stations") == {"ST-01"}
    assert batch.count == 3
    assert batch.take() == {"jobs": {"JOB-1"}, "stations": {"ST-01"}}
    assert not batch and batch.count == 0


def test_reader_starts_at_the_end_and_sees_a_change_from_another_process(
    db: Database, db_url: str, supervisor: Actor
) -> None:
    make_station(db, supervisor, "ST-01")
    reader = ChangeFeedReader(db.engine)
    reader.start()
    assert read_all(reader).changes == {}  # what happened before start() is not replayed

    commit_in_other_process(
        db_url,
        "stations.create_station(session, admin, station_id='ST-09', name='Nine', line='Line B')",
    )
    batch = read_all(reader)
    assert batch.changes["stations"] == {"ST-09"}
    assert batch.operations[("stations", "ST-09")] == "I"
    assert "events_log" in batch.changes  # the creation event came with it
    assert read_all(reader).changes == {}  # and only once


def test_ten_writers_every_change_arrives_exactly_once(
    db: Database, supervisor: Actor, operator: Actor
) -> None:
    for number in range(1, WRITERS + 1):
        make_station(db, supervisor, f"ST-{number:02d}")
        make_job(db, supervisor, f"JOB-{number:04d}", qty_total=10_000)
        with db.session() as session:
            dispatch.assign_job(session, supervisor, f"JOB-{number:04d}", f"ST-{number:02d}")
    reader = ChangeFeedReader(db.engine, page_size=500)
    reader.start()
    start_seq = reader.last_seq
    assert start_seq is not None

    delivered_logs: list[str] = []
    delivered_rows = 0
    done = threading.Event()
    errors: list[BaseException] = []

    def observe() -> None:
        nonlocal delivered_rows
        try:
            while not done.is_set():
                batch = reader.read()
                delivered_rows += batch.count
                delivered_logs.extend(batch.changes.get("performance_logs", ()))
                time.sleep(0.002)
        except BaseException as exc:
            errors.append(exc)

    def write(number: int) -> None:
        try:
            with db.session() as session:
                for _ in range(CHANGES_PER_WRITER):
                    production.report_quantity(
                        session,
                        operator,
                        station_id=f"ST-{number:02d}",
                        job_id=f"JOB-{number:04d}",
                        qty=1,
                        report_id=uuid.uuid4(),
                    )
        except BaseException as exc:
            errors.append(exc)

    observer = threading.Thread(target=observe)
    observer.start()
    writers = [threading.Thread(target=write, args=(n,)) for n in range(1, WRITERS + 1)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=600)
    done.set()
    observer.join(timeout=60)
    assert errors == []
    for _ in range(3):  # what committed after the observer's last read; gaps settle
        batch = read_all(reader)
        delivered_rows += batch.count
        delivered_logs.extend(batch.changes.get("performance_logs", ()))

    with db.session() as session:
        feed_rows = session.scalar(
            select(func.count()).select_from(ChangeFeed).where(ChangeFeed.seq > start_seq)
        )
        log_count = session.scalar(
            select(func.count())
            .select_from(ChangeFeed)
            .where(ChangeFeed.seq > start_seq, ChangeFeed.table_name == "performance_logs")
        )
    assert log_count == WRITERS * CHANGES_PER_WRITER
    assert len(delivered_logs) == len(set(delivered_logs)) == log_count  # none twice, none lost
    assert delivered_rows == feed_rows
    assert reader.gaps == frozenset()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_late_commit_below_the_last_sequence_is_not_skipped(
    db: Database, db_url: str, supervisor: Actor
) -> None:
    reader = ChangeFeedReader(db.engine)
    reader.start()
    libpq_url = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq_url) as slow, psycopg.connect(libpq_url) as fast:
        slow.execute(
            "INSERT INTO stations (id, name, line) VALUES ('ST-SLOW', 'Slow', 'Line A')"
        )  # draws the lower sequence number, commits later
        fast.execute("INSERT INTO stations (id, name, line) VALUES ('ST-FAST', 'Fast', 'Line A')")
        fast.commit()
        first = read_all(reader)
        assert first.changes == {"stations": {"ST-FAST"}}
        assert len(reader.gaps) == 1
        assert read_all(reader).changes == {}  # the holder is still running: the gap stays
        assert len(reader.gaps) == 1
        slow.commit()
    late = read_all(reader)
    assert late.changes == {"stations": {"ST-SLOW"}}
    assert late.count == 1
    assert reader.gaps == frozenset()
    assert read_all(reader).changes == {}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_report_wakes_listeners_once(
    db: Database, db_url: str, supervisor: Actor, operator: Actor
) -> None:
    make_station(db, supervisor, "ST-01")
    make_job(db, supervisor, "JOB-1001", qty_total=100)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    libpq_url = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq_url, autocommit=True) as listener:
        listener.execute("LISTEN leanops_changes")
        with db.session() as session:
            production.report_quantity(
                session, operator, station_id="ST-01", job_id="JOB-1001", qty=2,
                report_id=uuid.uuid4(),
            )  # fmt: skip
        time.sleep(0.2)
        notes = list(listener.notifies(timeout=1.0))
    # Its log and its event are two feed rows, one transaction: one wake-up, not one per row.
    assert len(notes) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_server_notifies_at_most_once_per_10_ms(db: Database, db_url: str) -> None:
    libpq_url = db_url.replace("postgresql+psycopg://", "postgresql://")
    now_ms = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
    with (
        psycopg.connect(libpq_url, autocommit=True) as listener,
        psycopg.connect(libpq_url, autocommit=True) as writer,
    ):
        listener.execute("LISTEN leanops_changes")

        def wake_after(clock_sql: str) -> int:
            """Notifications from leanops_wake() right after the clock is set to ``clock_sql``."""
            writer.execute(f"SELECT setval('leanops_wake_clock', {clock_sql}), leanops_wake()")
            return len(list(listener.notifies(timeout=0.3)))

        assert wake_after(now_ms) == 0  # another transaction notified just now
        assert wake_after(f"{now_ms} - 10") == 1  # 10 ms ago: notify
        assert wake_after(f"{now_ms} + 600000") == 1  # a clock set back does not silence it
        # And a report after a quiet spell notifies (and sets the clock).
        writer.execute(f"SELECT setval('leanops_wake_clock', {now_ms} - 1000)")
        writer.execute("INSERT INTO stations (id, name, line) VALUES ('ST-W', 'W', 'Line A')")
        assert len(list(listener.notifies(timeout=0.5))) == 1
        last = writer.execute(f"SELECT {now_ms} - last_value FROM leanops_wake_clock").fetchone()
        assert last is not None and 0 <= last[0] < 5_000


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_wake_up_that_never_came_is_caught_by_the_next_heartbeat(db: Database) -> None:
    listener = PgListener.open(PgListener.connect_kwargs(db.engine))
    try:

        def beat() -> int:
            listener.send_heartbeat(time.monotonic())
            deadline = time.monotonic() + 5
            woke = 0
            while listener.heartbeat_age(time.monotonic()) is not None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
                woke += listener.poll()
            return woke

        assert beat() == 0  # the first answer only sets the mark
        assert beat() == 0  # nothing new
        with db.engine.begin() as connection:  # a change whose notification was skipped
            connection.execute(
                insert(ChangeFeed).values(table_name="stations", row_key="ST-01", op="U")
            )
        assert beat() == 1  # the feed grew: read it
        assert beat() == 0
    finally:
        listener.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_rolled_back_sequence_number_is_given_up(db: Database, db_url: str) -> None:
    reader = ChangeFeedReader(db.engine)
    reader.start()
    libpq_url = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq_url) as conn:
        conn.execute("INSERT INTO stations (id, name, line) VALUES ('ST-GONE', 'Gone', 'Line A')")
        conn.rollback()
        conn.execute("INSERT INTO stations (id, name, line) VALUES ('ST-KEPT', 'Kept', 'Line A')")
        conn.commit()
    assert read_all(reader).changes == {"stations": {"ST-KEPT"}}
    assert len(reader.gaps) == 1
    for _ in range(2):  # once no transaction that could hold the number is left, it is dropped
        read_all(reader)
    assert reader.gaps == frozenset()


def test_prune_keeps_at_least_a_day(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor, "ST-01")
    now = datetime.now(UTC)
    with db.session() as session, session.begin():
        for hours in (72, 30, 12):
            session.execute(
                insert(ChangeFeed).values(
                    table_name="stations",
                    row_key=f"OLD-{hours}",
                    op="U",
                    changed_at=now - timedelta(hours=hours),
                )
            )
    assert prune_change_feed(db, keep_hours=1) == 2  # 1 hour is raised to the 24-hour minimum
    with db.session() as session:
        keys = set(session.scalars(select(ChangeFeed.row_key)))
    assert "OLD-12" in keys and "ST-01" in keys
    assert not {"OLD-72", "OLD-30"} & keys
    assert prune_change_feed(db) == 0


def test_verify_position_notices_pruned_history(db: Database, supervisor: Actor) -> None:
    reader = ChangeFeedReader(db.engine)
    reader.start()
    make_station(db, supervisor, "ST-01")
    assert reader.verify_position()  # nothing lost: the catch-up read will bring ST-01
    with db.session() as session, session.begin():
        session.execute(ChangeFeed.__table__.delete())  # everything after us pruned
    with db.session() as session:
        stations.create_station(session, supervisor, station_id="ST-02", name="Two", line="A")
    assert not reader.verify_position()
    assert read_all(reader).changes == {}  # repositioned at the end: the caller reloads
