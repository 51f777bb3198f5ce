"""What LeanOps writes without a window on screen: ``leanops export`` (a floor table as CSV
or XLSX, with the window's columns) and ``leanops screenshot`` (a view rendered to PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from leanops_desktop import APP_NAME
from leanops_desktop.composition.kiosk import build_kiosk_for_screenshot
from leanops_desktop.composition.main_window import is_demo_database, missing_database_notice
from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, ConfigError, LeanOpsError
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.services.accounts.auth import sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.demo_plant import DEMO_USERS

if TYPE_CHECKING:
    from leanops_desktop.qt.models import RowTableModel


#: ``leanops export TABLE``: the tables of the main window.
EXPORT_TABLES = ("jobs", "stations", "assignments", "events")


def export_table(db: Database, table: str, out: Path, *, events: int = 10_000) -> int:
    """Write a whole floor table (the newest ``events`` events) to ``out`` as CSV or XLSX,
    with the columns and cells of the window's File ▸ Export; the number of rows written."""
    from leanops_desktop.qt.export import snapshot_model, write_table
    from leanops_desktop.qt.models import (
        AssignmentTableModel,
        EventTableModel,
        JobTableModel,
        StationTableModel,
    )
    from leanops_desktop.services.reads import history, queries, table_pages
    from leanops_desktop.services.table_files import format_of

    if table not in EXPORT_TABLES:
        raise ConfigError(f"unknown table {table!r}: choose one of {', '.join(EXPORT_TABLES)}")
    format_of(out)  # refuse a bad suffix before reading anything
    if QCoreApplication.instance() is None:
        QCoreApplication([APP_NAME])  # the models' timers need an application, not a display
    model: RowTableModel[Any]
    with db.session() as session:
        if table == "jobs":
            model = JobTableModel()
            model.set_rows(table_pages.all_jobs(session))
        elif table == "stations":
            model = StationTableModel()
            model.set_rows(queries.list_stations(session))
        elif table == "assignments":
            model = AssignmentTableModel()
            model.set_rows(queries.list_assignments(session))
        else:
            model = EventTableModel(max_rows=events)
            model.set_rows(history.list_events(session, limit=events))
    snapshot = snapshot_model(model)
    model.deleteLater()  # its timers go with it, before the command's process ends
    del model
    return write_table(out, snapshot, title=table.capitalize())


def take_screenshot(
    out: Path,
    view: str,
    url: str,
    config: SiteConfig,
    station: str | None,
    size: tuple[int, int],
    *,
    line: str | None = None,
    page: str | None = None,
) -> None:
    """``leanops screenshot``: render ``view`` at ``size`` pixels into the PNG file ``out``
    (a kiosk ``page`` of the demo plant's enrolled kiosk: ``kiosk_screens``)."""
    from leanops_desktop.qt import screenshot

    screenshot.check_view(view)
    app = screenshot.offscreen_application(config.theme)
    if view == "login":
        demo = is_demo_database(url) or _has_demo_accounts(url)
        screenshot.save_login(app, url, DEMO_USERS if demo else (), size, out)
        return
    if view == "kiosk":
        station = station or config.kiosk_station or _first_active_station(url)
        if page is not None:
            from leanops_desktop.composition.kiosk_screens import build_kiosk_page

            screenshot.save(app, build_kiosk_page(app, url, config, station, page, size), out)
            return
        screenshot.save(app, build_kiosk_for_screenshot(url, config, station, size), out)
        return
    if view == "board":
        save_board(app, url, config, line, size, out)
        return
    signed_in = _sign_in_for_screenshot(url)
    try:
        screenshot.save_main(app, signed_in, config, size, out)
    finally:
        signed_in.db.dispose()


def save_board(
    app: Any, url: str, config: SiteConfig, line: str | None, size: tuple[int, int], out: Path
) -> None:
    """The production board at ``size``, read once (no live feed)."""
    from leanops_desktop.composition.board import build_board, open_board_database
    from leanops_desktop.qt import screenshot

    db = open_board_database(url)
    try:
        widget = build_board(db, config, line, live=False)
        widget.resize(*size)
        screenshot.save(app, widget, out)
    finally:
        db.dispose()


def _first_active_station(url: str) -> str:
    """The first active station (by line, then id), as ``--station``'s help promises."""
    from leanops_desktop.qt.models.presentation import natural_key
    from leanops_desktop.services.reads.queries import list_stations

    ask = "which station? pass --station ST-01 for the kiosk view"
    if missing_database_notice(url):
        raise ConfigError(f"{ask} (there is no database at {url})")
    db = open_database(url)
    try:
        with db.session() as session:
            rows = list_stations(session)
    except LeanOpsError as error:
        raise ConfigError(f"{ask} (the stations could not be read: {error})") from error
    except Exception as error:  # not a LeanOps database, unreachable server
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"{ask} (the stations could not be read: {first})") from error
    finally:
        db.dispose()
    active = sorted(
        (row for row in rows if row.is_active),
        key=lambda row: (natural_key(row.line), natural_key(row.id)),
    )
    if not active:
        raise ConfigError(f"{ask} (the database has no active station)")
    return active[0].id


def _has_demo_accounts(url: str) -> bool:
    try:
        signed = sign_in(url, DEMO_USERS[1][0], DEMO_USERS[1][2])
    except LeanOpsError:
        return False
    signed.db.dispose()
    return True


def _sign_in_for_screenshot(url: str) -> SignedIn:
    """The demo supervisor when the database has the demo accounts, else a read-only viewer."""
    email, _role, password = DEMO_USERS[1]
    try:
        return sign_in(url, email, password)
    except AuthenticationFailed:
        pass
    db = open_database(url)
    return SignedIn(db=db, actor=Actor(email="screenshot", role=Role.SUPERVISOR))
