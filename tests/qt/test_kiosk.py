"""The kiosk: every operator action, the barcode flow, idle sign-out and the refusals.

SQLite here (the sign-in checks real Argon2 accounts); the same flows against PostgreSQL,
offline and back, are in test_kiosk_offline.py. Helpers at the top are shared with it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, Role, StationStatus
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import PerformanceLog
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.launch import create_kiosk
from leanops_desktop.qt.kiosk.live_refresh import concerns
from leanops_desktop.services.accounts import users
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import history, queries
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.refusals import REPORT_REFUSED_EVENT
from tests.conftest import copy_sqlite
from tests.factories import make_job, make_station

OPERATOR = ("olga@plant.test", "operator-pw-1")
SUPERVISOR = ("sam@plant.test", "supervisor-pw-1")
ADMIN = Actor(email="ada@plant.test", role=Role.ADMIN)


@dataclass
class Plant:
    """ST-01 runs JOB-1001 (20 units), ST-02 runs JOB-2001, JOB-1002 waits, JOB-0999 is done."""

    url: str
    db: Database


def build_plant(url: str, db: Database) -> Plant:
    make_station(db, ADMIN, "ST-01")
    make_station(db, ADMIN, "ST-02")
    make_job(db, ADMIN, "JOB-1001", qty_total=20)
    make_job(db, ADMIN, "JOB-1002", qty_total=10, due_in_days=3)
    make_job(db, ADMIN, "JOB-2001", qty_total=50)
    make_job(db, ADMIN, "JOB-0999", qty_total=5)
    with db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-1001", "ST-01")
        dispatch.assign_job(session, ADMIN, "JOB-2001", "ST-02")
    with db.session() as session:
        dispatch.complete_job(session, ADMIN, "JOB-0999")
    for (email, password), role in ((OPERATOR, Role.OPERATOR), (SUPERVISOR, Role.SUPERVISOR)):
        with db.session() as session:
            users.add_user(session, ADMIN, email=email, role=role, password=password)
    return Plant(url=url, db=db)


def open_kiosk(
    qtbot: QtBot,
    plant: Plant,
    tmp_path: Path,
    *,
    station: str = "ST-01",
    idle_ms: int = 600_000,
    undo_ms: int = 10_000,
    config: SiteConfig | None = None,
) -> KioskWindow:
    outbox = Outbox(tmp_path / f"outbox-{station}.sqlite3")
    kiosk = create_kiosk(
        plant.url,
        config or SiteConfig(),
        station,
        outbox=outbox,
        idle_ms=idle_ms,
        undo_ms=undo_ms,
        refresh_ms=60_000,
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1024, 768)
    kiosk.show()
    return kiosk


def sign_in(qtbot: QtBot, kiosk: KioskWindow, account: tuple[str, str] = OPERATOR) -> None:
    page = kiosk.sign_in_page
    page.email.setText(account[0])
    page.password.setText(account[1])
    tap(qtbot, page.sign_in_button)
    qtbot.waitUntil(lambda: kiosk.controller.snapshot is not None, timeout=15_000)
    assert kiosk.stack.currentWidget() is kiosk.work_page


def tap(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def settle(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Wait until the outbox is sent and the kiosk's reads are done."""
    controller = kiosk.controller
    qtbot.waitUntil(lambda: controller.outbox.counts().pending == 0, timeout=15_000)
    controller.refresh()
    qtbot.waitUntil(lambda: not controller.runner.is_busy(), timeout=15_000)


