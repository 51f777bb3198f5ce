"""A fresh PC: when Qt's xcb platform plugin lacks system libraries ``leanops`` names them and
the install line, and exits 2 instead of Qt's abort; ``--demo`` opens every view on the demo
plant and is refused where it would be ignored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leanops_desktop.qt.platform_libs import (
    NO_DISPLAY,
    PluginCheck,
    check_plugin,
    find_plugin,
    install_lines,
    parse_missing,
    parse_resolved,
    xcb_status,
)
from tests.test_cli import leanops

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux loader")

GONE = "libleanops-gone.so.1"


def qt_plugins_dir() -> Path:
    plugin = find_plugin("xcb", {})
    assert plugin is not None, "PySide6 ships libqxcb.so"
    return plugin.parent.parent


def display_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A desktop session's environment (DISPLAY set, no platform chosen), folders kept here."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QT_")}
    env.pop("WAYLAND_DISPLAY", None)
    env.update(
        DISPLAY=":99",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        LEANOPS_CONFIG="",
        **extra,
    )
    return env


def run_leanops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leanops_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.fixture
def fake_plugin(tmp_path: Path) -> Path:
    """A ``platforms/libqxcb.so`` built with the C compiler, linked against a library that is
    then deleted: the loader reports it ``not found``, as on a PC without the package."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build a plugin with a missing library")
    build = tmp_path / "build"
    build.mkdir()
    (build / "gone.c").write_text("int leanops_gone(void) { return 1; }\n")
    (build / "plugin.c").write_text(
        "int leanops_gone(void);\nint leanops_plugin(void) { return leanops_gone(); }\n"
    )
    gone = build / GONE
    compile_run = [compiler, "-shared", "-fPIC", f"-Wl,-soname,{GONE}", "-o", str(gone)]
    subprocess.run([*compile_run, str(build / "gone.c")], check=True)
    platforms = tmp_path / "platforms"
    platforms.mkdir()
    plugin = platforms / "libqxcb.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-o", str(plugin), str(build / "plugin.c"), str(gone)],
        check=True,
    )
    gone.unlink()
    return platforms


def test_a_missing_system_library_is_named_and_the_app_exits_2(
    tmp_path: Path, fake_plugin: Path
) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM_PLUGIN_PATH=str(fake_plugin))
    for args in (("--demo",), ("--demo", "kiosk", "--station", "ST-01"), ("--demo", "board")):
        result = run_leanops(env, *args)
        assert result.returncode == 2, (args, result.stderr)  # not Qt's abort (134)
        assert "Qt cannot open a window: its xcb platform plugin" in result.stderr
        assert str(fake_plugin / "libqxcb.so") in result.stderr
        assert f"  {GONE}\n" in result.stderr
        assert f"apt-file search {GONE}" in result.stderr
        assert "Traceback" not in result.stderr
        assert "demo plant" not in result.stdout  # refused before anything was made


def test_qt_libraries_missing_next_to_a_copied_plugin_say_reinstall(tmp_path: Path) -> None:
    """The real plugin copied away from PySide6's lib folder: the loader cannot find
    libQt6XcbQpa (Qt looks in QT_PLUGIN_PATH first, so Qt itself would abort on it)."""
    plugins = tmp_path / "plugins"
    (plugins / "platforms").mkdir(parents=True)
    shutil.copy2(qt_plugins_dir() / "platforms" / "libqxcb.so", plugins / "platforms")
    env = display_env(tmp_path, QT_PLUGIN_PATH=str(plugins))
    result = run_leanops(env, "--demo")
    assert result.returncode == 2, result.stderr
    assert "libQt6XcbQpa.so.6" in result.stderr
    assert "the LeanOps installation is damaged; reinstall it" in result.stderr


def test_the_self_check_reports_the_missing_library_as_a_line(
    tmp_path: Path, fake_plugin: Path
) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM_PLUGIN_PATH=str(fake_plugin))
    database = tmp_path / "plant.db"
    assert leanops("db", "upgrade", "--database", str(database)).returncode == 0
    result = run_leanops(env, "--self-check", "--database", str(database))
    assert result.returncode == 1, result.stdout
    lines = result.stdout.splitlines()
    display = next(line for line in lines if line.split(":")[0].split()[-1] == "display")
    assert display.startswith("FAIL display: the xcb plugin lacks libleanops-gone.so.1")
    # the Qt checks still ran (offscreen) instead of Qt aborting the process
    assert any(line.startswith("ok   qt:") and "offscreen" in line for line in lines), lines


@pytest.mark.parametrize("platform", ["", "xcb"])
def test_no_display_at_all_is_said_before_qt_starts(tmp_path: Path, platform: str) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM=platform)
    del env["DISPLAY"]
    result = run_leanops(env, "--demo")
    assert result.returncode == 2  # with QT_QPA_PLATFORM=xcb Qt itself would abort (134)
    assert result.stderr.strip() == f"leanops: {NO_DISPLAY}"


