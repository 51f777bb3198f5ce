"""The kiosk at 1024x768 and 1920x1080: it fits, and every touch target is gloves-sized."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from leanops_desktop.app import build_kiosk, make_live_feed, run_kiosk
from leanops_desktop.composition.kiosk import build_kiosk_for_screenshot, open_outbox, outbox_path
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.enums import JobStatus, Priority
from leanops_desktop.core.rows import JobRow
from leanops_desktop.qt.kiosk.job_panel import lateness_text
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.queue_panel import QueuePanel, queue_text
from leanops_desktop.qt.kiosk.snapshot import estimate_finish, rate_per_hour
from leanops_desktop.qt.kiosk.style import MM_PER_INCH, sizing_for, stylesheet

MIN_TARGET_MM = 15.0


def smallest_button_mm(widget: QWidget) -> tuple[float, str]:
    dpi = widget.logicalDpiY()
    sizes = [
        (min(button.width(), button.height()) * MM_PER_INCH / dpi, button.text())
        for button in widget.findChildren(QPushButton)
        if button.isVisible()
    ]
    return min(sizes)


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
def test_every_page_fits_and_every_button_is_big_enough(
    qtbot: QtBot, demo_db_url: str, size: tuple[int, int]
) -> None:
    kiosk = build_kiosk_for_screenshot(demo_db_url, SiteConfig(), "ST-01", size)
    assert isinstance(kiosk, KioskWindow)
    qtbot.addWidget(kiosk)
    kiosk.show()
    qtbot.waitUntil(lambda: kiosk.job_panel.job_label.text() != "No job", timeout=10_000)
    pages = {
        "work": lambda: kiosk.stack.setCurrentWidget(kiosk.work_page),
        "block": kiosk.ask_block,
        "complete": kiosk.ask_complete,
        "refused": kiosk.show_refused,
        "sign-in": lambda: kiosk.stack.setCurrentWidget(kiosk.sign_in_page),
    }
    for name, show in pages.items():
        show()
        qtbot.wait(50)
        assert kiosk.size().toTuple() == size, name  # nothing pushed the window larger
        millimetres, text = smallest_button_mm(kiosk)
        assert millimetres >= MIN_TARGET_MM, f"{name}: {text!r} is {millimetres:.1f} mm"
    assert kiosk.job_panel.job_label.font().pixelSize() >= 40


def test_type_and_targets_grow_with_the_screen() -> None:
    small, large = sizing_for(96, 1024, 768), sizing_for(96, 1920, 1080)
    assert small.target >= round(MIN_TARGET_MM * 96 / MM_PER_INCH)
    assert large.scale > small.scale == 1.0 and large.target > small.target
    assert sizing_for(192, 1024, 768).target == 2 * small.target  # millimetres, not pixels


def test_each_station_and_database_has_its_own_outbox(tmp_path: Path) -> None:
    a = outbox_path("postgresql://olga:secret@db.plant/leanops", "ST-01", tmp_path)
    b = outbox_path("postgresql://sam@db.plant/leanops", "ST-01", tmp_path)
    c = outbox_path("postgresql://db.plant/other", "ST-01", tmp_path)
    d = outbox_path("postgresql://db.plant/leanops", "ST-02", tmp_path)
    assert a == b  # the signed-in user does not matter: the station's reports are one queue
    assert len({a, c, d}) == 3
    assert "secret" not in str(a) and a.parent == tmp_path
    with open_outbox("sqlite:///x.db", "ST-01", tmp_path) as outbox:
        assert outbox.path.parent == tmp_path and outbox.counts().pending == 0


def test_run_kiosk_opens_full_screen_and_ctrl_shift_q_closes_it(
    qtbot: QtBot, demo_db_url: str, tmp_path: Path
) -> None:
    seen: list[KioskWindow] = []

    def look_and_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow)]
        seen.extend(windows)
        for window in windows:
            qtbot.keyClick(
                window,
                Qt.Key.Key_Q,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            )

    QTimer.singleShot(300, look_and_close)
    code = run_kiosk(demo_db_url, SiteConfig(), "ST-01", outbox_folder=tmp_path)
    assert code == 0
    assert len(seen) == 1
    assert seen[0].windowState() & Qt.WindowState.WindowFullScreen
    assert list(tmp_path.glob("ST-01-*.sqlite3"))


def test_the_kiosk_is_wired_by_the_composition_root(
    qtbot: QtBot, demo_db_url: str, tmp_path: Path
) -> None:
    """Like the main window: the composition root's runner and live feed factory."""
    with open_outbox(demo_db_url, "ST-01", tmp_path) as outbox:
        kiosk = build_kiosk(demo_db_url, SiteConfig(), "ST-01", outbox)
        qtbot.addWidget(kiosk)
        controller = kiosk.controller
        assert controller.runner.parent() is controller
        assert controller._make_feed is make_live_feed
        controller.close()


