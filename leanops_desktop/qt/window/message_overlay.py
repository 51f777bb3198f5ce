"""Keep the window's message bar over the bottom edge of the central area.

A confirmation ("ST-04 blocked: tooling") that appeared above the overview pushed every
tile down, under the pointer that was about to click the next one. Floating over the
bottom of the central area, the bar covers a strip for a few seconds and moves nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

#: Space between the bar and the central area's edges.
MARGIN = 10
#: The bar is no wider than this (a long line reads badly across a wide screen).
MAX_WIDTH = 900


class BottomOverlay(QObject):
    """Places ``bar`` (a child of ``host``, outside its layout) at the host's bottom centre
    whenever the host is resized or the bar is shown or changes its text."""

    def __init__(self, bar: QWidget, host: QWidget) -> None:
        super().__init__(bar)
        self.bar = bar
        self.host = host
        bar.setParent(host)
        host.installEventFilter(self)
        bar.installEventFilter(self)
        self.place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (watched is self.host and kind == QEvent.Type.Resize) or (
            watched is self.bar and kind in (QEvent.Type.Show, QEvent.Type.LayoutRequest)
        ):
            self.place()
        return False

    def place(self) -> None:
        host, bar = self.host, self.bar
        width = max(0, min(host.width() - 2 * MARGIN, MAX_WIDTH))
        height = bar.heightForWidth(width) if bar.hasHeightForWidth() else -1
        if height <= 0:
            height = bar.sizeHint().height()
        bar.setGeometry((host.width() - width) // 2, host.height() - height - MARGIN, width, height)
        bar.raise_()
