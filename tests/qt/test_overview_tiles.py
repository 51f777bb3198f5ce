"""What the plant overview shows a supervisor: tiles that grow with the window and say
"late", "high priority" and since when a station is blocked, in every theme."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Priority, StationStatus
from leanops_desktop.core.rows import StationRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.models.status_colors import READABLE_CONTRAST, contrast_ratio
from leanops_desktop.qt.plant_overview.station_tile import StationTile
from leanops_desktop.qt.plant_overview.tile_text import blocked_since_text, duration_text
from leanops_desktop.qt.theme.themes import THEMES, palette
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window

#: 12:02 local time on a Friday (the tile shows local times).
NOW = datetime(2026, 12, 4, 12, 2).astimezone().astimezone(UTC)


def station(**changes: object) -> StationRow:
    row = StationRow(
        id="ST-09",
        name="Final assembly",
        line="Line C",
        status=StationStatus.RUNNING,
        is_active=True,
        created_at=NOW - timedelta(days=30),
        current_job_id="JOB-1037",
        current_part_name="Control cabinet door",
        job_qty_done=880,
        job_qty_total=1230,
        job_due_date=date(2026, 12, 10),
        job_priority=Priority.NORMAL,
    )
    fields = {name: getattr(row, name) for name in row.__slots__}  # type: ignore[attr-defined]
    return StationRow(**{**fields, **changes})  # type: ignore[arg-type]


def tile_for(qtbot: QtBot, row: StationRow, size: tuple[int, int] = (300, 220)) -> StationTile:
    tile = StationTile(row)
    qtbot.addWidget(tile)
    tile.clock = lambda: NOW
    tile.resize(*size)
    return tile


def test_durations_and_blocked_since_read_plainly() -> None:
    assert duration_text(20) == "under a minute"
    assert duration_text(25 * 60) == "25 min"
    assert duration_text(80 * 60) == "1 h 20 min"
    assert duration_text(3 * 3600) == "3 h"
    assert duration_text(52 * 3600) == "2 d 4 h"
    assert blocked_since_text(NOW - timedelta(minutes=80), NOW) == (
        "Blocked since 10:42 (1 h 20 min)"
    )


def test_a_tile_says_late_high_priority_and_blocked_since(qtbot: QtBot) -> None:
    row = station(
        status=StationStatus.BLOCKED,
        blocked_reason="tooling",
        blocked_since=NOW - timedelta(minutes=80),
        job_priority=Priority.HIGH,
        job_due_date=date(2026, 12, 1),
    )
    tile = tile_for(qtbot, row)
    texts = tile.shown_texts()
    assert "High priority" in texts
    assert "Late" in texts
    assert "Blocked since 10:42 (1 h 20 min)" in texts
    assert "tooling" in texts
    assert "late" in tile.accessibleDescription()
    assert "Late (due 1 Dec)" in tile.toolTip()


def test_a_tile_on_time_says_nothing_extra(qtbot: QtBot) -> None:
    texts = tile_for(qtbot, station()).shown_texts()
    assert not {"Late", "High priority"} & set(texts)
    assert not any(text.startswith("Blocked since") for text in texts)


def test_a_small_tile_still_names_the_flags(qtbot: QtBot) -> None:
    """Where there is no room for a line of flags they go beside the job."""
    row = station(job_priority=Priority.HIGH, job_due_date=date(2026, 12, 1))
    tile = tile_for(qtbot, row, (220, 110))
    job = next(line for line in tile.layout_lines() if line.kind == "job")
    assert job.extra == ("High priority", "Late")


def test_part_names_are_not_cut_where_there_is_room(qtbot: QtBot) -> None:
    tile = tile_for(qtbot, station(), (230, 200))
    lines = tile.layout_lines()
    part = [line for line in lines if "Control cabinet door" in line.text]
    assert part, [line.text for line in lines]
    width = tile.width() - 3 - 8 - 24
    assert part[0].metrics.horizontalAdvance(part[0].text) <= width


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_progress_text_reads_in_every_theme(qtbot: QtBot, theme: str) -> None:
    """The high-contrast theme's track is white like its text: the text turns dark there."""
    tile = tile_for(qtbot, station())
    tile.setPalette(palette(THEMES[theme]))
    for fill in ("#2e9d57", "#d64541", "#e0a21b"):
        track, on_track, on_fill = tile.progress_colors(QColor(fill))
        assert contrast_ratio(on_track, track) >= READABLE_CONTRAST
        assert contrast_ratio(on_fill, QColor(fill)) >= 4.0


