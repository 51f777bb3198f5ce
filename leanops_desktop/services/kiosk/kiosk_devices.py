"""Kiosk devices: enrol a kiosk PC for one station, keep its credential, revoke it.

An admin enrols each kiosk PC once (``leanops kiosk enroll --station ST-01``). The kiosk
then works with a device identity of its own, never with an operator's or an owner's
database password:

* **PostgreSQL**: a LOGIN role with a random 43-character password, in the plant's group
  ``leanops_device@<database>`` (migration 0012). The database binds it to its station:
  it reports, takes back its own reports, blocks, resumes and completes there only, for an
  operator signed in at it, and reads the floor (not ``users``, not the verifiers).
* **SQLite**: a ``kiosk_devices`` row with the Argon2 hash of the random credential; the
  app checks it (:func:`open_device`; ``device_checks``).

The credential is written to a file only the kiosk's OS account can read (mode 0600 in the
platform's config folder: ``~/.config/LeanOps/kiosk`` on Linux, ``%APPDATA%\\LeanOps\\kiosk``
on Windows, whose profile folder is the user's alone). Revoking (``leanops kiosk revoke``)
makes the login NOLOGIN, ends its sessions and its operators' sign-ins.

The kiosk UI calls :func:`load_enrolment` and :func:`open_device` at start.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import (
    AuthenticationFailed,
    ConfigError,
    NotFound,
)
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.validation import check_key
from leanops_desktop.db.engine import Database, normalize_url, open_database, write_transaction
from leanops_desktop.db.kiosk_models import KioskDevice, KioskSignIn
from leanops_desktop.db.models import EventLog, Station
from leanops_desktop.services.accounts.passwords import hash_password, verify_password
from leanops_desktop.services.accounts.pg_users import call, scram_verifier

__all__ = [
    "DeviceSession",
    "Enrolment",
    "KioskRow",
    "credential_path",
    "enrol_kiosk",
    "forget_enrolment",
    "list_kiosks",
    "load_enrolment",
    "open_device",
    "revoke_kiosks",
    "save_enrolment",
]

APP_DIR = "LeanOps"
#: How long an operator's sign-in covers taps when the kiosk could not say it ended.
SIGN_IN_HOURS = 12


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a kiosk PC keeps: its login, its secret, its station and its database."""

    login: str
    password: str = field(repr=False)
    station_id: str
    database: str  # the URL without any password

    def url(self) -> URL:
        """The database URL as this device (PostgreSQL: its own login and password)."""
        target = normalize_url(self.database)
        if target.get_backend_name() == "sqlite":
            return target
        return target.set(username=self.login, password=self.password)


@dataclass(frozen=True, slots=True)
class KioskRow:
    login: str
    station_id: str
    enrolled_at: datetime
    enrolled_by: str
    revoked_at: datetime | None
    revoked_by: str | None


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _database_of(session: Session) -> str:
    url = session.get_bind().engine.url  # URL.set(password=None) would keep the password
    return url._replace(username=None, password=None).render_as_string(hide_password=False)


def _event(
    session: Session, event_type: str, station_id: str | None, actor: str, **meta: Any
) -> None:
    """An ``events_log`` row written by the app (SQLite: the app is the one that checks)."""
    session.execute(
        insert(EventLog).values(
            id=uuid.uuid4(),
            event_type=event_type,
            station_id=station_id,
            meta={"actor": actor, **meta},
            actor=actor,
        )
    )


def enrol_kiosk(session: Session, actor: Actor, station_id: str) -> Enrolment:
    """Make a device login bound to ``station_id`` (admins); its password is random."""
    require(actor, Action.MANAGE_USERS)
    station_id = check_key("station id", station_id)
    password = secrets.token_urlsafe(32)
    database = _database_of(session)
    if _on_postgresql(session):
        with write_transaction(session):
            login = call(
                session,
                "leanops_enroll_kiosk",
                station=station_id,
                verifier=scram_verifier(password),
            )
        return Enrolment(str(login), password, station_id, database)
    login = f"kiosk-{secrets.token_hex(5)}"
    with write_transaction(session):
        station = session.get(Station, station_id)
        if station is None or not station.is_active:
            raise NotFound("station", station_id)
        session.add(
            KioskDevice(
                login=login,
                station_id=station_id,
                secret_hash=hash_password(password),
                enrolled_at=datetime.now(UTC),
                enrolled_by=actor.email,
            )
        )
        session.flush()
        _event(
            session,
            "kiosk_enrolled",
            station_id,
            actor.email,
            role=actor.role.value,
            new={"device": login, "station": station_id},
        )
    return Enrolment(login, password, station_id, database)


