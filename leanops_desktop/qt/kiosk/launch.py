"""Assembling the kiosk: the controller for one station, and its window.

The composition root (``app.build_kiosk``, ``app.run_kiosk``) opens the station's outbox
file and hands it in with the runner and the live feed factory it wires every window with;
tests pass their own outbox, idle time and sign-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.validation import check_id
from leanops_desktop.qt.kiosk.kiosk_controller import REFRESH_MS, KioskController, SignInFunction
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.kiosk.live_refresh import FeedFactory, default_feed
from leanops_desktop.qt.kiosk.undo_banner import UNDO_MS
from leanops_desktop.services.accounts.auth import kiosk_sign_in

if TYPE_CHECKING:
    from leanops_desktop.db.outbox import Outbox
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow
    from leanops_desktop.services.kiosk.kiosk_start import KioskStart


def create_kiosk(
    url: str,
    config: SiteConfig,
    station_id: str,
    *,
    outbox: Outbox,
    sign_in_function: SignInFunction = kiosk_sign_in,
    idle_ms: int | None = None,
    undo_ms: int = UNDO_MS,
    refresh_ms: int = REFRESH_MS,
    live: bool = True,
    runner: DbRunner | None = None,
    make_feed: FeedFactory = default_feed,
) -> KioskWindow:
    """The kiosk window for ``station_id`` (not shown yet), showing the sign-in page."""
    station_id = check_id("station", station_id)
    controller = KioskController(
        url,
        config,
        station_id,
        outbox,
        sign_in_function=sign_in_function,
        refresh_ms=refresh_ms,
        live=live,
        runner=runner,
        make_feed=make_feed,
    )
    window = KioskWindow(controller, idle_ms=idle_ms, undo_ms=undo_ms)
    controller.setParent(window)
    return window


def create_device_kiosk(
    start: KioskStart,
    config: SiteConfig,
    *,
    outbox: Outbox,
    idle_ms: int | None = None,
    undo_ms: int = UNDO_MS,
    refresh_ms: int = REFRESH_MS,
    live: bool = True,
    runner: DbRunner | None = None,
    make_feed: FeedFactory = default_feed,
) -> DeviceKioskWindow:
    """The kiosk of an enrolled station (not shown yet): badge and PIN sign-in, reports
    sent with the device's login from the start."""
    from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow

    controller = KioskController(
        start.enrolment.database,
        config,
        start.station_id,
        outbox,
        refresh_ms=refresh_ms,
        live=live,
        runner=runner,
        make_feed=make_feed,
    )
    controller.attach_device(start)
    controller.set_online(start.online, start.message)
    window = DeviceKioskWindow(controller, idle_ms=idle_ms, undo_ms=undo_ms)
    controller.setParent(window)
    return window