def logged_units(db: Database, job_id: str = "JOB-1001") -> tuple[int, int]:
    """(number of logs, sum of units) of a job on the server."""
    with db.session() as session:
        count, total = session.execute(
            select(func.count(), func.coalesce(func.sum(PerformanceLog.qty_completed), 0)).where(
                PerformanceLog.job_id == job_id
            )
        ).one()
    return int(count), int(total)


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def plant(sqlite_template: Path, tmp_path: Path) -> Iterator[Plant]:
    path = tmp_path / "plant.db"
    copy_sqlite(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = open_database(url)
    try:
        yield build_plant(url, db)
    finally:
        db.dispose()


@pytest.fixture
def kiosk(qtbot: QtBot, plant: Plant, tmp_path: Path) -> KioskWindow:
    return open_kiosk(qtbot, plant, tmp_path)


def notice(kiosk: KioskWindow) -> str:
    return kiosk.notice.text()


# -- sign-in and what the kiosk shows -------------------------------------------------------------


def test_signing_in_shows_the_station_job_and_queue(qtbot: QtBot, kiosk: KioskWindow) -> None:
    assert kiosk.stack.currentWidget() is kiosk.sign_in_page
    sign_in(qtbot, kiosk)
    assert kiosk.header.operator_label.text() == "olga · operator"
    assert kiosk.header.operator_label.toolTip() == "olga@plant.test"
    assert kiosk.header.status_chip.text() == "RUNNING"
    assert kiosk.job_panel.job_label.text() == "JOB-1001"
    assert kiosk.job_panel.progress.text() == "0 / 20"
    assert any("JOB-1002" in text for text in kiosk.queue.visible_texts())
    assert kiosk.header.connection_label.text() == "● Online · all sent"
    assert kiosk.start_button.isHidden()  # operators do not start jobs


def test_the_first_view_leaves_the_kiosk_out_of_full_collections(
    qtbot: QtBot, plant: Plant, tmp_path: Path
) -> None:
    gc.unfreeze()  # other tests of this process may have frozen theirs
    kiosk = open_kiosk(qtbot, plant, tmp_path)
    assert gc.get_freeze_count() == 0  # nothing loaded yet
    sign_in(qtbot, kiosk)
    # What the kiosk holds is frozen; a full collection walks only what came since.
    assert gc.get_freeze_count() > 10 * len(gc.get_objects())


def test_a_job_past_its_due_date_says_late_on_the_kiosk(
    qtbot: QtBot, plant: Plant, tmp_path: Path
) -> None:
    make_station(plant.db, ADMIN, "ST-03")
    make_job(plant.db, ADMIN, "JOB-3001", qty_total=30, due_in_days=-2)
    with plant.db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-3001", "ST-03")
    late = open_kiosk(qtbot, plant, tmp_path, station="ST-03")
    sign_in(qtbot, late)
    assert late.job_panel.due_label.text().startswith("late, due ")
    assert late.job_panel.due_label.property("role") == "late"
    on_time = open_kiosk(qtbot, plant, tmp_path, station="ST-01")  # JOB-1001: due in 7 days
    sign_in(qtbot, on_time)
    assert on_time.job_panel.due_label.text().startswith("due ")
    assert on_time.job_panel.due_label.property("role") == ""


def test_a_long_part_name_beside_the_high_chip_is_shown_whole_at_1024x768(
    qtbot: QtBot, plant: Plant, tmp_path: Path
) -> None:
    make_station(plant.db, ADMIN, "ST-03")
    part = "Control cabinet door, left"
    with plant.db.session() as session:
        jobs.create_job(
            session,
            ADMIN,
            job_id="JOB-3002",
            part_name=part,
            qty_total=970,
            due_date=date.today() - timedelta(days=1),
            priority="high",
        )
    with plant.db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-3002", "ST-03")
    kiosk = open_kiosk(qtbot, plant, tmp_path, station="ST-03")
    sign_in(qtbot, kiosk)
    panel = kiosk.job_panel
    assert panel.priority_label.isVisible() and panel.due_label.text().startswith("late")
    label = panel.part_label
    assert label.text() == part
    assert label.fontMetrics().horizontalAdvance(part) <= label.contentsRect().width()


def test_a_wrong_password_keeps_the_sign_in_page(qtbot: QtBot, kiosk: KioskWindow) -> None:
    page = kiosk.sign_in_page
    page.email.setText(OPERATOR[0])
    page.password.setText("not-the-password")
    tap(qtbot, page.sign_in_button)
    qtbot.waitUntil(lambda: page.error.text() != "", timeout=10_000)
    assert page.error.text() == "Wrong email or password"
    assert kiosk.stack.currentWidget() is page and kiosk.controller.signed_in is None
    assert page.password.text() == "" and not page.sign_in_button.isEnabled()  # cooling down


def test_sign_out_returns_to_sign_in_and_remembers_the_email(
    qtbot: QtBot, kiosk: KioskWindow
) -> None:
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.header.sign_out_button)
    assert kiosk.stack.currentWidget() is kiosk.sign_in_page
    assert kiosk.controller.signed_in is None and notice(kiosk) == "Signed out."
    recent = kiosk.sign_in_page.recent_buttons[0]
    assert recent.text() == OPERATOR[0]
    tap(qtbot, recent)
    assert kiosk.sign_in_page.email.text() == OPERATOR[0]


