"""A kiosk device reports scrap only on its own station, for the operator signed in at it,
on both backends (through the services as the kiosk calls them)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.db.models import EventLog, Job
from leanops_desktop.services.kiosk import operator_sign_in
from leanops_desktop.services.kiosk.operator_credentials import Method
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from tests.test_kiosk_devices import PIN, Kiosk, kiosk  # noqa: F401 (the fixture)


def _scrap(at_kiosk: Kiosk, station: str, job: str, operator: str | None) -> bool:
    report = ScrapReport(station, job, 2, "quality/surface", uuid.uuid4(), operator,
                         datetime.now(UTC))
    with at_kiosk.device.db.session() as session:
        return report_scrap(session, at_kiosk.device.actor, report)


def test_a_kiosk_scraps_on_its_station_for_its_signed_in_operator(kiosk: Kiosk) -> None:  # noqa: F811
    with pytest.raises(PermissionDenied, match="sign-in"):
        _scrap(kiosk, "ST-07", "J-07", kiosk.operator)  # nobody signed in yet
    operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator)
    assert _scrap(kiosk, "ST-07", "J-07", kiosk.operator)
    with pytest.raises(PermissionDenied, match="ST-07"):
        _scrap(kiosk, "ST-08", "J-08", kiosk.operator)
    with pytest.raises(PermissionDenied):
        _scrap(kiosk, "ST-07", "J-07", kiosk.other)  # did not sign in here
    with kiosk.db.session() as session:
        [event] = session.scalars(
            select(EventLog).where(EventLog.event_type == "scrap_reported")
        ).all()
        jobs = {job.id: job.qty_scrapped for job in session.scalars(select(Job))}
    assert event.actor == kiosk.operator and event.station_id == "ST-07"
    assert event.meta["device"] == kiosk.enrolment.login
    assert jobs == {"J-07": 2, "J-08": 0}
