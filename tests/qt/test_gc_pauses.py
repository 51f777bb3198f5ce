"""A full load takes what lives as long as the window out of the garbage collector's walk."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.messages import MessageService
from tests.factories import make_job, make_station
from tests.qt.window_helpers import open_window


def test_the_rows_of_a_full_load_are_frozen_out_of_full_collections(
    qtbot: QtBot, db: Database, supervisor: Actor, messages: MessageService
) -> None:
    make_station(db, supervisor, "ST-01")
    for number in range(1, 41):
        make_job(db, supervisor, f"JOB-{number:04d}")
    gc.unfreeze()
    window = open_window(qtbot, db, supervisor, messages)
    qtbot.waitUntil(lambda: window.models.jobs.total_count() == 40, timeout=5000)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)
    # A full collection walks only generations 0-2; the loaded rows are in none of them.
    walked = {id(obj) for obj in gc.get_objects()}
    jobs = window.models.jobs.all_rows()
    assert not any(id(row) in walked for row in jobs)
    assert gc.get_freeze_count() >= len(jobs)
