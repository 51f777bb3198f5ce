"""Reports the server refused: kept, shown with the reason, some can be sent again."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.db.outbox_items import OutboxItem, RefusalCode
from leanops_desktop.qt.kiosk.widgets import big_button, panel, styled_label

ROWS = 3


def refused_text(item: OutboxItem) -> str:
    when = item.created_at.astimezone().strftime("%H:%M")
    return f"{item.signed_qty:+,d} on {item.job_id} at {when}: {item.last_error or 'refused'}"


class RefusedPage(QFrame):
    """The latest refused reports; an over-total one offers "Count anyway"."""

    resend_requested = Signal(object)  # the item's UUID
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = styled_label("Refused reports", "title", self)
        self.explain = styled_label(
            "The server did not count these. They are kept on this kiosk and your supervisor "
            "has been told.",
            "muted",
            self,
        )
        self.explain.setWordWrap(True)
        self.more = styled_label("", "muted", self)
        self.rows: list[tuple[QLabel, QPushButton, QFrame]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        for _ in range(ROWS):
            frame = panel(self)
            label = styled_label("", "", frame)
            label.setWordWrap(True)
            button = big_button("Count anyway", "warn", frame)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, b=button: self._resend(b))
            row = QHBoxLayout(frame)
            row.setContentsMargins(12, 6, 8, 6)
            row.addWidget(label, 1)
            row.addWidget(button)
            layout.addWidget(frame)
            self.rows.append((label, button, frame))
        layout.addWidget(self.more)
        layout.addStretch(1)
        self.back_button = big_button("Back", "", self)
        self.back_button.clicked.connect(self.closed)
        layout.addWidget(self.back_button)

    def show_items(self, items: Sequence[OutboxItem]) -> None:
        latest = list(reversed(items))[:ROWS]
        for (label, button, frame), item in zip(
            self.rows, [*latest, *([None] * ROWS)], strict=False
        ):
            frame.setVisible(item is not None)
            if item is None:
                continue
            label.setText(refused_text(item))
            button.setProperty("item_id", item.id)
            button.setVisible(item.refusal_code == RefusalCode.OVER_TOTAL)
        hidden = len(items) - len(latest)
        self.more.setText(f"and {hidden} older" if hidden > 0 else "")

    def _resend(self, button: QPushButton) -> None:
        item_id = button.property("item_id")
        if item_id is not None:
            self.resend_requested.emit(item_id)
