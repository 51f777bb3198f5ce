"""Health checks of a database that IT runs after installing (``leanops --self-check``).

Qt-free: the self-check (``qt/self_check.py``) prints their answers next to its Qt checks.
Each check returns a sentence on success and raises :class:`CheckFailed` with the sentence
to print otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.db.engine import Database, describe_url, normalize_url, open_database


class CheckFailed(Exception):
    """Raised inside a check with the sentence to print after ``FAIL name:``."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"


def check_database(url: str) -> tuple[Database, str]:
    """Open ``url`` and run ``SELECT 1``: the open database and what was found.

    A SQLite file must exist and be writable by this account.
    """
    target = normalize_url(url)
    where = describe_url(target)
    if target.get_backend_name() == "sqlite":
        path_text = target.database
        if not path_text or path_text == ":memory:":
            raise CheckFailed("an in-memory SQLite database holds nothing: name a file")
        path = Path(path_text)
        if not path.is_file():
            raise CheckFailed(
                f"{where} does not exist (not initialised): "
                "run 'leanops db upgrade' to create it, or point [database] url elsewhere"
            )
        if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK):
            raise CheckFailed(f"{where}: this account cannot write the file or its folder")
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    db = open_database(target)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        db.dispose()
        reason = _first_line(exc.orig) if exc.orig is not None else "no answer"
        hint = ""
        if "password" in reason.lower():
            hint = " (for this check set PGPASSWORD, or use a pgpass file)"
        raise CheckFailed(f"{where} is unreachable: {reason}{hint}") from None
    return db, f"{where} is reachable"


def check_schema(db: Database) -> str:
    """Whether ``db`` is at the newest migration this build knows (else how to get there)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from leanops_desktop.db import migrate

    current = migrate.current_revision(db)
    head = migrate.head_revision()
    if current == head:
        return f"at version {current} (the newest)"
    if current is None:
        raise CheckFailed(
            "the database is empty (not initialised): run 'leanops db upgrade' with the "
            "owner's account"
        )
    try:
        ScriptDirectory.from_config(migrate.alembic_config()).get_revision(current)
    except CommandError:
        raise CheckFailed(
            f"the database is at version {current}, newer than this {APP_NAME} "
            f"{__version__} knows ({head}): install the newer {APP_NAME}"
        ) from None
    raise CheckFailed(
        f"the database is at version {current}, {APP_NAME} {__version__} needs {head}: "
        "run 'leanops db upgrade' with the owner's account"
    )
