"""Quiet limits: how long a running station may show no activity before it gets a stop.

A station's limit is its own setting, else its line's, else the plant's (minutes; 0 turns
detection off). The plant's is seeded from ``[downtime] quiet_minutes`` when the database is
created; admins change it and set line and station overrides (``Action.MANAGE_SETTINGS``),
each change with a ``stop_limit_changed`` event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.stops import MAX_QUIET_MINUTES, LimitKind, StopEvent
from leanops_desktop.core.validation import check_id, check_text
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import Station
from leanops_desktop.db.stop_models import StopLimit
from leanops_desktop.services.downtime import stop_pg
from leanops_desktop.services.downtime.stop_events import record_stop_event


@dataclass(frozen=True)
class StopLimits:
    """The plant's quiet limit and the lines' and stations' overrides (minutes)."""

    plant: int
    lines: dict[str, int]
    stations: dict[str, int]

    def for_station(self, station_id: str, line: str) -> int:
        """The limit in force for a station of ``line``: its own, its line's, the plant's."""
        if station_id in self.stations:
            return self.stations[station_id]
        if line in self.lines:
            return self.lines[line]
        return self.plant


def read_limits(session: Session) -> StopLimits:
    """Every quiet limit of the plant (plant 0 when none was ever set)."""
    with read_transaction(session):
        rows = session.execute(select(StopLimit.kind, StopLimit.key, StopLimit.quiet_minutes))
        plant = 0
        lines: dict[str, int] = {}
        stations: dict[str, int] = {}
        for kind, key, minutes in rows:
            if kind == LimitKind.PLANT:
                plant = int(minutes)
            elif kind == LimitKind.LINE:
                lines[key] = int(minutes)
            else:
                stations[key] = int(minutes)
    return StopLimits(plant=plant, lines=lines, stations=stations)


def check_limit(kind: str, key: str, quiet_minutes: int | None) -> tuple[LimitKind, str]:
    """The kind and key when the limit is well formed, else ValidationError."""
    try:
        limit_kind = LimitKind(kind)
    except ValueError:
        raise ValidationError("kind", "must be plant, line or station") from None
    if limit_kind == LimitKind.PLANT:
        if key:
            raise ValidationError("key", "the plant's limit has no key")
        if quiet_minutes is None:
            raise ValidationError("quiet minutes", "the plant's limit cannot be removed (0: off)")
    elif limit_kind == LimitKind.LINE:
        key = check_text("line", key, max_length=200)
    else:
        key = check_id("station id", key)
    if quiet_minutes is not None and (
        isinstance(quiet_minutes, bool)
        or not isinstance(quiet_minutes, int)
        or not 0 <= quiet_minutes <= MAX_QUIET_MINUTES
    ):
        raise ValidationError(
            "quiet minutes", f"must be a whole number from 0 (off) to {MAX_QUIET_MINUTES}"
        )
    return limit_kind, key


def save_limit(
    session: Session, actor: Actor, kind: str, key: str, quiet_minutes: int | None
) -> bool:
    """Set (or, with None, remove) the quiet limit of the plant, a line or a station;
    False when nothing changed. Admins only."""
    require(actor, Action.MANAGE_SETTINGS)
    limit_kind, key = check_limit(kind, key, quiet_minutes)
    with write_transaction(session):
        if stop_pg.on_postgresql(session):
            return stop_pg.save_limit(session, actor, limit_kind.value, key, quiet_minutes)
        return _save_here(session, actor, limit_kind, key, quiet_minutes)


def _save_here(
    session: Session, actor: Actor, kind: LimitKind, key: str, quiet_minutes: int | None
) -> bool:
    if kind == LimitKind.STATION and session.get(Station, key) is None:
        raise NotFound("station", key)
    row = session.get(StopLimit, (kind.value, key), with_for_update=True)
    old = None if row is None else row.quiet_minutes
    if old == quiet_minutes:
        return False
    if quiet_minutes is None:
        assert row is not None
        session.delete(row)
    elif row is None:
        session.add(StopLimit(kind=kind.value, key=key, quiet_minutes=quiet_minutes))
    else:
        row.quiet_minutes = quiet_minutes
    session.flush()
    record_stop_event(
        session,
        actor,
        StopEvent.STOP_LIMIT_CHANGED,
        station_id=key if kind == LimitKind.STATION else None,
        kind=kind.value,
        key=key,
        old=None if old is None else {"quiet_minutes": old},
        new=None if quiet_minutes is None else {"quiet_minutes": quiet_minutes},
    )
    return True


def seed_limits(session: Session, actor: Actor, plant_minutes: int) -> bool:
    """Set the plant's limit to the site's ``[downtime] quiet_minutes`` unless the plant
    has one already; True when it was set now."""
    with read_transaction(session):
        exists = session.get(StopLimit, (LimitKind.PLANT.value, "")) is not None
    if exists:
        return False
    return save_limit(session, actor, LimitKind.PLANT.value, "", plant_minutes)
