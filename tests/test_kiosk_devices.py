"""Kiosks: a device bound to its station, operators by badge or PIN, the tap time, offline.

On both backends through the services; on PostgreSQL also as raw psycopg clients holding
nothing but the device's credential (what a copied kiosk disk gives an attacker).
"""

from __future__ import annotations

import json
import stat
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, PermissionDenied
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import EventLog, PerformanceLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.kiosk import (
    kiosk_devices,
    kiosk_floor,
    operator_credentials,
    operator_sign_in,
)
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession, Enrolment
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.kiosk.operator_sign_in import SignInStatus
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_sender import ReportSender
from tests.factories import make_job, make_station
from tests.pg_clients import connect_as, counts_off_their_logs
from tests.pg_server import admin_connect

PIN = "4711"
BADGE = "Badge-00AF17"
DENIED = "42501"


@dataclass
class Kiosk:
    db: Database
    url: str
    enrolment: Enrolment
    device: DeviceSession
    operator: str
    other: str


@pytest.fixture
def kiosk(db: Database, db_url: str, admin: Actor, tmp_path: Path) -> Iterator[Kiosk]:
    """ST-07 runs J-07, ST-08 runs J-08; an operator with a PIN and a badge; ST-07's kiosk."""
    tag = uuid.uuid4().hex[:6]
    operator, other = f"op-{tag}@plant.test", f"other-{tag}@plant.test"
    for email in (operator, other):
        with db.session() as session:
            users.add_user(session, admin, email=email, role="operator", password="Op-pw-1234")
    for station, job in (("ST-07", "J-07"), ("ST-08", "J-08")):
        make_station(db, admin, station)
        make_job(db, admin, job, qty_total=500)
        with db.session() as session:
            dispatch.assign_job(session, admin, job, station)
    with db.session() as session:
        operator_credentials.set_pin(session, admin, operator, PIN)
    with db.session() as session:
        operator_credentials.set_badge(session, admin, operator, BADGE)
    with db.session() as session:
        enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-07")
    device = kiosk_devices.open_device(enrolment)
    try:
        yield Kiosk(db, db_url, enrolment, device, operator, other)
    finally:
        device.close()


def _events(db: Database, event_type: str) -> list[EventLog]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(EventLog)
                .where(EventLog.event_type == event_type)
                .order_by(EventLog.timestamp)
            )
        )
        session.expunge_all()
    return rows


def _log(db: Database, log_id: uuid.UUID) -> PerformanceLog:
    with db.session() as session:
        row = session.get(PerformanceLog, log_id)
        assert row is not None
        session.expunge(row)
    return row


# -- enrolment -----------------------------------------------------------------------------


def test_enrolment_writes_a_private_file_and_a_device_login(kiosk: Kiosk, tmp_path: Path) -> None:
    path = kiosk_devices.save_enrolment(kiosk.enrolment, tmp_path)
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = kiosk_devices.load_enrolment("ST-07", tmp_path)
    assert loaded == kiosk.enrolment and loaded.password == kiosk.enrolment.password
    assert kiosk.device.station_id == "ST-07"
    if kiosk.db.backend == "postgresql":
        with admin_connect(kiosk.url) as conn:
            row = conn.execute(
                "SELECT rolcanlogin, pg_has_role(rolname, leanops_plant_role('device'), 'MEMBER')"
                " FROM pg_roles WHERE rolname = %s",
                (kiosk.enrolment.login,),
            ).fetchone()
        assert row == (True, True)
    # A file others may read is refused: the kiosk must be enrolled again.
    if sys.platform != "win32":
        path.chmod(0o644)
        with pytest.raises(Exception, match="can be read by other accounts"):
            kiosk_devices.load_enrolment("ST-07", tmp_path)


