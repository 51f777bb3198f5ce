"""The demo plant's kiosks: ``leanops --demo kiosk --station ST-01`` enrols itself.

The demo operator signs in with PIN ``1111`` or the badge ``DEMO-OPERATOR``, the demo
supervisor with PIN ``2222`` or the badge ``DEMO-SUPERVISOR`` (README, "Demo"). The demo's
credential files live in their own folder, so a demo never replaces a real enrolment.
"""

from __future__ import annotations

from pathlib import Path

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import open_database
from leanops_desktop.services.kiosk import kiosk_devices, operator_credentials

__all__ = ["DEMO_CREDENTIALS", "enrol_demo_kiosk"]

#: (email, PIN, badge) of the demo accounts that sign in at a kiosk.
DEMO_CREDENTIALS: tuple[tuple[str, str, str], ...] = (
    ("operator@demo.leanops", "1111", "DEMO-OPERATOR"),
    ("supervisor@demo.leanops", "2222", "DEMO-SUPERVISOR"),
)


def enrol_demo_kiosk(url: str, station_id: str, directory: Path) -> None:
    """Give the demo accounts their PINs and badges and enrol ``directory``'s kiosk of
    ``station_id`` (NotFound for an unknown station)."""
    db = open_database(url)
    admin = Actor.system()
    try:
        for email, pin, badge in DEMO_CREDENTIALS:
            with db.session() as session:
                operator_credentials.set_pin(session, admin, email, pin)
            with db.session() as session:
                operator_credentials.set_badge(session, admin, email, badge)
        with db.session() as session:
            enrolment = kiosk_devices.enrol_kiosk(session, admin, station_id)
    finally:
        db.dispose()
    kiosk_devices.save_enrolment(enrolment, directory)
