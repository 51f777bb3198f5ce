"""Notice when Caps Lock is probably on while someone types into a field.

Qt has no portable way to read the Caps Lock state. On Windows it is asked directly;
elsewhere it is inferred from the keys typed: a letter whose case disagrees with the Shift
key means Caps Lock is on, one that agrees means it is off.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

_VK_CAPITAL = 0x14


def windows_caps_lock() -> bool | None:
    """The real state on Windows; None elsewhere."""
    if sys.platform != "win32":
        return None
    import ctypes

    user32 = ctypes.WinDLL("user32")  # type: ignore[attr-defined,unused-ignore]
    return bool(user32.GetKeyState(_VK_CAPITAL) & 1)


def caps_lock_from_key(text: str, shift: bool) -> bool | None:
    """What one typed character says about Caps Lock (None: nothing, e.g. a digit)."""
    if len(text) != 1 or not text.isalpha() or text.lower() == text.upper():
        return None
    return text.isupper() != shift


class CapsLockWatcher(QObject):
    """Watches key presses in ``widget`` and emits :attr:`changed` when the guess changes."""

    changed = Signal(bool)

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.state = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            state = windows_caps_lock()
            if state is None:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                state = caps_lock_from_key(event.text(), shift)
            if event.key() == Qt.Key.Key_CapsLock:
                state = not self.state if state is None else state
            if state is not None and state != self.state:
                self.state = state
                self.changed.emit(state)
        elif event.type() == QEvent.Type.FocusOut and self.state:
            self.state = False
            self.changed.emit(False)
        return False
