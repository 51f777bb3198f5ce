"""The shift calendar: shifts (local time, days of the week), their breaks, and the days
the plant does not work. Edited by admins; the ``[shifts] starts`` key seeds it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import QualityEvent
from leanops_desktop.core.validation import check_key, check_text
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.oee_models import NonWorkingDay, Shift, ShiftBreak
from leanops_desktop.services.quality import pg_call
from leanops_desktop.services.quality.quality_events import record_quality_event

_DAYS = re.compile(r"[1-7]{1,7}")


@dataclass(frozen=True)
class BreakSpec:
    """A break ``offset_minutes`` after its shift starts, ``duration_minutes`` long."""

    offset_minutes: int
    duration_minutes: int
    name: str = "break"


@dataclass(frozen=True)
class ShiftSpec:
    """A shift from ``start`` to ``end`` (local; an end not after the start is next day)."""

    shift_id: str
    name: str
    start: time
    end: time
    days: str = "12345"  # ISO weekdays it starts on
    breaks: tuple[BreakSpec, ...] = field(default_factory=tuple)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return self.end.hour * 60 + self.end.minute

    @property
    def length_minutes(self) -> int:
        length = self.end_minute - self.start_minute
        return length if length > 0 else length + 1440


def check_shift(spec: ShiftSpec) -> ShiftSpec:
    """The shift when its fields are valid, else ValidationError naming the field."""
    check_key("id", spec.shift_id)
    check_text("name", spec.name)
    if not _DAYS.fullmatch(spec.days):
        raise ValidationError("days", "must be weekday digits 1 (Monday) to 7")
    for pause in spec.breaks:
        if (
            pause.offset_minutes < 0
            or pause.duration_minutes <= 0
            or pause.offset_minutes + pause.duration_minutes > spec.length_minutes
        ):
            raise ValidationError("breaks", "a break must lie within its shift")
    return spec


def save_shift(session: Session, actor: Actor, spec: ShiftSpec) -> None:
    """Create or replace a shift and its breaks (admins)."""
    require(actor, Action.MANAGE_SETTINGS)
    check_shift(spec)
    breaks = [
        {"name": b.name, "offset_minutes": b.offset_minutes, "duration_minutes": b.duration_minutes}
        for b in spec.breaks
    ]
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            pg_call.call(
                session,
                "leanops_save_shift",
                {"id": spec.shift_id, "name": spec.name, "start": spec.start_minute,
                 "end": spec.end_minute, "days": spec.days, "breaks": json.dumps(breaks),
                 **pg_call.who(actor)},
                "CAST(:id AS text), CAST(:name AS text), CAST(:start AS integer),"
                " CAST(:end AS integer), CAST(:days AS text), CAST(:breaks AS jsonb),"
                " CAST(:actor AS text), CAST(:role AS text)",
            )
            return
        shift = session.get(Shift, spec.shift_id) or Shift(id=spec.shift_id)
        shift.name, shift.days = spec.name, spec.days
        shift.start_minute, shift.end_minute = spec.start_minute, spec.end_minute
        session.add(shift)
        session.flush()
        session.execute(delete(ShiftBreak).where(ShiftBreak.shift_id == spec.shift_id))
        for b in breaks:
            session.add(ShiftBreak(shift_id=spec.shift_id, **b))
        session.flush()
        record_quality_event(
            session, actor, QualityEvent.SHIFT_SAVED, shift=spec.shift_id,
            new={"name": spec.name, "start_minute": spec.start_minute,
                 "end_minute": spec.end_minute, "days": spec.days, "breaks": breaks},
        )


def set_non_working_day(
    session: Session, actor: Actor, day: date, *, off: bool = True, note: str = ""
) -> bool:
    """Mark a local date as not worked (or worked again); False when it was so already."""
    require(actor, Action.MANAGE_SETTINGS)
    if note:
        check_text("note", note)
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            return bool(
                pg_call.call(
                    session,
                    "leanops_set_non_working_day",
                    {"day": day, "note": note, "off": off, **pg_call.who(actor)},
                    "CAST(:day AS date), CAST(:note AS text), CAST(:off AS boolean),"
                    " CAST(:actor AS text), CAST(:role AS text)",
                )
            )
        existing = session.get(NonWorkingDay, day)
        if (existing is not None) == off:
            return False
        if off:
            session.add(NonWorkingDay(day=day, note=note))
        else:
            session.execute(delete(NonWorkingDay).where(NonWorkingDay.day == day))
        session.flush()
        record_quality_event(
            session, actor, QualityEvent.NON_WORKING_DAY_SET, day=day, off=off, note=note
        )
        return True


def read_calendar(session: Session) -> tuple[list[ShiftSpec], set[date]]:
    """Every shift with its breaks, and the non-working days."""
    breaks: dict[str, list[BreakSpec]] = {}
    for b in session.scalars(select(ShiftBreak).order_by(ShiftBreak.offset_minutes)):
        breaks.setdefault(b.shift_id, []).append(
            BreakSpec(b.offset_minutes, b.duration_minutes, b.name)
        )
    shifts = [
        ShiftSpec(
            s.id, s.name, time(s.start_minute // 60, s.start_minute % 60),
            time(s.end_minute // 60, s.end_minute % 60), s.days, tuple(breaks.get(s.id, [])),
        )
        for s in session.scalars(select(Shift).order_by(Shift.start_minute, Shift.id))
    ]
    days = set(session.scalars(select(NonWorkingDay.day)))
    return shifts, days
