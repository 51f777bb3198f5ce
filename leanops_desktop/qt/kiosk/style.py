"""Sizes and colours of the kiosk: big targets for gloves, large type, high contrast.

Touch targets are measured in millimetres and converted with the screen's logical DPI, so
a button is at least :data:`TARGET_MM` wide and high on any screen. Type grows with the
window (1024x768 is the smallest supported size; 1920x1080 gets about 1.4 times larger type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

#: The smallest touch target, in millimetres (15 mm is the floor for gloved hands).
TARGET_MM = 18.0
MM_PER_INCH = 25.4
BASE_SIZE = (1024, 768)
MAX_SCALE = 1.5
BORDER_PX = 3
BUTTON_PADDING_PX = 4

BACKGROUND = "#0d1117"
PANEL = "#161d26"
PANEL_BORDER = "#3a4654"
TEXT = "#f5f7fa"
MUTED = "#b4c0cc"
BUTTON = "#2a3542"
BUTTON_BORDER = "#6b7a8c"
BLUE = "#1565c0"
BLUE_BORDER = "#7fb3ff"
GREEN = "#1b7f37"
GREEN_BORDER = "#6fdc8c"
AMBER = "#b35c00"
AMBER_BORDER = "#ffb74d"
RED = "#c62828"
RED_BORDER = "#ff8a80"
YELLOW = "#ffd54f"
STATUS_COLOURS = {"running": GREEN, "idle": "#546172", "blocked": RED}


@dataclass(frozen=True, slots=True)
class Sizing:
    """Pixel sizes for one window size and screen."""

    target: int  # smallest touch target (outer size, border included), px
    scale: float  # type scale against 1024x768

    def font(self, px: float) -> int:
        return round(px * self.scale)


def sizing_for(dpi: float, width: int, height: int) -> Sizing:
    """Sizes for a window of ``width`` x ``height`` on a screen of ``dpi`` logical DPI."""
    target_mm = round(TARGET_MM * max(dpi, 72.0) / MM_PER_INCH)
    scale = min(max(min(width / BASE_SIZE[0], height / BASE_SIZE[1]), 1.0), MAX_SCALE)
    return Sizing(target=max(target_mm, round(target_mm * scale)), scale=scale)


def stylesheet(size: Sizing, theme: str = "dark") -> str:
    """The kiosk's stylesheet (set on the kiosk widget, so it rules its whole subtree), in
    the site's ``[ui] theme`` (the colours are the dark ones, swapped by ``THEMES``)."""
    t = size.target - 2 * BORDER_PX  # min-height counts the contents and padding only
    b = size.target - 2 * BORDER_PX - 2 * BUTTON_PADDING_PX
    f = size.font
    sheet = _text_rules(f, t) + _button_rules(f, b) + _input_rules(f, t) + _status_rules(f)
    for dark, themed in THEMES.get(theme, {}).items():
        sheet = sheet.replace(dark, themed)
    if theme in THEMES:  # coloured buttons keep white text on any background
        sheet += _ON_COLOUR
    return "\n" + sheet


