"""The one ``events_log`` row of a quality, reason or calendar change (SQLite's path; the
database functions of migration 0014 write the same on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.quality import QualityEvent
from leanops_desktop.services.events import record_event


def record_quality_event(
    session: Session,
    actor: Actor,
    event_type: QualityEvent,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    **meta: Any,
) -> None:
    """Add the event of a change in the caller's transaction."""
    record_event(session, actor, event_type, station_id=station_id, job_id=job_id, **meta)
