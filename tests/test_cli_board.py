"""``leanops board enroll`` and the board as the enrolled login, end to end through the
command line on PostgreSQL: what the admin types in docs/deploy.md."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy.engine import make_url

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.services.accounts import users
from tests.test_cli import leanops

PASSWORD = "Board-Admin-Pw-71c"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_admin_enrols_a_board_and_the_board_shows_with_that_login_only(
    db: Database, db_url: str, admin: Actor, tmp_path: Path
) -> None:
    email = f"ada-{tmp_path.name[-8:].lower()}@plant.test"
    with db.session() as session:
        users.add_user(session, admin, email=email, role="admin", password=PASSWORD)
    home = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}

    missing = leanops(
        "screenshot", str(tmp_path / "no.png"), "--view", "board", "--database", db_url, env=home
    )
    assert missing.returncode == 2 and "leanops board enroll" in missing.stderr

    enrolled = leanops(
        "board",
        "enroll",
        "--admin",
        email,
        "--password-stdin",
        "--database",
        db_url,
        stdin=PASSWORD + "\n",
        env=home,
    )
    assert enrolled.returncode == 0, enrolled.stderr
    assert "as a read-only production board" in enrolled.stdout
    (credential,) = (tmp_path / "config" / "LeanOps" / "board").glob("board-*.json")
    assert stat.S_IMODE(credential.stat().st_mode) == 0o600
    text = credential.read_text()
    assert PASSWORD not in text and email not in text  # nothing of the admin who enrolled
    server_password = make_url(db_url).password
    assert server_password is None or server_password not in text

    out = tmp_path / "board.png"
    shot = leanops(
        "screenshot",
        str(out),
        "--view",
        "board",
        "--size",
        "1920x1080",
        "--database",
        db_url,
        env=home,
    )
    assert shot.returncode == 0, shot.stderr
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (1920, 1080)

    refused = leanops(
        "board",
        "enroll",
        "--admin",
        email,
        "--password-stdin",
        "--database",
        db_url,
        stdin="wrong\n",
        env=home,
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_a_board_of_a_missing_file_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = leanops(
        "board", "--windowed", "--database", str(missing), env={"QT_QPA_PLATFORM": "offscreen"}
    )
    assert result.returncode == 2 and "There is no LeanOps database" in result.stderr
    assert list(tmp_path.iterdir()) == []
