"""Input checks shared by every service; each raises :class:`ValidationError` naming the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import TypeVar

from leanops_desktop.core.errors import ValidationError, preview

#: Human ids (``ST-01``, ``JOB-1004``) must be typeable by a barcode scanner.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500
MAX_QTY_TOTAL = 10_000_000
MAX_REPORT_QTY = 100_000
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
#: No id is longer (``ID_PATTERN``); a lookup with a longer key cannot find anything.
MAX_ID_LENGTH = 64
#: The longest email address there is (RFC 5321 path limit less the brackets).
MAX_EMAIL_LENGTH = 254
#: On PostgreSQL an email is the name of the user's LOGIN role, and PostgreSQL cuts names at
#: 63 bytes (NAMEDATALEN - 1): two longer emails sharing their first 63 bytes would collide.
MAX_EMAIL_BYTES = 63

E = TypeVar("E", bound=StrEnum)


def check_clean(field: str, value: str) -> str:
    """Refuse what no database stores as text: a NUL byte or a lone UTF-16 surrogate.

    PostgreSQL refuses NUL in text and the drivers cannot encode a lone surrogate
    (``'\\ud800'``) to UTF-8; both would otherwise surface as a raw driver error.
    """
    if "\x00" in value:
        raise ValidationError(field, "contains a NUL byte")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValidationError(
            field, f"contains an invalid character (lone surrogate U+{code:04X})"
        ) from None
    return value


def check_key(field: str, value: object, *, max_length: int = MAX_ID_LENGTH) -> str:
    """The key of something to look up (an id, a filter): any clean text, as it is.

    Unlike :func:`check_id` the text is not reshaped or held to the id pattern: an odd key
    simply finds nothing (``NotFound``). Only what cannot be a stored key is refused.
    """
    text = _text(field, value)
    if not text:
        raise ValidationError(field, "must not be empty")
    if len(text) > max_length:
        raise ValidationError(
            field, f"{preview(text)!r} is too long: at most {max_length} characters"
        )
    return text


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    return check_clean(field, value)


def check_id(field: str, value: object) -> str:
    """A human id such as ``ST-01``: 1-64 letters, digits, ``. _ / -``."""
    text = _text(field, value).strip()
    if not text:
        raise ValidationError(field, "must not be empty")
    if len(text) > MAX_ID_LENGTH:
        raise ValidationError(
            field,
            f"{preview(text)!r} is too long: an id has at most {MAX_ID_LENGTH} characters",
        )
    if not ID_PATTERN.fullmatch(text):
        raise ValidationError(
            field,
            f"{preview(text)!r} is not a valid id: use 1 to 64 letters, digits, '.', '_', '/' "
            "or '-', starting with a letter or digit",
        )
    return text


def check_text(field: str, value: object, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """Readable text: trimmed, not empty, no control characters, at most ``max_length``."""
    text = unicodedata.normalize("NFC", _text(field, value).strip())
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
        check_clean(field, value)
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field, f"{preview(value)!r} is not a date in the form YYYY-MM-DD"
            ) from None
        if len(value.strip()) != 10:
            raise ValidationError(field, f"{preview(value)!r} is not a date in the form YYYY-MM-DD")
        return parsed
    raise ValidationError(field, f"must be a date, not {type(value).__name__}")


def check_choice(field: str, value: object, enum: type[E]) -> E:
    """One of an enumeration's values."""
    if isinstance(value, str):
        check_clean(field, value)
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(field, f"{preview(str(value))!r} is not one of: {allowed}") from None


def check_email(field: str, value: object, *, new_account: bool = False) -> str:
    """An email address, compared case-insensitively (stored lower case).

    ``new_account``: the address of an account about to be created, held to
    ``MAX_EMAIL_BYTES`` on every backend (so a plant can move from SQLite to PostgreSQL).
    Existing accounts are still found by a longer address.
    """
    text = _text(field, value).strip().lower()
    if len(text) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            field,
            f"{preview(text)!r} is too long: an email address has at most {MAX_EMAIL_LENGTH}"
            " characters",
        )
    if not EMAIL_PATTERN.fullmatch(text):
        raise ValidationError(field, f"{preview(text)!r} is not an email address")
    size = len(text.encode("utf-8"))
    if new_account and size > MAX_EMAIL_BYTES:
        raise ValidationError(
            field,
            f"{preview(text)!r} is {size} bytes long (UTF-8); at most {MAX_EMAIL_BYTES} allowed,"
            " because on PostgreSQL the email is the name of the user's database login, which"
            f" PostgreSQL cuts at {MAX_EMAIL_BYTES} bytes",
        )
    return text


def check_password(field: str, value: object) -> str:
    """A password of at least ``MIN_PASSWORD_LENGTH`` characters (never echoed in errors)."""
    value = check_secret(field, value)
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(field, "must not contain control characters")
    return value


def check_secret(field: str, value: object) -> str:
    """A typed secret as sign-in takes it: clean text of sane length, never echoed."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    check_clean(field, value)
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_PASSWORD_LENGTH} characters long")
    return value
