"""The base of every LeanOps form: fields checked as you type, service errors kept in view.

A form has a title, a :class:`MessageBar` for what the service refused, one hint line under
each field, and a submit button that stays disabled while a field is invalid. The submit
callback runs the service; when it raises a :class:`LeanOpsError` the dialog stays open with
everything the user typed and shows the message.

A submit callback that hands back a :class:`~leanops_desktop.qt.db_runner.Job` (the save runs
on the runner's ``writes`` lane) leaves the dialog waiting without blocking: its buttons are
disabled and say "Saving…" until the answer comes. On success the dialog closes; on failure
it stays open and says what happened: the service's own message for a refusal, or
:data:`~leanops_desktop.qt.db_runner.UNREACHABLE` when the database did not answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import Job, failure_text, is_connection_error
from leanops_desktop.qt.messages import MessageBar, MessageService

SAVING_TEXT = "Saving…"
SAVING_TIP = "Saving: waiting for the database to answer."


class Problem(str):
    """What a field check returns when the value cannot be submitted."""

    __slots__ = ()


class Note(str):
    """What a field check returns for a remark that does not stop submitting."""

    __slots__ = ()


#: A field check: raises a LeanOpsError (e.g. ValidationError) or returns a
#: :class:`Problem` when the value is wrong, a :class:`Note` for a remark; anything else
#: (the validated value, None) means the value is fine.
Check = Callable[[], object]


@dataclass(slots=True)
class _Field:
    label: str
    widget: QWidget
    hint: QLabel
    check: Check | None
    touched: bool = False


class FormDialog(QDialog):
    """Title, message bar, form rows with hints, and Cancel / submit buttons."""

    def __init__(
        self,
        messages: MessageService,
        *,
        title: str,
        subtitle: str = "",
        submit_text: str = "Save",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self._messages = messages
        self._fields: list[_Field] = []
        self._submit: Callable[[], object] | None = None
        self._submit_text = submit_text
        self._saving = False
        self.result_value: object = None

        heading = QLabel(title, self)
        heading.setObjectName("DialogTitle")
        self._subtitle = QLabel(subtitle, self)
        self._subtitle.setObjectName("DialogSubtitle")
        self._subtitle.setWordWrap(True)
        self._subtitle.setVisible(bool(subtitle))
        self.message_bar = MessageBar(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setVerticalSpacing(2)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.submit_button = QPushButton(submit_text, self)
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self._subtitle)
        layout.addWidget(self.message_bar)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # -- building ------------------------------------------------------------------------

    def add_field(self, label: str, widget: QWidget, check: Check | None = None) -> QLabel:
        """Add a row; ``check`` runs on every edit. Returns the hint label under the field."""
        hint = QLabel(self)
        hint.setObjectName("FieldHint")
        hint.setWordWrap(True)
        hint.hide()
        column = QVBoxLayout()
        column.setSpacing(2)
        column.setContentsMargins(0, 0, 0, 6)
        column.addWidget(widget)
        column.addWidget(hint)
        self.form.addRow(f"{label}:", column)
        self._fields.append(_Field(label=label, widget=widget, hint=hint, check=check))
        return hint

    def hint(self, label: str) -> QLabel:
        """The hint line under the field called ``label``."""
        for field in self._fields:
            if field.label == label:
                return field.hint
        raise KeyError(label)

    def set_submit(self, submit: Callable[[], object]) -> None:
        """What the submit button does (calls a service); errors it raises keep the dialog."""
        self._submit = submit

    def touch(self, widget: QWidget) -> None:
        """Mark a field as edited, so its problems show from now on."""
        for field in self._fields:
            if field.widget is widget:
                field.touched = True
        self.revalidate()

    def watch(self, widget: QWidget, signal: Any) -> None:
        """Re-check the form whenever ``signal`` (an edit signal of ``widget``) fires."""
        signal.connect(lambda *_: self.touch(widget))

    # -- checking ------------------------------------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field label -> what is wrong with it (empty when the form may be submitted)."""
        found: dict[str, str] = {}
        for field in self._fields:
            problem, _note = self._run_check(field)
            if problem:
                found[field.label] = problem
        return found

    def revalidate(self, *, show_all: bool = False) -> bool:
        """Check every field, update the hints and the submit button; True when valid."""
        valid = True
        first_problem = ""
        for field in self._fields:
            problem, note = self._run_check(field)
            shown = field.touched or show_all
            if problem:
                valid = False
                first_problem = first_problem or f"{field.label}: {problem}"
            text = problem if problem and shown else note
            field.hint.setText(text)
            field.hint.setProperty("ok", not problem)
            field.hint.style().unpolish(field.hint)
            field.hint.style().polish(field.hint)
            field.hint.setVisible(bool(text))
        self.submit_button.setEnabled(valid and not self._saving)
        self.submit_button.setToolTip(SAVING_TIP if self._saving else first_problem)
        self._grow_to_fit()
        return valid

    def _grow_to_fit(self) -> None:
        """Make room for hint lines that appeared (never shrink under the user's hands)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(self.width(), needed)

    @staticmethod
    def _run_check(field: _Field) -> tuple[str, str]:
        if field.check is None:
            return "", ""
        try:
            result = field.check()
        except LeanOpsError as exc:
            return _strip_field(exc.message), ""
        if isinstance(result, Problem):
            return str(result), ""
        if isinstance(result, Note):
            return "", str(result)
        return "", ""

    # -- submitting ----------------------------------------------------------------------

    @property
    def saving(self) -> bool:
        """Whether a save was sent and its answer is still to come."""
        return self._saving

    def accept(self) -> None:
        """Submit: on success close; when the service refuses, show why and keep the form."""
        if self._saving or not self.revalidate(show_all=True):
            return
        if self._submit is not None:
            try:
                outcome = self._submit()
            except LeanOpsError as exc:
                self._messages.refused(exc, source=self)
                return
            if isinstance(outcome, Job):
                self._set_saving(True)
                outcome.then(self._saved, self._failed)
                return
            self.result_value = outcome
        self.message_bar.clear()
        super().accept()

    def reject(self) -> None:
        """Cancel (Esc, the close button): not while a save is under way."""
        if not self._saving:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
            return
        super().closeEvent(event)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.submit_button.setText(SAVING_TEXT if saving else self._submit_text)
        for button in self.buttons.buttons():
            if button is not self.submit_button:
                button.setEnabled(not saving)
                button.setToolTip(SAVING_TIP if saving else "")
        if saving:
            self.submit_button.setEnabled(False)
            self.submit_button.setToolTip(SAVING_TIP)
        else:
            self.revalidate()

    def _saved(self, value: object) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        self.result_value = value
        self.message_bar.clear()
        super().accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        if isinstance(error, LeanOpsError) and not is_connection_error(error):
            self._messages.refused(error, source=self)
        else:
            self._messages.error(failure_text(error), source=self)


def _strip_field(message: str) -> str:
    """``"job id: must not be empty"`` -> ``"must not be empty"`` (the label says which)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and len(head) <= 24 and rest else message
