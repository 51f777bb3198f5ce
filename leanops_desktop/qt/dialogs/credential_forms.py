"""Forms of the users dialog for kiosk sign-in: set a PIN (also how an account is unlocked),
set a badge code."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QWidget

from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.kiosk.operator_credentials import check_badge, check_pin

PIN_SUBTITLE = (
    "The operator signs in at a kiosk with their email and this PIN. The old PIN stops"
    " working at once, also on kiosks that cached it for offline sign-in."
)
UNLOCK_SUBTITLE = (
    "The kiosk locked this account after 10 wrong PINs in a row: someone may have been"
    " guessing it, so it is unlocked by giving a new PIN (tell the operator in person)."
)


class SetPinDialog(FormDialog):
    """A new PIN, typed twice (4 to 12 digits, never shown)."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[str], object],
        *,
        email: str,
        unlock: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title=f"Unlock {email}" if unlock else f"Set PIN of {email}",
            subtitle=UNLOCK_SUBTITLE if unlock else PIN_SUBTITLE,
            submit_text="Unlock with new PIN" if unlock else "Set PIN",
            parent=parent,
        )
        self.pin_edit = self._pin_field()
        self.repeat_edit = self._pin_field()
        self.add_field("PIN", self.pin_edit, lambda: check_pin(self.pin_edit.text()))
        self.add_field("Repeat", self.repeat_edit, self._check_same)
        self.watch(self.pin_edit, self.pin_edit.textEdited)
        self.watch(self.repeat_edit, self.repeat_edit.textEdited)
        self.set_submit(lambda: submit(self.pin_edit.text()))
        self.revalidate()
        self.pin_edit.setFocus()

    def _pin_field(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setMaxLength(12)
        edit.setPlaceholderText("4 to 12 digits")
        return edit

    def _check_same(self) -> object:
        if self.pin_edit.text() != self.repeat_edit.text():
            return Problem("the two PINs differ")
        return None


class SetBadgeDialog(FormDialog):
    """A badge code, typed or scanned into the field (a scanner types and presses Enter)."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[str], object],
        *,
        email: str,
        replaces: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        subtitle = "Scan the badge or type its code."
        if replaces:
            subtitle += " The badge this account has now stops working at once."
        super().__init__(
            messages,
            title=f"Set badge of {email}",
            subtitle=subtitle,
            submit_text="Set badge",
            parent=parent,
        )
        self.code_edit = QLineEdit(self)
        self.code_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.code_edit.setMaxLength(128)
        self.add_field("Badge", self.code_edit, lambda: check_badge(self.code_edit.text()))
        self.watch(self.code_edit, self.code_edit.textEdited)
        self.set_submit(lambda: submit(self.code_edit.text()))
        self.revalidate()
        self.code_edit.setFocus()
