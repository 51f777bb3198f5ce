"""What the performance view reads for a choice of range, filter, zoom or job, and what it
does with each result as it arrives (the panels go on screen through :class:`PanelLoads`).

Choosing a range or filter submits three reads at once: the range's key figures with the
status timeline and Pareto, and its OEE (``services/oee``, from the same status timeline),
on the ``analytics`` lane; the
throughput, then the shift's figures, the jobs at risk and the job curve on the ``reads``
lane (in order with the floor refresher, whose new reports are added to the curves drawn).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.permissions import Action, allowed, least_role
from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.qt.db_runner import READS, Job
from leanops_desktop.qt.performance import panel_updates
from leanops_desktop.qt.performance import performance_reads as reads
from leanops_desktop.qt.performance.figure_tiles import KeyFigureTiles
from leanops_desktop.qt.performance.oee_panel import TOTAL, OeeGroups, group_rows
from leanops_desktop.qt.performance.performance_loading import PanelLoads
from leanops_desktop.qt.performance.range_bar import RangeBar
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics_scope import Scope

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from leanops_desktop.db.engine import Database
    from leanops_desktop.qt.performance.performance_panels import PerformancePanels

#: The runner lane of the figures, timeline and jobs (beside ``reads``, which has throughput).
ANALYTICS = "analytics"


class PerformanceRequests:
    """The loading half of :class:`~leanops_desktop.qt.performance.performance_view.PerformanceView`
    (a mixin: the view holds the state declared here)."""

    _db: Database
    _actor: Actor
    _config: SiteConfig
    _tz: tzinfo
    _loads: PanelLoads
    _figures_timer: QTimer
    _range: tuple[datetime, datetime] | None
    _scope: Scope
    _station_line: dict[str, str]
    _job_id: str | None
    _figures: tuple[analytics.KeyFigures, analytics.KeyFigures] | None
    _in_range: analytics.KeyFigures | None
    _in_shift: tuple[analytics.KeyFigures, str] | None
    _stale: bool
    panels: PerformancePanels | None
    range_bar: RangeBar
    tiles: KeyFigureTiles
    throughput_shown: SignalInstance

    if TYPE_CHECKING:  # the view's (and QWidget's) own

        def isVisible(self) -> bool: ...

        def now(self) -> datetime: ...

        def current_range(self) -> tuple[datetime, datetime]: ...

        def _say(self, text: str, level: str = "") -> None: ...

        def _start_loading(self, parts: set[str]) -> None: ...

    def reload_options(self) -> None:
        """Lines, stations and jobs for the filter lists (read on the runner)."""
        db = self._db
        self._loads.submit(
            "options", lambda: reads.read_options(db), self._options_read, lane=READS
        )

    def _options_read(self, result: tuple[list[StationRow], list[JobRow]]) -> None:
        self._loads.succeeded("options")
        stations, jobs = result
        self._station_line = {row.id: row.line for row in stations}
        self.range_bar.set_options(stations, jobs)

    def refresh(self) -> None:
        """Load every plot and figure for the chosen range and filters (on the runner)."""
        if self.panels is None:
            return
        if not allowed(self._actor.role, Action.VIEW_ANALYTICS):
            self._say(f"Performance analytics need the {least_role(Action.VIEW_ANALYTICS)} role.")
            return
        start, end = self.current_range()
        if end <= start:
            self._say("The range ends before it starts: choose an end after the start.")
            return
        self._range = (start, end)
        self._scope = self.range_bar.scope()
        # What failed before is read again here: live rows, a zoom and a job curve are part of
        # the full load; the filter lists are read once more.
        self._loads.failures -= {"rows", "zoom", "curve"}
        if "options" in self._loads.failures:
            self.reload_options()
        self._figures_timer.stop()
        self._loads.clear()  # panels of an older choice are not put on screen any more
        for kind in ("zoom", "curve"):
            self._loads.cancel(kind)
        request = self._request(keep_view=False)
        self._start_loading({"throughput", "figures", "jobs"})
        db, actor, tz = self._db, self._actor, self._tz
        self._submit_figures(request, with_throughput=True)
        self._loads.submit(
            "throughput",
            lambda: reads.read_throughput(db, actor, request, tz),
            lambda data: self._throughput_read(request, data),
            lane=READS,
        )
        self._submit_jobs(request)
        self._read_reason_tree()

    def _request(self, *, keep_view: bool) -> reads.LoadRequest:
        assert self._range is not None
        start, end = self._range
        return reads.LoadRequest(
            start=start,
            end=end,
            now=self.now(),
            scope=self._scope,
            group_by=self.range_bar.group_by(),
            chosen_job=self._job_id,
            keep_view=keep_view,
        )

    def _submit_figures(self, request: reads.LoadRequest, *, with_throughput: bool = False) -> None:
        """The range's figures on the ``analytics`` lane; the shift's and the jobs after the
        throughput on ``reads`` (unless ``with_throughput``: the caller submits them then)."""
        db, actor, tz = self._db, self._actor, self._tz

        def read() -> tuple[analytics.KeyFigures, OeeGroups]:
            figures, rows = reads.read_figures_and_oee(db, actor, request, tz)
            return figures, group_rows(rows)

        def arrived(data: tuple[analytics.KeyFigures, OeeGroups]) -> None:
            self._figures_read(request, data[0])
            self._oee_read(data[1])

        # One read: the OEE uses the status timeline the figures read (not read twice).
        self._loads.submit("figures", read, arrived, lane=ANALYTICS)
        if not with_throughput:
            self._submit_jobs(request)

    def _submit_jobs(self, request: reads.LoadRequest) -> None:
        db, actor, tz, starts = self._db, self._actor, self._tz, self._config.shift_starts
        self._loads.submit(
            "jobs",
            lambda: reads.read_jobs(db, actor, request, tz, starts),
            lambda data: self._jobs_read(request, data),
            lane=READS,
        )

    def _throughput_read(self, request: reads.LoadRequest, data: analytics.Throughput) -> None:
        self._loads.succeeded("throughput")
        assert self.panels is not None
        steps = panel_updates.throughput_steps(
            self.panels.throughput,
            data,
            request.end.timestamp(),
            visible=self.isVisible,
            shown=self.throughput_shown.emit,
        )
        self._loads.queue(*steps)

    def reload_figures(self, *, keep_view: bool = False) -> None:
        """Key figures (range and shift), timeline, Pareto, jobs at risk and the job curve.

        ``keep_view``: after live changes, leave where the user has panned or zoomed to.
        """
        if self.panels is None or self._range is None:
            return
        # Under way, maybe from before the change: once more after it.
        if self._loads.waiting & {"figures", "jobs"}:
            if self.isVisible():
                self._figures_timer.start()
            else:
                self._stale = True
            return
        self._stale = False
        self._start_loading({"figures", "jobs"})
        self._submit_figures(self._request(keep_view=keep_view))

    def _figures_read(self, request: reads.LoadRequest, in_range: analytics.KeyFigures) -> None:
        self._loads.succeeded("figures")
        self._in_range = in_range
        assert self.panels is not None
        steps = panel_updates.figures_steps(
            self.panels, in_range, request.end.timestamp(), keep_view=request.keep_view
        )
        self._loads.queue(self._show_tiles, *steps)

    def _oee_read(self, groups: OeeGroups) -> None:
        panels = self.panels
        assert panels is not None
        total = groups["station"][TOTAL]

        def show() -> None:
            panels.oee.set_groups(groups)
            self.tiles.set_oee(total)

        self._loads.queue(show)

    def _jobs_read(self, request: reads.LoadRequest, data: reads.JobData) -> None:
        self._loads.succeeded("jobs")
        self._in_shift = (data.in_shift, data.shift.name)
        assert self.panels is not None
        steps = panel_updates.jobs_steps(self.panels, data, keep_view=request.keep_view)
        self._loads.queue(self._show_tiles, *steps)

    def _show_tiles(self) -> None:
        in_shift, name = self._in_shift or (None, "")
        self.tiles.set_figures(self._in_range, in_shift, name)
        if self._in_range is not None and in_shift is not None:
            self._figures = (self._in_range, in_shift)

    def _job_chosen(self, job_id: str) -> None:
        if job_id == self._job_id or self._range is None or self.panels is None:
            return
        self._job_id = job_id
        start, end = self._range
        db, actor, tz, now = self._db, self._actor, self._tz, self.now()

        def read() -> analytics.JobProgressCurve:
            return reads.read_curve(db, actor, job_id, (start, end), tz, now)

        self._loads.submit("curve", read, self._curve_read, lane=ANALYTICS)

    def _pareto_grouping(self, grouping: str) -> None:
        """By category: read the reason tree (admins may have changed it since)."""
        if grouping == "category":
            self._read_reason_tree()

    def _read_reason_tree(self) -> None:
        """The reason tree for the Pareto's categories (grouping and CSV export)."""
        if self.panels is None:
            return
        db, pareto = self._db, self.panels.pareto
        self._loads.submit(
            "reasons", lambda: reads.read_reason_categories(db), pareto.set_categories, lane=READS
        )

    def _curve_read(self, curve: analytics.JobProgressCurve) -> None:
        if self.panels is not None:
            self.panels.job_progress.set_curve(curve)

    def _zoomed(self, low: float, high: float) -> Job[Any] | None:
        """Re-bucket the throughput for the zoom level (finer when zoomed in), in SQL again."""
        if self.panels is None or self._range is None:
            return None
        shown = self.panels.throughput.data
        if shown is None or "throughput" in self._loads.waiting:
            return None
        zoom = reads.zoom_window(self._range, low, high, shown, self.now())
        if zoom is None:
            return None
        window, wanted = zoom
        request = replace(self._request(keep_view=True), start=window[0], end=window[1])
        db, actor, tz = self._db, self._actor, self._tz
        return self._loads.submit(
            "zoom",
            lambda: reads.read_throughput(db, actor, request, tz, wanted),
            lambda data: self._zoom_read(request, data),
            lane=READS,
        )

    def _zoom_read(self, request: reads.LoadRequest, data: analytics.Throughput) -> None:
        if self.panels is not None:
            self.panels.throughput.set_data(data, request.end.timestamp(), keep_view=True)
