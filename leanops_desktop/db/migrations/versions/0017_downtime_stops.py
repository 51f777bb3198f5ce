"""Automatic "unexplained stops": a running station quiet for its limit gets a stop.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

Both backends get (``db/stop_models.py``):

* ``downtime_stops``: one row per stop, opened by a sweep (``services/downtime/stops.py``)
  back-dated to the station's last activity; at most one open stop per station (a partial
  unique index, which is all the triggers below probe). In the change feed.
* ``stop_limits``: the quiet limit (minutes, 0 = off) of the plant, a line or a station.
  The plant's is seeded from the site's ``[downtime] quiet_minutes`` where the upgrade runs
  (default 20), as 0014 seeded the reason tree from ``[kiosk] block_reasons``.
* Triggers that end an open stop at the station's next activity: a good or scrap report
  (``ended_at`` = the report's time; a report made before the quiet limit had passed, a
  kiosk's late offline report, withdraws an unclassified stop with a ``stop_withdrawn``
  event), the station leaving ``running`` or going out of use, or a change of its
  assignment (``ended_at`` = now).

On PostgreSQL the tables are owned by the plant owner with RLS enabled and forced; the
plant's groups read them (a device its own station's stops), nobody writes them directly.
Writes go through SECURITY DEFINER functions (``db/stop_pg_functions.py``):
``leanops_sweep_quiet_stations`` (the floor groups and devices), ``leanops_classify_stop``
(the floor groups; a device only on its own station for an operator signed in there now)
and ``leanops_save_stop_limit`` (admins). Each writes its events.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leanops_desktop.db.types import GUID, SQLITE_NOW, UTCDateTime, utcnow

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TABLES = ("downtime_stops", "stop_limits")
_OPEN = sa.text("ended_at IS NULL")
_UUID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
    " || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1)"
    " || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)


def _tables() -> None:
    op.create_table(
        "downtime_stops",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("reason_id", sa.Text(), nullable=True),
        sa.Column("classified_by", sa.Text(), nullable=True),
        sa.Column("classified_at", UTCDateTime(), nullable=True),
        sa.Column("quiet_minutes", sa.Integer(), nullable=False),
        sa.Column("detected_at", UTCDateTime(), server_default=utcnow(), nullable=False),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_downtime_stops_ended_after_start"),
        ),
        sa.CheckConstraint(
            "quiet_minutes BETWEEN 1 AND 1440", name=op.f("ck_downtime_stops_quiet_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name="fk_downtime_stops_station_id_stations"
        ),
        sa.ForeignKeyConstraint(
            ["reason_id"], ["downtime_reasons.id"],
            name="fk_downtime_stops_reason_id_downtime_reasons",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_downtime_stops"),
    )
    op.create_index(
        "ix_downtime_stops_station_id_open", "downtime_stops", ["station_id"], unique=True,
        sqlite_where=_OPEN, postgresql_where=_OPEN,
    )
    op.create_index(
        "ix_downtime_stops_station_id_started_at", "downtime_stops", ["station_id", "started_at"]
    )
    op.create_table(
        "stop_limits",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("quiet_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('plant', 'line', 'station')", name=op.f("ck_stop_limits_kind")),
        sa.CheckConstraint("(kind = 'plant') = (key = '')", name=op.f("ck_stop_limits_plant_key")),
        sa.CheckConstraint(
            "quiet_minutes BETWEEN 0 AND 1440", name=op.f("ck_stop_limits_quiet_minutes")
        ),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_stop_limits"),
    )


def site_quiet_minutes() -> int:
    """The site's ``[downtime] quiet_minutes`` where the upgrade runs, else the default
    (a broken site file is the app's to report, not the upgrade's)."""
    from leanops_desktop.config import load_config
    from leanops_desktop.core.stops import DEFAULT_QUIET_MINUTES

    try:
        return load_config().downtime_quiet_minutes
    except Exception:
        return DEFAULT_QUIET_MINUTES


def _seed() -> None:
    limits = sa.table(
        "stop_limits",
        sa.column("kind", sa.Text()),
        sa.column("key", sa.Text()),
        sa.column("quiet_minutes", sa.Integer()),
    )
    op.bulk_insert(limits, [{"kind": "plant", "key": "", "quiet_minutes": site_quiet_minutes()}])


def _end_open_stop(station: str, at: str) -> str:
    return (
        f"UPDATE downtime_stops SET ended_at = max({at}, started_at)"
        f" WHERE station_id = {station} AND ended_at IS NULL;"
    )


def _sqlite_report_trigger(table: str) -> None:
    def early(d: str) -> str:
        limit = f"strftime('%Y-%m-%d %H:%M:%f000', {d}.started_at, '+' || {d}.quiet_minutes || ' minutes')"
        return (
            f"{d}.station_id = NEW.station_id AND {d}.ended_at IS NULL AND {d}.reason_id IS NULL"
            f" AND {d}.started_at <= NEW.timestamp AND NEW.timestamp < {limit}"
        )

    op.execute(
        f"CREATE TRIGGER trg_{table}_stop AFTER INSERT ON {table} FOR EACH ROW"
        " WHEN EXISTS (SELECT 1 FROM downtime_stops d WHERE d.station_id = NEW.station_id"
        " AND d.ended_at IS NULL AND d.started_at <= NEW.timestamp) BEGIN"
        " INSERT INTO events_log (id, event_type, station_id, job_id, meta)"
        f" SELECT {_UUID}, 'stop_withdrawn', d.station_id, NEW.job_id,"
        " json_object('stop_id', d.id, 'started_at', d.started_at, 'report_at', NEW.timestamp,"
        " 'quiet_minutes', d.quiet_minutes)"
        f" FROM downtime_stops d WHERE {early('d')};"
        f" DELETE FROM downtime_stops WHERE {early('downtime_stops')};"
        " UPDATE downtime_stops SET ended_at = NEW.timestamp"
        " WHERE station_id = NEW.station_id AND ended_at IS NULL AND started_at <= NEW.timestamp;"
        " END"
    )


def _sqlite_triggers() -> None:
    _sqlite_report_trigger("performance_logs")
    _sqlite_report_trigger("scrap_logs")
    op.execute(
        "CREATE TRIGGER trg_stations_stop AFTER UPDATE OF status, is_active ON stations"
        " FOR EACH ROW WHEN NEW.status <> 'running' OR NOT NEW.is_active BEGIN "
        + _end_open_stop("NEW.id", SQLITE_NOW)
        + " END"
    )
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE OF station_id, job_id", "NEW")):
        name = event.split()[0].lower()
        op.execute(
            f"CREATE TRIGGER trg_station_assignments_stop_{name} AFTER {event}"
            f" ON station_assignments FOR EACH ROW BEGIN "
            + _end_open_stop(f"{row}.station_id", SQLITE_NOW)
            + " END"
        )
    for operation, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
        op.execute(
            f"CREATE TRIGGER trg_downtime_stops_feed_{operation.lower()} AFTER {operation}"
            f" ON downtime_stops FOR EACH ROW BEGIN INSERT INTO change_feed"
            f" (table_name, row_key, op) VALUES ('downtime_stops', {row}.id, '{operation[0]}'); END"
        )


def upgrade() -> None:
    _tables()
    _seed()
    if op.get_context().dialect.name != "postgresql":
        _sqlite_triggers()
        return
    from leanops_desktop.db import stop_pg_functions, stop_pg_sql
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    for statement in [*stop_pg_sql.statements(), *stop_pg_functions.statements()]:
        op.execute(statement)
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        from leanops_desktop.db import stop_pg_functions, stop_pg_sql

        statements = stop_pg_functions.downgrade_statements()
        for statement in [*statements, *stop_pg_sql.downgrade_statements()]:
            op.execute(statement)
        return
    for trigger in (
        "performance_logs_stop", "scrap_logs_stop", "stations_stop",
        "station_assignments_stop_insert", "station_assignments_stop_delete",
        "station_assignments_stop_update",
    ):
        op.execute(f"DROP TRIGGER trg_{trigger}")
    for table in reversed(_TABLES):
        op.drop_table(table)
