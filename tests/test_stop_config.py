"""``[downtime] quiet_minutes``: read from leanops.toml, and seeded as the plant's quiet
limit when the database is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from leanops_desktop.config import load_config, parse_config
from leanops_desktop.core.errors import ConfigError
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.downtime import limits


def test_quiet_minutes_default_zero_and_bad_values() -> None:
    assert parse_config({}).downtime_quiet_minutes == 20
    assert parse_config({"downtime": {"quiet_minutes": 0}}).downtime_quiet_minutes == 0
    assert parse_config({"downtime": {"quiet_minutes": 45}}).unknown == ()
    for bad in (-1, 1441, "20", True, 2.5):
        with pytest.raises(ConfigError, match=r"\[downtime\] quiet_minutes .* 0 \(off\) to 1440"):
            parse_config({"downtime": {"quiet_minutes": bad}})


def test_the_site_value_seeds_the_plant_limit_of_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "leanops.toml"
    site.write_text("[downtime]\nquiet_minutes = 7\n", encoding="utf-8")
    monkeypatch.setenv("LEANOPS_CONFIG", str(site))
    assert load_config().downtime_quiet_minutes == 7
    db = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        migrate.upgrade(db)
        with db.session() as session:
            assert limits.read_limits(session).plant == 7
    finally:
        db.dispose()
