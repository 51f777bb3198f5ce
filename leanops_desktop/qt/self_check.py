"""``leanops --self-check``: what IT runs after installing, on a seat or in a frozen build.

One line per check (``ok   qt: ...`` / ``FAIL database: ...``), a summary line, and exit code
0 only when every check passed. The checks that need no display run first, so their lines are
printed even if Qt cannot start on this machine (Qt then aborts with its own message).

Checks: the site config that was used, the user data folder (outbox, settings, default SQLite
file), the database (reachable; a SQLite file must exist and be writable), the schema (at the
newest migration), the connections (how many this seat holds, the server reached and
whether it is the primary), the display (the system libraries of Qt's xcb plugin, read off
with ``ldd``; the install line when some are missing), Qt (offscreen when there is no
display), the resources (the icon renders, the stylesheet reads), the plots (pyqtgraph draws
with numpy) and the exports (an XLSX with a number and a date is written and read back with
openpyxl, a CSV is written).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.config import SiteConfig, candidate_paths, load_config, user_data_dir
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.services import health
from leanops_desktop.services.health import CheckFailed

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

OK = "ok"
FAIL = "FAIL"
SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check: its name, ``ok`` / ``FAIL`` / ``skip`` and what was found."""

    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def run_self_check(url: str, config: SiteConfig | None = None) -> int:
    """Run every check against the database ``url``, print one line each; 0 if all passed."""
    print(f"{APP_NAME} {__version__} self-check", flush=True)
    state = _DatabaseState()
    checks: list[tuple[str, Callable[[], str]]] = [
        ("config", lambda: _check_config(config)),
        ("storage", _check_storage),
        ("database", lambda: _check_database(url, state)),
        ("schema", lambda: _check_schema(state)),
        ("connections", lambda: _check_connections(state, config)),
        ("display", _check_display),
        ("qt", _check_qt),
        ("resources", _check_resources),
        ("plots", _check_plots),
        ("export", _check_export),
    ]
    results: list[CheckResult] = []
    try:
        for name, check in checks:
            result = _run(name, check)
            results.append(result)
            print(result.line(), flush=True)
    finally:
        if state.db is not None:
            state.db.dispose()
    failed = [result.name for result in results if result.status == FAIL]
    skipped = [result.name for result in results if result.status == SKIP]
    if failed or skipped:
        unchecked = f" (not checked: {', '.join(skipped)})" if skipped else ""
        print(f"self-check FAILED: {', '.join(failed)}{unchecked}", flush=True)
        return 1
    print(f"self-check passed ({len(results)} checks)", flush=True)
    return 0


def _run(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, OK, check())
    except _Skipped as skipped:
        return CheckResult(name, SKIP, str(skipped))
    except (CheckFailed, LeanOpsError) as exc:
        return CheckResult(name, FAIL, str(exc))
    except Exception as exc:  # a check must report, never print a traceback
        return CheckResult(name, FAIL, _describe_unexpected(exc))


class _Skipped(Exception):
    """The check cannot run because an earlier one failed."""


class _DatabaseState:
    """The database opened by the ``database`` check, reused by the ``schema`` check."""

    def __init__(self) -> None:
        self.db: Database | None = None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"


def _describe_unexpected(exc: BaseException) -> str:
    """Type and first line of the innermost cause (where a broken install shows itself)."""
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    return f"{type(root).__name__}: {_first_line(root)}"


# -- checks without Qt --------------------------------------------------------------------


def _check_config(config: SiteConfig | None) -> str:
    if config is None:
        config = load_config()
    if config.source is not None:
        if config.unknown:
            return f"{config.source} (ignored: {'; '.join(config.unknown)})"
        return f"{config.source}"
    looked = ", ".join(str(path) for path in candidate_paths())
    return f"no leanops.toml found, using the defaults (looked in {looked})"


def _check_storage() -> str:
    folder = user_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".self-check-"):
            pass
    except OSError as exc:
        raise CheckFailed(f"cannot write in the user data folder {folder}: {exc}") from None
    return f"user data folder {folder} is writable"


def _check_database(url: str, state: _DatabaseState) -> str:
    state.db, found = health.check_database(url)
    return found


