"""A kiosk's scrap reports survive in its outbox file and count once, on both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import Job
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.scrap_outbox import ScrapOutbox
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from leanops_desktop.services.quality.scrap_sender import send_pending_scrap
from tests.factories import make_job, make_station


def _scrapped(db: Database) -> tuple[int, int]:
    with db.session() as session:
        logs = session.scalar(select(func.coalesce(func.sum(ScrapLog.qty_scrapped), 0)))
        job = session.get(Job, "JOB-1")
        assert job is not None
        return int(logs or 0), job.qty_scrapped


def test_queued_scrap_survives_a_restart_and_counts_once(
    db: Database, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-1")
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-1", "ST-01")
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as outbox:
        queue = ScrapOutbox(outbox)
        first = queue.add(station_id="ST-01", job_id="JOB-1", qty=2,
                          reason_id="quality/surface", operator=operator.email)
        wrong = queue.add(station_id="ST-02", job_id="JOB-1", qty=5,
                          reason_id="quality/surface", operator=operator.email)
        last = queue.add(station_id="ST-01", job_id="JOB-1", qty=3,
                         reason_id="quality/dimension", operator=operator.email)
    with Outbox(path) as outbox:  # a restart: the queue is still there, in order
        queue = ScrapOutbox(outbox)
        assert [item.id for item in queue.pending()] == [first, wrong, last]
        # The first reached the server but its reply was lost: it is sent again.
        with db.session() as session:
            report_scrap(session, operator, ScrapReport("ST-01", "JOB-1", 2, "quality/surface",
                                                        first, operator.email))
            result = send_pending_scrap(session, operator, queue)
        assert (result.sent, result.refused, result.offline) == (2, 1, False)
        assert queue.pending() == []
        [refused] = queue.refused()
        assert refused.id == wrong and "ST-02 is not working on job JOB-1" in (
            refused.last_error or ""
        )
    assert _scrapped(db) == (5, 5)  # 2 + 3, the first once


def test_scrap_waits_while_the_database_is_unreachable(
    db: Database, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    make_station(db, admin, "ST-01")
    make_job(db, admin, "JOB-1")
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-1", "ST-01")
    unreachable = open_database("postgresql://nobody@127.0.0.1:9/nowhere")
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        queue = ScrapOutbox(outbox)
        item = queue.add(station_id="ST-01", job_id="JOB-1", qty=4,
                         reason_id="quality/surface", operator=operator.email)
        try:
            with unreachable.session() as session:
                offline = send_pending_scrap(session, operator, queue)
        finally:
            unreachable.dispose()
        assert offline.offline and offline.sent == 0
        waiting = queue.get(item)
        assert waiting.state == "pending" and waiting.attempts == 1
        assert "no connection to the database" in (waiting.last_error or "")
        with db.session() as session:
            back = send_pending_scrap(session, operator, queue)
        assert back.sent == 1 and queue.get(item).state == "sent"
    assert _scrapped(db) == (4, 4)
    with db.session() as session:  # the server's scrap log has the kiosk's id
        assert session.get(ScrapLog, item) is not None


def test_an_undo_waits_behind_its_report_and_a_refused_reports_undo_is_refused_here(
    db: Database, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-1")
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-1", "ST-01")
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        queue = ScrapOutbox(outbox)
        queue.add(station_id="ST-01", job_id="JOB-1", qty=4,
                  reason_id="quality/surface", operator=operator.email)
        undone = queue.add(station_id="ST-01", job_id="JOB-1", qty=3,
                           reason_id="quality/surface", operator=operator.email)
        wrong = queue.add(station_id="ST-02", job_id="JOB-1", qty=5,
                          reason_id="quality/surface", operator=operator.email)
        correction = queue.add_correction(undone, operator=operator.email)
        wrong_undo = queue.add_correction(wrong, operator=operator.email)
        with pytest.raises(RuleViolation, match="already taken back"):
            queue.add_correction(undone, operator=operator.email)
        assert queue.pending_count() == 5
        with db.session() as session:
            result = send_pending_scrap(session, operator, queue)
        assert (result.sent, result.refused) == (3, 2)
        assert {item.id for item in queue.refused()} == {wrong, wrong_undo}
        assert "nothing to undo" in (queue.get(wrong_undo).last_error or "")
        assert queue.get(correction).corrects_id == undone
    assert _scrapped(db) == (4, 4)  # 4 + 3 - 3


def test_an_outbox_file_from_before_scrap_undo_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Outbox(path) as outbox:
        ScrapOutbox(outbox).add(station_id="ST-01", job_id="JOB-1", qty=1,
                                reason_id="quality/surface", operator="o@plant.test")
        with outbox._write() as conn:  # as the file was before corrections
            conn.execute("ALTER TABLE scrap_outbox DROP COLUMN corrects_id")
    with Outbox(path) as outbox:
        queue = ScrapOutbox(outbox)
        [item] = queue.pending()
        assert item.corrects_id is None
        queue.add_correction(item.id, operator="o@plant.test")
        assert queue.pending_count() == 2


def test_unsent_scrap_is_what_a_server_read_may_not_hold_yet(tmp_path: Path) -> None:
    """Pending items and those sent after the read began, signed; never refused ones."""
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        queue = ScrapOutbox(outbox)

        def add(qty: int, job: str = "JOB-1", station: str = "ST-01") -> uuid.UUID:
            return queue.add(station_id=station, job_id=job, qty=qty,
                             reason_id="quality/surface", operator="o@plant.test")  # fmt: skip

        sent_before = add(7)
        queue.mark_sent(sent_before)
        read_at = datetime.now(UTC)
        assert queue.unsent_units("JOB-1", "ST-01", read_at) == 0  # the read holds the 7
        sent_after = add(4)
        add(2)  # pending
        refused = add(30)
        add(50, job="JOB-2")
        add(60, station="ST-02")
        queue.mark_sent(sent_after)  # sent while the read ran: it may not hold it
        queue.mark_refused(refused, "not counted")
        assert queue.unsent_units("JOB-1", "ST-01", read_at) == 6
        queue.add_correction(sent_after, operator="o@plant.test")  # the undo, still pending
        assert queue.unsent_units("JOB-1", "ST-01", read_at) == 2
        later = datetime.now(UTC)  # a read after the sends holds them: the undo still waits
        assert queue.unsent_units("JOB-1", "ST-01", later) == 2 - 4
