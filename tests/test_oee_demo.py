"""The demo plant's OEE is believable: every working line lands in 55-85 %, with scrap,
ideal cycle times, reasons and a calendar matching its simulated shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import Job, Station
from leanops_desktop.db.oee_models import ScrapLog
from leanops_desktop.db.stop_models import DowntimeStop, StopLimit
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.demo_plant import create_demo_plant
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_demo_plants_oee_is_plausible(db: Database, admin: Actor, supervisor: Actor) -> None:
    now = datetime.now(UTC)
    with db.session() as session:
        create_demo_plant(session, admin, now=now)
    tz = local_zone()
    today = now.astimezone(tz).date()
    with db.session() as session:
        rows = oee_rows(session, supervisor, today - timedelta(days=10), today, tz, now=now)
        scrapped = session.scalar(select(func.sum(ScrapLog.qty_scrapped)))
        with_ideal = session.scalar(
            select(func.count()).select_from(Job).where(Job.ideal_cycle_s.is_not(None))
        )
    assert scrapped and with_ideal
    _check_stops(db, now)
    lines = f.group(rows, lambda row: row.line)
    assert set(lines) == {"Line A", "Line B", "Line C"}
    for line in ("Line A", "Line B", "Line C"):
        figures = lines[line]
        assert figures.oee is not None and 0.55 <= figures.oee <= 0.85, (line, figures)
        assert figures.quality is not None and 0.9 < figures.quality < 1.0
        assert figures.availability is not None and 0.6 < figures.availability < 1.0
        assert "unplanned_stop" in figures.stops_s  # maintenance, tooling, ...
    assert any("unexplained" in lines[line].stops_s for line in lines)  # the stops count
    plant = f.group(rows, lambda row: "plant")["plant"]
    print(
        f"demo OEE {plant.oee:.3f} A {plant.availability:.3f} P {plant.performance:.3f}"
        f" Q {plant.quality:.3f}"
    )


def _check_stops(db: Database, now: datetime) -> None:
    """A quiet limit of 20 min, a handful of past stops (most classified, a few not) and
    one open now on a running station: something for a supervisor to classify."""
    with db.session() as session:
        limits = session.execute(select(StopLimit.kind, StopLimit.quiet_minutes)).all()
        stops = session.scalars(select(DowntimeStop)).all()
        running = set(session.scalars(select(Station.id).where(Station.status == "running")))
    assert [tuple(row) for row in limits] == [("plant", 20)]
    past = [stop for stop in stops if stop.ended_at is not None]
    still_open = [stop for stop in stops if stop.ended_at is None]
    classified = [stop for stop in past if stop.reason_id is not None]
    assert 8 <= len(past) <= 20 and len(past) - len(classified) == 3, stops
    assert len(still_open) == 1 and still_open[0].station_id in running
    assert still_open[0].started_at <= now - timedelta(minutes=20)
    for stop in past:
        assert stop.ended_at is not None
        assert timedelta(minutes=20) <= stop.ended_at - stop.started_at <= timedelta(hours=2)
