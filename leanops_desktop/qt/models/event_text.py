"""What an event says, as a sentence: "Station ST-09 activated", "Job JOB-1 moved from ST-01
to ST-02 (120 made on ST-01)".

One phrasing per event type the services and the database functions write (``core.enums
.EventType``, ``services/_common.record_event``, the floor and planning functions); an
unknown type falls back to listing its values. Pure functions of the event's fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leanops_desktop.core.enums import EventType
from leanops_desktop.core.rows import EventRow
from leanops_desktop.qt.models.quality_event_text import QUALITY_SENTENCES
from leanops_desktop.qt.models.stop_event_text import STOP_SENTENCES

Meta = Mapping[str, Any]


def _dict(meta: Meta, name: str) -> dict[str, Any]:
    value = meta.get(name)
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return str(value)


def _quoted(value: Any) -> str:
    return f"“{value}”"


def _station(row: EventRow) -> str:
    return f"Station {row.station_id}" if row.station_id else "A station"


def _job(row: EventRow) -> str:
    return f"Job {row.job_id}" if row.job_id else "A job"


def _who(meta: Meta) -> str:
    return str(_dict(meta, "new").get("email") or _dict(meta, "old").get("email") or "a user")


_FIELD_NAMES = {
    "part_name": "part",
    "qty_total": "quantity",
    "due_date": "due date",
    "priority": "priority",
    "name": "name",
    "line": "line",
    "is_active": "in use",
    "ideal_cycle_s": "ideal cycle time (s)",
}


def _value(field: str, value: Any) -> str:
    if field in ("part_name", "name"):
        return _quoted(value)
    if field == "is_active":
        return "yes" if value else "no"
    return _number(value)


def _changes(meta: Meta) -> list[str]:
    """``["quantity from 500 to 800", "due date from 2026-12-01 to 2026-12-03"]``."""
    old, new = _dict(meta, "old"), _dict(meta, "new")
    return [
        f"{_FIELD_NAMES.get(field, field.replace('_', ' '))} from "
        f"{_value(field, old.get(field))} to {_value(field, value)}"
        for field, value in new.items()
        if field in old and old.get(field) != value
    ]


def _station_created(row: EventRow, meta: Meta) -> str:
    new = _dict(meta, "new")
    text = f"{_station(row)} created"
    if new.get("name"):
        text += f": {_quoted(new['name'])}"
    if new.get("line"):
        text += f" on {new['line']}"
    if new.get("is_active") is False:
        text += ", not in use"
    return text


def _station_updated(row: EventRow, meta: Meta) -> str:
    old, new = _dict(meta, "old"), _dict(meta, "new")
    parts = []
    if "name" in new:
        parts.append(f"renamed from {_quoted(old.get('name'))} to {_quoted(new['name'])}")
    if "line" in new:
        parts.append(f"moved from {old.get('line')} to {new['line']}")
    other = {key: value for key, value in new.items() if key not in ("name", "line")}
    parts.extend(_changes({"old": old, "new": other}))
    return f"{_station(row)} " + ("; ".join(parts) if parts else "updated")


def _station_blocked(row: EventRow, meta: Meta) -> str:
    text = f"{_station(row)} blocked: {meta.get('reason') or 'no reason given'}"
    return text + (f" (job {row.job_id} paused)" if row.job_id else "")


def _station_unblocked(row: EventRow, meta: Meta) -> str:
    reason = _dict(meta, "old").get("reason")
    status = _dict(meta, "new").get("status")
    text = f"{_station(row)} resumed"
    if reason:
        text += f" after {reason}"
    return text + (f"; now {status}" if status else "")


def _job_created(row: EventRow, meta: Meta) -> str:
    new = _dict(meta, "new")
    text = f"{_job(row)} created"
    if new.get("qty_total") is not None and new.get("part_name"):
        text += f": {_number(new['qty_total'])} × {new['part_name']}"
    if new.get("due_date"):
        text += f", due {new['due_date']}"
    if new.get("priority") == "high":
        text += ", high priority"
    return text


def _job_updated(row: EventRow, meta: Meta) -> str:
    changes = _changes(meta)
    return f"{_job(row)} changed: " + "; ".join(changes) if changes else f"{_job(row)} changed"


def _job_assigned(row: EventRow, meta: Meta) -> str:
    return f"{_job(row)} assigned to station {row.station_id or '?'}"


def _job_unassigned(row: EventRow, meta: Meta) -> str:
    text = f"{_job(row)} taken off station {row.station_id or '?'}"
    if meta.get("qty_done") is not None:
        text += f" with {_number(meta['qty_done'])} made there"
    status = _dict(meta, "new").get("job_status")
    return text + (f"; job now {status}" if status else "")


def _job_moved(row: EventRow, meta: Meta) -> str:
    source = _dict(meta, "old").get("station_id") or "?"
    target = _dict(meta, "new").get("station_id") or row.station_id or "?"
    text = f"{_job(row)} moved from station {source} to {target}"
    made = meta.get("qty_done_at_source")
    return text + (f" ({_number(made)} made on {source})" if made is not None else "")


def _job_completed(row: EventRow, meta: Meta) -> str:
    done, total = meta.get("qty_done"), meta.get("qty_total")
    text = f"{_job(row)} completed"
    if isinstance(done, int | float) and isinstance(total, int | float) and total:
        text += f": {_number(done)} of {_number(total)} made"
        if done < total:
            text += f" ({_number(total - done)} short)"
        elif done > total:
            text += f" ({_number(done - total)} over)"
    return text


def _qty_reported(row: EventRow, meta: Meta) -> str:
    new = _dict(meta, "new")
    qty = new.get("qty", meta.get("qty"))
    text = f"{_number(qty)} reported on station {row.station_id or '?'} for job {row.job_id}"
    if new.get("job_qty_done") is not None:
        text += f" (job at {_number(new['job_qty_done'])})"
    if meta.get("over_reported"):
        text += ", over the job's total (confirmed)"
    if meta.get("reported_by"):
        text += f", by {meta['reported_by']}"
    return text


def _qty_corrected(row: EventRow, meta: Meta) -> str:
    qty = _dict(meta, "old").get("qty")
    amount = f" of {_number(qty)}" if qty is not None else ""
    return f"Report{amount} on station {row.station_id or '?'} for job {row.job_id} taken back"


def _qty_report_refused(row: EventRow, meta: Meta) -> str:
    kind = "Correction" if meta.get("kind") == "correction" else "Report"
    qty = meta.get("qty")
    amount = f" of {_number(abs(qty))}" if isinstance(qty, int | float) else ""
    text = f"{kind}{amount} on station {row.station_id or '?'} for job {row.job_id} refused"
    if meta.get("reason"):
        text += f": {meta['reason']}"
    if meta.get("operator"):
        text += f" (tapped by {meta['operator']})"
    return text


def _user_created(row: EventRow, meta: Meta) -> str:
    role = _dict(meta, "new").get("role")
    return f"User {_who(meta)} created" + (f" as {role}" if role else "")


def _user_role_changed(row: EventRow, meta: Meta) -> str:
    old, new = _dict(meta, "old").get("role"), _dict(meta, "new").get("role")
    return f"User {_who(meta)}: role changed from {old} to {new}"


def _kiosk(row: EventRow, meta: Meta, done: str) -> str:
    device = _dict(meta, "new").get("device") or _dict(meta, "old").get("device")
    text = f"Kiosk of station {row.station_id or '?'} {done}"
    return text + (f" (login {device})" if device else "")


def _operator_locked(row: EventRow, meta: Meta) -> str:
    attempts = meta.get("failed_attempts")
    after = f" after {_number(attempts)} wrong PINs" if attempts else ""
    where = f" at station {row.station_id}" if row.station_id else ""
    return f"Kiosk sign-in of {meta.get('email') or 'a user'} locked{after}{where}"


def _andon_acknowledged(row: EventRow, meta: Meta) -> str:
    alert = meta.get("alert") or meta.get("rule") or "an alert"
    return f"Alert acknowledged: {alert}"


def _board_enrolled(_row: EventRow, meta: Meta) -> str:
    board = _dict(meta, "new").get("board")
    return "Production board enrolled" + (f" (login {board})" if board else "")


SENTENCES: dict[str, Callable[[EventRow, Meta], str]] = {
    EventType.STATION_CREATED.value: _station_created,
    EventType.STATION_UPDATED.value: _station_updated,
    EventType.STATION_ACTIVATED.value: lambda row, _meta: f"{_station(row)} activated",
    EventType.STATION_DEACTIVATED.value: lambda row, _meta: (
        f"{_station(row)} deactivated (not in use)"
    ),
    EventType.STATION_BLOCKED.value: _station_blocked,
    EventType.STATION_UNBLOCKED.value: _station_unblocked,
    EventType.JOB_CREATED.value: _job_created,
    EventType.JOB_UPDATED.value: _job_updated,
    EventType.JOB_ASSIGNED.value: _job_assigned,
    EventType.JOB_UNASSIGNED.value: _job_unassigned,
    EventType.JOB_MOVED.value: _job_moved,
    EventType.JOB_COMPLETED.value: _job_completed,
    EventType.QTY_REPORTED.value: _qty_reported,
    EventType.QTY_CORRECTED.value: _qty_corrected,
    EventType.QTY_REPORT_REFUSED.value: _qty_report_refused,
    EventType.USER_CREATED.value: _user_created,
    EventType.USER_ROLE_CHANGED.value: _user_role_changed,
    EventType.USER_DISABLED.value: lambda _row, meta: f"User {_who(meta)} disabled",
    EventType.USER_ENABLED.value: lambda _row, meta: f"User {_who(meta)} enabled",
    EventType.USER_PASSWORD_RESET.value: lambda _row, meta: f"Password of {_who(meta)} reset",
    EventType.KIOSK_ENROLLED.value: lambda row, meta: _kiosk(row, meta, "enrolled"),
    EventType.KIOSK_REVOKED.value: lambda row, meta: _kiosk(row, meta, "revoked"),
    EventType.OPERATOR_PIN_SET.value: lambda _row, meta: f"Kiosk PIN of {_who(meta)} set",
    EventType.OPERATOR_PIN_CLEARED.value: lambda _row, meta: f"Kiosk PIN of {_who(meta)} cleared",
    EventType.OPERATOR_BADGE_SET.value: lambda _row, meta: f"Badge of {_who(meta)} set",
    EventType.OPERATOR_BADGE_CLEARED.value: lambda _row, meta: f"Badge of {_who(meta)} cleared",
    EventType.OPERATOR_LOCKED.value: _operator_locked,
    EventType.BOARD_ENROLLED.value: _board_enrolled,
    EventType.ANDON_ACKNOWLEDGED.value: _andon_acknowledged,
    **QUALITY_SENTENCES,
    **STOP_SENTENCES,
}


def event_sentence(row: EventRow, fallback: Callable[[Meta], str] | None = None) -> str:
    """The event as a sentence; an unknown type gives ``fallback(meta)`` (its values)."""
    phrase = SENTENCES.get(row.event_type)
    if phrase is not None:
        try:
            return phrase(row, row.meta)
        except (TypeError, ValueError, AttributeError):  # odd meta from an older version
            pass
    return fallback(row.meta) if fallback is not None else ""
