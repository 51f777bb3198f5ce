"""The errors services raise. Each carries a message a person can read as it is."""

from __future__ import annotations

#: At most this many characters of a bad value are quoted in a message.
MAX_QUOTED = 80


def preview(value: object, limit: int = MAX_QUOTED) -> str:
    """``value`` as text, cut to its start when long: a message never echoes a huge input."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}… ({len(text):,} characters)"


class LeanOpsError(Exception):
    """Base of every error LeanOps raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(LeanOpsError):
    """An input is malformed: wrong type, out of range, too long, bad format."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(LeanOpsError):
    """A station, job, assignment or user id does not exist."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {preview(key)} does not exist")
        self.kind = kind
        self.key = key


class AlreadyExists(LeanOpsError):
    """Creating something whose id or email is already taken."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {preview(key)} already exists")
        self.kind = kind
        self.key = key


class RuleViolation(LeanOpsError):
    """The rules of the floor forbid this transition (see ARCHITECTURE: rules of the floor)."""


class OverReportNotConfirmed(RuleViolation):
    """Reporting more than a job's total needs an explicit confirmation."""

    def __init__(self, job_id: str, qty_total: int, qty_after: int) -> None:
        super().__init__(
            f"job {job_id} would reach {qty_after} of {qty_total} units; "
            "confirm over-reporting to record it"
        )
        self.job_id = job_id
        self.qty_total = qty_total
        self.qty_after = qty_after


class PermissionDenied(LeanOpsError):
    """The signed-in role may not take this action."""


class AuthenticationFailed(LeanOpsError):
    """Wrong email or password, or the account is disabled."""


class DatabaseUnavailable(LeanOpsError):
    """The database could not be reached."""


class DatabaseMissing(DatabaseUnavailable):
    """The database named does not exist (no such SQLite file, no such PostgreSQL database)."""


class ConfigError(LeanOpsError):
    """The site configuration is malformed or unsafe."""
