"""The ORM schema: the six tables of the data model, the change feed and the throughput rollup.

Names and types follow docs/schema.md exactly; additions are listed there with the reason.
Migrations (not ``create_all``) make the schema; a test proves the two never drift.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from leanops_desktop.db.types import GUID, JSONB, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NOW = utcnow()


class Base(DeclarativeBase):
    """Declarative base with constraint names that are the same on every backend."""

    metadata = MetaData(naming_convention=NAMING)


class Station(Base):
    """A workstation on the production floor."""

    __tablename__ = "stations"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'idle', 'blocked')", name="status"),
        CheckConstraint(
            "(status = 'blocked') = (blocked_reason IS NOT NULL)", name="blocked_reason"
        ),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    line: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'idle'"))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    blocked_reason: Mapped[str | None] = mapped_column(Text)


class Job(Base):
    """A job: past, present or waiting in the queue."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'running', 'completed')", name="status"),
        CheckConstraint("priority IN ('normal', 'high')", name="priority"),
        CheckConstraint("qty_total > 0", name="qty_total_positive"),
        Index("ix_jobs_status_priority_due", "status", "priority", "due_date"),
        # The newest job of a part with an ideal cycle time, for a new job of that part
        # (trg_jobs_ideal_cycle): one index probe instead of a walk through every job.
        Index(
            "ix_jobs_part_name_created_at_ideal",
            "part_name",
            "created_at",
            sqlite_where=text("ideal_cycle_s IS NOT NULL"),
            postgresql_where=text("ideal_cycle_s IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    part_name: Mapped[str] = mapped_column(Text, nullable=False)
    qty_total: Mapped[int] = mapped_column(Integer, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    priority: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'normal'"))
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'waiting'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    #: Sum of the job's performance logs, kept by the count trigger (never set by clients).
    qty_reported: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    #: Sum of the job's scrap logs, kept by the scrap trigger (migration 0014).
    qty_scrapped: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    #: Ideal seconds per unit (OEE performance); NULL: not known (migration 0014).
    ideal_cycle_s: Mapped[float | None] = mapped_column(Float)


class StationAssignment(Base):
    """Which station works on which job right now (at most one row per station)."""

    __tablename__ = "station_assignments"
    __table_args__ = (
        CheckConstraint("qty_done >= 0", name="qty_done_not_negative"),
        Index("ix_station_assignments_job_id", "job_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    station_id: Mapped[str] = mapped_column(
        Text, ForeignKey("stations.id"), nullable=False, unique=True
    )
    job_id: Mapped[str] = mapped_column(Text, ForeignKey("jobs.id"), nullable=False)
    qty_done: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    #: Units scrapped in this assignment, kept by the scrap trigger (migration 0014).
    qty_scrap: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


class PerformanceLog(Base):
    """Permanent log of work done: one row per quantity report (a delta)."""

    __tablename__ = "performance_logs"
    __table_args__ = (
        CheckConstraint(
            "(corrects_id IS NULL AND qty_completed > 0)"
            " OR (corrects_id IS NOT NULL AND qty_completed < 0)",
            name="qty_sign",
        ),
        Index("ix_performance_logs_station_id_timestamp", "station_id", "timestamp"),
        Index("ix_performance_logs_job_id_timestamp", "job_id", "timestamp"),
        Index("ix_performance_logs_timestamp", "timestamp"),
        Index("ix_performance_logs_assignment_id", "assignment_id"),
        Index("ix_performance_logs_corrects_id", "corrects_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    station_id: Mapped[str | None] = mapped_column(Text, ForeignKey("stations.id"))
    job_id: Mapped[str | None] = mapped_column(Text, ForeignKey("jobs.id"))
    qty_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(GUID, ForeignKey("performance_logs.id"))


class EventLog(Base):
    """Append-only audit trail of every MES action."""

    __tablename__ = "events_log"
    __table_args__ = (
        Index("ix_events_log_timestamp", "timestamp"),
        Index("ix_events_log_station_id_timestamp", "station_id", "timestamp"),
        Index(
            "ix_events_log_station_id_event_type_timestamp", "station_id", "event_type", "timestamp"
        ),
        Index("ix_events_log_job_id_timestamp", "job_id", "timestamp"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    station_id: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    actor: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A LeanOps account."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('supervisor', 'operator', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    password_hash: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))


class ChangeFeed(Base):
    """One row per changed business row, appended by triggers; read by live views."""

    __tablename__ = "change_feed"
    __table_args__ = (
        CheckConstraint("op IN ('I', 'U', 'D')", name="op"),
        Index("ix_change_feed_changed_at", "changed_at"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    table_name: Mapped[str] = mapped_column(Text, nullable=False)
    row_key: Mapped[str] = mapped_column(Text, nullable=False)
    op: Mapped[str] = mapped_column(Text, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


#: Width of a throughput rollup slot. Every time-zone offset in use is a multiple of it, so
#: local hours and days are exact unions of slots.
ROLLUP_SLOT_SECONDS = 900


class ThroughputRollup(Base):
    """Units per 15-minute UTC slot per station and job: the sum of the logs, kept by a trigger.

    Derived from ``performance_logs`` (migration 0005); never written by clients. A log without
    a station or job counts under ``''`` (not NULL), so the primary key holds on both backends.
    """

    __tablename__ = "throughput_rollup"
    __table_args__ = (Index("ix_throughput_rollup_job_id_slot_start", "job_id", "slot_start"),)

    slot_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    station_id: Mapped[str] = mapped_column(Text, primary_key=True)
    job_id: Mapped[str] = mapped_column(Text, primary_key=True)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Scrapped units in the slot (migration 0014); ``units`` stays the good units.
    scrap_units: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))


#: Tables whose changes appear in the change feed, with the column that is their key.
FEED_TABLES: dict[str, str] = {
    "stations": "id",
    "jobs": "id",
    "station_assignments": "id",
    "performance_logs": "id",
    "events_log": "id",
    "users": "id",
}


# The kiosk tables (migration 0011) live in their own module on the same metadata.
from leanops_desktop.db import kiosk_models as _kiosk_models  # noqa: E402,F401
from leanops_desktop.db import oee_models as _oee_models  # noqa: E402,F401
from leanops_desktop.db import stop_models as _stop_models  # noqa: E402,F401
