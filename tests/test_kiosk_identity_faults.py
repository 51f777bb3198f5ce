"""A shift change while the server is away, at an enrolled kiosk: who tapped is never lost.

On a PostgreSQL cluster of their own (stopped for real, or cut off from the kiosk with the
fault proxy), at the service level (outbox, sender, the kiosk services; no Qt):

* operator A signs in by PIN and taps; the server stops; A is signed out when idle during
  the outage (the kiosk keeps the time); operator B, who signed in at this kiosk before,
  signs in offline by PIN from the cached verifier (a wrong PIN is refused) and taps; the
  server comes back: every count arrives exactly once, with its tapping operator as the
  event's actor and the device beside, and its log's time is its tap time; A's sign-in ends
  when A was signed out, not when the server came back;
* an operator disabled by an admin while the kiosk was offline: the server refuses their
  offline sign-in, and the kiosk refuses their queued reports in the outbox with that
  reason (none counted, the supervisor told).

On SQLite (the kiosk's file is never away) the same rules where they apply: the queued taps
of two operators arrive once each with their actor and tap time; a disabled operator's
queued taps are refused with a reason; a wrong PIN is refused by the offline cache.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog, PerformanceLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import ItemState, OutboxItem
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials, operator_sign_in
from leanops_desktop.services.kiosk.kiosk_devices import DeviceSession, Enrolment
from leanops_desktop.services.kiosk.kiosk_offline import OfflineSignInCache
from leanops_desktop.services.kiosk.offline_reports import settle_offline_sign_ins
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_channel import ErrorKind, classify
from leanops_desktop.services.reporting.report_request import ReportRequest
from leanops_desktop.services.reporting.report_sender import ReportSender
from tests.factories import make_job, make_station
from tests.fault_proxy import FaultProxy
from tests.pg_server import (
    ClusterStartError,
    ThrowawayCluster,
    admin_connect,
    create_database,
    find_pg_bindir,
)

ADMIN = Actor(email="ada.admin@plant.test", role=Role.ADMIN)
PIN_OF = {"anna": "4711", "bert": "860213"}


class Pins(dict[str, str]):
    """Each operator's PIN: Anna's and Bert's (emails are new per test: logins are the
    cluster's)."""

    def __missing__(self, email: str) -> str:
        return PIN_OF[email.split("-", 1)[0]]


PINS = Pins()


def new_crew() -> tuple[str, str]:
    """Operators A (Anna) and B (Bert), named anew for each test."""
    tag = uuid.uuid4().hex[:6]
    return f"anna-{tag}@plant.test", f"bert-{tag}@plant.test"


TAP_GAP_S = 0.05


@pytest.fixture(scope="module")
def cluster() -> Iterator[ThrowawayCluster]:
    if find_pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries: these tests stop a cluster of their own")
    own = ThrowawayCluster()
    try:
        own.start()
    except ClusterStartError as exc:
        pytest.skip(f"the tests' own PostgreSQL cluster did not start: {exc}")
    try:
        yield own
    finally:
        own.cleanup()


def build_plant(db: Database, crew: tuple[str, str]) -> Enrolment:
    """ST-01 runs JOB-1; A and B are operators with PINs; ST-01's kiosk is enrolled."""
    for email in crew:
        with db.session() as session:
            users.add_user(session, ADMIN, email=email, role="operator", password="Op-pw-1234")
        with db.session() as session:
            operator_credentials.set_pin(session, ADMIN, email, PINS[email])
    make_station(db, ADMIN, "ST-01")
    make_job(db, ADMIN, "JOB-1", qty_total=10_000)
    with db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-1", "ST-01")
    with db.session() as session:
        return kiosk_devices.enrol_kiosk(session, ADMIN, "ST-01")


@dataclass
class Kiosk:
    url: str
    device: DeviceSession
    cache: OfflineSignInCache
    outbox: Outbox
    sender: ReportSender


def start_kiosk(url: str, enrolment: Enrolment, tmp_path: Path) -> Kiosk:
    device = kiosk_devices.open_device(enrolment, connect_timeout=2)
    cache = OfflineSignInCache(tmp_path / "ST-01.offline.json", memory_kib=1024)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    sender = ReportSender(
        outbox,
        device.db,
        device.actor,
        prepare=lambda: settle_offline_sign_ins(cache, device, outbox),
    )
    return Kiosk(url, device, cache, outbox, sender)