# -- reporting ------------------------------------------------------------------------------------


def test_plus_buttons_report_confirm_and_send(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    for amount in (1, 5, 10):
        tap(qtbot, kiosk.quick.buttons[amount])
        assert f"+{amount} counted on JOB-1001" in kiosk.banner.label.text()
    assert [item.qty for item in kiosk.controller.outbox.items()] == [1, 5, 10]
    settle(qtbot, kiosk)
    assert logged_units(plant.db) == (3, 16)
    assert kiosk.job_panel.progress.text() == "16 / 20"
    assert kiosk.banner.label.text().endswith("(sent)")
    ids = {item.id for item in kiosk.controller.outbox.items()}
    with plant.db.session() as session:
        assert set(session.scalars(select(PerformanceLog.id))) == ids


def test_the_keypad_reports_the_typed_amount(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    for key in ("1", "4", "⌫", "2"):
        tap(qtbot, kiosk.keypad.buttons[key])
    assert kiosk.keypad.display.text() == "12"
    tap(qtbot, kiosk.keypad.buttons["Count"])
    assert kiosk.keypad.display.text() == "0"
    settle(qtbot, kiosk)
    assert logged_units(plant.db) == (1, 12)


@pytest.mark.parametrize("qty", [0, -3])
def test_zero_or_negative_quantities_are_refused(
    qtbot: QtBot, kiosk: KioskWindow, qty: int
) -> None:
    sign_in(qtbot, kiosk)
    if qty == 0:
        tap(qtbot, kiosk.keypad.buttons["0"])
        tap(qtbot, kiosk.keypad.buttons["Count"])
    else:
        kiosk.report(qty)
    assert notice(kiosk) == f"Quantity: must be at least 1, got {qty}."
    assert kiosk.notice.level() == "error"
    assert kiosk.controller.outbox.items() == []


def test_undo_takes_a_report_back_with_a_correction(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.quick.buttons[5])
    tap(qtbot, kiosk.banner.undo_button)
    assert "Taken back: -5" in kiosk.banner.label.text()
    assert kiosk.banner.undo_button.isHidden()
    settle(qtbot, kiosk)
    assert logged_units(plant.db) == (2, 0)  # the report and its correction, nothing deleted
    assert kiosk.job_panel.progress.text() == "0 / 20"


def test_undo_is_offered_only_for_a_short_while(qtbot: QtBot, plant: Plant, tmp_path: Path) -> None:
    kiosk = open_kiosk(qtbot, plant, tmp_path, undo_ms=300)
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.quick.buttons[1])
    assert kiosk.banner.undo_button.isVisible()
    qtbot.waitUntil(lambda: kiosk.banner.undo_button.isHidden(), timeout=3000)
    assert kiosk.banner.item is None


def test_counting_past_the_total_asks_first(qtbot: QtBot, kiosk: KioskWindow, plant: Plant) -> None:
    sign_in(qtbot, kiosk)
    for key in ("2", "5"):
        tap(qtbot, kiosk.keypad.buttons[key])
    tap(qtbot, kiosk.keypad.buttons["Count"])
    assert kiosk.stack.currentWidget() is kiosk.choice_page
    assert "needs 20 units and has 0" in kiosk.choice_page.text.text()
    tap(qtbot, kiosk.choice_page.cancel_button)
    assert kiosk.controller.outbox.items() == []
    kiosk.report(25)
    tap(qtbot, kiosk.choice_page.buttons["yes"])
    assert kiosk.stack.currentWidget() is kiosk.work_page
    settle(qtbot, kiosk)
    assert logged_units(plant.db) == (1, 25)
    assert kiosk.job_panel.progress.text() == "25 / 20"


# -- block, resume, complete, start next ----------------------------------------------------------


def test_block_with_a_configured_reason_then_resume(
    qtbot: QtBot, plant: Plant, tmp_path: Path
) -> None:
    config = SiteConfig(block_reasons=("waiting for steel", "tool broken"))
    kiosk = open_kiosk(qtbot, plant, tmp_path, config=config)
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.block_button)
    assert set(kiosk.choice_page.buttons) == {"waiting for steel", "tool broken"}
    tap(qtbot, kiosk.choice_page.buttons["tool broken"])
    qtbot.waitUntil(lambda: kiosk.resume_button.isVisible(), timeout=10_000)
    assert kiosk.header.status_chip.text() == "BLOCKED: tool broken"
    with plant.db.session() as session:
        station = queries.get_station(session, "ST-01")
    assert station.status == StationStatus.BLOCKED and station.blocked_reason == "tool broken"
    tap(qtbot, kiosk.resume_button)
    qtbot.waitUntil(lambda: kiosk.block_button.isVisible(), timeout=10_000)
    assert kiosk.header.status_chip.text() == "RUNNING"


