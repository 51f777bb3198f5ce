"""Fixtures: a fresh, migrated database per test on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``LEANOPS_TEST_DATABASE_URL`` (a server where that user may create
databases) or from a throwaway cluster the suite starts itself. When neither is possible the
PostgreSQL tests are skipped with the reason, or fail when ``LEANOPS_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from tests.pg_server import (
    ClusterStartError,
    ThrowawayCluster,
    admin_connect,
    create_database,
    drop_database,
    drop_plant_logins,
    find_pg_bindir,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REQUIRE_POSTGRES = os.environ.get("LEANOPS_REQUIRE_POSTGRES") == "1"
#: How long a test's threads may take to end after it (a job in hand finishes first).
THREAD_GRACE_S = 3.0


def _leanops_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("leanops") and t.is_alive()}


@pytest.fixture(autouse=True)
def no_dangling_threads() -> Iterator[None]:
    """Fail any test that leaves a LeanOps thread (``leanops-*``: a runner's lanes, the
    report sender's loop) running after it, with a grace period for the job in hand."""
    before = _leanops_threads()
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    left = sorted(t.name for t in _leanops_threads() - before)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = sorted(t.name for t in _leanops_threads() - before)
    assert not left, f"threads still running after the test: {left}"


TEMPLATE_DB = "leanops_test_template"


class PostgresUnavailable(Exception):
    pass


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """Superuser URL of a PostgreSQL server for the test session."""
    given = os.environ.get("LEANOPS_TEST_DATABASE_URL")
    if given:
        yield given
        return
    reason = None
    cluster = None
    if find_pg_bindir() is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl) found"
    else:
        cluster = ThrowawayCluster()
        try:
            cluster.start()
        except ClusterStartError as exc:
            reason = f"the throwaway PostgreSQL cluster did not start: {exc}"
    if reason is not None:
        message = (
            f"PostgreSQL tests NOT RUN: {reason}. Install PostgreSQL server packages or set "
            "LEANOPS_TEST_DATABASE_URL."
        )
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (LEANOPS_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    assert cluster is not None
    try:
        yield cluster.url
    finally:
        cluster.cleanup()


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> str:
    """A migrated template database; each test gets a copy of it."""
    drop_database(pg_server_url, TEMPLATE_DB)
    url = create_database(pg_server_url, TEMPLATE_DB)
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "leanops.db"
    db = open_database(str(path))
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently (its WAL included)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, migrated database on the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "leanops.db"
        copy_sqlite(template, path)
        yield f"sqlite:///{path}"
        return
    server: str = request.getfixturevalue("pg_server_url")
    template_name: str = request.getfixturevalue("pg_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = create_database(server, name, template=template_name)
    # A copy does not inherit the template's database privileges (PostgreSQL copies no
    # database ACL); upgrading the copy would revoke TEMPORARY again, as the template had.
    with admin_connect(url) as conn:
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
    try:
        yield url
    finally:
        drop_database(server, name)
        drop_plant_logins(server, template_name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url, pool_size=25)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (no schema) on the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: str = request.getfixturevalue("pg_server_url")
    name = f"e_{uuid.uuid4().hex[:12]}"
    url = create_database(server, name)
    try:
        yield url
    finally:
        drop_database(server, name)


@pytest.fixture
def supervisor() -> Actor:
    return Actor(email="sam.supervisor@plant.test", role=Role.SUPERVISOR)


@pytest.fixture
def operator() -> Actor:
    return Actor(email="olga.operator@plant.test", role=Role.OPERATOR)


@pytest.fixture
def admin() -> Actor:
    return Actor(email="ada.admin@plant.test", role=Role.ADMIN)


@pytest.fixture
def db_at_0009(backend: str, pg_server_url: str) -> Iterator[Database]:
    """A PostgreSQL database migrated to 0009, before the per-plant roles (0010 is one-way)."""
    assert backend == "postgresql"
    name = f"o_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server_url, name)
    database = open_database(url)
    try:
        migrate.upgrade(database, "0009")
        yield database
    finally:
        database.dispose()
        drop_database(pg_server_url, name)
