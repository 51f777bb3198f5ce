"""The OEE reuses a status timeline already read (the range's key figures') when it covers
the shifts, with the same figures as reading its own, on both backends; one that does not
cover them is not used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services import analytics
from leanops_desktop.services.oee import compute
from leanops_desktop.services.oee.compute import oee_rows
from tests.oee_plant import DAY, at, build_plant

DAY_START = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    return db


def _timelines_read(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = compute.status_timeline

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(compute, "status_timeline", recorded)
    return calls


def test_the_key_figures_timeline_gives_the_same_oee_without_reading_again(
    plant: Database, supervisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = at(20)
    with plant.session() as session:
        own = oee_rows(session, supervisor, DAY, DAY, UTC, now=now)
        figures = analytics.key_figures(
            session, supervisor, DAY_START, DAY_START + timedelta(days=1), tz=UTC, now=now
        )
    calls = _timelines_read(monkeypatch)
    with plant.session() as session:
        shared = oee_rows(session, supervisor, DAY, DAY, UTC, now=now, timeline=figures.timeline)
    assert calls == []
    assert shared == own
    assert [row.figures.oee for row in shared if row.station_id == "ST-A1"] == [
        pytest.approx(0.696, abs=5e-4)
    ]


def test_a_timeline_that_misses_part_of_the_shift_is_not_used(
    plant: Database, supervisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = at(20)
    with plant.session() as session:
        own = oee_rows(session, supervisor, DAY, DAY, UTC, now=now)
        afternoon = analytics.key_figures(
            session, supervisor, at(12), DAY_START + timedelta(days=1), tz=UTC, now=now
        )
    calls = _timelines_read(monkeypatch)
    with plant.session() as session:
        rows = oee_rows(session, supervisor, DAY, DAY, UTC, now=now, timeline=afternoon.timeline)
    assert len(calls) == 1  # the shift began at 06:00: read its own
    assert rows == own