def test_revoking_disables_the_device_and_ends_its_sessions(kiosk: Kiosk, admin: Actor) -> None:
    raw: psycopg.Connection[Any] | None = None
    if kiosk.db.backend == "postgresql":
        raw = connect_as(kiosk.url, kiosk.enrolment.login, kiosk.enrolment.password)
        assert raw.execute("SELECT leanops_device_station()").fetchone() == ("ST-07",)
    assert operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator).ok
    with kiosk.db.session() as session:
        assert kiosk_devices.revoke_kiosks(session, admin, "ST-07") == [kiosk.enrolment.login]
    with pytest.raises(AuthenticationFailed):
        kiosk_devices.open_device(kiosk.enrolment)
    with kiosk.db.session() as session:  # its offline tokens are gone, on both backends
        tokens = session.execute(text("SELECT count(*) FROM kiosk_offline_tokens")).scalar()
        open_sign_ins = session.execute(
            text("SELECT count(*) FROM kiosk_sign_ins WHERE ended_at IS NULL")
        ).scalar()
    assert (tokens, open_sign_ins) == (0, 0)
    assert [e.meta["old"]["device"] for e in _events(kiosk.db, "kiosk_revoked")] == [
        kiosk.enrolment.login
    ]
    if raw is not None:
        with pytest.raises(psycopg.OperationalError):
            raw.execute("SELECT 1").fetchone()
        raw.close()
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            connect_as(kiosk.url, kiosk.enrolment.login, kiosk.enrolment.password)


# -- badge and PIN ---------------------------------------------------------------------------


def test_pin_and_badge_sign_in_at_the_kiosk(kiosk: Kiosk) -> None:
    by_pin = operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    assert by_pin.ok and by_pin.email == kiosk.operator and by_pin.role == Role.OPERATOR
    by_badge = operator_sign_in.sign_in(kiosk.device, Method.BADGE, BADGE.upper())
    assert by_badge.ok and by_badge.email == kiosk.operator  # badges ignore case
    assert not operator_sign_in.sign_in(kiosk.device, Method.BADGE, "nope-1234").ok
    assert not operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.other).ok
    signed = _events(kiosk.db, "operator_signed_in")
    assert [e.actor for e in signed] == [kiosk.operator, kiosk.operator]
    assert operator_sign_in.sign_out(kiosk.device, by_pin.sign_in_id)  # type: ignore[arg-type]


def _forget_failures(kiosk: Kiosk) -> None:
    """A minute passes (for the per-device rate limit)."""
    with kiosk.db.session() as session, session.begin():
        session.execute(text("DELETE FROM kiosk_sign_in_failures"))


def test_wrong_pins_are_rate_limited_then_lock_the_account(kiosk: Kiosk, admin: Actor) -> None:
    outcomes = [
        operator_sign_in.sign_in(kiosk.device, Method.PIN, "0000", kiosk.operator).status
        for _ in range(6)
    ]
    assert outcomes == [SignInStatus.REFUSED] * 5 + [SignInStatus.RATE_LIMITED]
    # Even the right PIN waits out the minute.
    right = operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    assert right.status == SignInStatus.RATE_LIMITED
    _forget_failures(kiosk)
    for _ in range(4):
        status = operator_sign_in.sign_in(kiosk.device, Method.PIN, "0000", kiosk.operator).status
        assert status == SignInStatus.REFUSED
    _forget_failures(kiosk)
    last = [
        operator_sign_in.sign_in(kiosk.device, Method.PIN, "0000", kiosk.operator).status
        for _ in range(1)
    ]
    assert last == [SignInStatus.LOCKED]  # the 10th wrong PIN in a row
    locked = _events(kiosk.db, "operator_locked")
    assert len(locked) == 1 and locked[0].meta["email"] == kiosk.operator
    _forget_failures(kiosk)
    right = operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    assert right.status == SignInStatus.LOCKED
    assert not operator_sign_in.sign_in(kiosk.device, Method.BADGE, BADGE).ok
    with kiosk.db.session() as session:
        credentials = {s.email: s for s in operator_credentials.credential_status(session, admin)}
    mine = credentials[kiosk.operator]
    assert mine.locked_at is not None and mine.has_badge
    with kiosk.db.session() as session:
        operator_credentials.set_pin(session, admin, kiosk.operator, "9876")  # unlocks
    assert operator_sign_in.sign_in(kiosk.device, Method.PIN, "9876", kiosk.operator).ok


