"""Accounts: Argon2 passwords, roles, disabling, and the last admin kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

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
from leanops_desktop.services import users


def test_add_and_sign_in(db: Database, admin: Actor) -> None:
    with db.session() as session:
        row = users.add_user(
            session, admin, email=" Olga@Plant.TEST ", role="operator", password="s3cret-pass"
        )
        assert (row.email, row.role, row.is_active) == ("olga@plant.test", Role.OPERATOR, True)
        stored = session.scalar(select(User.password_hash))
        assert stored is not None and stored.startswith("$argon2id$")
        assert "s3cret-pass" not in stored
        actor = users.authenticate(session, "OLGA@plant.test", "s3cret-pass")
        assert (actor.email, actor.role) == ("olga@plant.test", Role.OPERATOR)
        with pytest.raises(AlreadyExists):
            users.add_user(
                session, admin, email="olga@plant.test", role="admin", password="another-pass"
            )


def test_wrong_password_and_unknown_email_read_the_same(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.add_user(session, admin, email="a@plant.test", role="operator", password="right-pass")
        with pytest.raises(AuthenticationFailed) as wrong:
            users.authenticate(session, "a@plant.test", "wrong-pass")
        with pytest.raises(AuthenticationFailed) as unknown:
            users.authenticate(session, "nobody@plant.test", "wrong-pass")
    assert str(wrong.value) == str(unknown.value) == "wrong email or password"


def test_disabled_accounts_cannot_sign_in(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.add_user(session, admin, email="a@plant.test", role="operator", password="right-pass")
        users.set_active(session, admin, "a@plant.test", False)
        with pytest.raises(AuthenticationFailed, match="disabled"):
            users.authenticate(session, "a@plant.test", "right-pass")
        users.set_active(session, admin, "a@plant.test", True)
        assert users.authenticate(session, "a@plant.test", "right-pass").role == Role.OPERATOR


def test_role_change_and_password_reset_are_logged(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.add_user(session, admin, email="a@plant.test", role="operator", password="first-pass")
        assert users.set_role(session, admin, "a@plant.test", "supervisor").role == Role.SUPERVISOR
        users.set_password(session, admin, "a@plant.test", "second-pass")
        with pytest.raises(AuthenticationFailed):
            users.authenticate(session, "a@plant.test", "first-pass")
        assert users.authenticate(session, "a@plant.test", "second-pass").role == Role.SUPERVISOR
        logged = session.scalars(select(EventLog.event_type).order_by(EventLog.timestamp)).all()
    assert logged == ["user_created", "user_role_changed", "user_password_reset"]


def test_the_last_admin_cannot_be_disabled_or_demoted(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.add_user(session, admin, email="root@plant.test", role="admin", password="admin-pass")
        with pytest.raises(RuleViolation, match="last active admin"):
            users.set_active(session, admin, "root@plant.test", False)
        with pytest.raises(RuleViolation, match="last active admin"):
            users.set_role(session, admin, "root@plant.test", "operator")


def test_only_admins_manage_users(db: Database, supervisor: Actor) -> None:
    with db.session() as session, pytest.raises(PermissionDenied, match="admin role"):
        users.add_user(session, supervisor, email="x@plant.test", role="admin", password="x" * 9)
