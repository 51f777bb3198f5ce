"""What a seat asks of the database server: how many connections it holds and which server
it reached (for ``leanops --self-check``; the numbers are ``db/seats.py``'s)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from leanops_desktop.db.engine import Database
from leanops_desktop.db.seats import Seat


class ReachedStandby(Exception):
    """The server reached is a standby (read-only): LeanOps would fail on every save."""


@dataclass(frozen=True, slots=True)
class ServerReached:
    """The server one connection of ``db`` reached: host, port and whether it is a primary."""

    host: str
    port: int
    primary: bool

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def server_reached(db: Database) -> ServerReached:
    """Ask the server a connection lands on (with a multi-host URL, the one libpq chose)."""
    with db.engine.connect() as connection:
        in_recovery = bool(connection.execute(text("SELECT pg_is_in_recovery()")).scalar())
        info = connection.connection.driver_connection.info  # type: ignore[union-attr]
        return ServerReached(host=str(info.host), port=int(info.port), primary=not in_recovery)


def describe_seat_connections(db: Database, seat: Seat) -> str:
    """``"a window holds at most 3 connections; reached db1:5432, the primary"``.

    Raises :class:`ReachedStandby` when the server is a standby."""
    if db.backend != "postgresql":
        return f"a {seat.name} opens the SQLite file {db.url.database}: no server connections"
    server = server_reached(db)
    budget = f"a {seat.name} holds at most {seat.steady_connections} connections"
    if not server.primary:
        raise ReachedStandby(
            f"{budget}; reached {server.where}, a standby (read-only): saves would fail, add"
            " target_session_attrs=read-write to the database URL"
        )
    return (
        f"{budget} (application_name {seat.application_name}); reached {server.where}, the primary"
    )
