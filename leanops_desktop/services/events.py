"""The one ``events_log`` row every mutation writes, shared by the floor, reporting and
accounts: who, what, when (the server's time), the old and new values and the reason."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.models import EventLog


def jsonable(value: Any) -> Any:
    """Values as they go into an event's meta (JSON)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def event_meta(
    actor: Actor,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The meta of an event: who (email and role), the old and new values, the reason."""
    meta: dict[str, Any] = {"actor": actor.email, "role": actor.role.value}
    if old is not None:
        meta["old"] = jsonable(old)
    if new is not None:
        meta["new"] = jsonable(new)
    if reason is not None:
        meta["reason"] = reason
    meta.update(jsonable(extra))
    return meta


def record_event(
    session: Session,
    actor: Actor,
    event_type: StrEnum,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    **extra: Any,
) -> uuid.UUID:
    """Add the one ``events_log`` row of a mutation (time is the server's); ``event_type``
    is an ``EventType`` or a feature's own kind (``QualityEvent``, ``StopEvent``)."""
    meta = event_meta(actor, old=old, new=new, reason=reason, **extra)
    event_id = uuid.uuid4()
    session.execute(
        insert(EventLog).values(
            id=event_id,
            event_type=event_type.value,
            station_id=station_id,
            job_id=job_id,
            meta=meta,
            actor=actor.email,
        )
    )
    return event_id


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The old and new values of the fields that differ."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
