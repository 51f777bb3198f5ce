"""Each station tile shows the current shift's OEE, read on the runner, equal to
services/oee's for the plant of tests/oee_plant.py (ST-A1 69.6 %, ST-A2 90.9 %, ST-B1
inactive: none), on both backends."""

from __future__ import annotations

import threading
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.plant_overview import tile_oee
from leanops_desktop.qt.plant_overview.station_tile import StationTile
from leanops_desktop.qt.plant_overview.tile_oee import TileOee, oee_text
from leanops_desktop.services.oee import figures as f
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.reads import queries
from tests.analytics_seed import SUPERVISOR
from tests.oee_plant import DAY, at, build_plant
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window


@pytest.fixture
def plant(db: Database, admin: Actor) -> Database:
    build_plant(db, admin)
    return db


def _read(
    plant: Database, runner: DbRunner, qtbot: QtBot, actor: Actor = SUPERVISOR
) -> dict[str, float | None]:
    shown: list[dict[str, float | None]] = []
    reader = TileOee(plant, actor, runner, shown.append, tz=UTC, clock=lambda: at(20))
    reader.refresh()
    if reader.enabled:
        qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    reader.stop()
    return shown[0] if shown else {}


def test_tiles_show_the_services_oee_of_the_current_shift(
    plant: Database, qtbot: QtBot, runner: DbRunner, tmp_path: Path
) -> None:
    by_station = _read(plant, runner, qtbot)
    with plant.session() as session:
        rows = oee_rows(session, SUPERVISOR, DAY, DAY, UTC, now=at(20))
        stations = {row.id: row for row in queries.list_stations(session)}
    expected = f.group(rows, lambda row: row.station_id)
    assert by_station == {key: sums.oee for key, sums in expected.items()}
    tile = StationTile(stations["ST-A1"])
    qtbot.addWidget(tile)
    tile.resize(300, 140)
    tile.set_oee(by_station["ST-A1"])
    assert tile.oee_text() == "OEE 70 %"  # 69.6 % worked out on paper
    assert "OEE 70 % this shift" in tile.toolTip()
    assert oee_text(by_station["ST-A2"]) == "OEE 91 %"
    assert by_station["ST-B1"] is None and oee_text(None) == ""
    assert tile.grab().save(str(tmp_path / "tile.png"))


def test_the_read_runs_off_the_gui_thread(
    plant: Database, qtbot: QtBot, runner: DbRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real = tile_oee.read_shift_oee

    def recorded(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(tile_oee, "read_shift_oee", recorded)
    assert _read(plant, runner, qtbot)["ST-A1"] is not None
    assert threads and threading.main_thread() not in threads


def test_an_operator_reads_nothing(
    plant: Database, qtbot: QtBot, runner: DbRunner, operator: Actor
) -> None:
    assert _read(plant, runner, qtbot, operator) == {}


def test_the_window_puts_the_figure_on_its_tiles(
    plant: Database, qtbot: QtBot, messages: RecordingMessages, operator: Actor
) -> None:
    window = open_window(qtbot, plant, SUPERVISOR, messages)
    window.tile_oee.tz, window.tile_oee.clock = UTC, lambda: at(20)
    window.tile_oee.refresh()  # the window's runner is inline here
    tiles = {key: window.overview.tile(key) for key in ("ST-A1", "ST-A2", "ST-B1")}
    assert {key: tile.oee_text() for key, tile in tiles.items() if tile is not None} == {
        "ST-A1": "OEE 70 %",
        "ST-A2": "OEE 91 %",
        "ST-B1": "",
    }
    window.close()
    floor = open_window(qtbot, plant, operator, messages)
    assert not floor.tile_oee.enabled
    tile = floor.overview.tile("ST-A1")
    assert tile is not None and tile.oee is None
    floor.close()
