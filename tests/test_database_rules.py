"""Rules the database itself keeps, tested with raw SQL (no service in between)."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services.floor import dispatch, jobs
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station


def _assigned(db: Database, supervisor: Actor) -> uuid.UUID:
    make_station(db, supervisor)
    make_job(db, supervisor)
    with db.session() as session:
        return dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01").id


def test_events_log_rejects_update_and_delete(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor)
    for statement in (
        "UPDATE events_log SET event_type = 'forged'",
        "DELETE FROM events_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT event_type FROM events_log")).scalars().all() == [
            "station_created"
        ]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])  # TRUNCATE exists on PostgreSQL only
def test_events_log_rejects_truncate_on_postgres(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text("TRUNCATE events_log"))


def test_performance_logs_are_append_only(db: Database, supervisor: Actor) -> None:
    _assigned(db, supervisor)
    with db.session() as session:
        production.report_quantity(
            session,
            supervisor,
            station_id="ST-01",
            job_id="JOB-1001",
            qty=3,
            report_id=uuid.uuid4(),
        )
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text("UPDATE performance_logs SET qty_completed = 300"))


def test_log_insert_adds_to_qty_done_and_stamps_updated_at(db: Database, supervisor: Actor) -> None:
    assignment_id = _assigned(db, supervisor)
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT updated_at FROM station_assignments")).scalar_one()
    time.sleep(0.01)
    with db.engine.begin() as connection:  # a raw insert, as another tool would do it
        for qty in (4, 6):
            connection.execute(
                text(
                    "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
                    " VALUES (:id, 'ST-01', 'JOB-1001', :qty)"
                ),
                {"id": str(uuid.uuid4()), "qty": qty},
            )
    with db.engine.connect() as connection:
        qty_done, after = connection.execute(
            text("SELECT qty_done, updated_at FROM station_assignments WHERE id = :id"),
            {"id": str(assignment_id)},
        ).one()
    assert qty_done == 10
    assert str(after) > str(before)


def test_every_business_change_lands_in_the_change_feed(db: Database, supervisor: Actor) -> None:
    assignment_id = _assigned(db, supervisor)
    with db.engine.connect() as connection:
        feed = connection.execute(
            text("SELECT table_name, row_key, op FROM change_feed ORDER BY seq")
        ).all()
    assert ("stations", "ST-01", "I") in feed
    assert ("jobs", "JOB-1001", "I") in feed
    assert ("station_assignments", str(assignment_id), "I") in feed
    assert ("stations", "ST-01", "U") in feed  # idle -> running
    assert ("jobs", "JOB-1001", "U") in feed  # waiting -> running
    assert sum(1 for table, _key, _op in feed if table == "events_log") == 3
    seqs = [row[0] for row in db.engine.connect().execute(text("SELECT seq FROM change_feed"))]
    assert len(seqs) == len(set(seqs))


def _feed_after(db: Database, start: int) -> list[tuple[str, str, str]]:
    with db.engine.connect() as connection:
        return [
            (table, key, op)
            for table, key, op in connection.execute(
                text("SELECT table_name, row_key, op FROM change_feed WHERE seq > :s ORDER BY seq"),
                {"s": start},
            )
        ]


def _last_seq(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT max(seq) FROM change_feed")).scalar_one())


def test_one_assignment_update_is_one_feed_row(db: Database, supervisor: Actor) -> None:
    assignment_id = _assigned(db, supervisor)
    start = _last_seq(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE station_assignments SET started_at = :t WHERE id = :id"),
            {"id": str(assignment_id), "t": "2026-01-05 06:00:00"},
        )
    assert _feed_after(db, start) == [("station_assignments", str(assignment_id), "U")]


def test_a_report_is_in_the_feed_as_its_log_and_event_not_its_counter_updates(
    db: Database, supervisor: Actor
) -> None:
    assignment_id = _assigned(db, supervisor)
    start = _last_seq(db)
    log_id = uuid.uuid4()
    with db.session() as session:
        production.report_quantity(
            session, supervisor, station_id="ST-01", job_id="JOB-1001", qty=4, report_id=log_id
        )
    feed = _feed_after(db, start)
    # The counts moved (readers re-read a log's job and assignments) ...
    with db.engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT a.qty_done, j.qty_reported FROM station_assignments a"
                " JOIN jobs j ON j.id = a.job_id WHERE a.id = :id"
            ),
            {"id": str(assignment_id)},
        ).one()
    assert tuple(counts) == (4, 4)
    # ... but only the log and its event are in the feed.
    assert sorted((table, op) for table, _key, op in feed) == [
        ("events_log", "I"),
        ("performance_logs", "I"),
    ]
    assert ("performance_logs", str(log_id), "I") in feed
    # A change a person makes to the same rows is in the feed, once each.
    start = _last_seq(db)
    with db.session() as session:
        jobs.set_job_priority(session, supervisor, "JOB-1001", "high")
    assert _feed_after(db, start).count(("jobs", "JOB-1001", "U")) == 1


def test_a_station_holds_one_assignment_at_most(db: Database, supervisor: Actor) -> None:
    _assigned(db, supervisor)
    make_job(db, supervisor, "JOB-1002")
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO station_assignments (id, station_id, job_id)"
                " VALUES (:id, 'ST-01', 'JOB-1002')"
            ),
            {"id": str(uuid.uuid4())},
        )


def test_blocked_needs_a_reason_in_the_database(db: Database, supervisor: Actor) -> None:
    make_station(db, supervisor)
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("UPDATE stations SET status = 'blocked'"))
