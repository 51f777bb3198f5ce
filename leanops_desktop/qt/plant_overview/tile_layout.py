"""Where the line sections and their tiles go, for a given space (pure arithmetic).

Tiles share one column grid. Each line takes as many columns as it has tiles (at most the
grid's width) and lines are packed left to right, wrapping like words, so a short line sits
beside a long one when there is room. Full-size tiles are used when everything fits (or
nothing fits better); otherwise compact tiles, which drop to a smaller font.
"""

from __future__ import annotations

from dataclasses import dataclass

SPACING = 12
HEADER_HEIGHT = 28
SECTION_GAP = 10

FULL_MIN_WIDTH = 204
FULL_HEIGHT = 132
COMPACT_MIN_WIDTH = 176
COMPACT_HEIGHT = 92
MAX_TILE_WIDTH = 340
#: Tiles grow with the window up to this height (room for every line at a larger size).
MAX_TILE_HEIGHT = 220


@dataclass(frozen=True, slots=True)
class Placement:
    """A section's place: pixel position, its own columns, and rows of tiles."""

    x: int
    y: int
    columns: int
    rows: int


@dataclass(frozen=True, slots=True)
class TilePlan:
    compact: bool
    columns: int
    tile_width: int
    tile_height: int
    placements: tuple[Placement, ...]
    height: int

    def section_width(self, columns: int) -> int:
        return columns * self.tile_width + (columns - 1) * SPACING

    def section_height(self, rows: int) -> int:
        return HEADER_HEIGHT + rows * self.tile_height + (rows - 1) * SPACING


#: Below this tile height the smaller type is used.
COMPACT_BELOW = 120


def plan_tiles(sizes: list[int], width: int, height: int) -> TilePlan:
    """Lay out sections of ``sizes`` tiles in ``width`` x ``height`` pixels.

    Full-size tiles when they fit, grown to fill the height (up to MAX_TILE_HEIGHT); else the
    narrower compact grid, its tiles as tall as the height allows (between the compact and
    the full height).
    """
    full = _plan(sizes, width, compact=False)
    if not sizes:
        return full
    if full.height <= height:
        return _grown(full, sizes, width, height)
    compact = _plan(sizes, width, compact=True)
    if compact.height >= full.height:
        return full
    rows = sum(_rows_per_block_row(compact))
    if rows:
        spare = (height - compact.height) // rows
        taller = min(FULL_HEIGHT, compact.tile_height + max(0, spare))
        if taller > compact.tile_height:
            compact = _plan(sizes, width, compact=True, tile_height=taller)
    return compact


def _grown(plan: TilePlan, sizes: list[int], width: int, height: int) -> TilePlan:
    """``plan`` with its tiles as tall as the spare height allows (up to MAX_TILE_HEIGHT):
    a big window shows bigger tiles instead of empty space below them."""
    rows = sum(_rows_per_block_row(plan))
    if not rows:
        return plan
    taller = min(MAX_TILE_HEIGHT, plan.tile_height + (height - plan.height) // rows)
    if taller <= plan.tile_height:
        return plan
    return _plan(sizes, width, compact=False, tile_height=taller)


def _rows_per_block_row(plan: TilePlan) -> list[int]:
    """The tallest section's tile rows in each band of sections."""
    bands: dict[int, int] = {}
    for placement in plan.placements:
        bands[placement.y] = max(bands.get(placement.y, 0), placement.rows)
    return list(bands.values())


def _plan(
    sizes: list[int], width: int, *, compact: bool, tile_height: int | None = None
) -> TilePlan:
    min_width = COMPACT_MIN_WIDTH if compact else FULL_MIN_WIDTH
    tile_height = tile_height or (COMPACT_HEIGHT if compact else FULL_HEIGHT)
    columns = max(1, (width + SPACING) // (min_width + SPACING))
    columns = max(1, min(columns, sum(sizes) or 1))
    tile_width = min(MAX_TILE_WIDTH, max(min_width, (width - SPACING * (columns - 1)) // columns))
    step_x = tile_width + SPACING
    placements: list[Placement] = []
    column = 0
    y = 0
    row_height = 0
    for size in sizes:
        span = max(1, min(size, columns))
        rows = -(-max(size, 1) // span)
        if column and column + span > columns:
            y += row_height + SECTION_GAP
            column, row_height = 0, 0
        placements.append(Placement(x=column * step_x, y=y, columns=span, rows=rows))
        section_height = HEADER_HEIGHT + rows * tile_height + (rows - 1) * SPACING
        row_height = max(row_height, section_height)
        column += span
    total = y + row_height
    return TilePlan(
        compact=compact and (tile_height < COMPACT_BELOW or tile_width < FULL_MIN_WIDTH - 4),
        columns=columns,
        tile_width=tile_width,
        tile_height=tile_height,
        placements=tuple(placements),
        height=total,
    )