def stop_kiosk(kiosk: Kiosk) -> None:
    kiosk.sender.close()
    kiosk.outbox.close()
    kiosk.device.close()


def new_database(cluster: ThrowawayCluster) -> str:
    name = f"i_{uuid.uuid4().hex[:10]}"
    url = create_database(cluster.url, name)
    with admin_connect(cluster.url) as conn:  # an acknowledged commit survives a stop
        conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = on")
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    return url


def sign_in_online(kiosk: Kiosk, email: str) -> operator_sign_in.OperatorSignIn:
    """Sign in at the kiosk by PIN and cache the offline token, as the kiosk does."""
    signed = operator_sign_in.sign_in(kiosk.device, Method.PIN, PINS[email], email)
    assert signed.ok, signed
    kiosk.cache.remember(signed, Method.PIN, PINS[email])
    return signed


def worked_here_before(kiosk: Kiosk, email: str) -> None:
    signed = sign_in_online(kiosk, email)
    assert signed.sign_in_id is not None
    assert operator_sign_in.sign_out(kiosk.device, signed.sign_in_id)


def taps(kiosk: Kiosk, operator: str, quantities: tuple[int, ...]) -> list[OutboxItem]:
    made = []
    for qty in quantities:
        made.append(
            kiosk.outbox.add_report(station_id="ST-01", job_id="JOB-1", qty=qty, operator=operator)
        )
        time.sleep(TAP_GAP_S)  # taps some time apart, so a wrong time would show
    return made


def drain(kiosk: Kiosk, timeout: float = 30) -> None:
    """Send until the outbox has nothing pending (the first passes may find the server
    still starting)."""
    deadline = time.monotonic() + timeout
    while kiosk.outbox.counts().pending:
        kiosk.sender.send_pending()
        if time.monotonic() > deadline:
            raise AssertionError(f"still pending: {kiosk.outbox.pending()}")
        time.sleep(0.1)


def arrived(url: str) -> dict[str, dict[str, Any]]:
    """Per log id on the server: its units, time and its qty_reported events."""
    with admin_connect(url) as conn:
        logs = conn.execute(
            "SELECT id::text, qty_completed, timestamp FROM performance_logs"
        ).fetchall()
        events = conn.execute(
            "SELECT meta->>'log_id', actor, meta->>'device', (meta->>'offline_sign_in')::boolean"
            " FROM events_log WHERE event_type = 'qty_reported'"
        ).fetchall()
    found: dict[str, dict[str, Any]] = {
        log_id: {"qty": qty, "at": at, "events": []} for log_id, qty, at in logs
    }
    for log_id, actor, device, offline in events:
        found.setdefault(log_id, {"qty": None, "at": None, "events": []})["events"].append(
            (actor, device, offline)
        )
    return found


def assert_each_once_as_tapped(
    url: str, items: list[OutboxItem], login: str, offline: set[str]
) -> None:
    """Every item arrived once: one log of its units at its tap time (within 1 s), one event
    naming its operator as actor and the device, flagged when signed in offline."""
    found = arrived(url)
    assert sorted(found) == sorted(str(item.id) for item in items)
    for item in items:
        log = found[str(item.id)]
        assert log["qty"] == item.qty
        assert abs(log["at"] - item.created_at) <= timedelta(seconds=1), (log, item)
        assert log["events"] == [(item.operator, login, item.operator in offline)], item


