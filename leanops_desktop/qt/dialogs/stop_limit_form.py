"""Set one line's or station's own quiet limit: which one, and how many minutes (0 = off)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService

#: The longest quiet limit the database takes (a day).
MAX_MINUTES = 1440


def minutes_text(minutes: int) -> str:
    """``"off"`` for 0, else ``"20 min"``."""
    return "off" if minutes == 0 else f"{minutes} min"


class LimitForm(FormDialog):
    """A new override (choose the line or station) or a change of one (it is fixed)."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[str, int], object],
        *,
        kind: str,
        choices: Sequence[str],
        minutes: int,
        parent: QWidget | None = None,
    ) -> None:
        noun = "line" if kind == "line" else "station"
        changing = len(choices) == 1
        super().__init__(
            messages,
            title=f"Quiet limit of {noun} {choices[0]}" if changing else f"New {noun} limit",
            subtitle="Minutes without a report before an unexplained stop; 0 turns it off.",
            submit_text="Save",
            parent=parent,
        )
        self.key_combo = QComboBox(self)
        self.key_combo.addItems(list(choices))
        self.key_combo.setEnabled(not changing)
        self.minutes_spin = QSpinBox(self)
        self.minutes_spin.setRange(0, MAX_MINUTES)
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setSpecialValueText("off")
        self.minutes_spin.setValue(minutes)
        self.add_field(noun.capitalize(), self.key_combo, self._check_key)
        self.add_field("Quiet limit", self.minutes_spin)
        self._noun = noun
        self.set_submit(lambda: submit(self.key_combo.currentText(), self.minutes_spin.value()))
        self.revalidate()

    def _check_key(self) -> object:
        if self.key_combo.count() == 0:
            return Problem(f"every {self._noun} has its own limit already")
        return None
