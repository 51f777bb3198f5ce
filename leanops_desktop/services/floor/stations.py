"""Station use cases: create, edit, activate/deactivate, block and unblock."""

from __future__ import annotations

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, StationStatus
from leanops_desktop.core.errors import AlreadyExists, RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import StationRow
from leanops_desktop.core.validation import MAX_REASON_LENGTH, check_id, check_key, check_text
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import Station
from leanops_desktop.services.events import changed_fields, record_event
from leanops_desktop.services.floor import floor_pg, planning_pg
from leanops_desktop.services.floor.locks import assignment_of_station, lock_station
from leanops_desktop.services.reads import queries


def create_station(
    session: Session,
    actor: Actor,
    *,
    station_id: str,
    name: str,
    line: str,
    is_active: bool = True,
) -> StationRow:
    """Add a station (idle)."""
    require(actor, Action.MANAGE_STATIONS)
    station_id = check_id("station id", station_id)
    name = check_text("name", name)
    line = check_text("line", line)
    if planning_pg.on_postgresql(session):  # the database checks the rules again and writes
        planning_pg.create_station(
            session, actor, station_id=station_id, name=name, line=line, is_active=bool(is_active)
        )
        return queries.get_station(session, station_id)
    with write_transaction(session):
        if session.get(Station, station_id) is not None:
            raise AlreadyExists("station", station_id)
        station = Station(
            id=station_id,
            name=name,
            line=line,
            status=StationStatus.IDLE.value,
            is_active=bool(is_active),
        )
        session.add(station)
        record_event(
            session,
            actor,
            EventType.STATION_CREATED,
            station_id=station_id,
            new={"name": name, "line": line, "is_active": bool(is_active)},
        )
    return queries.get_station(session, station_id)


def update_station(
    session: Session,
    actor: Actor,
    station_id: str,
    *,
    name: str | None = None,
    line: str | None = None,
) -> StationRow:
    """Rename a station or move it to another line."""
    require(actor, Action.MANAGE_STATIONS)
    station_id = check_key("station id", station_id)
    after: dict[str, object] = {}
    if name is not None:
        after["name"] = check_text("name", name)
    if line is not None:
        after["line"] = check_text("line", line)
    if planning_pg.on_postgresql(session):  # the database checks the rules again and writes
        planning_pg.update_station(session, actor, station_id, after)
        return queries.get_station(session, station_id)
    with write_transaction(session):
        station = lock_station(session, station_id)
        before = {"name": station.name, "line": station.line}
        old, new = changed_fields(before, after)
        if new:  # an edit that changes nothing writes nothing
            for key, value in new.items():
                setattr(station, key, value)
            record_event(
                session, actor, EventType.STATION_UPDATED, station_id=station_id, old=old, new=new
            )
    return queries.get_station(session, station_id)


def set_station_active(session: Session, actor: Actor, station_id: str, active: bool) -> StationRow:
    """Put a station in or out of use. A station with a job cannot be deactivated."""
    require(actor, Action.MANAGE_STATIONS)
    station_id = check_key("station id", station_id)
    if planning_pg.on_postgresql(session):  # the database checks the rules and writes
        planning_pg.set_station_active(session, actor, station_id, active)
        return queries.get_station(session, station_id)
    with write_transaction(session):
        station = lock_station(session, station_id)
        if station.is_active == active:
            state = "active" if active else "inactive"
            raise RuleViolation(f"station {station_id} is already {state}")
        if not active and assignment_of_station(session, station_id) is not None:
            raise RuleViolation(
                f"station {station_id} is working on a job: unassign or move it first"
            )
        old = {"is_active": station.is_active, "status": station.status}
        station.is_active = active
        if not active:
            station.status = StationStatus.IDLE.value
            station.blocked_reason = None
        record_event(
            session,
            actor,
            EventType.STATION_ACTIVATED if active else EventType.STATION_DEACTIVATED,
            station_id=station_id,
            old=old,
            new={"is_active": active, "status": station.status},
        )
    return queries.get_station(session, station_id)


def block_station(session: Session, actor: Actor, station_id: str, reason: str) -> StationRow:
    """Mark a station blocked; the reason is required and kept in the event and the row."""
    require(actor, Action.BLOCK_STATION)
    station_id = check_key("station id", station_id)
    reason = check_text("reason", reason, max_length=MAX_REASON_LENGTH)
    if floor_pg.on_postgresql(session):  # the database checks and writes it (0008)
        return floor_pg.block_station(session, actor, station_id, reason)
    with write_transaction(session):
        station = lock_station(session, station_id)
        if not station.is_active:
            raise RuleViolation(f"station {station_id} is not in use and cannot be blocked")
        if station.status == StationStatus.BLOCKED.value:
            raise RuleViolation(
                f"station {station_id} is already blocked ({station.blocked_reason})"
            )
        old_status = station.status
        station.status = StationStatus.BLOCKED.value
        station.blocked_reason = reason
        job = assignment_of_station(session, station_id)
        record_event(
            session,
            actor,
            EventType.STATION_BLOCKED,
            station_id=station_id,
            job_id=job.job_id if job else None,
            old={"status": old_status},
            new={"status": StationStatus.BLOCKED.value},
            reason=reason,
        )
    return queries.get_station(session, station_id)


def unblock_station(session: Session, actor: Actor, station_id: str) -> StationRow:
    """Resume a blocked station: back to running if it has a job, else idle."""
    require(actor, Action.BLOCK_STATION)
    station_id = check_key("station id", station_id)
    if floor_pg.on_postgresql(session):  # the database checks and writes it (0008)
        return floor_pg.unblock_station(session, actor, station_id)
    with write_transaction(session):
        station = lock_station(session, station_id)
        if station.status != StationStatus.BLOCKED.value:
            raise RuleViolation(f"station {station_id} is not blocked")
        job = assignment_of_station(session, station_id)
        new_status = StationStatus.RUNNING if job is not None else StationStatus.IDLE
        reason = station.blocked_reason
        station.status = new_status.value
        station.blocked_reason = None
        record_event(
            session,
            actor,
            EventType.STATION_UNBLOCKED,
            station_id=station_id,
            job_id=job.job_id if job else None,
            old={"status": StationStatus.BLOCKED.value, "reason": reason},
            new={"status": new_status.value},
        )
    return queries.get_station(session, station_id)
