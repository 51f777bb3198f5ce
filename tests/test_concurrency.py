"""Concurrent reports never lose an increment, on both backends."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import PerformanceLog, StationAssignment
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station

THREADS = 20
REPORTS_PER_THREAD = 200


def test_twenty_threads_report_into_one_assignment(
    db: Database, supervisor: Actor, operator: Actor
) -> None:
    make_station(db, supervisor)
    make_job(db, supervisor, qty_total=THREADS * REPORTS_PER_THREAD)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker() -> None:
        try:
            start.wait()
            with db.session() as session:
                for _ in range(REPORTS_PER_THREAD):
                    production.report_quantity(
                        session,
                        operator,
                        station_id="ST-01",
                        job_id="JOB-1001",
                        qty=1,
                        report_id=uuid.uuid4(),
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    with db.session() as session:
        qty_done = session.scalar(select(StationAssignment.qty_done))
        logged = session.scalar(select(func.sum(PerformanceLog.qty_completed)))
        count = session.scalar(select(func.count()).select_from(PerformanceLog))
    assert qty_done == logged == THREADS * REPORTS_PER_THREAD
    assert count == THREADS * REPORTS_PER_THREAD


def test_concurrent_retries_of_one_report_count_once(
    db: Database, supervisor: Actor, operator: Actor
) -> None:
    make_station(db, supervisor)
    make_job(db, supervisor, qty_total=1000)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-1001", "ST-01")
    report_id = uuid.uuid4()
    results: list[bool] = []
    start = threading.Barrier(8)

    def retry() -> None:
        start.wait()
        with db.session() as session:
            results.append(
                production.report_quantity(
                    session,
                    operator,
                    station_id="ST-01",
                    job_id="JOB-1001",
                    qty=9,
                    report_id=report_id,
                ).counted
            )

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 7 + [True]
    with db.session() as session:
        assert session.scalar(select(StationAssignment.qty_done)) == 9
