"""Kiosk senders through a transaction-mode PgBouncer: two kiosks share one server
connection, so neither may leave a named prepared statement on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.floor import dispatch
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.report_channel import ReportChannel
from tests.factories import make_job, make_station
from tests.pg_bouncer import BouncerStartError, ThrowawayBouncer, find_pgbouncer
from tests.pg_server import create_database, drop_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def plant_url(pg_server_url: str, pg_template: str, supervisor: Actor) -> Iterator[str]:
    name = f"bouncer_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name, template=pg_template)
    db = open_database(url)
    try:
        make_station(db, supervisor, "ST-01")
        make_job(db, supervisor, "JOB-0001", qty_total=1000)
        with db.session() as session:
            dispatch.assign_job(session, supervisor, "JOB-0001", "ST-01")
    finally:
        db.dispose()
    yield url
    drop_database(pg_server_url, name)


@pytest.fixture
def one_server_connection(pg_server_url: str) -> Iterator[ThrowawayBouncer]:
    """Transaction mode with a pool of one: every client runs on the same server connection."""
    if find_pgbouncer() is None:
        pytest.fail("pgbouncer is not installed (apt-get install pgbouncer)", pytrace=False)
    bouncer = ThrowawayBouncer(pg_server_url, pool_mode="transaction", pool_size=1)
    try:
        bouncer.start()
    except BouncerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield bouncer
    bouncer.cleanup()


def test_two_kiosks_send_reports_through_one_pooled_server_connection(
    plant_url: str, one_server_connection: ThrowawayBouncer, operator: Actor
) -> None:
    via = one_server_connection.url(plant_url)
    kiosks = [open_database(via), open_database(via)]
    channels = [ReportChannel(db) for db in kiosks]
    try:
        for _ in range(4):
            for channel in channels:  # each on its kept connection, alternating
                result = channel.run(
                    lambda s: production.report_quantity(
                        s, operator, station_id="ST-01", job_id="JOB-0001", qty=1,
                        report_id=uuid.uuid4(),
                    )
                )  # fmt: skip
                assert result.counted
        assert result.job_qty_done == 8  # every report once, on both kiosks
    finally:
        for channel in channels:
            channel.close()
        for db in kiosks:
            db.dispose()
