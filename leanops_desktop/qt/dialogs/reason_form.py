"""Add or change one downtime reason: its name and category (the id is fixed once made).

A new top-level reason's id is its name; a sub-reason's id is ``parent/name`` (the path
``services.quality.reasons`` expects). The form refuses a name holding "/" and an id the
tree already has, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.core.validation import check_text
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.quality.reasons import ReasonRow

CATEGORY_TEXTS: dict[ReasonCategory, str] = {
    ReasonCategory.PLANNED_STOP: "Planned stop (not planned time)",
    ReasonCategory.UNPLANNED_STOP: "Unplanned stop",
    ReasonCategory.CHANGEOVER: "Changeover",
    ReasonCategory.QUALITY: "Quality",
    ReasonCategory.NO_WORK: "No work / no operator",
}


@dataclass(frozen=True, slots=True)
class ReasonValues:
    """What the reason form holds, ready for ``reasons.save_reason``."""

    reason_id: str
    parent_id: str | None
    name: str
    category: ReasonCategory
    is_active: bool


class ReasonForm(FormDialog):
    """New reason (``reason=None``, under ``parent_id`` or top-level) or change one."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[ReasonValues], object],
        *,
        reason: ReasonRow | None = None,
        parent_id: str | None = None,
        taken_ids: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        if reason is not None:
            title, subtitle = f"Edit reason {reason.id}", "The id stays; stops keep their reason."
        elif parent_id is not None:
            title, subtitle = f"New reason under {parent_id}", "A second-level reason."
        else:
            title, subtitle = "New reason", "A top-level reason (it may get sub-reasons)."
        super().__init__(
            messages,
            title=title,
            subtitle=subtitle,
            submit_text="Save" if reason else "Add reason",
            parent=parent,
        )
        self._reason = reason
        self._parent_id = reason.parent_id if reason else parent_id
        self._taken = frozenset(taken_ids)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Spindle fault")
        self.category_combo = QComboBox(self)
        for category, text in CATEGORY_TEXTS.items():
            self.category_combo.addItem(text, category.value)
        if reason is not None:
            self.name_edit.setText(reason.name)
            self.category_combo.setCurrentIndex(self.category_combo.findData(reason.category.value))
        self.add_field("Name", self.name_edit, self._check_name)
        self.add_field("Category", self.category_combo)
        self.watch(self.name_edit, self.name_edit.textEdited)
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()
        self.name_edit.setFocus()

    def reason_id(self) -> str:
        """The id the reason has (or will have)."""
        if self._reason is not None:
            return self._reason.id
        name = self.name_edit.text().strip()
        return f"{self._parent_id}/{name}" if self._parent_id else name

    def values(self) -> ReasonValues:
        return ReasonValues(
            reason_id=self.reason_id(),
            parent_id=self._parent_id,
            name=self.name_edit.text().strip(),
            category=ReasonCategory(self.category_combo.currentData()),
            is_active=self._reason.is_active if self._reason else True,
        )

    def _check_name(self) -> object:
        name = check_text("name", self.name_edit.text())
        if self._reason is None:
            if "/" in name:
                return Problem("a name may not hold '/' (it separates the two levels)")
            if self.reason_id() in self._taken:
                return Problem(f"{self.reason_id()} already exists: choose another name")
        return None
