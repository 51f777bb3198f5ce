"""User administration on PostgreSQL: LOGIN roles managed through SECURITY DEFINER functions.

Passwords never travel to the server in clear text: the client computes the SCRAM-SHA-256
verifier (as ``psql``'s ``\\password`` does) and the functions store it as the role's
password. The database checks that the caller is an admin, whatever the client claims.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leanops_desktop.core.errors import (
    AlreadyExists,
    LeanOpsError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)

SCRAM_ITERATIONS = 4096


def scram_verifier(
    password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS
) -> str:
    """The ``SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey`` form PostgreSQL stores."""
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


_ERRORS: dict[str, type[LeanOpsError]] = {
    "42501": PermissionDenied,  # insufficient_privilege
    "23505": AlreadyExists,  # unique_violation
    "42710": AlreadyExists,  # duplicate_object
    "P0002": NotFound,  # no_data_found
    "23514": RuleViolation,  # check_violation
    "22023": ValidationError,  # invalid_parameter_value
}


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the admin functions' exceptions into LeanOps errors with their message."""
    try:
        yield
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None)
        kind = _ERRORS.get(code or "")
        if kind is None:
            raise
        diag = getattr(exc.orig, "diag", None)
        message = getattr(diag, "message_primary", None) or str(exc.orig)
        raise _make(kind, message) from None


def _make(kind: type[LeanOpsError], message: str) -> LeanOpsError:
    if kind is ValidationError:
        field, _, rest = message.partition(": ")
        return ValidationError(field, rest or message)
    error = LeanOpsError.__new__(kind)
    LeanOpsError.__init__(error, message)
    return error


def call(session: Session, function: str, **params: Any) -> Any:
    """Call one admin function (its name is fixed by the caller, never user input)."""
    names = ", ".join(f":{name}" for name in params)
    with database_errors():
        return session.execute(text(f"SELECT public.{function}({names})"), params).scalar()
