"""Automatic "unexplained stops": detect them, list them, classify them.

A station's **last activity** is the latest of its newest good or scrap report, its current
assignment's start and its newest event (a stop's own events aside). A running station in
use with a job whose last activity is at least its quiet limit ago (``limits.py``; 0 = off)
is **quiet**: :func:`sweep_quiet_stations`, which any seat may call every minute, opens a stop
for it back-dated to that last activity, once (one open stop per station, enforced by a
unique index). Database triggers end the stop at the station's next activity (migration
0017). People then classify it with a reason of the downtime tree: operators a stop that
has none yet, supervisors and admins may also change one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import NotFound, PermissionDenied, RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.core.stops import ACTIVITY_EVENT_TYPES, StopEvent
from leanops_desktop.core.validation import check_text
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import EventLog, PerformanceLog, Station, StationAssignment
from leanops_desktop.db.oee_models import DowntimeReason, ScrapLog
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.services.downtime import stop_pg
from leanops_desktop.services.downtime.limits import read_limits
from leanops_desktop.services.downtime.quiet_window import quiet_window
from leanops_desktop.services.downtime.stop_events import record_stop_event
from leanops_desktop.services.kiosk import device_checks

_RowsQuery = Select[DowntimeStop, str, str | None, str | None]


@dataclass(frozen=True)
class StopRow:
    """A stop as the views and OEE see it (``category`` None: unexplained)."""

    id: uuid.UUID
    station_id: str
    line: str
    started_at: datetime
    ended_at: datetime | None
    reason_id: str | None
    reason_name: str | None
    category: ReasonCategory | None
    classified_by: str | None
    quiet_minutes: int

    def minutes(self, now: datetime) -> float:
        """How long the stop lasted, or has lasted so far at ``now`` (open)."""
        end = self.ended_at if self.ended_at is not None else now
        return max((end - self.started_at).total_seconds() / 60.0, 0.0)


def _rows_query() -> _RowsQuery:
    return (
        select(DowntimeStop, Station.line, DowntimeReason.name, DowntimeReason.category)
        .join(Station, Station.id == DowntimeStop.station_id)
        .outerjoin(DowntimeReason, DowntimeReason.id == DowntimeStop.reason_id)
    )


def _row(stop: DowntimeStop, line: str, name: str | None, category: str | None) -> StopRow:
    return StopRow(
        id=stop.id,
        station_id=stop.station_id,
        line=line,
        started_at=stop.started_at,
        ended_at=stop.ended_at,
        reason_id=stop.reason_id,
        reason_name=name,
        category=ReasonCategory(category) if category is not None else None,
        classified_by=stop.classified_by,
        quiet_minutes=stop.quiet_minutes,
    )


def _overlapping(query: _RowsQuery, since: datetime, until: datetime | None) -> _RowsQuery:
    query = query.where((DowntimeStop.ended_at.is_(None)) | (DowntimeStop.ended_at >= since))
    if until is not None:
        query = query.where(DowntimeStop.started_at <= until)
    return query


def list_stops(
    session: Session,
    actor: Actor,
    *,
    since: datetime,
    until: datetime | None = None,
    station_id: str | None = None,
    unclassified_only: bool = False,
) -> list[StopRow]:
    """The stops overlapping ``[since, until or now]``, newest first (a kiosk device sees
    its own station's only, as the database shows it on PostgreSQL)."""
    require(actor, Action.VIEW_FLOOR)
    query = _overlapping(_rows_query(), since, until)
    own = _device_station(session, actor)
    if own is not None:
        query = query.where(DowntimeStop.station_id == own)
    if station_id is not None:
        query = query.where(DowntimeStop.station_id == station_id)
    if unclassified_only:
        query = query.where(DowntimeStop.reason_id.is_(None))
    query = query.order_by(DowntimeStop.started_at.desc(), DowntimeStop.id)
    with read_transaction(session):
        return [_row(*found) for found in session.execute(query).all()]


def _last_activity_query() -> Select[*tuple[Any, ...]]:
    """Running stations in use with a job and no open stop, with their last activity."""
    last_report = (
        select(func.max(PerformanceLog.timestamp))
        .where(PerformanceLog.station_id == Station.id)
        .scalar_subquery()
    )
    last_scrap = (
        select(func.max(ScrapLog.timestamp)).where(ScrapLog.station_id == Station.id)
    ).scalar_subquery()
    last_event = (
        select(EventLog.timestamp)
        .where(EventLog.station_id == Station.id, EventLog.event_type.in_(ACTIVITY_EVENT_TYPES))
        .order_by(EventLog.timestamp.desc())
        .limit(1)
        .scalar_subquery()
    )
    open_stop = exists().where(
        DowntimeStop.station_id == Station.id, DowntimeStop.ended_at.is_(None)
    )
    return (
        select(
            Station.id, Station.line, StationAssignment.job_id, StationAssignment.started_at,
            last_report, last_scrap, last_event,
        )
        .join(StationAssignment, StationAssignment.station_id == Station.id)
        .where(Station.is_active.is_(True), Station.status == "running", ~open_stop)
        .order_by(Station.id)
    )


def sweep_quiet_stations(
    session: Session, actor: Actor, now: datetime | None = None, tz: tzinfo | None = None
) -> list[StopRow]:
    """Open a stop for every quiet station that has none; the stops opened now.

    With a shift calendar, quiet time counts only in its productive stretches (``tz``: the
    plant's zone, default this computer's): nothing opens during a break, a night or a day
    off, and a stop starts no earlier than the stretch it is found in (``quiet_window``).

    Idempotent: a station gets one open stop however many seats sweep. ``now`` is the
    moment to judge at on SQLite (default: the clock now); PostgreSQL judges at its own
    clock (``leanops_sweep_quiet_stations``), as it stamps every other moment."""
    require(actor, Action.VIEW_FLOOR)
    at = now or datetime.now(UTC)
    with write_transaction(session):
        window = quiet_window(session, at, tz)
        if not window.counts:
            return []  # a break, a night, a day off: quiet is not a stop
        if stop_pg.on_postgresql(session):
            opened = stop_pg.sweep(session, actor, window.since)
        else:
            _device_station(session, actor)  # an unenrolled kiosk sweeps nothing
            opened = _sweep_here(session, actor, at, window.since)
    if not opened:
        return []
    with read_transaction(session):
        query = _rows_query().where(DowntimeStop.id.in_(opened))
        own = _device_station(session, actor)
        if own is not None:
            query = query.where(DowntimeStop.station_id == own)
        found = session.execute(query).all()
        return sorted((_row(*row) for row in found), key=lambda row: row.station_id)


def _device_station(session: Session, actor: Actor) -> str | None:
    """A kiosk device's station on SQLite (None for a person, and on PostgreSQL, whose
    policies and functions bind the device themselves); PermissionDenied for a kiosk
    login that is not enrolled (or was revoked)."""
    if not actor.email.startswith("kiosk-") or stop_pg.on_postgresql(session):
        return None
    device = device_checks.active_device(session, actor.email)
    if device is None:
        raise PermissionDenied(f"kiosk {actor.email} is not enrolled (or was revoked)")
    return device.station_id


def _sweep_here(
    session: Session, actor: Actor, at: datetime, not_before: datetime | None
) -> list[uuid.UUID]:
    opened: list[uuid.UUID] = []
    limits = read_limits(session)
    for station, line, job, *moments in session.execute(_last_activity_query()).all():
        limit = limits.for_station(station, line)
        last = max(moment for moment in [*moments, not_before] if moment is not None)
        if limit <= 0 or (at - last).total_seconds() < limit * 60:
            continue
        stop_id = _open_stop(session, station, last, limit)
        if stop_id is None:
            continue  # another seat opened it a moment ago
        opened.append(stop_id)
        record_stop_event(
            session, actor, StopEvent.STOP_DETECTED, station_id=station, job_id=job,
            stop_id=stop_id, started_at=last, quiet_minutes=limit,
        )
    return opened


def _open_stop(session: Session, station: str, started: datetime, limit: int) -> uuid.UUID | None:
    """Insert the open stop unless the station has one (the unique partial index)."""
    stop_id = uuid.uuid4()
    statement = (
        insert(DowntimeStop)
        .values(id=stop_id, station_id=station, started_at=started, quiet_minutes=limit)
        .on_conflict_do_nothing(
            index_elements=["station_id"], index_where=DowntimeStop.ended_at.is_(None)
        )
        .returning(DowntimeStop.id)
    )
    return session.execute(statement).scalar()


def classify_stop(
    session: Session,
    actor: Actor,
    stop_id: uuid.UUID,
    reason_id: str,
    *,
    operator: str | None = None,
) -> bool:
    """Give the stop a reason; False when it had that reason already.

    Operators classify a stop that has no reason yet; supervisors and admins may also
    change one. The reason must be an active reason of the tree (a leaf or a parent). A
    kiosk device classifies only its own station's stops, for ``operator`` signed in at it
    now, with that operator's rights."""
    require(actor, Action.CLASSIFY_STOP)
    stop_key = stop_id if isinstance(stop_id, uuid.UUID) else _stop_uuid(stop_id)
    reason_id = check_text("reason", reason_id, max_length=200)
    with write_transaction(session):
        if stop_pg.on_postgresql(session):
            return stop_pg.classify(session, actor, stop_key, reason_id, operator)
        return _classify_here(session, actor, stop_key, reason_id, operator)


def _classify_here(
    session: Session, actor: Actor, stop_id: uuid.UUID, reason_id: str, operator: str | None
) -> bool:
    stop = session.get(DowntimeStop, stop_id, with_for_update=True)
    if stop is None:
        raise NotFound("stop", stop_id)
    now = datetime.now(UTC)
    actor, kiosk_meta = device_checks.device_actor(
        session, actor, stop.station_id, operator, now
    )
    reason = session.get(DowntimeReason, reason_id)
    if reason is None:
        raise NotFound("reason", reason_id)
    if not reason.is_active:
        raise RuleViolation(f"reason {reason.name!r} is no longer in use: choose another")
    if stop.reason_id == reason.id:
        return False
    if stop.reason_id is not None and actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(
            f"this stop is already classified as {stop.reason_id!r}: only a supervisor"
            " or an admin may change it"
        )
    previous = stop.reason_id
    stop.reason_id = reason.id
    stop.classified_by = actor.email
    stop.classified_at = now
    session.flush()
    end = stop.ended_at or now
    record_stop_event(
        session, actor, StopEvent.STOP_CLASSIFIED, station_id=stop.station_id,
        stop_id=stop.id, reason_id=reason.id, previous_reason_id=previous,
        category=reason.category,
        minutes=round(max((end - stop.started_at).total_seconds(), 0.0) / 60.0, 2),
        **kiosk_meta,
    )
    return True


def _stop_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("stop", value) from None
