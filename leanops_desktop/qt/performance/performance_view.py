"""PerformanceView: the supervisor's performance page (range bar, key figures, four plots).

Importing this module is cheap: pyqtgraph (about a second to import) is loaded the first time
the view is shown or :meth:`PerformanceView.ensure_plots` is called, so the main window can
create the view at start-up and only pay when someone opens it.

Live: :meth:`apply_floor_rows` takes what a floor refresh read (:meth:`apply_changes` reads the
rows named by a change-feed payload itself). New
reports are added to one bucket of one curve and to the shown job's curve; status events
extend the timeline bands; key figures and the jobs list reload a moment later, once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QTimer, QTimeZone, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QStackedWidget, QVBoxLayout, QWidget

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.permissions import Action, allowed, least_role
from leanops_desktop.core.rows import EventRow, PerformanceRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.models.refresh import FloorRows
from leanops_desktop.qt.performance.figure_tiles import KeyFigureTiles
from leanops_desktop.qt.performance.range_bar import RangeBar
from leanops_desktop.services import analytics, analytics_csv
from leanops_desktop.services.analytics_scope import GroupBy, Scope
from leanops_desktop.services.analytics_time import (
    RangePreset,
    check_instant,
    choose_bucket,
    local_zone,
    preset_range,
)
from leanops_desktop.services.analytics_timeline import STATUS_EVENTS
from leanops_desktop.services.reads import history, queries

if TYPE_CHECKING:
    from leanops_desktop.qt.performance.performance_panels import PerformancePanels

PRESENT_TICK_MS = 30_000
FIGURES_DELAY_MS = 1_500


def system_zone() -> tzinfo:
    """The zone Qt (and so the date axis) uses for local time, as an IANA zone."""
    key = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return local_zone()


class PerformanceView(QWidget):
    """Throughput, job progress, status timeline and key figures for a range and scope.

    ``throughput_shown`` is emitted when a new range or filter has been drawn and painted
    (the key figures, timeline and jobs follow right after, in the same call).
    """

    throughput_shown = Signal()

    def __init__(
        self,
        db: Database,
        actor: Actor,
        config: SiteConfig,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PerformanceView")
        self._db = db
        self._actor = actor
        self._config = config
        self._tz = tz or system_zone()
        self._clock = clock or (lambda: datetime.now(UTC))
        self.panels: PerformancePanels | None = None
        self.range_bar = RangeBar(self._tz, self)
        self.tiles = KeyFigureTiles(self)
        self.status = QLabel("", self)
        self.status.setObjectName("PerformanceStatus")
        self.status.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(QLabel("Loading plots…", self))
        layout = QVBoxLayout(self)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.tiles)
        layout.addWidget(self.status)
        layout.addWidget(self._stack, 1)
        self._range: tuple[datetime, datetime] | None = None
        self._scope = Scope()
        self._station_line: dict[str, str] = {}
        self._job_id: str | None = None
        self._figures: tuple[analytics.KeyFigures, analytics.KeyFigures] | None = None
        self._stale = False  # figures to reload when shown again
        self.range_bar.selection_changed.connect(self.refresh)
        self.range_bar.export_png_requested.connect(self._ask_png)
        self.range_bar.export_csv_requested.connect(self._ask_csv)
        self._present_timer = QTimer(self)
        self._present_timer.setInterval(PRESENT_TICK_MS)
        self._present_timer.timeout.connect(self.tick)
        self._figures_timer = QTimer(self)
        self._figures_timer.setSingleShot(True)
        self._figures_timer.setInterval(FIGURES_DELAY_MS)
        self._figures_timer.timeout.connect(lambda: self.reload_figures(keep_view=True))
        may_export = allowed(actor.role, Action.EXPORT)
        for button in (self.range_bar.png_button, self.range_bar.csv_button):
            button.setEnabled(may_export)
            if not may_export:
                button.setToolTip(f"Exporting needs the {least_role(Action.EXPORT)} role")

    # -- building ------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        already_built = self.panels is not None
        self.ensure_plots()
        self._present_timer.start()
        if already_built:
            self.tick()
            if self._stale:
                self.reload_figures()

    def hideEvent(self, event: QHideEvent) -> None:
        """Hidden (another tab, or closed): no timers run and nothing reads the database."""
        super().hideEvent(event)
        self.stop_timers()

    def stop_timers(self) -> None:
        self._present_timer.stop()
        self._figures_timer.stop()
        if self.panels is not None:
            self.panels.throughput.stop_timers()
            self.panels.timeline.stop_timers()

    def ensure_plots(self) -> PerformancePanels:
        """Build the plots (importing pyqtgraph) and load them, once."""
        if self.panels is None:
            from leanops_desktop.qt.performance.performance_panels import PerformancePanels

            self.panels = PerformancePanels(self._tz, self)
            self.panels.risk_table.job_chosen.connect(self._job_chosen)
            self.panels.throughput.visible_range_changed.connect(self._zoomed)
            self._stack.addWidget(self.panels)
            self._stack.setCurrentWidget(self.panels)
            self.reload_options()
            self.refresh()
        return self.panels

    def now(self) -> datetime:
        return check_instant("now", self._clock())

    def current_range(self) -> tuple[datetime, datetime]:
        preset = self.range_bar.preset()
        if preset is None:
            return self.range_bar.custom_range()
        return preset_range(preset, self.now(), self._tz, self._config.shift_starts)

    def _fail(self, error: LeanOpsError) -> None:
        self.status.setText(str(error))
        self.status.setProperty("level", "error")

    # -- loading -------------------------------------------------------------------------

    def reload_options(self) -> None:
        """Lines, stations and jobs for the filter lists."""
        try:
            with self._db.session() as session:
                stations = queries.list_stations(session)
                jobs = queries.list_jobs(session)
        except LeanOpsError as error:
            self._fail(error)
            return
        self._station_line = {row.id: row.line for row in stations}
        self.range_bar.set_options(stations, jobs)

    def refresh(self) -> None:
        """Load every plot and figure for the chosen range and filters."""
        if self.panels is None:
            return
        if not allowed(self._actor.role, Action.VIEW_ANALYTICS):
            self.status.setText(
                f"Performance analytics need the {least_role(Action.VIEW_ANALYTICS)} role."
            )
            return
        start, end = self.current_range()
        if end <= start:
            self.status.setText("The range ends before it starts: choose an end after the start.")
            return
        self._range = (start, end)
        self._scope = self.range_bar.scope()
        self.status.setText("")
        panels = self.panels
        now = self.now()
        try:
            with self._db.session() as session:
                data = analytics.throughput(
                    session,
                    self._actor,
                    start,
                    end,
                    tz=self._tz,
                    scope=self._scope,
                    group_by=self.range_bar.group_by(),
                    now=now,
                )
        except LeanOpsError as error:
            self._fail(error)
            return
        panels.throughput.set_data(data, end.timestamp())
        if self.isVisible():  # show the curves before the figures are read
            panels.throughput.plot.viewport().repaint()
        self.throughput_shown.emit()
        self.reload_figures()

    def reload_figures(self, *, keep_view: bool = False) -> None:
        """Key figures (range and shift), timeline, Pareto, jobs at risk and the job curve.

        ``keep_view``: after live changes, leave where the user has panned or zoomed to.
        """
        if self.panels is None or self._range is None:
            return
        self._stale = False
        start, end = self._range
        now = self.now()
        panels = self.panels
        try:
            with self._db.session() as session:
                in_range = analytics.key_figures(
                    session, self._actor, start, end, tz=self._tz, scope=self._scope, now=now
                )
                shift, in_shift = analytics.shift_figures(
                    session,
                    self._actor,
                    tz=self._tz,
                    shift_starts=self._config.shift_starts,
                    scope=self._scope,
                    now=now,
                )
                jobs = analytics.job_forecasts(
                    session, self._actor, tz=self._tz, scope=self._scope, now=now
                )
                job_id = self._pick_job(jobs)
                curve = (
                    analytics.job_progress(
                        session, self._actor, job_id, start, end, tz=self._tz, now=now
                    )
                    if job_id is not None
                    else None
                )
        except LeanOpsError as error:
            self._fail(error)
            return
        self._figures = (in_range, in_shift)
        self.tiles.set_figures(in_range, in_shift, shift.name)
        panels.timeline.set_timeline(in_range.timeline, end.timestamp(), keep_view=keep_view)
        panels.pareto.set_reasons(in_range.blocked_by_reason)
        panels.risk_table.set_jobs(jobs, job_id)
        if curve is not None or panels.job_progress.job_id is not None:
            same_job = curve is not None and panels.job_progress.job_id == curve.job.job_id
            panels.job_progress.set_curve(curve, keep_view=keep_view and same_job)

    def _pick_job(self, jobs: list[analytics.JobForecast]) -> str | None:
        """The job whose curve is shown: the filter's, the one chosen, else the first running
        job at risk, else the first running job, else the first listed."""
        if self._scope.job_id is not None:
            return self._scope.job_id
        if self._job_id is not None and any(job.job_id == self._job_id for job in jobs):
            return self._job_id
        running = [job for job in jobs if job.status is JobStatus.RUNNING]
        for candidates in ([job for job in running if job.at_risk], running, jobs):
            if candidates:
                return candidates[0].job_id
        return None

    def _job_chosen(self, job_id: str) -> None:
        if job_id == self._job_id or self._range is None or self.panels is None:
            return
        self._job_id = job_id
        start, end = self._range
        try:
            with self._db.session() as session:
                curve = analytics.job_progress(
                    session, self._actor, job_id, start, end, tz=self._tz, now=self.now()
                )
        except LeanOpsError as error:
            self._fail(error)
            return
        self.panels.job_progress.set_curve(curve)

    def _zoomed(self, low: float, high: float) -> None:
        """Re-bucket the throughput for the zoom level (finer when zoomed in), in SQL again."""
        if self.panels is None or self._range is None:
            return
        start, end = self._range
        default = choose_bucket(end - start)
        wanted = choose_bucket(timedelta(seconds=max(high - low, 1.0)))
        shown = self.panels.throughput.data
        if shown is None:
            return
        if wanted.seconds >= default.seconds:
            if shown.bucket == default and shown.start == start:
                return
            window, wanted = (start, end), default
        else:
            span = timedelta(seconds=high - low)
            low_at = datetime.fromtimestamp(low, UTC)
            high_at = datetime.fromtimestamp(high, UTC)
            inside = shown.start.timestamp() <= low and high <= shown.until.timestamp() + 1
            if shown.bucket == wanted and (inside or high_at > self.now()):
                return
            window = (max(start, low_at - span), min(end, high_at + span))
        try:
            with self._db.session() as session:
                data = analytics.throughput(
                    session,
                    self._actor,
                    window[0],
                    window[1],
                    tz=self._tz,
                    scope=self._scope,
                    group_by=self.range_bar.group_by(),
                    bucket=wanted,
                    now=self.now(),
                )
        except LeanOpsError as error:
            self._fail(error)
            return
        self.panels.throughput.set_data(data, window[1].timestamp(), keep_view=True)

    # -- live ----------------------------------------------------------------------------

    def apply_changes(self, changes: Mapping[str, set[str]]) -> None:
        """Follow the change feed: read the new reports and events, then :meth:`apply_rows`."""
        if self.panels is None or self._range is None:
            return
        try:
            with self._db.session() as session:
                reports = history.performance_by_keys(
                    session, _uuids(changes.get("performance_logs") or set())
                )
                entries = history.events_by_keys(
                    session, _uuids(changes.get("events_log") or set())
                )
        except LeanOpsError as error:
            self._fail(error)
            return
        self.apply_rows(changes, reports, entries)

    def apply_floor_rows(self, rows: FloorRows) -> None:
        """A floor refresh's listener: the reports and events it already read."""
        self.apply_rows(rows.changes, rows.logs, rows.events)

    def apply_rows(
        self,
        changes: Mapping[str, set[str]],
        reports: Sequence[PerformanceRow],
        entries: Sequence[EventRow],
    ) -> None:
        """Extend curves and bands by these rows, reload figures once shortly after."""
        if self.panels is None or self._range is None:
            return
        for report in sorted(reports, key=lambda row: row.timestamp):
            self._add_report(report)
        for entry in sorted(entries, key=lambda row: row.timestamp):
            if entry.event_type in STATUS_EVENTS:
                self.panels.timeline.apply_event(entry)
        if changes.get("stations") or changes.get("jobs"):
            self.reload_options()
        if reports or entries or changes.get("jobs") or changes.get("station_assignments"):
            if self.isVisible():
                if not self._figures_timer.isActive():  # a steady stream must not starve it
                    self._figures_timer.start()
            else:
                self._stale = True

    def _add_report(self, report: PerformanceRow) -> None:
        assert self.panels is not None
        scope = self._scope
        station = report.station_id or analytics.NO_STATION
        if scope.job_id is not None and report.job_id != scope.job_id:
            return
        line = self._station_line.get(station)
        if scope.line is not None and line != scope.line:
            return
        if scope.station_ids and station not in scope.station_ids:
            return
        at = report.timestamp.timestamp()
        key = station if self.range_bar.group_by() is GroupBy.STATION else (line or station)
        self.panels.throughput.add_report(key, at, report.qty_completed)
        if report.job_id is not None:
            self.panels.job_progress.add_report(report.job_id, at, report.qty_completed)

    def tick(self) -> None:
        """Time moved on: roll a preset into its next period, else grow the open buckets."""
        if self.panels is None or self._range is None:
            return
        now = self.now()
        if self.range_bar.preset() is not None and now >= self._range[1]:
            self.refresh()
            return
        self.panels.throughput.set_present(now.timestamp())
        self.panels.timeline.set_present(now.timestamp())

    # -- export --------------------------------------------------------------------------

    def export_png(self, path: str | Path, tab: str | None = None) -> bool:
        """Save a plot (the current tab's by default) as PNG, at the size it has on screen."""
        panels = self.ensure_plots()
        current = panels.current_key()
        key = tab or current
        if key != current:
            panels.show_tab(key)  # a page that was never shown has no size yet
        try:
            return bool(panels.plot_widget(key).grab().save(str(path), "PNG"))
        finally:
            if key != current:
                panels.show_tab(current)

    def export_csv(self, path: str | Path, tab: str | None = None) -> None:
        """Save the data behind a plot (the current tab's by default) as CSV."""
        from leanops_desktop.qt.performance.performance_panels import (
            JOB_PROGRESS,
            PARETO,
            THROUGHPUT,
            TIMELINE,
        )

        panels = self.ensure_plots()
        key = tab or panels.current_key()
        rows: list[list[str]] = []
        if key == THROUGHPUT and panels.throughput.data is not None:
            rows = analytics_csv.throughput_rows(panels.throughput.data, self._tz)
        elif key == JOB_PROGRESS and panels.job_progress.curve is not None:
            rows = analytics_csv.job_progress_rows(panels.job_progress.curve, self._tz)
        elif key == TIMELINE and panels.timeline.timeline is not None:
            rows = analytics_csv.timeline_rows(panels.timeline.timeline, self._tz)
        elif key == PARETO and self._figures is not None:
            rows = analytics_csv.key_figure_rows(*self._figures)
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)

    def _ask_png(self) -> None:
        panels = self.ensure_plots()
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export plot as PNG", f"leanops-{panels.current_key()}.png", "PNG image (*.png)"
        )
        if path and not self.export_png(path):
            self.status.setText(f"Could not write {path}")

    def _ask_csv(self) -> None:
        panels = self.ensure_plots()
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export data as CSV", f"leanops-{panels.current_key()}.csv", "CSV (*.csv)"
        )
        if path:
            try:
                self.export_csv(path)
            except OSError as error:
                self.status.setText(f"Could not write {path}: {error.strerror}")


def _uuids(keys: set[str]) -> list[UUID]:
    result = []
    for key in keys:
        try:
            result.append(UUID(key))
        except ValueError:
            continue
    return result


__all__ = ["PerformanceView", "RangePreset", "system_zone"]
