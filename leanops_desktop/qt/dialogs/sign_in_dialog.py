"""The sign-in dialog: email and password, checked by the database (or its users table).

* The last email that signed in successfully is remembered (QSettings); the password never is.
* A hint appears while Caps Lock seems to be on.
* After each failed attempt the button waits a little longer (1 s, 2 s, 4 s ... 30 s).
* Wrong credentials, a disabled account and an unreachable database each get their own
  message, taken from the service's error; nothing is ever shown as a traceback.
* On the demo database the demo accounts are listed; clicking one fills the form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.enums import Role
from leanops_desktop.core.errors import AuthenticationFailed, LeanOpsError
from leanops_desktop.qt.db_runner import READS, DbRunner, failure_text
from leanops_desktop.qt.dialogs.caps_lock import CapsLockWatcher
from leanops_desktop.qt.messages import MessageBar, MessageService, sentence
from leanops_desktop.qt.theme.resources import app_icon
from leanops_desktop.services.accounts.auth import window_sign_in
from leanops_desktop.services.accounts.signed_in import SignedIn
from leanops_desktop.services.database_target import describe_target

LAST_EMAIL_KEY = "sign_in/last_email"
RETRY_BASE_MS = 1000
RETRY_MAX_MS = 30_000

SignInFunction = Callable[[str, str, str], SignedIn]
DemoAccount = tuple[str, Role, str]


def retry_delay_ms(failures: int, base_ms: int = RETRY_BASE_MS, cap_ms: int = RETRY_MAX_MS) -> int:
    """How long the button waits after ``failures`` failed attempts in a row."""
    if failures <= 0:
        return 0
    return int(min(base_ms * 2 ** (failures - 1), cap_ms))


UNREACHABLE_SIGN_IN = "Could not sign in: the database does not answer. Try again in a moment."


class SignInDialog(QDialog):
    """Ask for the credentials and sign in; :attr:`signed_in` holds the result on accept."""

    def __init__(
        self,
        url: str,
        messages: MessageService,
        *,
        demo_accounts: Sequence[DemoAccount] = (),
        authenticate: SignInFunction = window_sign_in,
        retry_base_ms: int = RETRY_BASE_MS,
        notice: str = "",
        runner: DbRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # The credentials are checked on a runner (connecting may take the whole connect
        # timeout): the dialog stays responsive and says it is signing in meanwhile.
        self._runner = runner if runner is not None else DbRunner(self)
        if runner is None:
            self.finished.connect(lambda _result: self._runner.close())
        self._checking = False
        self.setWindowTitle("Sign in — LeanOps")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(460)
        self._url = url
        self._messages = messages
        self._authenticate = authenticate
        self._retry_base_ms = retry_base_ms
        self.failures = 0
        self.signed_in: SignedIn | None = None
        self._wait_left_ms = 0

        top = self._heading(url)
        form = self._form()
        self._buttons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.message_bar)
        layout.addLayout(form)
        self.demo_box = self._demo_box(demo_accounts) if demo_accounts else None
        if self.demo_box is not None:
            layout.addWidget(self.demo_box)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self.email_edit.textChanged.connect(self._update_button)
        self.password_edit.textChanged.connect(self._update_button)

        last = str(QSettings().value(LAST_EMAIL_KEY, "") or "")
        self.email_edit.setText(last)
        (self.password_edit if last else self.email_edit).setFocus()
        self._update_button()
        if notice:
            self._messages.warning(notice, source=self)

    # -- building --------------------------------------------------------------------------

    def _heading(self, url: str) -> QHBoxLayout:
        """The icon, the title and where the data lives."""
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(48, 48))
        title = QLabel("Sign in to LeanOps", self)
        title.setObjectName("DialogTitle")
        self.target_label = QLabel(describe_target(url), self)
        self.target_label.setObjectName("DialogSubtitle")
        self.target_label.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(self.target_label)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)
        return top

    def _form(self) -> QFormLayout:
        """The message bar, the email and password fields, the Caps Lock hint."""
        self.message_bar = MessageBar(self)
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("name@company.com")
        self.email_edit.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("password")
        self.reveal_button = QPushButton("Show", self)
        self.reveal_button.setCheckable(True)
        self.reveal_button.setToolTip("Show the password while the button is down")
        self.reveal_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reveal_button.toggled.connect(self._reveal)
        password_row = QHBoxLayout()
        password_row.setSpacing(6)
        password_row.addWidget(self.password_edit, 1)
        password_row.addWidget(self.reveal_button)
        self.caps_hint = QLabel("Caps Lock is on", self)
        self.caps_hint.setObjectName("CapsLockHint")
        self.caps_hint.hide()
        self._caps = CapsLockWatcher(self.password_edit)
        self._caps.changed.connect(self.caps_hint.setVisible)
        self._caps_email = CapsLockWatcher(self.email_edit)
        self._caps_email.changed.connect(self.caps_hint.setVisible)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Email:", self.email_edit)
        form.addRow("Password:", password_row)
        form.addRow("", self.caps_hint)
        return form

    def _buttons(self) -> None:
        """Sign in (the default) and Quit."""
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton("Sign in", self)
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)

    # -- demo accounts ---------------------------------------------------------------------

    def _demo_box(self, accounts: Sequence[DemoAccount]) -> QFrame:
        box = QFrame(self)
        box.setObjectName("DemoAccounts")
        grid = QGridLayout(box)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        intro = QLabel("Demo plant: click an account to fill in the form.", box)
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 3)
        self.demo_buttons: list[QPushButton] = []
        for row, (email, role, password) in enumerate(accounts, start=1):
            role_label = QLabel(role.value.capitalize(), box)
            role_label.setObjectName("DialogSubtitle")
            button = QPushButton(email, box)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet("text-align: left; padding: 3px 4px;")
            bold = QFont(button.font())
            bold.setBold(True)
            button.setFont(bold)
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(email) + 30)
            button.setToolTip(f"Sign in as the demo {role.value}")
            button.clicked.connect(lambda _=False, e=email, p=password: self.fill_in(e, p))
            secret = QLabel(f"password: {password}", box)
            secret.setObjectName("DialogSubtitle")
            grid.addWidget(role_label, row, 0)
            grid.addWidget(button, row, 1)
            grid.addWidget(secret, row, 2)
            self.demo_buttons.append(button)
        grid.setColumnStretch(1, 1)
        return box

    def fill_in(self, email: str, password: str) -> None:
        """Put an account into the form (the demo accounts use this)."""
        self.email_edit.setText(email)
        self.password_edit.setText(password)
        self.sign_in_button.setFocus()

    # -- signing in ------------------------------------------------------------------------

    def attempt(self) -> None:
        """Try the credentials; on failure say why and make the next try wait longer."""
        if self._checking or not self.sign_in_button.isEnabled():
            return
        email = self.email_edit.text().strip()
        password = self.password_edit.text()
        url, authenticate = self._url, self._authenticate
        self._checking = True
        self._update_button()
        self._runner.submit(
            lambda: authenticate(url, email, password), self._signed_in, self._refused, lane=READS
        )

    @property
    def checking(self) -> bool:
        """Whether the credentials are being checked."""
        return self._checking

    def _signed_in(self, result: SignedIn) -> None:
        self._checking = False
        QSettings().setValue(LAST_EMAIL_KEY, result.actor.email)
        self.signed_in = result
        self.password_edit.clear()
        self.message_bar.clear()
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._checking = False
        self._update_button()
        if isinstance(error, AuthenticationFailed):
            self._failed(error)
        elif isinstance(error, LeanOpsError):
            self._messages.error(sentence(error.message), source=self)
        else:
            text = failure_text(error, unreachable=UNREACHABLE_SIGN_IN)
            self._messages.error(text.replace("Not saved", "Could not sign in", 1), source=self)

    def _failed(self, error: AuthenticationFailed) -> None:
        self.failures += 1
        self._wait_left_ms = retry_delay_ms(self.failures, self._retry_base_ms)
        self.password_edit.clear()
        self.password_edit.setFocus()
        seconds = max(1, round(self._wait_left_ms / 1000))
        self._messages.error(
            f"{sentence(error.message)} You can try again in {seconds} s.", source=self
        )
        self._timer.start()
        self._update_button()

    def waiting_ms(self) -> int:
        """How long until the next attempt is allowed (0 when it is allowed now)."""
        return self._wait_left_ms

    def _tick(self) -> None:
        self._wait_left_ms = max(0, self._wait_left_ms - self._timer.interval())
        if self._wait_left_ms == 0:
            self._timer.stop()
        self._update_button()

    def _update_button(self) -> None:
        ready = bool(self.email_edit.text().strip()) and bool(self.password_edit.text())
        waiting = self._wait_left_ms > 0
        self.sign_in_button.setEnabled(ready and not waiting and not self._checking)
        if self._checking:
            self.sign_in_button.setText("Signing in…")
        elif waiting:
            self.sign_in_button.setText(f"Sign in ({-(-self._wait_left_ms // 1000)} s)")
        else:
            self.sign_in_button.setText("Sign in")

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.password_edit.setEchoMode(mode)
        self.reveal_button.setText("Hide" if shown else "Show")
