"""Scrap reports in the kiosk's outbox file: durable before they are sent, sent once.

A table of its own (``scrap_outbox``) in the outbox's SQLite file, beside the good counts'
``outbox`` table, so a kiosk that reports scrap keeps it through a lost connection, a killed
process or a power cut exactly as it keeps a count. Each item carries the UUID the server
uses as the ``scrap_logs`` id: sending it again after a lost reply counts it once. Items move
``pending -> sent`` or ``pending -> refused`` (kept with the server's reason, never dropped).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.core.validation import MAX_REPORT_QTY, check_id, check_quantity, check_text
from leanops_desktop.db.outbox_file import OutboxFile
from leanops_desktop.db.outbox_items import OutboxCounts

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS scrap_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        station_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        qty INTEGER NOT NULL CHECK (qty > 0),
        reason_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'refused')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_at TEXT NOT NULL,
        corrects_id TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS ix_scrap_outbox_state_seq ON scrap_outbox (state, seq)",
)


@dataclass(frozen=True, slots=True)
class ScrapItem:
    """One scrap report as the outbox holds it."""

    seq: int
    id: uuid.UUID
    station_id: str
    job_id: str
    qty: int
    reason_id: str
    operator: str
    created_at: datetime
    state: str
    attempts: int
    last_error: str | None
    corrects_id: uuid.UUID | None = None  # a correction: the report it takes back


class ScrapOutbox:
    """The scrap queue of an open outbox file (which it shares, lock and all)."""

    def __init__(self, outbox: OutboxFile) -> None:
        self._file = outbox
        with outbox._write() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(scrap_outbox)")}
            if "corrects_id" not in columns:  # a file from before scrap could be taken back
                conn.execute("ALTER TABLE scrap_outbox ADD COLUMN corrects_id TEXT")

    def add(
        self, *, station_id: str, job_id: str, qty: int, reason_id: str, operator: str,
        report_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Store a scrap report durably (fsynced); its id. ValidationError on bad input."""
        station_id = check_id("station id", station_id)
        job_id = check_id("job id", job_id)
        qty = check_quantity("quantity", qty, maximum=MAX_REPORT_QTY)
        reason_id = check_text("reason", reason_id)
        item_id = report_id or uuid.uuid4()
        stamp = datetime.now(UTC).isoformat()
        with self._file._write() as conn:
            conn.execute(
                "INSERT INTO scrap_outbox (id, station_id, job_id, qty, reason_id, operator,"
                " created_at, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (str(item_id), station_id, job_id, qty, reason_id, operator, stamp, stamp),
            )
        return item_id

    def add_correction(self, report_id: uuid.UUID, *, operator: str) -> uuid.UUID:
        """Queue the taking back of scrap report ``report_id`` (the kiosk's undo); its id."""
        original = self.get(report_id)
        if original.corrects_id is not None:
            raise RuleViolation("a correction cannot itself be taken back")
        if self._items("WHERE corrects_id = ?", (str(report_id),)):
            raise RuleViolation("that scrap report is already taken back")
        item_id = uuid.uuid4()
        stamp = datetime.now(UTC).isoformat()
        with self._file._write() as conn:
            conn.execute(
                "INSERT INTO scrap_outbox (id, station_id, job_id, qty, reason_id, operator,"
                " created_at, state, updated_at, corrects_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (str(item_id), original.station_id, original.job_id, original.qty,
                 original.reason_id, operator, stamp, stamp, str(report_id)),
            )  # fmt: skip
        return item_id

    def pending(self) -> list[ScrapItem]:
        """Items still to send, oldest first."""
        return self._items("WHERE state = 'pending' ORDER BY seq")

    def pending_count(self) -> int:
        """How many items wait to be sent (the kiosk header's waiting count)."""
        [row] = self._file._query("SELECT count(*) AS n FROM scrap_outbox WHERE state = 'pending'")
        return int(row["n"])

    def add_waiting(self, counts: OutboxCounts) -> OutboxCounts:
        """The good counts' waiting figures with the scrap items waiting added."""
        return replace(counts, pending=counts.pending + self.pending_count())

    def unsent_units(self, job_id: str, station_id: str, read_at: datetime) -> int:
        """Scrap of ``job_id`` at ``station_id`` a server read begun at ``read_at`` may not
        hold: items still pending, and those marked sent after it began (signed: a
        correction takes its units back). Refused items never count."""
        [row] = self._file._query(
            "SELECT coalesce(sum(CASE WHEN corrects_id IS NULL THEN qty ELSE -qty END), 0)"
            " AS units FROM scrap_outbox WHERE job_id = ? AND station_id = ?"
            " AND (state = 'pending' OR (state = 'sent' AND updated_at >= ?))",
            (job_id, station_id, read_at.astimezone(UTC).isoformat()),
        )
        return int(row["units"])

    def refused(self) -> list[ScrapItem]:
        return self._items("WHERE state = 'refused' ORDER BY seq")

    def get(self, item_id: uuid.UUID) -> ScrapItem:
        [item] = self._items("WHERE id = ?", (str(item_id),))
        return item

    def mark_sent(self, item_id: uuid.UUID) -> None:
        self._mark(item_id, "sent", None)

    def mark_refused(self, item_id: uuid.UUID, reason: str) -> None:
        self._mark(item_id, "refused", reason)

    def record_failure(self, item_id: uuid.UUID, error: str) -> None:
        """A try that did not reach the server: the item stays pending."""
        with self._file._write(durable=False) as conn:
            conn.execute(
                "UPDATE scrap_outbox SET attempts = attempts + 1, last_error = ?,"
                " updated_at = ? WHERE id = ?",
                (error, datetime.now(UTC).isoformat(), str(item_id)),
            )

    def _mark(self, item_id: uuid.UUID, state: str, error: str | None) -> None:
        # A lost "sent" mark only sends the item again, which the server ignores.
        with self._file._write(durable=state != "sent") as conn:
            conn.execute(
                "UPDATE scrap_outbox SET state = ?, attempts = attempts + 1, last_error = ?,"
                " updated_at = ? WHERE id = ?",
                (state, error, datetime.now(UTC).isoformat(), str(item_id)),
            )

    def _items(self, where: str, params: tuple[str, ...] = ()) -> list[ScrapItem]:
        rows = self._file._query(
            "SELECT seq, id, station_id, job_id, qty, reason_id, operator, created_at, state,"
            f" attempts, last_error, corrects_id FROM scrap_outbox {where}",
            params,
        )
        return [
            ScrapItem(
                seq=row["seq"], id=uuid.UUID(row["id"]), station_id=row["station_id"],
                job_id=row["job_id"], qty=row["qty"], reason_id=row["reason_id"],
                operator=row["operator"], created_at=datetime.fromisoformat(row["created_at"]),
                state=row["state"], attempts=row["attempts"], last_error=row["last_error"],
                corrects_id=uuid.UUID(row["corrects_id"]) if row["corrects_id"] else None,
            )
            for row in rows
        ]
