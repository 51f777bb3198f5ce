"""What a sign-in gives: the user as an actor and the database opened for them.

Its own module so that both ways of signing in (``auth`` for SQLite, ``pg_auth`` for
PostgreSQL logins) build it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in user and the database opened for them."""

    db: Database
    actor: Actor
