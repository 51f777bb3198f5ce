"""leanops.toml: encodings Windows editors write, and unknown names named with a suggestion."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from leanops_desktop.cli import window_commands
from leanops_desktop.cli.main import main
from leanops_desktop.config import load_config
from leanops_desktop.core.errors import ConfigError

TEXT = '[database]\nurl = "C:/LeanOps/plant.db"\n\n[kiosk]\nstation = "ST-Ü1"\n'

ENCODINGS = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8 with BOM": codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    "utf-16 LE with BOM (Notepad 'Unicode')": codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    "utf-16 BE with BOM": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_utf8_and_utf16_files_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "leanops.toml"
    path.write_bytes(ENCODINGS[encoding])
    config = load_config(path)
    assert config.database_url == "C:/LeanOps/plant.db"
    assert config.kiosk_station == "ST-Ü1"
    assert config.unknown == ()


def test_other_bytes_are_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "leanops.toml"
    path.write_bytes(TEXT.encode("cp1252"))  # Windows-1252, as older editors save
    with pytest.raises(ConfigError, match="not text in UTF-8 or UTF-16"):
        load_config(path)


UNKNOWN = [
    ('[databse]\nurl = "x.db"\n', "unknown section [databse] (did you mean [database]?)"),
    ("[kiosk]\nstaton = 'ST-01'\n", "unknown key 'staton' in [kiosk] (did you mean station?)"),
    ("[kiosk]\ntheme = 'dark'\n", "unknown key 'theme' in [kiosk] (did you mean theme in [ui]?)"),
    ("url = 'x.db'\n", "unknown key 'url' outside any section (did you mean url in [database]?)"),
    ("[shift]\nstarts = ['06:00']\n", "unknown section [shift] (did you mean [shifts]?)"),
    ("[printer]\nname = 'x'\n", "unknown section [printer]"),
]


@pytest.mark.parametrize(("text", "message"), UNKNOWN, ids=[m for _t, m in UNKNOWN])
def test_unknown_names_are_named_with_the_closest_known_one(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "leanops.toml"
    path.write_text(text)
    config = load_config(path)
    assert config.unknown == (message,)
    assert config.unknown_names_line() == f"{path}: {message}"


def test_known_values_are_still_checked_next_to_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "leanops.toml"
    path.write_text("[databse]\nurl = 'x.db'\n[kiosk]\nidle_sign_out_minutes = 0\n")
    with pytest.raises(ConfigError, match="idle_sign_out_minutes must be 1 to 1440"):
        load_config(path)


def test_the_app_warns_in_one_line_and_still_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "leanops.toml"
    path.write_bytes(codecs.BOM_UTF16_LE + "[databse]\nurl = 'x.db'\n".encode("utf-16-le"))
    monkeypatch.setenv("LEANOPS_CONFIG", str(path))
    monkeypatch.delenv("LEANOPS_DATABASE_URL", raising=False)
    started: list[str] = []

    def fake_app(args: object, config: object) -> int:
        started.append("app")
        return 0

    monkeypatch.setattr(window_commands, "run_app", fake_app)
    assert main([]) == 0
    assert started == ["app"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"leanops: warning: {path}: unknown section [databse]")
    assert "did you mean [database]?" in err


def test_a_command_stops_on_an_unknown_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "leanops.toml"
    path.write_text("[databse]\nurl = 'x.db'\n")
    monkeypatch.setenv("LEANOPS_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean [database]?" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leanops.toml"]


def test_board_and_andon_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "leanops.toml"
    path.write_text("[board]\ncycle_seconds = 30\n\n[andon]\nblocked_minutes = 5\n")
    config = load_config(path)
    assert (config.board_cycle_seconds, config.andon_blocked_minutes) == (30, 5)
    assert config.andon_silent_minutes == 20 and config.unknown == ()
    for bad in ("[board]\ncycle_seconds = 0\n", '[andon]\nsilent_minutes = "ten"\n'):
        path.write_text(bad)
        with pytest.raises(ConfigError, match="must be a whole number from 1 to"):
            load_config(path)


def test_kiosk_start_next_job_is_off_unless_set_true(tmp_path: Path) -> None:
    path = tmp_path / "leanops.toml"
    path.write_text("[kiosk]\nstation = 'ST-01'\n", encoding="utf-8")
    assert load_config(path).kiosk_start_next_job is False
    path.write_text("[kiosk]\nstart_next_job = true\n", encoding="utf-8")
    config = load_config(path)
    assert config.kiosk_start_next_job is True and config.unknown == ()
    path.write_text("[kiosk]\nstart_next_job = 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[kiosk\] start_next_job must be true or false"):
        load_config(path)
