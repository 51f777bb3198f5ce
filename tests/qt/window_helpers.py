"""Helpers for the main-window tests: open a window for an actor, find tiles and rows."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from leanops_desktop.config import SiteConfig
from leanops_desktop.core.actor import Actor
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.main_window import MainWindow
from leanops_desktop.qt.messages import MessageService
from leanops_desktop.services.accounts.signed_in import SignedIn


def open_window(
    qtbot: QtBot,
    db: Database,
    actor: Actor,
    messages: MessageService,
    *,
    restore_layout: bool = True,
    size: tuple[int, int] = (1600, 900),
) -> MainWindow:
    window = MainWindow(
        SignedIn(db=db, actor=actor),
        SiteConfig(),
        messages=messages,
        runner=DbRunner(inline=True),
        restore_layout=restore_layout,
    )
    qtbot.addWidget(window)
    window.resize(*size)
    with qtbot.waitExposed(window):
        window.show()
    return window


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Make ``window`` the active window (keyboard shortcuts need it)."""
    with qtbot.waitActive(window):
        window.activateWindow()


def drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> QDropEvent:
    """Deliver a drag (enter, move) and drop of ``mime`` at ``pos`` (default: the centre)."""
    where = pos if pos is not None else widget.rect().center()
    point = QPointF(where)
    buttons = Qt.MouseButton.LeftButton
    for kind in (QDragEnterEvent, QDragMoveEvent):
        QApplication.sendEvent(
            widget,
            kind(where, Qt.DropAction.CopyAction, mime, buttons, Qt.KeyboardModifier.NoModifier),
        )
    event = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event
