"""Operators sign in at a kiosk by badge or PIN (``operator_credentials``: setting them).

* PostgreSQL: every check runs in the database (migration 0012). The verifiers are in
  ``operator_credentials``, which no group and no device may read; only an enrolled kiosk
  may call ``leanops_kiosk_sign_in``, which allows 5 failures per device per minute, locks
  an account after 10 wrong PINs in a row (event ``operator_locked``; a new PIN unlocks it)
  and answers who signed in. A copied device credential alone signs nobody in.
* SQLite: the same rules here in Python (PINs as Argon2 hashes).

Badges compare case-insensitively (stored as the SHA-256 of the plant's pepper and the
lower-cased code, so a scan is found by equality); PINs are 4 to 12 digits and need the
operator's email (the kiosk lists names or takes the email first).

The kiosk UI calls :func:`sign_in` (online), :func:`sign_out`, and, through
``services/kiosk/kiosk_offline.py``, the offline path; the users dialog calls
``operator_credentials``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.kiosk_models import (
    KioskOfflineToken,
    KioskSignIn,
    KioskSignInFailure,
    OperatorCredential,
)
from leanops_desktop.db.models import User
from leanops_desktop.services.accounts.passwords import verify_password
from leanops_desktop.services.floor.pg_call import run_statement
from leanops_desktop.services.kiosk.device_checks import active_device
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession
from leanops_desktop.services.kiosk.operator_credentials import (
    MAX_SECRET_LENGTH,
    Method,
    badge_digest,
    kiosk_event,
)

__all__ = [
    "OperatorSignIn",
    "SignInStatus",
    "register_offline_sign_in",
    "sign_in",
    "sign_out",
]

#: Migration 0011 holds the same numbers for PostgreSQL.
RATE_LIMIT_FAILURES = 5  # per device per minute
LOCK_AFTER_FAILURES = 10  # wrong PINs in a row
OFFLINE_TOKEN_DAYS = 30


class SignInStatus(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # wrong PIN, unknown badge or user (the kiosk says only "not known")
    LOCKED = "locked"  # too many wrong PINs: an admin sets a new PIN
    RATE_LIMITED = "rate_limited"  # too many failures at this kiosk: wait a minute


@dataclass(frozen=True, slots=True)
class OperatorSignIn:
    """The answer to a sign-in at a kiosk."""

    status: SignInStatus
    email: str | None = None
    role: Role | None = None
    sign_in_id: uuid.UUID | None = None
    offline_token: str | None = field(default=None, repr=False)  # for the offline cache
    credential_version: int | None = None
    offline: bool = False

    @property
    def ok(self) -> bool:
        return self.status == SignInStatus.OK

    @property
    def actor(self) -> Actor:
        """The operator, as services take them (their reports name them as who tapped)."""
        assert self.email is not None and self.role is not None, "only a successful sign-in"
        return Actor(email=self.email, role=self.role)


# -- at the kiosk -------------------------------------------------------------------------

_SIGN_IN_SQL = "SELECT * FROM public.leanops_kiosk_sign_in(%s, %s, %s)"
_SIGN_OUT_SQL = "SELECT public.leanops_kiosk_sign_out(%s::uuid)"
_OFFLINE_SQL = (
    "SELECT * FROM public.leanops_kiosk_offline_sign_in(%s::uuid, %s, %s, %s,"
    " %s::timestamptz, %s::timestamptz)"
)


def sign_in(
    device: DeviceSession, method: Method | str, secret: str, email: str | None = None
) -> OperatorSignIn:
    """Check a badge scan (``secret``) or an email and PIN at this kiosk.

    Never raises for a wrong secret: the status says what happened (the failure is kept,
    for the rate limit and the lockout). Raises for no connection (the kiosk then tries
    the offline cache) and for a device that is no longer enrolled."""
    method = Method(method)
    with device.db.session() as session:
        if device.backend == "postgresql":
            rows = run_statement(session, _SIGN_IN_SQL, (method.value, email, secret))
            status, sign_in_id, who, role, token, version = rows[0]
            return OperatorSignIn(
                SignInStatus(status),
                who,
                Role(role) if role else None,
                sign_in_id,
                token,
                version,
            )
        with write_transaction(session):
            return _sign_in_here(session, device, method, secret, email)


def _sign_in_here(
    session: Session, device: DeviceSession, method: Method, secret: str, email: str | None
) -> OperatorSignIn:
    """The database's checks, in Python, for SQLite."""
    now = datetime.now(UTC)
    if active_device(session, device.login) is None:
        from leanops_desktop.core.errors import PermissionDenied

        raise PermissionDenied("only an enrolled kiosk may sign operators in")
    if _recent_failures(session, device.login, now) >= RATE_LIMIT_FAILURES:
        return OperatorSignIn(SignInStatus.RATE_LIMITED)
    user, cred, verdict = _check_secret(session, method, secret, email)
    if verdict == SignInStatus.LOCKED:
        return OperatorSignIn(SignInStatus.LOCKED)
    if verdict != SignInStatus.OK:
        return _refuse(session, device, method, user, cred, now)
    assert user is not None and cred is not None
    return _admit(session, device, method, user, cred, now)


def _recent_failures(session: Session, device: str, now: datetime) -> int:
    """Failed sign-ins at ``device`` in the last minute (the rate limit)."""
    failures = session.scalar(
        select(func.count())
        .select_from(KioskSignInFailure)
        .where(
            KioskSignInFailure.device == device, KioskSignInFailure.at > now - timedelta(minutes=1)
        )
    )
    return int(failures or 0)


