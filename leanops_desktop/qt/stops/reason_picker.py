"""The reason picker of "Classify…": the active reasons of the tree, two levels, with their
categories. Choosing one sends it on the runner's writes lane; the picker closes when the
database took it and stays open, saying why in plain words, when it was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import Job, is_connection_error
from leanops_desktop.qt.dialogs.form_dialog import FormDialog, Problem
from leanops_desktop.qt.messages import MessageService, sentence
from leanops_desktop.qt.stops.stop_text import CATEGORY_WORDS, StopLike, reason_text
from leanops_desktop.services.quality.reasons import ReasonRow

REASON_ROLE = Qt.ItemDataRole.UserRole
UNREACHABLE_CLASSIFY = "Not classified: the database does not answer. Try again when it is back."
REFUSED_CLASSIFY = "The database refused to classify this stop. Nothing was changed."


def active_reason_tree(rows: Sequence[ReasonRow]) -> list[tuple[ReasonRow, list[ReasonRow]]]:
    """The active reasons as (top level, its active leaves), by name; a leaf whose parent is
    retired stands at the top level."""
    active = [row for row in rows if row.is_active]
    tops = {row.id: row for row in active if row.parent_id is None}
    leaves: dict[str, list[ReasonRow]] = {key: [] for key in tops}
    orphans: list[ReasonRow] = []
    for row in active:
        if row.parent_id is None:
            continue
        if row.parent_id in leaves:
            leaves[row.parent_id].append(row)
        else:
            orphans.append(row)
    tree = [(top, sorted(leaves[top.id], key=_by_name)) for top in tops.values()]
    tree += [(orphan, []) for orphan in orphans]
    return sorted(tree, key=lambda pair: _by_name(pair[0]))


def classify_failure_text(error: BaseException) -> str:
    """A failed classification in plain words: the service's refusal, else a sentence
    (never the driver's text)."""
    if is_connection_error(error):
        return UNREACHABLE_CLASSIFY
    if isinstance(error, LeanOpsError):
        return error.message
    return REFUSED_CLASSIFY


def _by_name(row: ReasonRow) -> str:
    return row.name.lower()


class ReasonPicker(FormDialog):
    """Pick the reason of one stop; ``submit(reason_id)`` runs the classification."""

    def __init__(
        self,
        messages: MessageService,
        stop: StopLike,
        reasons: Sequence[ReasonRow],
        submit: Callable[[str], Job[bool]],
        *,
        subtitle: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            messages,
            title=f"Classify the stop of {stop.station_id}",
            subtitle=subtitle,
            submit_text="Classify",
            parent=parent,
        )
        self.setMinimumWidth(520)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(("Reason", "Category"))
        self.tree.setAccessibleName("Downtime reasons")
        self.tree.setMinimumHeight(260)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._fill(active_reason_tree(reasons), stop.reason_id)
        self.add_field("Reason", self.tree, self._check_reason)
        self.tree.currentItemChanged.connect(lambda *_: self.revalidate())
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())
        self.set_submit(lambda: submit(self.chosen_reason() or ""))
        self.revalidate()
        self.tree.setFocus()

    def _fill(self, tree: list[tuple[ReasonRow, list[ReasonRow]]], current: str | None) -> None:
        for top, leaves in tree:
            item = self._item(top, None)
            for leaf in leaves:
                self._item(leaf, item)
        self.tree.expandAll()
        if current is not None:
            self.choose(current)

    def _item(self, row: ReasonRow, holder: QTreeWidgetItem | None) -> QTreeWidgetItem:
        cells = [row.name, CATEGORY_WORDS.get(row.category, row.category.value)]
        item = QTreeWidgetItem(holder, cells) if holder else QTreeWidgetItem(cells)
        if holder is None:
            self.tree.addTopLevelItem(item)
        item.setData(0, REASON_ROLE, row.id)
        item.setToolTip(0, row.id)
        return item

    def reason_ids(self) -> list[str]:
        """Every reason offered, top levels before their leaves."""
        flags = Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive
        return [str(item.data(0, REASON_ROLE)) for item in self.tree.findItems("*", flags)]

    def choose(self, reason_id: str) -> bool:
        """Make ``reason_id`` the chosen reason; False when it is not offered."""
        flags = Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive
        for item in self.tree.findItems("*", flags):
            if item.data(0, REASON_ROLE) == reason_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def chosen_reason(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else str(item.data(0, REASON_ROLE))

    def _check_reason(self) -> object:
        return None if self.chosen_reason() else Problem("choose the reason of the stop")

    def _failed(self, error: BaseException) -> None:
        """Stay open and say why, in plain words."""
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        self._messages.error(sentence(classify_failure_text(error)), source=self)


def picker_subtitle(stop: StopLike, times: str) -> str:
    """``"14:05–open, 35 min. Now: Unexplained."``"""
    return f"{times}. Now: {reason_text(stop)}."
