"""What the users dialog does about kiosk sign-in: set a PIN (also how a locked account is
unlocked), set or clear a badge. Each change runs on the runner's writes lane through
``services.kiosk.operator_credentials``; the dialog's list is re-read afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.db_runner import WRITES, DbRunner, Job
from leanops_desktop.qt.dialogs.credential_forms import SetBadgeDialog, SetPinDialog
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.kiosk import operator_credentials

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database
    from leanops_desktop.qt.dialogs.users_dialog import UsersDialog


class KioskSignInActions:
    """Set PIN…, Set badge…, Clear badge and Unlock… for the account selected in ``dialog``."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        runner: DbRunner,
        dialog: UsersDialog,
    ) -> None:
        self._db = db
        self._actor = actor
        self._messages = messages
        self._runner = runner
        self._dialog = dialog

    def _write_credential(
        self, email: str, change: Callable[[Session], None], done: str, *, in_form: bool = False
    ) -> Job[None]:
        """Run one kiosk credential change on the writes lane, then re-read the list."""
        db = self._db

        def run() -> None:
            with db.session() as session:
                change(session)

        def succeeded(_nothing: None) -> None:
            self._dialog.reload(select=email)
            self._messages.info(done, source=self._dialog)

        def failed(error: BaseException) -> None:
            if not in_form:
                self._dialog.say_failure(error)

        return self._runner.submit(run, succeeded, failed, lane=WRITES)

    def open_set_pin(self, *, unlock: bool = False) -> None:
        row = self._dialog.selected()
        if row is None:
            return
        email, actor = row.email, self._actor
        done = f"{email} is unlocked with a new PIN." if unlock else f"The PIN of {email} is set."

        def submit(pin: str) -> Job[None]:
            return self._write_credential(
                email,
                lambda session: operator_credentials.set_pin(session, actor, email, pin),
                done,
                in_form=True,
            )

        form = SetPinDialog(self._messages, submit, email=email, unlock=unlock, parent=self._dialog)
        self._dialog.show_form(form)

    def open_set_badge(self) -> None:
        row = self._dialog.selected()
        if row is None:
            return
        email, actor = row.email, self._actor
        kiosk = self._dialog.credentials.get(email)

        def submit(code: str) -> Job[None]:
            return self._write_credential(
                email,
                lambda session: operator_credentials.set_badge(session, actor, email, code),
                f"The badge of {email} is set.",
                in_form=True,
            )

        replaces = bool(kiosk and kiosk.has_badge)
        form = SetBadgeDialog(
            self._messages, submit, email=email, replaces=replaces, parent=self._dialog
        )
        self._dialog.show_form(form)

    def clear_badge(self) -> None:
        row = self._dialog.selected()
        if row is None:
            return
        email, actor = row.email, self._actor
        if not self._messages.confirm(
            f"Clear the badge of {email}? It stops working at every kiosk at once.",
            accept_text="Clear badge",
            source=self._dialog,
        ):
            return
        self._write_credential(
            email,
            lambda session: operator_credentials.set_badge(session, actor, email, None),
            f"{email} has no badge any more.",
        )
