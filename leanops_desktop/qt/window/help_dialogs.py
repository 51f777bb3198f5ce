"""Help menu: the About box and the list of keyboard shortcuts (both non-blocking)."""

from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leanops_desktop import APP_NAME, __version__
from leanops_desktop.qt.actions import ActionRegistry
from leanops_desktop.qt.theme.resources import app_icon


def _dialog(parent: QWidget, title: str) -> tuple[QDialog, QVBoxLayout]:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(20, 18, 20, 14)
    return dialog, layout


def _close_button(dialog: QDialog, layout: QVBoxLayout) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)


def show_about(parent: QWidget, database: str) -> QDialog:
    """Version, database in use, and the libraries underneath."""
    dialog, layout = _dialog(parent, f"About {APP_NAME}")
    icon = QLabel(dialog)
    icon.setPixmap(app_icon().pixmap(64, 64))
    text = QLabel(
        f"<h2>{APP_NAME} {__version__}</h2>"
        "<p>A lightweight manufacturing execution system:<br>"
        "stations, jobs, dispatch and production counts, live.</p>"
        f"<p><b>Database:</b> {database}</p>"
        f"<p style='color: gray'>Python {sys.version.split()[0]} · Qt for Python {pyside_version}"
        "</p>",
        dialog,
    )
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    row = QHBoxLayout()
    row.setSpacing(16)
    row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(text, 1)
    layout.addLayout(row)
    _close_button(dialog, layout)
    dialog.open()
    return dialog


def show_shortcuts(parent: QWidget, registry: ActionRegistry) -> QDialog:
    """Every action with its shortcut (those the role may not take are marked)."""
    dialog, layout = _dialog(parent, "Keyboard shortcuts")
    dialog.resize(520, 560)
    specs = [(spec, action) for spec, action in registry if not action.shortcut().isEmpty()]
    table = QTableWidget(len(specs), 2, dialog)
    table.setHorizontalHeaderLabels(["Action", "Shortcut"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    for row, (spec, action) in enumerate(specs):
        name = action.text().replace("&", "").rstrip("…")
        if not registry.permitted(spec.name):
            name += "  (not for your role)"
        table.setItem(row, 0, QTableWidgetItem(name))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        table.setItem(row, 1, QTableWidgetItem(keys))
    layout.addWidget(table)
    _close_button(dialog, layout)
    dialog.open()
    return dialog
