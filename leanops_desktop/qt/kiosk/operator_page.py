"""Signing in at an enrolled kiosk: scan your badge, or tap your name and type your PIN.

* A badge reader types its code and Enter: the page takes keys wherever the finger is
  (no field needs the focus), case does not matter (the server compares lower-cased).
* The names are the operators who signed in here recently (newest first); typing letters
  on a keyboard narrows them. A name opens a big keypad (4 to 8 digits, shown as dots).
* "Email and password" is the supervisor's way in (``SignInPage``).

Messages sit in a line of their own, of fixed height: nothing moves under the finger.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.qt.kiosk.barcode import BarcodeBuffer
from leanops_desktop.qt.kiosk.sign_in_page import recent_emails
from leanops_desktop.qt.kiosk.widgets import big_button, styled_label

NAME_COUNT = 6
PIN_MIN, PIN_MAX = 4, 8


def display_name(email: str) -> str:
    """``olga.berg@plant.test`` -> ``Olga Berg``."""
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


def fixed_message_label(parent: QWidget) -> QLabel:
    """A message line that keeps its height whether it holds text or not."""
    label = styled_label("", "late", parent)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


class OperatorSignInPage(QFrame):
    """Badge, or name then PIN; "Email and password" for supervisors."""

    badge_scanned = Signal(str)
    pin_entered = Signal(str, str)  # email, PIN
    password_requested = Signal()

    def __init__(self, station_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.barcode = BarcodeBuffer()
        self.email = ""
        self._busy = False
        self.pages = QStackedWidget(self)
        self.names_page = self._build_names(station_id)
        self.pin_page = self._build_pin()
        self.pages.addWidget(self.names_page)
        self.pages.addWidget(self.pin_page)
        self.message = fixed_message_label(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 16, 32, 16)
        layout.setSpacing(12)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        self.load_names()

    # -- building ----------------------------------------------------------------------------

    def _build_names(self, station_id: str) -> QWidget:
        page = QWidget(self)
        self.title = styled_label(f"Sign in to work at {station_id}", "title", page)
        self.hint = styled_label("Scan your badge, or tap your name:", "muted", page)
        self.filter_label = styled_label("", "muted", page)
        self.name_buttons: list[QPushButton] = []
        grid = QGridLayout()
        grid.setSpacing(12)
        for index in range(NAME_COUNT):
            button = big_button("", "row", page)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, b=button: self.pick(str(b.property("email"))))
            grid.addWidget(button, index // 2, index % 2)
            self.name_buttons.append(button)
        self.password_button = big_button("Email and password", "", page)
        self.password_button.clicked.connect(self.password_requested)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.filter_label)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(self.password_button)
        return page

    def _build_pin(self) -> QWidget:
        page = QWidget(self)
        self.pin_title = styled_label("", "title", page)
        self.pin_display = styled_label("", "display", page)
        self.pin_display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_display.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.pin_keys: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        keys = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
        for index, key in enumerate(keys):
            button = big_button(key, "go" if key == "OK" else "key", page)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.pin_keys[key] = button
        self.pin_keys["⌫"].setAccessibleName("Delete last digit")
        self.back_button = big_button("Back", "", page)
        self.back_button.clicked.connect(self.back)
        top = QHBoxLayout()
        top.addWidget(self.pin_title, 1)
        top.addWidget(self.back_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.pin_display)
        layout.addLayout(grid, 1)
        return page

    # -- names -------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.message.setFixedHeight(self.message.fontMetrics().lineSpacing() * 2 + 8)

    def load_names(self, typed: str = "") -> None:
        """The recent operators whose name or email starts with ``typed``."""
        wanted = typed.strip().lower()
        emails = [
            email
            for email in recent_emails()
            if not wanted
            or email.lower().startswith(wanted)
            or display_name(email).lower().startswith(wanted)
        ]
        shown = [*emails[:NAME_COUNT], *([""] * NAME_COUNT)][:NAME_COUNT]
        for button, email in zip(self.name_buttons, shown, strict=True):
            button.setText(display_name(email))
            button.setToolTip(email)
            button.setProperty("email", email)
            button.setVisible(bool(email))
        self.filter_label.setText(f"Names starting with “{typed}”" if typed else "")
        if not any(shown) and not typed:
            self.hint.setText("Scan your badge (or use email and password):")
        else:
            self.hint.setText("Scan your badge, or tap your name:")

    def pick(self, email: str) -> None:
        """Ask ``email``'s PIN on the big keypad."""
        if not email:
            return
        self.email = email
        self.pin_title.setText(f"PIN for {display_name(email)}")
        self._set_pin("")
        self.message.setText("")
        self.pages.setCurrentWidget(self.pin_page)

    def back(self) -> None:
        self.email = ""
        self._set_pin("")
        self.pages.setCurrentWidget(self.names_page)

    # -- PIN ---------------------------------------------------------------------------------

    @property
    def pin(self) -> str:
        return str(self.pin_display.property("digits") or "")

    def _set_pin(self, digits: str) -> None:
        self.pin_display.setProperty("digits", digits)
        self.pin_display.setText("●" * len(digits) if digits else "PIN")

    def press(self, key: str) -> None:
        if key == "OK":
            self.submit_pin()
        elif key == "⌫":
            self._set_pin(self.pin[:-1])
        elif key.isdigit() and len(self.pin) < PIN_MAX:
            self._set_pin(self.pin + key)

    def submit_pin(self) -> None:
        if self._busy or not self.email:
            return
        if not PIN_MIN <= len(self.pin) <= PIN_MAX:
            self.message.setText(f"A PIN has {PIN_MIN} to {PIN_MAX} digits.")
            return
        pin = self.pin
        self._set_pin("")
        self.set_busy(True)
        self.pin_entered.emit(self.email, pin)

    # -- keys (badge reader, keyboard) -------------------------------------------------------

    def handle_key(self, key: int, text: str) -> None:
        """A key typed anywhere on the page: a badge scan ends with Enter."""
        on_pin = self.pages.currentWidget() is self.pin_page
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.barcode.enter()
            if code and (not on_pin or not code.isdigit()):
                self.scan(code)
            elif on_pin:
                self.submit_pin()
            self.load_names()
            return
        if key == Qt.Key.Key_Escape:
            self.barcode.clear()
            self.back() if on_pin else self.load_names()
            return
        if key == Qt.Key.Key_Backspace and on_pin:
            self.press("⌫")
            return
        if text and text.isprintable():
            self.barcode.type(text)
            if on_pin and text.isdigit():
                self.press(text)
            elif not on_pin and text.isalpha():
                self.load_names(self.barcode.peek())

    def scan(self, code: str) -> None:
        if self._busy:
            return
        self.set_busy(True)
        self.message.setText("")
        self.badge_scanned.emit(code)

    # -- outcome -----------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.pin_keys["OK"].setEnabled(not busy)
        self.pin_keys["OK"].setText("…" if busy else "OK")
        if busy:
            self.message.setText("Checking…")

    def failed(self, message: str) -> None:
        self.set_busy(False)
        self._set_pin("")
        self.message.setText(message)

    def reset(self) -> None:
        """Ready for the next operator."""
        self.set_busy(False)
        self.barcode.clear()
        self.back()
        self.message.setText("")
        self.load_names()