def _check_schema(state: _DatabaseState) -> str:
    if state.db is None:
        raise _Skipped("not checked without a database")
    return health.check_schema(state.db)


def _check_connections(state: _DatabaseState, config: SiteConfig | None) -> str:
    """How many connections this seat holds, and the server reached (a primary?)."""
    from leanops_desktop.db.seats import KIOSK, WINDOW
    from leanops_desktop.services.seat_connections import (
        ReachedStandby,
        describe_seat_connections,
    )

    if state.db is None:
        raise _Skipped("not checked without a database")
    seat = KIOSK if config is not None and config.kiosk_station else WINDOW
    try:
        return describe_seat_connections(state.db, seat)
    except ReachedStandby as standby:
        raise CheckFailed(str(standby)) from None


# -- checks with Qt -----------------------------------------------------------------------


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if not sys.platform.startswith("linux"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _check_display() -> str:
    """Whether a window can open here: the xcb plugin's libraries, read off with ``ldd``.

    When they are missing the later Qt checks run offscreen, so they still report."""
    from leanops_desktop.qt.platform_libs import requested_platforms, xcb_status

    usable, found = xcb_status()
    if requested_platforms(os.environ) is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display: Qt would abort on xcb
    if not usable:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # Qt would abort on xcb
        raise CheckFailed(found)
    return found


def _check_qt() -> str:
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import PySide6
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "leanops"])
    if not isinstance(app, QApplication):
        raise CheckFailed("a Qt application without widgets is already running in this process")
    label = QLabel(APP_NAME)
    label.resize(120, 30)
    if label.grab().isNull():
        raise CheckFailed(f"Qt {qVersion()} started but cannot draw a widget")
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}, platform {app.platformName()}"


def _check_resources() -> str:
    from PySide6.QtGui import QIcon

    from leanops_desktop.qt.theme.resources import resource_path, resources_dir

    icon_file = resource_path("icons", "leanops.svg")
    stylesheet = resource_path("themes", "base.qss")
    for path in (icon_file, stylesheet):
        if not path.is_file():
            raise CheckFailed(f"{path} is missing")
        if not path.read_bytes().strip():
            raise CheckFailed(f"{path} is empty")
    icon = QIcon(str(icon_file))
    if icon.isNull() or icon.pixmap(64, 64).isNull():
        raise CheckFailed(f"{icon_file} does not render (is the SVG icon plugin missing?)")
    return f"icon and stylesheet load from {resources_dir()}"


def _check_plots() -> str:
    import numpy
    import pyqtgraph

    widget = pyqtgraph.PlotWidget()
    try:
        widget.resize(160, 100)
        widget.plot(numpy.arange(5.0), numpy.array([1.0, 3.0, 2.0, 4.0, 3.0]))
        if widget.grab().isNull():
            raise CheckFailed("pyqtgraph cannot draw a plot")
    finally:
        widget.deleteLater()
    return f"pyqtgraph {pyqtgraph.__version__}, numpy {numpy.__version__}"


# -- exports ------------------------------------------------------------------------------


def _check_export() -> str:
    from datetime import date

    from leanops_desktop.services.table_files import (
        TableSnapshot,
        openpyxl_module,
        write_table,
    )

    openpyxl = openpyxl_module()
    table = TableSnapshot(["Job", "Done", "Due"], [["SELF-CHECK", 1200, date(2026, 3, 29)]])
    with tempfile.TemporaryDirectory(prefix="leanops-self-check-") as folder:
        xlsx = Path(folder) / "check.xlsx"
        write_table(xlsx, table)
        write_table(Path(folder) / "check.csv", table)
        workbook = openpyxl.load_workbook(xlsx)
        try:
            sheet = workbook.active
            done, due = sheet["B2"], sheet["C2"]
            if done.value != 1200 or done.data_type != "n" or not due.is_date:
                raise CheckFailed(f"the XLSX read back wrong: {done.value!r}, {due.value!r}")
        finally:
            workbook.close()
    return f"XLSX (openpyxl {openpyxl.__version__}) and CSV are written and read back"
