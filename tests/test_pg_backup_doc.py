"""The PostgreSQL backup and restore of docs/deploy.md, run as written: dump a plant from one
server, restore it onto a fresh one, and the restored plant passes the self-check, its
privilege audit finds nothing, and its people sign in with their old passwords.

The commands are read from the doc's two code blocks (so doc and test cannot drift); only
the host, port and day are replaced by those of two throwaway servers reached over their
unix sockets (trust: the roles file sets the new server's ``postgres`` password to the old).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate, pg_audit
from leanops_desktop.db.engine import open_database
from leanops_desktop.qt.self_check import run_self_check
from leanops_desktop.services.accounts import users
from leanops_desktop.services.accounts.auth import sign_in
from tests.factories import make_job, make_station
from tests.pg_server import ClusterStartError, ThrowawayCluster, create_database, find_pg_bindir

pytestmark = pytest.mark.postgres

DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
ADMIN, OPERATOR = "ada@plant.example", "olga@plant.example"
PASSWORD = "Backup-test-pw-1"


def doc_blocks() -> tuple[str, str]:
    """The backup and the restore block of the doc's "6. Backups" section."""
    section = DEPLOY.read_text(encoding="utf-8").split("### 6. Backups", 1)[1]
    section = section.split("\n### ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "the Backups section has a backup and a restore block"
    return blocks[0], blocks[1]


def for_server(block: str, placeholder: str, cluster: ThrowawayCluster) -> str:
    """The block aimed at ``cluster``: only host, port and day replaced."""
    target = f"-h {placeholder} -p 5432"
    assert target in block
    script = block.replace(target, f"-h {cluster.directory} -p {cluster.port}")
    script, days = re.subn(r"^day=.*$", "day=test", script, flags=re.M)
    assert days == 1
    return "set -euo pipefail\n" + script


def run_script(script: str, folder: Path, bindir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PGPASSWORD", None)
    return subprocess.run(
        ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def two_servers() -> Iterator[tuple[ThrowawayCluster, ThrowawayCluster]]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries")
    old, new = ThrowawayCluster(), ThrowawayCluster()
    try:
        old.start()
        new.start()
    except ClusterStartError as exc:
        old.cleanup()
        new.cleanup()
        pytest.fail(f"throwaway clusters did not start: {exc}")
    try:
        yield old, new
    finally:
        old.cleanup()
        new.cleanup()


def make_plant(url: str) -> None:
    """A migrated plant named ``leanops`` with an admin, an operator, a station and a job."""
    db = open_database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            users.init_admin(session, ADMIN, PASSWORD)
        admin = Actor.system()
        with db.session() as session:
            users.add_user(session, admin, email=OPERATOR, role="operator", password=PASSWORD)
        make_station(db, admin, "ST-01")
        make_job(db, admin, "J-1", qty_total=40)
    finally:
        db.dispose()


def socket_url(cluster: ThrowawayCluster, database: str) -> str:
    return f"postgresql://postgres@/{database}?host={cluster.directory}&port={cluster.port}"


def test_the_documented_backup_restores_a_working_hardened_plant(
    two_servers: tuple[ThrowawayCluster, ThrowawayCluster],
    tmp_path: Path,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, new = two_servers
    make_plant(create_database(old.url, "leanops"))
    backup, restore = doc_blocks()

    dumped = run_script(for_server(backup, "db.plant.local", old), tmp_path, old.bindir)
    assert dumped.returncode == 0, dumped.stderr
    assert (tmp_path / "leanops-test.dump").stat().st_size > 0
    roles = (tmp_path / "leanops-roles-test.sql").read_text()
    assert f'CREATE ROLE "{OPERATOR}"' in roles and "SCRAM-SHA-256$" in roles

    restored = run_script(for_server(restore, "db2.plant.local", new), tmp_path, new.bindir)
    assert restored.returncode == 0, restored.stderr
    errors = [line for line in restored.stderr.splitlines() if "ERROR" in line]
    assert all(line.endswith('role "postgres" already exists') for line in errors), errors

    url = socket_url(new, "leanops")
    capsys.readouterr()
    assert run_self_check(url) == 0, capsys.readouterr().out
    db = open_database(url)
    try:
        with db.engine.connect() as connection:
            assert pg_audit.audit(connection) == []
            temporary = "SELECT has_database_privilege('public', 'leanops', 'TEMPORARY')"
            assert connection.execute(text(temporary)).scalar_one() is False
    finally:
        db.dispose()
    # people sign in with their old passwords, over TCP as a seat does, and see the plant
    seat_url = f"postgresql://127.0.0.1:{new.port}/leanops"
    for email, role in ((OPERATOR, "operator"), (ADMIN, "admin")):
        signed = sign_in(seat_url, email, PASSWORD)
        try:
            assert signed.actor.role.value == role
            with signed.db.session() as session:
                assert session.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 1
        finally:
            signed.db.dispose()
