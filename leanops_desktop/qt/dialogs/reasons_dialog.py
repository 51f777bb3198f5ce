"""Admin ▸ Downtime reasons: the two-level reason tree; add, rename, recategorise, deactivate.

Every read and change runs on the runner's lanes through ``services.quality.reasons`` (which
checks the role, writes the ``downtime_reason_saved`` event, and on PostgreSQL calls the
database's own function, which refuses non-admins too). The tree is re-read after a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.db_runner import (
    READS,
    WRITES,
    DbRunner,
    Job,
)
from leanops_desktop.qt.dialogs.admin_dialog import AdminDialog
from leanops_desktop.qt.dialogs.reason_form import CATEGORY_TEXTS, ReasonForm, ReasonValues
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.quality import reasons
from leanops_desktop.services.quality.reasons import ReasonRow

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

TREE_COLUMNS = ("Reason", "Category", "State", "Id")
UNREACHABLE_REASONS = "Could not read the downtime reasons: the database does not answer."


class ReasonsDialog(AdminDialog):
    """The reason tree for admins; non-blocking (open it with ``open()``)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        parent: QWidget | None = None,
        *,
        runner: DbRunner | None = None,
    ) -> None:
        super().__init__(
            db, actor, messages, parent, runner, title="Downtime reasons", size=(880, 480)
        )
        self.rows: list[ReasonRow] = []
        self.active_form: ReasonForm | None = None
        title = QLabel("Downtime reasons", self)
        title.setObjectName("DialogTitle")
        note = QLabel(
            "Two levels. A stop whose reason is a reason id counts in OEE by its category.", self
        )
        note.setObjectName("DialogSubtitle")
        note.setWordWrap(True)
        self.message_bar = MessageBar(self)
        self.tree = self._tree()
        body = QHBoxLayout()
        body.addWidget(self.tree, 1)
        body.addLayout(self._side_buttons())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.message_bar)
        layout.addLayout(body, 1)
        self.reload()

    def _tree(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setColumnCount(len(TREE_COLUMNS))
        tree.setHeaderLabels(TREE_COLUMNS)
        tree.setAlternatingRowColors(True)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tree.itemSelectionChanged.connect(self._update_buttons)
        tree.itemDoubleClicked.connect(lambda *_: self.edit_selected())
        return tree

    def _side_buttons(self) -> QVBoxLayout:
        self.add_button = QPushButton("Add reason…", self)
        self.add_button.clicked.connect(lambda: self.open_form(None, parent_id=None))
        self.add_sub_button = QPushButton("Add sub-reason…", self)
        self.add_sub_button.clicked.connect(self.add_sub_reason)
        self.edit_button = QPushButton("Rename / category…", self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button = QPushButton("Deactivate", self)
        self.active_button.clicked.connect(self.toggle_active)
        side = QVBoxLayout()
        for button in (self.add_button, self.add_sub_button, self.edit_button, self.active_button):
            button.setMinimumWidth(170)
            side.addWidget(button)
        side.addStretch(1)
        return side

    # -- reading -------------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        db = self._db

        def read() -> list[ReasonRow]:
            with db.session() as session:
                return reasons.list_reasons(session)

        keep = keep if keep is not None else self.selected_id()
        self._runner.submit(
            read, lambda rows: self._show_rows(rows, keep),
            lambda error: self.say_failure(error, UNREACHABLE_REASONS), lane=READS,
        )  # fmt: skip

    def _show_rows(self, rows: list[ReasonRow], keep: str | None) -> None:
        self.rows = rows
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        for row in rows:  # parents come before their leaves (ordered by id path)
            holder = items.get(row.parent_id) if row.parent_id else None
            cells = [
                row.name,
                CATEGORY_TEXTS[row.category],
                "active" if row.is_active else "inactive",
                row.id,
            ]
            item = QTreeWidgetItem(holder, cells) if holder else QTreeWidgetItem(cells)
            if holder is None:
                self.tree.addTopLevelItem(item)
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            if not row.is_active:
                font = QFont(item.font(0))
                font.setItalic(True)
                for column in range(len(TREE_COLUMNS)):
                    item.setFont(column, font)
            items[row.id] = item
        self.tree.expandAll()
        if keep in items:
            self.tree.setCurrentItem(items[keep])
        self._update_buttons()

    def selected(self) -> ReasonRow | None:
        reason_id = self.selected_id()
        return next((row for row in self.rows if row.id == reason_id), None)

    def selected_id(self) -> str | None:
        chosen = self.tree.selectedItems()
        return str(chosen[0].data(0, Qt.ItemDataRole.UserRole)) if chosen else None

    def select_id(self, reason_id: str) -> None:
        flags = Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive
        for item in self.tree.findItems("*", flags):
            if item.data(0, Qt.ItemDataRole.UserRole) == reason_id:
                self.tree.setCurrentItem(item)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.add_sub_button.setEnabled(row is not None and row.parent_id is None)
        self.add_sub_button.setToolTip(
            "" if row and row.parent_id is None else "select a top-level reason"
        )
        self.edit_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None)
        self.active_button.setText("Activate" if row and not row.is_active else "Deactivate")

    # -- changing ------------------------------------------------------------------------

    def add_sub_reason(self) -> None:
        row = self.selected()
        if row is not None and row.parent_id is None:
            self.open_form(None, parent_id=row.id)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_form(row, parent_id=row.parent_id)

    def open_form(self, reason: ReasonRow | None, *, parent_id: str | None) -> ReasonForm:
        form = ReasonForm(
            self._messages,
            lambda values: self.save(values, in_form=True),
            reason=reason,
            parent_id=parent_id,
            taken_ids=[row.id for row in self.rows],
            parent=self,
        )
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.active_form = form
        form.open()
        return form

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.save(ReasonValues(row.id, row.parent_id, row.name, row.category, not row.is_active))

    def save(self, values: ReasonValues, *, in_form: bool = False) -> Job[bool]:
        """Save on the writes lane; then re-read the tree and say what changed (a form
        shows its own refusals)."""
        db, actor = self._db, self._actor

        def write() -> bool:
            with db.session() as session:
                return reasons.save_reason(
                    session,
                    actor,
                    reason_id=values.reason_id,
                    name=values.name,
                    category=values.category,
                    parent_id=values.parent_id,
                    is_active=values.is_active,
                )

        def saved(changed: bool) -> None:
            self.reload(keep=values.reason_id)
            if changed:
                state = "" if values.is_active else " (inactive)"
                self._messages.info(f"Saved the reason {values.reason_id}{state}.", source=self)

        def failed(error: BaseException) -> None:
            if not in_form:
                self.say_failure(error, UNREACHABLE_REASONS)
            self.reload()

        return self._runner.submit(write, saved, failed, lane=WRITES)
