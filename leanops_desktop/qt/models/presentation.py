"""Small presentation helpers shared by the table models (fonts, texts, sort keys)."""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtGui import QFont

_DIGITS = re.compile(r"\d+")


@cache
def bold_font() -> QFont:
    """A bold variant of the application font (created once a QGuiApplication exists)."""
    font = QFont()
    font.setBold(True)
    return font


def natural_key(text: str) -> str:
    """A sort key where ``ST-2`` comes before ``ST-10`` (digit runs zero-padded)."""
    return _DIGITS.sub(lambda match: match.group().zfill(12), text.lower())


def progress_text(done: int, total: int) -> str:
    """``"123 / 500"`` (thousands separated)."""
    return f"{done:,} / {total:,}"


def progress_tip(done: int, total: int, what: str = "units") -> str:
    """``"123 of 500 units (25 %)"``, flagging over-reporting."""
    percent = done * 100 // total if total else 0
    text = f"{done:,} of {total:,} {what} ({percent} %)"
    if total and done > total:
        text += f" — {done - total:,} over the target"
    return text


def label(value: str) -> str:
    """``"job_assigned"`` -> ``"Job assigned"``."""
    return value.replace("_", " ").capitalize()