def _check_secret(
    session: Session, method: Method, secret: str, email: str | None
) -> tuple[User | None, OperatorCredential | None, SignInStatus]:
    """Whose PIN or badge ``secret`` is: the user, their credentials and the verdict."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None, None, SignInStatus.REFUSED
    if method == Method.PIN:
        user = session.scalar(
            select(User).where(User.email == (email or "").strip().lower(), User.is_active)
        )
        cred = session.get(OperatorCredential, user.id) if user is not None else None
        if cred is not None and cred.pin_hash is not None and cred.locked_at is not None:
            return user, cred, SignInStatus.LOCKED
        ok = verify_password(cred.pin_hash if cred else None, secret)
        return user, cred, SignInStatus.OK if ok else SignInStatus.REFUSED
    cred = session.scalar(
        select(OperatorCredential).where(
            OperatorCredential.badge_digest == badge_digest(session, secret)
        )
    )
    user = session.get(User, cred.user_id) if cred is not None else None
    if user is not None and not user.is_active:
        user = None
    if cred is not None and cred.locked_at is not None:
        return user, cred, SignInStatus.LOCKED
    return user, cred, SignInStatus.OK if user is not None else SignInStatus.REFUSED


def _refuse(
    session: Session,
    device: DeviceSession,
    method: Method,
    user: User | None,
    cred: OperatorCredential | None,
    now: datetime,
) -> OperatorSignIn:
    """Keep the failure (rate limit); a wrong PIN counts towards the account's lockout."""
    session.add(
        KioskSignInFailure(
            id=uuid.uuid4(),
            device=device.login,
            email=user.email if user else None,
            method=method.value,
            at=now,
        )
    )
    if method == Method.PIN and cred is not None and cred.pin_hash is not None:
        cred.failed_attempts += 1
        if cred.failed_attempts >= LOCK_AFTER_FAILURES:
            cred.locked_at = now
            kiosk_event(
                session,
                "operator_locked",
                device.login,
                device.station_id,
                email=user.email if user else None,
                failed_attempts=LOCK_AFTER_FAILURES,
                device=device.login,
            )
            return OperatorSignIn(SignInStatus.LOCKED)
    return OperatorSignIn(SignInStatus.REFUSED)


def _admit(
    session: Session,
    device: DeviceSession,
    method: Method,
    user: User,
    cred: OperatorCredential,
    now: datetime,
) -> OperatorSignIn:
    """Record the sign-in, with a fresh token for the offline cache and its event."""
    cred.failed_attempts = 0
    token = secrets.token_hex(32)
    session.execute(
        delete(KioskOfflineToken).where(
            KioskOfflineToken.device == device.login,
            KioskOfflineToken.user_id == user.id,
            KioskOfflineToken.method == method.value,
        )
    )
    session.add(
        KioskOfflineToken(
            device=device.login,
            user_id=user.id,
            method=method.value,
            token=token,
            version=cred.version,
            issued_at=now,
        )
    )
    sign_in_id = uuid.uuid4()
    session.add(
        KioskSignIn(
            id=sign_in_id,
            device=device.login,
            station_id=device.station_id,
            user_id=user.id,
            email=user.email,
            method=method.value,
            signed_in_at=now,
            offline=False,
            verified=True,
        )
    )
    kiosk_event(
        session,
        "operator_signed_in",
        user.email,
        device.station_id,
        role=user.role,
        method=method.value,
        sign_in_id=str(sign_in_id),
        offline=False,
        device=device.login,
    )
    return OperatorSignIn(
        SignInStatus.OK, user.email, Role(user.role), sign_in_id, token, cred.version
    )


def sign_out(device: DeviceSession, sign_in_id: uuid.UUID) -> bool:
    """End a sign-in: later taps are no longer this operator's."""
    with device.db.session() as session:
        if device.backend == "postgresql":
            rows = run_statement(session, _SIGN_OUT_SQL, (str(sign_in_id),))
            return bool(rows[0][0])
        with write_transaction(session):
            result = session.execute(
                update(KioskSignIn)
                .where(
                    KioskSignIn.id == sign_in_id,
                    KioskSignIn.device == device.login,
                    KioskSignIn.ended_at.is_(None),
                )
                .values(ended_at=datetime.now(UTC))
            )
            return bool(getattr(result, "rowcount", 0))


def offline_proof(token: str, sign_in_id: uuid.UUID, signed_in_at: datetime) -> str:
    """What an offline sign-in shows the server: only the holder of the token (unsealed
    with the PIN or badge) can make it, and it names this one sign-in."""
    epoch = int(signed_in_at.timestamp() // 1)
    return hashlib.sha256(f"{token}:{sign_in_id}:{epoch}".encode()).hexdigest()


def register_offline_sign_in(
    device: DeviceSession,
    sign_in_id: uuid.UUID,
    email: str,
    method: Method | str,
    proof: str,
    signed_in_at: datetime,
    ended_at: datetime | None = None,
) -> tuple[SignInStatus, str]:
    """Tell the server about a sign-in the kiosk checked offline; the server checks the
    proof, the account and the PIN's version, and confirms it (its reports then count) or
    refuses it (its reports are refused and kept). PostgreSQL only: a SQLite kiosk is
    never offline from its own file."""
    method = Method(method)
    with device.db.session() as session:
        rows = run_statement(
            session,
            _OFFLINE_SQL,
            (str(sign_in_id), email, method.value, proof, signed_in_at, ended_at),
        )
    status, message = rows[0]
    return SignInStatus(status), str(message or "")
