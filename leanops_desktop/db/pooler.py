"""Connections through a transaction-mode pooler: ``?pool_mode=transaction`` on the URL.

psycopg prepares a statement on the server from its 5th execution on a connection. Through a
transaction-mode pooler (PgBouncer before 1.21, or later without ``max_prepared_statements``)
the next execution may run on another server connection, which has no such statement, or one
of that name from someone else ("prepared statement "_pg3_0" already exists"). Preparing saves
the server's parsing and planning (``bench/prepared_statements.py``: the feed's idle read
0.37 ms prepared, 0.58 ms not, on a local server), so LeanOps keeps it, except where the URL
says the connection goes through such a pooler::

    postgresql://db.plant.local:6432/leanops?pool_mode=transaction

``pool_mode`` is LeanOps' own option (libpq does not know it): it stays in the engine's URL,
so URLs derived from it (a kiosk's enrolment) keep it, and is taken out of the connection
parameters before they reach libpq. ``session`` is accepted too and changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

from leanops_desktop.core.errors import ConfigError

POOL_MODE_OPTION = "pool_mode"
POOL_MODES = ("session", "transaction")


def pool_mode_of(url: URL) -> str | None:
    """The URL's ``pool_mode`` (None: a direct connection); ConfigError when it is not one of
    :data:`POOL_MODES`."""
    value = url.query.get(POOL_MODE_OPTION)
    if value is None:
        return None
    if not isinstance(value, str) or value not in POOL_MODES:
        raise ConfigError(
            f"cannot read the database URL: {POOL_MODE_OPTION} must be 'session' or"
            " 'transaction' (how the pooler the URL names pools its connections)"
        )
    return value


def driver_params(params: dict[str, Any], pool_mode: str | None) -> dict[str, Any]:
    """``params`` (psycopg connection parameters) without LeanOps' option, and without
    server-side prepared statements through a transaction-mode pooler."""
    params.pop(POOL_MODE_OPTION, None)
    if pool_mode == "transaction":
        params["prepare_threshold"] = None
    return params


def follow_pool_mode(engine: Engine) -> None:
    """Make ``engine``'s connections honour its URL's ``pool_mode`` (checked here)."""
    pool_mode = pool_mode_of(engine.url)

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        driver_params(params, pool_mode)
