"""URLs naming several PostgreSQL servers: read wherever a URL is taken, written back the same,
never repeating a password, and connecting past a first server that is down."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leanops_desktop.composition.kiosk import outbox_path
from leanops_desktop.config import parse_config
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import describe_url, normalize_url, open_database
from leanops_desktop.db.feed_wakeup import PgListener
from leanops_desktop.db.seats import KIOSK
from leanops_desktop.db.urls import servers_of
from leanops_desktop.services.database_target import describe_target
from leanops_desktop.services.kiosk import kiosk_devices
from leanops_desktop.services.kiosk.kiosk_devices import Enrolment
from leanops_desktop.services.seat_connections import server_reached
from tests.factories import make_station

TWO = "postgresql://olga:s3cret%40pw@db1:5432,db2:5433/leanops?target_session_attrs=read-write"


def test_a_list_of_servers_becomes_libpqs_host_and_port_lists() -> None:
    url = normalize_url(TWO)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.database) == ("olga", "s3cret@pw", "leanops")
    assert url.host is None and url.port is None
    assert url.query == {
        "host": "db1,db2",
        "port": "5432,5433",
        "target_session_attrs": "read-write",
    }
    assert servers_of(url) == [("db1", 5432), ("db2", 5433)]
    _args, kwargs = url.get_dialect()().create_connect_args(url)
    assert (kwargs["host"], kwargs["port"]) == ("db1,db2", "5432,5433")


def test_it_round_trips_through_its_written_form() -> None:
    url = normalize_url(TWO)
    written = url.render_as_string(hide_password=False)
    assert normalize_url(written) == url
    assert normalize_url(url) == url


@pytest.mark.parametrize(
    ("raw", "servers"),
    [
        ("postgresql://u@db1,db2/leanops", [("db1", None), ("db2", None)]),
        ("postgresql://u@db1,db2/leanops?port=6432", [("db1", 6432), ("db2", 6432)]),
        ("postgresql://u@[::1]:5432,db2:5433/leanops", [("::1", 5432), ("db2", 5433)]),
        ("postgresql://u@/leanops?host=db1,db2&port=5432,5433", [("db1", 5432), ("db2", 5433)]),
        ("postgresql://u@db1:5432/leanops", [("db1", 5432)]),
    ],
)
def test_every_way_of_writing_the_servers_is_read(
    raw: str, servers: list[tuple[str, int | None]]
) -> None:
    assert servers_of(normalize_url(raw)) == servers


def test_the_description_names_every_server_and_never_the_password() -> None:
    assert describe_url(normalize_url(TWO)) == "PostgreSQL olga@db1:5432,db2:5433/leanops"
    assert describe_target(TWO) == "PostgreSQL olga@db1:5432,db2:5433/leanops"
    assert "s3cret" not in repr(normalize_url(TWO))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("postgresql://u:pw@db1:54x2,db2/leanops", "the port of db1 is not a number"),
        ("postgresql://u:pw@db1:70000,db2/leanops", "the port of db1 is not a number"),
        ("postgresql://u:pw@,db2/leanops", "a server in the list has no name"),
        ("postgresql://u:pw@/leanops?host=a,b&port=1,2,3", "2 servers but 3 ports"),
        ("postgresql://u:pw@db1,db2/leanops?host=db3", "not both"),
        ("postgresql://u:pw@db1:1,db2:2/leanops?port=5", "not both"),
    ],
)
def test_a_bad_list_is_refused_plainly_without_the_password(raw: str, reason: str) -> None:
    with pytest.raises(ConfigError) as refused:
        normalize_url(raw)
    assert reason in refused.value.message
    assert "pw" not in refused.value.message


def test_the_site_config_takes_a_list_and_still_refuses_a_password() -> None:
    url = "postgresql://db1:5432,db2:5432/leanops?target_session_attrs=read-write"
    assert parse_config({"database": {"url": url}}).database_url == url
    with pytest.raises(ConfigError, match="remove the password"):
        parse_config({"database": {"url": TWO}})


def test_kiosk_enrolment_and_its_outbox_keep_the_list(tmp_path: Path) -> None:
    stored = "postgresql://db1:5432,db2:5433/leanops?target_session_attrs=read-write"
    enrolment = Enrolment("kiosk-st-01", "device-secret", "ST-01", stored)
    url = enrolment.url()
    assert servers_of(url) == [("db1", 5432), ("db2", 5433)]
    assert (url.username, url.password) == ("kiosk-st-01", "device-secret")
    one = outbox_path(TWO, "ST-01", tmp_path)
    assert outbox_path(TWO.replace("db2:5433", "db3:5433"), "ST-01", tmp_path) != one
    assert outbox_path(TWO.replace("olga", "other"), "ST-01", tmp_path) == one


def _closed_port() -> int:
    """A local port nobody listens on (connections to it are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_first_server_that_is_down_is_skipped(db_url: str) -> None:
    real = make_url(db_url)
    down = _closed_port()
    listed = (
        f"postgresql://{real.username}:{real.password}@127.0.0.1:{down},"
        f"{real.host}:{real.port}/{real.database}?target_session_attrs=read-write"
    )
    db = open_database(listed)
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT current_database()")).scalar() == real.database
        reached = server_reached(db)
        assert (reached.port, reached.primary) == (real.port, True)
        listener = PgListener.open(PgListener.connect_kwargs(db.engine))
        listener.close()
    finally:
        db.dispose()
    assert f"127.0.0.1:{down},{real.host}:{real.port}" in describe_url(normalize_url(listed))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_kiosk_enrolled_through_a_list_keeps_it_and_no_admin_credentials(
    db_url: str, admin: Actor
) -> None:
    real = make_url(db_url)
    down = _closed_port()
    listed = (
        f"postgresql://{real.username}:{real.password}@127.0.0.1:{down},"
        f"{real.host}:{real.port}/{real.database}?target_session_attrs=read-write"
    )
    db = open_database(listed)
    try:
        make_station(db, admin, "ST-07")
        with db.session() as session:
            enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    finally:
        db.dispose()
    assert str(real.password) not in enrolment.database
    assert f"{real.username}@" not in enrolment.database
    stored = normalize_url(enrolment.database)
    assert servers_of(stored) == [("127.0.0.1", down), (real.host, real.port)]
    assert stored.query["target_session_attrs"] == "read-write"
    device = kiosk_devices.open_device(enrolment)  # past the server that is down
    try:
        assert device.db.seat is KIOSK
    finally:
        device.close()
