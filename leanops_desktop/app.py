"""The composition root: the entry points that build the application, sign in, then open the
window or kiosk (what ``leanops`` and ``leanops kiosk``, ``screenshot`` and ``export`` run).

Nothing else in LeanOps reaches for globals: the modules of :mod:`leanops_desktop.composition`
create the QApplication (with its theme), show the sign-in dialog, open the database through
the services, and hand the signed-in session to the main window (:mod:`.main_window`) or the
kiosk (:mod:`.kiosk`, with its local outbox file) together with the one :class:`DbRunner`
and the live feed they use. Signing out closes the window and asks again.

Every window LeanOps opens is built there, the same way for the screen and for
``leanops screenshot`` (:mod:`.files`). ``qt/`` never opens a database or an outbox itself:
it is handed them.
"""

from __future__ import annotations

from leanops_desktop.composition.files import EXPORT_TABLES, export_table, take_screenshot
from leanops_desktop.composition.kiosk import build_kiosk, run_enrolled_kiosk, run_kiosk
from leanops_desktop.composition.main_window import (
    DesktopSession,
    is_demo_database,
    make_live_feed,
    run_main_window,
)
from leanops_desktop.qt.application import ORGANIZATION, create_application

__all__ = [
    "EXPORT_TABLES",
    "ORGANIZATION",
    "DesktopSession",
    "build_kiosk",
    "create_application",
    "export_table",
    "is_demo_database",
    "make_live_feed",
    "run_enrolled_kiosk",
    "run_kiosk",
    "run_main_window",
    "take_screenshot",
]
