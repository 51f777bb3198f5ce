"""Non-blocking messages: a bar that shows one message, and the service that routes to it.

Widgets never open a modal box to report an error: they hand the text to a
:class:`MessageService`, which shows it in the nearest :class:`MessageBar` (a dialog's own
bar, else the main window's). Tests swap the service for one that records what was said.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)

from leanops_desktop.core.errors import LeanOpsError

log = logging.getLogger(__name__)

INFO_VISIBLE_MS = 6000


class Level(StrEnum):
    """How serious a message is (also the ``level`` property the stylesheet matches)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Message:
    """One message as it was shown."""

    level: Level
    text: str


class MessageBar(QFrame):
    """A slim coloured strip with one message and a close button; hidden when empty.

    Information disappears by itself after a few seconds; warnings and errors stay until
    they are closed or replaced.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setProperty("level", Level.INFO.value)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.hide()

    def show_message(self, message: Message) -> None:
        self._label.setText(message.text)
        self.setProperty("level", message.level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setAccessibleDescription(f"{message.level.value}: {message.text}")
        self.show()
        if message.level == Level.INFO:
            self._timer.start(INFO_VISIBLE_MS)
        else:
            self._timer.stop()

    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def level(self) -> Level:
        return Level(str(self.property("level")))

    def clear(self) -> None:
        self._timer.stop()
        self._label.clear()
        self.hide()
        self.closed.emit()


class MessageService(QObject):
    """Shows messages without blocking; asks yes/no questions when an action needs it.

    ``default_bar`` is where messages go when the widget that raised them has no bar of
    its own (usually the main window's). Subclass and override :meth:`show` and
    :meth:`confirm` to record or redirect messages (tests do).
    """

    message_shown = Signal(object)  # Message

    def __init__(self, default_bar: MessageBar | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._default_bar = default_bar

    def set_default_bar(self, bar: MessageBar | None) -> None:
        self._default_bar = bar

    def show(self, level: Level, text: str, *, source: QWidget | None = None) -> None:
        """Show ``text`` in the bar nearest to ``source`` (its own, a parent's, the default)."""
        message = Message(level, text)
        log.log(_LOG_LEVELS[level], "%s", text)
        bar = _nearest_bar(source) or self._default_bar
        if bar is not None:
            bar.show_message(message)
        self.message_shown.emit(message)

    def info(self, text: str, *, source: QWidget | None = None) -> None:
        self.show(Level.INFO, text, source=source)

    def warning(self, text: str, *, source: QWidget | None = None) -> None:
        self.show(Level.WARNING, text, source=source)

    def error(self, text: str, *, source: QWidget | None = None) -> None:
        self.show(Level.ERROR, text, source=source)

    def refused(self, error: LeanOpsError, *, source: QWidget | None = None) -> None:
        """A service said no: show its readable message as a sentence (never a traceback)."""
        self.show(Level.ERROR, sentence(error.message), source=source)

    def confirm(
        self,
        question: str,
        *,
        title: str = "Please confirm",
        accept_text: str = "OK",
        source: QWidget | None = None,
    ) -> bool:
        """Ask before an action with consequences; True to go ahead."""
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=source)
        accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept


_LOG_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}


def sentence(text: str) -> str:
    """``"wrong email or password"`` -> ``"Wrong email or password."``."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _nearest_bar(source: QWidget | None) -> MessageBar | None:
    """The ``message_bar`` of ``source`` or of the closest parent that has one."""
    widget = source
    while widget is not None:
        bar = getattr(widget, "message_bar", None)
        if isinstance(bar, MessageBar):
            return bar
        widget = widget.parentWidget()
    return None
