"""Row locks of the floor's changes (job before station) and the races they lose.

A constraint the database caught because another seat won a race becomes a clear
``RuleViolation`` (:func:`integrity_as_rule`); reporting uses it for the same reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leanops_desktop.core.errors import NotFound, RuleViolation
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.models import Base, Job, Station, StationAssignment

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


@contextmanager
def integrity_as_rule(message: str) -> Iterator[None]:
    """Turn a constraint the database caught (a race another seat won) into a clear error."""
    try:
        yield
    except IntegrityError as exc:
        raise RuleViolation(message) from exc
