"""Which lines a station tile writes, and how large: the richest arrangement that fits.

A tile tries its type sizes largest first and, at each, its arrangements richest first
(flags, part name and blocked time each on a line of their own, then folded into fewer
lines); the first whose lines fit uncut wins, failing that one at least as tall as the tile.
Fonts are made once per tile font and size (a layout measures many lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QFont, QFontMetrics

from leanops_desktop.core.rows import StationRow
from leanops_desktop.qt.models.status_colors import station_state, station_state_label

PAD_Y = 8
#: Type sizes tried, largest first: tiles with room write bigger (read from afar).
SCALES = (1.3, 1.15, 1.0, 0.92, 0.84)
MAX_SCALE = SCALES[0]
#: The richest arrangement: flags, part name and blocked time each on a line of their own.
RICHEST = 3


class FontFor(Protocol):
    """A tile's font at ``points`` times ``scale`` (its own font, sized)."""

    def __call__(self, points: float, *, bold: bool = False, scale: float = 1.0) -> QFont: ...


@dataclass(frozen=True, slots=True)
class TileLine:
    """One line of a tile: what it is, its text, its font, and words shown beside it."""

    kind: str  # header, name, blocked, since, job, part, flags, idle, progress
    text: str
    font: QFont
    extra: tuple[str, ...] = ()
    height: int = -1
    gap: int = 0

    def __post_init__(self) -> None:
        if self.height < 0:
            object.__setattr__(self, "height", self.metrics.height() + self.gap)

    @property
    def metrics(self) -> QFontMetrics:
        return metrics_of(self.font)

    def spaced(self, gap: int) -> TileLine:
        """This line with ``gap`` pixels of space below it."""
        return TileLine(
            self.kind, self.text, self.font, self.extra, self.metrics.height() + gap, gap
        )


@dataclass(frozen=True, slots=True)
class TileWords:
    """What a tile says at one moment: its row, blocked time and job flags."""

    row: StationRow
    since: str | None
    flags: tuple[str, ...]


def status_label(row: StationRow) -> str:
    """``"Running"``, ``"Idle"``, ``"Blocked"`` or ``"Not in use"``."""
    return station_state_label(station_state(row))


def flag_word(flag: str, *, short: bool) -> str:
    """``"High priority"``, or ``"HIGH"`` where the pill shares the job's line."""
    return flag.split(" ")[0].upper() if short else flag


def flag_font(font_for: FontFor, scale: float, *, short: bool) -> QFont:
    return font_for(9.5 if short else 10, bold=True, scale=scale)


def flags_width(font_for: FontFor, flags: Sequence[str], scale: float, *, short: bool) -> int:
    metrics = metrics_of(flag_font(font_for, scale, short=short))
    widths = [metrics.horizontalAdvance(flag_word(flag, short=short)) + 12 for flag in flags]
    return int(sum(widths) + 6 * (len(widths) - 1) + (8 if short else 0))


def choose_lines(
    words: TileWords, font_for: FontFor, cap: float, width: int, height: int
) -> tuple[float, list[TileLine]]:
    """The first arrangement, largest and richest first, whose lines fit ``width`` by
    ``height`` pixels of text (each line uncut; failing that, at least the height)."""
    available = max(0, height - 2 * PAD_Y)
    candidates = [(scale, RICHEST) for scale in SCALES if scale > 1.0] + [
        (scale, rich) for scale in SCALES if scale <= 1.0 for rich in range(RICHEST, -1, -1)
    ]
    tall_enough: tuple[float, list[TileLine]] | None = None
    last: tuple[float, list[TileLine]] | None = None
    for scale, rich in candidates:
        if scale > cap:
            continue
        lines = tile_lines(words, font_for, scale, rich, width)
        last = (scale, lines)
        if sum(line.height for line in lines) > available:
            continue
        if all(line_width(words.row, font_for, line, scale) <= width for line in lines):
            return last
        tall_enough = tall_enough or last
    result = tall_enough or last
    assert result is not None
    return result


