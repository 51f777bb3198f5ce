"""What the performance view puts on its panels: the steps of a load (one panel each, run a
turn of the event loop apart) and the live reports added to the curves drawn."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from leanops_desktop.core.rows import PerformanceRow
from leanops_desktop.qt.performance.performance_reads import JobData
from leanops_desktop.services import analytics, analytics_csv
from leanops_desktop.services.analytics_scope import GroupBy, Scope
from leanops_desktop.services.oee import oee_csv
from leanops_desktop.services.quality import pareto_csv

if TYPE_CHECKING:
    from leanops_desktop.qt.performance.performance_panels import PerformancePanels
    from leanops_desktop.qt.performance.throughput_plot import ThroughputPlot

Step = Callable[[], None]


def throughput_steps(
    plot: ThroughputPlot,
    data: analytics.Throughput,
    end: float,
    *,
    visible: Callable[[], bool],
    shown: Step,
) -> tuple[Step, Step, Step]:
    """Three turns, the plot not painted in between: new curves, the y axis fitted to them
    (half of a first paint with 50 curves), the paint (then ``shown``)."""

    def curves() -> None:
        plot.plot.setUpdatesEnabled(False)
        plot.set_data(data, end)

    def scale() -> None:
        plot.plot.getPlotItem().getViewBox().prepareForPaint()

    def paint() -> None:
        plot.plot.setUpdatesEnabled(True)
        if visible():  # the curves first, before the other panels
            plot.plot.viewport().repaint()
        shown()

    return curves, scale, paint


def figures_steps(
    panels: PerformancePanels, in_range: analytics.KeyFigures, end: float, *, keep_view: bool
) -> tuple[Step, Step]:
    """The range's status timeline, then its Pareto of blocked time."""

    def timeline() -> None:
        panels.timeline.set_timeline(in_range.timeline, end, keep_view=keep_view)

    def pareto() -> None:
        panels.pareto.set_reasons(in_range.blocked_by_reason)

    return timeline, pareto


def jobs_steps(panels: PerformancePanels, data: JobData, *, keep_view: bool) -> tuple[Step, Step]:
    """The jobs at risk, then the chosen job's curve (the view kept for the same job)."""

    def jobs() -> None:
        panels.risk_table.set_jobs(data.jobs, data.job_id)

    def curve() -> None:
        progress = panels.job_progress
        if data.curve is not None or progress.job_id is not None:
            same_job = data.curve is not None and progress.job_id == data.curve.job.job_id
            progress.set_curve(data.curve, keep_view=keep_view and same_job)

    return jobs, curve


def add_report(
    panels: PerformancePanels,
    report: PerformanceRow,
    *,
    scope: Scope,
    station_line: Mapping[str, str],
    group_by: GroupBy,
) -> None:
    """Add a live report to its throughput curve and its job's curve (when in ``scope``)."""
    station = report.station_id or analytics.NO_STATION
    if scope.job_id is not None and report.job_id != scope.job_id:
        return
    line = station_line.get(station)
    if scope.line is not None and line != scope.line:
        return
    if scope.station_ids and station not in scope.station_ids:
        return
    at = report.timestamp.timestamp()
    key = station if group_by is GroupBy.STATION else (line or station)
    panels.throughput.add_report(key, at, report.qty_completed)
    if report.job_id is not None:
        panels.job_progress.add_report(report.job_id, at, report.qty_completed)


def save_png(panels: PerformancePanels, path: str | Path, tab: str | None = None) -> bool:
    """Save a plot (the current tab's by default) as PNG, at the size it has on screen."""
    current = panels.current_key()
    key = tab or current
    if key != current:
        panels.show_tab(key)  # a page that was never shown has no size yet
    try:
        return bool(panels.plot_widget(key).grab().save(str(path), "PNG"))
    finally:
        if key != current:
            panels.show_tab(current)


def save_csv(
    panels: PerformancePanels,
    path: str | Path,
    tab: str | None,
    *,
    tz: tzinfo,
    figures: tuple[analytics.KeyFigures, analytics.KeyFigures] | None,
) -> None:
    """Save the data behind a plot (the current tab's by default) as CSV."""
    from leanops_desktop.qt.performance.performance_panels import (
        JOB_PROGRESS,
        OEE,
        PARETO,
        THROUGHPUT,
        TIMELINE,
    )

    key = tab or panels.current_key()
    rows: list[list[str]] = []
    if key == THROUGHPUT and panels.throughput.data is not None:
        rows = analytics_csv.throughput_rows(panels.throughput.data, tz)
    elif key == JOB_PROGRESS and panels.job_progress.curve is not None:
        rows = analytics_csv.job_progress_rows(panels.job_progress.curve, tz)
    elif key == TIMELINE and panels.timeline.timeline is not None:
        rows = analytics_csv.timeline_rows(panels.timeline.timeline, tz)
    elif key == PARETO and figures is not None:
        rows = analytics_csv.key_figure_rows(*figures)
    elif key == OEE:
        header = ["group", *oee_csv.HEADER[3:]]
        rows = [header] + [
            [name, *oee_csv.figures_cells(sums)] for name, sums in panels.oee.grouped().items()
        ]
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def save_pareto_csv(panels: PerformancePanels, path: str | Path, *, by_category: bool) -> None:
    """Save the Pareto of blocked time as CSV, by reason (with each reason's category) or by
    category (with the reasons each holds)."""
    pareto = panels.pareto
    rows = pareto_csv.pareto_rows(pareto.blocked, pareto.categories, by_category=by_category)
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
