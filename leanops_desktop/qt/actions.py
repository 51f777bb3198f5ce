"""Every action of the main window, registered once with the permission it needs.

:data:`ACTION_SPECS` is the one list of actions (text, shortcut, permission, tip). The
:class:`ActionRegistry` creates a QAction for each and is the one place that enables them:
an action is enabled when the signed-in role may take it (``core.permissions``) *and* it
applies to what is selected. One the role may not take stays disabled with a tooltip
naming the role it needs, and is left out of the toolbar and context menus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from leanops_desktop.core.enums import Role
from leanops_desktop.core.permissions import Action, allowed, least_role


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What an action is called, its shortcut, and the permission it needs (None: anyone)."""

    name: str
    text: str
    shortcut: str | QKeySequence.StandardKey | None
    permission: Action | None
    tip: str
    needs: str = ""  # what must be selected, said when it is not ("select a job")


ACTION_SPECS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("export_csv", "Export view to &CSV…", "Ctrl+E", Action.EXPORT,
               "Save the rows of the current table, as filtered and sorted, to a CSV file",
               "click a table first"),
    ActionSpec("export_xlsx", "Export view to &Excel…", "Ctrl+Shift+E", Action.EXPORT,
               "Save the rows of the current table, as filtered and sorted, to an XLSX file",
               "click a table first"),
    ActionSpec("shift_report", "S&hift report…", "Ctrl+Shift+R", Action.VIEW_ANALYTICS,
               "Save one shift's OEE, units, top stops and jobs per station as PDF or CSV"),
    ActionSpec("import_jobs", "&Import jobs…", "Ctrl+Shift+M", Action.MANAGE_JOBS,
               "Create and update jobs from a CSV or Excel file (an ERP's or a spreadsheet's)"),
    ActionSpec("switch_user", "S&witch user…", "Ctrl+Shift+W", None,
               "Sign out and sign in as someone else"),
    ActionSpec("sign_out", "Sign &out", "Ctrl+Shift+Q", None, "Sign out of LeanOps"),
    ActionSpec("quit", "&Quit", QKeySequence.StandardKey.Quit, None, "Close LeanOps"),
    # Jobs
    ActionSpec("new_job", "&New job…", "Ctrl+N", Action.MANAGE_JOBS, "Add a job to the queue"),
    ActionSpec("edit_job", "&Edit job…", "Ctrl+Shift+J", Action.MANAGE_JOBS,
               "Change the part, quantity, due date or priority of the selected job",
               "select a job that is not completed"),
    ActionSpec("print_travelers", "&Print travelers…", "Ctrl+P", Action.MANAGE_JOBS,
               "Print a traveler (barcode and QR code of the job id) for each selected job"),
    ActionSpec("save_travelers_pdf", "Save travelers as P&DF…", "Ctrl+Shift+P", Action.MANAGE_JOBS,
               "Save a traveler page for each selected job to a PDF file"),
    ActionSpec("complete_job", "&Complete job", "Ctrl+Shift+C", Action.COMPLETE_JOB,
               "Mark the selected job completed and free its stations",
               "select a job that is not completed"),
    # Stations
    ActionSpec("new_station", "&New station…", "Ctrl+Shift+N", Action.MANAGE_STATIONS,
               "Add a station to a production line"),
    ActionSpec("edit_station", "&Edit station…", "Ctrl+Shift+S", Action.MANAGE_STATIONS,
               "Rename the selected station or move it to another line", "select a station"),
    ActionSpec("activate_station", "&Put in use", "Ctrl+Shift+I", Action.MANAGE_STATIONS,
               "Let the selected station take jobs again", "select a station not in use"),
    ActionSpec("deactivate_station", "Take &out of use", "Ctrl+Shift+O", Action.MANAGE_STATIONS,
               "Stop the selected station from taking jobs", "select a station in use, no job"),
    ActionSpec("block_station", "&Block…", "Ctrl+B", Action.BLOCK_STATION,
               "Stop the selected station and say why", "select a station in use"),
    ActionSpec("unblock_station", "&Resume", "Ctrl+R", Action.BLOCK_STATION,
               "Resume the selected blocked station", "select a blocked station"),
    # Dispatch
    ActionSpec("assign_job", "&Assign job…", "Ctrl+G", Action.DISPATCH,
               "Start a job on a free station (or drag a job onto a station)"),
    ActionSpec("unassign_job", "&Unassign", "Ctrl+U", Action.DISPATCH,
               "Take the job off the selected station", "select a station with a job"),
    ActionSpec("move_job", "&Move job…", "Ctrl+M", Action.DISPATCH,
               "Move the job of the selected station to another station",
               "select a station with a job"),
    # View, admin, help
    ActionSpec("refresh", "&Refresh", QKeySequence.StandardKey.Refresh, None,
               "Read every table again from the database"),
    ActionSpec("reset_layout", "Reset &layout", "Ctrl+Shift+L", None,
               "Put every panel back in its original place"),
    ActionSpec("users", "&Users…", "Ctrl+Shift+U", Action.MANAGE_USERS,
               "Add users, change roles, disable accounts, reset passwords"),
    ActionSpec("downtime_reasons", "&Downtime reasons…", "Ctrl+Shift+D", Action.MANAGE_SETTINGS,
               "Edit the two-level tree of downtime reasons and their OEE categories"),
    ActionSpec("shift_calendar", "Shift &calendar…", "Ctrl+Shift+K", Action.MANAGE_SETTINGS,
               "Edit the shifts, their breaks and the days the plant does not work"),
    ActionSpec("stop_detection", "S&top detection…", "Ctrl+Shift+T", Action.MANAGE_SETTINGS,
               "Set after how many minutes without a report a running station gets an "
               "unexplained stop (plant, lines, stations)"),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "Ctrl+/", None,
               "List every action and its shortcut"),
    ActionSpec("about", "&About LeanOps", QKeySequence.StandardKey.HelpContents, None,
               "Version and database in use"),
)  # fmt: skip

