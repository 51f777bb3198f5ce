"""The six tables of the data model, the change feed, and the database-side rules.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Rules installed as triggers on both backends:
* ``station_assignments.updated_at`` is stamped on every change;
* inserting a ``performance_logs`` row adds its quantity to its assignment's ``qty_done``;
* ``events_log`` and ``performance_logs`` are append-only;
* every change to a business table appends a row to ``change_feed`` (PostgreSQL also
  sends ``NOTIFY leanops_changes`` with the new sequence number).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leanops_desktop.db.types import GUID, JSONB, UTCDateTime, utcnow

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FEED_TABLES = (
    "stations",
    "jobs",
    "station_assignments",
    "performance_logs",
    "events_log",
    "users",
)
APPEND_ONLY = ("events_log", "performance_logs")


def upgrade() -> None:
    _create_tables()
    if op.get_context().dialect.name == "postgresql":
        _postgresql_rules()
    else:
        _sqlite_rules()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS leanops_stamp_updated_at, leanops_count_log,"
            " leanops_append_only, leanops_feed CASCADE"
        )
    for table in ("change_feed", *reversed(_TABLE_ORDER)):
        op.drop_table(table)


_TABLE_ORDER = (
    "stations",
    "jobs",
    "station_assignments",
    "performance_logs",
    "events_log",
    "users",
)


def _create_tables() -> None:
    now = utcnow()
    op.create_table(
        "stations",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'idle'"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("blocked_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'idle', 'blocked')", name=op.f("ck_stations_status")
        ),
        sa.CheckConstraint(
            "(status = 'blocked') = (blocked_reason IS NOT NULL)",
            name=op.f("ck_stations_blocked_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stations"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("part_name", sa.Text(), nullable=False),
        sa.Column("qty_total", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("priority", sa.Text(), server_default=sa.text("'normal'"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'waiting'"), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=now, nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'running', 'completed')", name=op.f("ck_jobs_status")
        ),
        sa.CheckConstraint("priority IN ('normal', 'high')", name=op.f("ck_jobs_priority")),
        sa.CheckConstraint("qty_total > 0", name=op.f("ck_jobs_qty_total_positive")),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_status_priority_due", "jobs", ["status", "priority", "due_date"])
    op.create_table(
        "station_assignments",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=False),
        sa.Column("qty_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("started_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("updated_at", UTCDateTime(), server_default=now, nullable=False),
        sa.CheckConstraint(
            "qty_done >= 0", name=op.f("ck_station_assignments_qty_done_not_negative")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_station_assignments_job_id_jobs"),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name="fk_station_assignments_station_id_stations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_station_assignments"),
        sa.UniqueConstraint("station_id", name="uq_station_assignments_station_id"),
    )
    op.create_index("ix_station_assignments_job_id", "station_assignments", ["job_id"])
    op.create_table(
        "performance_logs",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Text(), nullable=True),
        sa.Column("qty_completed", sa.Integer(), nullable=False),
        sa.Column("timestamp", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("assignment_id", GUID(), nullable=True),
        sa.Column("corrects_id", GUID(), nullable=True),
        sa.CheckConstraint(
            "(corrects_id IS NULL AND qty_completed > 0)"
            " OR (corrects_id IS NOT NULL AND qty_completed < 0)",
            name=op.f("ck_performance_logs_qty_sign"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["performance_logs.id"],
            name="fk_performance_logs_corrects_id_performance_logs",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_performance_logs_job_id_jobs"),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name="fk_performance_logs_station_id_stations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_performance_logs"),
    )
    op.create_index(
        "ix_performance_logs_station_id_timestamp", "performance_logs", ["station_id", "timestamp"]
    )
    op.create_index(
        "ix_performance_logs_job_id_timestamp", "performance_logs", ["job_id", "timestamp"]
    )
    op.create_index("ix_performance_logs_timestamp", "performance_logs", ["timestamp"])
    op.create_index("ix_performance_logs_assignment_id", "performance_logs", ["assignment_id"])
    op.create_table(
        "events_log",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Text(), nullable=True),
        sa.Column("meta", JSONB, nullable=False),
        sa.Column("timestamp", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_events_log"),
    )
    op.create_index("ix_events_log_timestamp", "events_log", ["timestamp"])
    op.create_index("ix_events_log_station_id_timestamp", "events_log", ["station_id", "timestamp"])
    op.create_index("ix_events_log_job_id_timestamp", "events_log", ["job_id", "timestamp"])
    op.create_table(
        "users",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "role IN ('supervisor', 'operator', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "change_feed",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), server_default=now, nullable=False),
        sa.CheckConstraint("op IN ('I', 'U', 'D')", name=op.f("ck_change_feed_op")),
        sa.PrimaryKeyConstraint("seq", name="pk_change_feed"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_feed_changed_at", "change_feed", ["changed_at"])


def _postgresql_rules() -> None:
    op.execute(
        """
        CREATE FUNCTION leanops_stamp_updated_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_station_assignments_updated_at BEFORE UPDATE ON station_assignments"
        " FOR EACH ROW EXECUTE FUNCTION leanops_stamp_updated_at()"
    )
    op.execute(
        """
        CREATE FUNCTION leanops_count_log() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' AND TG_WHEN = 'BEFORE' THEN
                IF NEW.assignment_id IS NULL THEN
                    SELECT a.id INTO NEW.assignment_id
                    FROM station_assignments a
                    WHERE a.station_id = NEW.station_id AND a.job_id = NEW.job_id;
                END IF;
                RETURN NEW;
            END IF;
            UPDATE station_assignments
               SET qty_done = qty_done + NEW.qty_completed
             WHERE id = NEW.assignment_id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_performance_logs_link BEFORE INSERT ON performance_logs"
        " FOR EACH ROW EXECUTE FUNCTION leanops_count_log()"
    )
    op.execute(
        "CREATE TRIGGER trg_performance_logs_count AFTER INSERT ON performance_logs"
        " FOR EACH ROW EXECUTE FUNCTION leanops_count_log()"
    )
    op.execute(
        """
        CREATE FUNCTION leanops_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION leanops_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION leanops_append_only()"
        )
    op.execute(
        """
        CREATE FUNCTION leanops_feed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            key text;
            new_seq bigint;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                key := OLD.id::text;
            ELSE
                key := NEW.id::text;
            END IF;
            INSERT INTO change_feed (table_name, row_key, op)
            VALUES (TG_TABLE_NAME, key, left(TG_OP, 1))
            RETURNING seq INTO new_seq;
            PERFORM pg_notify('leanops_changes', new_seq::text);
            RETURN NULL;
        END
        $$
        """
    )
    for table in FEED_TABLES:
        op.execute(
            f"CREATE TRIGGER trg_{table}_feed AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION leanops_feed()"
        )


