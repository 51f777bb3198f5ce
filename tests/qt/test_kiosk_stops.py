"""Unexplained stops at the kiosk: its minute sweep opens them (never while offline), the
work page says so with a big Explain button, and the operator's reason classifies the stop
(SQLite here; PostgreSQL's functions through the same kiosk at the end)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.qt.kiosk.stop_notice import NEEDS_CONNECTION
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.downtime.limits import seed_limits
from leanops_desktop.services.downtime.stops import classify_stop
from tests.qt.test_kiosk import ADMIN, Plant, notice, plant, sign_in, tap  # noqa: F401
from tests.qt.test_kiosk_offline import OPERATOR, SUPERVISOR, pg_plant  # noqa: F401
from tests.qt.test_kiosk_scrap import open_kiosk_at
from tests.stop_clock import age_plant


def quiet_since(db: Database, url: str, minutes: int, actor: Actor = ADMIN) -> None:
    """Every station's activity ``minutes`` older, against a 20-minute plant limit."""
    with db.session() as session:
        seed_limits(session, actor, 20)
    age_plant(url, minutes)


def stops(db: Database) -> list[tuple[str, str | None, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(DowntimeStop.station_id, DowntimeStop.reason_id, DowntimeStop.classified_by)
            .where(DowntimeStop.station_id == "ST-01")
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_the_kiosks_sweep_opens_the_stop_and_the_operator_explains_it(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    quiet_since(plant.db, plant.url, 45)
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)  # the first sweep runs at once
    flow = kiosk.stops
    qtbot.waitUntil(lambda: flow.notice.isVisible(), timeout=10_000)
    assert stops(plant.db) == [("ST-01", None, None)]
    started = (datetime.now() - timedelta(minutes=45)).strftime("%H:%M")
    assert flow.notice.label.text() == (
        f"Stopped since {started} (45 min so far) — what happened?"
    )
    assert flow.notice.button.text() == "Explain"
    # At 1024x768 it fits: the window keeps its size, the queue shows its next job whole.
    qtbot.wait(50)
    assert (kiosk.width(), kiosk.height()) == (1024, 768)
    assert kiosk.queue.visible_texts() and kiosk.queue.height() >= kiosk.queue.rows[0].height()
    assert flow.notice.button.height() >= kiosk.quick.buttons[1].height() * 0.8
    tap(qtbot, flow.notice.button)
    page = kiosk.choice_page
    assert page.title.text() == "Why did ST-01 stop?"
    wanted = {"reason:material", "reason:maintenance", "group:quality", "group:planned stop"}
    assert wanted <= set(page.buttons)
    tap(qtbot, page.buttons["group:planned stop"])
    assert page.title.text() == "Why did ST-01 stop?"
    assert page.text.text().endswith("so far)  ·  planned stop ›")
    assert set(page.buttons) == {
        "reason:planned stop/preventive maintenance", "reason:planned stop/meeting",
        "reason:planned stop",
    }
    tap(qtbot, page.buttons["reason:planned stop/meeting"])
    assert kiosk.stack.currentWidget() is kiosk.work_page
    qtbot.waitUntil(lambda: flow.notice.isHidden(), timeout=10_000)
    assert stops(plant.db) == [("ST-01", "planned stop/meeting", "olga@plant.test")]
    assert notice(kiosk).startswith("✓ Stopped since ") and notice(kiosk).endswith(": meeting")


def test_no_sweep_offline_and_the_button_says_it_needs_the_connection(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=10_000)
    quiet_since(plant.db, plant.url, 30)
    kiosk.controller.set_online(False, "no connection to the database")
    kiosk.stops.sweep()
    qtbot.wait(200)
    assert not kiosk.controller.runner.is_busy() and stops(plant.db) == []
    kiosk.controller.set_online(True, "")
    kiosk.stops.sweep()
    qtbot.waitUntil(lambda: kiosk.stops.notice.isVisible(), timeout=10_000)
    kiosk.controller.set_online(False, "no connection to the database")
    button = kiosk.stops.notice.button
    assert button.text() == NEEDS_CONNECTION and not button.isEnabled()
    kiosk.controller.set_online(True, "")
    assert button.text() == "Explain" and button.isEnabled()
    timer = kiosk.stops.timer  # the minute sweep runs while someone is signed in
    assert timer.isActive() and timer.interval() == 60_000
    kiosk.controller.sign_out()
    assert not timer.isActive() and kiosk.stops.notice.isHidden()


def test_a_stop_a_supervisor_explained_meanwhile_is_refused_in_plain_words(
    qtbot: QtBot, plant: Plant, tmp_path: Path  # noqa: F811
) -> None:
    quiet_since(plant.db, plant.url, 30)
    kiosk = open_kiosk_at(qtbot, plant.url, tmp_path / "outbox.sqlite3")
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.stops.notice.isVisible(), timeout=10_000)
    [stop] = kiosk.stops.stops
    with plant.db.session() as session:
        classify_stop(session, ADMIN, stop.id, "tooling")
    tap(qtbot, kiosk.stops.notice.button)
    tap(qtbot, kiosk.choice_page.buttons["reason:material"])
    qtbot.waitUntil(lambda: notice(kiosk).startswith("Not explained"), timeout=10_000)
    assert "only a supervisor or an admin may change it" in notice(kiosk)
    assert kiosk.notice.level() == "error"
    qtbot.waitUntil(lambda: kiosk.stops.notice.isHidden(), timeout=10_000)  # read again
    assert stops(plant.db) == [("ST-01", "tooling", ADMIN.email)]


@pytest.mark.postgres
def test_on_postgresql_the_kiosk_sweeps_and_classifies_through_the_functions(
    qtbot: QtBot, pg_plant: tuple[str, Database], tmp_path: Path  # noqa: F811
) -> None:
    url, db = pg_plant
    kiosk = open_kiosk_at(qtbot, url, tmp_path / "outbox.sqlite3")
    kiosk.controller.start_session(SignedIn(open_database(url), OPERATOR))
    qtbot.waitUntil(lambda: kiosk.controller.snapshot is not None, timeout=15_000)
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=10_000)
    assert stops(db) == [] and kiosk.stops.notice.isHidden()  # not quiet: nothing opened
    quiet_since(db, url, 40, SUPERVISOR)  # the database judges at its own clock
    kiosk.stops.sweep()
    qtbot.waitUntil(lambda: kiosk.stops.notice.isVisible(), timeout=10_000)
    assert "(40 min so far) — what happened?" in kiosk.stops.notice.label.text()
    tap(qtbot, kiosk.stops.notice.button)
    tap(qtbot, kiosk.choice_page.buttons["reason:material"])
    qtbot.waitUntil(lambda: kiosk.stops.notice.isHidden(), timeout=10_000)
    assert stops(db) == [("ST-01", "material", OPERATOR.email)]


@pytest.mark.parametrize("page", ["stop", "stop-reason"])
def test_the_stop_pages_render_for_screenshots(tmp_path: Path, page: str) -> None:
    from PySide6.QtGui import QImage

    from tests.test_kiosk_start import leanops

    out = tmp_path / f"{page}.png"
    result = leanops(
        "screenshot", str(out), "--view", "kiosk", "--station", "ST-01",
        "--size", "1024x768", "--page", page,
        env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 768)  # nothing grew the window