SPECS_BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTION_SPECS}


class ActionRegistry(QObject):
    """The QActions of one window, gated by role and by what is selected."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._actions: dict[str, QAction] = {}
        self._applicable: dict[str, bool] = {}
        self.role: Role | None = None
        for spec in ACTION_SPECS:
            action = QAction(spec.text, parent)
            action.setObjectName(f"action_{spec.name}")
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(spec.tip)
            self._actions[spec.name] = action
            self._applicable[spec.name] = True
        self._refresh_all()

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[tuple[ActionSpec, QAction]]:
        for spec in ACTION_SPECS:
            yield spec, self._actions[spec.name]

    def bind(self, name: str, slot: Callable[[], object]) -> None:
        """Run ``slot`` when the action is triggered."""
        self._actions[name].triggered.connect(lambda _checked=False: slot())

    # -- the one place that gates actions ------------------------------------------------

    def apply_role(self, role: Role) -> None:
        """After sign-in: enable what ``role`` may do; say which role the rest needs."""
        self.role = role
        self._refresh_all()

    def permitted(self, name: str) -> bool:
        """Whether the signed-in role may take the action (regardless of selection)."""
        permission = SPECS_BY_NAME[name].permission
        return permission is None or (self.role is not None and allowed(self.role, permission))

    def set_applicable(self, name: str, applicable: bool) -> None:
        """Whether the action makes sense for the current selection."""
        if self._applicable[name] != applicable:
            self._applicable[name] = applicable
            self._refresh(name)

    def permitted_names(self) -> list[str]:
        return [spec.name for spec in ACTION_SPECS if self.permitted(spec.name)]

    def enabled_names(self) -> list[str]:
        return [spec.name for spec in ACTION_SPECS if self._actions[spec.name].isEnabled()]

    def _refresh_all(self) -> None:
        for spec in ACTION_SPECS:
            self._refresh(spec.name)

    def _refresh(self, name: str) -> None:
        spec = SPECS_BY_NAME[name]
        action = self._actions[name]
        permitted = self.permitted(name)
        applicable = self._applicable[name]
        action.setEnabled(permitted and applicable)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        keys = f" ({shortcut})" if shortcut else ""
        if not permitted and spec.permission is not None:
            needed = least_role(spec.permission).value
            action.setToolTip(f"Needs the {needed} role")
            action.setStatusTip(f"{spec.tip}: needs the {needed} role")
        elif not applicable and spec.needs:
            action.setToolTip(f"{spec.tip}{keys}: {spec.needs}")
            action.setStatusTip(spec.tip)
        else:
            action.setToolTip(f"{spec.tip}{keys}")
            action.setStatusTip(spec.tip)
