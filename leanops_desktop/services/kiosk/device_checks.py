"""What the database checks for a kiosk device on PostgreSQL (migration 0012), checked by the
app on SQLite: the device is enrolled, acts on its own station, and for an operator who
signed in at it when the tap happened. The report and correction paths call these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.core.tap_time import TAP_SKEW
from leanops_desktop.db.kiosk_models import KioskDevice, KioskSignIn
from leanops_desktop.db.models import User
from leanops_desktop.services.kiosk.kiosk_devices import SIGN_IN_HOURS


def active_device(session: Session, login: str) -> KioskDevice | None:
    """The enrolled, unrevoked device named ``login`` (None for a user)."""
    if not login.startswith("kiosk-"):
        return None
    device = session.get(KioskDevice, login)
    return device if device is not None and device.revoked_at is None else None


def covering_sign_in(
    session: Session, device: str, operator: str | None, at: datetime
) -> KioskSignIn | None:
    """The confirmed sign-in of ``operator`` at ``device`` covering ``at`` (else None)."""
    if not operator:
        return None
    rows = session.execute(
        select(KioskSignIn)
        .join(User, User.id == KioskSignIn.user_id)
        .where(
            KioskSignIn.device == device,
            KioskSignIn.email == operator,
            KioskSignIn.verified.is_(True),
            KioskSignIn.signed_in_at <= at + TAP_SKEW,
            User.is_active.is_(True),
        )
        .order_by(KioskSignIn.signed_in_at.desc())
    ).scalars()
    from datetime import timedelta

    covering = []
    for row in rows:
        until = row.ended_at or row.signed_in_at + timedelta(hours=SIGN_IN_HOURS)
        if until >= at - TAP_SKEW:
            covering.append(row)
    # One open at the very time first (as the database orders them), then the latest.
    exact = [
        r for r in covering if r.signed_in_at <= at and (r.ended_at is None or r.ended_at >= at)
    ]
    chosen = exact or covering
    return chosen[0] if chosen else None


def device_actor(
    session: Session, actor: Actor, station_id: str | None, operator: str | None, at: datetime
) -> tuple[Actor, dict[str, Any]]:
    """For a device: its station and a signed-in operator, else PermissionDenied; returns
    the operator as the actor and the meta naming the device. Others pass unchanged."""
    device = active_device(session, actor.email)
    if device is None:
        if actor.email.startswith("kiosk-"):
            raise PermissionDenied(f"kiosk {actor.email} is not enrolled (or was revoked)")
        return actor, {}
    if station_id != device.station_id:
        raise PermissionDenied(
            f"this kiosk is enrolled for station {device.station_id}; it cannot act on"
            f" {station_id or 'no station'}"
        )
    sign_in = covering_sign_in(session, device.login, operator, at)
    if sign_in is None:
        raise PermissionDenied(f"{operator or 'nobody'} has no sign-in at this kiosk at that time")
    role = session.scalar(select(User.role).where(User.email == sign_in.email)) or "operator"
    meta = {
        "device": device.login,
        "device_station": device.station_id,
        "sign_in_id": str(sign_in.id),
        "offline_sign_in": sign_in.offline,
    }
    return Actor(email=sign_in.email, role=Role(role)), meta


def report_context(session: Session, actor: Actor, request: Any) -> tuple[Actor, dict[str, Any]]:
    """The report's actor and device meta (SQLite's report path; see :func:`device_actor`)."""
    if not actor.email.startswith("kiosk-"):
        return actor, {}
    at = request.tapped_at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return device_actor(session, actor, request.station_id, request.reported_by, at)
