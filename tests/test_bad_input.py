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
from leanops_desktop.services.accounts import users
from leanops_desktop.services.analytics_scope import Scope
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import history, queries
from leanops_desktop.services.reporting import production
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
    ("control characters", new_job(part_name="a\x07b"), ValidationError, "control"),
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


# -- text no database can store, and huge values ------------------------------------------

NUL = "contains a NUL byte"
SURROGATE = "contains an invalid character (lone surrogate U+D800)"
HUGE = "J" * 1_000_000


def add_user(email: str = "x@plant.test", password: str = "x" * 10) -> Call:
    return lambda s, a: users.add_user(s, a, email=email, role="operator", password=password)


#: (name, call, field the message must name); each runs once with a NUL, once with '\ud800'.
TEXT_INPUTS: list[tuple[str, Callable[[str], Call], str]] = [
    ("new job id", lambda bad: new_job(job_id=f"JOB{bad}1"), "job id"),
    ("part name", lambda bad: new_job(part_name=f"Bracket{bad}"), "part name"),
    ("due date", lambda bad: new_job(due_date=f"2030-01-0{bad}"), "due date"),
    ("priority", lambda bad: new_job(priority=f"high{bad}"), "priority"),
    ("new station id", lambda bad: new_station(station_id=f"ST{bad}"), "station id"),
    ("station name", lambda bad: new_station(name=f"Press{bad}"), "name"),
    ("line", lambda bad: new_station(line=f"Line{bad}"), "line"),
    (
        "renamed station",
        lambda bad: lambda s, a: stations.update_station(s, a, "ST-01", name=f"P{bad}"),
        "name",
    ),
    (
        "edited part name",
        lambda bad: lambda s, a: jobs.update_job(s, a, "JOB-1002", part_name=f"P{bad}"),
        "part name",
    ),
    (
        "edited job id",
        lambda bad: lambda s, a: jobs.update_job(s, a, f"JOB{bad}", qty_total=3),
        "job id",
    ),
    (
        "block reason",
        lambda bad: lambda s, a: stations.block_station(s, a, "ST-02", f"jam{bad}"),
        "reason",
    ),
    (
        "blocked station id",
        lambda bad: lambda s, a: stations.block_station(s, a, f"ST{bad}", "jam"),
        "station id",
    ),
    (
        "unblocked station id",
        lambda bad: lambda s, a: stations.unblock_station(s, a, f"ST{bad}"),
        "station id",
    ),
    (
        "deactivated station id",
        lambda bad: lambda s, a: stations.set_station_active(s, a, f"ST{bad}", False),
        "station id",
    ),
    (
        "assigned job id",
        lambda bad: lambda s, a: dispatch.assign_job(s, a, f"JOB{bad}", "ST-02"),
        "job id",
    ),
    (
        "assigned to station id",
        lambda bad: lambda s, a: dispatch.assign_job(s, a, "JOB-1002", f"ST{bad}"),
        "station id",
    ),
    (
        "unassigned station id",
        lambda bad: lambda s, a: dispatch.unassign_job(s, a, f"ST{bad}"),
        "station id",
    ),
    (
        "moved to station id",
        lambda bad: lambda s, a: dispatch.move_job(s, a, "JOB-1001", "ST-01", f"ST{bad}"),
        "to station id",
    ),
    (
        "completed job id",
        lambda bad: lambda s, a: dispatch.complete_job(s, a, f"JOB{bad}"),
        "job id",
    ),
    ("reported station id", lambda bad: report(1, station=f"ST{bad}"), "station id"),
    ("reported job id", lambda bad: report(1, job=f"JOB{bad}"), "job id"),
    (
        "reported by",
        lambda bad: (
            lambda s, a: production.report_quantity(
                s,
                a,
                station_id="ST-01",
                job_id="JOB-1001",
                qty=1,
                report_id=uuid.uuid4(),
                reported_by=f"olga{bad}@plant.test",
            )
        ),
        "reported by",
    ),
    ("new email", lambda bad: add_user(email=f"x{bad}@plant.test"), "email"),
    ("new password", lambda bad: add_user(password=f"long-enough{bad}"), "password"),
    (
        "email of a role change",
        lambda bad: lambda s, a: users.set_role(s, a, f"x{bad}@plant.test", "admin"),
        "email",
    ),
    (
        "email of a password reset",
        lambda bad: lambda s, a: users.set_password(s, a, f"x{bad}@plant.test", "x" * 10),
        "email",
    ),
    (
        "reset password",
        lambda bad: lambda s, a: users.set_password(s, a, "x@plant.test", f"x{bad}" * 5),
        "password",
    ),
    (
        "email of a disabled account",
        lambda bad: lambda s, a: users.set_active(s, a, f"x{bad}@plant.test", False),
        "email",
    ),
    (
        "signed-in email",
        lambda bad: lambda s, a: users.authenticate(s, f"x{bad}@plant.test", "x" * 10),
        "email",
    ),
    (
        "signed-in password",
        lambda bad: lambda s, a: users.authenticate(s, "x@plant.test", f"pw{bad}word"),
        "password",
    ),
    (
        "looked-up job",
        lambda bad: lambda s, a: queries.get_job(s, f"JOB{bad}"),
        "job id",
    ),
    (
        "looked-up station",
        lambda bad: lambda s, a: queries.get_station(s, f"ST{bad}"),
        "station id",
    ),
    (
        "event filter",
        lambda bad: lambda s, a: history.list_events(s, station_id=f"ST{bad}"),
        "station id",
    ),
    (
        "analytics line",
        lambda bad: lambda s, a: Scope(line=f"Line{bad}"),
        "line",
    ),
    (
        "analytics job",
        lambda bad: lambda s, a: Scope(job_id=f"JOB{bad}"),
        "job id",
    ),
]

