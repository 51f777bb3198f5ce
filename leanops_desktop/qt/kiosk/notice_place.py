"""Where the kiosk's message strip goes: never over a button.

On the work page it covers the queue (a list to read, no buttons); on every other page
(questions, sign-in, refused reports) it covers the header's station name, left of the
"Sign out" button, so "Cancel" and the answers stay free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow

GAP = 8


def notice_area(window: KioskWindow) -> QRect:
    """The rectangle (in the window) the message may cover now."""
    if window.stack.currentWidget() is window.work_page:
        area = window.queue.geometry()
        area.moveTopLeft(window.queue.mapTo(window, QPoint(0, 0)))
        return area
    header = window.header
    area = header.geometry()
    area.moveTopLeft(header.mapTo(window, QPoint(0, 0)))
    sign_out = header.sign_out_button.geometry()
    area.setRight(area.left() + sign_out.left() - GAP)
    return area


def place_notice(window: KioskWindow) -> None:
    """Lay the message strip over :func:`notice_area` (as tall as its text needs there)."""
    notice = window.notice
    if notice.isHidden():
        return
    area = notice_area(window)
    if window.stack.currentWidget() is window.work_page:
        height = max(notice.heightForWidth(area.width()), area.height())
        notice.setGeometry(area.left(), area.bottom() - height + 1, area.width(), height)
        return
    notice.setGeometry(area)
