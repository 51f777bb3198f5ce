"""Planning on PostgreSQL: jobs, stations and dispatch through the functions of migration 0009.

The LeanOps groups hold no direct INSERT, UPDATE or DELETE on the business tables (migration
0010): each planning action is one call of a SECURITY DEFINER function that checks every
rule the service checks in Python (which still runs first, so the person gets the same
message before any round trip), writes the rows and their one event. The functions refuse
with SQLSTATEs ``LP001``..``LP004`` (jsonb detail) or ``42501``, which become the same
exceptions, with the same messages, the Python path raises on SQLite.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    AlreadyExists,
    LeanOpsError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.db.engine import write_transaction

INVALID = "LP001"
NOT_FOUND = "LP002"
EXISTS = "LP003"
RULE = "LP004"
INSUFFICIENT_PRIVILEGE = "42501"


def on_postgresql(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (planning then runs in the database)."""
    return session.get_bind().dialect.name == "postgresql"


def refusal(code: str | None, message: str, detail: str | None) -> LeanOpsError | None:
    """The service's exception for a refusal of a planning function, else None."""
    fields: dict[str, Any] = {}
    if detail:
        try:
            loaded = json.loads(detail)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            fields = loaded
    if code == INVALID:
        field = str(fields.get("field", ""))
        reason = str(fields.get("reason", ""))
        if not field:
            field, _, reason = message.partition(": ")
        return ValidationError(field, reason)
    if code in (NOT_FOUND, EXISTS):
        kind = str(fields.get("kind", ""))
        key = fields.get("key", "")
        return NotFound(kind, key) if code == NOT_FOUND else AlreadyExists(kind, key)
    if code == RULE:
        return RuleViolation(message)
    if code == INSUFFICIENT_PRIVILEGE:
        return PermissionDenied(
            f"the database refused this for your role: {message or 'permission denied'}"
        )
    return None


def _call(session: Session, function: str, params: dict[str, Any], casts: str) -> Any:
    """One planning function in one write transaction; its result, or the service's error.

    ``function`` and ``casts`` are fixed by this module, never user input."""
    with write_transaction(session):
        try:
            return session.execute(text(f"SELECT public.{function}({casts})"), params).scalar()
        except DBAPIError as error:
            diag = getattr(error.orig, "diag", None)
            translated = refusal(
                getattr(error.orig, "sqlstate", None),
                getattr(diag, "message_primary", None) or "",
                getattr(diag, "message_detail", None),
            )
            if translated is not None:
                raise translated from None
            raise


def _who(actor: Actor) -> dict[str, Any]:
    return {"actor": actor.email, "role": actor.role.value}


_WHO = "CAST(:actor AS text), CAST(:role AS text)"


def create_job(
    session: Session,
    actor: Actor,
    *,
    job_id: str,
    part_name: str,
    qty_total: int,
    due_date: date,
    priority: str,
) -> None:
    _call(
        session,
        "leanops_create_job",
        {
            "job_id": job_id,
            "part_name": part_name,
            "qty_total": qty_total,
            "due_date": due_date,
            "priority": priority,
            **_who(actor),
        },
        "CAST(:job_id AS text), CAST(:part_name AS text), CAST(:qty_total AS integer),"
        f" CAST(:due_date AS date), CAST(:priority AS text), {_WHO}",
    )


def update_job(session: Session, actor: Actor, job_id: str, changes: dict[str, Any]) -> None:
    """Change the fields in ``changes`` (part_name, qty_total, due_date, priority)."""
    _call(
        session,
        "leanops_update_job",
        {
            "job_id": job_id,
            "part_name": changes.get("part_name"),
            "qty_total": changes.get("qty_total"),
            "due_date": changes.get("due_date"),
            "priority": changes.get("priority"),
            **_who(actor),
        },
        "CAST(:job_id AS text), CAST(:part_name AS text), CAST(:qty_total AS integer),"
        f" CAST(:due_date AS date), CAST(:priority AS text), {_WHO}",
    )


def create_station(
    session: Session, actor: Actor, *, station_id: str, name: str, line: str, is_active: bool
) -> None:
    _call(
        session,
        "leanops_create_station",
        {"station_id": station_id, "name": name, "line": line, "active": is_active, **_who(actor)},
        "CAST(:station_id AS text), CAST(:name AS text), CAST(:line AS text),"
        f" CAST(:active AS boolean), {_WHO}",
    )


def update_station(
    session: Session, actor: Actor, station_id: str, changes: dict[str, Any]
) -> None:
    """Change the fields in ``changes`` (name, line)."""
    _call(
        session,
        "leanops_update_station",
        {
            "station_id": station_id,
            "name": changes.get("name"),
            "line": changes.get("line"),
            **_who(actor),
        },
        f"CAST(:station_id AS text), CAST(:name AS text), CAST(:line AS text), {_WHO}",
    )


def set_station_active(session: Session, actor: Actor, station_id: str, active: bool) -> None:
    _call(
        session,
        "leanops_set_station_active",
        {"station_id": station_id, "active": bool(active), **_who(actor)},
        f"CAST(:station_id AS text), CAST(:active AS boolean), {_WHO}",
    )


def assign_job(session: Session, actor: Actor, job_id: str, station_id: str) -> UUID:
    """The new assignment's id."""
    assignment_id = _call(
        session,
        "leanops_assign_job",
        {"job_id": job_id, "station_id": station_id, **_who(actor)},
        f"CAST(:job_id AS text), CAST(:station_id AS text), {_WHO}",
    )
    return UUID(str(assignment_id))


def unassign_job(session: Session, actor: Actor, station_id: str) -> None:
    _call(
        session,
        "leanops_unassign_job",
        {"station_id": station_id, **_who(actor)},
        f"CAST(:station_id AS text), {_WHO}",
    )


def move_job(
    session: Session, actor: Actor, job_id: str, from_station_id: str, to_station_id: str
) -> UUID:
    """The new assignment's id (on ``to_station_id``)."""
    assignment_id = _call(
        session,
        "leanops_move_job",
        {"job_id": job_id, "from_id": from_station_id, "to_id": to_station_id, **_who(actor)},
        f"CAST(:job_id AS text), CAST(:from_id AS text), CAST(:to_id AS text), {_WHO}",
    )
    return UUID(str(assignment_id))
