"""File ▸ Import jobs… (supervisors): choose a CSV or XLSX file, check its mapping, import.

The dialog shows the file's first rows under one combo box per column (which field the
column holds, or nothing), how to read dates such as ``05.12.2026``, every refused row
(row, column, value, reason) and what the import would do (new, updated, unchanged, left
alone), found by a dry run against the database. Import writes the rest in one transaction.

Reading the file runs on the runner's ``files`` lane, checking and the dry run on
``reads``, the import on ``writes``: the GUI thread never waits on the disk or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import FILES, READS, WRITES, DbRunner, failure_text
from leanops_desktop.qt.messages import MessageBar, MessageService
from leanops_desktop.services.job_import.mapping import ColumnMap, Field, guess_columns
from leanops_desktop.services.job_import.prepare import PreparedImport, prepare_table
from leanops_desktop.services.job_import.reading import RawTable, read_table
from leanops_desktop.services.job_import.upsert import ImportReport, import_jobs
from leanops_desktop.services.job_import.values import DateOrder, cell_text

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

#: (parent, title, filter) -> the chosen file or None. Tests replace it.
OpenPathChooser = Callable[[QWidget, str, str], str | None]

PREVIEW_ROWS = 8
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}
_FILTER = "Job lists (*.csv *.txt *.tsv *.xlsx *.xlsm);;All files (*)"
_ORDERS: tuple[tuple[str, DateOrder | None], ...] = (
    ("Decide from the file", None),
    ("Day first (05.12.2026 is 5 December)", DateOrder.DAY_FIRST),
    ("Month first (05.12.2026 is May 12)", DateOrder.MONTH_FIRST),
)


def choose_open_path(parent: QWidget, title: str, file_filter: str) -> str | None:
    """The platform's open dialog."""
    path, _selected = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path or None


