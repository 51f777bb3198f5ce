"""Input checks shared by every service; each raises :class:`ValidationError` naming the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import TypeVar

from leanops_desktop.core.errors import ValidationError

#: Human ids (``ST-01``, ``JOB-1004``) must be typeable by a barcode scanner.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500
MAX_QTY_TOTAL = 10_000_000
MAX_REPORT_QTY = 100_000
MIN_PASSWORD_LENGTH = 8

E = TypeVar("E", bound=StrEnum)


def check_id(field: str, value: object) -> str:
    """A human id such as ``ST-01``: 1-64 letters, digits, ``. _ / -``."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ValidationError(field, "must not be empty")
    if not ID_PATTERN.fullmatch(text):
        raise ValidationError(
            field,
            f"{_preview(text)!r} is not a valid id: use 1 to 64 letters, digits, '.', '_', '/' "
            "or '-', starting with a letter or digit",
        )
    return text


def check_text(field: str, value: object, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """Readable text: trimmed, not empty, no control characters, at most ``max_length``."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        raise ValidationError(field, "must not be empty")
    if len(text) > max_length:
        raise ValidationError(
            field, f"is {len(text)} characters long; at most {max_length} allowed"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValidationError(field, "must not contain control characters")
    return text


def check_quantity(field: str, value: object, *, maximum: int) -> int:
    """A whole number of units from 1 to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be a whole number, not {value!r}")
    if value <= 0:
        raise ValidationError(field, f"must be at least 1, got {value}")
    if value > maximum:
        raise ValidationError(field, f"{value} is more than the {maximum:,} allowed")
    return value


def check_date(field: str, value: object) -> date:
    """A calendar date, or text in ISO form ``YYYY-MM-DD``."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field, f"{_preview(value)!r} is not a date in the form YYYY-MM-DD"
            ) from None
        if len(value.strip()) != 10:
            raise ValidationError(
                field, f"{_preview(value)!r} is not a date in the form YYYY-MM-DD"
            )
        return parsed
    raise ValidationError(field, f"must be a date, not {type(value).__name__}")


def check_choice(field: str, value: object, enum: type[E]) -> E:
    """One of an enumeration's values."""
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(field, f"{_preview(str(value))!r} is not one of: {allowed}") from None


def check_email(field: str, value: object) -> str:
    """An email address, compared case-insensitively (stored lower case)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = value.strip().lower()
    if not EMAIL_PATTERN.fullmatch(text):
        raise ValidationError(field, f"{_preview(text)!r} is not an email address")
    return text


def check_password(field: str, value: object) -> str:
    """A password of at least ``MIN_PASSWORD_LENGTH`` characters (never echoed in errors)."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(value) > 1024:
        raise ValidationError(field, "must be at most 1024 characters long")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(field, "must not contain control characters")
    return value


def _preview(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
