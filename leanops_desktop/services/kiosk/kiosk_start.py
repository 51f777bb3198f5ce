"""Starting a kiosk from its enrolment: which station, its device login, online or not.

``leanops kiosk [--station ST-01]`` calls :func:`start_kiosk`. The kiosk works with the
device credential written by ``leanops kiosk enroll`` (no operator's database password on
the PC). When the server cannot be reached, the kiosk still starts, offline, from the
enrolment, the offline sign-in cache and the outbox; it connects when it can
(:func:`check_device`). A station this PC is not enrolled for is refused with the command
that enrols it; a revoked kiosk is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from leanops_desktop.core.errors import (
    ConfigError,
    DatabaseUnavailable,
    LeanOpsError,
)
from leanops_desktop.core.validation import check_id
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.kiosk.kiosk_devices import (
    DeviceSession,
    Enrolment,
    credential_dir,
    load_enrolment,
    open_device,
)
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache

__all__ = [
    "KioskStart",
    "check_device",
    "enrolled_stations",
    "pick_station",
    "reach_server",
    "start_kiosk",
]

#: What "the server cannot be reached" raises (as the report sender's ``classify``).
NO_CONNECTION = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    DatabaseUnavailable,
    ConnectionError,
    TimeoutError,
)
#: Seconds to wait for the server at start before the kiosk opens offline.
START_CONNECT_TIMEOUT = 3


@dataclass(slots=True)
class KioskStart:
    """What the kiosk screen starts with."""

    enrolment: Enrolment
    device: DeviceSession  # connected, or (offline) opened without a connection yet
    cache: OfflineSignInCache
    online: bool
    message: str = ""  # why it starts offline

    @property
    def station_id(self) -> str:
        return self.enrolment.station_id


def enrolled_stations(directory: Path | None = None) -> list[str]:
    """The stations this OS account holds a kiosk credential for."""
    folder = directory or credential_dir()
    if not folder.is_dir():
        return []
    return sorted(
        path.stem for path in folder.glob("*.json") if not path.name.endswith(".offline.json")
    )


def _not_enrolled(station: str) -> ConfigError:
    return ConfigError(
        f"this PC is not enrolled as the kiosk of {station}: an admin runs"
        f" 'leanops kiosk enroll --station {station}' on it first"
    )


def pick_station(station: str | None, directory: Path | None = None) -> str:
    """The station to open: the one asked for (refused when this PC is not its kiosk), else
    the only one this PC is enrolled for."""
    enrolled = enrolled_stations(directory)
    if station is None:
        if len(enrolled) == 1:
            return enrolled[0]
        if not enrolled:
            raise ConfigError(
                "this PC is not enrolled as a kiosk: an admin runs"
                " 'leanops kiosk enroll --station ST-01' on it first"
            )
        raise ConfigError(
            f"which station? this PC is the kiosk of {', '.join(enrolled)}: pass --station"
        )
    try:
        station = check_id("station", station)
    except LeanOpsError:
        raise ConfigError(f"{station[:40]!r} is not a station id such as ST-01") from None
    if station not in enrolled:
        if enrolled:
            raise ConfigError(
                f"unknown station {station}: this PC is the kiosk of {', '.join(enrolled)};"
                f" to make it the kiosk of {station}, an admin runs"
                f" 'leanops kiosk enroll --station {station}'"
            )
        raise _not_enrolled(station)
    return station


def check_device(enrolment: Enrolment) -> DeviceSession:
    """Connect as the enrolled device and check it is still enrolled (raises as
    :func:`open_device`: a connection error when the server is away)."""
    return open_device(enrolment, connect_timeout=START_CONNECT_TIMEOUT)


def start_kiosk(station: str | None, directory: Path | None = None) -> KioskStart:
    """The kiosk's enrolment, device and cache; offline when the server is away.

    Raises ConfigError (not enrolled, unknown station) and AuthenticationFailed (revoked)."""
    station_id = pick_station(station, directory)
    enrolment = load_enrolment(station_id, directory)
    cache = OfflineSignInCache.for_station(station_id, directory)
    try:
        device = check_device(enrolment)
    except NO_CONNECTION:
        db = open_database(enrolment.url(), connect_timeout=START_CONNECT_TIMEOUT)
        offline = DeviceSession(db, enrolment.login, station_id)
        return KioskStart(enrolment, offline, cache, False, "no connection to the database")
    return KioskStart(enrolment, device, cache, True)


def reach_server(device: DeviceSession) -> None:
    """One short round trip as the device (raises when the server is still away): how a
    kiosk that started offline, with nobody signed in, learns that it is back."""
    with device.db.session() as session:
        session.execute(text("SELECT 1"))
        session.rollback()
