"""Signing in: from a database URL and typed credentials to a session factory and an actor.

* SQLite (one PC): the app opens the file and checks the Argon2 hash in ``users``.
* PostgreSQL (shared): the typed email and password are the database credentials, so every
  later statement runs as that user's LOGIN role and the database enforces the role.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import OperationalError

from leanops_desktop.core.errors import AuthenticationFailed, DatabaseUnavailable
from leanops_desktop.db.engine import describe_url, normalize_url, open_database
from leanops_desktop.db.seats import KIOSK, TOOL, WINDOW, Seat
from leanops_desktop.services.accounts import users
from leanops_desktop.services.accounts.pg_auth import sign_in_postgres
from leanops_desktop.services.accounts.signed_in import SignedIn


def sign_in(url: str, email: str, password: str, *, seat: Seat = TOOL) -> SignedIn:
    """Check the credentials; raise AuthenticationFailed or DatabaseUnavailable otherwise.

    The database is opened for ``seat`` (its pool and ``application_name``). Error messages
    never contain the password.
    """
    target = normalize_url(url)
    if target.get_backend_name() == "sqlite":
        path = target.database
        if path and path != ":memory:" and not Path(path).is_file():
            raise DatabaseUnavailable(
                f"database unreachable: {path} does not exist (run 'leanops db upgrade' to create"
                " it, or 'leanops --demo')"
            )
        db = open_database(target, seat=seat)
        try:
            with db.session() as session:
                actor = users.authenticate(session, email, password)
        except OperationalError as exc:
            db.dispose()
            raise DatabaseUnavailable(_unreachable(describe_url(target), exc)) from None
        except BaseException:
            db.dispose()
            raise
        return SignedIn(db=db, actor=actor)
    return sign_in_postgres(target, email, password, seat=seat)


def window_sign_in(url: str, email: str, password: str) -> SignedIn:
    """:func:`sign_in` for a supervisor's window (its connection budget, ``db/seats.py``)."""
    return sign_in(url, email, password, seat=WINDOW)


def kiosk_sign_in(url: str, email: str, password: str) -> SignedIn:
    """:func:`sign_in` for a station kiosk (its connection budget, ``db/seats.py``)."""
    return sign_in(url, email, password, seat=KIOSK)


def _unreachable(where: str, exc: OperationalError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
    return f"database unreachable: {where}: {reason}"


__all__ = [
    "AuthenticationFailed",
    "DatabaseUnavailable",
    "kiosk_sign_in",
    "sign_in",
    "window_sign_in",
]
