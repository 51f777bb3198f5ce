"""Can Qt open a window here? Checked before the QApplication exists, so a fresh PC gets a
clear message instead of Qt's abort ("could not load the Qt platform plugin xcb", exit 134).

Qt's xcb plugin (``PySide6/Qt/plugins/platforms/libqxcb.so``) and the ``libQt6XcbQpa`` it
loads need about twenty X11 libraries that a minimal Debian/Ubuntu or Fedora install lacks
(``libxcb-cursor0``, ``libxcb-icccm4``, ``libxcb-keysyms1`` ...). Which ones are missing is
read off the plugin with the system loader (``ldd``: its ``=> not found`` lines), never
guessed, and each missing soname is mapped to the package of Debian/Ubuntu and of Fedora
that provides it, so the message ends with the one ``apt-get install`` / ``dnf install``
line to run.

Nothing here imports a Qt module: the plugin is found through the PySide6 package folder.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: soname -> (Debian/Ubuntu package, Fedora package) of the libraries Qt's Linux platform
#: plugins (xcb, wayland) and QtGui need beyond glibc.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")
_RESOLVED = re.compile(r"^\s*(\S+)\s+=>\s+(/\S+)\s+\(0x[0-9a-f]+\)\s*$")
_XCB_QPA = "libQt6XcbQpa.so.6"


@dataclass(frozen=True, slots=True)
class PluginCheck:
    """One platform plugin and the sonames the loader could not find for it."""

    platform: str
    plugin: Path
    missing: tuple[str, ...]


def plugin_folders(environ: Mapping[str, str]) -> list[Path]:
    """Where Qt looks for platform plugins, in its order: ``QT_QPA_PLATFORM_PLUGIN_PATH``,
    each ``QT_PLUGIN_PATH`` entry's ``platforms``, then PySide6's own."""
    folders: list[Path] = []
    direct = environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if direct:
        folders.append(Path(direct))
    for entry in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry:
            folders.append(Path(entry) / "platforms")
    spec = importlib.util.find_spec("PySide6")
    if spec is not None and spec.origin:
        folders.append(Path(spec.origin).parent / "Qt" / "plugins" / "platforms")
    return folders


def find_plugin(platform: str, environ: Mapping[str, str]) -> Path | None:
    """The ``libq<platform>.so`` Qt would load, or None when there is none."""
    for folder in plugin_folders(environ):
        candidate = folder / f"libq{platform}.so"
        if candidate.is_file():
            return candidate
    return None


def parse_missing(ldd_output: str) -> tuple[str, ...]:
    """The sonames of ``ldd``'s ``NAME => not found`` lines, each once, in order."""
    matches = (_NOT_FOUND.match(line) for line in ldd_output.splitlines())
    found = [match.group(1) for match in matches if match]
    return tuple(dict.fromkeys(found))


def parse_resolved(ldd_output: str, soname: str) -> Path | None:
    """Where ``ldd`` found ``soname`` (None when it did not)."""
    for line in ldd_output.splitlines():
        match = _RESOLVED.match(line)
        if match and match.group(1) == soname:
            return Path(match.group(2))
    return None


