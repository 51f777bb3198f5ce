"""Look and feel: themes (colours, palette, stylesheet) and packaged resources (icons)."""

from leanops_desktop.qt.theme.resources import app_icon, resource_path
from leanops_desktop.qt.theme.themes import Theme, apply_theme, current_theme, theme_named

__all__ = ["Theme", "app_icon", "apply_theme", "current_theme", "resource_path", "theme_named"]