# -- reports from the kiosk ---------------------------------------------------------------


def _report(kiosk: Kiosk, station: str, job: str, operator: str | None, at: datetime | None) -> Any:
    with kiosk.device.db.session() as session:
        return production.report_quantities(
            session,
            kiosk.device.actor,
            [
                production.ReportRequest(
                    station_id=station,
                    job_id=job,
                    qty=2,
                    report_id=uuid.uuid4(),
                    reported_by=operator,
                    tapped_at=at,
                )
            ],
        )[0]


def test_the_kiosk_reports_for_the_operator_signed_in_and_on_its_station_only(
    kiosk: Kiosk,
) -> None:
    tap = datetime.now(UTC) - timedelta(seconds=30)
    refused = _report(kiosk, "ST-07", "J-07", kiosk.operator, tap)
    assert isinstance(refused, Exception) and "sign-in" in str(refused)  # nobody signed in
    signed = operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    tap = datetime.now(UTC).replace(microsecond=0)
    counted = _report(kiosk, "ST-07", "J-07", kiosk.operator, tap)
    assert not isinstance(counted, Exception), counted
    assert _log(kiosk.db, counted.log_id).timestamp == tap
    (event,) = [e for e in _events(kiosk.db, "qty_reported") if e.meta.get("device")]
    assert event.actor == kiosk.operator
    assert event.meta["device"] == kiosk.enrolment.login
    assert event.meta["role"] == "operator" and event.meta["sign_in_id"] == str(signed.sign_in_id)
    assert event.meta["tap_time_kept"] is True
    elsewhere = _report(kiosk, "ST-08", "J-08", kiosk.operator, tap)
    assert isinstance(elsewhere, PermissionDenied), elsewhere
    # Someone who did not sign in here cannot be named as who tapped.
    assert isinstance(_report(kiosk, "ST-07", "J-07", kiosk.other, tap), Exception)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_tap_time_is_kept_when_plausible(kiosk: Kiosk, admin: Actor) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    cases = {
        "an hour ago": (now - timedelta(hours=1), True),
        "a minute ahead": (now + timedelta(minutes=1), True),
        "an hour ahead": (now + timedelta(hours=1), False),
        "eight days ago": (now - timedelta(days=8), False),
    }
    operator = Actor(email=kiosk.operator, role=Role.OPERATOR)
    for name, (claimed, kept) in cases.items():
        report_id = uuid.uuid4()
        with kiosk.db.session() as session:
            production.report_quantity(
                session, admin, station_id="ST-08", job_id="J-08", qty=1,
                report_id=report_id, reported_by=operator.email, tapped_at=claimed,
            )  # fmt: skip
        logged = _log(kiosk.db, report_id).timestamp
        if kept:
            assert logged == claimed, name
        else:
            assert abs(logged - datetime.now(UTC)) < timedelta(minutes=1), name
        (event,) = [
            e for e in _events(kiosk.db, "qty_reported") if e.meta["log_id"] == str(report_id)
        ]
        assert datetime.fromisoformat(event.meta["tapped_at"]) == claimed, name
        assert event.meta["tap_time_kept"] is kept, name


