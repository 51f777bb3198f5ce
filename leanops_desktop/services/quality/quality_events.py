"""The one ``events_log`` row of a quality, reason or calendar change (SQLite's path; the
database functions of migration 0014 write the same on PostgreSQL)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.quality import QualityEvent
from leanops_desktop.db.models import EventLog
from leanops_desktop.services.events import event_meta


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
    session.execute(
        insert(EventLog).values(
            id=uuid.uuid4(),
            event_type=event_type.value,
            station_id=station_id,
            job_id=job_id,
            meta=event_meta(actor, **meta),
            actor=actor.email,
        )
    )
