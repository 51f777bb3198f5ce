"""Tables of quality, downtime and planned time (migration 0014).

* ``downtime_reasons``: a two-level tree of reasons (a parent with its leaves), each with a
  category that says how OEE counts it (``core.oee_categories``).
* ``scrap_logs``: units reported as scrap, with a quality reason; like ``performance_logs``
  a row is a delta, a correction a negative row pointing at the row it takes back. Triggers
  add them to ``station_assignments.qty_scrap``, ``jobs.qty_scrapped`` and
  ``throughput_rollup.scrap_units``, so good + scrap = total everywhere.
* ``shifts``, ``shift_breaks``, ``non_working_days``: the shift calendar, in the plant's
  local time (minutes after midnight; a shift whose end is not after its start ends the
  next day).

docs/schema.md lists the columns and the reasons.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leanops_desktop.db.models import NOW, Base
from leanops_desktop.db.types import GUID, UTCDateTime

CATEGORIES = "category IN ('planned_stop', 'unplanned_stop', 'changeover', 'quality', 'no_work')"


class DowntimeReason(Base):
    """A reason for a stop or for scrap: a top-level group or a leaf under one."""

    __tablename__ = "downtime_reasons"
    __table_args__ = (
        CheckConstraint(CATEGORIES, name="category"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_downtime_reasons_parent_id", "parent_id"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(Text, ForeignKey("downtime_reasons.id"))
    name: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(Text, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


class ScrapLog(Base):
    """Units scrapped by one report (a delta), with the quality reason."""

    __tablename__ = "scrap_logs"
    __table_args__ = (
        CheckConstraint(
            "(corrects_id IS NULL AND qty_scrapped > 0)"
            " OR (corrects_id IS NOT NULL AND qty_scrapped < 0)",
            name="qty_sign",
        ),
        Index("ix_scrap_logs_station_id_timestamp", "station_id", "timestamp"),
        Index("ix_scrap_logs_job_id_timestamp", "job_id", "timestamp"),
        Index("ix_scrap_logs_corrects_id", "corrects_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    station_id: Mapped[str] = mapped_column(Text, ForeignKey("stations.id"), nullable=False)
    job_id: Mapped[str] = mapped_column(Text, ForeignKey("jobs.id"), nullable=False)
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    qty_scrapped: Mapped[int] = mapped_column(Integer, nullable=False)
    reason_id: Mapped[str] = mapped_column(
        Text, ForeignKey("downtime_reasons.id"), nullable=False
    )
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)
    actor: Mapped[str | None] = mapped_column(Text)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(GUID, ForeignKey("scrap_logs.id"))


class Shift(Base):
    """A shift of the plant calendar, in local time, on some days of the week."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("start_minute BETWEEN 0 AND 1439", name="start_minute"),
        CheckConstraint("end_minute BETWEEN 0 AND 1439", name="end_minute"),
        CheckConstraint("length(days) BETWEEN 1 AND 7", name="days"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    #: Minutes after local midnight; an end not after the start is on the next day.
    start_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    end_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    #: ISO weekdays the shift starts on, as digits: "12345" is Monday to Friday.
    days: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'12345'"))


class ShiftBreak(Base):
    """A planned break within a shift (minutes after the shift's start)."""

    __tablename__ = "shift_breaks"
    __table_args__ = (
        CheckConstraint("offset_minutes >= 0", name="offset_minutes"),
        CheckConstraint("duration_minutes > 0", name="duration_minutes"),
        Index("ix_shift_breaks_shift_id", "shift_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    shift_id: Mapped[str] = mapped_column(
        Text, ForeignKey("shifts.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(Text, nullable=False)
    offset_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)


class NonWorkingDay(Base):
    """A local date on which no shift runs (a holiday, a shutdown)."""

    __tablename__ = "non_working_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))
