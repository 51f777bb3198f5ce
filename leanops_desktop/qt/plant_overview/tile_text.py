"""What a station tile says, as plain text: flags of its job and how long it is blocked.

Kept apart from the painting so the words are testable; "now" is passed in.
"""

from __future__ import annotations

from datetime import date, datetime

from leanops_desktop.core.enums import Priority
from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.time_text import local

HIGH_PRIORITY = "High priority"
LATE = "Late"


def duration_text(seconds: float) -> str:
    """``"under a minute"``, ``"25 min"``, ``"1 h 20 min"``, ``"3 h"``, ``"2 d 4 h"``."""
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def blocked_since_text(since: datetime, now: datetime) -> str:
    """``"Blocked since 10:42 (1 h 20 min)"``; the day is named when it was not today."""
    moment, today = local(since), local(now).date()
    if moment.date() == today:
        when = f"{moment:%H:%M}"
    elif (today - moment.date()).days < 7:
        when = f"{moment:%a %H:%M}"
    else:
        when = f"{moment.day} {moment:%b %H:%M}"
    return f"Blocked since {when} ({duration_text((now - since).total_seconds())})"


def late_text(due: date, today: date) -> str:
    """``"Late (due 3 Dec)"``."""
    days = (today - due).days
    return f"{LATE} (due {due.day} {due:%b})" if days > 1 else f"{LATE} (due yesterday)"


def job_flags(row: StationRow, today: date) -> list[str]:
    """What needs attention about the current job: ``["High priority", "Late"]`` (the
    tooltip says since when it is late: :func:`late_text`)."""
    if not row.current_job_id:
        return []
    flags = []
    if row.job_priority == Priority.HIGH:
        flags.append(HIGH_PRIORITY)
    if row.job_due_date is not None and row.job_is_late(today):
        flags.append(LATE)
    return flags
