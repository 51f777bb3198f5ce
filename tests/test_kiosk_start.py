"""Starting a kiosk from its enrolment: refused plainly when this PC is not the kiosk of the
station, offline (not refused) when the server is away, the demo enrolling itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db.engine import Database
from leanops_desktop.services.kiosk import kiosk_devices, operator_sign_in
from leanops_desktop.services.kiosk.demo_kiosk import DEMO_CREDENTIALS, enrol_demo_kiosk
from leanops_desktop.services.kiosk.kiosk_devices import Enrolment
from leanops_desktop.services.kiosk.kiosk_start import pick_station, start_kiosk
from leanops_desktop.services.kiosk.operator_credentials import Method
from tests.factories import make_station
from tests.test_cli import leanops


def test_not_enrolled_names_the_enrol_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"leanops kiosk enroll --station ST-01"):
        start_kiosk("ST-01", tmp_path / "nothing")
    with pytest.raises(ConfigError, match=r"not enrolled as a kiosk.*kiosk enroll --station"):
        pick_station(None, tmp_path / "nothing")


def test_an_unknown_station_is_refused_naming_the_enrolled_one(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    make_station(db, admin, "ST-01")
    with db.session() as session:
        kiosk_devices.save_enrolment(kiosk_devices.enrol_kiosk(session, admin, "ST-01"), tmp_path)
    with pytest.raises(ConfigError, match=r"unknown station ST-99: this PC is the kiosk of ST-01"):
        start_kiosk("ST-99", tmp_path)
    with pytest.raises(ConfigError, match=r"is not a station id"):
        start_kiosk("ST 01; DROP", tmp_path)
    started = start_kiosk(None, tmp_path)  # the only enrolment
    try:
        assert started.station_id == "ST-01" and started.online
    finally:
        started.device.close()


@pytest.mark.postgres
def test_the_kiosk_starts_offline_when_the_server_is_away(tmp_path: Path) -> None:
    enrolment = Enrolment("kiosk-gone", "x" * 43, "ST-01", "postgresql+psycopg://127.0.0.1:9/plant")
    kiosk_devices.save_enrolment(enrolment, tmp_path)
    started = start_kiosk("ST-01", tmp_path)
    try:
        assert not started.online and "no connection" in started.message
    finally:
        started.device.close()


def test_the_cli_refuses_with_exit_2(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    result = leanops("kiosk", "--station", "ST-01", env=env)
    assert result.returncode == 2, result.stderr
    assert "leanops kiosk enroll --station ST-01" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_kiosk_enrols_itself_with_pins_and_badges(tmp_path: Path) -> None:
    from leanops_desktop.cli.demo_commands import prepare_demo_database

    url = prepare_demo_database(tmp_path / "demo.db")
    enrol_demo_kiosk(url, "ST-01", tmp_path / "kiosk")
    started = start_kiosk("ST-01", tmp_path / "kiosk")
    try:
        for email, pin, badge in DEMO_CREDENTIALS:
            by_pin = operator_sign_in.sign_in(started.device, Method.PIN, pin, email)
            by_badge = operator_sign_in.sign_in(started.device, Method.BADGE, badge.lower())
            assert by_pin.email == by_badge.email == email
    finally:
        started.device.close()


def test_the_kiosk_pages_render_for_screenshots(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "confirm.png"
    result = leanops(
        "screenshot", str(out), "--view", "kiosk", "--station", "ST-02",
        "--size", "1024x768", "--page", "confirm-count",
        env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 768)
    wrong = leanops("screenshot", str(out), "--view", "main", "--page", "pin")
    assert wrong.returncode == 2 and "--page is for --view kiosk" in wrong.stderr


def test_a_database_other_than_the_enrolments_is_refused(
    db: Database, db_url: str, admin: Actor, tmp_path: Path, backend: str
) -> None:
    if backend == "postgresql":
        pytest.skip("the CLI check is the same for both: SQLite is enough")
    make_station(db, admin, "ST-01")
    config = tmp_path / "config"
    with db.session() as session:
        enrolment = kiosk_devices.enrol_kiosk(session, admin, "ST-01")
    kiosk_devices.save_enrolment(enrolment, config / "LeanOps" / "kiosk")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = leanops(
        "kiosk", "--station", "ST-01", "--database", other,
        env={"XDG_CONFIG_HOME": str(config), "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "this PC is the kiosk of ST-01 on" in result.stderr and "not on" in result.stderr
