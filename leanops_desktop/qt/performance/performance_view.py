"""PerformanceView: the supervisor's performance page (range bar, key figures, four plots).

Importing this module is cheap: pyqtgraph (about a second to import) is loaded the first time
the view is shown or :meth:`PerformanceView.ensure_plots` is called, so the main window can
create the view at start-up and only pay when someone opens it.

Nothing here reads the database in the GUI thread: every read runs on the window's
:class:`~leanops_desktop.qt.db_runner.DbRunner`. Choosing a range or filter submits three
reads at once: the range's key figures with the status timeline and Pareto on the
``analytics`` lane; the throughput, then the shift's figures, the jobs at risk and the job
curve on the ``reads`` lane (in order with the floor refresher, whose new reports are added
to the curves drawn). Once all three are in (or ``HOLD_MS`` after the first: put on screen
while readers still run, each panel would share the GIL with them and take twice as long)
the results go on screen one panel per turn of the event loop, so the window never waits
for more than one panel; live rows arriving meanwhile follow them. A newer choice supersedes
an older one still under way (the runner's ``group``; work not yet started is skipped), and
its results are never shown. While a read is under way the view says so quietly; a read
that fails (the database unreachable) says why in the view and is tried again with the next
tick. With an inline runner (tests, the "before" mode of ``bench/analytics.py``) everything
happens at once, as it did before the runner.

Live: :meth:`apply_floor_rows` takes what a floor refresh read (:meth:`apply_changes` reads the
rows named by a change-feed payload itself). New
reports are added to one bucket of one curve and to the shown job's curve; status events
extend the timeline bands; key figures and the jobs list reload a moment later, once.
"""

from __future__ import annotations