def test_finish_estimates_read_plainly() -> None:
    now = datetime(2025, 5, 12, 9, 0, tzinfo=UTC)
    deadline = datetime(2025, 5, 12, 12, 0, tzinfo=UTC)
    assert estimate_finish(now, 0, None) == now
    assert estimate_finish(now, 10, None) is None
    assert estimate_finish(now, 30, 60.0) == now + timedelta(minutes=30)
    assert lateness_text(deadline + timedelta(minutes=20), deadline) == "less than 1 h late"
    assert lateness_text(deadline + timedelta(hours=5), deadline) == "5 h late"
    assert lateness_text(deadline + timedelta(hours=26), deadline) == "1 day late"
    assert lateness_text(deadline + timedelta(days=3), deadline) == "3 days late"
    assert rate_per_hour(30, timedelta(minutes=30)) == 60.0
    assert rate_per_hour(3, timedelta(minutes=2)) is None  # too early to tell


def test_a_queue_line_too_long_ends_in_an_ellipsis_keeping_id_and_due_date(
    qtbot: QtBot,
) -> None:
    long_part = "Hydraulic manifold block, left-hand, anodised, with test certificate"
    job = JobRow(
        id="JOB-7001",
        part_name=long_part,
        qty_total=925,
        due_date=date(2026, 11, 23),
        priority=Priority.HIGH,
        status=JobStatus.WAITING,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    panel = QueuePanel()
    qtbot.addWidget(panel)
    panel.resize(420, 200)
    panel.show()
    panel.show_queue([job], date(2026, 11, 23))  # due today: not late
    (shown,) = panel.visible_texts()
    assert shown.startswith("HIGH · JOB-7001 · due 23 Nov")
    assert shown.endswith("…") and long_part not in shown
    assert panel.rows[0].fontMetrics().horizontalAdvance(shown) <= panel.contentsRect().width()
    assert panel.rows[0].toolTip() == queue_text(job, date(2026, 11, 23))  # on a long press
    panel.resize(1600, 200)  # wide enough: nothing is cut
    assert panel.visible_texts() == [queue_text(job, date(2026, 11, 23))]


def test_a_job_past_its_due_date_reads_late_in_the_warning_colour(qtbot: QtBot) -> None:
    def job(job_id: str, due: date) -> JobRow:
        return JobRow(
            id=job_id,
            part_name="Cover lid",
            qty_total=40,
            due_date=due,
            priority=Priority.NORMAL,
            status=JobStatus.WAITING,
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
        )

    kiosk = QWidget()  # the kiosk's stylesheet applies inside its window
    kiosk.setObjectName("Kiosk")
    kiosk.setStyleSheet(stylesheet(sizing_for(96.0, 1024, 768)))
    qtbot.addWidget(kiosk)
    panel = QueuePanel(kiosk)
    panel.resize(900, 300)
    kiosk.show()
    today = date(2026, 11, 25)
    panel.show_queue([job("JOB-1", date(2026, 11, 24)), job("JOB-2", today)], today)
    assert panel.visible_texts() == [
        "JOB-1 · late, due 24 Nov · 40 × Cover lid",
        "JOB-2 · due 25 Nov · 40 × Cover lid",
    ]
    late, on_time = panel.rows[0], panel.rows[1]
    assert late.property("role") == "late" and on_time.property("role") == ""
    assert late.palette().color(late.foregroundRole()) != on_time.palette().color(
        on_time.foregroundRole()
    )
    panel.show_queue([job("JOB-1", date(2026, 11, 24))], date(2026, 11, 24))  # a day earlier
    assert panel.visible_texts() == ["JOB-1 · due 24 Nov · 40 × Cover lid"]
    assert panel.rows[0].property("role") == ""
