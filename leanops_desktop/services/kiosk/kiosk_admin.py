"""What the users dialog shows admins about kiosks: who has a PIN or a badge and who is
locked out, beside every account; the enrolled kiosks and when each was last seen.

Reads only (admins): the changes are ``operator_credentials.set_pin`` / ``set_badge`` and
``kiosk_devices.revoke_kiosks``. "Last seen" is the latest trace a kiosk left on the server:
an event it wrote (reports, sign-ins, block, resume, complete: the database stamps the
device into the event) or an operator's sign-in or sign-out at it. A kiosk that only read
the floor since leaves no trace, so the column is a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import UserRow
from leanops_desktop.db.kiosk_models import KioskSignIn
from leanops_desktop.db.models import EventLog
from leanops_desktop.services.accounts import users
from leanops_desktop.services.kiosk.kiosk_devices import KioskRow, list_kiosks
from leanops_desktop.services.kiosk.operator_credentials import CredentialStatus, credential_status

__all__ = ["KioskSeen", "UserWithCredentials", "kiosks_last_seen", "users_with_credentials"]


@dataclass(frozen=True, slots=True)
class UserWithCredentials:
    """An account with its kiosk sign-in credentials (never the verifiers)."""

    user: UserRow
    has_pin: bool
    has_badge: bool
    locked_at: datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True, slots=True)
class KioskSeen:
    """An enrolled (or revoked) kiosk and the latest trace it left on the server."""

    kiosk: KioskRow
    last_seen: datetime | None

    @property
    def active(self) -> bool:
        return self.kiosk.revoked_at is None


def users_with_credentials(session: Session, actor: Actor) -> list[UserWithCredentials]:
    """Every account (as ``users.list_users``) with whether it has a PIN and a badge and
    whether the kiosk sign-in locked it (admins)."""
    require(actor, Action.MANAGE_USERS)
    accounts = users.list_users(session, actor)
    status: dict[str, CredentialStatus] = {
        row.email: row for row in credential_status(session, actor)
    }
    session.rollback()
    result = []
    for account in accounts:
        known = status.get(account.email)
        result.append(
            UserWithCredentials(
                account,
                has_pin=bool(known and known.has_pin),
                has_badge=bool(known and known.has_badge),
                locked_at=known.locked_at if known else None,
            )
        )
    return result


def _last_event(session: Session, kiosk: KioskRow) -> datetime | None:
    """The newest event the device wrote (its station's events, newest first: the index
    on (station_id, timestamp) finds it without scanning the log)."""
    return session.scalar(
        select(EventLog.timestamp)
        .where(
            EventLog.station_id == kiosk.station_id,
            EventLog.meta["device"].as_string() == kiosk.login,
        )
        .order_by(EventLog.timestamp.desc())
        .limit(1)
    )


def _last_sign_in(session: Session, login: str) -> datetime | None:
    started, ended = session.execute(
        select(func.max(KioskSignIn.signed_in_at), func.max(KioskSignIn.ended_at)).where(
            KioskSignIn.device == login
        )
    ).one()
    known = [moment for moment in (started, ended) if moment is not None]
    return max(known) if known else None


def kiosks_last_seen(session: Session, actor: Actor) -> list[KioskSeen]:
    """Every kiosk ever enrolled, newest first, with when it was last seen (admins)."""
    kiosks = list_kiosks(session, actor)
    result = []
    for kiosk in kiosks:
        moments = [_last_event(session, kiosk), _last_sign_in(session, kiosk.login)]
        known = [moment for moment in moments if moment is not None]
        result.append(KioskSeen(kiosk, max(known) if known else None))
    session.rollback()
    return result
