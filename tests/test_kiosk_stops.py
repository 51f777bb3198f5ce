"""A kiosk sweeps for quiet stations and classifies its own station's stops, for the
operator signed in at it, on both backends (through the services as the kiosk calls them:
the device's own login on PostgreSQL, the app's checks on SQLite)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import PermissionDenied
from leanops_desktop.db.models import EventLog
from leanops_desktop.db.stop_models import DowntimeStop
from leanops_desktop.services.downtime import limits, stops
from leanops_desktop.services.kiosk import kiosk_devices, operator_sign_in
from leanops_desktop.services.kiosk.operator_credentials import Method
from tests.stop_clock import age_plant
from tests.test_kiosk_devices import PIN, Kiosk, kiosk  # noqa: F401 (the fixture)


def _classify(at_kiosk: Kiosk, stop: uuid.UUID, reason: str, operator: str | None) -> bool:
    with at_kiosk.device.db.session() as session:
        return stops.classify_stop(session, at_kiosk.device.actor, stop, reason,
                                   operator=operator)


def _stops(at_kiosk: Kiosk) -> dict[str, DowntimeStop]:
    with at_kiosk.db.session() as session:
        found = {row.station_id: row for row in session.scalars(select(DowntimeStop))}
        session.expunge_all()
    return found


def test_a_kiosk_sweeps_and_classifies_its_stations_stop_for_its_operator(
    kiosk: Kiosk, admin: Actor  # noqa: F811
) -> None:
    with kiosk.db.session() as session:
        limits.save_limit(session, admin, "plant", "", 20)
    age_plant(kiosk.url, 30)
    with kiosk.device.db.session() as session:
        opened = stops.sweep_quiet_stations(session, kiosk.device.actor)
    # The sweep covers the plant; the kiosk is shown its own station's stop only.
    assert [row.station_id for row in opened] == ["ST-07"]
    both = _stops(kiosk)
    assert sorted(both) == ["ST-07", "ST-08"]
    here, there = both["ST-07"].id, both["ST-08"].id
    with kiosk.device.db.session() as session:
        assert [row.id for row in stops.list_stops(session, kiosk.device.actor,
                                                   since=both["ST-07"].started_at)] == [here]
    with pytest.raises(PermissionDenied, match="sign-in"):
        _classify(kiosk, here, "material", kiosk.operator)  # nobody signed in yet
    assert operator_sign_in.sign_in(kiosk.device, Method.PIN, PIN, kiosk.operator).ok
    with pytest.raises(PermissionDenied, match="ST-07"):
        _classify(kiosk, there, "material", kiosk.operator)  # another station's stop
    with pytest.raises(PermissionDenied):
        _classify(kiosk, here, "material", kiosk.other)  # did not sign in here
    assert _classify(kiosk, here, "material", kiosk.operator) is True
    with pytest.raises(PermissionDenied, match="supervisor"):
        _classify(kiosk, here, "tooling", kiosk.operator)  # an operator's rights
    after = _stops(kiosk)
    assert (after["ST-07"].reason_id, after["ST-07"].classified_by) == (
        "material", kiosk.operator
    )
    assert after["ST-08"].reason_id is None
    with kiosk.db.session() as session:
        [event] = session.scalars(
            select(EventLog).where(EventLog.event_type == "stop_classified")
        ).all()
    assert event.actor == kiosk.operator and event.station_id == "ST-07"
    assert event.meta["device"] == kiosk.enrolment.login


# On PostgreSQL a revoked kiosk cannot even sign in to the database (test_kiosk_devices.py).
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_revoked_kiosk_sweeps_nothing(kiosk: Kiosk, admin: Actor) -> None:  # noqa: F811
    age_plant(kiosk.url, 30)
    with kiosk.db.session() as session:
        kiosk_devices.revoke_kiosks(session, admin, "ST-07")
    with pytest.raises(PermissionDenied), kiosk.device.db.session() as session:
        stops.sweep_quiet_stations(session, kiosk.device.actor)
    assert _stops(kiosk) == {}
