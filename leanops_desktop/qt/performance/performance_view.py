"""PerformanceView: the supervisor's performance page (range bar, key figures, four plots).

Importing this module is cheap: pyqtgraph (about a second to import) is loaded the first time
the view is shown or :meth:`PerformanceView.ensure_plots` is called, so the main window can
create the view at start-up and only pay when someone opens it.

Nothing here reads the database in the GUI thread: every read runs on the window's
:class:`~leanops_desktop.qt.db_runner.DbRunner` (:mod:`.performance_requests` says what is
read for a choice, :mod:`.performance_loading` how newer choices supersede older ones and
how the panels go on screen, :mod:`.panel_updates` what goes on them). While a read is under
way the view says so quietly; a read that fails (the database unreachable) says why in the
view and is tried again with the next tick.

Live: :meth:`apply_floor_rows` takes what a floor refresh read (:meth:`apply_changes` reads the
rows named by a change-feed payload itself). New reports are added to one bucket of one curve
and to the shown job's curve; status events extend the timeline bands; key figures and the
jobs list reload a moment later, once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QTimer, QTimeZone, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QStackedWidget, QVBoxLayout, QWidget

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.permissions import Action, allowed, least_role
from leanops_desktop.core.rows import EventRow, PerformanceRow
from leanops_desktop.qt.db_runner import READS, DbRunner, Job
from leanops_desktop.qt.gc_pauses import freeze_long_lived
from leanops_desktop.qt.models.refresh import FloorRows
from leanops_desktop.qt.performance import panel_updates
from leanops_desktop.qt.performance import performance_reads as reads
from leanops_desktop.qt.performance.figure_tiles import KeyFigureTiles
from leanops_desktop.qt.performance.performance_loading import PanelLoads, failure_text
from leanops_desktop.qt.performance.performance_requests import PerformanceRequests
from leanops_desktop.qt.performance.range_bar import RangeBar
from leanops_desktop.services import analytics
from leanops_desktop.services.analytics_scope import Scope
from leanops_desktop.services.analytics_time import (
    RangePreset,
    check_instant,
    local_zone,
    preset_range,
)
from leanops_desktop.services.analytics_timeline import STATUS_EVENTS

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database
    from leanops_desktop.qt.performance.performance_panels import PerformancePanels

PRESENT_TICK_MS = 30_000
FIGURES_DELAY_MS = 1_500
LOADING_TEXT = "Loading…"
_ERROR_STYLE = "QLabel#PerformanceStatus { color: #d9534f; font-weight: bold; }"

_views = itertools.count(1)


def system_zone() -> tzinfo:
    """The zone Qt (and so the date axis) uses for local time, as an IANA zone."""
    key = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return local_zone()


class PerformanceView(PerformanceRequests, QWidget):
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
        self._lay_out()
        self._range: tuple[datetime, datetime] | None = None
        self._scope = Scope()
        self._station_line: dict[str, str] = {}
        self._job_id: str | None = None
        self._figures: tuple[analytics.KeyFigures, analytics.KeyFigures] | None = None
        self._in_range: analytics.KeyFigures | None = None
        self._in_shift: tuple[analytics.KeyFigures, str] | None = None
        self._stale = False  # figures to reload when shown again
        self._loads = PanelLoads(
            self._runner,
            f"performance-{next(_views)}",
            self,
            on_failure=self._fail,
            on_loaded=self._loaded,
        )
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
        self._limit_exports()

    def _lay_out(self) -> None:
        """The range bar, the key figures, the status line, then the plots (once built)."""
        self._stack.addWidget(QLabel("Loading plots…", self))
        layout = QVBoxLayout(self)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.tiles)
        layout.addWidget(self.status)
        layout.addWidget(self._stack, 1)

    def _limit_exports(self) -> None:
        """The export buttons only for the roles that may export."""
        may_export = allowed(self._actor.role, Action.EXPORT)
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
        return self._loads.busy

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
            self.panels.pareto.grouping_changed.connect(self._pareto_grouping)
            self.panels.pareto.export_requested.connect(self._ask_pareto_csv)
            self.panels.pareto.export_button.setEnabled(allowed(self._actor.role, Action.EXPORT))
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
        text = failure_text(error)
        self._loads.failed(part)
        self._say(text, "error")
        self.load_failed.emit(text)
        self._loads.release_arrived()  # what did arrive goes on screen

    def _loaded(self) -> None:
        if self.status.property("level") in ("loading", "error"):
            self._say("")
        self.loaded.emit()

    def _start_loading(self, parts: set[str]) -> None:
        """Say quietly that a read is under way (an error shown stays until it succeeds)."""
        self._loads.start(parts)
        if not self._loads.failures:
            self._say(LOADING_TEXT, "loading")

    # -- live ----------------------------------------------------------------------------

    def apply_changes(self, changes: Mapping[str, set[str]]) -> Job[Any] | None:
        """Follow the change feed: read the new reports and events on the runner, then
        :meth:`apply_rows`."""
        if self.panels is None or self._range is None:
            return None
        db = self._db

        def done(rows: tuple[list[PerformanceRow], list[EventRow]]) -> None:
            self.apply_rows(changes, *rows)

        return self._runner.submit(
            lambda: reads.read_changed_rows(db, changes),
            done,
            lambda error: self._fail(error),
            lane=READS,
        )

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
        # A load's panels still to come: after them.
        if self._loads.defer(lambda: self.apply_rows(changes, reports, entries)):
            return
        group_by = self.range_bar.group_by()
        for report in sorted(reports, key=lambda row: row.timestamp):
            panel_updates.add_report(
                self.panels,
                report,
                scope=self._scope,
                station_line=self._station_line,
                group_by=group_by,
            )
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

    def tick(self) -> None:
        """Time moved on: roll a preset into its next period, else grow the open buckets;
        after a failed read, try again."""
        if self.panels is None or self._range is None:
            return
        now = self.now()
        if self._loads.failures:  # try again; the message stays until the reads succeed
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
        return panel_updates.save_png(self.ensure_plots(), path, tab)

    def export_csv(self, path: str | Path, tab: str | None = None) -> None:
        """Save the data behind a plot (the current tab's by default) as CSV."""
        panels = self.ensure_plots()
        panel_updates.save_csv(panels, path, tab, tz=self._tz, figures=self._figures)

    def export_pareto_csv(self, path: str | Path, *, by_category: bool) -> None:
        """Save the Pareto as CSV, by reason (with its category) or by category."""
        panel_updates.save_pareto_csv(self.ensure_plots(), path, by_category=by_category)

    def _ask_pareto_csv(self, by_category: bool) -> None:
        name = f"leanops-pareto-by-{'category' if by_category else 'reason'}.csv"
        path, _filter = QFileDialog.getSaveFileName(self, "Export Pareto CSV", name, "CSV (*.csv)")
        if path:
            try:
                self.export_pareto_csv(path, by_category=by_category)
            except OSError as error:
                self.status.setText(f"Could not write {path}: {error.strerror}")

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


__all__ = ["PerformanceView", "RangePreset", "system_zone"]