def test_the_sender_passes_the_tap_time_and_the_operator(kiosk: Kiosk, tmp_path: Path) -> None:
    operator_sign_in.sign_in(kiosk.device, Method.BADGE, BADGE)
    box = Outbox(tmp_path / "outbox.sqlite3")
    try:
        item = box.add_report(station_id="ST-07", job_id="J-07", qty=3, operator=kiosk.operator)
        undo = box.add_correction(item.id, operator=kiosk.operator)
        sender = ReportSender(box, kiosk.device.db, kiosk.device.actor, batch_size=1)
        try:
            result = sender.send_pending()
        finally:
            sender.close()
        assert result.sent == 2, result
    finally:
        box.close()
    assert _log(kiosk.db, item.id).timestamp == item.created_at
    (event,) = [e for e in _events(kiosk.db, "qty_reported") if e.meta["log_id"] == str(item.id)]
    assert event.actor == kiosk.operator and event.meta["device"] == kiosk.enrolment.login
    (taken,) = _events(kiosk.db, "qty_corrected")
    assert taken.meta["log_id"] == str(undo.id) and taken.actor == kiosk.operator
    assert taken.meta["device"] == kiosk.enrolment.login


def test_block_resume_and_complete_from_the_kiosk(kiosk: Kiosk) -> None:
    with pytest.raises(PermissionDenied):
        kiosk_floor.block_station(kiosk.device, kiosk.operator, "jam")  # nobody signed in
    operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    assert kiosk_floor.block_station(kiosk.device, kiosk.operator, "jam").status == "blocked"
    assert kiosk_floor.unblock_station(kiosk.device, kiosk.operator).status == "running"
    with pytest.raises(PermissionDenied):
        kiosk_floor.complete_job(kiosk.device, kiosk.other, "J-07")
    assert kiosk_floor.complete_job(kiosk.device, kiosk.operator, "J-07").status == "completed"
    for event_type in ("station_blocked", "station_unblocked", "job_completed"):
        (event,) = _events(kiosk.db, event_type)
        assert event.actor == kiosk.operator, event_type


# -- PostgreSQL: what a copied device credential can do ------------------------------------


def _device_conn(kiosk: Kiosk) -> psycopg.Connection[Any]:
    return connect_as(kiosk.url, kiosk.enrolment.login, kiosk.enrolment.password)