def list_kiosks(session: Session, actor: Actor) -> list[KioskRow]:
    """Every kiosk ever enrolled, newest first (admins)."""
    require(actor, Action.MANAGE_USERS)
    rows = session.execute(
        select(KioskDevice).order_by(KioskDevice.enrolled_at.desc(), KioskDevice.login)
    ).scalars()
    result = [
        KioskRow(r.login, r.station_id, r.enrolled_at, r.enrolled_by, r.revoked_at, r.revoked_by)
        for r in rows
    ]
    session.rollback()
    return result


def revoke_kiosks(
    session: Session, actor: Actor, station_id: str, login: str | None = None
) -> list[str]:
    """Revoke the station's active kiosks (or the one ``login``); returns their logins."""
    require(actor, Action.MANAGE_USERS)
    query = select(KioskDevice.login).where(
        KioskDevice.station_id == station_id, KioskDevice.revoked_at.is_(None)
    )
    if login is not None:
        query = query.where(KioskDevice.login == login)
    logins = list(session.execute(query).scalars())
    session.rollback()
    if not logins:
        raise NotFound("enrolled kiosk of station", station_id)
    for one in logins:
        with write_transaction(session):
            if _on_postgresql(session):
                call(session, "leanops_revoke_kiosk", login=one)
                continue
            now = datetime.now(UTC)
            session.execute(
                update(KioskDevice)
                .where(KioskDevice.login == one)
                .values(revoked_at=now, revoked_by=actor.email)
            )
            session.execute(
                update(KioskSignIn)
                .where(KioskSignIn.device == one, KioskSignIn.ended_at.is_(None))
                .values(ended_at=now)
            )
            _event(
                session,
                "kiosk_revoked",
                station_id,
                actor.email,
                role=actor.role.value,
                old={"device": one, "station": station_id},
            )
    return logins


# -- the credential file ------------------------------------------------------------------


def credential_dir() -> Path:
    """Where this OS account keeps its kiosk credentials."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False)) / "kiosk"


def credential_path(station_id: str, directory: Path | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", station_id)
    return (directory or credential_dir()) / f"{safe}.json"


def save_enrolment(enrolment: Enrolment, directory: Path | None = None) -> Path:
    """Write the credential readable by this OS account only (0600); returns the path."""
    path = credential_path(enrolment.station_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = json.dumps(
        {
            "login": enrolment.login,
            "password": enrolment.password,
            "station": enrolment.station_id,
            "database": enrolment.database,
        },
        indent=2,
    )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def load_enrolment(station_id: str, directory: Path | None = None) -> Enrolment:
    """The kiosk's enrolment for ``station_id``; ConfigError when missing or exposed."""
    path = credential_path(station_id, directory)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(
            f"this PC is not enrolled as the kiosk of {station_id}: an admin runs"
            f" 'leanops kiosk enroll --station {station_id}' on it"
        ) from None
    if sys.platform != "win32" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} can be read by other accounts (mode {stat.S_IMODE(mode):o}): revoke this"
            " kiosk and enrol it again"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return Enrolment(
        str(data["login"]), str(data["password"]), str(data["station"]), str(data["database"])
    )


def forget_enrolment(station_id: str, directory: Path | None = None) -> bool:
    """Remove this PC's credential file for ``station_id``; True when there was one."""
    path = credential_path(station_id, directory)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


# -- the kiosk at start -------------------------------------------------------------------


@dataclass(slots=True)
class DeviceSession:
    """An enrolled kiosk, connected: its database, login and station."""

    db: Database
    login: str
    station_id: str

    @property
    def backend(self) -> str:
        return self.db.backend

    @property
    def actor(self) -> Actor:
        """The actor services run as on this device (the database or the app decides who
        acted: the operator signed in at it)."""
        return Actor(email=self.login, role=Role.OPERATOR)

    def close(self) -> None:
        self.db.dispose()


def open_device(enrolment: Enrolment, **engine_options: Any) -> DeviceSession:
    """Connect as the enrolled device and check it is still enrolled for its station.

    Raises AuthenticationFailed when it was revoked (or the credential is wrong)."""
    db = open_database(enrolment.url(), **engine_options)
    try:
        with db.session() as session:
            if db.backend == "postgresql":
                bound = session.execute(text("SELECT public.leanops_device_station()")).scalar()
            else:
                device = session.get(KioskDevice, enrolment.login)
                ok = (
                    device is not None
                    and device.revoked_at is None
                    and verify_password(device.secret_hash, enrolment.password)
                )
                bound = device.station_id if ok and device is not None else None
    except Exception as error:
        db.dispose()
        if "password authentication failed" in str(error) or "not permitted to log in" in str(
            error
        ):
            raise AuthenticationFailed(
                f"the kiosk credential of {enrolment.station_id} is no longer valid: it was"
                " revoked; an admin enrols this PC again"
            ) from None
        raise
    if bound != enrolment.station_id:
        db.dispose()
        raise AuthenticationFailed(
            f"this PC is no longer the enrolled kiosk of {enrolment.station_id}: it was revoked"
        )
    return DeviceSession(db, enrolment.login, enrolment.station_id)