#: Per theme, each dark colour and the one that replaces it ("dark" keeps them all).
THEMES: dict[str, dict[str, str]] = {
    "light": {
        BACKGROUND: "#e9edf2",
        PANEL: "#ffffff",
        PANEL_BORDER: "#8d99a6",
        TEXT: "#0d1117",
        MUTED: "#3a4552",
        BUTTON: "#d9e0e8",
        BUTTON_BORDER: "#4f5d6d",
        "#05080c": "#ffffff",  # the keypad display, fields, progress bar
        "#40505f": "#b8c3cf",  # a pressed button
        "#1a2129": "#eef1f4",  # a disabled button
        "#7c8896": "#8a96a3",
        "#ff9e80": "#b3261e",  # "late"
        "#0e2a4d": "#d6e6ff",  # notices
        "#4a3000": "#ffe6bf",
        "#4d0f0f": "#ffd9d6",
        "#0f3d1d": "#d3f3dc",  # the undo banner
        "#1c1400": "#fff3d1",  # the idle warning
        GREEN_BORDER: "#14692c",
        RED_BORDER: "#b3261e",
    },
    "high-contrast": {
        BACKGROUND: "#000000",
        PANEL: "#000000",
        PANEL_BORDER: "#ffffff",
        MUTED: "#ffffff",
        BUTTON: "#000000",
        BUTTON_BORDER: "#ffff00",
        "#0e2a4d": "#000000",
        "#4a3000": "#000000",
        "#4d0f0f": "#000000",
        "#0f3d1d": "#000000",
    },
}
_ON_COLOUR = """#Kiosk QPushButton[tone="plus"], #Kiosk QPushButton[tone="go"],
#Kiosk QPushButton[tone="warn"], #Kiosk QPushButton[tone="stop"],
#Kiosk QLabel#StatusChip, #Kiosk QLabel#Priority { color: #ffffff; }
#Kiosk QPushButton[tone="undo"] { color: #111111; }
"""


def _text_rules(f: Callable[[float], int], t: int) -> str:
    """The background, the labels by role and the panels."""
    return f"""#Kiosk {{ background: {BACKGROUND}; }}
#Kiosk QLabel {{ color: {TEXT}; font-size: {f(22)}px; background: transparent; }}
#Kiosk QLabel[role="muted"] {{ color: {MUTED}; }}
#Kiosk QLabel[role="small"] {{ color: {MUTED}; font-size: {f(19)}px; }}
#Kiosk QLabel[role="title"] {{ font-size: {f(34)}px; font-weight: 800; }}
#Kiosk QLabel[role="huge"] {{ font-size: {f(44)}px; font-weight: 800; }}
#Kiosk QLabel[role="heading"] {{ font-size: {f(20)}px; font-weight: 700; color: {MUTED}; }}
#Kiosk QLabel[role="late"] {{ color: #ff9e80; font-weight: 700; }}
#Kiosk QLabel[role="ontime"] {{ color: {GREEN_BORDER}; font-weight: 700; }}
#Kiosk QLabel[role="display"] {{
    font-size: {f(44)}px; font-weight: 800; background: #05080c; border: 3px solid {BUTTON_BORDER};
    border-radius: 10px; padding: 0 16px; min-height: {t}px; qproperty-alignment: AlignRight;
}}
#Kiosk QFrame[role="panel"] {{
    background: {PANEL}; border: 2px solid {PANEL_BORDER}; border-radius: 12px;
}}
"""


def _button_rules(f: Callable[[float], int], b: int) -> str:
    """The buttons by tone (plus, key, go, warn, stop, undo, row)."""
    return f"""#Kiosk QPushButton {{
    min-height: {b}px; min-width: {b}px; font-size: {f(26)}px; font-weight: 700; color: {TEXT};
    background: {BUTTON}; border: 3px solid {BUTTON_BORDER}; border-radius: 12px;
    padding: {BUTTON_PADDING_PX}px 18px;
}}
#Kiosk QPushButton:pressed {{ background: #40505f; }}
#Kiosk QPushButton:disabled {{ color: #7c8896; background: #1a2129; border-color: #2e3945; }}
#Kiosk QPushButton[tone="plus"] {{
    background: {BLUE}; border-color: {BLUE_BORDER}; font-size: {f(44)}px; font-weight: 800;
}}
#Kiosk QPushButton[tone="key"] {{ font-size: {f(34)}px; }}
#Kiosk QPushButton[tone="go"] {{ background: {GREEN}; border-color: {GREEN_BORDER}; }}
#Kiosk QPushButton[tone="warn"] {{ background: {AMBER}; border-color: {AMBER_BORDER}; }}
#Kiosk QPushButton[tone="stop"] {{ background: {RED}; border-color: {RED_BORDER}; }}
#Kiosk QPushButton[tone="undo"] {{ background: {YELLOW}; border-color: #fff3c4; color: #111; }}
#Kiosk QPushButton[tone="row"] {{
    text-align: left; font-size: {f(21)}px; font-weight: 600; padding: 4px 14px;
}}
"""