def test_complete_warns_when_short_and_ends_the_job(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    tap(qtbot, kiosk.quick.buttons[5])
    settle(qtbot, kiosk)
    tap(qtbot, kiosk.complete_button)
    assert kiosk.choice_page.title.text() == "Complete JOB-1001?"
    assert kiosk.choice_page.warning.text() == "Only 5 of 20 units are counted: 15 short."
    tap(qtbot, kiosk.choice_page.buttons["JOB-1001"])
    qtbot.waitUntil(lambda: kiosk.job_panel.job_label.text() == "No job", timeout=10_000)
    with plant.db.session() as session:
        assert queries.get_job(session, "JOB-1001").status == JobStatus.COMPLETED
    assert not kiosk.complete_button.isEnabled() and not kiosk.quick.isEnabled()
    assert notice(kiosk) == "JOB-1001 is completed."


def test_complete_without_warning_when_all_units_are_done(qtbot: QtBot, kiosk: KioskWindow) -> None:
    sign_in(qtbot, kiosk)
    kiosk.report(10)
    kiosk.report(10)
    settle(qtbot, kiosk)
    tap(qtbot, kiosk.complete_button)
    assert kiosk.choice_page.warning.isHidden()
    tap(qtbot, kiosk.choice_page.cancel_button)
    assert kiosk.stack.currentWidget() is kiosk.work_page


def test_a_supervisor_starts_the_next_job_from_the_queue(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk, SUPERVISOR)
    assert kiosk.start_button.isVisible() and not kiosk.start_button.isEnabled()
    tap(qtbot, kiosk.complete_button)
    tap(qtbot, kiosk.choice_page.buttons["JOB-1001"])
    qtbot.waitUntil(lambda: kiosk.start_button.isEnabled(), timeout=10_000)
    tap(qtbot, kiosk.start_button)
    assert "JOB-1002" in kiosk.choice_page.buttons
    tap(qtbot, kiosk.choice_page.buttons["JOB-1002"])
    qtbot.waitUntil(lambda: kiosk.job_panel.job_label.text() == "JOB-1002", timeout=10_000)
    with plant.db.session() as session:
        assignment = queries.current_assignment(session, "ST-01")
    assert assignment is not None and assignment.job_id == "JOB-1002"


# -- barcode --------------------------------------------------------------------------------------


def scan(qtbot: QtBot, kiosk: KioskWindow, code: str) -> str:
    """Type ``code`` and Enter like a scanner; return what the kiosk said."""
    kiosk.notice.dismiss()
    qtbot.keyClicks(kiosk, code)
    qtbot.keyClick(kiosk, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: kiosk.notice.text() != "" or kiosk.stack.currentWidget() is kiosk.choice_page,
        timeout=10_000,
    )
    return kiosk.notice.text()


def test_scanning_explains_every_job(qtbot: QtBot, kiosk: KioskWindow) -> None:
    sign_in(qtbot, kiosk)
    assert scan(qtbot, kiosk, "JOB-1001") == "JOB-1001 is the job on ST-01."
    assert scan(qtbot, kiosk, "JOB-2001") == (
        "JOB-2001 runs on ST-02, not on ST-01. Ask your supervisor to move it."
    )
    assert scan(qtbot, kiosk, "JOB-0999") == "JOB-0999 is already completed."
    assert scan(qtbot, kiosk, "JOB-1002") == (
        "ST-01 is working on JOB-1001. Complete it first, then scan JOB-1002 again."
    )
    assert scan(qtbot, kiosk, "NOPE-1") == "NOPE-1 is not a job in LeanOps. Check the label."
    assert scan(qtbot, kiosk, "bad code!") == "'bad code!' is not a job id. Scan the job label."
    assert kiosk.controller.outbox.items() == []  # a scan never counts anything


def test_scanning_a_waiting_job_on_a_free_station(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    with plant.db.session() as session:
        dispatch.unassign_job(session, ADMIN, "ST-01")
    sign_in(qtbot, kiosk)
    assert scan(qtbot, kiosk, "JOB-1002") == (
        "JOB-1002 is waiting. A supervisor must start it on ST-01."
    )
    tap(qtbot, kiosk.header.sign_out_button)
    sign_in(qtbot, kiosk, SUPERVISOR)
    scan(qtbot, kiosk, "JOB-1002")
    assert kiosk.stack.currentWidget() is kiosk.choice_page
    tap(qtbot, kiosk.choice_page.buttons["JOB-1002"])
    qtbot.waitUntil(lambda: kiosk.job_panel.job_label.text() == "JOB-1002", timeout=10_000)


# -- idle sign-out --------------------------------------------------------------------------------


def test_idle_sign_out_keeps_the_station_and_the_outbox(
    qtbot: QtBot, plant: Plant, tmp_path: Path
) -> None:
    kiosk = open_kiosk(qtbot, plant, tmp_path, idle_ms=1000)
    sign_in(qtbot, kiosk)
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    for _ in range(4):  # activity keeps the operator signed in well past the idle time
        qtbot.wait(400)
        assert kiosk.controller.signed_in is not None
        qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: kiosk.controller.signed_in is None, timeout=5000)
    assert kiosk.stack.currentWidget() is kiosk.sign_in_page
    assert notice(kiosk) == "Signed out after 1 s without use."
    assert kiosk.controller.station_id == "ST-01"
    assert kiosk.header.station_label.text() == "ST-01"


# -- refusals from the server ---------------------------------------------------------------------


def test_a_report_for_a_job_moved_to_another_station_is_refused_and_kept(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    with plant.db.session() as session:  # the supervisor moves the job meanwhile
        dispatch.unassign_job(session, ADMIN, "ST-02")
    with plant.db.session() as session:
        dispatch.move_job(session, ADMIN, "JOB-1001", "ST-01", "ST-02")
    tap(qtbot, kiosk.quick.buttons[5])  # the screen still shows JOB-1001 here
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().refused == 1, timeout=10_000)
    qtbot.waitUntil(lambda: "Not counted" in notice(kiosk), timeout=5000)
    assert "+5 for JOB-1001" in notice(kiosk) and "kept under Refused" in notice(kiosk)
    tap(qtbot, kiosk.banner.undo_button)  # nothing was counted, so nothing to take back
    assert notice(kiosk) == "That report was not counted (see Refused): nothing to undo."
    assert kiosk.controller.outbox.counts().refused == 1
    assert kiosk.refused_button.text() == "1 refused"
    tap(qtbot, kiosk.refused_button)
    label, button, _frame = kiosk.refused_page.rows[0]
    assert "not running on station ST-01" in label.text() and button.isHidden()
    tap(qtbot, kiosk.refused_page.back_button)
    assert kiosk.controller.outbox.counts().refused_unseen == 0
    assert logged_units(plant.db) == (0, 0)
    with plant.db.session() as session:
        events = history.list_events(session, job_id="JOB-1001")
    assert any(event.event_type == REPORT_REFUSED_EVENT for event in events)


def test_a_report_for_a_job_completed_meanwhile_is_refused(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    with plant.db.session() as session:
        dispatch.complete_job(session, ADMIN, "JOB-1001")
    tap(qtbot, kiosk.quick.buttons[1])
    qtbot.waitUntil(lambda: kiosk.controller.outbox.counts().refused == 1, timeout=10_000)
    (refused,) = kiosk.controller.outbox.refused()
    assert "completed" in (refused.last_error or "")


def test_an_over_total_refusal_can_be_counted_anyway(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant, operator: Actor
) -> None:
    sign_in(qtbot, kiosk)
    with plant.db.session() as session:  # another station on the same job fills it meanwhile
        dispatch.unassign_job(session, ADMIN, "ST-02")
    with plant.db.session() as session:
        dispatch.assign_job(session, ADMIN, "JOB-1001", "ST-02")
    with plant.db.session() as session:
        production.report_quantity(
            session, operator, station_id="ST-02", job_id="JOB-1001", qty=19, report_id=uuid4()
        )
    tap(qtbot, kiosk.quick.buttons[5])  # the kiosk still believes 0 of 20
    qtbot.waitUntil(lambda: kiosk.refused_button.isVisible(), timeout=10_000)
    tap(qtbot, kiosk.refused_button)
    _label, button, _frame = kiosk.refused_page.rows[0]
    tap(qtbot, button)
    qtbot.waitUntil(lambda: logged_units(plant.db) == (2, 24), timeout=10_000)
    assert kiosk.controller.outbox.counts().refused == 0


def test_a_missing_station_is_reported_plainly(qtbot: QtBot, plant: Plant, tmp_path: Path) -> None:
    kiosk = open_kiosk(qtbot, plant, tmp_path, station="ST-99")
    page = kiosk.sign_in_page
    page.email.setText(OPERATOR[0])
    page.password.setText(OPERATOR[1])
    tap(qtbot, page.sign_in_button)
    qtbot.waitUntil(lambda: notice(kiosk) != "", timeout=10_000)
    assert notice(kiosk) == "Station ST-99 does not exist."
    kiosk.report(1)
    assert notice(kiosk) == "No job is running on ST-99: there is nothing to count."


def test_a_supervisors_change_reaches_the_kiosk_through_the_live_feed(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)  # the kiosk's own timer re-reads only once a minute in these tests
    with plant.db.session() as session:
        stations.block_station(session, ADMIN, "ST-01", "maintenance")
    qtbot.waitUntil(
        lambda: kiosk.header.status_chip.text() == "BLOCKED: maintenance", timeout=10_000
    )
    assert kiosk.resume_button.isVisible()


def test_other_stations_reports_do_not_make_the_kiosk_read_but_a_job_change_does(
    qtbot: QtBot, kiosk: KioskWindow, plant: Plant
) -> None:
    sign_in(qtbot, kiosk)
    settle(qtbot, kiosk)
    live = kiosk.controller._live
    assert live is not None and live.feed is not None
    arrived: list[set[str]] = []
    live.feed.changes_arrived.connect(  # type: ignore[attr-defined]
        lambda changes: arrived.append(set(changes.get("performance_logs", ())))
    )
    snapshots: list[object] = []
    kiosk.controller.snapshot_changed.connect(snapshots.append)
    log_id = uuid4()
    with plant.db.session() as session:  # 50 stations' reports would each have made all read
        production.report_quantity(
            session, ADMIN, station_id="ST-02", job_id="JOB-2001", qty=4, report_id=log_id
        )
    qtbot.waitUntil(lambda: any(str(log_id) in keys for keys in arrived), timeout=10_000)
    qtbot.wait(300)
    assert snapshots == []  # the feed brought the report; the kiosk did not re-read
    with plant.db.session() as session:
        jobs.set_job_priority(session, ADMIN, "JOB-1002", "high")
    qtbot.waitUntil(lambda: len(snapshots) > 0, timeout=10_000)


def test_concerns_only_this_stations_rows_and_jobs() -> None:
    assert concerns({"stations": {"ST-01"}}, "ST-01", None)
    assert not concerns({"stations": {"ST-02"}}, "ST-01", None)
    assert concerns({"station_assignments": {"a-1"}}, "ST-01", "a-1")
    assert not concerns({"station_assignments": {"a-2"}, "performance_logs": {"x"}}, "ST-01", "a-1")
    assert concerns({"jobs": {"JOB-7"}}, "ST-01", None)
