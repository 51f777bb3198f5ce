"""The Stops dock in the main window, on both backends: the window sweeps at start and finds
the quiet station, lists its stop as unexplained, and a supervisor classifies it through the
picker (the event is written, the dock shows the reason); an operator may classify only an
unexplained stop and is told why otherwise; a failed sweep is one quiet status line."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import EventLog
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.models.event_table_model import event_text
from leanops_desktop.qt.stops.attach import attach_stops
from leanops_desktop.qt.stops.stops_controller import (
    READ_FAILED,
    READ_UNREACHABLE,
    SWEEP_FAILED,
    SWEEP_REFUSED,
    StopsController,
)
from leanops_desktop.qt.stops.stops_dock import StopsDock
from leanops_desktop.services.accounts import auth, users
from leanops_desktop.services.downtime import limits, stops
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.quality import reasons
from tests.factories import make_job, make_station
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window
from tests.stop_clock import age_plant


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def quiet_plant(db: Database, supervisor: Actor, admin: Actor) -> None:
    """ST-01 runs JOB-1 (and will go quiet); ST-02 idles; a 20-minute plant limit; reasons."""
    make_station(db, supervisor, "ST-01")
    make_station(db, supervisor, "ST-02", line="Line B")
    make_job(db, supervisor, "JOB-1", qty_total=100, due_in_days=30)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1", "ST-01")
    with db.session() as session:
        limits.save_limit(session, admin, "plant", "", 20)
    for reason_id, parent, name, category, active in (
        ("maintenance", None, "Maintenance", ReasonCategory.UNPLANNED_STOP, True),
        (
            "maintenance/spindle",
            "maintenance",
            "Spindle fault",
            ReasonCategory.UNPLANNED_STOP,
            True,
        ),
        ("maintenance/press", "maintenance", "Old press", ReasonCategory.UNPLANNED_STOP, False),
    ):
        with db.session() as session:
            reasons.save_reason(
                session, admin, reason_id=reason_id, name=name, category=category,
                parent_id=parent, is_active=active,
            )  # fmt: skip


def stop_events(db: Database, kind: str) -> list[EventLog]:
    with db.session() as session:
        return list(session.scalars(select(EventLog).where(EventLog.event_type == kind)))


def stops_window(
    qtbot: QtBot, db: Database, actor: Actor, messages: RecordingMessages, clock: Clock
) -> tuple[MainWindow, StopsController, StopsDock]:
    window = open_window(qtbot, db, actor, messages, restore_layout=False)
    controller = attach_stops(window, SiteConfig(), clock=clock)
    assert controller is not None
    dock = window.findChild(StopsDock)
    assert dock is not None
    dock.raise_()
    return window, controller, dock


def test_the_window_sweeps_lists_and_a_supervisor_classifies(
    qtbot: QtBot,
    db: Database,
    db_url: str,
    supervisor: Actor,
    admin: Actor,
    messages: RecordingMessages,
    tmp_path: Path,
) -> None:
    quiet_plant(db, supervisor, admin)
    age_plant(db_url, 35)  # PostgreSQL judges quiet stations by its own clock
    clock = Clock()
    window, controller, dock = stops_window(qtbot, db, supervisor, messages, clock)
    assert "Stops" in [a.text() for a in window.menus["View"].actions()]
    assert len(stop_events(db, "stop_detected")) == 1  # the sweep at start
    assert [stop.station_id for stop in dock.stops()] == ["ST-01"]
    assert dock.cell_texts(0)[3:6] == ["open", "35", "Unexplained"]
    controller.sweep()
    assert len(stop_events(db, "stop_detected")) == 1  # the same quiet time: one stop
    sentences = [event_text(row) for row in window.models.events.all_rows()]
    assert any(text.startswith("Station ST-01 stopped unexplained at") for text in sentences)
    # A tab among the tables below the overview (the layout settles in the event loop).
    qtbot.waitUntil(lambda: window.docks["events"] in window.tabifiedDockWidgets(dock))

    dock.select_stop(dock.stops()[0].id)
    dock.classify_current()
    picker = controller.picker
    assert picker is not None and picker.isVisible()
    with db.session() as session:
        active = {row.id for row in reasons.list_reasons(session) if row.is_active}
    assert set(picker.reason_ids()) == active and "maintenance/spindle" in active
    assert "maintenance/press" not in picker.reason_ids()  # retired: not offered
    qtbot.wait(20)
    dock.grab().save(str(tmp_path / "stops_dock.png"))
    window.grab().save(str(tmp_path / "window.png"))
    picker.grab().save(str(tmp_path / "reason_picker.png"))
    picker.choose("maintenance/spindle")
    picker.accept()
    assert not picker.isVisible()
    [classified] = stop_events(db, "stop_classified")
    assert classified.meta["reason_id"] == "maintenance/spindle"
    assert dock.cell_texts(0)[5:] == ["Spindle fault (unplanned stop)", supervisor.email]
    dock.only_unexplained.setChecked(True)
    assert dock.shown() == []
    window.close()


def test_an_operator_classifies_an_unexplained_stop_but_may_not_change_one(
    qtbot: QtBot,
    db: Database,
    db_url: str,
    supervisor: Actor,
    admin: Actor,
    operator: Actor,
    messages: RecordingMessages,
) -> None:
    quiet_plant(db, supervisor, admin)
    age_plant(db_url, 25)
    clock = Clock()
    window, controller, dock = stops_window(qtbot, db, operator, messages, clock)
    [stop] = dock.stops()
    dock.select_stop(stop.id)
    assert dock.classify_button.isEnabled()
    assert not controller.save_reason(stop, "maintenance").failed
    [after] = dock.stops()
    assert after.reason_id == "maintenance" and after.classified_by == operator.email
    dock.select_stop(after.id)
    assert not dock.classify_button.isEnabled()
    assert "only a supervisor may change it" in dock.classify_button.toolTip()

    # Another seat (a supervisor) re-classifies: the change feed brings it to this dock.
    with db.session() as session:
        stops.classify_stop(session, supervisor, after.id, "maintenance/spindle")
    window.live_feed.read_now()
    qtbot.waitUntil(lambda: dock.stops()[0].reason_id == "maintenance/spindle")
    assert dock.cell_texts(0)[6] == supervisor.email
    after = dock.stops()[0]

    # Asked anyway (another seat's stale view): the picker keeps the refusal in words.
    with db.session() as session:
        controller._open_picker(after, reasons.list_reasons(session))
    picker = controller.picker
    assert picker is not None
    picker.choose("maintenance")
    picker.accept()
    assert picker.isVisible()
    assert "only a supervisor" in messages.errors[-1]
    assert "psycopg" not in messages.errors[-1] and "ERROR" not in messages.errors[-1]
    assert len(stop_events(db, "stop_classified")) == 2  # the operator's and the supervisor's
    picker.reject()
    window.close()


def test_a_failed_sweep_is_one_quiet_status_line_never_a_dialog(
    qtbot: QtBot, tmp_path: Path, supervisor: Actor, messages: RecordingMessages
) -> None:
    """A database one migration behind (no stop tables yet): the floor works, the stop
    check fails quietly and the dock says so in words, not the driver's."""
    old = open_database(f"sqlite:///{tmp_path / 'before-stops.db'}")
    try:
        migrate.upgrade(old, "0016")
        make_station(old, supervisor, "ST-01")
        window, controller, dock = stops_window(qtbot, old, supervisor, messages, Clock())
        # (SQLite's "no such table" counts as a database that does not answer.)
        assert window.statusBar().currentMessage() in (SWEEP_FAILED, SWEEP_REFUSED)
        assert dock.hint.text() in (READ_FAILED, READ_UNREACHABLE)
        assert "no such table" not in window.statusBar().currentMessage() + dock.hint.text()
        assert dock.stops() == [] and messages.errors == []
        controller.tick()  # the next minute: still quiet
        assert messages.errors == []
        window.close()
    finally:
        old.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_an_operators_own_login_sweeps_and_classifies_under_the_database_rules(
    qtbot: QtBot,
    db: Database,
    db_url: str,
    supervisor: Actor,
    admin: Actor,
    messages: RecordingMessages,
) -> None:
    """As an operator's own database login (the tests' superuser would pass any check):
    the window's sweep and classification go through the LeanOps functions it may call."""
    quiet_plant(db, supervisor, admin)
    age_plant(db_url, 30)
    email = f"op-{uuid.uuid4().hex[:6]}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="operator", password="Oper-pw-1234")
    signed = auth.sign_in(db_url, email, "Oper-pw-1234")
    try:
        window, controller, dock = stops_window(qtbot, signed.db, signed.actor, messages, Clock())
        [stop] = dock.stops()  # opened by the operator's own sweep
        assert [e.actor for e in stop_events(db, "stop_detected")] == [email]
        assert not controller.save_reason(stop, "maintenance").failed
        with db.session() as session:
            stops.classify_stop(session, supervisor, stop.id, "maintenance/spindle")
        refused = controller.save_reason(stop, "maintenance")
        assert refused.failed
        assert [e.meta["reason_id"] for e in stop_events(db, "stop_classified")] == [
            "maintenance", "maintenance/spindle"
        ]  # fmt: skip
        window.close()
    finally:
        signed.db.dispose()