@pytest.mark.postgres
def test_a_shift_change_while_the_server_is_stopped_keeps_who_tapped(
    cluster: ThrowawayCluster, tmp_path: Path
) -> None:
    url = new_database(cluster)
    db = open_database(url)
    anna, bert = crew = new_crew()
    enrolment = build_plant(db, crew)
    kiosk = start_kiosk(url, enrolment, tmp_path)
    try:
        worked_here_before(kiosk, bert)
        a = sign_in_online(kiosk, anna)
        a_items = taps(kiosk, anna, (3, 4))
        assert kiosk.sender.send_pending().sent == 2
        a_items += taps(kiosk, anna, (5,))  # tapped as the server goes down: still queued
        cluster.stop("fast")
        a_items += taps(kiosk, anna, (1,))
        assert kiosk.sender.send_pending().online is False
        # A walks away; the kiosk signs A out when idle, the server cannot hear it.
        with pytest.raises(Exception) as away:
            operator_sign_in.sign_out(kiosk.device, a.sign_in_id)  # type: ignore[arg-type]
        assert classify(away.value) == ErrorKind.CONNECTION
        a_out = datetime.now(UTC)
        kiosk.cache.end_online(a, Method.PIN, now=a_out)
        # B comes for the next shift: no server, so the kiosk checks its cache.
        with pytest.raises(Exception) as no_server:
            operator_sign_in.sign_in(kiosk.device, Method.PIN, PINS[bert], bert)
        assert classify(no_server.value) == ErrorKind.CONNECTION
        assert kiosk.cache.verify(Method.PIN, "0000", bert) is None  # a wrong PIN: refused
        assert kiosk.cache.verify(Method.PIN, PINS[anna], bert) is None  # A's PIN is not B's
        assert kiosk.cache.verify(Method.PIN, PINS[anna], "nobody@plant.test") is None
        b = kiosk.cache.verify(Method.PIN, PINS[bert], bert)
        assert b is not None and b.email == bert
        b_items = taps(kiosk, bert, (2, 6, 1, 7, 3))
        assert kiosk.sender.send_pending().online is False
        assert kiosk.outbox.counts().pending == 7

        cluster.start_again()
        drain(kiosk)
        assert [i.state for i in kiosk.outbox.items()] == [ItemState.SENT] * 9
        assert kiosk.cache.pending() == []
        assert_each_once_as_tapped(url, a_items + b_items, enrolment.login, offline={bert})
        with admin_connect(url) as conn:
            done = conn.execute("SELECT qty_done FROM station_assignments").fetchone()
            sign_ins = conn.execute(
                "SELECT email, offline, verified, ended_at FROM kiosk_sign_ins"
                " WHERE id IN (%s, %s)",
                (a.sign_in_id, b.sign_in_id),
            ).fetchall()
        assert done == (sum(i.qty for i in a_items + b_items),)
        ended = {email: (offline, verified, end) for email, offline, verified, end in sign_ins}
        assert ended[bert] == (True, True, None)
        assert ended[anna][:2] == (False, True)
        assert abs(ended[anna][2] - a_out) < timedelta(seconds=1)  # not when the server came back
        # So the device cannot report for A after A was signed out (beyond the 2 minutes
        # allowed for clocks that differ); an open sign-in would cover 12 hours.
        after = a_out + timedelta(minutes=3)
        with kiosk.device.db.session() as session:
            late = production.report_quantities(
                session,
                kiosk.device.actor,
                [
                    ReportRequest(
                        "ST-01", "JOB-1", 1, uuid.uuid4(), reported_by=anna, tapped_at=after
                    )
                ],
            )[0]
        assert isinstance(late, Exception) and "sign-in" in str(late)
    finally:
        stop_kiosk(kiosk)
        db.dispose()


