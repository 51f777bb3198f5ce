"""When a kiosk report happened: the tap time, kept when plausible (both backends).

The kiosk stamps every report with the time of the tap (its outbox's ``created_at``); a
report queued through an outage arrives later. The server keeps the tap time as the log's
time when it is at most :data:`TAP_SKEW` ahead of the server's clock (a kiosk's clock runs
a little fast) and at most :data:`TAP_MAX_AGE` old; otherwise it uses its own time and the
event keeps the claimed one. Migration 0011 applies the same rule in PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TAP_SKEW = timedelta(minutes=2)
TAP_MAX_AGE = timedelta(days=7)


def plausible_tap_time(claimed: datetime | None, now: datetime | None = None) -> datetime:
    """The time a report is logged at: ``claimed`` when plausible, else ``now``."""
    now = now or datetime.now(UTC)
    if claimed is None:
        return now
    if claimed.tzinfo is None:  # the outbox stores UTC
        claimed = claimed.replace(tzinfo=UTC)
    if now - TAP_MAX_AGE <= claimed <= now + TAP_SKEW:
        return claimed
    return now


def tap_meta(claimed: datetime | None, used: datetime) -> dict[str, object]:
    """What the report's event records about the tap time (nothing when none was sent)."""
    if claimed is None:
        return {}
    if claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=UTC)
    return {"tapped_at": claimed.isoformat(), "tap_time_kept": used == claimed}
