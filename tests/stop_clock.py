"""Moving a test plant's past: every recorded moment of activity shifted back in time.

The quiet-stop rules are about time passing; the database stamps its own times (events are
append-only, the server stamps reports), so instead of waiting, a test ages what happened.
This runs as the test's superuser (PostgreSQL: triggers off for the session) or, on SQLite,
with the append-only triggers dropped for the moment and put back as they were.
"""

from __future__ import annotations

import sqlite3

from tests.pg_server import admin_connect

#: table -> its columns of moments.
MOMENTS = {
    "events_log": ("timestamp",),
    "performance_logs": ("timestamp",),
    "scrap_logs": ("timestamp",),
    "station_assignments": ("started_at",),
    "downtime_stops": ("started_at", "ended_at", "detected_at"),
}


def age_plant(url: str, minutes: float) -> None:
    """Shift every moment of activity ``minutes`` into the past."""
    if url.startswith("sqlite"):
        _age_sqlite(url.split("///", 1)[1], minutes)
        return
    with admin_connect(url) as connection, connection.transaction():
        connection.execute("SET LOCAL session_replication_role = replica")
        for table, columns in MOMENTS.items():
            sets = ", ".join(
                f'"{column}" = "{column}" - make_interval(secs => %(s)s)' for column in columns
            )
            connection.execute(f"UPDATE public.{table} SET {sets}", {"s": minutes * 60})


def _age_sqlite(path: str, minutes: float) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        guards = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND (name LIKE '%no_update' OR name LIKE '%append_only%')"
        ).fetchall()
        for name, _sql in guards:
            connection.execute(f"DROP TRIGGER {name}")
        shift = f"-{minutes * 60:.3f} seconds"
        for table, columns in MOMENTS.items():
            sets = ", ".join(
                f"\"{column}\" = strftime('%Y-%m-%d %H:%M:%f000', \"{column}\", :shift)"
                for column in columns
            )
            connection.execute(f"UPDATE {table} SET {sets}", {"shift": shift})
        for _name, sql in guards:
            connection.execute(sql)
        connection.execute("COMMIT")
    finally:
        connection.close()
