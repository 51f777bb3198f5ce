"""The confirmation of the last report, with an Undo button that counts down."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QWidget

from leanops_desktop.db.outbox_items import ItemKind, OutboxItem
from leanops_desktop.qt.kiosk.widgets import big_button, styled_label

UNDO_MS = 10_000
TICK_MS = 1000


class UndoBanner(QFrame):
    """ "+5 counted for JOB-1004 [Undo 9 s]": shown for ``undo_ms`` after every report."""

    undo_requested = Signal(object)  # the report's UUID

    def __init__(self, parent: QWidget | None = None, *, undo_ms: int = UNDO_MS) -> None:
        super().__init__(parent)
        self.setObjectName("UndoBanner")
        self.undo_ms = undo_ms
        self.label = styled_label("", "", self)
        self.label.setWordWrap(True)
        self.undo_button = big_button("Undo", "undo", self)
        self.undo_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.undo_button.clicked.connect(self._undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        self._item: OutboxItem | None = None
        self.shown_id: UUID | None = None  # the report or correction confirmed now
        self._left_ms = 0
        self._tick = QTimer(self)
        self._tick.setInterval(min(TICK_MS, undo_ms))
        self._tick.timeout.connect(self._count_down)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.show_item(None)

    @property
    def item(self) -> OutboxItem | None:
        return self._item

    def show_item(self, item: OutboxItem | None, *, sent: bool = False) -> None:
        """Confirm ``item`` (None: an empty, quiet banner)."""
        self._item = None
        self._tick.stop()
        self.shown_id = item.id if item is not None else None
        if item is None:
            self.label.setText("Count finished units: +1, +5, +10 or the keypad.")
            self.undo_button.hide()
            return
        state = "sent" if sent else "sending…"
        if item.kind == ItemKind.CORRECTION:
            self.label.setText(f"✓ Taken back: {item.signed_qty:+,d} on {item.job_id} ({state})")
            self.undo_button.hide()
            return
        self.label.setText(f"✓ {item.qty:+,d} counted on {item.job_id} ({state})")
        self._item = item
        self._left_ms = self.undo_ms
        self.undo_button.show()
        self._show_left()
        self._tick.start()

    def _show_left(self) -> None:
        self.undo_button.setText(f"Undo  {max(self._left_ms // 1000, 0)} s")

    def _count_down(self) -> None:
        self._left_ms -= self._tick.interval()
        if self._left_ms <= 0:
            self._tick.stop()
            self._item = None
            self.undo_button.hide()
            return
        self._show_left()

    def set_sent(self) -> None:
        """The confirmed item reached the server: "sending…" becomes "sent"."""
        text = self.label.text()
        if text.endswith("(sending…)"):
            self.label.setText(text.replace("(sending…)", "(sent)"))

    def _undo(self) -> None:
        item, self._item = self._item, None
        self._tick.stop()
        self.undo_button.hide()
        if item is not None:
            self.undo_requested.emit(item.id)
