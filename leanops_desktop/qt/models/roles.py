"""The item roles of the floor models, as plain ints.

Qt enum values are cached here once: ``data()`` runs thousands of times a second, and an
attribute lookup like ``Qt.ItemDataRole.DisplayRole`` costs microseconds each time.
Compare roles with ``==``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
DECORATION_ROLE = int(Qt.ItemDataRole.DecorationRole)
TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
FONT_ROLE = int(Qt.ItemDataRole.FontRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND_ROLE = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
USER_ROLE = int(Qt.ItemDataRole.UserRole)
SORT_ROLE = USER_ROLE + 1
ROW_ROLE = USER_ROLE + 2
PROGRESS_ROLE = USER_ROLE + 3
EXPORT_ROLE = USER_ROLE + 4
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
