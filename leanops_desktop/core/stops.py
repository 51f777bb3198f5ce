"""Words of automatic "unexplained stops" shared by the services (no Qt, no database).

A running station that reports nothing for its quiet limit gets a stop, back-dated to its
last activity, that ends at its next activity; an operator or supervisor classifies it
afterwards with a reason of the downtime tree (docs/schema.md, "Automatic stops").
"""

from __future__ import annotations

from enum import StrEnum


class StopEvent(StrEnum):
    """``events_log.event_type`` of the stop changes."""

    STOP_DETECTED = "stop_detected"
    STOP_CLASSIFIED = "stop_classified"
    STOP_WITHDRAWN = "stop_withdrawn"
    STOP_LIMIT_CHANGED = "stop_limit_changed"


class LimitKind(StrEnum):
    """What a quiet limit applies to (``stop_limits.kind``)."""

    PLANT = "plant"
    LINE = "line"
    STATION = "station"


#: The longest quiet limit (a day); 0 turns detection off.
MAX_QUIET_MINUTES = 1440
#: The plant's quiet limit when the site config sets none (``[downtime] quiet_minutes``).
DEFAULT_QUIET_MINUTES = 20
#: The category OEE counts an unclassified stop under (an unplanned stop).
UNEXPLAINED = "unexplained"
#: The events that are a station's activity: what changes its work. Reports and scrap count
#: by their logs' times (the tap's time, which a late offline report keeps), not by their
#: events (stamped on arrival); signing in at a kiosk, acknowledging an alert or a stop's own
#: events are not work, so they never hide a quiet station.
ACTIVITY_EVENT_TYPES = (
    "station_activated",
    "station_blocked",
    "station_unblocked",
    "job_assigned",
    "job_unassigned",
    "job_moved",
    "job_completed",
)
