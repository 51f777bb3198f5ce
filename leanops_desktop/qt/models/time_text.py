"""How times and dates read in the floor views: relative text, exact local time, due dates.

All timestamps arrive as aware UTC datetimes and are shown in the computer's local time
zone; "now" is passed in so the texts are testable and a view can refresh them on a timer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

_MINUTE = 60
_HOUR = 3600
_DAY = 86400


def local(when: datetime) -> datetime:
    """``when`` in the local time zone (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone()


def exact_time(when: datetime) -> str:
    """``"2025-11-24 17:09:33 CET"``: the full local time, for tooltips."""
    moment = local(when)
    return f"{moment:%Y-%m-%d %H:%M:%S} {moment.tzname() or ''}".rstrip()


def export_time(when: datetime) -> datetime:
    """The local time without zone and microseconds (what spreadsheets can hold)."""
    return local(when).replace(tzinfo=None, microsecond=0)


def relative_time(when: datetime, now: datetime) -> str:
    """``"just now"``, ``"3 min ago"``, ``"2 h ago"``, ``"yesterday 14:05"``, ``"12 Nov 09:30"``."""
    seconds = (now - when).total_seconds()
    if seconds < 0:
        ahead = -seconds
        if ahead < _MINUTE:
            return "just now"
        if ahead < _HOUR:
            return f"in {int(ahead // _MINUTE)} min"
        if ahead < _DAY:
            return f"in {int(ahead // _HOUR)} h"
        return f"{local(when):%d %b %H:%M}"
    if seconds < 45:
        return "just now"
    if seconds < _HOUR:
        return f"{max(1, round(seconds / _MINUTE))} min ago"
    if seconds < 12 * _HOUR:
        return f"{int(seconds // _HOUR)} h ago"
    moment, today = local(when), local(now).date()
    days = (today - moment.date()).days
    if days == 0:
        return f"today {moment:%H:%M}"
    if days == 1:
        return f"yesterday {moment:%H:%M}"
    if days < 7:
        return f"{moment:%a %H:%M}"
    if moment.year == today.year:
        return f"{moment:%d %b %H:%M}"
    return f"{moment:%Y-%m-%d}"


def due_text(due: date) -> str:
    """A due date as shown in the tables (ISO, sorts and exports unambiguously)."""
    return due.isoformat()


def due_hint(due: date, today: date, *, finished: bool = False) -> str:
    """``"overdue by 3 days"``, ``"due today"``, ``"due in 5 days"`` (for tooltips)."""
    days = (due - today).days
    weekday = f"{due:%A}"
    if finished:
        return f"Due {weekday} {due.isoformat()}"
    if days < 0:
        return (
            f"Overdue by {-days} day{'s' if days != -1 else ''} (due {weekday} {due.isoformat()})"
        )
    if days == 0:
        return f"Due today ({weekday})"
    if days == 1:
        return f"Due tomorrow ({weekday})"
    return f"Due in {days} days ({weekday} {due.isoformat()})"
