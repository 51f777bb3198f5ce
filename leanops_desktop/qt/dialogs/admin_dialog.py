"""What the admins' editors (users, downtime reasons, shift calendar) share: a non-blocking
dialog whose reads and writes run on a runner (the window's, or one of its own that ends with
the dialog), and one way to say a failure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import DbRunner, failure_text, is_connection_error
from leanops_desktop.qt.messages import MessageService

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database


class AdminDialog(QDialog):
    """A non-blocking editor (open it with ``open()``) over ``db`` for ``actor``."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        parent: QWidget | None,
        runner: DbRunner | None,
        *,
        title: str,
        size: tuple[int, int],
    ) -> None:
        super().__init__(parent)
        self._runner = runner if runner is not None else DbRunner(self)
        if runner is None:
            self.finished.connect(lambda _result: self._runner.close())
        self.setWindowTitle(f"{title} — LeanOps")
        self.resize(*size)
        self._db, self._actor, self._messages = db, actor, messages

    def say_failure(self, error: BaseException, unreachable: str) -> None:
        """A refusal in the service's words; anything else (no connection, a bug) as a
        sentence, ``unreachable`` when the database does not answer."""
        if isinstance(error, LeanOpsError) and not is_connection_error(error):
            self._messages.refused(error, source=self)
        else:
            self._messages.error(failure_text(error, unreachable=unreachable), source=self)