BAD_TEXT = [
    pytest.param("\x00", NUL, id="nul"),
    pytest.param("\ud800", SURROGATE, id="surrogate"),
]


@pytest.mark.parametrize(("bad", "problem"), BAD_TEXT)
@pytest.mark.parametrize(
    ("name", "make", "field"), TEXT_INPUTS, ids=[case[0] for case in TEXT_INPUTS]
)
def test_text_no_database_can_store_is_refused_by_validation(
    plant: Database,
    admin: Actor,
    name: str,
    make: Callable[[str], Call],
    field: str,
    bad: str,
    problem: str,
) -> None:
    """Never a DataError or UnicodeEncodeError from the driver: a ValidationError first."""
    before = snapshot(plant)
    with plant.session() as session, pytest.raises(ValidationError) as caught:
        make(bad)(session, admin)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: {problem}"
    assert snapshot(plant) == before


def test_a_bad_report_in_a_batch_is_refused_alone(plant: Database, admin: Actor) -> None:
    from leanops_desktop.services.reporting.report_request import ReportRequest

    requests = [
        ReportRequest("ST\x00", "JOB-1001", 1, uuid.uuid4()),
        ReportRequest("ST-01", "JOB\ud800", 1, uuid.uuid4()),
        ReportRequest("ST-01", "JOB-1001", 1, uuid.uuid4(), reported_by="o\x00@plant.test"),
        ReportRequest("ST-01", "JOB-1001", 2, uuid.uuid4()),
    ]
    with plant.session() as session:
        outcomes = production.report_quantities(session, admin, requests)
    assert [str(outcome) for outcome in outcomes[:3]] == [
        f"station id: {NUL}",
        f"job id: {SURROGATE}",
        f"reported by: {NUL}",
    ]
    assert isinstance(outcomes[3], production.ReportResult) and outcomes[3].counted


HUGE_INPUTS: list[tuple[str, Call, str]] = [
    ("new job id", new_job(job_id=HUGE), "job id"),
    ("part name", new_job(part_name=HUGE), "part name"),
    ("due date", new_job(due_date=HUGE), "due date"),
    ("priority", new_job(priority=HUGE), "priority"),
    ("assigned job id", lambda s, a: dispatch.assign_job(s, a, HUGE, "ST-02"), "job id"),
    ("reported job id", report(1, job=HUGE), "job id"),
    (
        "report id",
        lambda s, a: production.report_quantity(
            s, a, station_id="ST-01", job_id="JOB-1001", qty=1, report_id=HUGE
        ),
        "report id",
    ),
    ("new email", add_user(email=HUGE + "@plant.test"), "email"),
    ("looked-up job", lambda s, a: queries.get_job(s, HUGE), "job id"),
]


@pytest.mark.parametrize(("name", "call", "field"), HUGE_INPUTS, ids=[c[0] for c in HUGE_INPUTS])
def test_a_huge_value_is_quoted_by_its_start_only(
    plant: Database, admin: Actor, name: str, call: Call, field: str
) -> None:
    before = snapshot(plant)
    with plant.session() as session, pytest.raises(ValidationError) as caught:
        call(session, admin)
    message = str(caught.value)
    assert caught.value.field == field
    assert len(message) < 300, message[:300]
    assert "JJJJ" in message or "characters" in message
    if "JJJJ" in message:
        assert "(1,000,000 characters)" in message or "(1,000,011 characters)" in message
    assert snapshot(plant) == before


def test_not_found_quotes_a_long_key_by_its_start_only() -> None:
    message = str(NotFound("job", "J" * 5000))
    assert len(message) < 120 and message.endswith("… (5,000 characters) does not exist")


@pytest.mark.parametrize(
    "email",
    [
        "a" * 53 + "@plant.test",  # 64 bytes
        "é" * 26 + "@plant.test",  # 37 characters, 63 bytes: allowed
        "é" * 27 + "@plant.test",  # 38 characters, 65 bytes in UTF-8
    ],
    ids=["64-ascii", "63-bytes", "65-utf8"],
)
def test_an_email_longer_than_63_bytes_is_refused_on_both_backends(
    plant: Database, admin: Actor, email: str
) -> None:
    size = len(email.encode("utf-8"))
    before = snapshot(plant)
    with plant.session() as session:
        if size <= 63:
            users.add_user(session, admin, email=email, role="operator", password="x" * 10)
            return
        for create in (
            lambda: users.add_user(session, admin, email=email, role="operator", password="x" * 10),
            lambda: users.init_admin(session, email, "x" * 10),
        ):
            with pytest.raises(ValidationError) as caught:
                create()
            assert f"is {size} bytes long (UTF-8); at most 63 allowed" in str(caught.value)
            assert "PostgreSQL" in str(caught.value)
    assert snapshot(plant) == before


def test_sign_in_refuses_text_no_account_can_have(plant: Database) -> None:
    from leanops_desktop.services.accounts import auth

    url = plant.url.render_as_string(hide_password=False)
    for email, password, expected in (
        ("x\x00@plant.test", "x" * 10, f"email: {NUL}"),
        ("x@plant.test", "pw\ud800word", f"password: {SURROGATE}"),
    ):
        with pytest.raises(ValidationError) as caught:
            auth.sign_in(url, email, password)
        assert str(caught.value) == expected
