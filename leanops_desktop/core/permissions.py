"""The one permission matrix: which role may take which action.

The UI hides or disables actions from this table, services refuse with
:class:`PermissionDenied`, and on PostgreSQL the grants and policies installed by the
migrations enforce the same matrix inside the database.
"""

from __future__ import annotations

from enum import StrEnum

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import PermissionDenied


class Action(StrEnum):
    """Everything a signed-in user can ask LeanOps to do."""

    VIEW_FLOOR = "view_floor"
    REPORT_QUANTITY = "report_quantity"
    BLOCK_STATION = "block_station"
    COMPLETE_JOB = "complete_job"
    START_NEXT_JOB = "start_next_job"
    MANAGE_JOBS = "manage_jobs"
    MANAGE_STATIONS = "manage_stations"
    DISPATCH = "dispatch"
    EXPORT = "export"
    VIEW_ANALYTICS = "view_analytics"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    ACKNOWLEDGE_ALERTS = "acknowledge_alerts"
    CLASSIFY_STOP = "classify_stop"


_OPERATOR = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})
_SUPERVISOR = frozenset({Role.SUPERVISOR, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

#: action -> the roles allowed to take it.
MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_FLOOR: _OPERATOR,
    Action.REPORT_QUANTITY: _OPERATOR,
    Action.BLOCK_STATION: _OPERATOR,
    Action.COMPLETE_JOB: _OPERATOR,
    Action.START_NEXT_JOB: _SUPERVISOR,
    Action.MANAGE_JOBS: _SUPERVISOR,
    Action.MANAGE_STATIONS: _SUPERVISOR,
    Action.DISPATCH: _SUPERVISOR,
    Action.EXPORT: _SUPERVISOR,
    Action.VIEW_ANALYTICS: _SUPERVISOR,
    Action.ACKNOWLEDGE_ALERTS: _SUPERVISOR,
    Action.MANAGE_USERS: _ADMIN,
    Action.MANAGE_SETTINGS: _ADMIN,
    Action.CLASSIFY_STOP: _OPERATOR,
}

_ROLE_ORDER = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)


def allowed(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action``."""
    return role in MATRIX[action]


def least_role(action: Action) -> Role:
    """The lowest role that may take ``action`` (for "needs supervisor" tooltips)."""
    for role in _ROLE_ORDER:
        if role in MATRIX[action]:
            return role
    raise AssertionError(f"no role may take {action}")  # pragma: no cover - matrix is total


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may take ``action``."""
    if not allowed(actor.role, action):
        raise PermissionDenied(
            f"{actor.email} ({actor.role}) may not {action.value.replace('_', ' ')}: "
            f"this needs the {least_role(action)} role"
        )
