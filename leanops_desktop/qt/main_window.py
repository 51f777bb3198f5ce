"""The supervisor's main window: plant overview in the middle, four docked tables around it.

The window composes parts that live in their own modules: the docks and table models
(``qt/docks``, ``qt/models``), the plant overview, the action registry and its handlers
(``qt/actions.py``, ``qt/window/floor_commands.py``), the menus, the saved layout and the
status bar. Every database call runs on its :class:`DbRunner` (the GUI thread never waits on
the network). It learns of every change, its own included, from the live feed
(``changes_arrived``), whose batches a ``FloorRefresher`` reads on the runner: after its own
commit it asks the feed to read now (:meth:`MainWindow.saved`). Without a feed of its own
(tests, a SQLite file without a listener) the window makes one that reads only when asked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QTableView, QTabWidget, QVBoxLayout, QWidget

from leanops_desktop import APP_NAME
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.qt.actions import ActionRegistry
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.docks import StationsDock, TableDock
from leanops_desktop.qt.gc_pauses import freeze_long_lived
from leanops_desktop.qt.live.floor_refresher import FloorRefresher
from leanops_desktop.qt.live.live_feed import LiveFeed
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.qt.models.refresh import FloorRows
from leanops_desktop.qt.performance.performance_view import PerformanceView
from leanops_desktop.qt.plant_overview import PlantOverview
from leanops_desktop.qt.plant_overview.tile_oee import TileOee
from leanops_desktop.qt.status_bar import FloorStatusBar
from leanops_desktop.qt.theme.resources import app_icon
from leanops_desktop.qt.window import floor_views
from leanops_desktop.qt.window.action_bindings import bind_actions
from leanops_desktop.qt.window.export_action import (
    SavePathChooser,
    choose_save_path,
    export_dock,
)
from leanops_desktop.qt.window.floor_commands import (
    FloorCommands,
    job_applicability,
    station_applicability,
)
from leanops_desktop.qt.window.layout_state import ColumnState, FilterState, WindowLayoutMixin
from leanops_desktop.qt.window.liveness import LiveFeedLike, show_liveness
from leanops_desktop.qt.window.menus import (
    JOB_MENU,
    STATION_MENU,
    build_menu_bar,
    build_toolbar,
    context_menu,
)
from leanops_desktop.qt.window.message_overlay import BottomOverlay
from leanops_desktop.qt.window.selection import FloorSelection, Picked
from leanops_desktop.services.accounts.signed_in import SignedIn


class MainWindow(WindowLayoutMixin, QMainWindow):
    """Docks for stations, jobs, assignments and events around a tabbed central area."""

    sign_out_requested = Signal()
    switch_user_requested = Signal()

    def __init__(
        self,
        signed_in: SignedIn,
        config: SiteConfig,
        *,
        messages: MessageService | None = None,
        live_feed: LiveFeedLike | None = None,
        runner: DbRunner | None = None,
        restore_layout: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = signed_in.db
        self.actor = signed_in.actor
        self.config = config
        self.messages = messages or MessageService(parent=self)
        self._own_runner = runner is None
        self.runner = runner if runner is not None else DbRunner(self)
        self._own_feed: LiveFeed | None = None
        if live_feed is None:
            # Position it now, on the runner's reads lane, before the first load.
            self._own_feed = LiveFeed(signed_in.db, self, runner=self.runner)
            self._own_feed.start(listen=False)
            live_feed = self._own_feed
        self.live_feed: LiveFeedLike = live_feed
        self._set_up_frame()

        self.models = floor_views.make_models(self)
        self.selection = FloorSelection(self)
        self.registry = ActionRegistry(self)
        self.registry.apply_role(self.actor.role)
        self.commands = FloorCommands(self, self)

        self._build_central_area(config)
        self.refresher = FloorRefresher(self.db, self.models, self, runner=self.runner)
        self.refresher.applied.connect(self._refreshed)
        self.refresher.failed.connect(self._refresh_failed)
        self._refresh_failing = False
        self._build_docks_and_bars()

        bind_actions(self)
        self._connect_views()
        self._shown_once = False
        self._fitted_to_rows = False
        self.remember_default_layout()
        self._layout_restored = restore_layout and self.restore_layout()
        self._follow(live_feed)
        self.reload()
        self._update_applicability()

    # -- building the window ---------------------------------------------------------------

    def _set_up_frame(self) -> None:
        """Name, icon, title, dock behaviour and the first size of the window."""
        self.setObjectName("LeanOpsMainWindow")
        self.setWindowIcon(app_icon())
        self.setWindowTitle(f"{APP_NAME} — {self.db.describe()}")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self.resize(1600, 900)

    def _build_central_area(self, config: SiteConfig) -> None:
        """The message bar over the central tabs: the plant overview and, for roles that
        may see analytics, the performance view."""
        self.message_bar = MessageBar(self)
        self.messages.set_default_bar(self.message_bar)
        self.overview = PlantOverview(self.models.stations, self)
        self.models.listeners.append(lambda _rows: self.overview.sync())
        self.tile_oee = TileOee(self.db, self.actor, self.runner, self.overview.set_oee, self)
        self.models.listeners.append(self.tile_oee.changed)
        self.tile_oee.refresh()
        self.central_tabs = QTabWidget(self)
        self.central_tabs.setDocumentMode(True)
        self.central_tabs.addTab(self.overview, "Plant overview")
        self.performance: PerformanceView | None = None
        if allowed(self.actor.role, Action.VIEW_ANALYTICS):
            # Cheap to build: pyqtgraph is imported when the tab is first shown.
            self.performance = PerformanceView(self.db, self.actor, config, runner=self.runner)
            self.central_tabs.addTab(self.performance, "Performance")
            self.models.listeners.append(self.performance.apply_floor_rows)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(8, 6, 8, 0)
        column.setSpacing(6)
        column.addWidget(self.central_tabs, 1)
        self.setCentralWidget(central)
        # Over the central area, not above it: a message never moves the tiles.
        self._message_overlay = BottomOverlay(self.message_bar, central)

    def _build_docks_and_bars(self) -> None:
        """The table docks around the centre, the menus, the toolbar and the status bar."""
        self.docks: dict[str, TableDock] = floor_views.make_docks(self, self.models)
        floor_views.arrange_docks(self, self.docks)
        self.tables: dict[str, QTableView] = {name: d.view for name, d in self.docks.items()}
        self._last_table = "jobs"
        self.choose_save_path: SavePathChooser = choose_save_path
        self.menus = build_menu_bar(self, self.registry, list(self.docks.values()))
        self.toolbar = build_toolbar(self, self.registry)
        self.status = FloorStatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_database(self.db.describe())
        self.status.set_user(self.actor)

    def _follow(self, live_feed: LiveFeedLike) -> None:
        """Apply the live feed's changes; reload everything when it lost its history."""
        live_feed.changes_arrived.connect(self.refresher.submit)
        show_liveness(self.status, live_feed, own_feed=self._own_feed is not None, db=self.db)
        history_lost = getattr(live_feed, "history_lost", None)
        if history_lost is not None:
            history_lost.connect(self.reload)

    # -- composition -----------------------------------------------------------------------

    def add_central_view(self, widget: QWidget, title: str) -> int:
        """Add a view (e.g. the performance plots) as a tab of the central area."""
        index = self.central_tabs.addTab(widget, title)
        self.select_pending_tab()
        return index

    def _connect_views(self) -> None:
        overview = self.overview
        overview.station_selected.connect(
            lambda key: self.selection.pick(Picked(station_id=key, source="overview"))
        )
        overview.station_activated.connect(lambda key: self._activated("overview", key))
        overview.context_menu_requested.connect(lambda key, pos: self._menu("overview", key, pos))
        overview.job_dropped.connect(self.commands.drop_job)
        self.selection.changed.connect(self._update_applicability)
        for name, dock in self.docks.items():
            dock.current_key_changed.connect(lambda key, n=name: self._picked(n, key))
            dock.row_activated.connect(lambda key, n=name: self._activated(n, key))
            dock.context_menu_requested.connect(lambda key, pos, n=name: self._menu(n, key, pos))
            dock.view.clicked.connect(
                lambda _index, n=name: self._picked(n, self.docks[n].current_key())
            )
        stations_dock = self.docks["stations"]
        assert isinstance(stations_dock, StationsDock)
        stations_dock.job_dropped_on_station.connect(self.commands.drop_job)

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every table again (full reload; single changes arrive through the feed)."""
        floor_views.load_all(
            self.db, self.docks, self.runner, self._load_failed, on_loaded=self._loaded
        )

    def _loaded(self) -> None:
        freeze_long_lived()
        if self._shown_once and not self._layout_restored and not self._fitted_to_rows:
            # Sized at first show without the stations; now the tiles' needs are known.
            self._fitted_to_rows = True
            floor_views.fit_docks(self, self.docks, self.overview.comfortable_height)
            self.remember_default_layout()

    def _load_failed(self, error: BaseException) -> None:
        text = error.message if isinstance(error, LeanOpsError) else str(error).splitlines()[0]
        self.messages.error(f"Could not read the floor: {text}", source=self)

    def saved(self) -> None:
        """A change of ours has committed: the feed reads now, and the change arrives
        through it like any other seat's (one read, nothing applied twice)."""
        self.live_feed.read_now()

    def _refreshed(self, _rows: FloorRows) -> None:
        self._refresh_failing = False
        self.status.note_change()
        self._update_applicability()

    def _refresh_failed(self, error: BaseException) -> None:
        # Said once per outage (the status bar shows the connection; reads are retried).
        if self._refresh_failing:
            return
        self._refresh_failing = True
        text = error.message if isinstance(error, LeanOpsError) else str(error).splitlines()[0]
        self.messages.error(f"Could not read the latest changes: {text}", source=self)

    def station_rows(self) -> list[StationRow]:
        return floor_views.rows_of(self.models.stations)

    def job_rows(self) -> list[JobRow]:
        return floor_views.rows_of(self.models.jobs)

    def assignment_rows(self) -> list[AssignmentRow]:
        return floor_views.rows_of(self.models.assignments)

    def dialog_parent(self) -> QWidget:
        return self

    # -- selection -------------------------------------------------------------------------

    def selected_station(self) -> StationRow | None:
        key = self.selection.picked.station_id
        return self.models.stations.row_for_key(key) if key else None

    def selected_job(self) -> JobRow | None:
        """The picked job; for a picked station, the job it works on now."""
        picked = self.selection.picked
        key = picked.job_id
        if picked.source in ("overview", "stations"):
            station = self.selected_station()
            key = station.current_job_id if station else None
        return self.models.jobs.row_for_key(key) if key else None

    def _picked(self, name: str, key: object) -> None:
        self._last_table = name
        row = self.docks[name].model.row_for_key(key) if key is not None else None
        self.selection.pick_row(row, name)
        self._update_applicability()

    def _update_applicability(self) -> None:
        station = self.selected_station()
        job = self.selected_job()
        for name, ok in {**station_applicability(station), **job_applicability(job)}.items():
            self.registry.set_applicable(name, ok)

    def current_table_name(self) -> str:
        """The table the user worked in last (what "Export view" saves)."""
        return self._last_table

    # -- double-click and context menus ----------------------------------------------------

    def _activated(self, source: str, key: object) -> None:
        """Double-click or Enter: edit the station or job (if the role may)."""
        if source == "overview":
            self.selection.pick(Picked(station_id=str(key), source="overview"))
        else:
            self._picked(source, key)
        if source in ("overview", "stations") and allowed(self.actor.role, Action.MANAGE_STATIONS):
            self.commands.edit_station()
        elif source in ("jobs", "assignments") and allowed(self.actor.role, Action.MANAGE_JOBS):
            self.commands.edit_job()

    def _menu(self, source: str, key: object, global_pos: QPoint) -> None:
        if source == "overview":
            self.selection.pick(Picked(station_id=str(key), source="overview"))
        elif key is not None:
            self._picked(source, key)
        if source == "events":
            return
        names = JOB_MENU if source == "jobs" else STATION_MENU
        menu = context_menu(self.registry, names, self)
        if not menu.isEmpty():
            menu.popup(global_pos)

    # -- other actions ---------------------------------------------------------------------

    def export_current(self, fmt: str) -> Path | None:
        """Export the table used last, as shown, to a CSV or XLSX file the user picks."""
        name = self.current_table_name()
        return export_dock(
            self,
            name,
            self.docks[name],
            fmt,
            self.messages,
            self.choose_save_path,
            runner=self.runner,
        )

    def open_users(self) -> None:
        from leanops_desktop.qt.dialogs.users_dialog import UsersDialog

        dialog = UsersDialog(self.db, self.actor, self.messages, self, runner=self.runner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.commands.active_dialog = dialog
        dialog.open()

    # -- layout ----------------------------------------------------------------------------

    def layout_user(self) -> str:
        return self.actor.email

    def layout_columns(self) -> dict[str, ColumnState]:
        return dict(self.docks)

    def layout_filters(self) -> dict[str, FilterState]:
        return dict(self.docks)

    def layout_tabs(self) -> QTabWidget:
        return self.central_tabs

    def showEvent(self, event: QShowEvent) -> None:
        """On first show, size the docks for the real window size (unless restored)."""
        first = not self._shown_once
        self._shown_once = True
        super().showEvent(event)
        if first and not self._layout_restored:
            self._fitted_to_rows = bool(self.station_rows())
            floor_views.fit_docks(self, self.docks, self.overview.comfortable_height)
            self.remember_default_layout()

    def reset_layout(self) -> None:
        """Every dock back in its place, sized for the window as it is now."""
        super().reset_layout()
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        floor_views.fit_docks(self, self.docks, self.overview.comfortable_height)

    def shut_down(self) -> None:
        """Stop reading and drop the answers still due (the window is going away)."""
        self.refresher.stop()
        self.tile_oee.stop()
        if self._own_feed is not None:
            self._own_feed.stop()
        if self._own_runner:
            self.runner.close()
        if self.performance is not None:
            self.performance.stop_timers()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        self.save_layout()
        super().closeEvent(event)
