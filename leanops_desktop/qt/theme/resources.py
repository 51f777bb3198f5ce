"""Where the packaged resources (icons, stylesheets) are, also inside a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

import leanops_desktop


def resources_dir() -> Path:
    """``leanops_desktop/resources`` in a source tree or wheel, or the PyInstaller bundle's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "leanops_desktop" / "resources"
    return Path(leanops_desktop.__file__).resolve().parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of one resource file, e.g. ``resource_path("icons", "leanops.svg")``."""
    return resources_dir().joinpath(*parts)


@cache
def app_icon() -> QIcon:
    """The LeanOps application icon (SVG, sharp at every size)."""
    return QIcon(str(resource_path("icons", "leanops.svg")))
