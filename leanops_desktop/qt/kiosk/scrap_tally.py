"""The current job's scrap as the operator should see it: the server's last read plus the
scrap this kiosk has confirmed that the read may not hold yet (waiting in the outbox, or
sent since the read began), so a scrap report and its undo show at once, offline too."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_controller import KioskController


def job_scrap(controller: KioskController) -> int:
    """The job's scrapped units: the server's, with this kiosk's unsent ones."""
    snapshot = controller.snapshot
    if snapshot is None or snapshot.assignment is None:
        return 0
    unsent = controller.scrap_queue.unsent_units(
        snapshot.assignment.job_id, controller.station_id, snapshot.read_at
    )
    return max(snapshot.job_scrapped + unsent, 0)
