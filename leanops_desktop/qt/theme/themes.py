"""The three themes a site can choose in ``leanops.toml``: light, dark and high-contrast.

A theme is a set of named colours; :func:`apply_theme` turns it into the Fusion style, a
palette and the stylesheet in ``resources/themes/base.qss``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from string import Template

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from leanops_desktop.qt.theme.resources import resource_path


@dataclass(frozen=True, slots=True)
class Theme:
    """Named colours (hex) used by the palette and the stylesheet."""

    name: str
    window: str
    panel: str
    base: str
    alternate: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    hover: str
    ok: str
    bad: str
    warn_text: str
    info_bg: str
    info_border: str
    warn_bg: str
    warn_border: str
    error_bg: str
    error_border: str
    message_text: str

    @property
    def is_dark(self) -> bool:
        return QColor(self.window).lightness() < 128


LIGHT = Theme(
    name="light",
    window="#f3f5f8",
    panel="#e9edf2",
    base="#ffffff",
    alternate="#f6f8fa",
    text="#1d2733",
    muted="#5b6878",
    border="#d3d9e1",
    accent="#2563a8",
    accent_text="#ffffff",
    hover="#dde5ef",
    ok="#1e7b3c",
    bad="#b3261e",
    warn_text="#8a5300",
    info_bg="#e6f0fb",
    info_border="#a9c7ea",
    warn_bg="#fff4dc",
    warn_border="#f0c36d",
    error_bg="#fde8e6",
    error_border="#ef9a94",
    message_text="#1d2733",
)

DARK = Theme(
    name="dark",
    window="#1d2228",
    panel="#252b33",
    base="#20262d",
    alternate="#262d35",
    text="#e5e9ee",
    muted="#9aa6b2",
    border="#38414c",
    accent="#5a9be0",
    accent_text="#0e1620",
    hover="#2f3843",
    ok="#5ccf83",
    bad="#ff8a80",
    warn_text="#ffc766",
    info_bg="#1d3550",
    info_border="#2f5680",
    warn_bg="#4a3a16",
    warn_border="#8a6a22",
    error_bg="#4d1f1c",
    error_border="#8c3a33",
    message_text="#e5e9ee",
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    window="#000000",
    panel="#000000",
    base="#000000",
    alternate="#141414",
    text="#ffffff",
    muted="#e0e0e0",
    border="#ffffff",
    accent="#ffd400",
    accent_text="#000000",
    hover="#333333",
    ok="#7dff7d",
    bad="#ff6b6b",
    warn_text="#ffd400",
    info_bg="#000000",
    info_border="#ffffff",
    warn_bg="#000000",
    warn_border="#ffd400",
    error_bg="#000000",
    error_border="#ff6b6b",
    message_text="#ffffff",
)

THEMES: dict[str, Theme] = {theme.name: theme for theme in (LIGHT, DARK, HIGH_CONTRAST)}


def theme_named(name: str) -> Theme:
    """The theme called ``name``; the light theme for an unknown name."""
    return THEMES.get(name, LIGHT)


def stylesheet(theme: Theme) -> str:
    """The application stylesheet with the theme's colours filled in."""
    text = resource_path("themes", "base.qss").read_text(encoding="utf-8")
    return Template(text).safe_substitute(asdict(theme))


def palette(theme: Theme) -> QPalette:
    """A Fusion palette in the theme's colours."""
    pal = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: theme.window,
        role.WindowText: theme.text,
        role.Base: theme.base,
        role.AlternateBase: theme.alternate,
        role.Text: theme.text,
        role.Button: theme.panel,
        role.ButtonText: theme.text,
        role.ToolTipBase: theme.base,
        role.ToolTipText: theme.text,
        role.Highlight: theme.accent,
        role.HighlightedText: theme.accent_text,
        role.PlaceholderText: theme.muted,
        role.Link: theme.accent,
        role.Mid: theme.border,
        role.Midlight: theme.hover,
    }
    for color_role, value in pairs.items():
        pal.setColor(color_role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for color_role in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(disabled, color_role, QColor(theme.muted))
    return pal


def apply_theme(app: QApplication, name: str = "light") -> Theme:
    """Style the whole application; returns the theme applied."""
    theme = theme_named(name)
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
    app.setProperty("leanops_theme", theme.name)
    return theme


def current_theme() -> Theme:
    """The theme the running application was styled with (light when none was applied)."""
    app = QApplication.instance()
    name = app.property("leanops_theme") if app is not None else None
    return theme_named(str(name)) if name else LIGHT
