"""The QApplication factory: one named, themed application for every window LeanOps opens.

The composition root (``app.py``), ``leanops screenshot`` and the self-check all start Qt
through :func:`create_application`, so the kiosk, the main window and a rendered screenshot
share the same name, icon, theme and offscreen fallback.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from leanops_desktop import APP_NAME, __version__

ORGANIZATION = "LeanOps"


def create_application(theme: str = "light", argv: list[str] | None = None) -> QApplication:
    """The QApplication (the existing one if any), named, with icon and theme applied.

    Without a display (no ``DISPLAY``/``WAYLAND_DISPLAY`` on Linux) Qt's offscreen
    platform is used, so screenshots and self-checks work on servers and in CI.
    """
    from leanops_desktop.qt.theme import app_icon, apply_theme

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(argv if argv is not None else sys.argv[:1])
    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    apply_theme(app, theme)
    from leanops_desktop.qt.startup_probe import install_startup_probe

    install_startup_probe(app)  # LEANOPS_STARTUP_PROBE=1: report the first window, then exit
    return app