def test_high_contrast_progress_text_is_painted_readably(qtbot: QtBot) -> None:
    tile = tile_for(qtbot, station(job_qty_done=10), (300, 160))
    pal = palette(THEMES["high-contrast"])
    tile.setPalette(pal)
    image = tile.grab().toImage()
    track = pal.color(QPalette.ColorRole.Mid)
    dark = [
        image.pixelColor(x, y)
        for x in range(image.width() // 3, 2 * image.width() // 3)
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() < 60
    ]
    # Along the (white) bar, glyphs in a dark colour are drawn.
    assert track.lightness() > 200
    assert dark


def _tiles_bottom(window: MainWindow) -> int:
    overview = window.overview
    return max(
        tile.mapTo(overview.viewport(), tile.rect().bottomLeft()).y() for tile in overview.tiles()
    )


@pytest.mark.parametrize("size", [(1920, 1080), (1600, 900), (1280, 720)])
def test_tiles_and_tables_share_the_window(
    qtbot: QtBot,
    demo_db: Database,
    supervisor: Actor,
    messages: RecordingMessages,
    size: tuple[int, int],
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages, restore_layout=False, size=size)
    QApplication.processEvents()
    viewport = window.overview.viewport()
    bottom = _tiles_bottom(window)
    assert bottom <= viewport.height(), "every tile is in view"
    assert bottom >= 0.8 * viewport.height(), "the tiles fill the overview"
    row_height = window.tables["jobs"].verticalHeader().defaultSectionSize()
    for name in ("jobs", "assignments"):
        table = window.tables[name]
        rows = table.viewport().height() // row_height
        assert rows >= (8 if size[1] >= 1080 else 5), (name, rows)
    if size == (1920, 1080):
        heights = [tile.height() for tile in window.overview.tiles()]
        assert min(heights) >= 180  # grown from 132 px
    window.close()


def test_a_message_does_not_move_the_tiles(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    window = open_window(qtbot, demo_db, supervisor, messages, restore_layout=False)
    QApplication.processEvents()
    where = {
        tile.station_id: tile.mapTo(window, tile.rect().topLeft())
        for tile in window.overview.tiles()
    }
    sizes = {tile.station_id: tile.size() for tile in window.overview.tiles()}
    messages.info("ST-04 blocked: tooling.")
    QApplication.processEvents()
    assert window.message_bar.isVisible()
    assert window.message_bar.text() == "ST-04 blocked: tooling."
    after = {
        tile.station_id: tile.mapTo(window, tile.rect().topLeft())
        for tile in window.overview.tiles()
    }
    assert after == where
    assert {tile.station_id: tile.size() for tile in window.overview.tiles()} == sizes
    window.close()


def test_the_blocked_time_comes_from_the_block_event(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    from leanops_desktop.services.floor import stations
    from leanops_desktop.services.reads import history, queries

    with demo_db.session() as session:
        stations.block_station(session, supervisor, "ST-04", "material")
        blocked = queries.get_station(session, "ST-04")
        event = history.list_events(session, limit=1, station_id="ST-04")[0]
    assert blocked.blocked_since == event.timestamp
    window = open_window(qtbot, demo_db, supervisor, messages, restore_layout=False)
    tile = window.overview.tile("ST-04")
    assert tile is not None
    tile.clock = lambda: event.timestamp + timedelta(minutes=80)
    tile.refresh_clock()
    assert tile.blocked_since() is not None
    assert tile.blocked_since().endswith("(1 h 20 min)")  # type: ignore[union-attr]
    assert "blocked since" in tile.accessibleDescription()
    window.close()
