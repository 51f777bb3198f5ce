"""Words of quality, downtime and OEE shared by the services (no Qt, no database)."""

from __future__ import annotations

from enum import StrEnum


class ReasonCategory(StrEnum):
    """How OEE counts time stopped for a reason (docs/oee.md)."""

    PLANNED_STOP = "planned_stop"  # not planned production time
    UNPLANNED_STOP = "unplanned_stop"  # availability loss
    CHANGEOVER = "changeover"  # availability loss
    QUALITY = "quality"  # availability loss when stopped; scrap reasons
    NO_WORK = "no_work"  # availability loss (starved, no operator)


class QualityEvent(StrEnum):
    """``events_log.event_type`` of the quality, reason and calendar changes."""

    SCRAP_REPORTED = "scrap_reported"
    SCRAP_CORRECTED = "scrap_corrected"
    DOWNTIME_REASON_SAVED = "downtime_reason_saved"
    SHIFT_SAVED = "shift_saved"
    NON_WORKING_DAY_SET = "non_working_day_set"


#: The longest ideal cycle time accepted: one unit a day.
MAX_IDEAL_CYCLE_S = 86_400.0
