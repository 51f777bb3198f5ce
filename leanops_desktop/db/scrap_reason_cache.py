"""The scrap reasons a kiosk last read, kept in its outbox file for when the server is away.

A kiosk reports scrap with a quality reason even offline (the report waits in the scrap
outbox), so it keeps the quality leaves of the reason tree it last read, with their groups,
in a table of the outbox's SQLite file (``scrap_reason_cache``); each read replaces them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from leanops_desktop.db.outbox_file import OutboxFile

_SCHEMA = """
    CREATE TABLE IF NOT EXISTS scrap_reason_cache (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        group_id TEXT,
        group_name TEXT,
        read_at TEXT NOT NULL
    )
"""


@dataclass(frozen=True, slots=True)
class ScrapReason:
    """A quality leaf an operator can pick, under its group (None: a top-level leaf)."""

    id: str
    name: str
    group_id: str | None = None
    group_name: str | None = None


class ScrapReasonCache:
    """The reasons last read, in the order they are shown."""

    def __init__(self, outbox: OutboxFile) -> None:
        self._file = outbox
        with outbox._write() as conn:
            conn.execute(_SCHEMA)

    def replace(self, reasons: Sequence[ScrapReason]) -> None:
        """Keep ``reasons`` instead of those read before (one transaction)."""
        stamp = datetime.now(UTC).isoformat()
        with self._file._write(durable=False) as conn:
            conn.execute("DELETE FROM scrap_reason_cache")
            conn.executemany(
                "INSERT INTO scrap_reason_cache (position, id, name, group_id, group_name,"
                " read_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (index, r.id, r.name, r.group_id, r.group_name, stamp)
                    for index, r in enumerate(reasons)
                ],
            )

    def load(self) -> list[ScrapReason]:
        rows = self._file._query(
            "SELECT id, name, group_id, group_name FROM scrap_reason_cache ORDER BY position"
        )
        return [
            ScrapReason(row["id"], row["name"], row["group_id"], row["group_name"])
            for row in rows
        ]