def _state(conn: psycopg.Connection[Any], statement: str, params: Any = None) -> str | None:
    try:
        with conn.transaction():
            conn.execute(statement, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate
    return None


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_device_login_does_its_station_and_nothing_else(kiosk: Kiosk) -> None:
    with _device_conn(kiosk) as conn:
        # Without an operator's PIN or badge it signs nobody in and reports for nobody.
        report = "SELECT code FROM leanops_report_batch(%s, %s, %s, %s, %s, %s, NULL, NULL, %s)"

        def batch(station: str, job: str, who: str) -> str:
            row = conn.execute(
                report,
                ([uuid.uuid4()], [station], [job], [1], [False], [who], [datetime.now(UTC)]),
            ).fetchone()
            assert row is not None
            return str(row[0])

        assert batch("ST-07", "J-07", kiosk.operator) == "LR001"
        wrong = conn.execute(
            "SELECT status FROM leanops_kiosk_sign_in('pin', %s, '1111')", (kiosk.operator,)
        ).fetchone()
        assert wrong == ("refused",)
        row = conn.execute(
            "SELECT status, email FROM leanops_kiosk_sign_in('badge', NULL, %s)", (BADGE,)
        ).fetchone()
        assert row == ("ok", kiosk.operator)
        assert batch("ST-07", "J-07", kiosk.operator) == "00000"
        assert batch("ST-08", "J-08", kiosk.operator) == "LR005"
        assert batch("ST-07", "J-07", kiosk.other) == "LR001"
        op = kiosk.operator
        scram = "'SCRAM-SHA-256$4096:a$b:c'"
        refused = {
            "block elsewhere": ("leanops_block_station('ST-08', 'x', NULL, NULL, %s)", "LR005"),
            "block for nobody": ("leanops_block_station('ST-07', 'x')", "LR005"),
            "complete elsewhere": (
                "leanops_complete_job('J-08', 'ST-08', NULL, NULL, %s)",
                "LR005",
            ),
            "complete, no station": ("leanops_complete_job('J-07', NULL, NULL, NULL, %s)", "LR005"),
            "assign": ("leanops_assign_job('J-08', 'ST-07', NULL, NULL)", DENIED),
            "create a job": (
                "leanops_create_job('J-9', 'x', 5, now()::date, 'normal', NULL, NULL)",
                DENIED,
            ),
            "set a PIN": ("leanops_set_operator_pin(%s, '1234')", DENIED),
            "enrol a kiosk": (f"leanops_enroll_kiosk('ST-08', {scram})", DENIED),
            "create a user": (f"leanops_create_user('x@y.z', 'admin', {scram})", DENIED),
            "read users": ("* FROM users", DENIED),
            "read PIN verifiers": ("* FROM operator_credentials", DENIED),
            "read offline tokens": ("* FROM kiosk_offline_tokens", DENIED),
            "read the pepper": ("* FROM kiosk_secrets", DENIED),
            "read the rollup": ("* FROM throughput_rollup", DENIED),
            "hash a guess": ("leanops_secret_matches('1234', 'x')", DENIED),
        }
        writes = {
            "write a log": "INSERT INTO performance_logs (id, station_id, job_id, qty_completed)"
            " VALUES (gen_random_uuid(), 'ST-07', 'J-07', 5)",
            "write an event": "INSERT INTO events_log (id, event_type, meta)"
            " VALUES (gen_random_uuid(), 'x', '{}')",
        }
        wrong_states = {}
        for name, (call, expected) in refused.items():
            params = (op,) if "%s" in call else None
            state = _state(conn, f"SELECT {call}", params)
            if state != expected:
                wrong_states[name] = state
        for name, statement in writes.items():
            if (state := _state(conn, statement)) != DENIED:
                wrong_states[name] = state
        assert wrong_states == {}
        # It reads its own station's logs and events only.
        stations = conn.execute("SELECT DISTINCT station_id FROM events_log").fetchall()
        assert {s for (s,) in stations} <= {"ST-07"}
        assert conn.execute(
            "SELECT count(*) FROM performance_logs WHERE station_id = 'ST-08'"
        ).fetchone() == (0,)
        # On its own station, for the operator: block, resume, take back, complete.
        conn.execute("SELECT leanops_block_station('ST-07', 'jam', NULL, NULL, %s)", (op,))
        conn.execute("SELECT leanops_unblock_station('ST-07', NULL, NULL, %s)", (op,))
        log = conn.execute(
            "SELECT l.id FROM performance_logs l WHERE l.station_id = 'ST-07'"
            " ORDER BY l.timestamp DESC LIMIT 1"
        ).fetchone()
        assert log is not None
        taken = conn.execute(
            "SELECT counted FROM leanops_correct_report(%s, %s, NULL, NULL, %s, now())",
            (log[0], uuid.uuid4(), op),
        ).fetchone()
        assert taken == (True,)
        conn.execute("SELECT leanops_complete_job('J-07', 'ST-07', NULL, NULL, %s)", (op,))
    with admin_connect(kiosk.url) as it:
        assert counts_off_their_logs(it) == []
        actors = it.execute(
            "SELECT event_type, actor, meta->>'device' FROM events_log"
            " WHERE meta->>'device' IS NOT NULL AND event_type <> 'operator_signed_in'"
            " ORDER BY timestamp"
        ).fetchall()
    assert [a[0] for a in actors] == [
        "qty_reported", "station_blocked", "station_unblocked", "qty_corrected", "job_completed",
    ]  # fmt: skip
    assert {(a[1], a[2]) for a in actors} == {(kiosk.operator, kiosk.enrolment.login)}


# -- offline ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_offline_sign_in_from_the_cache_is_confirmed_when_the_server_is_back(
    kiosk: Kiosk, tmp_path: Path, admin: Actor
) -> None:
    cache = OfflineSignInCache(tmp_path / "ST-07.offline.json", memory_kib=1024)
    online = operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    cache.remember(online, Method.PIN, PIN)
    by_badge = operator_sign_in.sign_in(kiosk.device, Method.BADGE, BADGE)
    cache.remember(by_badge, Method.BADGE, BADGE)
    for signed in (online, by_badge):  # they leave; the server goes away
        assert signed.sign_in_id is not None
        operator_sign_in.sign_out(kiosk.device, signed.sign_in_id)
    # No value in the cache is the PIN or the badge (a random salt or hash may contain the
    # PIN's digits by chance, so compare whole values, not substrings).
    stored = _json_values(json.loads(cache.path.read_text()))
    assert PIN not in stored and BADGE.lower() not in {value.lower() for value in stored}
    if sys.platform != "win32":
        assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    # The server is away: the cache checks the PIN and the badge.
    assert cache.verify(Method.PIN, "0000", kiosk.operator) is None
    offline = cache.verify(Method.PIN, PIN, kiosk.operator)
    assert offline is not None and offline.email == kiosk.operator
    assert cache.verify(Method.BADGE, BADGE.lower()) is not None
    # Back online: the pending sign-ins go first; a report tapped under one counts.
    answers = cache.register_pending(kiosk.device)
    assert [status for _, status, _ in answers] == [SignInStatus.OK, SignInStatus.OK]
    assert cache.pending() == []
    counted = _report(
        kiosk, "ST-07", "J-07", kiosk.operator, offline.signed_in_at + timedelta(seconds=5)
    )
    assert not isinstance(counted, Exception), counted
    (event,) = [
        e for e in _events(kiosk.db, "qty_reported") if e.meta["log_id"] == str(counted.log_id)
    ]
    assert event.meta["offline_sign_in"] is True and event.actor == kiosk.operator
    # A PIN reset after caching voids the cached copy; a forged proof is refused.
    with kiosk.db.session() as session:
        operator_credentials.set_pin(session, admin, kiosk.operator, "2468")
    late = cache.verify(Method.PIN, PIN, kiosk.operator)
    assert late is not None
    forged = operator_sign_in.register_offline_sign_in(
        kiosk.device, uuid.uuid4(), kiosk.operator, Method.BADGE, "0" * 64, datetime.now(UTC)
    )
    assert forged[0] == SignInStatus.REFUSED and "proof" in forged[1]
    ((_, status, message),) = cache.register_pending(kiosk.device)
    assert status == SignInStatus.REFUSED and "changed" in message
    assert len(_events(kiosk.db, "offline_sign_in_refused")) == 2
    assert cache.verify(Method.PIN, PIN, kiosk.operator) is None  # the entry is gone


def test_the_offline_cache_wipes_an_entry_after_wrong_pins(tmp_path: Path) -> None:
    cache = OfflineSignInCache(tmp_path / "c.json", memory_kib=1024)
    signed = operator_sign_in.OperatorSignIn(
        SignInStatus.OK, "a@b.test", Role.OPERATOR, uuid.uuid4(), "ab" * 32, 1
    )
    cache.remember(signed, Method.PIN, "1357")
    for _ in range(5):
        assert cache.verify(Method.PIN, "0000", "a@b.test") is None
    assert cache.verify(Method.PIN, "1357", "a@b.test") is None  # wiped: sign in online


def test_the_credential_file_holds_no_password_of_whoever_enrolled(kiosk: Kiosk) -> None:
    from sqlalchemy.engine import make_url

    where = make_url(kiosk.enrolment.database)
    assert where.password is None and where.username is None
    signed_in_as = make_url(kiosk.url)
    if signed_in_as.password:
        assert signed_in_as.password not in kiosk.enrolment.database


def _json_values(node: object) -> set[str]:
    """Every string (keys and values) anywhere in a JSON document."""
    if isinstance(node, dict):
        return set(node) | set().union(*(_json_values(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_json_values(value) for value in node))
    return {str(node)}
