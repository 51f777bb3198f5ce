"""The kiosk outbox: durable before sending, ordered, never drops a report."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leanops_desktop.core.errors import NotFound, RuleViolation, ValidationError
from leanops_desktop.db import outbox_file
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import ItemKind, ItemState, RefusalCode


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def add(outbox: Outbox, qty: int, job: str = "JOB-1001") -> uuid.UUID:
    return outbox.add_report(station_id="ST-01", job_id=job, qty=qty, operator="olga").id


def test_the_file_is_fsynced_on_every_commit(outbox: Outbox) -> None:
    # Pragmas are per connection: read them from the outbox's own.
    assert outbox._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    outbox.record_outcomes([add(outbox, 1)])  # a mark skips the fsync, and only it
    assert outbox._conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_a_second_kiosk_cannot_open_the_same_outbox(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_file, "_OPEN_WAIT_S", 0.2)
    report_id = add(outbox, 4)
    with pytest.raises(RuleViolation, match="in use by another LeanOps kiosk"):
        Outbox(outbox.path)
    other = sqlite3.connect(outbox.path, timeout=0.2)  # nor can anything else read it
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("SELECT count(*) FROM outbox").fetchone()
    other.close()
    assert [item.id for item in outbox.pending()] == [report_id]  # the first one goes on
    outbox.close()
    with Outbox(outbox.path) as again:
        assert [item.id for item in again.pending()] == [report_id]


def test_items_come_out_in_the_order_they_went_in(outbox: Outbox) -> None:
    ids = [add(outbox, qty) for qty in (3, 1, 7)]
    assert [item.id for item in outbox.pending()] == ids
    first = outbox.next_pending()
    assert first is not None and first.id == ids[0] and first.qty == 3
    assert first.state == ItemState.PENDING and first.kind == ItemKind.REPORT
    outbox.mark_sent(ids[0])
    second = outbox.next_pending()
    assert second is not None and second.id == ids[1]
    assert outbox.counts().pending == 2


def test_a_report_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "box.sqlite3"
    with Outbox(path) as box:
        report_id = add(box, 5)
    with Outbox(path) as box:
        (item,) = box.pending()
        assert (item.id, item.qty, item.operator) == (report_id, 5, "olga")


def test_a_report_survives_sigkill_right_after_add(tmp_path: Path) -> None:
    path = tmp_path / "box.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from leanops_desktop.db.outbox import Outbox\n"
        "box = Outbox(sys.argv[1])\n"
        "for qty in (1, 2, 3):\n"
        "    item = box.add_report(station_id='ST-01', job_id='J-1', qty=qty, operator='o')\n"
        "    print(item.id, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    printed = [uuid.UUID(line) for line in done.stdout.split()]
    with Outbox(path) as box:
        assert [item.id for item in box.pending()] == printed
        assert [item.qty for item in box.pending()] == [1, 2, 3]


@pytest.mark.parametrize("qty", [0, -3, 100_001])
def test_bad_quantities_never_enter(outbox: Outbox, qty: int) -> None:
    with pytest.raises(ValidationError, match="quantity"):
        add(outbox, qty)
    assert outbox.items() == []


def test_a_correction_follows_its_report_and_subtracts(outbox: Outbox) -> None:
    report_id = add(outbox, 4)
    correction = outbox.add_correction(report_id, operator="olga")
    assert correction.kind == ItemKind.CORRECTION and correction.corrects_id == report_id
    assert correction.signed_qty == -4
    assert [item.id for item in outbox.pending()] == [report_id, correction.id]
    assert outbox.pending_units("JOB-1001") == 0
    with pytest.raises(RuleViolation, match="already been taken back"):
        outbox.add_correction(report_id, operator="olga")
    with pytest.raises(RuleViolation, match="cannot itself"):
        outbox.add_correction(correction.id, operator="olga")
    with pytest.raises(NotFound):
        outbox.add_correction(uuid.uuid4(), operator="olga")


def test_pending_units_count_only_unsent_reports_of_that_job(outbox: Outbox) -> None:
    first = add(outbox, 4)
    add(outbox, 6)
    add(outbox, 9, job="JOB-2")
    outbox.mark_sent(first)
    assert outbox.pending_units("JOB-1001") == 6
    assert outbox.pending_units("JOB-2") == 9
    assert outbox.pending_units("JOB-2", station_id="ST-09") == 0


def test_refused_items_are_kept_with_the_reason_and_can_be_sent_again(outbox: Outbox) -> None:
    report_id = add(outbox, 2)
    outbox.mark_refused(report_id, RefusalCode.OVER_TOTAL, "over the total")
    item = outbox.get(report_id)
    assert item.state == ItemState.REFUSED and item.last_error == "over the total"
    assert item.refusal_code == RefusalCode.OVER_TOTAL and not item.refusal_logged
    assert outbox.counts().refused == outbox.counts().refused_unseen == 1
    assert outbox.next_pending() is None
    outbox.acknowledge(report_id)
    assert outbox.counts().refused_unseen == 0
    assert [i.id for i in outbox.refusals_to_log()] == [report_id]
    outbox.mark_refusal_logged(report_id)
    assert outbox.refusals_to_log() == []
    again = outbox.requeue(report_id, confirm_over=True)
    assert again.state == ItemState.PENDING and again.confirm_over and again.id == report_id
    with pytest.raises(RuleViolation):
        outbox.requeue(report_id, confirm_over=True)


def test_failures_count_attempts_and_keep_the_item_pending(outbox: Outbox) -> None:
    report_id = add(outbox, 1)
    assert outbox.record_failure(report_id, "no connection") == 1
    assert outbox.record_failure(report_id, "no connection") == 2
    item = outbox.get(report_id)
    assert item.state == ItemState.PENDING and item.last_error == "no connection"


def test_only_old_sent_items_are_pruned(outbox: Outbox) -> None:
    sent, refused, pending = add(outbox, 1), add(outbox, 2), add(outbox, 3)
    outbox.mark_sent(sent)
    outbox.mark_refused(refused, RefusalCode.RULE, "moved")
    assert outbox.prune_sent(datetime.now(UTC) - timedelta(days=1)) == 0
    assert outbox.prune_sent(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert {item.id for item in outbox.items()} == {refused, pending}


def test_a_newer_outbox_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "box.sqlite3"
    Outbox(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(RuleViolation, match="newer"):
        Outbox(path)
    assert os.path.exists(path)


def test_a_batch_is_the_reports_in_a_row_and_a_correction_goes_alone(outbox: Outbox) -> None:
    first, second = add(outbox, 1), add(outbox, 2)
    correction = outbox.add_correction(first, operator="olga")
    third = add(outbox, 3)
    assert [item.id for item in outbox.next_batch(10)] == [first, second]
    assert [item.id for item in outbox.next_batch(1)] == [first]
    outbox.record_outcomes([first, second])
    assert [item.id for item in outbox.next_batch(10)] == [correction.id]
    outbox.record_outcomes([correction.id])
    assert [item.id for item in outbox.next_batch(10)] == [third]
    outbox.record_outcomes([third])
    assert outbox.next_batch(10) == []


def test_take_batch_tells_whether_it_holds_everything_pending(outbox: Outbox) -> None:
    first, second = add(outbox, 1), add(outbox, 2)
    assert outbox.take_batch(10) == (outbox.next_batch(10), True)
    assert [item.id for item in outbox.take_batch(1)[0]] == [first]
    assert outbox.take_batch(1)[1] is False  # the second waits behind it
    correction = outbox.add_correction(first, operator="olga")
    outbox.record_outcomes([first, second])
    assert [item.id for item in outbox.take_batch(10)[0]] == [correction.id]
    assert outbox.take_batch(10)[1] is True
    third = add(outbox, 3)
    outbox.record_outcomes([correction.id])
    assert outbox.take_batch(10) == ([outbox.get(third)], True)
    assert outbox.take_batch(10)[0][0].id == third


def test_additions_count_what_became_pending(outbox: Outbox) -> None:
    first = add(outbox, 1)
    outbox.add_correction(first, operator="olga")
    assert outbox.additions == 2
    outbox.mark_refused(first, RefusalCode.OVER_TOTAL, "over")
    assert outbox.additions == 2  # a refusal makes nothing pending
    outbox.requeue(first, confirm_over=True)
    assert outbox.additions == 3


def test_the_outcomes_of_a_batch_are_recorded_together(tmp_path: Path) -> None:
    path = tmp_path / "box.sqlite3"
    with Outbox(path) as box:
        sent, refused, failed = add(box, 1), add(box, 2), add(box, 3)
        box.record_failures([sent, refused, failed], "no connection")
        box.record_outcomes([sent], [(refused, RefusalCode.RULE, "moved away")])
    with Outbox(path) as box:  # on disk
        states = {item.id: item for item in box.items()}
    assert (states[sent].state, states[sent].attempts, states[sent].last_error) == (
        ItemState.SENT,
        2,
        None,
    )
    assert states[sent].sent_at is not None
    kept = states[refused]
    assert (kept.state, kept.refusal_code, kept.last_error) == (
        ItemState.REFUSED,
        RefusalCode.RULE,
        "moved away",
    )
    assert not kept.refusal_logged and not kept.acknowledged
    assert (states[failed].state, states[failed].attempts) == (ItemState.PENDING, 1)
    assert states[failed].last_error == "no connection"


def test_a_stored_report_is_what_a_read_returns(outbox: Outbox) -> None:
    stored = outbox.add_report(
        station_id=" ST-01 ", job_id="JOB-1001", qty=4, operator="olga", confirm_over=True
    )
    assert outbox.get(stored.id) == stored