def run_ldd(library: Path, environ: Mapping[str, str]) -> str | None:
    """``ldd``'s output for ``library`` (None when there is no ``ldd`` or it cannot tell)."""
    ldd = shutil.which("ldd", path=environ.get("PATH", os.defpath))
    if ldd is None:
        return None
    try:
        done = subprocess.run(
            [ldd, str(library)],
            capture_output=True,
            text=True,
            env=dict(environ),
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 and "not found" not in done.stdout:
        return None
    return done.stdout


def check_plugin(platform: str, environ: Mapping[str, str]) -> PluginCheck | None:
    """The libraries ``libq<platform>.so`` (and, for xcb, its ``libQt6XcbQpa``) lack; None
    when there is no such plugin or the loader cannot be asked."""
    plugin = find_plugin(platform, environ)
    if plugin is None:
        return None
    output = run_ldd(plugin, environ)
    if output is None:
        return None
    missing = list(parse_missing(output))
    qpa = parse_resolved(output, _XCB_QPA)
    if qpa is not None:
        missing += parse_missing(run_ldd(qpa, environ) or "")
    return PluginCheck(platform, plugin, tuple(dict.fromkeys(missing)))


def install_lines(missing: Sequence[str]) -> list[str]:
    """What to run: the Debian/Ubuntu and Fedora lines for the sonames the table knows,
    a note for Qt's own libraries and for the sonames it does not know."""
    known = [PACKAGES[name] for name in missing if name in PACKAGES]
    lines = []
    if known:
        debian = " ".join(dict.fromkeys(deb for deb, _ in known))
        fedora = " ".join(dict.fromkeys(rpm for _, rpm in known))
        lines += [
            f"  Debian/Ubuntu: sudo apt-get install {debian}",
            f"  Fedora:        sudo dnf install {fedora}",
        ]
    if any(name.startswith("libQt6") for name in missing):
        lines.append(
            "  Qt's own libraries are missing: the LeanOps installation is damaged; reinstall it"
        )
    unknown = [n for n in missing if n not in PACKAGES and not n.startswith("libQt6")]
    for name in unknown:
        lines.append(
            f"  {name}: find its package with 'apt-file search {name}' or 'dnf provides */{name}'"
        )
    return lines


def describe_missing(check: PluginCheck) -> str:
    """The report: which plugin, which libraries, what to install."""
    names = "\n".join(f"  {name}" for name in check.missing)
    return (
        f"Qt cannot open a window: its {check.platform} platform plugin ({check.plugin})"
        f" needs system libraries that are missing:\n{names}\n"
        "Install them, then start LeanOps again:\n" + "\n".join(install_lines(check.missing))
    )


NO_DISPLAY = (
    "there is no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so there is no screen"
    " to open the window on. Start LeanOps in a desktop session (not over plain ssh); for"
    " a picture without a screen use 'leanops screenshot'."
)


def requested_platforms(environ: Mapping[str, str]) -> list[str] | None:
    """The platforms Qt will try, in order; ``[]`` when another platform was chosen that
    needs no check here, None when there is no display at all."""
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        names = [part.split(":", 1)[0].strip() for part in chosen.split(";")]
        if names == ["xcb"] and not environ.get("DISPLAY"):
            return None  # X11 asked for, and no X display to open it on
        return ["xcb"] if "xcb" in names else []
    x11, wayland = bool(environ.get("DISPLAY")), bool(environ.get("WAYLAND_DISPLAY"))
    if not (x11 or wayland):
        return None
    if wayland:
        return ["wayland", "xcb"] if not x11 else ["xcb", "wayland"]
    return ["xcb"]


def display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why no window can open here (the whole message), or None when nothing is known to
    be wrong. Only on Linux; elsewhere Qt brings what it needs."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platforms = requested_platforms(env)
    if platforms is None:
        return NO_DISPLAY
    checks = [check_plugin(platform, env) for platform in platforms]
    if not checks or any(check is None or not check.missing for check in checks):
        return None  # a usable platform (or one that cannot be checked): let Qt try
    return "\n".join(describe_missing(check) for check in checks if check is not None)


def xcb_status(environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """For ``--self-check``: whether a window can open here, and the finding in one line."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return True, f"{sys.platform}: Qt brings its own platform plugin"
    xcb = check_plugin("xcb", env)
    platforms = requested_platforms(env)
    if xcb is None:
        found = "no xcb plugin found, or ldd cannot read it"
    elif xcb.missing:
        commands = "; ".join(line.strip() for line in install_lines(xcb.missing))
        found = f"the xcb plugin lacks {', '.join(xcb.missing)} ({commands})"
    else:
        found = "the xcb plugin finds all its libraries"
    if platforms is None:
        return True, f"no display here (DISPLAY and WAYLAND_DISPLAY unset); {found}"
    problem = display_problem(env)
    if problem is not None:
        return False, found
    return True, found
