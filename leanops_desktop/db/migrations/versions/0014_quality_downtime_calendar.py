"""Scrap with reasons, a downtime reason tree, the shift calendar and ideal cycle times.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05

Both backends get (``db/oee_models.py``):

* ``downtime_reasons``: two levels, each reason with a category (planned_stop,
  unplanned_stop, changeover, quality, no_work). Seeded with the default kiosk block reasons
  (``[kiosk] block_reasons`` of the site config where the upgrade runs, else the defaults)
  as top-level reasons, a "planned stop" group and quality leaves for scrap.
* ``scrap_logs``: scrap reports (deltas, like ``performance_logs``) with a quality leaf.
  An AFTER INSERT trigger adds each to ``station_assignments.qty_scrap``,
  ``jobs.qty_scrapped`` and the slot's ``throughput_rollup.scrap_units``, as
  ``leanops_log_written`` (0007) does for good units: good + scrap = total per assignment,
  job, station and 15-minute slot. ``qty_done``, ``qty_reported`` and ``qty_completed``
  keep meaning good units.
* ``shifts``, ``shift_breaks``, ``non_working_days``: the calendar, seeded from the site's
  ``[shifts] starts`` (default 06:00, 14:00, 22:00): each shift to the next start, Monday to
  Friday, a 30-minute break four hours in.
* ``jobs.ideal_cycle_s``: ideal seconds per unit. A job created without one takes the one
  of the newest job of the same part that has one (a trigger on both backends).

On PostgreSQL the new tables are owned by the plant owner with RLS enabled and forced; the
plant's groups read them (a kiosk device reads the reasons and calendar, and its own
station's scrap), nobody writes them directly. Writes go through SECURITY DEFINER functions
that check what the services check (refusals as in 0009: ``LP001`` invalid, ``LP002`` not
found, ``LP004`` rule, ``42501`` role):

* ``leanops_report_scrap`` (operators, supervisors, admins, devices on their own station
  for a signed-in operator), once per report id;
* ``leanops_save_reason``, ``leanops_save_shift``, ``leanops_set_non_working_day``: admins;
* ``leanops_set_ideal_cycle``: supervisors and admins.

Each writes exactly one ``events_log`` row.
"""

from __future__ import annotations

import uuid
from datetime import time

import sqlalchemy as sa
from alembic import op

from leanops_desktop.db.types import GUID, UTCDateTime, utcnow

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
_PG_SLOT = "date_bin('15 minutes', NEW.\"timestamp\", TIMESTAMPTZ '2000-01-01 00:00:00+00')"
_SQLITE_SLOT = (
    "strftime('%Y-%m-%d %H:', NEW.timestamp)"
    " || printf('%02d:00.000000', CAST(strftime('%M', NEW.timestamp) AS INTEGER) / 15 * 15)"
)
_MAX_QTY = 10_000_000
_CATEGORIES = "('planned_stop', 'unplanned_stop', 'changeover', 'quality', 'no_work')"

#: (id, parent, name, category): the seed tree.
SEED_REASONS: tuple[tuple[str, str | None, str, str], ...] = (
    ("changeover", None, "changeover", "changeover"),
    ("maintenance", None, "maintenance", "unplanned_stop"),
    ("material", None, "material", "no_work"),
    ("no operator", None, "no operator", "no_work"),
    ("quality", None, "quality", "quality"),
    ("tooling", None, "tooling", "unplanned_stop"),
    ("other", None, "other", "unplanned_stop"),
    ("planned stop", None, "planned stop", "planned_stop"),
    ("planned stop/preventive maintenance", "planned stop", "preventive maintenance",
     "planned_stop"),
    ("planned stop/meeting", "planned stop", "meeting", "planned_stop"),
    ("quality/dimension", "quality", "dimension out of tolerance", "quality"),
    ("quality/surface", "quality", "surface defect", "quality"),
    ("quality/material defect", "quality", "material defect", "quality"),
    ("quality/setup scrap", "quality", "setup scrap", "quality"),
)
#: (id, name, start minute, end minute, days, break offset, break minutes).
SEED_SHIFTS = (
    ("1", "early", 360, 840, "12345", 240, 30),
    ("2", "late", 840, 1320, "12345", 240, 30),
    ("3", "night", 1320, 360, "12345", 240, 30),
)
_TABLES = ("downtime_reasons", "scrap_logs", "shifts", "shift_breaks", "non_working_days")


