"""Build the LeanOps packages: ``python build/build.py``.

1. PyInstaller (``build/leanops.spec``) makes the one-folder app ``build/dist/LeanOps/``.
2. A ``.tar.gz`` of that folder, named after the version and the platform.
3. On Linux with ``dpkg-deb``: a ``.deb`` installing to ``/opt/leanops`` with ``/usr/bin/leanops``,
   a desktop entry, the icon in the hicolor sizes and an example site config.
   On macOS the archive holds ``LeanOps.app`` and ``hdiutil`` also makes a ``.dmg``.

The sizes of the folder, the archive and the ``.deb`` are printed against their targets.
Everything is written under ``build/dist`` and ``build/work`` (never committed). The Windows
installer (``build/inno/leanops.iss``) is made by CI on a Windows runner from the folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

BUILD = Path(__file__).resolve().parent
ROOT = BUILD.parent
DIST = BUILD / "dist"
WORK = BUILD / "work"
SPEC = BUILD / "leanops.spec"
ICONS = ROOT / "resources" / "icons"
SVG_ICON = ROOT / "leanops_desktop" / "resources" / "icons" / "leanops.svg"
LINUX = BUILD / "linux"
EXAMPLE_CONFIG = BUILD / "leanops.toml.example"
APP_FOLDER = DIST / "LeanOps"
MAC_APP = DIST / "LeanOps.app"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

MB = 1024 * 1024
FOLDER_TARGET_MB = 200
ARCHIVE_TARGET_MB = 90

# Libraries the .deb expects from the system: PyInstaller leaves out libc, OpenGL/EGL and libxcb
# on purpose, and Qt's xcb plugin also needs the two xcb utility libraries.
DEB_DEPENDS = (
    "libgl1",
    "libegl1",
    "libxcb1",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libfontconfig1",
)


@dataclass(frozen=True, slots=True)
class Package:
    """One file or folder the build produced."""

    label: str
    path: Path
    size: int
    target_mb: int | None = None

    def line(self) -> str:
        size_mb = self.size / MB
        verdict = ""
        if self.target_mb is not None:
            state = "ok" if size_mb <= self.target_mb else "OVER TARGET"
            verdict = f"  (target <= {self.target_mb} MB: {state})"
        return f"{self.label:<8} {size_mb:7.1f} MB  {self.path}{verdict}"


def app_version() -> str:
    sys.path.insert(0, str(ROOT))
    from leanops_desktop import __version__

    return __version__


def platform_tag() -> str:
    names = {"linux": "linux", "darwin": "macos", "win32": "windows"}
    system = names.get(sys.platform, sys.platform)
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    return f"{system}-{machine}"


def folder_size(folder: Path) -> int:
    """Bytes in the files under ``folder`` (symbolic links not followed)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def ensure_icons() -> None:
    """Render the platform icons from the SVG if any is missing."""
    wanted = [ICONS / f"leanops-{size}.png" for size in HICOLOR_SIZES]
    wanted += [ICONS / "leanops.ico", ICONS / "leanops.icns"]
    if all(path.is_file() for path in wanted):
        return
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    subprocess.run([sys.executable, str(BUILD / "make_icons.py")], check=True, env=env)


