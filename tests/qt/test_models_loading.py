"""Loading: DbRunner (work off the GUI thread, results back in it, newest load wins),
load_into, and the lean job loader."""

from __future__ import annotations

import gc
import threading
from uuid import uuid4

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus
from leanops_desktop.core.errors import NotFound
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.loading import load_into, paused_gc
from leanops_desktop.qt.models import JobTableModel
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reads.table_pages import all_jobs
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.qt.test_models_rows import job


def test_inline_runner_calls_back_at_once(qtbot: QtBot) -> None:
    runner = DbRunner(inline=True)
    results: list[int] = []
    errors: list[BaseException] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    runner.submit(lambda: 6 * 7, results.append)
    runner.submit(lambda: [][1], results.append, errors.append)
    assert results == [42]
    assert len(errors) == 1 and isinstance(errors[0], IndexError)
    assert busy == [True, False, True, False]
    assert not runner.is_busy()


def test_results_and_errors_arrive_in_the_gui_thread(qtbot: QtBot, runner: DbRunner) -> None:
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["work"] = threading.get_ident()
        return 7

    def failing() -> int:
        raise NotFound("job", "JOB-9")

    def got_result(value: int) -> None:
        seen["result"] = threading.get_ident()
        seen["value"] = value

    def got_error(error: BaseException) -> None:
        seen["error"] = threading.get_ident()
        assert str(error) == "job JOB-9 does not exist"

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.submit(work, got_result)
        runner.submit(failing, got_result, got_error)
    runner.wait()
    assert seen["work"] != gui
    assert seen["result"] == gui and seen["error"] == gui
    assert seen["value"] == 7


def test_unhandled_errors_are_reported(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture, runner: DbRunner
) -> None:
    with qtbot.waitSignal(runner.error_occurred) as reported:
        runner.submit(lambda: 1 / 0, lambda _value: None)
    runner.wait()
    assert isinstance(reported.args[0], ZeroDivisionError)
    assert "background task failed" in caplog.text


def test_a_newer_task_of_a_group_supersedes_an_older_one(qtbot: QtBot, runner: DbRunner) -> None:
    release = threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        release.wait(5)
        return "old"

    old = runner.submit(slow, delivered.append, group="jobs")
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.submit(lambda: "new", delivered.append, group="jobs")
        release.set()  # one lane: the new task runs once the old one is done
    runner.wait()
    qtbot.wait(20)
    assert delivered == ["new"]  # the old result was dropped
    assert old.cancelled and old.done


def test_a_lane_runs_its_jobs_in_order_and_lanes_do_not_wait_for_each_other(
    qtbot: QtBot, runner: DbRunner
) -> None:
    release = threading.Event()
    order: list[str] = []
    runner.submit(lambda: release.wait(5) and "write 1", order.append, lane="writes")
    runner.submit(lambda: "write 2", order.append, lane="writes")
    runner.submit(lambda: "read", order.append, lane="reads")
    qtbot.waitUntil(lambda: order == ["read"])  # the reads lane did not wait for the writes
    release.set()
    qtbot.waitUntil(lambda: len(order) == 3)
    assert order == ["read", "write 1", "write 2"]
    assert {t.name for t in runner.threads()} == {"leanops-db-writes", "leanops-db-reads"}


def test_close_ends_the_lanes_and_drops_outcomes(qtbot: QtBot) -> None:
    runner = DbRunner()
    release = threading.Event()
    delivered: list[object] = []
    runner.submit(lambda: release.wait(5), delivered.append)
    threads = runner.threads()
    runner.close()
    release.set()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    qtbot.wait(20)
    assert delivered == []
    dropped = runner.submit(lambda: 1, delivered.append)  # after close: never runs
    assert dropped.cancelled and delivered == []


def test_load_into_shows_the_first_page_then_everything(qtbot: QtBot, runner: DbRunner) -> None:
    model = JobTableModel()
    sizes: list[int] = []
    model.modelReset.connect(lambda: sizes.append(model.rowCount()))
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        load_into(
            runner,
            model,
            lambda: [job(n) for n in range(50)],
            first_page=lambda: [job(n) for n in range(5)],
        )
    runner.wait()
    assert sizes == [5, 50]  # two resets: the first screen, then the full table
    model.set_text_filter("job-0049")
    assert model.keys() == ["JOB-0049"]  # search texts came prepared from the worker


def test_garbage_collection_is_paused_while_loading(qtbot: QtBot) -> None:
    runner = DbRunner(inline=True)
    model = JobTableModel()
    seen: list[bool] = []

    def fetch() -> list:  # type: ignore[type-arg]
        seen.append(gc.isenabled())
        return [job(1)]

    assert gc.isenabled()
    load_into(runner, model, fetch)
    assert seen == [False]
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_all_jobs_gives_exactly_the_rows_of_list_jobs(
    db: Database, supervisor: Actor, operator: Actor
) -> None:
    for number in range(1, 3):
        make_station(db, supervisor, f"ST-0{number}")
    specs = [(5, "normal"), (9, "high"), (1, "normal"), (2, "high"), (1, "normal")]
    for number, (days, priority) in enumerate(specs):
        make_job(db, supervisor, f"JOB-{number:04d}", due_in_days=days, priority=priority)
    with db.session() as session:
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-02")
        dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
        production.report_quantity(
            session, operator, station_id="ST-01", job_id="JOB-0001", qty=7, report_id=uuid4()
        )
        dispatch.complete_job(session, supervisor, "JOB-0004")
        expected = queries.list_jobs(session)
        loaded = all_jobs(session)
        waiting = all_jobs(session, statuses=[JobStatus.WAITING])
        expected_waiting = queries.list_jobs(session, statuses=[JobStatus.WAITING])
    assert loaded == expected
    assert [row.id for row in loaded] == [
        "JOB-0003",
        "JOB-0001",
        "JOB-0002",
        "JOB-0004",
        "JOB-0000",
    ]
    running = loaded[1]
    assert running.station_ids == ("ST-01", "ST-02") and running.qty_done == 7
    assert waiting == expected_waiting and {row.status for row in waiting} == {JobStatus.WAITING}
