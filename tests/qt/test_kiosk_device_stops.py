"""An enrolled kiosk explains its station's stop for the operator signed in at it (both
backends: on PostgreSQL the device's own login calls ``leanops_classify_stop``)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.qt.kiosk.device_window import DeviceKioskWindow
from leanops_desktop.services.downtime.limits import seed_limits
from tests.qt.test_kiosk import tap
from tests.qt.test_kiosk_sign_in import (  # noqa: F401
    PIN,
    Floor,
    enter_pin,
    floor,
    kiosk,
    wait_signed_in,
)
from tests.stop_clock import age_plant


def test_the_enrolled_kiosk_explains_its_stop_for_the_operator_signed_in(
    qtbot: QtBot,
    kiosk: DeviceKioskWindow,  # noqa: F811
    floor: Floor,  # noqa: F811
    db: Database,
    db_url: str,
    admin: Actor,
) -> None:
    with db.session() as session:
        seed_limits(session, admin, 20)
    enter_pin(qtbot, kiosk, floor.operator, PIN)
    wait_signed_in(qtbot, kiosk)  # the sign-in is the station's activity: age after it
    flow = kiosk.stops
    qtbot.waitUntil(lambda: not kiosk.controller.runner.is_busy(), timeout=15_000)
    assert flow.notice.isHidden()
    age_plant(db_url, 35)
    flow.sweep()
    qtbot.waitUntil(lambda: flow.notice.isVisible(), timeout=15_000)
    assert "(35 min so far) — what happened?" in flow.notice.label.text()
    tap(qtbot, flow.notice.button)
    tap(qtbot, kiosk.choice_page.buttons["reason:tooling"])
    qtbot.waitUntil(lambda: flow.notice.isHidden(), timeout=15_000)
    with db.session() as session:
        found = session.execute(
            select(DowntimeStop.reason_id, DowntimeStop.classified_by).where(
                DowntimeStop.station_id == "ST-07"
            )
        ).all()
    assert [tuple(row) for row in found] == [("tooling", floor.operator)]
