"""Operators' kiosk credentials: admins set and reset PINs and badges; who has which.

PINs are 4 to 12 digits, kept as Argon2 hashes on SQLite and as salted hashes no group can
read on PostgreSQL (migration 0012, ``leanops_set_operator_pin``); badges as the SHA-256 of
the plant's pepper and the lower-cased code, so a scan is found by equality whatever its
case. Setting a new PIN unlocks an account the kiosk sign-in locked.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import AlreadyExists, NotFound, ValidationError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.validation import MAX_EMAIL_LENGTH, check_key
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.kiosk_models import (
    KioskSecret,
    OperatorCredential,
)
from leanops_desktop.db.models import EventLog, User
from leanops_desktop.services.accounts.passwords import hash_password
from leanops_desktop.services.accounts.pg_users import call
from leanops_desktop.services.floor.pg_call import run_statement

MAX_SECRET_LENGTH = 128


class Method(StrEnum):
    PIN = "pin"
    BADGE = "badge"


@dataclass(frozen=True, slots=True)
class CredentialStatus:
    email: str
    has_pin: bool
    has_badge: bool
    failed_attempts: int
    locked_at: datetime | None


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def check_pin(pin: str) -> str:
    if not (4 <= len(pin) <= 12 and pin.isascii() and pin.isdigit()):
        raise ValidationError("PIN", "4 to 12 digits")
    return pin


def check_badge(code: str) -> str:
    code = code.strip()
    if not 4 <= len(code) <= MAX_SECRET_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in code):
        raise ValidationError("badge", "4 to 128 characters, no control characters")
    return code


def badge_digest(session: Session, code: str) -> str:
    """SHA-256 of the plant's pepper and the lower-cased code (as migration 0012 on PG)."""
    pepper = session.scalar(select(KioskSecret.value).where(KioskSecret.name == "badge_pepper"))
    raw = f"{pepper}:{code.strip().lower()}".encode()
    return hashlib.sha256(raw).hexdigest()


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound("user", email)
    return user


def kiosk_event(
    session: Session, event_type: str, actor: str, station: str | None, **meta: Any
) -> None:
    session.execute(
        insert(EventLog).values(
            id=uuid.uuid4(),
            event_type=event_type,
            station_id=station,
            meta={"actor": actor, **meta},
            actor=actor,
        )
    )


def _credential(session: Session, user: User) -> OperatorCredential:
    row = session.get(OperatorCredential, user.id)
    if row is None:
        row = OperatorCredential(user_id=user.id, version=0, failed_attempts=0)
        session.add(row)
    return row


def set_pin(session: Session, actor: Actor, email: str, pin: str | None) -> None:
    """Set (or with None clear) a user's PIN (admins). A new PIN unlocks the account and
    voids the kiosks' offline copies of the old one."""
    require(actor, Action.MANAGE_USERS)
    email = check_key("email", email, max_length=MAX_EMAIL_LENGTH)
    if pin is not None:
        check_pin(pin)
    if _on_postgresql(session):
        with write_transaction(session):
            call(session, "leanops_set_operator_pin", email=email, pin=pin)
        return
    with write_transaction(session):
        user = _user(session, email)
        row = _credential(session, user)
        row.pin_hash = None if pin is None else hash_password(pin)
        row.version = (row.version or 0) + 1
        row.failed_attempts = 0
        row.locked_at = None
        row.updated_at = datetime.now(UTC)
        row.updated_by = actor.email
        kiosk_event(
            session,
            "operator_pin_cleared" if pin is None else "operator_pin_set",
            actor.email,
            None,
            role=actor.role.value,
            new={"email": email},
        )


def set_badge(session: Session, actor: Actor, email: str, code: str | None) -> None:
    """Give a user a badge code (or with None take it away; admins)."""
    require(actor, Action.MANAGE_USERS)
    email = check_key("email", email, max_length=MAX_EMAIL_LENGTH)
    if code is not None:
        code = check_badge(code)
    if _on_postgresql(session):
        with write_transaction(session):
            call(session, "leanops_set_operator_badge", email=email, code=code)
        return
    with write_transaction(session):
        user = _user(session, email)
        digest = None if code is None else badge_digest(session, code)
        if digest is not None:
            other = session.scalar(
                select(OperatorCredential.user_id).where(
                    OperatorCredential.badge_digest == digest, OperatorCredential.user_id != user.id
                )
            )
            if other is not None:
                raise AlreadyExists("badge of another user", "this badge")
        row = _credential(session, user)
        row.badge_digest = digest
        row.version = (row.version or 0) + 1
        row.updated_at = datetime.now(UTC)
        row.updated_by = actor.email
        kiosk_event(
            session,
            "operator_badge_cleared" if code is None else "operator_badge_set",
            actor.email,
            None,
            role=actor.role.value,
            new={"email": email},
        )


def credential_status(session: Session, actor: Actor) -> list[CredentialStatus]:
    """Who has a PIN or a badge, and who is locked (admins; never the verifiers)."""
    require(actor, Action.MANAGE_USERS)
    if _on_postgresql(session):
        rows = run_statement(session, "SELECT * FROM public.leanops_operator_credentials()", ())
        return [CredentialStatus(str(r[0]), bool(r[1]), bool(r[2]), int(r[3]), r[4]) for r in rows]
    result = session.execute(
        select(
            User.email,
            OperatorCredential.pin_hash.is_not(None),
            OperatorCredential.badge_digest.is_not(None),
            OperatorCredential.failed_attempts,
            OperatorCredential.locked_at,
        )
        .join(User, User.id == OperatorCredential.user_id)
        .order_by(User.email)
    ).all()
    session.rollback()
    return [CredentialStatus(r[0], bool(r[1]), bool(r[2]), int(r[3]), r[4]) for r in result]
