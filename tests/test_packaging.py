"""Packaging: the icon files, the example site config, the desktop entries, and (slow) the
frozen one-folder app and the .deb built by ``build/build.py``, run offscreen.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.config import SiteConfig, parse_config
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import open_database

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
ICONS = ROOT / "resources" / "icons"
DIST = BUILD / "dist"
APP = DIST / "LeanOps"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Provided by the system (the .deb depends on them); everything else must be in the bundle.
SYSTEM_LIBRARIES = ("libxcb-icccm.so", "libxcb-keysyms.so")
BUILD_TIMEOUT_S = 900


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_hicolor_icons_have_their_sizes() -> None:
    for size in HICOLOR_SIZES:
        assert png_size(ICONS / f"leanops-{size}.png") == (size, size)


def test_windows_icon_holds_every_size_up_to_256() -> None:
    data = (ICONS / "leanops.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        edge, _, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(edge or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_mac_icon_is_a_well_formed_icns() -> None:
    data = (ICONS / "leanops.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    codes = []
    position = 8
    while position < len(data):
        code, length = (
            data[position : position + 4],
            struct.unpack(">I", data[position + 4 : position + 8])[0],
        )
        codes.append(code)
        position += length
    assert position == len(data)
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= set(codes)


def test_example_site_config_is_valid_and_sets_nothing_surprising() -> None:
    path = BUILD / "leanops.toml.example"
    config = parse_config(tomllib.loads(path.read_text(encoding="utf-8")), source=path)
    assert config == SiteConfig()


@pytest.mark.parametrize("name", ["leanops.desktop", "leanops-kiosk.desktop"])
def test_desktop_entries(name: str) -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(BUILD / "linux" / name, encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    assert main["Icon"] == "leanops"
    assert main["Exec"].split()[0] == "leanops"
    assert main["Terminal"] == "false"
    for action in main.get("Actions", "").strip(";").split(";"):
        if action:
            assert entry[f"Desktop Action {action}"]["Exec"].startswith("leanops ")


# -- the frozen app (slow) ----------------------------------------------------------------


def executable_name() -> str:
    return "leanops-cli.exe" if sys.platform == "win32" else "leanops"


@pytest.fixture(scope="module")
def built_app() -> Path:
    """Run ``build/build.py`` once for this module; the one-folder app's folder."""
    pytest.importorskip(
        "PyInstaller", reason="PyInstaller is not installed (pip install -e '.[build]')"
    )
    if not sys.platform.startswith("linux"):
        pytest.skip("the packaging test runs on Linux (CI builds Windows and macOS separately)")
    result = subprocess.run(
        [sys.executable, str(BUILD / "build.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    print(result.stdout[-3000:])
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-5000:]
    for label in ("folder", "archive", "deb"):
        assert any(line.startswith(label) for line in result.stdout.splitlines()), result.stdout
    return APP


@pytest.fixture
def run_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the frozen app: offscreen, private folders, a fresh migrated SQLite."""
    url = f"sqlite:///{tmp_path / 'leanops.db'}"
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEANOPS_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LEANOPS_DATABASE_URL=url,
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path / "home"),
    )
    yield env


def run(executable: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable), *args], env=env, capture_output=True, text=True, timeout=120
    )


def assert_self_check_passes(executable: Path, env: dict[str, str]) -> str:
    result = run(executable, "--self-check", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    names = ("config", "storage", "database", "schema", "connections", "display", "qt")
    names += ("resources", "plots", "export")
    for name in names:
        assert any(line.startswith(f"ok   {name}: ") for line in lines), result.stdout
    assert lines[-1] == f"self-check passed ({len(names)} checks)"
    return result.stdout


@pytest.mark.slow
def test_frozen_app_reports_its_version(built_app: Path, run_env: dict[str, str]) -> None:
    result = run(built_app / executable_name(), "--version", env=run_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"


@pytest.mark.slow
def test_frozen_app_passes_its_self_check(built_app: Path, run_env: dict[str, str]) -> None:
    out = assert_self_check_passes(built_app / executable_name(), run_env)
    assert f"from {built_app / '_internal'}" in out  # resources come from the bundle


@pytest.mark.slow
def test_frozen_app_exports_xlsx_with_numbers_and_dates(
    built_app: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    """openpyxl is in the bundle: the frozen app writes a workbook with typed cells."""
    executable = built_app / executable_name()
    demo = run(executable, "demo", env=run_env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    out = tmp_path / "jobs.xlsx"
    result = run(executable, "export", "jobs", str(out), env=run_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    sheet = openpyxl.load_workbook(out)["Jobs"]
    headers = [cell.value for cell in sheet[1]]
    done, total, due = headers.index("Done"), headers.index("Total"), headers.index("Due")
    rows = list(sheet.iter_rows(min_row=2))
    assert rows and f"{len(rows)} jobs written" in result.stdout
    for row in rows:
        assert type(row[done].value) is int and type(row[total].value) is int
        assert row[due].is_date
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


@pytest.mark.slow
def test_frozen_app_imports_jobs_and_writes_scannable_travelers(
    built_app: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    """The import and the symbol encoders are in the bundle: a CSV in, a traveler PDF out
    whose barcode and QR code read back as the imported job id."""
    from tests.symbol_reading import pdf_pages, read_symbols

    executable = built_app / executable_name()
    orders = tmp_path / "orders.csv"
    orders.write_bytes(
        "Auftrag;Artikel;Menge;Fällig\r\nJOB-7001;Träger;1.200;13.12.2026\r\n".encode("cp1252")
    )
    mapped = ("--map", "Auftrag=job", "--map", "Artikel=part", "--map", "Menge=qty")
    imported = run(
        executable, "jobs", "import", str(orders), *mapped, "--map", "Fällig=due", env=run_env
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "imported: 1 new" in imported.stdout
    pdf = tmp_path / "travelers.pdf"
    written = run(executable, "jobs", "traveler", "JOB-7001", "--out", str(pdf), env=run_env)
    assert written.returncode == 0, written.stdout + written.stderr
    (pages := tmp_path / "pages").mkdir()
    assert [read_symbols(page) for page in pdf_pages(pdf, pages)] == [
        {"Code128": "JOB-7001", "QRCode": "JOB-7001"}
    ]


@pytest.mark.slow
def test_frozen_self_check_fails_on_a_missing_database(
    built_app: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    run_env["LEANOPS_DATABASE_URL"] = str(tmp_path / "missing.db")
    result = run(built_app / executable_name(), "--self-check", env=run_env)
    assert result.returncode == 1
    assert "FAIL database: SQLite " in result.stdout
    assert "not initialised" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_every_bundled_library_resolves(built_app: Path) -> None:
    """Nothing was left out of the bundle except what the .deb depends on."""
    internal = built_app / "_internal"
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"
    missing = set()
    for path in internal.rglob("*.so*"):
        if path.is_symlink() or not path.is_file():
            continue
        result = subprocess.run(["ldd", str(path)], env=env, capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if "not found" in line:
                name = line.split()[0]
                if not name.startswith(SYSTEM_LIBRARIES):
                    missing.add(f"{path.relative_to(internal)}: {name}")
    assert not missing, sorted(missing)


@pytest.mark.slow
def test_deb_installs_a_working_app(
    built_app: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed")
    debs = sorted(DIST.glob(f"leanops_{__version__}_*.deb"))
    assert debs, "build.py made no .deb"
    deb = debs[-1]
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: leanops" in fields
    assert f"Version: {__version__}" in fields
    assert "libxcb-icccm4" in fields

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    installed = root / "opt" / "leanops" / "leanops"
    assert os.access(installed, os.X_OK)
    assert os.readlink(root / "usr" / "bin" / "leanops") == "/opt/leanops/leanops"
    assert (root / "usr" / "share" / "applications" / "leanops.desktop").is_file()
    assert (
        root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "leanops.svg"
    ).is_file()
    for size in HICOLOR_SIZES:
        icon = (
            root / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "leanops.png"
        )
        assert png_size(icon) == (size, size)
    assert (root / "opt" / "leanops" / "leanops.toml.example").is_file()

    result = run(installed, "--version", env=run_env)
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"
    assert_self_check_passes(installed, run_env)

    # A site config next to the executable wins over the user's (which points nowhere).
    database_url = run_env.pop("LEANOPS_DATABASE_URL")
    user_config = Path(run_env["XDG_CONFIG_HOME"]) / "LeanOps" / "leanops.toml"
    user_config.parent.mkdir(parents=True)
    user_config.write_text(f'[database]\nurl = "{tmp_path / "elsewhere.db"}"\n', encoding="utf-8")
    site_config = root / "opt" / "leanops" / "leanops.toml"
    site_config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    out = assert_self_check_passes(installed, run_env)
    assert f"ok   config: {site_config}\n" in out
