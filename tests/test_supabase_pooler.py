"""Supabase's shared pooler: LeanOps sends ``role.project-ref`` as the user name itself.

Supavisor cannot run here (it is Supabase's service, not PostgreSQL), so the user names are
checked where they are built: the URL pasted or configured, the URL of a sign-in, of a
kiosk's device login and of the live feed. What can run on the local cluster does: the
project option rides along in the URL and is never sent to the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leanops_desktop.config import load_config, resolve_database_url
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import normalize_url, open_database
from leanops_desktop.db.feed_wakeup import PgListener
from leanops_desktop.db.supabase import PROJECT_OPTION, is_pooler, login_url, project_ref
from leanops_desktop.services.kiosk.kiosk_devices import Enrolment

POOLER = "aws-0-eu-central-1.pooler.supabase.com"
REF = "abcd1234"


def supavisor_split(user: str) -> tuple[str, str]:
    """How Supavisor reads a user name: role and project, split at the last dot."""
    role, _, project = user.rpartition(".")
    return role, project


def connect_user(raw_url: str, typed_email: str | None = None) -> str | None:
    """The user name LeanOps connects with (as at sign-in when ``typed_email`` is given)."""
    url = normalize_url(raw_url)
    if typed_email is not None:
        url = url.set(username=typed_email)  # what sign-in does with the typed e-mail
    db = open_database(url, password="secret")
    try:
        return db.url.username
    finally:
        db.dispose()


def test_the_dashboards_session_pooler_url_keeps_its_user() -> None:
    pasted = f"postgresql://postgres.{REF}@{POOLER}:5432/postgres"
    assert connect_user(pasted) == f"postgres.{REF}"


def test_sign_in_sends_the_email_with_the_reference_of_the_url() -> None:
    seat_url = f"postgresql://postgres.{REF}@{POOLER}:5432/postgres"
    user = connect_user(seat_url, "olga@plant.example")
    assert user == f"olga@plant.example.{REF}"
    assert supavisor_split(user) == ("olga@plant.example", REF)


def test_the_reference_from_leanops_toml(tmp_path: Path) -> None:
    site = tmp_path / "leanops.toml"
    site.write_text(
        f'[database]\nurl = "postgresql://{POOLER}:5432/postgres"\nsupabase_project = "{REF}"\n'
    )
    config = load_config(site)
    assert config.supabase_project == REF
    url = resolve_database_url(None, config)
    assert make_url(url).query[PROJECT_OPTION] == REF
    assert connect_user(url, "olga@plant.example") == f"olga@plant.example.{REF}"
    # IT's command line with the owner's account, same file
    it_url = resolve_database_url(f"postgresql://postgres@{POOLER}:5432/postgres", config)
    assert connect_user(it_url) == f"postgres.{REF}"


def test_a_user_that_already_ends_with_the_reference_is_not_doubled(tmp_path: Path) -> None:
    url = f"postgresql://{POOLER}:5432/postgres?{PROJECT_OPTION}={REF}"
    assert connect_user(url, f"olga@plant.example.{REF}") == f"olga@plant.example.{REF}"


def test_a_kiosk_device_login_gets_the_reference_too() -> None:
    # what enrolment stores: the URL it was enrolled on, without user and password
    database = f"postgresql+psycopg://{POOLER}:5432/postgres?{PROJECT_OPTION}={REF}"
    enrolment = Enrolment("leanops_kiosk_st_01_x1", "device-secret", "ST-01", database)
    db = open_database(enrolment.url())
    try:
        assert db.url.username == f"leanops_kiosk_st_01_x1.{REF}"
        live = PgListener.connect_kwargs(db.engine)
        assert live["user"] == f"leanops_kiosk_st_01_x1.{REF}"
        assert PROJECT_OPTION not in live  # never sent to the server
    finally:
        db.dispose()


def test_other_hosts_are_left_alone() -> None:
    direct = f"postgresql://olga.smith@db.{REF}.supabase.co:5432/postgres"
    assert not is_pooler(normalize_url(direct))
    assert project_ref(normalize_url(direct)) is None
    assert connect_user(direct) == "olga.smith"
    assert connect_user("postgresql://db.plant.local/leanops", "olga@plant.example") == (
        "olga@plant.example"
    )


def test_a_pooler_url_without_any_reference_is_refused() -> None:
    url = normalize_url(f"postgresql://postgres@{POOLER}:5432/postgres")
    with pytest.raises(ConfigError, match="supabase_project"):
        login_url(url)


@pytest.mark.parametrize("bad", ["ABCD", "ab cd", "abcd.1234", "", "x" * 41])
def test_a_malformed_reference_in_the_config_is_refused(tmp_path: Path, bad: str) -> None:
    site = tmp_path / "leanops.toml"
    site.write_text(f'[database]\nsupabase_project = "{bad}"\n')
    with pytest.raises(ConfigError, match=r"\[database\] supabase_project"):
        load_config(site)


@pytest.mark.postgres
def test_the_option_is_never_sent_to_the_server(pg_server_url: str) -> None:
    """On a real server the URL option stays LeanOps' own: the pool and the live feed's
    own connection both connect (PostgreSQL refuses an unknown connection option)."""
    url = normalize_url(pg_server_url).update_query_dict({PROJECT_OPTION: REF})
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
        listener = PgListener.open(PgListener.connect_kwargs(db.engine))
        listener.close()
    finally:
        db.dispose()


def test_the_poolers_refusal_reads_as_a_wrong_sign_in() -> None:
    from leanops_desktop.db.supabase import pooler_refusal

    pooler = normalize_url(f"postgresql://postgres.{REF}@{POOLER}:5432/postgres")
    said = "connection failed: FATAL:  Tenant or user not found"
    assert pooler_refusal(pooler, said) == (
        "wrong email or password (or Supabase's pooler does not know project"
        f" {REF}: check [database] supabase_project)"
    )
    assert pooler_refusal(pooler, "timeout expired") is None
    assert pooler_refusal(normalize_url("postgresql://db.plant.local/leanops"), said) is None
