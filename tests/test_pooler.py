"""``?pool_mode=transaction``: no server-side prepared statements through such a pooler."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import normalize_url, open_database
from leanops_desktop.db.feed_wakeup import PgListener
from leanops_desktop.db.pooler import pool_mode_of


def test_the_pool_mode_is_read_from_the_url_and_checked() -> None:
    assert pool_mode_of(normalize_url("postgresql://db/leanops")) is None
    assert pool_mode_of(normalize_url("postgresql://db/leanops?pool_mode=session")) == "session"
    url = normalize_url("postgresql://db:6432/leanops?sslmode=require&pool_mode=transaction")
    assert pool_mode_of(url) == "transaction"
    with pytest.raises(ConfigError, match="pool_mode must be 'session' or 'transaction'"):
        open_database("postgresql://db/leanops?pool_mode=statement")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize(("suffix", "threshold"), [("", 5), ("?pool_mode=transaction", None)])
def test_connections_prepare_statements_unless_through_a_transaction_pooler(
    db_url: str, suffix: str, threshold: int | None
) -> None:
    db = open_database(db_url + suffix)
    try:
        with db.engine.connect() as connection:  # libpq never sees pool_mode
            assert connection.execute(text("SELECT 1")).scalar() == 1
            driver = connection.connection.dbapi_connection
            assert getattr(driver, "prepare_threshold", "?") == threshold
        assert db.url.query.get("pool_mode") == ("transaction" if suffix else None)  # kept
        kwargs = PgListener.connect_kwargs(db.engine)
        assert "pool_mode" not in kwargs
        listener = PgListener.open(kwargs)
        assert not listener.listen_error
        listener.close()
    finally:
        db.dispose()