def run_pyinstaller(clean: bool) -> Path:
    """Build ``dist/LeanOps`` with the spec; returns the folder."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
    ]
    if clean:
        command.append("--clean")
    subprocess.run([*command, str(SPEC)], check=True, cwd=ROOT)
    if sys.platform.startswith("linux"):
        strip_libraries(APP_FOLDER)
    if sys.platform != "darwin":
        shutil.copy2(EXAMPLE_CONFIG, APP_FOLDER / EXAMPLE_CONFIG.name)
    return APP_FOLDER


def strip_libraries(folder: Path) -> int:
    """Strip debug symbols from the bundled shared libraries (Linux); returns bytes saved.

    Spared: the executables at the top of the folder (their Python archive is appended to the
    ELF file) and the libraries in ``*.libs`` folders, which auditwheel patched with patchelf
    and which ``strip`` breaks ("ELF load command address/offset not page-aligned").
    PyInstaller's own ``strip=True`` cannot spare them, hence this step.
    """
    strip = shutil.which("strip")
    if strip is None:
        print("strip not found: libraries left as they are")
        return 0
    targets = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.parent == folder:
            continue
        if any(part.endswith(".libs") for part in path.relative_to(folder).parts):
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        targets.append(path)
    before = sum(path.stat().st_size for path in targets)
    for start in range(0, len(targets), 100):
        chunk = [str(path) for path in targets[start : start + 100]]
        subprocess.run([strip, "--strip-unneeded", *chunk], check=True)
    return before - sum(path.stat().st_size for path in targets)


def make_archive(folder: Path, version: str) -> Path:
    """``leanops-<version>-<platform>.tar.gz`` holding ``LeanOps/`` (or ``LeanOps.app``)."""
    archive = DIST / f"leanops-{version}-{platform_tag()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name)
    return archive


def deb_architecture() -> str:
    result = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def glibc_version() -> str:
    name, version = platform.libc_ver()
    return version if name == "glibc" and version else "2.31"


def make_deb(folder: Path, version: str) -> Path:
    """A .deb installing the folder to /opt/leanops, made with ``dpkg-deb``."""
    arch = deb_architecture()
    stage = WORK / "deb" / f"leanops_{version}_{arch}"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "leanops"
    opt.parent.mkdir(parents=True)
    # hard links: the staging tree costs no space or time
    shutil.copytree(folder, opt, symlinks=True, copy_function=_link_or_copy)

    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / "leanops").symlink_to("/opt/leanops/leanops")

    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(LINUX / "leanops.desktop", share / "applications" / "leanops.desktop")
    (share / "leanops").mkdir()
    shutil.copy2(LINUX / "leanops-kiosk.desktop", share / "leanops" / "leanops-kiosk.desktop")
    for size in HICOLOR_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(ICONS / f"leanops-{size}.png", target / "leanops.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(SVG_ICON, scalable / "leanops.svg")
    doc = share / "doc" / "leanops"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "LeanOps Desktop\nLicense: Proprietary\n"
        "Bundled third-party components keep their own licenses (Qt/PySide6: LGPL-3.0).\n",
        encoding="utf-8",
    )

    debian = stage / "DEBIAN"
    debian.mkdir()
    installed_kb = (folder_size(stage) + 1023) // 1024
    control = {
        "Package": "leanops",
        "Version": version,
        "Architecture": arch,
        "Maintainer": "LeanOps <it@leanops.invalid>",
        "Installed-Size": str(installed_kb),
        "Depends": ", ".join((f"libc6 (>= {glibc_version()})", *DEB_DEPENDS)),
        "Section": "misc",
        "Priority": "optional",
        "Homepage": "https://leanops.invalid",
        "Description": "LeanOps Desktop: manufacturing execution for small plants\n"
        " Supervisor window and station kiosk, on a SQLite file or a shared PostgreSQL.\n"
        " Run 'leanops --self-check' after installing.",
    }
    (debian / "control").write_text(
        "".join(f"{key}: {value}\n" for key, value in control.items()), encoding="utf-8"
    )
    refresh = (
        "#!/bin/sh\nset -e\n"
        "if command -v update-desktop-database >/dev/null 2>&1; then\n"
        "    update-desktop-database -q /usr/share/applications || true\nfi\n"
        "if command -v gtk-update-icon-cache >/dev/null 2>&1; then\n"
        "    gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true\nfi\n"
    )
    for script in ("postinst", "postrm"):
        path = debian / script
        path.write_text(refresh, encoding="utf-8")
        path.chmod(0o755)

    deb = DIST / f"leanops_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(stage)
    return deb


def make_dmg(app: Path, version: str) -> Path:
    """A compressed disk image holding ``LeanOps.app`` (macOS)."""
    dmg = DIST / f"LeanOps-{version}-{platform_tag()}.dmg"
    dmg.unlink(missing_ok=True)
    command = ["hdiutil", "create", "-volname", "LeanOps", "-srcfolder", str(app), "-ov"]
    subprocess.run(
        [*command, "-format", "UDZO", str(dmg)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dmg


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    parser.add_argument("--no-deb", action="store_true", help="skip the .deb")
    args = parser.parse_args(argv)

    started = time.monotonic()
    version = app_version()
    ensure_icons()
    folder = run_pyinstaller(args.clean)
    app = MAC_APP if sys.platform == "darwin" else folder
    packages = [Package("folder", app, folder_size(app), FOLDER_TARGET_MB)]
    if not args.no_archive:
        archive = make_archive(app, version)
        packages.append(Package("archive", archive, archive.stat().st_size, ARCHIVE_TARGET_MB))
    if not args.no_deb and sys.platform.startswith("linux") and shutil.which("dpkg-deb"):
        deb = make_deb(folder, version)
        packages.append(Package("deb", deb, deb.stat().st_size))
    if sys.platform == "darwin" and shutil.which("hdiutil"):
        dmg = make_dmg(app, version)
        packages.append(Package("dmg", dmg, dmg.stat().st_size))
    print(f"LeanOps {version} built in {time.monotonic() - started:.0f} s")
    for package in packages:
        print(package.line())
    over = [p for p in packages if p.target_mb is not None and p.size / MB > p.target_mb]
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
