"""Site configuration (``leanops.toml``) and where LeanOps keeps its files.

Lookup order for the file: ``$LEANOPS_CONFIG``; ``leanops.toml`` next to the executable
(where the installer puts it); the user's config folder; the machine's config folder. The
first file found is used. Database URL precedence: ``--database`` > ``$LEANOPS_DATABASE_URL`` >
the file > a SQLite file in the user data folder. A password in the file is refused:
passwords are typed at sign-in.
"""

from __future__ import annotations

import codecs
import difflib
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
DEFAULT_BACKUP_KEEP = 14
#: Every section of ``leanops.toml`` and its keys (docs/config.md).
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "database": ("url", "supabase_project"),
    "kiosk": ("station", "idle_sign_out_minutes", "block_reasons", "start_next_job"),
    "ui": ("theme",),
    "shifts": ("starts",),
    "backup": ("folder", "keep"),
    "board": ("cycle_seconds",),
    "andon": ("blocked_minutes", "silent_minutes"),
    "downtime": ("quiet_minutes",),
}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything ``leanops.toml`` can set, with defaults for a single PC."""

    database_url: str | None = None
    #: Supabase's pooler: the project reference LeanOps adds to every user name.
    supabase_project: str | None = None
    kiosk_station: str | None = None
    idle_sign_out_minutes: int = 10
    theme: str = "light"
    shift_starts: tuple[time, ...] = DEFAULT_SHIFT_STARTS
    block_reasons: tuple[str, ...] = DEFAULT_BLOCK_REASONS
    #: The one-PC plant's daily automatic backup: its folder (None: off) and how many to keep.
    backup_folder: Path | None = None
    backup_keep: int = DEFAULT_BACKUP_KEEP
    #: [board] cycle_seconds: how long the production board shows a page before the next.
    board_cycle_seconds: int = 15
    #: [andon] blocked_minutes / silent_minutes: when a block, or a running station that
    #: reports nothing, becomes an alert.
    andon_blocked_minutes: int = 10
    andon_silent_minutes: int = 20
    #: ``[kiosk] start_next_job``: operators may start the next job of the queue at a kiosk.
    kiosk_start_next_job: bool = False
    #: ``[downtime] quiet_minutes``: the plant's quiet limit seeded into the database on
    #: first start: a running station quiet that long gets an automatic stop (0: off).
    downtime_quiet_minutes: int = 20
    source: Path | None = field(default=None, compare=False)
    #: Sections and keys of the file that LeanOps does not know (misspelt, or from another
    #: version), each with the closest known name; they are ignored.
    unknown: tuple[str, ...] = field(default=(), compare=False)

    def unknown_names_line(self) -> str | None:
        """One line naming the unknown sections and keys, or None when there are none."""
        if not self.unknown:
            return None
        where = str(self.source) if self.source else "the site config"
        return f"{where}: " + "; ".join(self.unknown)


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
                if Path(explicit).expanduser().exists():
                    raise ConfigError(f"LEANOPS_CONFIG names {explicit}, which is not a file")
                raise ConfigError(f"LEANOPS_CONFIG names {explicit}, which does not exist")
            return SiteConfig()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(decode_config_text(raw))
    except UnicodeDecodeError:
        raise ConfigError(
            f"cannot read {path}: it is not text in UTF-8 or UTF-16 (save it as UTF-8)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return parse_config(data, source=path)


def decode_config_text(raw: bytes) -> str:
    """The file's text: UTF-8 with or without a byte order mark, or UTF-16 with one (what
    Windows Notepad writes as "Unicode"); raises UnicodeDecodeError for anything else."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")  # the BOM tells the byte order and is dropped
    return raw.decode("utf-8")


def unknown_names(data: dict[str, Any]) -> tuple[str, ...]:
    """What in the file LeanOps does not know, each with the closest known name."""
    found: list[str] = []
    every_key = [(section, key) for section, keys in KNOWN_KEYS.items() for key in keys]
    for name, value in data.items():
        if name in KNOWN_KEYS:
            if isinstance(value, dict):
                for key in value:
                    if key not in KNOWN_KEYS[name]:
                        found.append(f"unknown key {key!r} in [{name}]{_hint(key, name)}")
            continue
        if isinstance(value, dict):
            close = difflib.get_close_matches(name, list(KNOWN_KEYS), n=1, cutoff=0.6)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            found.append(f"unknown section [{name}]{hint}")
        else:
            owners = [section for section, key in every_key if key == name]
            hint = f" (did you mean {name} in [{owners[0]}]?)" if owners else ""
            if not owners:
                hint = _hint(name, None)
            found.append(f"unknown key {name!r} outside any section{hint}")
    return tuple(found)