_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"


def _sqlite_rules() -> None:
    # An update of any column but updated_at stamps updated_at; the stamping update is the
    # one the change feed records, so each change appears exactly once.
    op.execute(
        "CREATE TRIGGER trg_station_assignments_updated_at"
        " AFTER UPDATE OF station_id, job_id, qty_done, started_at ON station_assignments"
        f" FOR EACH ROW BEGIN UPDATE station_assignments SET updated_at = {_SQLITE_NOW}"
        " WHERE id = NEW.id; END"
    )
    op.execute(
        "CREATE TRIGGER trg_performance_logs_count AFTER INSERT ON performance_logs"
        " FOR EACH ROW BEGIN"
        " UPDATE station_assignments SET qty_done = qty_done + NEW.qty_completed"
        " WHERE id = COALESCE(NEW.assignment_id, (SELECT a.id FROM station_assignments a"
        " WHERE a.station_id = NEW.station_id AND a.job_id = NEW.job_id));"
        " END"
    )
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_{operation.lower()} BEFORE {operation} ON {table}"
                f" FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{table} is append-only:"
                f" {operation} is not allowed'); END"
            )
    for table in FEED_TABLES:
        for operation, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
            event = operation
            if table == "station_assignments" and operation == "UPDATE":
                event = "UPDATE OF updated_at"
            op.execute(
                f"CREATE TRIGGER trg_{table}_feed_{operation.lower()} AFTER {event} ON {table}"
                f" FOR EACH ROW BEGIN INSERT INTO change_feed (table_name, row_key, op)"
                f" VALUES ('{table}', {row}.id, '{operation[0]}'); END"
            )
