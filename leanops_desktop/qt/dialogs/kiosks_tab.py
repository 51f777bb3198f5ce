"""The Kiosks tab of the users dialog: every enrolled kiosk PC, and Revoke.

Enrolling is done on the kiosk PC itself (``leanops kiosk enroll``, docs/deploy.md), since
its credential must land in that PC's own protected file; the tab shows the result and
revokes a kiosk (lost or replaced PC). Reads and the revocation run on the runner's lanes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.db_runner import READS, UNREACHABLE, WRITES, DbRunner
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.kiosk import kiosk_admin, kiosk_devices
from leanops_desktop.services.kiosk.kiosk_admin import KioskSeen

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

KIOSK_COLUMNS = ("Station", "Kiosk", "Enrolled", "Enrolled by", "Last seen", "State")
UNREACHABLE_KIOSKS = "Could not read the kiosks: the database does not answer."
HOW_TO_ENROL = (
    "A kiosk PC is enrolled on the PC itself: an admin runs"
    " 'leanops kiosk enroll --station ST-01' there (see the deployment guide)."
)
FailureHandler = Callable[[BaseException, str], None]


def when(moment: datetime | None) -> str:
    """A moment as the dialog shows it, in local time to the minute ("—" for never)."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment is not None else "—"


class KiosksTab(QWidget):
    """The kiosks list with Revoke (confirmed first)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        runner: DbRunner,
        say_failure: FailureHandler,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._messages = messages
        self._runner = runner
        self._say_failure = say_failure
        self.rows: list[KioskSeen] = []
        self.table = self._table()
        self.revoke_button = QPushButton("Revoke…", self)
        self.revoke_button.setMinimumWidth(150)
        self.revoke_button.clicked.connect(self.revoke_selected)
        side = QVBoxLayout()
        side.addWidget(self.revoke_button)
        side.addStretch(1)
        note = QLabel(HOW_TO_ENROL, self)
        note.setObjectName("DialogSubtitle")
        note.setWordWrap(True)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(note)
        self._update_buttons()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(KIOSK_COLUMNS), self)
        table.setHorizontalHeaderLabels(KIOSK_COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        for column in range(len(KIOSK_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.itemSelectionChanged.connect(self._update_buttons)
        return table

    def reload(self) -> None:
        db, actor = self._db, self._actor

        def read() -> list[KioskSeen]:
            with db.session() as session:
                return kiosk_admin.kiosks_last_seen(session, actor)

        self._runner.submit(read, self._show_rows, self._read_failed, lane=READS)

    def _read_failed(self, error: BaseException) -> None:
        self._say_failure(error, UNREACHABLE_KIOSKS)
        self._show_rows([])

    def _show_rows(self, rows: list[KioskSeen]) -> None:
        keep = self.selected()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            kiosk = row.kiosk
            state = "active" if row.active else f"revoked {when(kiosk.revoked_at)}"
            if not row.active and kiosk.revoked_by:
                state += f" by {kiosk.revoked_by}"
            cells = (
                kiosk.station_id,
                kiosk.login,
                when(kiosk.enrolled_at),
                kiosk.enrolled_by,
                when(row.last_seen),
                state,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not row.active:
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(index, column, item)
            if keep is not None and kiosk.login == keep.kiosk.login:
                self.table.selectRow(index)
        self._update_buttons()

    def selected(self) -> KioskSeen | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.rows[chosen[0].row()] if chosen and chosen[0].row() < len(self.rows) else None

    def select_login(self, login: str) -> None:
        for index, row in enumerate(self.rows):
            if row.kiosk.login == login:
                self.table.selectRow(index)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.revoke_button.setEnabled(row is not None and row.active)

    def revoke_selected(self) -> None:
        row = self.selected()
        if row is None or not row.active:
            return
        kiosk = row.kiosk
        if not self._messages.confirm(
            f"Revoke the kiosk {kiosk.login} of station {kiosk.station_id}? It stops at once:"
            " its connections end, the operators signed in at it are signed out, and the PC"
            " must be enrolled again to be a kiosk.",
            accept_text="Revoke",
            source=self,
        ):
            return
        db, actor = self._db, self._actor

        def revoke() -> list[str]:
            with db.session() as session:
                return kiosk_devices.revoke_kiosks(
                    session, actor, kiosk.station_id, login=kiosk.login
                )

        def revoked(_logins: list[str]) -> None:
            self.reload()
            self._messages.info(
                f"The kiosk {kiosk.login} of {kiosk.station_id} is revoked.", source=self
            )

        def failed(error: BaseException) -> None:
            self._say_failure(error, UNREACHABLE)
            self.reload()  # another admin may have changed it meanwhile

        self._runner.submit(revoke, revoked, failed, lane=WRITES)
