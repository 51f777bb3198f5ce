"""User use cases: add, list, change role, reset password, disable/enable, sign in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, Role
from leanops_desktop.core.errors import (
    AlreadyExists,
    AuthenticationFailed,
    NotFound,
    RuleViolation,
)
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import UserRow
from leanops_desktop.core.validation import (
    check_choice,
    check_clean,
    check_email,
    check_password,
    check_secret,
)
from leanops_desktop.db.engine import read_transaction, write_transaction
from leanops_desktop.db.models import User
from leanops_desktop.services.accounts.passwords import hash_password, needs_rehash, verify_password
from leanops_desktop.services.accounts.pg_users import call, scram_verifier
from leanops_desktop.services.events import record_event
from leanops_desktop.services.reads import queries


def _on_postgres(session: Session) -> bool:
    """On PostgreSQL accounts are LOGIN roles managed by the database's admin functions."""
    return session.get_bind().dialect.name == "postgresql"


def _user_by_email(session: Session, email: str) -> UserRow:
    user = session.scalars(select(User).where(User.email == email)).one_or_none()
    if user is None:
        raise NotFound("user", email)
    return queries.user_row(user)


def _lock_user(session: Session, email: str) -> User:
    user = session.scalars(select(User).where(User.email == email).with_for_update()).one_or_none()
    if user is None:
        raise NotFound("user", email)
    return user


def add_user(
    session: Session, actor: Actor, *, email: str, role: Role | str, password: str
) -> UserRow:
    """Create an account."""
    require(actor, Action.MANAGE_USERS)
    email = check_email("email", email, new_account=True)
    level = check_choice("role", role, Role)
    password = check_password("password", password)
    if _on_postgres(session):
        with write_transaction(session):
            call(
                session,
                "leanops_create_user",
                p_email=email,
                p_role=level.value,
                p_verifier=scram_verifier(password),
            )
            return _user_by_email(session, email)
    password_hash = hash_password(password)
    with write_transaction(session):
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise AlreadyExists("user", email)
        user = User(email=email, role=level.value, password_hash=password_hash, is_active=True)
        session.add(user)
        record_event(
            session, actor, EventType.USER_CREATED, new={"email": email, "role": level.value}
        )
        session.flush()
        row = queries.user_row(user)
    return row


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, Action.MANAGE_USERS)
    return queries.list_users(session)


def set_role(session: Session, actor: Actor, email: str, role: Role | str) -> UserRow:
    """Give a user another role."""
    require(actor, Action.MANAGE_USERS)
    email = check_email("email", email)
    level = check_choice("role", role, Role)
    with write_transaction(session):
        if _on_postgres(session):
            if _user_by_email(session, email).role == level:
                raise RuleViolation(f"{email} already has the {level} role")
            call(session, "leanops_set_user_role", p_email=email, p_role=level.value)
            return _user_by_email(session, email)
        user = _lock_user(session, email)
        if user.role == level.value:
            raise RuleViolation(f"{email} already has the {level} role")
        _refuse_removing_last_admin(session, user, actor, f"change the role of {email}")
        old = user.role
        user.role = level.value
        record_event(
            session,
            actor,
            EventType.USER_ROLE_CHANGED,
            old={"email": email, "role": old},
            new={"email": email, "role": level.value},
        )
        return queries.user_row(user)


def set_password(session: Session, actor: Actor, email: str, password: str) -> UserRow:
    """Reset a user's password (admins)."""
    require(actor, Action.MANAGE_USERS)
    email = check_email("email", email)
    password = check_password("password", password)
    if _on_postgres(session):
        with write_transaction(session):
            call(
                session,
                "leanops_set_user_password",
                p_email=email,
                p_verifier=scram_verifier(password),
            )
            return _user_by_email(session, email)
    password_hash = hash_password(password)
    with write_transaction(session):
        user = _lock_user(session, email)
        user.password_hash = password_hash
        record_event(session, actor, EventType.USER_PASSWORD_RESET, new={"email": email})
        return queries.user_row(user)


def set_active(session: Session, actor: Actor, email: str, active: bool) -> UserRow:
    """Disable an account (it can no longer sign in) or enable it again."""
    require(actor, Action.MANAGE_USERS)
    email = check_email("email", email)
    with write_transaction(session):
        if _on_postgres(session):
            call(session, "leanops_set_user_active", p_email=email, p_active=active)
            return _user_by_email(session, email)
        user = _lock_user(session, email)
        if user.is_active == active:
            raise RuleViolation(f"{email} is already {'enabled' if active else 'disabled'}")
        if not active:
            _refuse_removing_last_admin(session, user, actor, f"disable {email}")
        user.is_active = active
        record_event(
            session,
            actor,
            EventType.USER_ENABLED if active else EventType.USER_DISABLED,
            old={"email": email, "is_active": not active},
            new={"email": email, "is_active": active},
        )
        return queries.user_row(user)


def _refuse_removing_last_admin(session: Session, user: User, actor: Actor, what: str) -> None:
    if user.role != Role.ADMIN.value or not user.is_active:
        return
    admins = session.scalars(
        select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
    ).all()
    if len(admins) <= 1:
        raise RuleViolation(f"cannot {what}: it is the last active admin account")


def authenticate(session: Session, email: str, password: str) -> Actor:
    """Check an email and password (SQLite deployments); return the signed-in actor."""
    check_sign_in_input(email, password)
    try:
        address = check_email("email", email)
    except Exception:
        raise AuthenticationFailed("wrong email or password") from None
    with read_transaction(session):
        user = session.scalars(select(User).where(User.email == address)).one_or_none()
        stored = user.password_hash if user is not None else None
        ok = verify_password(stored, password)
        if user is None or not ok:
            raise AuthenticationFailed("wrong email or password")
        if not user.is_active:
            raise AuthenticationFailed(f"account {address} is disabled: ask an admin")
        actor = Actor(email=user.email, role=Role(user.role), user_id=str(user.id))
        rehash = stored is not None and needs_rehash(stored)
    if rehash:
        with write_transaction(session):
            _lock_user(session, address).password_hash = hash_password(password)
    return actor


def check_sign_in_input(email: object, password: object) -> None:
    """What no account can have (a NUL byte, a lone surrogate, a huge secret) is refused as
    malformed input; anything else that is not an account is "wrong email or password"."""
    if isinstance(email, str):
        check_clean("email", email)
    check_secret("password", password)


def init_admin(session: Session, email: str, password: str) -> UserRow:
    """Create the first admin (IT, once, with the database owner's credentials)."""
    email = check_email("email", email, new_account=True)
    password = check_password("password", password)
    if _on_postgres(session):
        with write_transaction(session):
            call(session, "leanops_init_admin", p_email=email, p_verifier=scram_verifier(password))
            return _user_by_email(session, email)
    with write_transaction(session):
        admins = session.scalar(
            select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        )
    if admins is not None:
        raise RuleViolation("an admin account exists already: sign in as an admin instead")
    return add_user(session, Actor.system(), email=email, role=Role.ADMIN, password=password)