@pytest.mark.postgres
def test_an_operator_disabled_while_the_kiosk_was_offline_has_their_taps_refused(
    cluster: ThrowawayCluster, tmp_path: Path
) -> None:
    url = new_database(cluster)
    db = open_database(url)
    anna, bert = crew = new_crew()
    enrolment = build_plant(db, crew)
    proxy = FaultProxy(cluster.port)
    behind = Enrolment(enrolment.login, enrolment.password, "ST-01", proxy.url(enrolment.database))
    kiosk = start_kiosk(url, behind, tmp_path)
    try:
        worked_here_before(kiosk, bert)
        a = sign_in_online(kiosk, anna)
        a_items = taps(kiosk, anna, (2, 3))
        assert kiosk.sender.send_pending().sent == 2
        proxy.set_down(True)  # the kiosk's network is cut; the office still reaches the server
        a_items += taps(kiosk, anna, (4,))
        kiosk.cache.end_online(a, Method.PIN)
        b = kiosk.cache.verify(Method.PIN, PINS[bert], bert)
        assert b is not None
        b_items = taps(kiosk, bert, (5, 6, 7))
        b_undo = kiosk.outbox.add_correction(b_items[-1].id, operator=bert)
        assert kiosk.sender.send_pending().online is False
        with db.session() as session:
            users.set_active(session, ADMIN, bert, False)  # B left the company meanwhile
        proxy.set_down(False)
        drain(kiosk)

        states = {item.id: item for item in kiosk.outbox.items()}
        assert [states[i.id].state for i in a_items] == [ItemState.SENT] * 3
        for item in [*b_items, b_undo]:
            refused = states[item.id]
            assert refused.state == ItemState.REFUSED, refused
            reason = refused.last_error or ""
            assert f"the offline sign-in of {bert}" in reason, reason
            assert "not an active user of this plant" in reason, reason
        assert_each_once_as_tapped(url, a_items, enrolment.login, offline=set())
        with admin_connect(url) as conn:
            told = conn.execute(
                "SELECT meta->>'report_id', meta->>'operator', meta->>'reason' FROM events_log"
                " WHERE event_type = 'qty_report_refused'"
            ).fetchall()
            offline_refused = conn.execute(
                "SELECT meta->>'email', meta->>'reason' FROM events_log"
                " WHERE event_type = 'offline_sign_in_refused'"
            ).fetchall()
        assert sorted(r[0] for r in told) == sorted(str(i.id) for i in [*b_items, b_undo])
        assert {(r[1], "not an active user" in r[2]) for r in told} == {(bert, True)}
        assert offline_refused == [(bert, "not an active user of this plant")]
    finally:
        stop_kiosk(kiosk)
        proxy.close()
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_on_sqlite_queued_taps_arrive_once_as_tapped_and_a_disabled_operators_are_refused(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    anna, bert = crew = new_crew()
    enrolment = build_plant(db, crew)
    kiosk = start_kiosk(db_url, enrolment, tmp_path)
    try:
        worked_here_before(kiosk, bert)
        a = sign_in_online(kiosk, anna)
        a_items = taps(kiosk, anna, (3, 4))  # queued: the sender has not run yet
        assert a.sign_in_id is not None
        assert operator_sign_in.sign_out(kiosk.device, a.sign_in_id)
        assert kiosk.cache.verify(Method.PIN, "0000", bert) is None  # the cache refuses it here too
        sign_in_online(kiosk, bert)
        b_items = taps(kiosk, bert, (1, 2))
        assert kiosk.sender.send_pending().sent == 4
        # A retry of the same reports (a reply lost) counts nothing again.
        with kiosk.device.db.session() as session:
            again = production.report_quantities(
                session,
                kiosk.device.actor,
                [
                    ReportRequest(
                        "ST-01", "JOB-1", i.qty, i.id, reported_by=i.operator,
                        tapped_at=i.created_at,
                    )
                    for i in a_items + b_items
                ],
            )  # fmt: skip
        assert [getattr(r, "counted", None) for r in again] == [False] * 4
        found = sqlite_arrived(db)
        for item in a_items + b_items:
            log_at, events = found[item.id]
            assert abs(log_at - item.created_at) <= timedelta(seconds=1)
            assert events == [(item.operator, enrolment.login)]
        late = taps(kiosk, bert, (9,))
        with db.session() as session:
            users.set_active(session, ADMIN, bert, False)
        assert kiosk.sender.send_pending().refused == 1
        (refused,) = [i for i in kiosk.outbox.items() if i.id == late[0].id]
        assert refused.state == ItemState.REFUSED
        assert refused.last_error == "reported by: is not the email of an active user"
        assert late[0].id not in sqlite_arrived(db)
    finally:
        stop_kiosk(kiosk)


def sqlite_arrived(db: Database) -> dict[uuid.UUID, tuple[datetime, list[tuple[str, str]]]]:
    with db.session() as session:
        logs = session.execute(select(PerformanceLog.id, PerformanceLog.timestamp)).all()
        events = session.scalars(
            select(EventLog).where(EventLog.event_type == "qty_reported")
        ).all()
        found: dict[uuid.UUID, tuple[datetime, list[tuple[str, str]]]] = {
            log_id: (at, []) for log_id, at in logs
        }
        for event in events:
            key = uuid.UUID(event.meta["log_id"])
            found[key][1].append((event.actor or "", str(event.meta.get("device"))))
    return found
