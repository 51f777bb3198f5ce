"""The one ``events_log`` row of a stop change (SQLite's path and the app's; the database
functions and triggers of migration 0017 write the same on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.stops import StopEvent
from leanops_desktop.services.events import record_event


def record_stop_event(
    session: Session,
    actor: Actor,
    event_type: StopEvent,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    **meta: Any,
) -> None:
    """Add the event of a stop change in the caller's transaction."""
    record_event(session, actor, event_type, station_id=station_id, job_id=job_id, **meta)