def _tables() -> None:
    now = utcnow()
    op.create_table(
        "downtime_reasons",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=now, nullable=False),
        sa.CheckConstraint(f"category IN {_CATEGORIES}", name=op.f("ck_downtime_reasons_category")),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_downtime_reasons_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["downtime_reasons.id"],
            name="fk_downtime_reasons_parent_id_downtime_reasons",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_downtime_reasons"),
    )
    op.create_index("ix_downtime_reasons_parent_id", "downtime_reasons", ["parent_id"])
    op.create_table(
        "scrap_logs",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=False),
        sa.Column("assignment_id", GUID(), nullable=True),
        sa.Column("qty_scrapped", sa.Integer(), nullable=False),
        sa.Column("reason_id", sa.Text(), nullable=False),
        sa.Column("timestamp", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("corrects_id", GUID(), nullable=True),
        sa.CheckConstraint(
            "(corrects_id IS NULL AND qty_scrapped > 0)"
            " OR (corrects_id IS NOT NULL AND qty_scrapped < 0)",
            name=op.f("ck_scrap_logs_qty_sign"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name="fk_scrap_logs_station_id_stations"
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_scrap_logs_job_id_jobs"),
        sa.ForeignKeyConstraint(
            ["reason_id"], ["downtime_reasons.id"],
            name="fk_scrap_logs_reason_id_downtime_reasons",
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["scrap_logs.id"], name="fk_scrap_logs_corrects_id_scrap_logs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scrap_logs"),
    )
    op.create_index("ix_scrap_logs_station_id_timestamp", "scrap_logs", ["station_id", "timestamp"])
    op.create_index("ix_scrap_logs_job_id_timestamp", "scrap_logs", ["job_id", "timestamp"])
    op.create_index("ix_scrap_logs_corrects_id", "scrap_logs", ["corrects_id"], unique=True)
    op.create_table(
        "shifts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("days", sa.Text(), server_default=sa.text("'12345'"), nullable=False),
        sa.CheckConstraint("start_minute BETWEEN 0 AND 1439", name=op.f("ck_shifts_start_minute")),
        sa.CheckConstraint("end_minute BETWEEN 0 AND 1439", name=op.f("ck_shifts_end_minute")),
        sa.CheckConstraint("length(days) BETWEEN 1 AND 7", name=op.f("ck_shifts_days")),
        sa.PrimaryKeyConstraint("id", name="pk_shifts"),
    )
    op.create_table(
        "shift_breaks",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("shift_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("offset_minutes >= 0", name=op.f("ck_shift_breaks_offset_minutes")),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_shift_breaks_duration_minutes")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name="fk_shift_breaks_shift_id_shifts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_shift_breaks"),
    )
    op.create_index("ix_shift_breaks_shift_id", "shift_breaks", ["shift_id"])
    op.create_table(
        "non_working_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_non_working_days"),
    )
    zero = sa.text("0")
    op.add_column("jobs", sa.Column("qty_scrapped", sa.Integer(), server_default=zero,
                                    nullable=False))
    op.add_column("jobs", sa.Column("ideal_cycle_s", sa.Float(), nullable=True))
    # A new job looks up the newest job of its part with an ideal cycle time: an index probe
    # (without it, importing 10,000 jobs took 4 times as long, every insert walking the jobs).
    op.create_index(
        "ix_jobs_part_name_created_at_ideal",
        "jobs",
        ["part_name", "created_at"],
        sqlite_where=sa.text("ideal_cycle_s IS NOT NULL"),
        postgresql_where=sa.text("ideal_cycle_s IS NOT NULL"),
    )
    op.add_column("station_assignments", sa.Column("qty_scrap", sa.Integer(),
                                                   server_default=zero, nullable=False))
    op.add_column("throughput_rollup", sa.Column("scrap_units", sa.Integer(),
                                                 server_default=zero, nullable=False))


#: Categories of usual block reasons when a site's list seeds the tree (else unplanned).
_SEED_CATEGORY = {"changeover": "changeover", "material": "no_work", "no operator": "no_work",
                  "no work": "no_work", "quality": "quality", "planned stop": "planned_stop"}


def _site_config() -> tuple[tuple[str, ...], tuple[time, ...]]:
    """The site's ``[kiosk] block_reasons`` and ``[shifts] starts`` where the upgrade runs,
    else the defaults (a broken site file is the app's to report, not the upgrade's)."""
    from leanops_desktop.config import DEFAULT_BLOCK_REASONS, DEFAULT_SHIFT_STARTS, load_config

    try:
        config = load_config()
    except Exception:
        return DEFAULT_BLOCK_REASONS, DEFAULT_SHIFT_STARTS
    return config.block_reasons, config.shift_starts


def seed_reason_rows(block_reasons: tuple[str, ...]) -> list[dict[str, str | None]]:
    """The seed tree, plus a top-level reason for each site block reason not in it."""
    rows: list[dict[str, str | None]] = [
        {"id": i, "parent_id": p, "name": n, "category": c} for i, p, n, c in SEED_REASONS
    ]
    known = {row["id"] for row in rows}
    for reason in block_reasons:
        if reason not in known and len(reason) <= 200:
            known.add(reason)
            category = _SEED_CATEGORY.get(reason.lower(), "unplanned_stop")
            rows.append({"id": reason, "parent_id": None, "name": reason, "category": category})
    return rows


