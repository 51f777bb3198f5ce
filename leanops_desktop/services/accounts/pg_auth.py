"""Signing in to PostgreSQL with the user's own LOGIN role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, DatabaseUnavailable
from leanops_desktop.core.validation import check_email
from leanops_desktop.db import supabase
from leanops_desktop.db.engine import describe_url, open_database
from leanops_desktop.db.models import User
from leanops_desktop.db.seats import TOOL, Seat
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.accounts.users import check_sign_in_input


def sign_in_postgres(url: URL, email: str, password: str, *, seat: Seat = TOOL) -> SignedIn:
    """Connect as ``email`` with ``password`` for ``seat``; the database checks both."""
    check_sign_in_input(email, password)
    try:
        address = check_email("email", email)
    except Exception:
        raise AuthenticationFailed("wrong email or password") from None
    db = open_database(url.set(username=address), password=password, seat=seat)
    try:
        with db.session() as session:
            user = session.scalars(select(User).where(User.email == address)).one_or_none()
            if user is None:
                raise AuthenticationFailed("wrong email or password")
            if not user.is_active:
                raise AuthenticationFailed(f"account {address} is disabled: ask an admin")
            actor = Actor(email=user.email, role=Role(user.role), user_id=str(user.id))
    except OperationalError as exc:
        db.dispose()
        message = str(exc.orig or exc)
        if "password authentication failed" in message or (
            "role" in message and ("does not exist" in message)
        ):
            raise AuthenticationFailed("wrong email or password") from None
        refused = supabase.pooler_refusal(url, message)
        if refused is not None:
            raise AuthenticationFailed(refused) from None
        if "not permitted to log in" in message:
            raise AuthenticationFailed(f"account {address} is disabled: ask an admin") from None
        first = message.replace(password, "***").strip().splitlines()[0] if message else ""
        raise DatabaseUnavailable(f"database unreachable: {describe_url(url)}: {first}") from None
    except BaseException:
        db.dispose()
        raise
    return SignedIn(db=db, actor=actor)
