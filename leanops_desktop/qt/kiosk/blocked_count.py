"""Counting on a blocked station: the kiosk asks first instead of counting silently.

"ST-01 is blocked (material). Count 5 anyway?" with two answers: "Count 5 and resume" (the
parts are coming again: the station runs again) and "Count 5, stay blocked" (parts finished
before the stop), plus Cancel. A count that also passes the job's total says so in the
same question and is sent with the over-total confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.kiosk.choice_page import Choice
from leanops_desktop.qt.kiosk.scan import sentence

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow

QUESTION = "blocked-count"
RESUME = "resume"
STAY = "stay"


def blocked_reason(window: KioskWindow) -> str | None:
    """Why the station is blocked (as last read), or None when it is not."""
    snapshot = window.controller.snapshot
    if snapshot is None:
        return None
    return snapshot.station.blocked_reason


def ask_blocked_count(window: KioskWindow, qty: int, reason: str, over: str | None) -> None:
    """The full-page question before counting on a blocked station."""
    station = window.controller.station_id
    window.ask_question(
        QUESTION,
        f"{station} is blocked ({reason}). Count {qty:,} anyway?",
        over or "",
        [
            Choice(RESUME, f"Count {qty:,} and resume", "go"),
            Choice(STAY, f"Count {qty:,}, stay blocked", "warn"),
        ],
        warning="The count is kept either way; resume only if the station runs again.",
    )


def answer_blocked_count(window: KioskWindow, qty: int, key: str) -> None:
    """Count ``qty`` (confirming an over-total count too) and resume when asked."""
    controller = window.controller
    try:
        controller.report(qty, confirm_over=True)
    except LeanOpsError as error:
        window.show_notice("error", sentence(error.message))
        return
    if key == RESUME:
        controller.actions.resume()
