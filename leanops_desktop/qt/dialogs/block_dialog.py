"""Block a station: a reason from the site's list, with optional details."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from leanops_desktop.core.rows import StationRow
from leanops_desktop.core.validation import MAX_REASON_LENGTH, check_text
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService

#: Reasons after which details are required (the reason alone says too little).
NEEDS_DETAILS = frozenset({"other"})


@dataclass(frozen=True, slots=True)
class BlockValues:
    station_id: str
    reason: str


def reason_text(reason: str, details: str) -> str:
    """``"maintenance"`` or ``"maintenance: spindle noise"`` (``"other: …"`` too: the reason
    always leads, so blocked time is counted by reason and details stay details)."""
    details = details.strip()
    return f"{reason}: {details}" if details else reason


class BlockDialog(FormDialog):
    """Pick why the station stops; the reason is stored on the station and in the event."""

    def __init__(
        self,
        messages: MessageService,
        submit: Callable[[BlockValues], object],
        *,
        station: StationRow,
        reasons: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        job = f" Job {station.current_job_id} pauses." if station.current_job_id else ""
        super().__init__(
            messages,
            title=f"Block {station.id}",
            subtitle=f"{station.name} ({station.line}) stops until it is resumed.{job}",
            submit_text="Block station",
            parent=parent,
        )
        self._station_id = station.id
        self.reason_combo = QComboBox(self)
        for reason in reasons:
            self.reason_combo.addItem(reason.capitalize(), reason)
        # No reason is chosen for the user: a preselected one would be recorded unread.
        self.reason_combo.setPlaceholderText("Choose a reason…")
        self.reason_combo.setCurrentIndex(-1)
        self.details_edit = QLineEdit(self)
        self.details_edit.setPlaceholderText("what happened (optional)")
        self.details_edit.setMaxLength(MAX_REASON_LENGTH)
        self.add_field("Reason", self.reason_combo, self._check_reason)
        self.add_field("Details", self.details_edit, self._check_details)
        self.reason_combo.currentIndexChanged.connect(self._reason_changed)
        self.watch(self.reason_combo, self.reason_combo.currentIndexChanged)
        self.watch(self.details_edit, self.details_edit.textEdited)
        self.set_submit(lambda: submit(self.values()))
        self.revalidate()

    def reason(self) -> str:
        return str(self.reason_combo.currentData() or "")

    def values(self) -> BlockValues:
        return BlockValues(
            station_id=self._station_id,
            reason=reason_text(self.reason(), self.details_edit.text()),
        )

    def _reason_changed(self) -> None:
        needed = self.reason() in NEEDS_DETAILS
        self.details_edit.setPlaceholderText(
            "what happened (required)" if needed else "what happened (optional)"
        )
        self.revalidate()

    def _check_reason(self) -> object:
        return None if self.reason() else Problem("choose why the station stops")

    def _check_details(self) -> object:
        details = self.details_edit.text()
        if self.reason() in NEEDS_DETAILS and not details.strip():
            return Problem("say what happened")
        check_text("reason", self.values().reason, max_length=MAX_REASON_LENGTH)
        return None
