"""The ``leanops`` command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leanops_desktop import __version__
from leanops_desktop.db import migrate
from leanops_desktop.services.demo_plant import DEMO_USERS


def leanops(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LEANOPS_CONFIG": "", **(env or {})}
    environment.pop("LEANOPS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "leanops_desktop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_version() -> None:
    result = leanops("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"LeanOps {__version__}"


def test_upgrade_demo_and_users_on_a_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    first = leanops("db", "upgrade", "--database", url)
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty to" in first.stdout
    again = leanops("db", "upgrade", "--database", url)
    assert "already at version" in again.stdout
    head = migrate.head_revision()
    assert leanops("db", "current", "--database", url).stdout.startswith(f"{head} (up to date)")

    demo = leanops("demo", "--database", url)
    assert demo.returncode == 0, demo.stderr
    assert "10 stations" in demo.stdout
    for email, _role, password in DEMO_USERS:
        assert email in demo.stdout and password in demo.stdout
    refused = leanops("demo", "--database", url)
    assert refused.returncode == 2 and "already holds data" in refused.stderr

    added = leanops(
        "user",
        "add",
        "new@plant.test",
        "--role",
        "operator",
        "--password-stdin",
        "--database",
        url,
        stdin="long-enough-pw\n",
    )
    assert added.returncode == 0, added.stderr
    listing = leanops("user", "list", "--database", url)
    assert "new@plant.test" in listing.stdout and "operator" in listing.stdout
    assert (
        leanops("user", "set-role", "new@plant.test", "supervisor", "--database", url).returncode
        == 0
    )
    assert leanops("user", "disable", "new@plant.test", "--database", url).returncode == 0
    listing = leanops("user", "list", "--database", url).stdout
    line = next(row for row in listing.splitlines() if row.startswith("new@plant.test"))
    assert "supervisor" in line and "disabled" in line
    short = leanops(
        "user", "passwd", "new@plant.test", "--password-stdin", "--database", url, stdin="short\n"
    )
    assert (
        short.returncode == 2 and "at least 8" in short.stderr and "Traceback" not in short.stderr
    )


def test_user_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    result = leanops("user", "list", "--database", str(tmp_path / "empty.db"))
    assert result.returncode == 2
    assert "run 'leanops db upgrade' first" in result.stderr


def test_user_commands_create_no_database(tmp_path: Path) -> None:
    target = tmp_path / "folder" / "plant.db"
    for command in (("user", "list"), ("user", "disable", "a@plant.test")):
        result = leanops(*command, "--database", str(target))
        assert result.returncode == 2
        assert "no such file" in result.stderr and "run 'leanops db upgrade'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sql_prints_the_postgres_script() -> None:
    result = leanops("db", "sql")
    assert result.returncode == 0
    assert "CREATE TABLE station_assignments" in result.stdout
    assert "CREATE TRIGGER trg_events_log_append_only" in result.stdout
    assert result.stdout.rstrip().endswith("COMMIT;")


def test_unreachable_postgres_gives_a_clear_message() -> None:
    result = leanops("db", "current", "--database", "postgresql://nobody@127.0.0.1:1/leanops")
    assert result.returncode == 2
    assert "database unreachable" in result.stderr and "Traceback" not in result.stderr


def test_password_in_site_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "leanops.toml"
    config.write_text('[database]\nurl = "postgresql://leanops:hunter22@db.plant/leanops"\n')
    result = leanops("db", "current", env={"LEANOPS_CONFIG": str(config)})
    assert result.returncode == 2
    assert "remove the password" in result.stderr and "hunter22" not in result.stderr


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.postgres
def test_upgrade_init_admin_and_users_on_postgres(empty_db_url: str) -> None:
    import uuid

    from leanops_desktop.services import auth

    assert leanops("db", "upgrade", "--database", empty_db_url).returncode == 0
    email = f"it-{uuid.uuid4().hex[:8]}@plant.test"
    made = leanops(
        "db",
        "init-admin",
        email,
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="first-admin-pw\n",
    )
    assert made.returncode == 0, made.stderr
    again = leanops(
        "db",
        "init-admin",
        "x" + email,
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="first-admin-pw\n",
    )
    assert again.returncode == 2 and "admin account exists" in again.stderr
    operator = "op-" + email
    added = leanops(
        "user",
        "add",
        operator,
        "--role",
        "operator",
        "--password-stdin",
        "--database",
        empty_db_url,
        stdin="operator-pw-1\n",
    )
    assert added.returncode == 0, added.stderr
    signed = auth.sign_in(empty_db_url, operator, "operator-pw-1")
    signed.db.dispose()
    assert signed.actor.role == "operator"


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.postgres
def test_demo_on_postgres_gives_working_demo_accounts(empty_db_url: str) -> None:
    from leanops_desktop.services import auth

    assert leanops("db", "upgrade", "--database", empty_db_url).returncode == 0
    demo = leanops("demo", "--database", empty_db_url)
    assert demo.returncode == 0, demo.stderr
    email, role, password = DEMO_USERS[2]
    signed = auth.sign_in(empty_db_url, email, password)
    signed.db.dispose()
    assert signed.actor.role == role
