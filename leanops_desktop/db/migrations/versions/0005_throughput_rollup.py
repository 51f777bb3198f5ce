"""Throughput rollup: units per station per 15 minutes, kept by triggers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Summing a month of a large floor's reports (820,000 of 10 million logs) took most of the
300 ms the "30 days" throughput plot may take. ``throughput_rollup`` holds the units of every
15-minute UTC slot per station and job. Every time-zone offset in use is a multiple of
15 minutes, so local hours and days are exact unions of slots; the analytics sum whole slots
from here and only the partial slots at a range's edges from the logs.

* It stays exact: an ``AFTER INSERT`` trigger on ``performance_logs`` (append-only, a
  correction is a negative row) adds each log's quantity to its slot, on both backends.
  Existing logs are summed in here by the migration.
* ``station_id`` and ``job_id`` are NOT NULL so the primary key (and the upsert) works on both
  backends: a log without a station or job counts under ``''``.
* PostgreSQL: owned by ``leanops_owner`` with forced row-level security like every table;
  supervisors and admins (who see analytics) may read it, nobody may write it: the trigger
  function runs as the owner (SECURITY DEFINER, pinned ``search_path``).
* Not in the change feed: it is derived, and live views follow ``performance_logs``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leanops_desktop.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "throughput_rollup"
_OWNER = "leanops_owner"
_READERS = "leanops_supervisor, leanops_admin"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
_PG_ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'"
_TIMESTAMP = '"timestamp"'


def slot_sql(dialect: str, column: str) -> str:
    """SQL for the start of the 15-minute UTC slot of the timestamp ``column``.

    PostgreSQL: a ``timestamptz``. SQLite: text in the stored form, so it compares and sorts
    like the logs' timestamps (``YYYY-MM-DD HH:MM:00.000000``).
    """
    if dialect == "postgresql":
        return f"date_bin('15 minutes', {column}, {_PG_ORIGIN})"
    return (
        f"strftime('%Y-%m-%d %H:', {column})"
        f" || printf('%02d:00.000000', CAST(strftime('%M', {column}) AS INTEGER) / 15 * 15)"
    )


def backfill_sql(dialect: str) -> str:
    """SQL that sums every performance log into the (empty) rollup.

    Rows go in in time order, as the trigger adds them, so a range of slots is a compact run
    of the table. Shared with the analytics bench, which loads logs with triggers off and
    builds the rollup afterwards.
    """
    prefix = "public." if dialect == "postgresql" else ""
    return (
        f"INSERT INTO {prefix}{TABLE} (slot_start, station_id, job_id, units)"
        f" SELECT {slot_sql(dialect, _TIMESTAMP)},"
        " coalesce(station_id, ''), coalesce(job_id, ''), sum(qty_completed)"
        f" FROM {prefix}performance_logs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    op.create_table(
        TABLE,
        sa.Column("slot_start", UTCDateTime(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slot_start", "station_id", "job_id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_job_id_slot_start", TABLE, ["job_id", "slot_start"])
    if dialect == "postgresql":
        _postgresql_security()
        _postgresql_trigger()
    else:
        _sqlite_trigger()
    # After the trigger exists: on PostgreSQL creating it locked out concurrent reports until
    # this migration commits, so no log is summed twice or missed.
    op.execute(backfill_sql(dialect))


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_performance_logs_rollup ON public.performance_logs")
        op.execute("DROP FUNCTION public.leanops_rollup_log()")
    else:
        op.execute("DROP TRIGGER trg_performance_logs_rollup")
    op.drop_index(f"ix_{TABLE}_job_id_slot_start", table_name=TABLE)
    op.drop_table(TABLE)


def _postgresql_security() -> None:
    """The model of migration 0002: owner, no PUBLIC or API rights, forced RLS, read policy."""
    op.execute(f"ALTER TABLE public.{TABLE} OWNER TO {_OWNER}")
    op.execute(
        f"""
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON public.{TABLE} FROM %I', api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )
    op.execute(f"REVOKE ALL ON public.{TABLE} FROM PUBLIC")
    op.execute(f"GRANT SELECT ON public.{TABLE} TO {_READERS}")
    op.execute(f"ALTER TABLE public.{TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE public.{TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {TABLE}_owner ON public.{TABLE} TO {_OWNER} USING (true) WITH CHECK (true)"
    )
    op.execute(
        f"CREATE POLICY {TABLE}_read ON public.{TABLE} FOR SELECT TO {_READERS} USING (true)"
    )


def _postgresql_trigger() -> None:
    # One row trigger, one upsert per log: measured cheaper per single report than a
    # statement trigger with a transition table (see docs/schema.md).
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_rollup_log() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        BEGIN
            INSERT INTO public.{TABLE} AS r (slot_start, station_id, job_id, units)
            VALUES ({slot_sql("postgresql", 'NEW."timestamp"')},
                    coalesce(NEW.station_id, ''), coalesce(NEW.job_id, ''), NEW.qty_completed)
            ON CONFLICT (slot_start, station_id, job_id)
            DO UPDATE SET units = r.units + EXCLUDED.units;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_rollup_log() OWNER TO {_OWNER}")
    op.execute("REVOKE ALL ON FUNCTION public.leanops_rollup_log() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER trg_performance_logs_rollup AFTER INSERT ON public.performance_logs"
        " FOR EACH ROW EXECUTE FUNCTION public.leanops_rollup_log()"
    )


def _sqlite_trigger() -> None:
    op.execute(
        "CREATE TRIGGER trg_performance_logs_rollup AFTER INSERT ON performance_logs"
        " FOR EACH ROW BEGIN"
        f" INSERT INTO {TABLE} (slot_start, station_id, job_id, units)"
        f" VALUES ({slot_sql('sqlite', 'NEW.timestamp')},"
        " coalesce(NEW.station_id, ''), coalesce(NEW.job_id, ''), NEW.qty_completed)"
        " ON CONFLICT (slot_start, station_id, job_id) DO UPDATE SET units = units + excluded.units;"
        " END"
    )
