"""The kiosk's local outbox: every quantity report is made durable here before it is sent.

Each item carries the UUID the server will use as the ``performance_logs`` id, which makes
sending it again after a lost reply harmless. The file itself (``synchronous=FULL``, held by
one kiosk only) is ``outbox_file.py``.

Items move ``pending -> sent`` or ``pending -> refused``; nothing is ever deleted except
sent items older than a retention period (they are in the server's logs by then). A refused
item stays with the server's reason until the operator sends it again (only over-total
refusals can be confirmed) -- it is never dropped.

Taking a report back is a second item of kind ``correction`` queued behind it, so the
server sees the report and then its correction, in that order.

Thread-safe: the kiosk adds items on the GUI thread while the sender marks them from its own
thread, through the file's one connection and its lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leanops_desktop.core.errors import NotFound, RuleViolation
from leanops_desktop.core.validation import MAX_REPORT_QTY, check_id, check_quantity
from leanops_desktop.db.outbox_file import OutboxFile
from leanops_desktop.db.outbox_items import (
    ItemKind,
    ItemState,
    OutboxCounts,
    OutboxItem,
    RefusalCode,
    item_from_row,
)

_MARK_SENT = (
    "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, updated_at = ?,"
    " last_error = NULL WHERE id = ?"
)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Outbox(OutboxFile):
    """A durable, ordered queue of quantity reports in a SQLite file."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self._additions = 0  # items made pending by this process (see take_batch)

    # -- writing ----------------------------------------------------------------------------

    def add_report(
        self,
        *,
        station_id: str,
        job_id: str,
        qty: int,
        operator: str,
        confirm_over: bool = False,
        report_id: uuid.UUID | None = None,
    ) -> OutboxItem:
        """Store a report durably (fsynced) and return it; raises ValidationError on bad input."""
        station_id = check_id("station id", station_id)
        job_id = check_id("job id", job_id)
        qty = check_quantity("quantity", qty, maximum=MAX_REPORT_QTY)
        item_id = report_id or uuid.uuid4()
        now = datetime.now(UTC)
        stamp = now.isoformat()
        with self._lock:  # one statement: its own transaction, fsynced (synchronous=FULL)
            cursor = self._conn.execute(
                "INSERT INTO outbox (id, kind, station_id, job_id, qty, confirm_over, operator,"
                " created_at, state, updated_at) VALUES (?, 'report', ?, ?, ?, ?, ?, ?,"
                " 'pending', ?)",
                (str(item_id), station_id, job_id, qty, int(confirm_over), operator, stamp, stamp),
            )
            seq = cursor.lastrowid
            self._additions += 1
        assert seq is not None
        return OutboxItem(  # what was just written (no second read on the tap's path)
            seq=seq,
            id=item_id,
            kind=ItemKind.REPORT,
            station_id=station_id,
            job_id=job_id,
            qty=qty,
            corrects_id=None,
            confirm_over=bool(confirm_over),
            operator=operator,
            created_at=now,
            state=ItemState.PENDING,
            attempts=0,
            last_error=None,
            refusal_code=None,
            refusal_logged=False,
            acknowledged=False,
            sent_at=None,
        )

    def add_correction(self, report_id: uuid.UUID, *, operator: str) -> OutboxItem:
        """Queue taking back ``report_id`` (sent after it); one correction per report."""
        correction_id = uuid.uuid4()
        now = _now()
        with self._write() as conn:
            row = conn.execute("SELECT * FROM outbox WHERE id = ?", (str(report_id),)).fetchone()
            if row is None:
                raise NotFound("report", report_id)
            original = item_from_row(row)
            if original.kind != ItemKind.REPORT:
                raise RuleViolation("a correction cannot itself be taken back")
            taken = conn.execute(
                "SELECT 1 FROM outbox WHERE corrects_id = ?", (str(report_id),)
            ).fetchone()
            if taken is not None:
                raise RuleViolation(f"the report of {original.qty} has already been taken back")
            conn.execute(
                "INSERT INTO outbox (id, kind, station_id, job_id, qty, corrects_id, operator,"
                " created_at, state, updated_at) VALUES (?, 'correction', ?, ?, ?, ?, ?, ?,"
                " 'pending', ?)",
                (
                    str(correction_id),
                    original.station_id,
                    original.job_id,
                    original.qty,
                    str(report_id),
                    operator,
                    now,
                    now,
                ),
            )
            self._additions += 1
        return self._get(correction_id)

    def mark_sent(self, item_id: uuid.UUID) -> None:
        """The server has the item (counted now or before)."""
        self.record_outcomes([item_id])

    def mark_refused(self, item_id: uuid.UUID, code: RefusalCode, reason: str) -> None:
        """The server said no: keep the item with the reason, for the operator and supervisor."""
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'refused', attempts = attempts + 1, last_error = ?,"
                " refusal_code = ?, refusal_logged = 0, acknowledged = 0, updated_at = ?"
                " WHERE id = ?",
                (reason, code.value, _now(), str(item_id)),
            )

    def record_failure(self, item_id: uuid.UUID, error: str) -> int:
        """A send attempt failed without an answer; the item stays pending. Returns attempts."""
        with self._write(durable=False) as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ?"
                " WHERE id = ?",
                (error, _now(), str(item_id)),
            )
            row = conn.execute("SELECT attempts FROM outbox WHERE id = ?", (str(item_id),))
            return int(row.fetchone()[0])

    def record_outcomes(
        self,
        sent: Sequence[uuid.UUID],
        refused: Sequence[tuple[uuid.UUID, RefusalCode, str]] = (),
    ) -> None:
        """What the server said about a batch, in one transaction: ``sent`` items are on
        the server (counted now or before); ``refused`` ones are kept with code and reason.

        Durable (fsynced) only when something was refused, like :meth:`mark_refused`; a
        lost "sent" mark only means the item is sent again and ignored by the server.
        """
        now = _now()
        sent_rows = [(now, now, str(item_id)) for item_id in sent]
        if not refused and len(sent_rows) == 1:  # the usual case: one statement, no BEGIN
            with self._lock, self._fsync(durable=False):
                self._conn.execute(_MARK_SENT, sent_rows[0])
            return
        with self._write(durable=bool(refused)) as conn:
            conn.executemany(_MARK_SENT, sent_rows)
            conn.executemany(
                "UPDATE outbox SET state = 'refused', attempts = attempts + 1, last_error = ?,"
                " refusal_code = ?, refusal_logged = 0, acknowledged = 0, updated_at = ?"
                " WHERE id = ?",
                [(reason, code.value, now, str(item_id)) for item_id, code, reason in refused],
            )

    def record_failures(self, item_ids: Sequence[uuid.UUID], error: str) -> None:
        """A batch got no answer; its items stay pending, each one attempt more."""
        now = _now()
        with self._write(durable=False) as conn:
            conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ?"
                " WHERE id = ?",
                [(error, now, str(item_id)) for item_id in item_ids],
            )

    def mark_refusal_logged(self, item_id: uuid.UUID) -> None:
        with self._write(durable=False) as conn:  # lost: logged again, same event id
            conn.execute("UPDATE outbox SET refusal_logged = 1 WHERE id = ?", (str(item_id),))

    def acknowledge(self, item_id: uuid.UUID) -> None:
        """The operator has seen this refusal (it stays in the outbox)."""
        with self._write() as conn:
            conn.execute("UPDATE outbox SET acknowledged = 1 WHERE id = ?", (str(item_id),))

    def requeue(self, item_id: uuid.UUID, *, confirm_over: bool) -> OutboxItem:
        """Send a refused item again (keeping its id and place in the order)."""
        with self._write() as conn:
            row = conn.execute("SELECT * FROM outbox WHERE id = ?", (str(item_id),)).fetchone()
            if row is None:
                raise NotFound("report", item_id)
            if row["state"] != ItemState.REFUSED.value:
                raise RuleViolation("only a refused report can be sent again")
            conn.execute(
                "UPDATE outbox SET state = 'pending', confirm_over = ?, refusal_code = NULL,"
                " updated_at = ? WHERE id = ?",
                (int(confirm_over or row["confirm_over"]), _now(), str(item_id)),
            )
            self._additions += 1
        return self._get(item_id)

    def prune_sent(self, before: datetime) -> int:
        """Forget sent items older than ``before`` (the server keeps them); refused stay."""
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM outbox AS c WHERE c.corrects_id = outbox.id"
                " AND c.state != 'sent')",
                (before.astimezone(UTC).isoformat(),),
            )
            return cursor.rowcount

    # -- reading ----------------------------------------------------------------------------

    def _get(self, item_id: uuid.UUID) -> OutboxItem:
        rows = self._query("SELECT * FROM outbox WHERE id = ?", (str(item_id),))
        if not rows:
            raise NotFound("report", item_id)
        return item_from_row(rows[0])

    def get(self, item_id: uuid.UUID) -> OutboxItem:
        return self._get(item_id)

    def next_pending(self) -> OutboxItem | None:
        """The oldest item still to be sent."""
        rows = self._query("SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1")
        return item_from_row(rows[0]) if rows else None

    @property
    def additions(self) -> int:
        """How many times this process made an item pending (added, or sent again)."""
        return self._additions

    def next_batch(self, limit: int) -> list[OutboxItem]:
        """The oldest pending items to send together, in order: up to ``limit`` reports in
        a row, or one correction when a correction is next (it goes on its own, after the
        reports before it and before those after it)."""
        return self.take_batch(limit)[0]

    def take_batch(self, limit: int) -> tuple[list[OutboxItem], bool]:
        """:meth:`next_batch`, and whether it holds every item that was pending.

        A sender that has sent such a batch need not look again unless :attr:`additions`
        has changed since: one query per trip instead of two.
        """
        limit = max(limit, 1)
        rows = self._query(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit + 1,)
        )
        batch: list[OutboxItem] = []
        for row in rows[:limit]:
            item = item_from_row(row)
            if item.kind != ItemKind.REPORT:
                batch = batch or [item]
                break
            batch.append(item)
        return batch, len(batch) == len(rows)

    def pending(self) -> list[OutboxItem]:
        return [item_from_row(row) for row in self._query(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq"
        )]  # fmt: skip

    def refused(self) -> list[OutboxItem]:
        return [item_from_row(row) for row in self._query(
            "SELECT * FROM outbox WHERE state = 'refused' ORDER BY seq"
        )]  # fmt: skip

    def refusals_to_log(self) -> list[OutboxItem]:
        """Refused items the supervisor has not been told about yet."""
        return [item_from_row(row) for row in self._query(
            "SELECT * FROM outbox WHERE state = 'refused' AND refusal_logged = 0 ORDER BY seq"
        )]  # fmt: skip

    def items(self) -> list[OutboxItem]:
        return [item_from_row(row) for row in self._query("SELECT * FROM outbox ORDER BY seq")]

    def counts(self) -> OutboxCounts:
        row = self._query(  # through the (state, seq) index: sent items are not scanned
            "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),"
            " (SELECT count(*) FROM outbox WHERE state = 'refused'),"
            " (SELECT count(*) FROM outbox WHERE state = 'refused' AND acknowledged = 0)"
        )[0]
        return OutboxCounts(pending=int(row[0]), refused=int(row[1]), refused_unseen=int(row[2]))

    def pending_units(self, job_id: str, station_id: str | None = None) -> int:
        """Units of ``job_id`` confirmed here but not yet on the server (corrections subtract)."""
        sql = (
            "SELECT COALESCE(SUM(CASE kind WHEN 'report' THEN qty ELSE -qty END), 0)"
            " FROM outbox WHERE state = 'pending' AND job_id = ?"
        )
        params: tuple[Any, ...] = (job_id,)
        if station_id is not None:
            sql += " AND station_id = ?"
            params += (station_id,)
        return int(self._query(sql, params)[0][0])
