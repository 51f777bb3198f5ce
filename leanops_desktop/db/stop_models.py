"""Tables of automatic stops (migration 0017).

* ``downtime_stops``: a station's stop, opened by a sweep when a running station has been
  quiet for its limit (``started_at`` = its last activity), ended by triggers at its next
  activity; at most one open (``ended_at IS NULL``) per station. ``reason_id`` NULL means
  unexplained until someone classifies it.
* ``stop_limits``: the quiet limit in minutes of the plant (key ``''``), a line or a
  station; 0 turns detection off.

docs/schema.md lists the columns and the reasons.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leanops_desktop.db.models import NOW, Base
from leanops_desktop.db.types import GUID, UTCDateTime

OPEN = text("ended_at IS NULL")


class DowntimeStop(Base):
    """A stop of a station detected from its silence, and its reason once classified."""

    __tablename__ = "downtime_stops"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ended_after_start"),
        CheckConstraint("quiet_minutes BETWEEN 1 AND 1440", name="quiet_minutes"),
        # One open stop per station: the triggers that end it probe only this index.
        Index(
            "ix_downtime_stops_station_id_open",
            "station_id",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
        Index("ix_downtime_stops_station_id_started_at", "station_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    station_id: Mapped[str] = mapped_column(Text, ForeignKey("stations.id"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_id: Mapped[str | None] = mapped_column(Text, ForeignKey("downtime_reasons.id"))
    #: The e-mail of who classified it.
    classified_by: Mapped[str | None] = mapped_column(Text)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The station's quiet limit when the stop was detected.
    quiet_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=NOW)


class StopLimit(Base):
    """The quiet limit of the plant, a line or a station (minutes; 0: detection off)."""

    __tablename__ = "stop_limits"
    __table_args__ = (
        CheckConstraint("kind IN ('plant', 'line', 'station')", name="kind"),
        CheckConstraint("(kind = 'plant') = (key = '')", name="plant_key"),
        CheckConstraint("quiet_minutes BETWEEN 0 AND 1440", name="quiet_minutes"),
    )

    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    quiet_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
