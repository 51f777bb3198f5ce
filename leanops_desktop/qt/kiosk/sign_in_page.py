"""Signing in at the kiosk: email and password in large fields, recent operators one tap away.

The password is never stored; the emails of the last few operators who signed in here are
(QSettings), so a returning operator taps their name and types only the password. After
each failed attempt the button waits a little longer (1 s, 2 s, 4 s ... 30 s).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from leanops_desktop.qt.dialogs.sign_in_dialog import retry_delay_ms
from leanops_desktop.qt.kiosk.widgets import big_button, styled_label

RECENT_KEY = "kiosk/recent_emails"
RECENT_COUNT = 4


def recent_emails() -> list[str]:
    """The emails that signed in here last, newest first (INI files return one as text)."""
    value = QSettings().value(RECENT_KEY, [])
    if isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, list):
        return []
    return [str(email) for email in value if email]


class SignInPage(QFrame):
    """Email, password and a big "Sign in" button."""

    sign_in_requested = Signal(str, str)  # email, password

    def __init__(self, station_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = styled_label(f"Sign in to work at {station_id}", "title", self)
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("email")
        self.email.setAccessibleName("Email")
        self.password = QLineEdit(self)
        self.password.setPlaceholderText("password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.email.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.sign_in_button = big_button("Sign in", "go", self)
        self.sign_in_button.clicked.connect(self.submit)
        self.error = styled_label("", "late", self)
        self.error.setWordWrap(True)
        self.waiting = styled_label("", "muted", self)
        self.waiting.setWordWrap(True)
        self.recent_heading = styled_label(
            "Tap your email, then type your password:", "muted", self
        )
        self.recent_buttons: list[QPushButton] = []
        recent = QGridLayout()
        recent.setSpacing(12)
        for index in range(RECENT_COUNT):
            button = big_button("", "row", self)
            button.clicked.connect(lambda _=False, b=button: self._pick(b.text()))
            button.hide()
            recent.addWidget(button, index // 2, index % 2)
            self.recent_buttons.append(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.setSpacing(14)
        layout.addWidget(self.title)
        layout.addWidget(self.recent_heading)
        layout.addLayout(recent)
        layout.addWidget(self.email)
        layout.addWidget(self.password)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.error)
        layout.addWidget(self.waiting)
        layout.addStretch(1)
        self._failures = 0
        self._busy = False
        self._cooldown = QTimer(self)
        self._cooldown.setSingleShot(True)
        self._cooldown.timeout.connect(self._update_button)
        self.load_recent()

    def load_recent(self) -> None:
        emails = recent_emails()
        for button, email in zip(
            self.recent_buttons, [*emails, *([""] * RECENT_COUNT)], strict=False
        ):
            button.setText(email)
            button.setVisible(bool(email))
        self.recent_heading.setVisible(bool(emails))

    def remember(self, email: str) -> None:
        """Put ``email`` first among the recent operators (called after a good sign-in)."""
        emails = [email, *[e for e in recent_emails() if e != email]][:RECENT_COUNT]
        QSettings().setValue(RECENT_KEY, emails)
        self.load_recent()

    def _pick(self, email: str) -> None:
        self.email.setText(email)
        self.password.clear()
        self.password.setFocus()

    def submit(self) -> None:
        if self._busy or self._cooldown.isActive():
            return
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.error.setText("Type your email and password.")
            return
        self._busy = True
        self.error.setText("")
        self._update_button()
        self.sign_in_requested.emit(email, password)

    def failed(self, message: str) -> None:
        self._busy = False
        self._failures += 1
        self.password.clear()
        self.password.setFocus()
        self.error.setText(message[0].upper() + message[1:] if message else "Sign-in failed.")
        self._cooldown.start(retry_delay_ms(self._failures))
        self._update_button()

    def reset(self, *, keep_email: bool = False) -> None:
        """Ready for the next operator (after a sign-in or a sign-out)."""
        self._busy = False
        self._failures = 0
        self._cooldown.stop()
        if not keep_email:
            self.email.clear()
        self.password.clear()
        self.error.setText("")
        self._update_button()

    def set_waiting(self, pending: int) -> None:
        self.waiting.setText(
            f"{pending} report(s) from this kiosk wait to be sent; they go out as soon as "
            "someone signs in."
            if pending
            else ""
        )

    def _update_button(self) -> None:
        busy = self._busy or self._cooldown.isActive()
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if self._busy else "Sign in")
