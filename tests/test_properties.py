"""Random sequences of service calls keep the invariants of the floor, on both backends."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError, RuleViolation
from leanops_desktop.db.engine import Database
from leanops_desktop.services.floor import dispatch, jobs, stations
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import production

_run = itertools.count()


def _nothing() -> None:
    raise RuleViolation("no report to correct yet")


def check_invariants(db: Database) -> None:
    with db.engine.connect() as connection:
        q = lambda sql: connection.execute(text(sql)).all()  # noqa: E731
        mismatched = q(
            "SELECT a.id FROM station_assignments a WHERE a.qty_done <> (SELECT"
            " coalesce(sum(l.qty_completed), 0) FROM performance_logs l"
            " WHERE l.assignment_id = a.id)"
        )
        assert mismatched == [], "qty_done differs from the sum of its logs"
        drifted = q(
            "SELECT j.id FROM jobs j WHERE j.qty_reported <> (SELECT"
            " coalesce(sum(l.qty_completed), 0) FROM performance_logs l WHERE l.job_id = j.id)"
        )
        assert drifted == [], "jobs.qty_reported differs from the sum of its logs"
        stations_state = q(
            "SELECT s.id, s.status, s.is_active, s.blocked_reason, a.id FROM stations s"
            " LEFT JOIN station_assignments a ON a.station_id = s.id"
        )
        for station_id, status, active, reason, assignment in stations_state:
            assert (status == "blocked") == (reason is not None), station_id
            if assignment is not None:
                assert status in ("running", "blocked") and active, station_id
            else:
                assert status in ("idle", "blocked"), station_id
            if not active:
                assert assignment is None and status == "idle", station_id
        jobs_state = q(
            "SELECT j.id, j.status, count(a.id) FROM jobs j"
            " LEFT JOIN station_assignments a ON a.job_id = j.id GROUP BY j.id, j.status"
        )
        for job_id, status, assignments in jobs_state:
            assert (status == "running") == (assignments > 0), job_id
        seqs = [row[0] for row in q("SELECT seq FROM change_feed ORDER BY seq")]
        assert len(seqs) == len(set(seqs))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_service_sequences_keep_the_invariants(
    db: Database, supervisor: Actor, operator: Actor, data: st.DataObject
) -> None:
    run = next(_run)
    station_ids = [f"P{run}-ST-{n}" for n in range(3)]
    job_ids = [f"P{run}-JOB-{n}" for n in range(4)]
    reports: list[uuid.UUID] = []
    with db.engine.connect() as connection:
        events_before = connection.execute(text("SELECT count(*) FROM events_log")).scalar_one()
    succeeded = 0
    with db.session() as session:
        for station_id in station_ids:
            stations.create_station(session, supervisor, station_id=station_id, name="S", line="L")
        for job_id in job_ids:
            jobs.create_job(
                session,
                supervisor,
                job_id=job_id,
                part_name="P",
                qty_total=data.draw(st.integers(1, 30)),
                due_date="2030-01-01",
            )
        succeeded += len(station_ids) + len(job_ids)
        station = st.sampled_from(station_ids)
        job = st.sampled_from(job_ids)
        who = st.sampled_from([supervisor, operator])

        def report_on_running() -> None:
            running = [a for a in queries.list_assignments(session) if a.station_id in station_ids]
            if not running:
                raise RuleViolation("nothing runs")
            target = data.draw(st.sampled_from(running))
            reports.append(
                production.report_quantity(
                    session,
                    operator,
                    station_id=target.station_id,
                    job_id=target.job_id,
                    qty=data.draw(st.integers(1, 12)),
                    report_id=uuid.uuid4(),
                    confirm_over=data.draw(st.booleans()),
                ).log_id
            )

        operations: list[tuple[str, Any]] = [
            (
                "assign",
                lambda: dispatch.assign_job(
                    session, data.draw(who), data.draw(job), data.draw(station)
                ),
            ),
            ("unassign", lambda: dispatch.unassign_job(session, supervisor, data.draw(station))),
            (
                "move",
                lambda: dispatch.move_job(
                    session, supervisor, data.draw(job), data.draw(station), data.draw(station)
                ),
            ),
            (
                "complete",
                lambda: dispatch.complete_job(
                    session,
                    data.draw(who),
                    data.draw(job),
                    station_id=data.draw(st.one_of(st.none(), station)),
                ),
            ),
            (
                "block",
                lambda: stations.block_station(
                    session,
                    data.draw(who),
                    data.draw(station),
                    data.draw(st.sampled_from(["x", " ", "qa"])),
                ),
            ),
            ("unblock", lambda: stations.unblock_station(session, operator, data.draw(station))),
            (
                "active",
                lambda: stations.set_station_active(
                    session, supervisor, data.draw(station), data.draw(st.booleans())
                ),
            ),
            (
                "report",
                lambda: reports.append(
                    production.report_quantity(
                        session,
                        operator,
                        station_id=data.draw(station),
                        job_id=data.draw(job),
                        qty=data.draw(st.integers(-2, 12)),
                        report_id=uuid.uuid4(),
                        confirm_over=data.draw(st.booleans()),
                    ).log_id
                ),
            ),
            ("report running", report_on_running),
            (
                "correct",
                lambda: (
                    production.correct_report(
                        session,
                        operator,
                        log_id=data.draw(st.sampled_from(reports)),
                        correction_id=uuid.uuid4(),
                    )
                    if reports
                    else _nothing()
                ),
            ),
        ]
        for _ in range(data.draw(st.integers(5, 25))):
            name, operation = data.draw(st.sampled_from(operations))
            try:
                operation()
            except LeanOpsError as refused:
                event(f"{name} refused: {type(refused).__name__}")
            else:
                event(f"{name} done")
                succeeded += 1
            check_invariants(db)
    with db.engine.connect() as connection:
        events_after = connection.execute(text("SELECT count(*) FROM events_log")).scalar_one()
    assert events_after - events_before == succeeded, "one event per successful mutation"
