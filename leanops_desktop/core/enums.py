"""The enumerated values of the data model (see docs/schema.md)."""

from __future__ import annotations

from enum import StrEnum


class StationStatus(StrEnum):
    """What a station is doing now."""

    RUNNING = "running"
    IDLE = "idle"
    BLOCKED = "blocked"


class JobStatus(StrEnum):
    """Where a job is in its life."""

    WAITING = "waiting"
    RUNNING = "running"
    COMPLETED = "completed"


class Priority(StrEnum):
    """How urgent a job is."""

    NORMAL = "normal"
    HIGH = "high"


class Role(StrEnum):
    """The three roles a LeanOps user can have."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class EventType(StrEnum):
    """Every kind of entry written to ``events_log``."""

    STATION_CREATED = "station_created"
    STATION_UPDATED = "station_updated"
    STATION_ACTIVATED = "station_activated"
    STATION_DEACTIVATED = "station_deactivated"
    STATION_BLOCKED = "station_blocked"
    STATION_UNBLOCKED = "station_unblocked"
    JOB_CREATED = "job_created"
    JOB_UPDATED = "job_updated"
    JOB_ASSIGNED = "job_assigned"
    JOB_UNASSIGNED = "job_unassigned"
    JOB_MOVED = "job_moved"
    JOB_COMPLETED = "job_completed"
    QTY_REPORTED = "qty_reported"
    QTY_CORRECTED = "qty_corrected"
    QTY_REPORT_REFUSED = "qty_report_refused"
    USER_CREATED = "user_created"
    USER_ROLE_CHANGED = "user_role_changed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    USER_PASSWORD_RESET = "user_password_reset"
    KIOSK_ENROLLED = "kiosk_enrolled"
    KIOSK_REVOKED = "kiosk_revoked"
    OPERATOR_PIN_SET = "operator_pin_set"
    OPERATOR_PIN_CLEARED = "operator_pin_cleared"
    OPERATOR_BADGE_SET = "operator_badge_set"
    OPERATOR_BADGE_CLEARED = "operator_badge_cleared"
    OPERATOR_LOCKED = "operator_locked"
    BOARD_ENROLLED = "board_enrolled"
    ANDON_ACKNOWLEDGED = "andon_acknowledged"
    SCRAP_REPORTED = "scrap_reported"
    SCRAP_CORRECTED = "scrap_corrected"
    DOWNTIME_REASON_SAVED = "downtime_reason_saved"
    SHIFT_SAVED = "shift_saved"
    NON_WORKING_DAY_SET = "non_working_day_set"


class ChangeOp(StrEnum):
    """The operation recorded in the change feed."""

    INSERT = "I"
    UPDATE = "U"
    DELETE = "D"