def seed_shift_rows(starts: tuple[time, ...]) -> list[tuple[str, str, int, int, str, int, int]]:
    """One shift from each start to the next (the last to the first), Monday to Friday,
    with a 30-minute break four hours in when the shift is at least six hours long."""
    minutes = sorted({t.hour * 60 + t.minute for t in starts})
    if minutes == [360, 840, 1320]:
        return list(SEED_SHIFTS)
    shifts = []
    for index, start in enumerate(minutes):
        end = minutes[(index + 1) % len(minutes)]
        length = (end - start) % 1440 or 1440
        pause = (240, 30) if length >= 360 else (0, 0)
        shifts.append((str(index + 1), f"shift {index + 1}", start, end, "12345", *pause))
    return shifts


def _seed() -> None:
    block_reasons, shift_starts = _site_config()
    reasons = sa.table(
        "downtime_reasons",
        sa.column("id", sa.Text()),
        sa.column("parent_id", sa.Text()),
        sa.column("name", sa.Text()),
        sa.column("category", sa.Text()),
    )
    op.bulk_insert(reasons, seed_reason_rows(block_reasons))
    shifts = sa.table(
        "shifts",
        sa.column("id", sa.Text()),
        sa.column("name", sa.Text()),
        sa.column("start_minute", sa.Integer()),
        sa.column("end_minute", sa.Integer()),
        sa.column("days", sa.Text()),
    )
    breaks = sa.table(
        "shift_breaks",
        sa.column("id", GUID()),
        sa.column("shift_id", sa.Text()),
        sa.column("name", sa.Text()),
        sa.column("offset_minutes", sa.Integer()),
        sa.column("duration_minutes", sa.Integer()),
    )
    seeded = seed_shift_rows(shift_starts)
    op.bulk_insert(
        shifts,
        [
            {"id": i, "name": n, "start_minute": s, "end_minute": e, "days": d}
            for i, n, s, e, d, _, _ in seeded
        ],
    )
    op.bulk_insert(
        breaks,
        [
            {"id": uuid.uuid4(), "shift_id": i, "name": "break", "offset_minutes": o,
             "duration_minutes": m}
            for i, _, _, _, _, o, m in seeded
            if m > 0
        ],
    )


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER trg_scrap_logs_written AFTER INSERT ON scrap_logs FOR EACH ROW BEGIN"
        " UPDATE station_assignments SET qty_scrap = qty_scrap + NEW.qty_scrapped"
        " WHERE id = NEW.assignment_id;"
        " UPDATE jobs SET qty_scrapped = qty_scrapped + NEW.qty_scrapped WHERE id = NEW.job_id;"
        " INSERT INTO throughput_rollup (slot_start, station_id, job_id, units, scrap_units)"
        f" VALUES ({_SQLITE_SLOT}, NEW.station_id, NEW.job_id, 0, NEW.qty_scrapped)"
        " ON CONFLICT (slot_start, station_id, job_id)"
        " DO UPDATE SET scrap_units = scrap_units + excluded.scrap_units;"
        " END"
    )
    op.execute(
        "CREATE TRIGGER trg_jobs_ideal_cycle AFTER INSERT ON jobs FOR EACH ROW"
        " WHEN NEW.ideal_cycle_s IS NULL AND EXISTS (SELECT 1 FROM jobs j"
        " WHERE j.part_name = NEW.part_name AND j.id <> NEW.id AND j.ideal_cycle_s IS NOT NULL)"
        " BEGIN UPDATE jobs SET ideal_cycle_s = (SELECT j.ideal_cycle_s FROM jobs j"
        " WHERE j.part_name = NEW.part_name AND j.id <> NEW.id AND j.ideal_cycle_s IS NOT NULL"
        " ORDER BY j.created_at DESC, j.rowid DESC LIMIT 1) WHERE id = NEW.id; END"
    )


def upgrade() -> None:
    _tables()
    _seed()
    if op.get_context().dialect.name != "postgresql":
        _sqlite_triggers()
        return
    from leanops_desktop.db import oee_pg_sql
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    for statement in oee_pg_sql.statements(_MAX_QTY):
        op.execute(statement)
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        raise NotImplementedError(
            "migration 0014 (quality, downtime, calendar) cannot be undone in place: restore a"
            " backup taken before the upgrade"
        )
    op.execute("DROP TRIGGER trg_jobs_ideal_cycle")
    op.drop_index("ix_jobs_part_name_created_at_ideal", table_name="jobs")
    op.execute("DROP TRIGGER trg_scrap_logs_written")
    for table, column in (
        ("throughput_rollup", "scrap_units"),
        ("station_assignments", "qty_scrap"),
        ("jobs", "ideal_cycle_s"),
        ("jobs", "qty_scrapped"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table in reversed(_TABLES):
        op.drop_table(table)
