"""Random plants: A and Q stay in [0, 1], good + scrap = total everywhere, and SQLite and
PostgreSQL give the same OEE figures for the same reports, stops and job changes."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.db.models import Job
from leanops_desktop.services.oee.compute import oee_rows
from tests.analytics_seed import add_events, add_job, add_logs, add_stations
from tests.conftest import copy_sqlite
from tests.oee_plant import DAY, add_scrap, at
from tests.pg_server import create_database, drop_database

pytestmark = pytest.mark.postgres
STATIONS = ("R-1", "R-2", "R-3")
REASONS = ("maintenance", "planned stop/meeting", "changeover", "made up", "material")
_run = itertools.count()

minute = st.integers(min_value=-60, max_value=540)
report = st.tuples(st.sampled_from(STATIONS), minute, st.integers(1, 50), st.booleans())
block = st.tuples(st.sampled_from(STATIONS), st.integers(0, 470), st.integers(5, 90),
                  st.sampled_from(REASONS))
plant_strategy = st.fixed_dictionaries(
    {
        "reports": st.lists(report, max_size=25),
        "blocks": st.lists(block, max_size=6),
        "switch_at": st.lists(st.integers(30, 450), min_size=3, max_size=3),
        "ideals": st.lists(st.sampled_from([None, 10.0, 30.0, 45.5]), min_size=2, max_size=2),
    }
)


def _time(m: int) -> Any:
    return at(6 + m // 60, m % 60) if m >= 0 else at(5, 60 + m)


def _events(plan: dict[str, Any]) -> list[tuple[str, str | None, str | None, dict[str, Any], Any]]:
    events: list[tuple[str, str | None, str | None, dict[str, Any], Any]] = []
    taken: dict[str, list[tuple[int, int]]] = {s: [] for s in STATIONS}
    for station, start, length, reason in plan["blocks"]:
        if any(start < e + 1 and s < start + length + 1 for s, e in taken[station]):
            continue  # one stop at a time per station
        taken[station].append((start, start + length))
        events.append(("station_blocked", station, None, {"reason": reason}, _time(start)))
        events.append(("station_unblocked", station, None, {}, _time(start + length)))
    for station, switch in zip(STATIONS, plan["switch_at"], strict=True):
        events.append(("job_assigned", station, "JA", {}, _time(0)))
        events.append(("job_unassigned", station, "JA", {}, _time(switch)))
        events.append(("job_assigned", station, "JB", {}, _time(switch + 10)))
    return sorted(events, key=lambda event: event[4])


def _build(db: Database, admin: Actor, plan: dict[str, Any]) -> None:
    from tests.oee_plant import build_plant  # the shift "S" and the plant's own rows

    build_plant(db, admin)
    add_stations(db, [(s, "Line R") for s in STATIONS])
    for job_id, ideal in zip(("JA", "JB"), plan["ideals"], strict=True):
        add_job(db, job_id, 10_000, DAY)
        with db.session() as session, session.begin():
            session.execute(update(Job).where(Job.id == job_id).values(ideal_cycle_s=ideal))
    add_events(db, _events(plan))
    switch = dict(zip(STATIONS, plan["switch_at"], strict=True))
    good = [(s, "JA" if m < switch[s] else "JB", q, _time(m))
            for s, m, q, is_scrap in plan["reports"] if not is_scrap]
    add_logs(db, good)
    for s, m, q, is_scrap in plan["reports"]:
        if is_scrap:
            add_scrap(db, s, "JA" if m < switch[s] else "JB", q, _time(m))


def _check_totals(db: Database) -> None:
    with db.engine.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        [(logged, scrapped, rolled, rolled_scrap)] = q(
            "SELECT (SELECT coalesce(sum(qty_completed), 0) FROM performance_logs),"
            " (SELECT coalesce(sum(qty_scrapped), 0) FROM scrap_logs),"
            " (SELECT coalesce(sum(units), 0) FROM throughput_rollup),"
            " (SELECT coalesce(sum(scrap_units), 0) FROM throughput_rollup)"
        )
        assert (rolled, rolled_scrap) == (logged, scrapped)
        drifted = q(
            "SELECT j.id FROM jobs j WHERE j.qty_scrapped <> (SELECT coalesce(sum(s.qty_scrapped),"
            " 0) FROM scrap_logs s WHERE s.job_id = j.id) OR j.qty_reported <> (SELECT"
            " coalesce(sum(l.qty_completed), 0) FROM performance_logs l WHERE l.job_id = j.id)"
        )
        assert drifted == []


@contextmanager
def _databases(pg_server_url: str, pg_template: str, sqlite_template: Path,
               tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    run = next(_run)
    path = tmp_path / f"oee-{run}.db"
    copy_sqlite(sqlite_template, path)
    name = f"o_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server_url, name, template=pg_template)
    lite, pg = open_database(f"sqlite:///{path}"), open_database(url)
    try:
        yield lite, pg
    finally:
        lite.dispose()
        pg.dispose()
        drop_database(pg_server_url, name)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plant_strategy)
def test_random_plants_agree_on_both_backends(
    pg_server_url: str, pg_template: str, sqlite_template: Path, tmp_path: Path,
    admin: Actor, supervisor: Actor, plan: dict[str, Any],
) -> None:
    figures = []
    with _databases(pg_server_url, pg_template, sqlite_template, tmp_path) as backends:
        for db in backends:
            _build(db, admin, plan)
            _check_totals(db)
            with db.session() as session:
                rows = oee_rows(session, supervisor, DAY, DAY, UTC, now=at(20))
            for row in rows:
                f = row.figures
                assert f.total == f.good + f.scrap
                for ratio in (f.availability, f.quality):
                    assert ratio is None or 0.0 <= ratio <= 1.0
                assert f.run_s <= f.planned_s
            figures.append({(r.station_id, r.shift_id): r.figures for r in rows})
    lite, pg = figures
    assert lite.keys() == pg.keys()
    for key, mine in lite.items():
        theirs = pg[key]
        assert (mine.good, mine.scrap, mine.units_with_ideal) == (
            theirs.good, theirs.scrap, theirs.units_with_ideal
        ), key
        for a, b in ((mine.planned_s, theirs.planned_s), (mine.run_s, theirs.run_s),
                     (mine.ideal_s, theirs.ideal_s)):
            assert a == pytest.approx(b, abs=1e-6), key
        assert mine.stops_s == pytest.approx(theirs.stops_s), key