def test_the_loader_output_is_read_and_mapped_to_packages(fake_plugin: Path) -> None:
    env = {"PATH": os.environ["PATH"], "QT_QPA_PLATFORM_PLUGIN_PATH": str(fake_plugin)}
    found = check_plugin("xcb", env)
    assert found == PluginCheck("xcb", fake_plugin / "libqxcb.so", (GONE,))
    ldd_text = (
        "\tlibQt6XcbQpa.so.6 => /opt/qt/lib/libQt6XcbQpa.so.6 (0x00007f0000000000)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-randr.so.0 => not found\n"
    )
    missing = parse_missing(ldd_text)
    assert missing == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-randr.so.0")
    assert parse_resolved(ldd_text, "libQt6XcbQpa.so.6") == Path("/opt/qt/lib/libQt6XcbQpa.so.6")
    assert install_lines(missing) == [
        "  Debian/Ubuntu: sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-randr0",
        "  Fedora:        sudo dnf install xcb-util-wm xcb-util-keysyms libxcb",
    ]


def test_a_complete_install_is_ok_in_the_self_check_line() -> None:
    usable, found = xcb_status({"PATH": os.environ["PATH"], "DISPLAY": ":0"})
    if not usable:
        pytest.skip(f"this machine lacks Qt's X11 libraries: {found}")
    assert found == "the xcb plugin finds all its libraries"


@pytest.mark.parametrize(
    "args",
    [
        ("--demo", "kiosk", "--station", "ST-01", "--windowed"),
        ("--demo", "board", "--windowed"),
        ("board", "--demo", "--windowed"),
    ],
    ids=["kiosk", "board", "board --demo"],
)
def test_demo_opens_every_view_on_the_demo_plant(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM="offscreen", LEANOPS_STARTUP_PROBE="1")
    result = run_leanops(env, *args)
    assert result.returncode == 0, result.stderr
    demo_file = tmp_path / "data" / "LeanOps" / "leanops-demo.db"
    assert result.stdout.splitlines()[0] == f"demo plant: sqlite:///{demo_file}"
    assert "leanops-startup-probe shown" in result.stderr


def test_demo_opens_the_main_window_sign_in_on_the_demo_plant(tmp_path: Path) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM="offscreen", LEANOPS_STARTUP_PROBE="1")
    result = run_leanops(env, "--demo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("demo plant: sqlite:///")
    assert "leanops-startup-probe shown" in result.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--demo", "user", "list"), "'leanops user' does not take it"),
        (("--demo", "kiosk", "enroll", "--station", "ST-01"), "'leanops kiosk' does not take"),
        (("--demo", "board", "enroll"), "'leanops board' does not take"),
        (("board", "--demo", "--database", "x.db"), "leave out --database"),
        (("--demo", "--database", "x.db"), "leave out --database"),
        (("--demo", "kiosk", "--station", "ST-01", "--database", "x.db"), "leave out --database"),
    ],
)
def test_demo_is_refused_where_it_would_be_ignored(
    tmp_path: Path, args: tuple[str, ...], reason: str
) -> None:
    result = run_leanops(display_env(tmp_path, QT_QPA_PLATFORM="offscreen"), *args)
    assert result.returncode == 2
    assert reason in result.stderr
    assert not (tmp_path / "data" / "LeanOps" / "leanops-demo.db").exists()


def test_a_screenshot_renders_offscreen_where_the_window_could_not_open(
    tmp_path: Path, fake_plugin: Path
) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM_PLUGIN_PATH=str(fake_plugin))
    picture = tmp_path / "login.png"
    result = run_leanops(env, "screenshot", str(picture), "--view", "login", "--size", "800x600")
    assert result.returncode == 0, result.stderr
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_the_self_check_without_a_display_runs_offscreen_even_when_xcb_was_asked_for(
    tmp_path: Path,
) -> None:
    env = display_env(tmp_path, QT_QPA_PLATFORM="xcb")
    del env["DISPLAY"]
    database = tmp_path / "plant.db"
    assert leanops("db", "upgrade", "--database", str(database)).returncode == 0
    result = run_leanops(env, "--self-check", "--database", str(database))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   display: no display here" in result.stdout
    assert "platform offscreen" in result.stdout


def test_a_malformed_url_is_said_before_the_display(tmp_path: Path) -> None:
    env = display_env(tmp_path)
    del env["DISPLAY"]
    result = run_leanops(env, "--database", "mysql://db.plant/leanops")
    assert result.returncode == 2
    assert "unsupported database" in result.stderr and "no display" not in result.stderr