class JobImportDialog(QDialog):
    """Import jobs from a file; non-blocking (open it with ``open()``)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        messages: MessageService,
        parent: QWidget | None = None,
        *,
        runner: DbRunner | None = None,
        choose: OpenPathChooser = choose_open_path,
        on_imported: Callable[[ImportReport], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner if runner is not None else DbRunner(self)
        if runner is None:
            self.finished.connect(lambda _result: self._runner.close())
        self._db, self._actor, self._messages = db, actor, messages
        self._choose, self._on_imported = choose, on_imported
        self.table: RawTable | None = None
        self.prepared: PreparedImport | None = None
        self.report: ImportReport | None = None
        self.column_combos: list[QComboBox] = []
        self.setWindowTitle("Import jobs — LeanOps")
        self.resize(900, 600)
        self._build()

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Import jobs", self)
        title.setObjectName("DialogTitle")
        self.message_bar = MessageBar(self)
        self.file_button = QPushButton("Choose file…", self)
        self.file_button.clicked.connect(self.choose_file)
        self.file_label = QLabel("No file chosen: a CSV or XLSX list of jobs", self)
        self.order_combo = QComboBox(self)
        for text, order in _ORDERS:
            self.order_combo.addItem(text, order.value if order else "")
        self.order_combo.currentIndexChanged.connect(lambda _index: self.recheck())
        self.preview = QTableWidget(0, 0, self)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.summary_label = QLabel("", self)
        self.summary_label.setWordWrap(True)
        self.errors_list = QListWidget(self)
        self.import_button = QPushButton("Import", self)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_button)
        file_row.addWidget(self.file_label, 1)
        form = QFormLayout()
        form.addRow("Dates such as 05.12.2026:", self.order_combo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        for part in (title, self.message_bar):
            layout.addWidget(part)
        layout.addLayout(file_row)
        layout.addLayout(form)
        layout.addWidget(QLabel("Which field each column holds, and the first rows:", self))
        layout.addWidget(self.preview, 3)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel("Refused rows (not imported):", self))
        layout.addWidget(self.errors_list, 2)
        layout.addLayout(buttons)

    # -- the file --------------------------------------------------------------------------

    def choose_file(self) -> None:
        chosen = self._choose(self, "Import jobs from a file", _FILTER)
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> None:
        """Read ``path`` off the GUI thread, then show it and check it."""
        self.file_label.setText(f"Reading {path}…")
        self._runner.submit(lambda: read_table(path), self._show_table, self._failed, lane=FILES)

    def _show_table(self, table: RawTable) -> None:
        self.table = table
        encoding = _ENCODING_NAMES.get(table.encoding or "", table.encoding)
        how = f"{encoding}, separated by {_separator_name(table.delimiter)}"
        kind = how if table.kind == "csv" else "Excel workbook"
        self.file_label.setText(f"{table.source} ({kind}; {len(table.rows):,} rows)")
        self._fill_preview(table, guess_columns(table.headers))
        self.recheck()

    def _fill_preview(self, table: RawTable, mapping: ColumnMap) -> None:
        shown = table.rows[:PREVIEW_ROWS]
        self.preview.clear()
        self.preview.setColumnCount(len(table.headers))
        self.preview.setRowCount(len(shown) + 1)
        self.preview.setHorizontalHeaderLabels(list(table.headers))
        self.preview.setVerticalHeaderLabels(["field", *(str(row.number) for row in shown)])
        self.column_combos = []
        for column in range(len(table.headers)):
            combo = QComboBox(self.preview)
            combo.addItem("(ignore)", "")
            for held in Field:
                combo.addItem(held.label, held.value)
            guessed = mapping.get(column)
            combo.setCurrentIndex(combo.findData(guessed.value if guessed else ""))
            combo.currentIndexChanged.connect(lambda _index: self.recheck())
            self.preview.setCellWidget(0, column, combo)
            self.column_combos.append(combo)
        for index, row in enumerate(shown, start=1):
            for column, cell in enumerate(row.cells[: len(table.headers)]):
                self.preview.setItem(index, column, QTableWidgetItem(cell_text(cell)))
        self.preview.resizeColumnsToContents()

    def mapping(self) -> ColumnMap:
        """The mapping the combo boxes show."""
        chosen: ColumnMap = {}
        for column, combo in enumerate(self.column_combos):
            held = combo.currentData()
            if held:
                chosen[column] = Field(held)
        return chosen

    def set_column_field(self, header: str, held: Field | None) -> None:
        """Choose the field of the column named ``header`` (as a person would)."""
        assert self.table is not None
        combo = self.column_combos[list(self.table.headers).index(header)]
        combo.setCurrentIndex(combo.findData(held.value if held else ""))

    def set_date_order(self, order: DateOrder | None) -> None:
        self.order_combo.setCurrentIndex(self.order_combo.findData(order.value if order else ""))

    # -- checking and importing ------------------------------------------------------------

    def recheck(self) -> None:
        """Check the rows with the current choices and dry-run them against the database."""
        table = self.table
        if table is None:
            return
        chosen_order = self.order_combo.currentData()
        mapping, order = self.mapping(), DateOrder(chosen_order) if chosen_order else None
        db, actor = self._db, self._actor
        self.import_button.setEnabled(False)

        def check() -> tuple[PreparedImport, ImportReport]:
            prepared = prepare_table(table, mapping=mapping, date_order=order)
            with db.session() as session:
                return prepared, import_jobs(session, actor, prepared.plan, dry_run=True)

        self._runner.submit(check, self._checked, self._check_failed, lane=READS)

    def _checked(self, outcome: tuple[PreparedImport, ImportReport]) -> None:
        self.prepared, self.report = outcome
        self.message_bar.hide()
        report = self.report
        self.summary_label.setText(
            f"Ready: {len(report.created):,} new, {len(report.updated):,} updated,"
            f" {len(report.unchanged):,} unchanged, {len(report.left_alone):,} left alone"
            f" (running or completed), {report.refused_rows:,} rows refused."
        )
        self.errors_list.clear()
        self.errors_list.addItems([error.line() for error in report.refused])
        self._mark_refused_cells(report)
        self.errors_list.addItems([job.line() for job in report.left_alone])
        self.import_button.setEnabled(bool(report.created or report.updated))

    def _mark_refused_cells(self, report: ImportReport) -> None:
        """Tint the preview's cells that were refused (the tip says why)."""
        table = self.table
        if table is None:
            return
        refused = {(error.row, error.column): error.reason for error in report.refused}
        tint = QColor(255, 205, 205)
        for index, row in enumerate(table.rows[:PREVIEW_ROWS], start=1):
            for column, header in enumerate(table.headers):
                item = self.preview.item(index, column)
                if item is None:
                    continue
                reason = refused.get((row.number, header))
                item.setBackground(tint if reason else QBrush())
                item.setToolTip(reason or "")

    def _check_failed(self, error: BaseException) -> None:
        self.prepared, self.report = None, None
        self.summary_label.setText("Nothing can be imported until this is settled.")
        self.errors_list.clear()
        self._failed(error)

    def start_import(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        db, actor = self._db, self._actor
        self.import_button.setEnabled(False)

        def write() -> ImportReport:
            with db.session() as session:
                return import_jobs(session, actor, prepared.plan)

        self._runner.submit(write, self._imported, self._failed, lane=WRITES)

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self.summary_label.setText(report.summary().replace("imported:", "Imported:"))
        self._messages.info(report.summary().replace("imported:", "Jobs imported:"), source=self)
        if self._on_imported is not None:
            self._on_imported(report)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, LeanOpsError):
            self._messages.refused(error, source=self)
        elif isinstance(error, OSError):
            self._messages.error(f"Could not read the file: {error.strerror or error}", source=self)
        else:
            self._messages.error(failure_text(error), source=self)


def _separator_name(delimiter: str | None) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}.get(delimiter or "", "commas")
