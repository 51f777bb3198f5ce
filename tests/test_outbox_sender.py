"""The report sender: in order, counted once, refusals kept and logged, offline kept pending."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, PerformanceLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import ItemState, OutboxItem, RefusalCode
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting.refusals import REPORT_REFUSED_EVENT
from leanops_desktop.services.reporting.report_sender import (
    MAX_UNEXPECTED_ATTEMPTS,
    BatchOutcome,
    ErrorKind,
    Outcome,
    ReportSender,
    classify,
    send_item,
    send_reports,
)
from leanops_desktop.services.reporting.send_loop import SenderStatus, SendLoop
from tests.factories import make_job, make_station

#: Who tapped: the kiosk records the signed-in operator (the ``operator`` fixture's email).
OLGA = "olga.operator@plant.test"


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


@pytest.fixture
def running(db: Database, supervisor: Actor) -> Database:
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02")
    make_job(db, supervisor, "JOB-1001", qty_total=20)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    return db


def add(outbox: Outbox, qty: int, **kwargs: object) -> OutboxItem:
    return outbox.add_report(
        station_id="ST-01",
        job_id="JOB-1001",
        qty=qty,
        operator=OLGA,
        **kwargs,  # type: ignore[arg-type]
    )


def logged(db: Database) -> tuple[int, int]:
    """(number of logs, sum of units) for the job."""
    with db.session() as session:
        count, total = session.execute(
            select(func.count(), func.coalesce(func.sum(PerformanceLog.qty_completed), 0)).where(
                PerformanceLog.job_id == "JOB-1001"
            )
        ).one()
        return int(count), int(total)


def test_pending_items_are_sent_in_order_with_their_own_ids(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    items = [add(outbox, qty) for qty in (3, 1, 4)]
    sent = ReportSender(outbox, running, operator).send_pending()
    assert [r.outcome for r in sent.results] == [Outcome.SENT] * 3
    assert [r.item.id for r in sent.results] == [item.id for item in items]
    assert sent.online is True and sent.results[-1].result is not None
    assert sent.results[-1].result.job_qty_done == 8
    assert logged(running) == (3, 8)
    with running.session() as session:
        ids = set(session.scalars(select(PerformanceLog.id)))
    assert ids == {item.id for item in items}
    assert outbox.counts().pending == 0


def test_a_trip_reads_the_outbox_once_unless_more_was_added(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    reads: list[str] = []
    outbox._conn.set_trace_callback(  # the connection the outbox reads through
        lambda sql: reads.append(sql) if "state = 'pending'" in sql else None
    )
    sender = ReportSender(outbox, running, operator)
    add(outbox, 1)
    assert sender.send_pending().sent == 1
    assert len(reads) == 1  # it held everything pending: no second look
    reads.clear()

    def add_during_the_trip(result: object) -> None:
        if len(reads) == 1:
            add(outbox, 2)

    add(outbox, 3)
    outcome = sender.send_pending(on_result=add_during_the_trip)
    assert [r.item.qty for r in outcome.results] == [3, 2]  # the new one was not left behind
    assert len(reads) == 2
    assert logged(running) == (3, 6)


def test_a_retry_after_a_lost_reply_counts_once(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    lose = {"next": True}

    def reply_lost(session: Session, actor: Actor, item: OutboxItem) -> ReportResult:
        result = send_item(session, actor, item)  # committed on the server
        if lose["next"]:
            lose["next"] = False
            raise OperationalError("COMMIT", {}, ConnectionResetError("connection reset"))
        return result

    item = add(outbox, 5)
    sender = ReportSender(outbox, running, operator, send=reply_lost)
    first = sender.send_pending()
    assert first.online is False and first.results[0].outcome == Outcome.OFFLINE
    assert outbox.get(item.id).state == ItemState.PENDING
    again = sender.send_pending()
    assert again.results[0].outcome == Outcome.SENT
    assert again.results[0].result is not None and not again.results[0].result.counted
    assert logged(running) == (1, 5)
    assert outbox.get(item.id).attempts == 2


def test_a_report_for_a_job_moved_away_is_refused_kept_and_logged_once(
    running: Database, outbox: Outbox, operator: Actor, supervisor: Actor
) -> None:
    early = add(outbox, 2)
    ReportSender(outbox, running, operator).send_pending()
    with running.session() as session:
        dispatch.move_job(session, supervisor, "JOB-1001", "ST-01", "ST-02")
    late = add(outbox, 3)
    after = add(outbox, 1)
    sender = ReportSender(outbox, running, operator)
    result = sender.send_pending()
    assert [r.outcome for r in result.results] == [Outcome.REFUSED, Outcome.REFUSED]
    refused = outbox.get(late.id)
    assert refused.state == ItemState.REFUSED and refused.refusal_code == RefusalCode.RULE
    assert "not running on station ST-01" in (refused.last_error or "")
    assert refused.refusal_logged and outbox.get(after.id).state == ItemState.REFUSED
    assert logged(running) == (1, 2) and outbox.get(early.id).state == ItemState.SENT
    sender.log_refusals()  # nothing new: still one event per refused report
    with running.session() as session:
        events = session.scalars(
            select(EventLog).where(EventLog.event_type == REPORT_REFUSED_EVENT)
        ).all()
    assert sorted(event.meta["report_id"] for event in events) == sorted(
        [str(late.id), str(after.id)]
    )
    assert {event.meta["qty"] for event in events} == {3, 1}
    assert all(event.meta["operator"] == OLGA for event in events)


def test_over_total_is_refused_until_the_operator_confirms(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    item = add(outbox, 25)
    sender = ReportSender(outbox, running, operator)
    assert sender.send_pending().results[0].outcome == Outcome.REFUSED
    assert outbox.get(item.id).refusal_code == RefusalCode.OVER_TOTAL
    outbox.requeue(item.id, confirm_over=True)
    assert sender.send_pending().results[0].outcome == Outcome.SENT
    assert logged(running) == (1, 25)


def test_a_correction_is_sent_after_its_report(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    report = add(outbox, 6)
    correction = outbox.add_correction(report.id, operator=OLGA)
    result = ReportSender(outbox, running, operator).send_pending()
    assert [r.item.id for r in result.results] == [report.id, correction.id]
    assert logged(running) == (2, 0)
    with running.session() as session:
        log = session.get(PerformanceLog, correction.id)
        assert log is not None and log.corrects_id == report.id and log.qty_completed == -6


def test_a_correction_of_a_refused_report_is_refused_without_asking(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    report = add(outbox, 50)  # over the total of 20: refused
    correction = outbox.add_correction(report.id, operator=OLGA)
    result = ReportSender(outbox, running, operator).send_pending()
    assert [r.outcome for r in result.results] == [Outcome.REFUSED, Outcome.REFUSED]
    assert "nothing to undo" in (outbox.get(correction.id).last_error or "")
    assert logged(running) == (0, 0)


def test_zero_or_negative_quantities_are_refused_before_the_outbox(outbox: Outbox) -> None:
    from leanops_desktop.core.errors import ValidationError

    for qty in (0, -1):
        with pytest.raises(ValidationError):
            add(outbox, qty)
    assert outbox.items() == []


def test_an_unreachable_server_keeps_items_pending(
    outbox: Outbox, operator: Actor, tmp_path: Path
) -> None:
    db = open_database("postgresql://nobody@127.0.0.1:1/leanops", connect_timeout=2)
    try:
        item = add(outbox, 1)
        result = ReportSender(outbox, db, operator).send_pending()
    finally:
        db.dispose()
    assert result.online is False and "no connection" in result.error
    stored = outbox.get(item.id)
    assert stored.state == ItemState.PENDING and stored.attempts == 1


def test_an_error_that_keeps_repeating_is_set_aside_not_dropped(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    def broken(session: Session, actor: Actor, item: OutboxItem) -> ReportResult:
        raise KeyError("bug")

    item = add(outbox, 1)
    sender = ReportSender(outbox, running, operator, send=broken)
    outcomes = [sender.send_pending().results[0].outcome for _ in range(MAX_UNEXPECTED_ATTEMPTS)]
    assert outcomes == [Outcome.RETRY] * (MAX_UNEXPECTED_ATTEMPTS - 1) + [Outcome.REFUSED]
    kept = outbox.get(item.id)
    assert kept.state == ItemState.REFUSED and kept.refusal_code == RefusalCode.UNEXPECTED


def test_errors_are_classified() -> None:
    from leanops_desktop.core.errors import DatabaseUnavailable, RuleViolation

    assert classify(OperationalError("x", {}, Exception())) == ErrorKind.CONNECTION
    assert classify(DatabaseUnavailable("down")) == ErrorKind.CONNECTION
    assert classify(RuleViolation("moved")) == ErrorKind.REFUSAL
    assert classify(KeyError("x")) == ErrorKind.UNEXPECTED


def test_the_loop_sends_when_woken_and_reports_status(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    statuses: list[SenderStatus] = []
    done = threading.Event()

    def on_status(status: SenderStatus) -> None:
        statuses.append(status)
        if status.last is not None and status.last.outcome == Outcome.SENT:
            done.set()

    loop = SendLoop(ReportSender(outbox, running, operator), on_status, poll_interval=60)
    loop.start()
    try:
        time.sleep(0.05)
        add(outbox, 2)
        loop.wake()
        assert done.wait(20)
    finally:
        assert loop.stop(20)
    assert logged(running) == (1, 2) and loop.online is True
    assert any(status.last is not None for status in statuses)


# -- batches: reports in a row go in one trip, each with its own outcome -----------------------


class CountingBatches:
    """The real batch call, recording the size of every batch (optionally failing once)."""

    def __init__(self, fail_once: BaseException | None = None, after_commit: bool = True) -> None:
        self.sizes: list[int] = []
        self.fail_once = fail_once
        self.after_commit = after_commit

    def __call__(
        self, session: Session, actor: Actor, items: Sequence[OutboxItem]
    ) -> list[BatchOutcome]:
        self.sizes.append(len(items))
        failure, self.fail_once = self.fail_once, None
        if failure is not None and not self.after_commit:
            raise failure
        outcomes = send_reports(session, actor, items)  # committed on the server
        if failure is not None:
            raise failure
        return outcomes


def test_a_batch_with_a_refused_report_in_the_middle(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    first = add(outbox, 2)
    elsewhere = outbox.add_report(station_id="ST-02", job_id="JOB-1001", qty=5, operator=OLGA)
    last = add(outbox, 3)
    batches = CountingBatches()
    result = ReportSender(outbox, running, operator, send_batch=batches).send_pending()
    assert batches.sizes == [3]  # one trip
    assert [r.outcome for r in result.results] == [Outcome.SENT, Outcome.REFUSED, Outcome.SENT]
    assert result.results[2].result is not None and result.results[2].result.job_qty_done == 5
    kept = outbox.get(elsewhere.id)
    assert kept.state == ItemState.REFUSED and kept.refusal_code == RefusalCode.RULE
    assert "not running on station ST-02" in (kept.last_error or "") and kept.refusal_logged
    assert {outbox.get(first.id).state, outbox.get(last.id).state} == {ItemState.SENT}
    assert logged(running) == (2, 5)
    with running.session() as session:
        refusals = session.scalars(
            select(EventLog.meta).where(EventLog.event_type == REPORT_REFUSED_EVENT)
        ).all()
    assert [meta["report_id"] for meta in refusals] == [str(elsewhere.id)]


def test_a_lost_reply_to_a_batch_counts_each_report_once(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    items = [add(outbox, qty) for qty in (1, 2, 3)]
    lost = OperationalError("COMMIT", {}, ConnectionResetError("connection reset"))
    batches = CountingBatches(fail_once=lost)
    sender = ReportSender(outbox, running, operator, send_batch=batches)
    first = sender.send_pending()
    assert first.online is False and first.results[0].outcome == Outcome.OFFLINE
    assert [outbox.get(item.id).state for item in items] == [ItemState.PENDING] * 3
    assert logged(running) == (3, 6)  # the server had counted them
    again = sender.send_pending()
    assert [r.outcome for r in again.results] == [Outcome.SENT] * 3
    assert not any(r.result is not None and r.result.counted for r in again.results)
    assert logged(running) == (3, 6)
    assert [outbox.get(item.id).attempts for item in items] == [2, 2, 2]


def test_an_unexpected_batch_error_sends_the_items_one_by_one(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    items = [add(outbox, qty) for qty in (1, 2, 3)]
    batches = CountingBatches(fail_once=KeyError("bug"), after_commit=False)
    result = ReportSender(outbox, running, operator, send_batch=batches).send_pending()
    assert batches.sizes == [3]
    assert [r.item.id for r in result.results] == [item.id for item in items]
    assert [r.outcome for r in result.results] == [Outcome.SENT] * 3
    assert logged(running) == (3, 6)


def test_corrections_and_the_batch_size_split_batches_in_order(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    reports = [add(outbox, 1) for _ in range(4)]
    correction = outbox.add_correction(reports[1].id, operator=OLGA)
    later = [add(outbox, 2) for _ in range(4)]
    batches = CountingBatches()
    sender = ReportSender(outbox, running, operator, send_batch=batches, batch_size=3)
    result = sender.send_pending()
    assert batches.sizes == [3, 3]  # [r0 r1 r2] [r3] (alone) correction (alone) [l0 l1 l2] [l3]
    order = [r.item.id for r in result.results]
    assert order == [item.id for item in reports] + [correction.id] + [i.id for i in later]
    assert all(r.outcome == Outcome.SENT for r in result.results)
    assert logged(running) == (9, 4 - 1 + 8)


def test_the_loop_gives_its_connection_back_when_it_stops(
    running: Database, outbox: Outbox, operator: Actor
) -> None:
    done = threading.Event()
    loop = SendLoop(
        ReportSender(outbox, running, operator),
        lambda status: done.set() if status.last is not None else None,
        poll_interval=60,
    )
    loop.start()
    try:
        add(outbox, 1)
        loop.wake()
        assert done.wait(20)
    finally:
        assert loop.stop(20)
    assert running.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert logged(running) == (1, 1)
