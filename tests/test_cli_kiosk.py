"""``leanops kiosk enroll|revoke`` and ``leanops user set-pin|set-badge`` on a SQLite plant."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from leanops_desktop.services.kiosk import kiosk_devices
from tests.test_cli import leanops


def test_enrol_set_pin_and_badge_then_revoke(tmp_path: Path) -> None:
    db = tmp_path / "plant.db"
    url = f"sqlite:///{db}"
    config_home = tmp_path / "home-config"
    env = {"XDG_CONFIG_HOME": str(config_home), "HOME": str(tmp_path)}
    assert leanops("db", "upgrade", "--database", url).returncode == 0
    added = leanops(
        "user", "add", "ada@plant.test", "--role", "admin", "--password-stdin",
        "--database", url, stdin="Admin-pw-1234\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    op = leanops(
        "user", "add", "olga@plant.test", "--role", "operator", "--password-stdin",
        "--database", url, stdin="Olga-pw-1234\n",
    )  # fmt: skip
    assert op.returncode == 0, op.stderr
    from leanops_desktop.core.actor import Actor
    from leanops_desktop.db.engine import open_database
    from tests.factories import make_station

    plant = open_database(url)
    try:
        make_station(plant, Actor.system(), "ST-01")
    finally:
        plant.dispose()

    wrong = leanops(
        "kiosk", "enroll", "--station", "ST-01", "--admin", "ada@plant.test",
        "--password-stdin", "--database", url, stdin="nope\n", env=env,
    )  # fmt: skip
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    enrolled = leanops(
        "kiosk", "enroll", "--station", "ST-01", "--admin", "ada@plant.test",
        "--password-stdin", "--database", url, stdin="Admin-pw-1234\n", env=env,
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    path = config_home / "LeanOps" / "kiosk" / "ST-01.json"
    assert str(path) in enrolled.stdout
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    enrolment = kiosk_devices.load_enrolment("ST-01", path.parent)
    kiosk_devices.open_device(enrolment).close()

    pin = leanops(
        "user", "set-pin", "olga@plant.test", "--pin-stdin", "--database", url, stdin="2580\n"
    )
    assert pin.returncode == 0 and "PIN of olga@plant.test set" in pin.stdout, pin.stderr
    bad = leanops(
        "user", "set-pin", "olga@plant.test", "--pin-stdin", "--database", url, stdin="12\n"
    )
    assert bad.returncode == 2 and "PIN" in bad.stderr
    badge = leanops("user", "set-badge", "olga@plant.test", "CARD-0042", "--database", url)
    assert badge.returncode == 0, badge.stderr

    cache = kiosk_devices.offline_cache_path("ST-01", path.parent)
    cache.write_text('{"entries": [], "pending": []}')  # sealed PIN entries live here
    revoked = leanops(
        "kiosk", "revoke", "--station", "ST-01", "--forget", "--database", url, env=env
    )
    assert revoked.returncode == 0 and enrolment.login in revoked.stdout, revoked.stderr
    assert not path.exists() and not cache.exists()
    again = leanops("kiosk", "revoke", "--station", "ST-01", "--database", url, env=env)
    assert again.returncode == 2 and "Traceback" not in again.stderr
