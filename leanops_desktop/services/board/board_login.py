"""The production board's own PostgreSQL login: read-only, kept on the TV's PC.

An admin runs ``leanops board enroll`` once on the PC that drives the TV, under the OS
account the board will run as: they sign in with their own email and password, the database
makes a LOGIN role ``board-<10 hex>@<plant>`` with a random 43-character password in the
plant's board group (migration 0013: SELECT on what the board shows, nothing else), and its
credential is written where only this OS account can read it (mode 0600 in the platform's
config folder, ``board/``). ``leanops board`` then opens the database with it. On SQLite
(one PC) the board needs no login: it opens the file and only reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.db.engine import Database, normalize_url, open_database, write_transaction
from leanops_desktop.db.seats import BOARD
from leanops_desktop.services.accounts.pg_users import call, scram_verifier

APP_DIR = "LeanOps"


@dataclass(frozen=True, slots=True)
class BoardCredential:
    """What the board's PC keeps: its login, its secret and its database."""

    login: str
    password: str = field(repr=False)
    database: str  # the URL without user or password

    def url(self) -> URL:
        return normalize_url(self.database).set(username=self.login, password=self.password)


def _plain_database(url: str | URL) -> str:
    """``url`` without user and password (``URL.set`` would keep them: None means "keep")."""
    target = normalize_url(url) if isinstance(url, str) else url
    return target._replace(username=None, password=None).render_as_string(hide_password=False)


def enroll_board(session: Session, actor: Actor) -> BoardCredential:
    """Make a read-only board login (admins, PostgreSQL); its password is random."""
    require(actor, Action.MANAGE_USERS)
    if session.get_bind().dialect.name != "postgresql":
        raise ConfigError("a board on SQLite needs no login: run 'leanops board' on that PC")
    password = secrets.token_urlsafe(32)
    with write_transaction(session):
        login = call(session, "leanops_enroll_board", verifier=scram_verifier(password))
    return BoardCredential(str(login), password, _plain_database(session.get_bind().engine.url))


def credential_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False)) / "board"


def credential_path(database: str, directory: Path | None = None) -> Path:
    """One file per database this PC shows a board of."""
    key = hashlib.sha256(_plain_database(database).encode()).hexdigest()[:12]
    return (directory or credential_dir()) / f"board-{key}.json"


def save_board_credential(credential: BoardCredential, directory: Path | None = None) -> Path:
    """Write the credential readable by this OS account only (0600); returns the path."""
    path = credential_path(credential.database, directory)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body: dict[str, Any] = {
        "login": credential.login,
        "password": credential.password,
        "database": credential.database,
    }
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def load_board_credential(database: str, directory: Path | None = None) -> BoardCredential:
    """This PC's board credential for ``database``; ConfigError when missing or exposed."""
    path = credential_path(database, directory)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(
            "this PC has no board login for that database: an admin runs"
            " 'leanops board enroll' on it (under this OS account)"
        ) from None
    if sys.platform != "win32" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} can be read by other accounts (mode {stat.S_IMODE(mode):o}):"
            " delete it and enrol the board again"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return BoardCredential(str(data["login"]), str(data["password"]), str(data["database"]))


def open_board(credential: BoardCredential, **engine_options: Any) -> Database:
    """The database as the board login, with a board's connection budget (db/seats.py)."""
    return open_database(credential.url(), **{"seat": BOARD, **engine_options})
