"""Every bad input gets a specific error with a readable message and writes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    AlreadyExists,
    LeanOpsError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from leanops_desktop.db.engine import Database
from leanops_desktop.services import dispatch, jobs, production, stations, users
from tests.factories import make_job, make_station

TABLES = (
    "stations",
    "jobs",
    "station_assignments",
    "performance_logs",
    "events_log",
    "users",
    "change_feed",
)


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as connection:
        return {
            table: sorted(
                (
                    tuple(str(value) for value in row)
                    for row in connection.execute(text(f"SELECT * FROM {table}"))
                ),
            )
            for table in TABLES
        }


Call = Callable[[Session, Actor], object]


def report(qty: object, station: str = "ST-01", job: str = "JOB-1001") -> Call:
    return lambda s, a: production.report_quantity(
        s,
        a,
        station_id=station,
        job_id=job,
        qty=qty,
        report_id=uuid.uuid4(),  # type: ignore[arg-type]
    )


def new_job(**overrides: object) -> Call:
    fields: dict[str, Any] = {
        "job_id": "JOB-2000",
        "part_name": "Bracket",
        "qty_total": 10,
        "due_date": "2030-01-31",
    }
    fields.update(overrides)
    return lambda s, a: jobs.create_job(s, a, **fields)


def new_station(**overrides: object) -> Call:
    fields: dict[str, Any] = {"station_id": "ST-50", "name": "Press", "line": "Line C"}
    fields.update(overrides)
    return lambda s, a: stations.create_station(s, a, **fields)


CASES: list[tuple[str, Call, type[LeanOpsError], str]] = [
    ("zero quantity", report(0), ValidationError, "at least 1"),
    ("negative quantity", report(-5), ValidationError, "at least 1"),
    ("huge quantity", report(10**12), ValidationError, "more than"),
    ("fractional quantity", report(1.5), ValidationError, "whole number"),
    ("text quantity", report("7"), ValidationError, "whole number"),
    ("boolean quantity", report(True), ValidationError, "whole number"),
    ("unknown station", report(1, station="ST-99"), NotFound, "station ST-99"),
    ("unknown job", report(1, job="JOB-9999", station="ST-02"), NotFound, "job JOB-9999"),
    ("job not on that station", report(1, station="ST-02"), RuleViolation, "not running"),
    ("10 kB part name", new_job(part_name="x" * 10_000), ValidationError, "at most 200"),
    ("empty part name", new_job(part_name="   "), ValidationError, "must not be empty"),
    ("control characters", new_job(part_name="a\x00b"), ValidationError, "control"),
    ("SQL in an id", new_job(job_id="JOB'; DROP TABLE jobs;--"), ValidationError, "not a valid id"),
    ("space in an id", new_job(job_id="JOB 1"), ValidationError, "not a valid id"),
    ("duplicate job id", new_job(job_id="JOB-1001"), AlreadyExists, "job JOB-1001 already"),
    ("impossible date", new_job(due_date="2026-02-30"), ValidationError, "YYYY-MM-DD"),
    ("american date", new_job(due_date="11/24/2026"), ValidationError, "YYYY-MM-DD"),
    ("date as number", new_job(due_date=20261124), ValidationError, "must be a date"),
    ("zero total", new_job(qty_total=0), ValidationError, "at least 1"),
    ("huge total", new_job(qty_total=10**12), ValidationError, "more than"),
    ("unknown priority", new_job(priority="urgent"), ValidationError, "normal, high"),
    ("duplicate station", new_station(station_id="ST-01"), AlreadyExists, "station ST-01"),
    ("10 kB station name", new_station(name="é" * 10_000), ValidationError, "at most 200"),
    (
        "assign unknown job",
        lambda s, a: dispatch.assign_job(s, a, "JOB-404", "ST-02"),
        NotFound,
        "job JOB-404",
    ),
    (
        "assign busy station",
        lambda s, a: dispatch.assign_job(s, a, "JOB-1002", "ST-01"),
        RuleViolation,
        "already working",
    ),
    (
        "move to same station",
        lambda s, a: dispatch.move_job(s, a, "JOB-1001", "ST-01", "ST-01"),
        RuleViolation,
        "already on",
    ),
    (
        "block without reason",
        lambda s, a: stations.block_station(s, a, "ST-02", " "),
        ValidationError,
        "reason: must not be empty",
    ),
    (
        "unblock a running station",
        lambda s, a: stations.unblock_station(s, a, "ST-01"),
        RuleViolation,
        "not blocked",
    ),
    (
        "edit completed job",
        lambda s, a: jobs.update_job(s, a, "JOB-0999", qty_total=5),
        RuleViolation,
        "completed",
    ),
    (
        "bad report id",
        lambda s, a: production.report_quantity(
            s, a, station_id="ST-01", job_id="JOB-1001", qty=1, report_id="not-a-uuid"
        ),
        ValidationError,
        "not a UUID",
    ),
    (
        "short password",
        lambda s, a: users.add_user(s, a, email="x@plant.test", role="operator", password="short"),
        ValidationError,
        "at least 8",
    ),
    (
        "bad email",
        lambda s, a: users.add_user(s, a, email="not an email", role="operator", password="x" * 10),
        ValidationError,
        "not an email",
    ),
    (
        "unknown role",
        lambda s, a: users.add_user(s, a, email="x@plant.test", role="boss", password="x" * 10),
        ValidationError,
        "operator, supervisor, admin",
    ),
]


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    make_station(db, admin, "ST-01")
    make_station(db, admin, "ST-02")
    make_job(db, admin, "JOB-1001")
    make_job(db, admin, "JOB-1002")
    make_job(db, admin, "JOB-0999")
    with db.session() as session:
        dispatch.assign_job(session, admin, "JOB-1001", "ST-01")
        dispatch.complete_job(session, admin, "JOB-0999")
    return db


@pytest.mark.parametrize(("name", "call", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_nothing_is_written(
    plant: Database, admin: Actor, name: str, call: Call, error: type[LeanOpsError], message: str
) -> None:
    before = snapshot(plant)
    with plant.session() as session, pytest.raises(error) as caught:
        call(session, admin)
    assert type(caught.value) is error
    assert message in str(caught.value)
    assert "Traceback" not in str(caught.value) and len(str(caught.value)) < 300
    assert snapshot(plant) == before


def test_refused_permission_writes_nothing(plant: Database, operator: Actor) -> None:
    before = snapshot(plant)
    with plant.session() as session, pytest.raises(PermissionDenied, match="supervisor role"):
        jobs.create_job(
            session, operator, job_id="JOB-7", part_name="P", qty_total=1, due_date="2030-01-01"
        )
    assert snapshot(plant) == before


@pytest.mark.parametrize(
    "part_name", ["Bügel Ø12 — «spécial»", 'O\'Brien "quoted" ; DROP TABLE jobs; --', "支架 A/B"]
)
def test_quotes_metacharacters_and_non_ascii_are_stored_as_typed(
    plant: Database, admin: Actor, part_name: str
) -> None:
    with plant.session() as session:
        jobs.create_job(
            session,
            admin,
            job_id="JOB-3000",
            part_name=part_name,
            qty_total=3,
            due_date="2030-01-01",
        )
        assert jobs.update_job(session, admin, "JOB-3000", qty_total=4).part_name == part_name
    with plant.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jobs")).scalar() == 4