def _input_rules(f: Callable[[float], int], t: int) -> str:
    """The text field and the progress bar."""
    return f"""#Kiosk QLineEdit {{
    min-height: {t}px; font-size: {f(26)}px; color: {TEXT}; background: #05080c;
    border: 3px solid {BUTTON_BORDER}; border-radius: 10px; padding: 0 12px;
}}
#Kiosk QLineEdit:focus {{ border-color: {BLUE_BORDER}; }}
#Kiosk QProgressBar {{
    min-height: {round(t * 1.2)}px; border: 3px solid {BUTTON_BORDER}; border-radius: 12px;
    background: #05080c; color: {TEXT}; text-align: center; font-size: {f(34)}px;
    font-weight: 800;
}}
#Kiosk QProgressBar::chunk {{ background: {GREEN}; border-radius: 8px; }}
#Kiosk QProgressBar[over="true"]::chunk {{ background: {AMBER}; }}
"""


def _status_rules(f: Callable[[float], int]) -> str:
    """The status chip, the priority mark, notices, the undo banner and the connection."""
    return f"""#Kiosk QLabel#StatusChip {{
    font-size: {f(24)}px; font-weight: 800; padding: 6px 18px; border-radius: 10px;
}}
#Kiosk QLabel#StatusChip[status="running"] {{ background: {STATUS_COLOURS["running"]}; }}
#Kiosk QLabel#StatusChip[status="idle"] {{ background: {STATUS_COLOURS["idle"]}; }}
#Kiosk QLabel#StatusChip[status="blocked"] {{ background: {STATUS_COLOURS["blocked"]}; }}
#Kiosk QLabel#Priority {{
    background: {RED}; font-size: {f(20)}px; font-weight: 800; padding: 2px 12px;
    border-radius: 8px;
}}
#Kiosk QFrame#Notice {{
    border-radius: 12px; border: 3px solid {BLUE_BORDER}; background: #0e2a4d;
}}
#Kiosk QFrame#Notice[level="warning"] {{ background: #4a3000; border-color: {AMBER_BORDER}; }}
#Kiosk QFrame#Notice[level="error"] {{ background: #4d0f0f; border-color: {RED_BORDER}; }}
#Kiosk QFrame#Notice QLabel {{ font-size: {f(24)}px; font-weight: 700; }}
#Kiosk QFrame#StopNotice {{
    background: #4a3000; border: 3px solid {AMBER_BORDER}; border-radius: 12px;
}}
#Kiosk QFrame#StopNotice QLabel {{ font-size: {f(24)}px; font-weight: 700; }}
#Kiosk QFrame#UndoBanner {{
    background: #0f3d1d; border: 3px solid {GREEN_BORDER}; border-radius: 12px;
}}
#Kiosk QFrame#UndoBanner QLabel {{ font-size: {f(26)}px; font-weight: 800; }}
#Kiosk QLabel#Connection[online="false"] {{ color: #ff8a80; font-weight: 800; }}
#Kiosk QLabel#Connection[online="true"] {{ color: {GREEN_BORDER}; font-weight: 700; }}
#Kiosk QFrame#IdleWarning {{ background: #1c1400; border: 4px solid {AMBER_BORDER}; }}
"""


def restyle(widget: object) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    style = getattr(widget, "style", None)
    if style is None:
        return
    widget_style = style()
    widget_style.unpolish(widget)
    widget_style.polish(widget)


def set_role(widget: QWidget, role: str) -> None:
    """Give ``widget`` the stylesheet role ``role`` (restyled only when it changes)."""
    if widget.property("role") != role:
        widget.setProperty("role", role)
        restyle(widget)
