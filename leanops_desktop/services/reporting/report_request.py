"""One quantity report as the services take it, checked before it goes to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import ValidationError, preview
from leanops_desktop.core.validation import (
    MAX_EMAIL_LENGTH,
    MAX_REPORT_QTY,
    check_key,
    check_quantity,
)


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """``qty`` units of ``job_id`` made at ``station_id``, under a client-made ``report_id``.

    ``reported_by`` names the operator who tapped when someone else sends it (a kiosk's
    outbox sending later under another signed-in user); None when it is the sender.
    """

    station_id: str
    job_id: str
    qty: int
    report_id: UUID
    confirm_over: bool = False
    reported_by: str | None = None
    tapped_at: datetime | None = None  # when the operator tapped (a kiosk's queued report)


def check_uuid(field: str, value: object) -> UUID:
    """A UUID, or text that is one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationError(field, f"{preview(value)!r} is not a UUID") from None


def _check_operator(value: object) -> str | None:
    if value is None or value == "":
        return None
    return check_key("reported by", value, max_length=MAX_EMAIL_LENGTH)


def make_request(
    actor: Actor,
    *,
    station_id: object,
    job_id: object,
    qty: object,
    report_id: object,
    confirm_over: bool = False,
    reported_by: str | None = None,
    tapped_at: datetime | None = None,
) -> ReportRequest:
    """Check a report's input (raises :class:`ValidationError`) and build the request."""
    reported_by = _check_operator(reported_by)
    return ReportRequest(
        station_id=check_key("station id", station_id),
        job_id=check_key("job id", job_id),
        qty=check_quantity("quantity", qty, maximum=MAX_REPORT_QTY),
        report_id=check_uuid("report id", report_id),
        confirm_over=bool(confirm_over),
        reported_by=reported_by if reported_by and reported_by != actor.email else None,
        tapped_at=tapped_at if isinstance(tapped_at, datetime) else None,
    )
