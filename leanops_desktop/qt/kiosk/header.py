"""The kiosk's top bar: station and status, who is signed in, connection and waiting reports.

Two rows, the sign-out button at the right. Long texts (an operator's email, a station's
name) are cut rather than allowed to push the bar wider than a 1024-pixel screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.rows import StationRow
from leanops_desktop.db.outbox_items import OutboxCounts
from leanops_desktop.qt.kiosk.style import restyle
from leanops_desktop.qt.kiosk.widgets import big_button, styled_label


def _squeezable(label: QLabel) -> QLabel:
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class KioskHeader(QFrame):
    """Station, status chip, operator with a sign-out button, and the sending state."""

    sign_out_clicked = Signal()

    def __init__(self, station_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.station_label = styled_label(station_id, "title", self)
        self.station_detail = _squeezable(styled_label("", "muted", self))
        self.status_chip = QLabel(self)
        self.status_chip.setObjectName("StatusChip")
        self.status_chip.hide()
        self.operator_label = _squeezable(styled_label("Not signed in", "", self))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self.operator_label.setAlignment(right)
        self.connection_label = _squeezable(QLabel(self))
        self.connection_label.setObjectName("Connection")
        self.connection_label.setAlignment(right)
        self.sign_out_button = big_button("Sign out", "", self)
        self.sign_out_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.sign_out_button.clicked.connect(self.sign_out_clicked)
        keep = self.sign_out_button.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # the bar keeps its layout with nobody signed in
        self.sign_out_button.setSizePolicy(keep)
        self.sign_out_button.hide()
        layout = QGridLayout(self)
        layout.setContentsMargins(16, 6, 10, 6)
        layout.setHorizontalSpacing(16)
        layout.setVerticalSpacing(0)
        layout.addWidget(self.station_label, 0, 0)
        layout.addWidget(self.status_chip, 0, 1)
        layout.addWidget(self.operator_label, 0, 2)
        layout.addWidget(self.station_detail, 1, 0, 1, 2)
        layout.addWidget(self.connection_label, 1, 2)
        layout.addWidget(self.sign_out_button, 0, 3, 2, 1)
        layout.setColumnStretch(2, 1)
        self._counts = OutboxCounts(0, 0, 0)
        self._online: bool | None = None
        self._message = ""
        self._show_sending()

    def set_station(self, station: StationRow | None) -> None:
        if station is None:
            self.status_chip.hide()
            return
        self.station_detail.setText(f"{station.name} · {station.line}")
        status = station.status.value
        text = status.upper()
        if station.blocked_reason:
            text = f"BLOCKED: {station.blocked_reason}"
        if not station.is_active:
            text, status = "NOT IN USE", "idle"
        self.status_chip.setText(text)
        self.status_chip.setProperty("status", status)
        restyle(self.status_chip)
        self.status_chip.show()

    def set_actor(self, actor: Actor | None) -> None:
        if actor is None:
            self.operator_label.setText("Not signed in")
            self.sign_out_button.hide()
            self.connection_label.hide()  # unknown until someone signs in again
        else:
            name = actor.email.split("@", 1)[0]
            self.operator_label.setText(f"{name} · {actor.role.value}")
            self.operator_label.setToolTip(actor.email)
            self.sign_out_button.show()
            self.connection_label.show()

    def set_connection(self, online: bool | None, message: str) -> None:
        self._online, self._message = online, message
        self._show_sending()

    def set_counts(self, counts: OutboxCounts) -> None:
        self._counts = counts
        self._show_sending()

    def _show_sending(self) -> None:
        pending = self._counts.pending
        if self._online is False:
            text = f"● OFFLINE · {pending:,} waiting"
        elif self._online:
            text = f"● Online · {pending:,} sending" if pending else "● Online · all sent"
        else:
            text = f"● Connecting… · {pending:,} waiting" if pending else "● Connecting…"
        self.connection_label.setText(text)
        offline = self._online is False
        tip = "Reports wait on this kiosk until the server answers." if offline else ""
        self.connection_label.setToolTip(" ".join(filter(None, (tip, self._message))))
        self.connection_label.setProperty("online", "false" if offline else "true")
        restyle(self.connection_label)
        self._fit(self.connection_label)

    @staticmethod
    def _fit(label: QLabel) -> None:
        """Never cut the sending state: its column grows to the widest text seen (and
        never shrinks, so nothing beside it moves back and forth)."""
        needed = label.fontMetrics().horizontalAdvance(label.text()) + 8
        if needed > label.minimumWidth():
            label.setMinimumWidth(needed)
