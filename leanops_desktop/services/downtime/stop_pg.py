"""The PostgreSQL path of the stop services: one call of a migration-0017 function each,
inside the caller's transaction, its refusals as the services' errors."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.services.quality import pg_call


def on_postgresql(session: Session) -> bool:
    """Whether the database writes stops itself (PostgreSQL) or the app does (SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def sweep(session: Session, actor: Actor) -> list[uuid.UUID]:
    """The ids of the stops the database opened now."""
    opened = pg_call.call(
        session,
        "leanops_sweep_quiet_stations",
        pg_call.who(actor),
        "CAST(:actor AS text), CAST(:role AS text)",
    )
    return [value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)) for value in opened]


def classify(
    session: Session, actor: Actor, stop_id: uuid.UUID, reason_id: str, operator: str | None
) -> bool:
    return bool(
        pg_call.call(
            session,
            "leanops_classify_stop",
            {"stop": stop_id, "reason": reason_id, "operator": operator, **pg_call.who(actor)},
            "CAST(:stop AS uuid), CAST(:reason AS text), CAST(:actor AS text),"
            " CAST(:role AS text), CAST(:operator AS text)",
        )
    )


def save_limit(
    session: Session, actor: Actor, kind: str, key: str, quiet_minutes: int | None
) -> bool:
    return bool(
        pg_call.call(
            session,
            "leanops_save_stop_limit",
            {"kind": kind, "key": key, "minutes": quiet_minutes, **pg_call.who(actor)},
            "CAST(:kind AS text), CAST(:key AS text), CAST(:minutes AS integer),"
            " CAST(:actor AS text), CAST(:role AS text)",
        )
    )
