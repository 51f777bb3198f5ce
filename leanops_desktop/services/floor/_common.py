"""Helpers shared by the services: locking rows, writing the event, translating DB errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.core.errors import NotFound, RuleViolation
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.models import Base, EventLog, Job, Station, StationAssignment

M = TypeVar("M", bound=Base)


def lock(session: Session, model: type[M], key: object, kind: str) -> M:
    """Fetch one row by primary key with ``FOR UPDATE`` (a no-op on SQLite, whose write
    transactions are serialized by ``BEGIN IMMEDIATE``); raise NotFound when absent."""
    if isinstance(key, str):
        key = check_key(f"{kind} id", key)
    row = session.get(model, key, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(kind, key)
    return row


def lock_station(session: Session, station_id: str) -> Station:
    return lock(session, Station, station_id, "station")


def lock_job(session: Session, job_id: str) -> Job:
    return lock(session, Job, job_id, "job")


def assignment_of_station(
    session: Session, station_id: str, *, lock: bool = True
) -> StationAssignment | None:
    """The station's assignment row; locked unless ``lock`` is False (a peek to learn which
    job to lock first, keeping the job-then-station lock order)."""
    query = select(StationAssignment).where(StationAssignment.station_id == station_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def assignments_of_job(session: Session, job_id: str) -> list[StationAssignment]:
    return list(
        session.scalars(
            select(StationAssignment)
            .where(StationAssignment.job_id == job_id)
            .order_by(StationAssignment.station_id)
            .with_for_update()
        )
    )


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


def record_event(
    session: Session,
    actor: Actor,
    event_type: EventType,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    **extra: Any,
) -> uuid.UUID:
    """Add the one ``events_log`` row of a mutation (time is the server's)."""
    meta: dict[str, Any] = {"actor": actor.email, "role": actor.role.value}
    if old is not None:
        meta["old"] = jsonable(old)
    if new is not None:
        meta["new"] = jsonable(new)
    if reason is not None:
        meta["reason"] = reason
    meta.update(jsonable(extra))
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


@contextmanager
def integrity_as_rule(message: str) -> Iterator[None]:
    """Turn a constraint the database caught (a race another seat won) into a clear error."""
    try:
        yield
    except IntegrityError as exc:
        raise RuleViolation(message) from exc