import csv
import itertools
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
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
from leanops_desktop.core.rows import EventRow, JobRow, PerformanceRow, StationRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import READS, DbRunner, Job, is_connection_error
from leanops_desktop.qt.gc_pauses import freeze_long_lived
from leanops_desktop.qt.models.refresh import FloorRows
from leanops_desktop.qt.performance.figure_tiles import KeyFigureTiles
from leanops_desktop.qt.performance.range_bar import RangeBar
from leanops_desktop.services import analytics, analytics_csv
from leanops_desktop.services.analytics_scope import GroupBy, Scope
from leanops_desktop.services.analytics_time import (
    RangePreset,
    ShiftWindow,
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
#: The runner lane of the figures, timeline and jobs (beside ``reads``, which has throughput).
ANALYTICS = "analytics"
#: Between two panels put on screen: a timer, not a posted call, so repaints go first.
STEP_MS = 1
#: How long results that arrived wait for the rest of their load before going on screen.
HOLD_MS = 250
LOADING_TEXT = "Loading…"
UNREACHABLE_TEXT = (
    "The performance figures could not be read: the database does not answer. "
    "They load again when the connection is back."
)
_ERROR_STYLE = "QLabel#PerformanceStatus { color: #d9534f; font-weight: bold; }"

T = TypeVar("T")
_views = itertools.count(1)


def system_zone() -> tzinfo:
    """The zone Qt (and so the date axis) uses for local time, as an IANA zone."""
    key = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return local_zone()


@dataclass(frozen=True, slots=True)
class _Request:
    """What one load reads: everything decided in the GUI thread before the reads start."""

    start: datetime
    end: datetime
    now: datetime
    scope: Scope
    group_by: GroupBy
    chosen_job: str | None
    keep_view: bool


@dataclass(frozen=True, slots=True)
class JobData:
    """The shift's figures, the jobs at risk and the job curve of one load."""

    shift: ShiftWindow
    in_shift: analytics.KeyFigures
    jobs: list[analytics.JobForecast]
    job_id: str | None
    curve: analytics.JobProgressCurve | None


def pick_job(
    jobs: Sequence[analytics.JobForecast], scope_job: str | None, chosen: str | None
) -> str | None:
    """The job whose curve is shown: the filter's, the one chosen, else the first running
    job at risk, else the first running job, else the first listed."""
    if scope_job is not None:
        return scope_job
    if chosen is not None and any(job.job_id == chosen for job in jobs):
        return chosen
    running = [job for job in jobs if job.status is JobStatus.RUNNING]
    for candidates in ([job for job in running if job.at_risk], running, jobs):
        if candidates:
            return candidates[0].job_id
    return None


def read_throughput(
    db: Database, actor: Actor, request: _Request, tz: tzinfo, bucket: Any = None
) -> analytics.Throughput:
    """The throughput curves of a load (runs on the ``reads`` lane)."""
    with db.session() as session:
        return analytics.throughput(
            session,
            actor,
            request.start,
            request.end,
            tz=tz,
            scope=request.scope,
            group_by=request.group_by,
            bucket=bucket,
            now=request.now,
        )


def read_figures(db: Database, actor: Actor, request: _Request, tz: tzinfo) -> analytics.KeyFigures:
    """Key figures of the range with its status timeline and blocked time by reason (runs on
    the ``analytics`` lane)."""
    with db.session() as session, session.begin():
        return analytics.key_figures(
            session,
            actor,
            request.start,
            request.end,
            tz=tz,
            scope=request.scope,
            now=request.now,
        )


def read_jobs(
    db: Database, actor: Actor, request: _Request, tz: tzinfo, shift_starts: tuple[time, ...]
) -> JobData:
    """The shift's figures, jobs at risk and the job curve, in one read transaction (runs on
    the ``reads`` lane after the throughput, beside the range's figures)."""
    start, end, now, scope = request.start, request.end, request.now, request.scope
    with db.session() as session, session.begin():
        shift, in_shift = analytics.shift_figures(
            session, actor, tz=tz, shift_starts=shift_starts, scope=scope, now=now
        )
        jobs = analytics.job_forecasts(session, actor, tz=tz, scope=scope, now=now)
        job_id = pick_job(jobs, scope.job_id, request.chosen_job)
        curve = (
            analytics.job_progress(session, actor, job_id, start, end, tz=tz, now=now)
            if job_id is not None
            else None
        )
    return JobData(shift, in_shift, jobs, job_id, curve)


class PerformanceView(QWidget):
    """Throughput, job progress, status timeline and key figures for a range and scope.

    ``throughput_shown`` is emitted when a new range or filter has been drawn and painted;
    ``loaded`` when every panel of it is on screen (also after a reload of the figures);
    ``load_failed`` (the text shown) when a read failed.
    """

    throughput_shown = Signal()
    loaded = Signal()
    load_failed = Signal(str)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        config: SiteConfig,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
        runner: DbRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PerformanceView")
        self._db = db
        self._actor = actor
        self._config = config
        self._tz = tz or system_zone()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._own_runner = runner is None
        self._runner = runner if runner is not None else DbRunner()
        if self._own_runner:
            self.destroyed.connect(self._runner.close)
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
        self._in_range: analytics.KeyFigures | None = None
        self._in_shift: tuple[analytics.KeyFigures, str] | None = None
        self._stale = False  # figures to reload when shown again
        # Loading: the parts of the current load still to come, the panels still to put on
        # screen, and one token per kind of read (a newer submission makes older work moot).
        self._group = f"performance-{next(_views)}"
        self._tokens: dict[str, int] = {}
        self._jobs: dict[str, Job[Any]] = {}
        self._waiting: set[str] = set()
        self._steps: deque[Callable[[], None]] = deque()
        self._failures: set[str] = set()  # reads whose last attempt failed
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(STEP_MS)
        self._step_timer.timeout.connect(self._run_step)
        # Panels go on screen once every read of a load is in (the readers' Python work
        # would otherwise slow the GUI thread's, sharing the GIL), or HOLD_MS after the first.
        self._held: list[Callable[[], None]] = []
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(HOLD_MS)
        self._hold_timer.timeout.connect(self._release)
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

    @property
    def runner(self) -> DbRunner:
        return self._runner

    @property
    def loading(self) -> bool:
        """Whether reads of the current choice are under way or its panels still to come."""
        return bool(self._waiting or self._held or self._steps)

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
            # pyqtgraph and the plots live as long as the window: out of the collector's
            # walk, or a full collection in a reader thread holds the GIL for 50 ms and more.
            freeze_long_lived()
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

    def _say(self, text: str, level: str = "") -> None:
        self.status.setText(text)
        self.status.setProperty("level", level)
        style = _ERROR_STYLE if level == "error" else ""
        if self.status.styleSheet() != style:  # restyling costs milliseconds: only on change
            self.status.setStyleSheet(style)

    def _fail(self, error: BaseException, part: str | None = None) -> None:
        """A read failed: say why in the view (the panels keep what they showed)."""
        if is_connection_error(error):
            text = UNREACHABLE_TEXT
        elif isinstance(error, LeanOpsError):
            text = str(error)
        else:
            first = str(error).splitlines()[0] if str(error) else ""
            text = f"The performance figures could not be read: {type(error).__name__}: {first}"
        self._failures.add(part or "rows")
        self._waiting.discard(part or "")
        self._say(text, "error")
        self.load_failed.emit(text)
        if self._held and not self._waiting:
            self._release()  # what did arrive goes on screen

    # -- reading on the runner -----------------------------------------------------------

    def _submit(
        self,
        kind: str,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        *,
        lane: str,
    ) -> Job[T]:
        """Run ``work`` on ``lane``; a newer submission of the same ``kind`` supersedes it:
        its outcome is dropped (the runner's group) and, not yet started, it does nothing."""
        token = self._tokens.get(kind, 0) + 1
        self._tokens[kind] = token
        tokens = self._tokens

        def run() -> T | None:
            if tokens.get(kind) != token:
                return None  # superseded before it started: its outcome is dropped anyway
            return work()

        def done(result: T | None) -> None:
            if tokens.get(kind) == token:
                on_done(result)  # type: ignore[arg-type]

        def failed(error: BaseException) -> None:
            if tokens.get(kind) == token:
                self._fail(error, kind)

        job: Job[Any] = self._runner.submit(
            run, done, failed, lane=lane, group=f"{self._group}:{kind}"
        )
        self._jobs[kind] = job
        return job

    def _cancel(self, kind: str) -> None:
        """Drop the outcome of the read of ``kind`` under way (if any)."""
        self._tokens[kind] = self._tokens.get(kind, 0) + 1
        job = self._jobs.pop(kind, None)
        if job is not None:
            job.cancel()

    def _queue(self, *steps: Callable[[], None]) -> None:
        """Put panels on screen once the rest of the load is in (or ``HOLD_MS`` later), one
        per turn of the event loop (all at once when inline)."""
        self._held.extend(steps)
        if self._runner.inline or not self._waiting:
            self._release()
        elif not self._hold_timer.isActive():
            self._hold_timer.start()

    def _release(self) -> None:
        self._hold_timer.stop()
        self._steps.extend(self._held)
        self._held.clear()
        if self._runner.inline:
            while self._steps:
                self._steps.popleft()()
            self._check_loaded()
        elif not self._steps:
            self._check_loaded()
        elif not self._step_timer.isActive():
            self._step_timer.start()

    def _run_step(self) -> None:
        if self._steps:
            self._steps.popleft()()
        if self._steps:
            self._step_timer.start()
        else:
            self._check_loaded()

    def _check_loaded(self) -> None:
        if self._waiting or self._held or self._steps or self._failures:
            return
        if self.status.property("level") in ("loading", "error"):
            self._say("")
        self.loaded.emit()

    def _start_loading(self, parts: set[str]) -> None:
        """Say quietly that a read is under way (an error shown stays until it succeeds)."""
        self._waiting |= parts
        if not self._failures:
            self._say(LOADING_TEXT, "loading")

    # -- loading -------------------------------------------------------------------------

    def reload_options(self) -> None:
        """Lines, stations and jobs for the filter lists (read on the runner)."""
        db = self._db

        def read() -> tuple[list[StationRow], list[JobRow]]:
            with db.session() as session:
                return queries.list_stations(session), queries.list_jobs(session)

        self._submit("options", read, self._options_read, lane=READS)

    def _options_read(self, result: tuple[list[StationRow], list[JobRow]]) -> None:
        self._succeeded("options")
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
        self._failures -= {"rows", "zoom", "curve"}
        if "options" in self._failures:
            self.reload_options()
        self._figures_timer.stop()
        self._steps.clear()  # panels of an older choice are not put on screen any more
        self._held.clear()
        self._hold_timer.stop()
        self._waiting.clear()
        for kind in ("zoom", "curve"):
            self._cancel(kind)
        request = self._request(keep_view=False)
        self._start_loading({"throughput", "figures", "jobs"})
        db, actor, tz = self._db, self._actor, self._tz
        self._submit_figures(request, with_throughput=True)
        self._submit(
            "throughput",
            lambda: read_throughput(db, actor, request, tz),
            lambda data: self._throughput_read(request, data),
            lane=READS,
        )
        self._submit_jobs(request)

    def _request(self, *, keep_view: bool) -> _Request:
        assert self._range is not None
        start, end = self._range
        return _Request(
            start=start,
            end=end,
            now=self.now(),
            scope=self._scope,
            group_by=self.range_bar.group_by(),
            chosen_job=self._job_id,
            keep_view=keep_view,
        )

    def _submit_figures(self, request: _Request, *, with_throughput: bool = False) -> None:
        """The range's figures on the ``analytics`` lane; the shift's and the jobs after the
        throughput on ``reads`` (unless ``with_throughput``: the caller submits them then)."""
        db, actor, tz = self._db, self._actor, self._tz
        self._submit(
            "figures",
            lambda: read_figures(db, actor, request, tz),
            lambda data: self._figures_read(request, data),
            lane=ANALYTICS,
        )
        if not with_throughput:
            self._submit_jobs(request)

    def _submit_jobs(self, request: _Request) -> None:
        db, actor, tz, starts = self._db, self._actor, self._tz, self._config.shift_starts
        self._submit(
            "jobs",
            lambda: read_jobs(db, actor, request, tz, starts),
            lambda data: self._jobs_read(request, data),
            lane=READS,
        )

    def _succeeded(self, part: str) -> None:
        """A part of a load arrived (a failure of it before is over)."""
        self._waiting.discard(part)
        self._failures.discard(part)

    def _throughput_read(self, request: _Request, data: analytics.Throughput) -> None:
        self._succeeded("throughput")
        assert self.panels is not None
        plot = self.panels.throughput

        # Three turns, the plot not painted in between: new curves, the y axis fitted to
        # them (half of a first paint with 50 curves), the paint.
        def curves() -> None:
            plot.plot.setUpdatesEnabled(False)
            plot.set_data(data, request.end.timestamp())

        def scale() -> None:
            plot.plot.getPlotItem().getViewBox().prepareForPaint()

        def paint() -> None:
            plot.plot.setUpdatesEnabled(True)
            if self.isVisible():  # the curves first, before the other panels
                plot.plot.viewport().repaint()
            self.throughput_shown.emit()

        self._queue(curves, scale, paint)

    def reload_figures(self, *, keep_view: bool = False) -> None:
        """Key figures (range and shift), timeline, Pareto, jobs at risk and the job curve.

        ``keep_view``: after live changes, leave where the user has panned or zoomed to.
        """
        if self.panels is None or self._range is None:
            return
        if self._waiting & {"figures", "jobs"}:  # under way, maybe from before the change
            if self.isVisible():
                self._figures_timer.start()
            else:
                self._stale = True
            return
        self._stale = False
        self._start_loading({"figures", "jobs"})
        self._submit_figures(self._request(keep_view=keep_view))

    def _figures_read(self, request: _Request, in_range: analytics.KeyFigures) -> None:
        self._succeeded("figures")
        keep_view = request.keep_view
        end = request.end.timestamp()
        self._in_range = in_range

        def timeline() -> None:
            assert self.panels is not None
            self.panels.timeline.set_timeline(in_range.timeline, end, keep_view=keep_view)

        def pareto() -> None:
            assert self.panels is not None
            self.panels.pareto.set_reasons(in_range.blocked_by_reason)

        self._queue(self._show_tiles, timeline, pareto)

    def _jobs_read(self, request: _Request, data: JobData) -> None:
        self._succeeded("jobs")
        keep_view = request.keep_view
        self._in_shift = (data.in_shift, data.shift.name)

        def jobs() -> None:
            assert self.panels is not None
            self.panels.risk_table.set_jobs(data.jobs, data.job_id)

        def curve() -> None:
            assert self.panels is not None
            progress = self.panels.job_progress
            if data.curve is not None or progress.job_id is not None:
                same_job = data.curve is not None and progress.job_id == data.curve.job.job_id
                progress.set_curve(data.curve, keep_view=keep_view and same_job)

        self._queue(self._show_tiles, jobs, curve)

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
            with db.session() as session:
                return analytics.job_progress(session, actor, job_id, start, end, tz=tz, now=now)

        self._submit("curve", read, self._curve_read, lane=ANALYTICS)

    def _curve_read(self, curve: analytics.JobProgressCurve) -> None:
        if self.panels is not None:
            self.panels.job_progress.set_curve(curve)

    def _zoomed(self, low: float, high: float) -> Job[Any] | None:
        """Re-bucket the throughput for the zoom level (finer when zoomed in), in SQL again."""
        if self.panels is None or self._range is None:
            return None
        start, end = self._range
        default = choose_bucket(end - start)
        wanted = choose_bucket(timedelta(seconds=max(high - low, 1.0)))
        shown = self.panels.throughput.data
        if shown is None or "throughput" in self._waiting:
            return None
        if wanted.seconds >= default.seconds:
            if shown.bucket == default and shown.start == start:
                return None
            window, wanted = (start, end), default
        else:
            span = timedelta(seconds=high - low)
            low_at = datetime.fromtimestamp(low, UTC)
            high_at = datetime.fromtimestamp(high, UTC)
            inside = shown.start.timestamp() <= low and high <= shown.until.timestamp() + 1
            if shown.bucket == wanted and (inside or high_at > self.now()):
                return None
            window = (max(start, low_at - span), min(end, high_at + span))
        request = replace(self._request(keep_view=True), start=window[0], end=window[1])
        db, actor, tz = self._db, self._actor, self._tz
        return self._submit(
            "zoom",
            lambda: read_throughput(db, actor, request, tz, wanted),
            lambda data: self._zoom_read(request, data),
            lane=READS,
        )

    def _zoom_read(self, request: _Request, data: analytics.Throughput) -> None:
        if self.panels is not None:
            self.panels.throughput.set_data(data, request.end.timestamp(), keep_view=True)

    # -- live ----------------------------------------------------------------------------

    def apply_changes(self, changes: Mapping[str, set[str]]) -> Job[Any] | None:
        """Follow the change feed: read the new reports and events on the runner, then
        :meth:`apply_rows`."""
        if self.panels is None or self._range is None:
            return None
        db = self._db
        reports_wanted = _uuids(changes.get("performance_logs") or set())
        entries_wanted = _uuids(changes.get("events_log") or set())

        def read() -> tuple[list[PerformanceRow], list[EventRow]]:
            with db.session() as session:
                return (
                    history.performance_by_keys(session, reports_wanted),
                    history.events_by_keys(session, entries_wanted),
                )

        def done(rows: tuple[list[PerformanceRow], list[EventRow]]) -> None:
            self.apply_rows(changes, *rows)

        return self._runner.submit(read, done, lambda error: self._fail(error), lane=READS)

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
        if self._held or self._steps:  # a load's panels are still to come: after them
            later = lambda: self.apply_rows(changes, reports, entries)  # noqa: E731
            (self._held if self._held else self._steps).append(later)
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
        """Time moved on: roll a preset into its next period, else grow the open buckets;
        after a failed read, try again."""
        if self.panels is None or self._range is None:
            return
        now = self.now()
        if self._failures:  # try again; the message stays until the reads succeed
            self.refresh()
            return
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
