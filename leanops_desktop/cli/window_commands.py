"""The commands that open a window: the supervisor's app, the station kiosk and an
offscreen screenshot of either."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from leanops_desktop.cli.command import Subparsers
from leanops_desktop.cli.database import checked_url, database_url
from leanops_desktop.cli.demo_commands import prepare_demo_database
from leanops_desktop.cli.failures import EXIT_ERROR
from leanops_desktop.config import SiteConfig, resolve_database_url
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.qt.platform_libs import display_problem


def add_kiosk_parser(commands: Subparsers) -> argparse.ArgumentParser:
    """``leanops kiosk`` (its enrol and revoke actions are added by ``kiosk_commands``)."""
    kiosk = commands.add_parser("kiosk", help="open the full-screen station kiosk")
    kiosk.add_argument("--station", help="station id, e.g. ST-01 (default: leanops.toml)")
    kiosk.add_argument("--windowed", action="store_true", help="not full screen (testing)")
    kiosk.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
    kiosk.set_defaults(handler=run_kiosk, takes_demo=True)
    return kiosk


def add_screenshot_parser(commands: Subparsers) -> None:
    """``leanops screenshot``."""
    shot = commands.add_parser("screenshot", help="render a window offscreen to a PNG and exit")
    shot.add_argument("out", type=Path, help="the PNG file to write")
    shot.add_argument("--view", choices=["main", "login", "kiosk", "board"], default="main")
    shot.add_argument("--line", help="board: this production line only")
    shot.add_argument(
        "--theme", choices=["light", "dark", "high-contrast"], help="default: leanops.toml"
    )
    shot.add_argument("--station", help="kiosk station (default: the first active one)")
    shot.add_argument("--size", default="1600x900", help="WIDTHxHEIGHT")
    shot.add_argument(
        "--page",
        choices=[
            *("sign-in", "pin", "offline", "blocked", "confirm-count", "complete", "scrap"),
            *("scrapped", "stop", "stop-reason"),
        ],
        help="a page of the enrolled kiosk (--view kiosk, on the demo plant)",
    )
    shot.add_argument(
        "--database", metavar="URL", default=argparse.SUPPRESS, help="default: a fresh demo plant"
    )
    shot.set_defaults(handler=screenshot, takes_demo=True)


def display_refusal() -> int | None:
    """Exit status 2 with the reason on stderr when no window can open here (no display,
    or Qt's platform plugin lacks system libraries); None when the window may open."""
    problem = display_problem()
    if problem is None:
        return None
    print(f"leanops: {problem}", file=sys.stderr, flush=True)
    return EXIT_ERROR


def open_view_database(args: argparse.Namespace, config: SiteConfig) -> str | int:
    """The database a view opens (a fresh demo plant with ``--demo``), or exit status 2 when
    no window can open here. A malformed database URL is refused first, and nothing is
    made (no demo file) before the display is known to work."""
    url = None if getattr(args, "demo", False) else checked_url(database_url(args, config))
    refused = display_refusal()
    if refused is not None:
        return refused
    if url is None:
        url = prepare_demo_database()
        print(f"demo plant: {url}", flush=True)
    return url


def run_app(args: argparse.Namespace, config: SiteConfig) -> int:
    url = open_view_database(args, config)
    if isinstance(url, int):
        return url
    from leanops_desktop.app import run_main_window

    return run_main_window(url, config, demo=args.demo)


def screenshot(args: argparse.Namespace, config: SiteConfig) -> int:
    import tempfile

    from leanops_desktop.app import take_screenshot
    from leanops_desktop.qt.screenshot import parse_size

    size = parse_size(args.size)
    if display_problem() is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture needs no screen: never abort
    if args.theme:
        config = replace(config, theme=args.theme)
    url = getattr(args, "database", None)
    if args.demo:
        url = None  # the default: a fresh demo plant of its own
    if url is not None:
        url = checked_url(resolve_database_url(url, config))  # refuses --database ''
    else:
        url = prepare_demo_database(Path(tempfile.mkdtemp(prefix="leanops-shot-")) / "demo.db")
    if args.page is not None and args.view != "kiosk":
        raise ConfigError("--page is for --view kiosk")
    take_screenshot(
        args.out, args.view, url, config, args.station, size, line=args.line, page=args.page
    )
    print(args.out)
    return 0


def run_kiosk(args: argparse.Namespace, config: SiteConfig) -> int:
    """The kiosk of the station this PC is enrolled for (``--station`` or ``[kiosk] station``
    picks one when it is enrolled for several); the demo plant enrols itself."""
    refused = display_refusal()
    if refused is not None:
        return refused
    from leanops_desktop.services.kiosk.kiosk_start import start_kiosk

    station = args.station or config.kiosk_station
    explicit = getattr(args, "database", None)
    if explicit is not None:  # the enrolment names the database; a wrong one is refused
        explicit = checked_url(resolve_database_url(explicit, config))
    directory = None
    if args.demo:
        directory = _enrol_demo_kiosk(station or "ST-01")
    start = start_kiosk(station, directory)
    if explicit is not None and not same_database(explicit, start.enrolment.database):
        start.device.close()
        raise ConfigError(
            f"this PC is the kiosk of {start.station_id} on {start.enrolment.database}, not on"
            " the --database given: enrol it for that database, or leave --database out"
        )
    if not start.online:
        print(f"leanops: starting offline ({start.message})", file=sys.stderr, flush=True)
    from leanops_desktop.app import run_enrolled_kiosk

    return run_enrolled_kiosk(start, config, windowed=args.windowed)


def same_database(first: str, second: str) -> bool:
    """Whether two URLs name the same database (whoever signs in)."""
    from leanops_desktop.db.engine import normalize_url

    a, b = normalize_url(first), normalize_url(second)
    where = ("host", "port", "database")
    return a.get_backend_name() == b.get_backend_name() and all(
        getattr(a, part) == getattr(b, part) for part in where
    )


def _enrol_demo_kiosk(station: str) -> Path:
    """A fresh demo plant with ``station``'s kiosk enrolled in the demo's own folder."""
    import shutil

    from leanops_desktop.config import user_data_dir
    from leanops_desktop.services.kiosk.demo_kiosk import enrol_demo_kiosk

    url = prepare_demo_database()
    print(f"demo plant: {url}", flush=True)
    directory = user_data_dir() / "demo-kiosk"
    shutil.rmtree(directory, ignore_errors=True)  # the last demo's device and cache
    enrol_demo_kiosk(url, station, directory)
    return directory