def line_width(row: StationRow, font_for: FontFor, line: TileLine, scale: float) -> int:
    """How wide ``line`` is when written in full (0 for lines that always fit)."""
    if line.kind == "header":  # the id, and the status word in its smaller size
        chip = metrics_of(font_for(9.0, bold=True, scale=min(scale, 1.0)))
        words = status_label(row).upper()
        return line.metrics.horizontalAdvance(row.id) + 8 + chip.horizontalAdvance(words) + 16
    if line.kind in ("progress", "idle", "name"):
        return 0
    if line.kind == "since":  # the full words, "Blocked since ..."
        return line.metrics.horizontalAdvance(line.extra[0])
    if line.kind == "flags":
        return flags_width(font_for, line.extra, scale, short=False)
    width = line.metrics.horizontalAdvance(line.text)
    if line.extra and line.kind == "job":
        width += flags_width(font_for, line.extra, scale, short=True)
    return width


def tile_lines(
    words: TileWords, font_for: FontFor, scale: float, rich: int, width: int
) -> list[TileLine]:
    """The tile's lines at ``scale``; ``rich`` 3 keeps flags, the part name and the
    blocked time on lines of their own, lower values fold them into fewer lines."""
    row = words.row
    gap = round(6 * scale)
    lines = [TileLine("header", row.id, font_for(19, bold=True, scale=min(scale, 1.15)))]
    lines += _station_lines(words, font_for, scale, rich, width)
    lines[-1] = lines[-1].spaced(gap)
    job_font = font_for(12, bold=True, scale=scale)
    if not row.current_job_id:
        lines.append(TileLine("idle", "No job" if row.is_active else "Not in use", job_font))
        return lines
    part = row.current_part_name or ""
    flags = words.flags
    together = f"{row.current_job_id}  {part}"
    fits_together = metrics_of(job_font).horizontalAdvance(together) <= width
    if rich >= 2 and not fits_together:
        lines.append(TileLine("job", row.current_job_id, job_font))
        lines.append(TileLine("part", part, font_for(11.5, scale=scale)))
    else:
        lines.append(TileLine("job", together, job_font))
    if flags and rich >= 3:
        lines.append(TileLine("flags", "", font_for(10, bold=True, scale=scale), flags))
    elif flags:  # as short pills at the end of the job's line
        at = next(i for i, line in enumerate(lines) if line.kind == "job")
        job = lines[at]
        lines[at] = TileLine(job.kind, job.text, job.font, flags)
    bar = round(22 * scale) if scale >= 1.0 else 18
    lines.append(TileLine("progress", "", job_font, height=bar + round(6 * scale)))
    return lines


def _station_lines(
    words: TileWords, font_for: FontFor, scale: float, rich: int, width: int
) -> list[TileLine]:
    """The station's name or why it is blocked, and since when."""
    row, since = words.row, words.since
    lines: list[TileLine] = []
    reason = row.blocked_reason or ""
    reason_font = font_for(11, bold=True, scale=scale)
    if reason and since and rich == 0:
        folded = f"{reason} · {since.removeprefix('Blocked ')}"
        lines.append(TileLine("blocked", folded, reason_font))
    elif reason:
        lines.append(TileLine("blocked", reason, reason_font, (row.name,)))
    else:
        lines.append(TileLine("name", row.name, font_for(11, scale=scale)))
    if since and (rich >= 1 or not reason):
        since_font = font_for(10.5, scale=scale)
        shown = since
        if metrics_of(since_font).horizontalAdvance(since) > width:
            shown = since.replace("Blocked since", "Since")  # the chip says "blocked"
        lines.append(TileLine("since", shown, since_font, (since,)))
    return lines


#: Fonts made for tiles, by (base font, size, bold), and their metrics by the font's id: the
#: fonts stay alive in ``_FONTS`` until both are cleared together, so an id is never reused.
_FONTS: dict[tuple[str, float, bool], QFont] = {}
_METRICS: dict[int, QFontMetrics] = {}


def metrics_of(font: QFont) -> QFontMetrics:
    """The metrics of ``font``, made once per tile font (a layout measures many lines)."""
    metrics = _METRICS.get(id(font))
    return metrics if metrics is not None else QFontMetrics(font)


def tile_font(base_key: str, base: QFont, points: float, *, bold: bool = False) -> QFont:
    """``base`` at ``points`` (and bold), made once (``base_key``: ``base.key()``)."""
    key = (base_key, round(points, 2), bold)
    font = _FONTS.get(key)
    if font is None:
        if len(_FONTS) > 256:
            _FONTS.clear()
            _METRICS.clear()
        font = _FONTS[key] = QFont(base)
        font.setPointSizeF(points)
        font.setBold(bold)
        _METRICS[id(font)] = QFontMetrics(font)
    return font
