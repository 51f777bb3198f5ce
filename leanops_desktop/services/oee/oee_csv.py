"""OEE figures per station and day as CSV rows (``leanops report oee``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from leanops_desktop.services.oee.figures import OeeFigures, OeeRow, by_station_day

HEADER = (
    "day",
    "line",
    "station",
    "planned_min",
    "run_min",
    "good",
    "scrap",
    "total",
    "availability",
    "performance",
    "quality",
    "oee",
    "availability_loss_min",
    "performance_loss_min",
    "quality_loss_min",
    "performance_over_100",
)


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def figures_cells(figures: OeeFigures) -> list[str]:
    """The cells after day, line and station; an empty cell where a figure has no value."""
    availability_loss, performance_loss, quality_loss = figures.losses_s()
    return [
        _minutes(figures.planned_s),
        _minutes(figures.run_s),
        str(figures.good),
        str(figures.scrap),
        str(figures.total),
        _ratio(figures.availability),
        _ratio(figures.performance),
        _ratio(figures.quality),
        _ratio(figures.oee),
        _minutes(availability_loss),
        _minutes(performance_loss),
        _minutes(quality_loss),
        "yes" if figures.performance_over_100 else "",
    ]


def station_day_csv(rows: Iterable[OeeRow]) -> str:
    """One CSV line per station and day (the day's shifts summed), by day, line, station."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    sums: dict[tuple[date, str, str], OeeFigures] = {}
    for row in rows:
        key = by_station_day(row)
        sums[key] = sums.get(key, OeeFigures()) + row.figures
    for (day, line, station), figures in sorted(sums.items(), key=lambda item: item[0]):
        writer.writerow([day.isoformat(), line, station, *figures_cells(figures)])
    return out.getvalue()
