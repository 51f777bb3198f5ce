"""LiveFeed on both backends: other seats' changes reach the real floor models, coalesced,
every change once; edits in progress learn that their row changed elsewhere."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.db.models import ChangeFeed
from leanops_desktop.qt.live import EditConflictWatch, LiveFeed, changed_fields
from leanops_desktop.qt.models import (
    FloorModels,
    apply_changes,
)
from leanops_desktop.services.floor import dispatch, jobs
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting import production
from tests.factories import make_job, make_station
from tests.qt.test_models_refresh import load_floor
from tests.test_change_feed import commit_in_other_process

WRITERS = 10
CHANGES_PER_WRITER = 200


class Recorder:
    """Every emission of a LiveFeed, with the time it arrived."""

    def __init__(self, feed: LiveFeed) -> None:
        self.batches: list[tuple[float, dict[str, set[str]]]] = []
        self.states: list[tuple[bool, str]] = []
        feed.changes_arrived.connect(
            lambda changes: self.batches.append((time.monotonic(), changes))
        )
        feed.connection_state_changed.connect(lambda online, msg: self.states.append((online, msg)))

    def keys(self, table: str) -> list[str]:
        return [key for _, changes in self.batches for key in changes.get(table, ())]


def assigned_plant(db: Database, supervisor: Actor, stations: int = 1) -> None:
    for number in range(1, stations + 1):
        make_station(db, supervisor, f"ST-{number:02d}")
        make_job(db, supervisor, f"JOB-{number:04d}", qty_total=10_000)
        with db.session() as session:
            dispatch.assign_job(session, supervisor, f"JOB-{number:04d}", f"ST-{number:02d}")


@pytest.fixture
def live(db: Database, qtbot: QtBot) -> Iterator[LiveFeed]:
    feed = LiveFeed(db)
    feed.start()
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    yield feed
    feed.stop()


def follow(feed: LiveFeed, db: Database) -> FloorModels:
    """The real floor models, loaded now and kept current by the feed."""
    floor = load_floor(db)
    feed.changes_arrived.connect(lambda changes: apply_changes(db, floor, changes))
    return floor


def test_a_report_from_another_process_reaches_every_model(
    db: Database, db_url: str, supervisor: Actor, qtbot: QtBot
) -> None:
    assigned_plant(db, supervisor)
    feed = LiveFeed(db)
    feed.start()  # before the views load: nothing committed after this is missed
    floor = follow(feed, db)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    recorder = Recorder(feed)
    try:
        commit_in_other_process(
            db_url,
            "production.report_quantity(session, admin, station_id='ST-01', job_id='JOB-0001',"
            " qty=5, report_id='9b2f7c1e-5d1a-4c53-a8f0-2d0c43a1e001')",
        )

        def shown() -> bool:
            assignment = floor.assignments.all_rows()[0]
            job = floor.jobs.row_for_key("JOB-0001")
            station = floor.stations.row_for_key("ST-01")
            assert job is not None and station is not None
            return assignment.qty_done == 5 and job.qty_done == 5 and station.job_qty_done == 5

        qtbot.waitUntil(shown, timeout=5000)
        assert "9b2f7c1e-5d1a-4c53-a8f0-2d0c43a1e001" in recorder.keys("performance_logs")
        assert floor.events.total_count() > 0
        assert any(row.event_type == "qty_reported" for row in floor.events.all_rows())
    finally:
        feed.stop()


def test_ten_writers_every_change_arrives_once_coalesced(
    db: Database, supervisor: Actor, operator: Actor, qtbot: QtBot
) -> None:
    assigned_plant(db, supervisor, stations=WRITERS)
    feed = LiveFeed(db)
    feed.start()
    recorder = Recorder(feed)  # first: it records the moment of each emission
    floor = follow(feed, db)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    errors: list[BaseException] = []
    report_ids: list[str] = []

    def write(number: int) -> None:
        try:
            with db.session() as session:
                for _ in range(CHANGES_PER_WRITER):
                    report_id = uuid.uuid4()
                    production.report_quantity(
                        session,
                        operator,
                        station_id=f"ST-{number:02d}",
                        job_id=f"JOB-{number:04d}",
                        qty=1,
                        report_id=report_id,
                    )
                    report_ids.append(str(report_id))
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(1, WRITERS + 1)]
    for thread in writers:
        thread.start()
    try:
        qtbot.waitUntil(lambda: not any(t.is_alive() for t in writers), timeout=600_000)
        assert errors == []

        def all_shown() -> bool:
            return all(row.qty_done == CHANGES_PER_WRITER for row in floor.assignments.all_rows())

        qtbot.waitUntil(all_shown, timeout=30_000)
        qtbot.wait(300)  # anything left would arrive now
    finally:
        feed.stop()
    delivered = recorder.keys("performance_logs")
    assert len(delivered) == len(set(delivered))  # each report in exactly one emission
    assert set(delivered) == set(report_ids)
    assert len(report_ids) == WRITERS * CHANGES_PER_WRITER
    for job in floor.jobs.all_rows():
        assert job.qty_done == CHANGES_PER_WRITER
    times = [when for when, _ in recorder.batches]
    spacing = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) > 1
    assert min(spacing) >= 0.049  # bursts coalesce: at most ~20 emissions a second


def test_an_idle_database_emits_nothing(db: Database, live: LiveFeed, qtbot: QtBot) -> None:
    recorder = Recorder(live)
    qtbot.wait(400)
    assert recorder.batches == []
    assert recorder.states == []  # and says nothing about the connection while it holds


def test_an_own_change_comes_back_through_the_feed(
    db: Database, live: LiveFeed, supervisor: Actor, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(live.changes_arrived, timeout=5000) as blocker:
        make_station(db, supervisor, "ST-42")
    assert blocker.args is not None
    assert blocker.args[0]["stations"] == {"ST-42"}


def test_an_edit_learns_that_its_row_changed_elsewhere(
    db: Database, db_url: str, live: LiveFeed, supervisor: Actor, qtbot: QtBot
) -> None:
    recorder = Recorder(live)
    make_job(db, supervisor, "JOB-0007", qty_total=10)
    make_job(db, supervisor, "JOB-0008", qty_total=10)
    qtbot.waitUntil(lambda: "JOB-0008" in recorder.keys("jobs"), timeout=5000)
    with db.session() as session:
        loaded = queries.get_job(session, "JOB-0007")
    watch = EditConflictWatch(live)
    watch.watch("jobs", "JOB-0007")
    seen: list[tuple[str, str]] = []
    watch.row_changed_elsewhere.connect(lambda table, key: seen.append((table, key)))

    with qtbot.waitSignal(live.changes_arrived, timeout=5000), db.session() as session:
        jobs.update_job(session, supervisor, "JOB-0008", part_name="Other part")
    assert seen == []

    commit_in_other_process(
        db_url, "jobs.update_job(session, admin, 'JOB-0007', part_name='Changed elsewhere')"
    )
    qtbot.waitUntil(lambda: seen == [("jobs", "JOB-0007")], timeout=5000)
    with db.session() as session:
        fresh = queries.get_job(session, "JOB-0007")
    assert changed_fields(loaded, fresh) == ["part_name"]

    watch.release_all()  # our own save comes back through the feed too: no warning for it
    with qtbot.waitSignal(live.changes_arrived, timeout=5000), db.session() as session:
        jobs.update_job(session, supervisor, "JOB-0007", part_name="Saved here")
    assert seen == [("jobs", "JOB-0007")]


def test_the_main_window_follows_another_seat(
    db: Database, db_url: str, supervisor: Actor, qtbot: QtBot
) -> None:
    from leanops_desktop.config import SiteConfig
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.main_window import MainWindow
    from leanops_desktop.qt.messages import MessageService
    from leanops_desktop.services.accounts.signed_in import SignedIn

    assigned_plant(db, supervisor)
    feed = LiveFeed(db)
    feed.start()  # as app.py does: before the window's first load
    window = MainWindow(
        SignedIn(db=db, actor=supervisor),
        SiteConfig(),
        messages=MessageService(),
        runner=DbRunner(inline=True),
        live_feed=feed,
        restore_layout=False,
    )
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: feed.online, timeout=5000)
        commit_in_other_process(
            db_url,
            "production.report_quantity(session, admin, station_id='ST-01', job_id='JOB-0001',"
            " qty=7, report_id='9b2f7c1e-5d1a-4c53-a8f0-2d0c43a1e007')",
        )

        def shown() -> bool:
            job = window.models.jobs.row_for_key("JOB-0001")
            return job is not None and job.qty_done == 7

        qtbot.waitUntil(shown, timeout=5000)
        assert window.status.online
    finally:
        feed.stop()


@pytest.fixture
def first_change_seen(
    db: Database, supervisor: Actor, qtbot: QtBot
) -> Iterator[tuple[LiveFeed, Recorder]]:
    """A feed without heartbeats (60 s) that has just passed on ST-01's creation."""
    feed = LiveFeed(db, heartbeat_ms=60_000, trailing_ms=60)
    feed.start()
    recorder = Recorder(feed)
    qtbot.waitUntil(lambda: feed.online, timeout=5000)
    try:
        make_station(db, supervisor, "ST-01")  # notifies
        qtbot.waitUntil(lambda: "ST-01" in recorder.keys("stations"), timeout=5000)
        yield feed, recorder
    finally:
        feed.stop()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_change_without_a_notification_of_its_own_arrives_with_the_trailing_read(
    db: Database, qtbot: QtBot, first_change_seen: tuple[LiveFeed, Recorder]
) -> None:
    """The server notifies at most once per 10 ms: a change committed right after one that
    notified has none, and must still arrive (here long before the next heartbeat)."""
    _feed, recorder = first_change_seen
    with db.engine.begin() as connection:  # committed after that read, never notified
        connection.execute(
            insert(ChangeFeed).values(table_name="stations", row_key="ST-02", op="I")
        )
    qtbot.waitUntil(lambda: "ST-02" in recorder.keys("stations"), timeout=1000)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_trailing_read_that_found_nothing_does_not_hold_back_the_next_change(
    db: Database, supervisor: Actor, qtbot: QtBot, first_change_seen: tuple[LiveFeed, Recorder]
) -> None:
    feed, recorder = first_change_seen
    qtbot.wait(75)  # the trailing read (at 60 ms) has looked and found nothing
    make_station(db, supervisor, "ST-02")
    # 75 ms after the last update the 50 ms interval is over: read now, not later.
    feed.request_read()
    assert feed.reading  # sent to the runner at once, not held back by a timer
    qtbot.waitUntil(lambda: "ST-02" in recorder.keys("stations"), timeout=1000)
