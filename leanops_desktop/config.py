"""Site configuration (``leanops.toml``) and where LeanOps keeps its files.

Lookup order for the file: ``$LEANOPS_CONFIG``; ``leanops.toml`` next to the executable
(where the installer puts it); the user's config folder; the machine's config folder. The
first file found is used. Database URL precedence: ``--database`` > ``$LEANOPS_DATABASE_URL`` >
the file > a SQLite file in the user data folder. A password in the file is refused:
passwords are typed at sign-in.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import platformdirs

from leanops_desktop.core.errors import ConfigError

APP_DIR_NAME = "LeanOps"
CONFIG_NAME = "leanops.toml"
DEFAULT_BLOCK_REASONS = (
    "changeover",
    "maintenance",
    "material",
    "no operator",
    "quality",
    "tooling",
    "other",
)
DEFAULT_SHIFT_STARTS = (time(6), time(14), time(22))


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything ``leanops.toml`` can set, with defaults for a single PC."""

    database_url: str | None = None
    kiosk_station: str | None = None
    idle_sign_out_minutes: int = 10
    theme: str = "light"
    shift_starts: tuple[time, ...] = DEFAULT_SHIFT_STARTS
    block_reasons: tuple[str, ...] = DEFAULT_BLOCK_REASONS
    source: Path | None = field(default=None, compare=False)


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def default_database_path() -> Path:
    return user_data_dir() / "leanops.db"


def demo_database_path() -> Path:
    return user_data_dir() / "leanops-demo.db"


def executable_dir() -> Path:
    """Folder of the installed program (the frozen executable, or the launcher script)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else Path.cwd()


def candidate_paths() -> list[Path]:
    """Where ``leanops.toml`` is looked for, first match wins."""
    paths: list[Path] = []
    explicit = os.environ.get("LEANOPS_CONFIG")
    if explicit:
        paths.append(Path(explicit).expanduser())
    paths.append(executable_dir() / CONFIG_NAME)
    paths.append(Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)) / CONFIG_NAME)
    paths.append(Path(platformdirs.site_config_dir(APP_DIR_NAME, appauthor=False)) / CONFIG_NAME)
    return paths


def load_config(path: Path | None = None) -> SiteConfig:
    """Read the site config (the first file found), or the defaults when there is none."""
    if path is None:
        explicit = os.environ.get("LEANOPS_CONFIG")
        for candidate in candidate_paths():
            if candidate.is_file():
                path = candidate
                break
        else:
            if explicit:
                raise ConfigError(f"LEANOPS_CONFIG names {explicit}, which does not exist")
            return SiteConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return parse_config(data, source=path)


def parse_config(data: dict[str, Any], source: Path | None = None) -> SiteConfig:
    """Check and convert the TOML tables into a :class:`SiteConfig`."""
    where = str(source) if source else "the site config"
    database = _table(data, "database", where)
    kiosk = _table(data, "kiosk", where)
    ui = _table(data, "ui", where)
    shifts = _table(data, "shifts", where)
    url = database.get("url")
    if url is not None:
        if not isinstance(url, str):
            raise ConfigError(f"{where}: [database] url must be text")
        _refuse_password(url, where)
    station = kiosk.get("station")
    if station is not None and not isinstance(station, str):
        raise ConfigError(f'{where}: [kiosk] station must be text such as "ST-01"')
    idle = kiosk.get("idle_sign_out_minutes", 10)
    if isinstance(idle, bool) or not isinstance(idle, int) or not 1 <= idle <= 24 * 60:
        raise ConfigError(f"{where}: [kiosk] idle_sign_out_minutes must be 1 to 1440")
    reasons = kiosk.get("block_reasons", list(DEFAULT_BLOCK_REASONS))
    if (
        not isinstance(reasons, list)
        or not reasons
        or not all(isinstance(reason, str) and reason.strip() for reason in reasons)
    ):
        raise ConfigError(f"{where}: [kiosk] block_reasons must be a list of texts")
    theme = ui.get("theme", "light")
    if theme not in ("light", "dark", "high-contrast"):
        raise ConfigError(f"{where}: [ui] theme must be light, dark or high-contrast")
    starts = shifts.get("starts", [start.strftime("%H:%M") for start in DEFAULT_SHIFT_STARTS])
    return SiteConfig(
        database_url=url,
        kiosk_station=station,
        idle_sign_out_minutes=idle,
        theme=theme,
        shift_starts=_shift_starts(starts, where),
        block_reasons=tuple(reason.strip() for reason in reasons),
        source=source,
    )


def _table(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


def _refuse_password(url: str, where: str) -> None:
    from sqlalchemy.engine import make_url

    if "://" not in url:
        return
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"{where}: cannot read the database url: {exc}") from None
    if parsed.password:
        raise ConfigError(
            f"{where}: remove the password from the database url; "
            "LeanOps asks for it at sign-in and never stores it"
        )


def _shift_starts(values: object, where: str) -> tuple[time, ...]:
    if not isinstance(values, list) or not values:
        raise ConfigError(f'{where}: [shifts] starts must be a list such as ["06:00", "14:00"]')
    starts: list[time] = []
    for value in values:
        try:
            starts.append(time.fromisoformat(str(value)))
        except ValueError:
            raise ConfigError(f"{where}: [shifts] {value!r} is not a time like 06:00") from None
    if len(set(starts)) != len(starts):
        raise ConfigError(f"{where}: [shifts] starts repeat a time")
    return tuple(sorted(starts))


def resolve_database_url(cli_value: str | None, config: SiteConfig) -> str:
    """The database to use: command line, environment, site config, or the default file."""
    for value in (cli_value, os.environ.get("LEANOPS_DATABASE_URL"), config.database_url):
        if value:
            return value
    return f"sqlite:///{default_database_path()}"
