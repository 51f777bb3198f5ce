"""The throwaway PostgreSQL cluster the suite runs its PostgreSQL tests on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.pg_server import (
    ThrowawayCluster,
    admin_connect,
    create_database,
    drop_database,
    find_pg_bindir,
)
from tests.pg_standby import StreamingReplica, current_wal_lsn

pytestmark = pytest.mark.postgres

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bindir() -> Path:
    found = find_pg_bindir()
    if found is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) NOT FOUND: the throwaway "
            "cluster tests did NOT RUN. Install the server packages (Debian: apt-get install "
            "postgresql) or set PG_BINDIR."
        )
        if os.environ.get("LEANOPS_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (LEANOPS_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def cluster(bindir: Path) -> Iterator[ThrowawayCluster]:
    with ThrowawayCluster(bindir) as started:
        yield started


def connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(url, connect_timeout=10)


def test_bindir_has_the_server_binaries(bindir: Path) -> None:
    for program in ("initdb", "pg_ctl", "postgres"):
        assert (bindir / program).is_file(), program


def test_select_one(cluster: ThrowawayCluster) -> None:
    assert cluster.url == (
        f"postgresql://postgres:{cluster.password}@127.0.0.1:{cluster.port}/postgres"
    )
    with connect(cluster.url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_server_settings(cluster: ThrowawayCluster) -> None:
    with connect(cluster.url) as conn:

        def show(name: str) -> object:
            row = conn.execute(f"SHOW {name}").fetchone()
            assert row is not None
            return row[0]

        assert show("password_encryption") == "scram-sha-256"
        assert show("fsync") == "off"
        assert show("max_connections") == "200"
        assert show("listen_addresses") == "127.0.0.1"
        assert show("server_encoding") == "UTF8"


def test_wrong_password_is_refused(cluster: ThrowawayCluster) -> None:
    wrong = cluster.url.replace(cluster.password, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(wrong)


def test_create_database_from_template(cluster: ThrowawayCluster) -> None:
    template = f"tmpl_{uuid.uuid4().hex[:8]}"
    copy = f"copy_{uuid.uuid4().hex[:8]}"
    template_url = create_database(cluster.url, template)
    assert template_url.endswith(f"@127.0.0.1:{cluster.port}/{template}")
    with connect(template_url) as conn:
        conn.execute("create table widgets (id int primary key, name text not null)")
        conn.execute("insert into widgets values (1, 'sprocket')")

    copy_url = create_database(cluster.url, copy, template=template)
    assert copy_url == cluster.url.rsplit("/", 1)[0] + f"/{copy}"
    conn = connect(copy_url)
    try:
        assert conn.execute("select name from widgets").fetchall() == [("sprocket",)]
        conn.rollback()
        # A session still in the database does not stop drop_database (WITH (FORCE)).
        drop_database(cluster.url, copy)
    finally:
        conn.close()
    with pytest.raises(psycopg.OperationalError):
        connect(copy_url)
    drop_database(cluster.url, copy)  # dropping a missing database is fine
    drop_database(template_url, template)  # from a connection to the very same database
    with admin_connect(cluster.url) as conn:
        names = [row[0] for row in conn.execute("select datname from pg_database")]
    assert template not in names
    assert copy not in names


def test_stop_and_start_again(cluster: ThrowawayCluster) -> None:
    port = cluster.port
    cluster.stop()
    assert not cluster.is_running()
    with pytest.raises(psycopg.OperationalError):
        connect(cluster.url)
    cluster.start_again()
    assert cluster.is_running()
    assert cluster.port == port
    with connect(cluster.url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_cleanup_removes_everything(bindir: Path) -> None:
    started = time.monotonic()
    with ThrowawayCluster(bindir) as own:
        elapsed = time.monotonic() - started
        directory = own.directory
        url = own.url
        assert own.is_running()
        with connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    assert elapsed < 30, f"cluster start took {elapsed:.1f} s"
    assert not own.is_running()
    assert not directory.exists()
    with pytest.raises(psycopg.OperationalError):
        connect(url)
    own.cleanup()  # idempotent


def test_server_goes_away_when_the_test_process_is_killed(bindir: Path) -> None:
    """A crash that skips atexit (SIGKILL here) still stops the server and removes its files."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from tests.pg_server import ThrowawayCluster
        cluster = ThrowawayCluster(Path({str(bindir)!r})).start()
        print(cluster.url, cluster.directory, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == -9, result.stderr
    url, directory = result.stdout.split()
    deadline = time.monotonic() + 30
    while Path(directory).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(directory).exists()
    with pytest.raises(psycopg.OperationalError):
        connect(url)


def test_a_streaming_replica_follows_then_takes_over_when_promoted(bindir: Path) -> None:
    with ThrowawayCluster(bindir) as primary:
        url = create_database(primary.url, "followed")
        with StreamingReplica(primary) as standby:
            assert standby.port != primary.port
            with connect(url) as conn:
                conn.execute("CREATE TABLE t (i int)")
                conn.execute("INSERT INTO t VALUES (1)")
                conn.commit()
            lsn = current_wal_lsn(url)
            deadline = time.monotonic() + 20
            while not standby.replayed_up_to(lsn):
                assert time.monotonic() < deadline, "the standby did not catch up"
                time.sleep(0.05)
            standby_url = url.replace(f":{primary.port}/", f":{standby.port}/")
            with connect(standby_url) as conn:
                assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
                with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                    conn.execute("INSERT INTO t VALUES (2)")
            primary.stop("immediate")
            standby.promote()
            with connect(standby_url) as conn:
                assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
                conn.execute("INSERT INTO t VALUES (2)")
                assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
