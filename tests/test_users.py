"""Accounts on both backends: Argon2 hashes on SQLite, SCRAM LOGIN roles on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import (
    AlreadyExists,
    AuthenticationFailed,
    PermissionDenied,
    RuleViolation,
)
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, User
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.accounts.pg_users import scram_verifier


@pytest.fixture
def new_email() -> Callable[[str], str]:
    """Unique addresses: PostgreSQL login roles are shared by every database of a cluster."""
    return lambda name: f"{name}-{uuid.uuid4().hex[:8]}@plant.test"


@pytest.fixture
def signed_in(db_url: str) -> Iterator[Callable[[str, str], Actor]]:
    opened: list[Database] = []

    def sign_in(email: str, password: str) -> Actor:
        result = auth.sign_in(db_url, email, password)
        opened.append(result.db)
        return result.actor

    yield sign_in
    for database in opened:
        database.dispose()


def test_add_and_sign_in(
    db: Database,
    admin: Actor,
    new_email: Callable[[str], str],
    signed_in: Callable[[str, str], Actor],
) -> None:
    email = new_email("olga")
    with db.session() as session:
        row = users.add_user(
            session, admin, email=f" {email.upper()} ", role="operator", password="s3cret-pass"
        )
        assert (row.email, row.role, row.is_active) == (email, Role.OPERATOR, True)
        with pytest.raises(AlreadyExists):
            users.add_user(session, admin, email=email, role="admin", password="another-pass")
        if db.backend == "sqlite":
            stored = session.scalar(select(User.password_hash))
            assert stored is not None and stored.startswith("$argon2id$")
        else:
            stored = session.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": email}
            ).scalar()
            assert stored is not None and stored.startswith("SCRAM-SHA-256$")
        assert "s3cret-pass" not in stored
    actor = signed_in(email.upper(), "s3cret-pass")
    assert (actor.email, actor.role) == (email, Role.OPERATOR)


def test_wrong_password_and_unknown_email_read_the_same(
    db: Database,
    admin: Actor,
    new_email: Callable[[str], str],
    signed_in: Callable[[str, str], Actor],
) -> None:
    email = new_email("a")
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password="right-pass")
    with pytest.raises(AuthenticationFailed) as wrong:
        signed_in(email, "wrong-pass")
    with pytest.raises(AuthenticationFailed) as unknown:
        signed_in(new_email("nobody"), "wrong-pass")
    assert str(wrong.value) == str(unknown.value) == "wrong email or password"


def test_disabled_accounts_cannot_sign_in(
    db: Database,
    admin: Actor,
    new_email: Callable[[str], str],
    signed_in: Callable[[str, str], Actor],
) -> None:
    email = new_email("a")
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password="right-pass")
        users.set_active(session, admin, email, False)
    with pytest.raises(AuthenticationFailed, match="disabled"):
        signed_in(email, "right-pass")
    with db.session() as session:
        users.set_active(session, admin, email, True)
    assert signed_in(email, "right-pass").role == Role.OPERATOR


def test_role_change_and_password_reset_are_logged(
    db: Database,
    admin: Actor,
    new_email: Callable[[str], str],
    signed_in: Callable[[str, str], Actor],
) -> None:
    email = new_email("a")
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password="first-pass")
        assert users.set_role(session, admin, email, "supervisor").role == Role.SUPERVISOR
        users.set_password(session, admin, email, "second-pass")
    with pytest.raises(AuthenticationFailed):
        signed_in(email, "first-pass")
    assert signed_in(email, "second-pass").role == Role.SUPERVISOR
    with db.session() as session:
        logged = session.scalars(select(EventLog.event_type).order_by(EventLog.timestamp)).all()
    assert logged == ["user_created", "user_role_changed", "user_password_reset"]


def test_the_last_admin_cannot_be_disabled_or_demoted(
    db: Database, admin: Actor, new_email: Callable[[str], str]
) -> None:
    email = new_email("root")
    with db.session() as session:
        users.add_user(session, admin, email=email, role="admin", password="admin-pass")
        with pytest.raises(RuleViolation, match="last active admin"):
            users.set_active(session, admin, email, False)
        with pytest.raises(RuleViolation, match="last active admin"):
            users.set_role(session, admin, email, "operator")


def test_init_admin_only_while_there_is_none(
    db: Database, new_email: Callable[[str], str], signed_in: Callable[[str, str], Actor]
) -> None:
    first = new_email("it")
    with db.session() as session:
        assert users.init_admin(session, first, "first-admin-pw").role == Role.ADMIN
        with pytest.raises((RuleViolation, PermissionDenied), match="admin account exists"):
            users.init_admin(session, new_email("it2"), "second-admin-pw")
    assert signed_in(first, "first-admin-pw").role == Role.ADMIN


def test_only_admins_manage_users(db: Database, supervisor: Actor) -> None:
    with db.session() as session, pytest.raises(PermissionDenied, match="admin role"):
        users.add_user(session, supervisor, email="x@plant.test", role="admin", password="x" * 9)


def test_scram_verifier_matches_postgres_format() -> None:
    verifier = scram_verifier("pencil", salt=b"0123456789abcdef")
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    assert method == "SCRAM-SHA-256" and iterations_salt.startswith("4096:")
    assert (
        len(keys.split(":")) == 2 and scram_verifier("pencil", salt=b"0123456789abcdef") == verifier
    )


SENTINEL = "Sentinel-Secret-93f1c"


@pytest.mark.parametrize("target", ["wrong", "unreachable"])
def test_passwords_never_reach_logs_or_errors(
    db_url: str, target: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    url = db_url if target == "wrong" else "postgresql://x@127.0.0.1:1/leanops"
    caplog.set_level(logging.DEBUG)
    with pytest.raises((AuthenticationFailed, auth.DatabaseUnavailable)) as caught:
        auth.sign_in(url, "someone@plant.test", SENTINEL)
    expected = AuthenticationFailed if target == "wrong" else auth.DatabaseUnavailable
    assert type(caught.value) is expected
    assert SENTINEL not in str(caught.value) and SENTINEL not in repr(caught.value)
    assert caught.value.__cause__ is None or SENTINEL not in str(caught.value.__cause__)
    assert all(SENTINEL not in record.getMessage() for record in caplog.records)
    assert SENTINEL not in caplog.text


def test_signing_in_to_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(auth.DatabaseUnavailable, match="does not exist"):
        auth.sign_in(f"sqlite:///{missing}", "a@plant.test", "whatever-pw")
    assert not missing.exists()
