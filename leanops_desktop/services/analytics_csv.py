"""The data behind each performance plot as CSV rows (local time for people, UTC for tools).

Each function returns a header row followed by data rows of text; the caller writes them with
:mod:`csv`. Numbers are written with a dot and without thousands separators so spreadsheets
and scripts read them the same everywhere.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from leanops_desktop.services.analytics import KeyFigures, Throughput
from leanops_desktop.services.analytics_jobs import JobProgressCurve
from leanops_desktop.services.analytics_status import StatusTimeline
from leanops_desktop.services.analytics_time import from_epoch

Rows = list[list[str]]


def local_text(instant: datetime | float, tz: tzinfo) -> str:
    """``2026-03-29 14:05:00 +02:00``: local wall time with its offset (unambiguous)."""
    moment = from_epoch(instant) if isinstance(instant, float | int) else instant
    return moment.astimezone(tz).isoformat(sep=" ", timespec="seconds")


def utc_text(instant: datetime | float) -> str:
    moment = from_epoch(instant) if isinstance(instant, float | int) else instant
    return moment.isoformat(sep=" ", timespec="seconds").replace("+00:00", "Z")


def _number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def throughput_rows(data: Throughput, tz: tzinfo) -> Rows:
    """One row per bucket: start (local, UTC), elapsed hours, then units and units/h per curve."""
    header = ["bucket_start_local", "bucket_start_utc", "bucket_hours"]
    for series in data.series:
        header += [f"{series.key} units", f"{series.key} units/h"]
    rows: Rows = [header]
    for index, start in enumerate(data.x):
        row = [local_text(float(start), tz), utc_text(float(start)), _number(data.hours[index])]
        for series in data.series:
            row += [str(int(series.units[index])), _number(float(series.rate[index]))]
        rows.append(row)
    return rows


def job_progress_rows(curve: JobProgressCurve, tz: tzinfo) -> Rows:
    """The cumulative curve of one job, with its total and due date on every row."""
    job = curve.job
    rows: Rows = [["time_local", "time_utc", "job", "units_done", "qty_total", "due_date"]]
    for x, done in zip(curve.x, curve.done, strict=True):
        rows.append(
            [
                local_text(float(x), tz),
                utc_text(float(x)),
                job.job_id,
                str(int(done)),
                str(job.qty_total),
                job.due_date.isoformat(),
            ]
        )
    return rows


def timeline_rows(timeline: StatusTimeline, tz: tzinfo) -> Rows:
    """One row per band."""
    rows: Rows = [
        [
            "station",
            "state",
            "reason",
            "start_local",
            "end_local",
            "start_utc",
            "end_utc",
            "minutes",
        ]
    ]
    for band in timeline.bands:
        rows.append(
            [
                band.station_id,
                band.state.value,
                band.reason or "",
                local_text(band.start, tz),
                local_text(band.end, tz),
                utc_text(band.start),
                utc_text(band.end),
                _number(band.seconds / 60, 2),
            ]
        )
    return rows


def key_figure_rows(range_figures: KeyFigures, shift_figures: KeyFigures | None) -> Rows:
    """The key figures (range and current shift), then blocked hours by reason (Pareto)."""

    def values(figures: KeyFigures | None) -> list[str]:
        if figures is None:
            return [""] * 8
        return [
            str(figures.units),
            _number(figures.units_per_hour, 2),
            _number(figures.utilisation, 4),
            _number(figures.running_s / 3600, 3),
            _number(figures.idle_s / 3600, 3),
            _number(figures.blocked_s / 3600, 3),
            str(figures.completed_jobs),
            _number(figures.on_time_rate, 4),
        ]

    names = [
        "units",
        "units_per_hour",
        "utilisation",
        "running_hours",
        "idle_hours",
        "blocked_hours",
        "completed_jobs",
        "on_time_rate",
    ]
    rows: Rows = [["figure", "range", "this_shift"]]
    for name, in_range, in_shift in zip(
        names, values(range_figures), values(shift_figures), strict=True
    ):
        rows.append([name, in_range, in_shift])
    rows.append([])
    rows.append(["blocked_reason", "blocked_hours", "share", "cumulative_share"])
    total = sum(seconds for _reason, seconds in range_figures.blocked_by_reason)
    running = 0.0
    for reason, seconds in range_figures.blocked_by_reason:
        running += seconds
        rows.append(
            [
                reason,
                _number(seconds / 3600),
                _number(seconds / total, 4),
                _number(running / total, 4),
            ]
        )
    return rows
