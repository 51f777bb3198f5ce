"""A believable demo plant: lines, stations, jobs, 14 days of production, events and users.

The history is simulated (``demo_history.py``) and written here in bulk in one transaction,
with the demo accounts, into an empty database only. It writes the rows of every concept
(stations, jobs, reports, events, users) directly, so it sits above the services packages
rather than in one of them.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, Role
from leanops_desktop.core.errors import RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import (
    EventLog,
    Job,
    PerformanceLog,
    Station,
    StationAssignment,
    User,
)
from leanops_desktop.services.accounts.passwords import hash_password
from leanops_desktop.services.accounts.pg_users import call, scram_verifier
from leanops_desktop.services.demo_history import Plan, add_event, simulate
from leanops_desktop.services.demo_quality import apply_ideals, plan_quality, write_quality
from leanops_desktop.services.demo_stops import plan_stops, quiet_windows, write_stops

#: The demo accounts (documented in the README and shown on the demo sign-in dialog). These
#: published passwords are used only in an embedded SQLite demo (one PC, the file is the
#: plant); on PostgreSQL the accounts are server logins, so each gets a random password.
DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("admin@demo.leanops", Role.ADMIN, "demo-admin"),
    ("supervisor@demo.leanops", Role.SUPERVISOR, "demo-supervisor"),
    ("operator@demo.leanops", Role.OPERATOR, "demo-operator"),
)


def plant_demo_email(email: str, database: str) -> str:
    """A demo account's login on PostgreSQL: named after its database (``admin@<db>.demo.leanops``).

    Logins are server-wide and belong to one plant (one database), so two demo plants on one
    server cannot share ``admin@demo.leanops``. The name fits PostgreSQL's 63 bytes: a long
    database name is cut and completed with 8 hex digits of its md5.
    """
    local, _, domain = email.partition("@")
    slug = re.sub(r"[^a-z0-9-]+", "-", database.lower()).strip("-") or "plant"
    room = 63 - len(f"{local}@.{domain}")
    if len(slug) > room:
        digest = hashlib.md5(database.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        slug = f"{slug[: room - 9].rstrip('-')}-{digest}"
    return f"{local}@{slug}.{domain}"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    stations: int
    jobs: int
    logs: int
    events: int
    users: int
    #: (email, role, password) of the demo accounts as created: the published ones on
    #: SQLite, freshly generated ones on PostgreSQL (stored nowhere: show them once).
    accounts: tuple[tuple[str, Role, str], ...] = ()
    passwords_generated: bool = False


def random_password() -> str:
    """A password nobody can look up: 16 URL-safe characters from the OS's random source."""
    return secrets.token_urlsafe(12)


def create_demo_plant(
    session: Session,
    actor: Actor,
    *,
    now: datetime | None = None,
    days: int = 14,
    seed: int = 7,
) -> DemoSummary:
    """Fill an empty database with the demo plant; refuse a database that holds data."""
    require(actor, Action.MANAGE_USERS)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    plan = simulate(moment, days, random.Random(seed))
    windows = quiet_windows(plan, moment)
    quality = plan_quality(plan)
    apply_ideals(plan, quality)
    stops = plan_stops(plan, windows, quality.scrap, moment)
    with write_transaction(session):
        for model in (Station, Job, User, EventLog):
            if session.scalar(select(func.count()).select_from(model)):
                raise RuleViolation(
                    f"the database already holds data ({model.__tablename__} is not empty); "
                    "the demo plant goes only into an empty database"
                )
        session.execute(insert(Station), plan.stations)
        session.execute(insert(Job), list(plan.jobs.values()))
        if plan.assignments:
            session.execute(insert(StationAssignment), plan.assignments)
        for chunk in range(0, len(plan.logs), 5000):
            session.execute(insert(PerformanceLog), plan.logs[chunk : chunk + 5000])
        on_postgres = session.get_bind().dialect.name == "postgresql"
        database = str(session.get_bind().engine.url.database or "")
        accounts = tuple(
            (plant_demo_email(email, database), role, random_password())
            if on_postgres
            else (email, role, password)
            for email, role, password in DEMO_USERS
        )
        users = _create_demo_users(
            session, actor, moment - timedelta(days=days + 1), plan, accounts
        )
        write_quality(session, quality)
        events = plan.events + quality.events + stops.events
        for chunk in range(0, len(events), 5000):
            session.execute(insert(EventLog), events[chunk : chunk + 5000])
        write_stops(session, stops)
    return DemoSummary(
        stations=len(plan.stations),
        jobs=len(plan.jobs),
        logs=len(plan.logs),
        events=len(plan.events),
        users=users,
        accounts=accounts,
        passwords_generated=on_postgres,
    )


def _create_demo_users(
    session: Session,
    actor: Actor,
    when: datetime,
    plan: Plan,
    accounts: tuple[tuple[str, Role, str], ...],
) -> int:
    """The three demo accounts: Argon2 rows on SQLite, LOGIN roles on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        for email, role, password in accounts:  # the function writes its own event
            call(
                session,
                "leanops_create_user_internal",
                p_email=email,
                p_role=role.value,
                p_verifier=scram_verifier(password),
                p_actor=actor.email,
                p_reuse=True,
            )
        return len(accounts)
    rows = [
        {
            "id": uuid.uuid4(),
            "email": email,
            "role": role.value,
            "password_hash": hash_password(password),
            "is_active": True,
            "created_at": when,
        }
        for email, role, password in accounts
    ]
    session.execute(insert(User), rows)
    for email, role, _password in accounts:
        add_event(
            plan, when, EventType.USER_CREATED, actor, new={"email": email, "role": role.value}
        )
    return len(rows)
