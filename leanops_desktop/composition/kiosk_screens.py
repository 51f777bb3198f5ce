"""``leanops screenshot OUT --view kiosk --page PAGE``: the enrolled kiosk's pages, on the
demo plant, for reviews on the sizes the floor uses (1024x768, 1920x1080).

The demo plant's kiosk is enrolled in a throwaway folder (as ``leanops --demo kiosk``), its
operator signs in by badge, and the page is set up the way the floor sees it:

* ``sign-in``: the badge and names page; ``pin``: the keypad, two digits typed;
* ``offline``: signed in while the server is away, three counts waiting;
* ``blocked``: the work page of a blocked station; ``confirm-count``: the question a count
  on it asks; ``complete``: the Complete question after a scan warning;
* ``scrap``: three units scrapped, the reason question (a group's quality leaves);
  ``scrapped``: the work page once they are reported and sent (the job panel's scrap);
* ``stop``: the notice of a stop nobody explained; ``stop-reason``: its first reason page.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.services.kiosk.demo_kiosk import DEMO_CREDENTIALS, enrol_demo_kiosk
from leanops_desktop.services.kiosk.kiosk_start import start_kiosk
from leanops_desktop.services.kiosk.operator_credentials import Method

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow

PAGES = (
    "sign-in", "pin", "offline", "blocked", "confirm-count", "complete", "scrap", "scrapped",
    "stop", "stop-reason",
)
OPERATOR, _PIN, BADGE = DEMO_CREDENTIALS[0]
SCAN_WARNING = "JOB-9999 is not a job in LeanOps. Check the label."


def check_page(page: str) -> None:
    if page not in PAGES:
        raise ConfigError(f"unknown kiosk page {page!r}: choose one of {', '.join(PAGES)}")


def build_kiosk_page(
    app: QApplication,
    url: str,
    config: SiteConfig,
    station: str,
    page: str,
    size: tuple[int, int],
) -> DeviceKioskWindow:
    """The demo kiosk of ``station`` showing ``page`` (the demo accounts must exist)."""
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.kiosk.launch import create_device_kiosk

    check_page(page)
    folder = Path(tempfile.mkdtemp(prefix="leanops-kiosk-page-"))
    try:
        enrol_demo_kiosk(url, station, folder)
    except Exception as error:
        raise ConfigError(
            f"the kiosk pages need the demo plant (leanops demo) with station {station}"
        ) from error
    start = start_kiosk(station, folder)
    QSettings().setValue("kiosk/recent_emails", [email for email, _, _ in DEMO_CREDENTIALS])
    outbox = Outbox(folder / "outbox.sqlite3")
    window = create_device_kiosk(
        start,
        config,
        outbox=outbox,
        runner=DbRunner(),
        refresh_ms=600_000,
        live=False,
    )

    def forget() -> None:  # the throwaway enrolment, cache and outbox, when the shot is done
        outbox.close()
        start.device.close()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(forget)
    window.resize(*size)
    window.show()
    _SETUPS[page](app, window)
    return window


def _wait(app: QApplication, done: Callable[[], bool], ms: int = 10_000) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(ms)
    while not done() and not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    if not done():
        raise ConfigError("the kiosk page did not settle in time")


def _signed_in(app: QApplication, window: DeviceKioskWindow) -> None:
    link = window.controller.link
    assert link is not None
    link.sign_in(Method.BADGE, BADGE)
    _wait(app, lambda: window.controller.snapshot is not None)
    _wait(app, lambda: not window.controller.runner.is_busy())


def _sign_in_page(app: QApplication, window: DeviceKioskWindow) -> None:
    window.operator_page.load_names()


def _pin_page(app: QApplication, window: DeviceKioskWindow) -> None:
    window.operator_page.pick(OPERATOR)
    window.operator_page.press("1")
    window.operator_page.press("1")


def _offline_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _signed_in(app, window)
    controller = window.controller
    assert controller.link is not None and controller.snapshot is not None
    controller.link.close()  # the server goes away: nothing leaves the outbox
    _wait(app, lambda: not controller.runner.is_busy())
    job = controller.snapshot.job_id
    if job is None:
        raise ConfigError(f"the offline page needs a job running on {controller.station_id}")
    for qty in (5, 10, 22):
        controller.report(qty, confirm_over=True)
    controller.set_online(False, "no connection to the database")


def _blocked_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _signed_in(app, window)
    window.controller.actions.block(window.controller.config.block_reasons[0])
    _wait(app, window.resume_button.isVisible)


def _confirm_count_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _blocked_page(app, window)
    window.report(5)


def _complete_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _signed_in(app, window)
    window.show_notice("warning", SCAN_WARNING)
    window.ask_complete()


def _scrap_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _signed_in(app, window)
    _wait(app, lambda: bool(window.scrap.reasons))
    window.scrap.qty = 3
    window.scrap.ask_group()
    page = window.choice_page
    group = next((key for key in page.buttons if key.startswith("group:")), None)
    if group is not None:  # the leaves of the first group, the second level
        page.buttons[group].click()


def _scrapped_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _signed_in(app, window)
    _wait(app, lambda: bool(window.scrap.reasons))
    window.scrap.report(3, window.scrap.reasons[0].id)
    _wait(app, lambda: window.controller.scrap_queue.pending_count() == 0)
    window.controller.refresh()
    _wait(app, lambda: not window.controller.runner.is_busy())


def _stop_page(app: QApplication, window: DeviceKioskWindow) -> None:
    from datetime import UTC, datetime, timedelta

    from leanops_desktop.core.actor import Actor
    from leanops_desktop.core.enums import Role
    from leanops_desktop.services.downtime.limits import seed_limits
    from leanops_desktop.services.downtime.stops import sweep_quiet_stations

    _signed_in(app, window)
    admin = Actor(email="admin@leanops.local", role=Role.ADMIN)
    link = window.controller.link
    assert link is not None
    with link.start.device.db.session() as session:  # judged as if two hours had passed
        seed_limits(session, admin, 20)
        sweep_quiet_stations(session, admin, now=datetime.now(UTC) + timedelta(hours=2))
    window.stops.sweep()
    _wait(app, lambda: bool(window.stops.stops))


def _stop_reason_page(app: QApplication, window: DeviceKioskWindow) -> None:
    _stop_page(app, window)
    window.stops.ask_reason()
    if "group:maintenance" in window.choice_page.buttons:  # the demo's second level
        window.choice_page.buttons["group:maintenance"].click()


_SETUPS: dict[str, Callable[[QApplication, DeviceKioskWindow], None]] = {
    "sign-in": _sign_in_page,
    "pin": _pin_page,
    "offline": _offline_page,
    "blocked": _blocked_page,
    "confirm-count": _confirm_count_page,
    "complete": _complete_page,
    "scrap": _scrap_page,
    "scrapped": _scrapped_page,
    "stop": _stop_page,
    "stop-reason": _stop_reason_page,
}
