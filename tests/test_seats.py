"""Seats and their connection budgets, piece by piece on both backends: the pool each seat
gets, the name it gives the server, a feed reader and a report sender that share the pool."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.change_feed import ChangeFeedReader
from leanops_desktop.db.engine import open_database
from leanops_desktop.db.seats import BOARD, KIOSK, TOOL, WINDOW
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_channel import ReportChannel
from tests.factories import make_job, make_station


def test_the_budgets_add_up() -> None:
    assert (WINDOW.steady_connections, KIOSK.steady_connections) == (3, 2)
    assert BOARD.steady_connections == 2
    assert TOOL.application_name == "leanops"  # commands are named as before


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_each_seat_gets_its_pool_and_names_itself(db_url: str) -> None:
    for seat in (WINDOW, KIOSK):
        db = open_database(db_url, seat=seat)
        try:
            assert db.seat is seat
            assert db.engine.pool.size() == seat.pool_size  # type: ignore[attr-defined]
            with db.engine.connect() as connection:
                name = connection.execute(text("SELECT current_setting('application_name')"))
                assert name.scalar() == seat.application_name
        finally:
            db.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_feed_reader_without_a_kept_connection_still_reads_every_change(
    db_url: str, supervisor: Actor
) -> None:
    db = open_database(db_url, seat=KIOSK)
    try:
        reader = ChangeFeedReader(db.engine, keep_connection=KIOSK.keep_feed_connection)
        reader.start()
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        make_station(db, supervisor, "ST-41")
        batch = reader.read()
        assert "ST-41" in batch.changes["stations"]
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        reader.close()
    finally:
        db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_kiosk_sender_gives_its_connection_back_between_passes_a_window_keeps_it(
    db_url: str, supervisor: Actor, operator: Actor
) -> None:
    admin_db = open_database(db_url)
    try:
        make_station(admin_db, supervisor, "ST-42")
        make_job(admin_db, supervisor, "JOB-42", qty_total=100)
        with admin_db.session() as session:
            dispatch.assign_job(session, supervisor, "JOB-42", "ST-42")
    finally:
        admin_db.dispose()
    for seat, kept_after_rest in ((KIOSK, 0), (WINDOW, 1)):
        db = open_database(db_url, seat=seat)
        channel = ReportChannel(db)
        try:
            channel.run(
                lambda session: production.report_quantity(
                    session,
                    operator,
                    station_id="ST-42",
                    job_id="JOB-42",
                    qty=1,
                    report_id=uuid.uuid4(),
                )
            )
            assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
            channel.rest()
            assert db.engine.pool.checkedout() == kept_after_rest  # type: ignore[attr-defined]
        finally:
            channel.close()
            db.dispose()
