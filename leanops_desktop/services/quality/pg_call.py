"""One call of a migration-0014 database function, its refusals as the services' errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.services.floor.planning_pg import refusal

#: A kiosk device acting off its station or without a signed-in operator (migration 0012).
DEVICE_REFUSED = "LR005"


def who(actor: Actor) -> dict[str, Any]:
    """The actor and role arguments every function takes."""
    return {"actor": actor.email, "role": actor.role.value}


def call(session: Session, function: str, params: dict[str, Any], casts: str) -> Any:
    """``SELECT public.function(casts)`` inside the caller's transaction; its result.

    ``function`` and ``casts`` are fixed by the calling module, never user input."""
    try:
        return session.execute(text(f"SELECT public.{function}({casts})"), params).scalar()
    except DBAPIError as error:
        code = getattr(error.orig, "sqlstate", None)
        diag = getattr(error.orig, "diag", None)
        message = getattr(diag, "message_primary", None) or ""
        if code == DEVICE_REFUSED:
            raise PermissionDenied(message) from None
        translated = refusal(code, message, getattr(diag, "message_detail", None))
        if translated is not None:
            raise translated from None
        raise
