"""What the kiosk's outbox holds: items (reports and corrections), their states and the
reasons the server gives for refusing one. The queue itself is ``db.outbox``."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ItemKind(StrEnum):
    """What an outbox item asks the server to do."""

    REPORT = "report"
    CORRECTION = "correction"


class ItemState(StrEnum):
    """Where an outbox item is in its life."""

    PENDING = "pending"
    SENT = "sent"
    REFUSED = "refused"


class RefusalCode(StrEnum):
    """Why the server refused an item (decides what the operator may do about it)."""

    OVER_TOTAL = "over_total"  # may be sent again with the operator's confirmation
    RULE = "rule"  # e.g. the job was moved away or completed meanwhile
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    PERMISSION = "permission"
    UNEXPECTED = "unexpected"  # an error that kept repeating; kept for the supervisor


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One report (or correction) as the outbox holds it."""

    seq: int
    id: uuid.UUID
    kind: ItemKind
    station_id: str
    job_id: str
    qty: int
    corrects_id: uuid.UUID | None
    confirm_over: bool
    operator: str
    created_at: datetime
    state: ItemState
    attempts: int
    last_error: str | None
    refusal_code: RefusalCode | None
    refusal_logged: bool
    acknowledged: bool
    sent_at: datetime | None

    @property
    def signed_qty(self) -> int:
        """Units this item adds to the count: positive for a report, negative for a correction."""
        return self.qty if self.kind == ItemKind.REPORT else -self.qty


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """What the kiosk header shows."""

    pending: int
    refused: int
    refused_unseen: int


def item_from_row(row: sqlite3.Row) -> OutboxItem:
    """An item as the outbox table holds it."""
    return OutboxItem(
        seq=row["seq"],
        id=uuid.UUID(row["id"]),
        kind=ItemKind(row["kind"]),
        station_id=row["station_id"],
        job_id=row["job_id"],
        qty=row["qty"],
        corrects_id=uuid.UUID(row["corrects_id"]) if row["corrects_id"] else None,
        confirm_over=bool(row["confirm_over"]),
        operator=row["operator"],
        created_at=datetime.fromisoformat(row["created_at"]),
        state=ItemState(row["state"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        refusal_code=RefusalCode(row["refusal_code"]) if row["refusal_code"] else None,
        refusal_logged=bool(row["refusal_logged"]),
        acknowledged=bool(row["acknowledged"]),
        sent_at=datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
    )