def _hint(key: str, section: str | None) -> str:
    """`` (did you mean X?)`` for the closest known key: in ``section`` first, then anywhere."""
    if section is not None:
        close = difflib.get_close_matches(key, list(KNOWN_KEYS[section]), n=1, cutoff=0.6)
        if close:
            return f" (did you mean {close[0]}?)"
    by_key: dict[str, str] = {}
    for other, keys in KNOWN_KEYS.items():
        for known in keys:
            if other != section:
                by_key.setdefault(known, f"{known} in [{other}]")
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    return f" (did you mean {by_key[close[0]]}?)" if close else ""


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
    project = _supabase_project(database.get("supabase_project"), where)
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
    start_next = kiosk.get("start_next_job", False)
    if not isinstance(start_next, bool):
        raise ConfigError(f"{where}: [kiosk] start_next_job must be true or false")
    theme = ui.get("theme", "light")
    if theme not in ("light", "dark", "high-contrast"):
        raise ConfigError(f"{where}: [ui] theme must be light, dark or high-contrast")
    starts = shifts.get("starts", [start.strftime("%H:%M") for start in DEFAULT_SHIFT_STARTS])
    backup_folder, backup_keep = _backup(_table(data, "backup", where), where)
    return SiteConfig(
        database_url=url,
        supabase_project=project,
        kiosk_station=station,
        idle_sign_out_minutes=idle,
        theme=theme,
        shift_starts=_shift_starts(starts, where),
        block_reasons=tuple(reason.strip() for reason in reasons),
        backup_folder=backup_folder,
        backup_keep=backup_keep,
        board_cycle_seconds=_minutes(data, "board", "cycle_seconds", 15, where, 3600),
        andon_blocked_minutes=_minutes(data, "andon", "blocked_minutes", 10, where, 24 * 60),
        andon_silent_minutes=_minutes(data, "andon", "silent_minutes", 20, where, 24 * 60),
        kiosk_start_next_job=start_next,
        downtime_quiet_minutes=_quiet_minutes(_table(data, "downtime", where), where),
        source=source,
        unknown=unknown_names(data),
    )


def _minutes(
    data: dict[str, Any], section: str, key: str, default: int, where: str, most: int
) -> int:
    """A whole number from 1 to ``most`` in ``[section] key`` (minutes or seconds)."""
    value = _table(data, section, where).get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ConfigError(f"{where}: [{section}] {key} must be a whole number from 1 to {most}")
    return value


def _quiet_minutes(downtime: dict[str, Any], where: str) -> int:
    """``[downtime] quiet_minutes``: a whole number from 0 (detection off) to 1440."""
    value = downtime.get("quiet_minutes", 20)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        raise ConfigError(
            f"{where}: [downtime] quiet_minutes must be a whole number from 0 (off) to 1440"
        )
    return value


def _table(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


def _backup(backup: dict[str, Any], where: str) -> tuple[Path | None, int]:
    folder = backup.get("folder")
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise ConfigError(f'{where}: [backup] folder must be a folder such as "D:/LeanOps backups"')
    keep = backup.get("keep", DEFAULT_BACKUP_KEEP)
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= 3650:
        raise ConfigError(f"{where}: [backup] keep must be a whole number from 1 to 3650")
    return (Path(folder.strip()).expanduser() if folder else None), keep


def _supabase_project(value: object, where: str) -> str | None:
    from leanops_desktop.db.supabase import check_project_ref

    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f'{where}: [database] supabase_project must be text such as "abcd1234"')
    return check_project_ref(value, f"{where}: [database] supabase_project")


def _refuse_password(url: str, where: str) -> None:
    from leanops_desktop.db.urls import parse_url

    if "://" not in url:
        return
    try:
        parsed = parse_url(url)  # a list of servers too
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None
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
    """The database to use: command line, environment, site config, or the default file.

    ``--database ''`` is refused rather than taken as "not given": it would silently open
    the default file instead of the one the caller meant to name.
    """
    if cli_value is not None and not cli_value.strip():
        raise ConfigError("--database is empty: name a SQLite file or a postgresql:// URL")
    from leanops_desktop.db.supabase import with_project_ref

    for value in (cli_value, os.environ.get("LEANOPS_DATABASE_URL"), config.database_url):
        if value:
            return with_project_ref(value, config.supabase_project)
    return f"sqlite:///{default_database_path()}"
