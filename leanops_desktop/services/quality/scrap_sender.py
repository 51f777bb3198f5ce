"""Send a kiosk's pending scrap reports, in order, each counted once.

Connection trouble leaves the item (and those after it) pending for the next try; a refusal
(the job moved away, a reason retired meanwhile) is kept with the server's reason and shown,
never dropped; anything else is recorded and retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.db.scrap_outbox import ScrapItem, ScrapOutbox
from leanops_desktop.services.quality.scrap import ScrapReport, report_scrap
from leanops_desktop.services.quality.scrap_correction import ScrapCorrection, correct_scrap
from leanops_desktop.services.reporting.report_channel import ErrorKind, classify
from leanops_desktop.services.reporting.report_sender import connection_message


@dataclass(frozen=True, slots=True)
class ScrapSendResult:
    """What one pass did."""

    sent: int = 0
    refused: int = 0
    offline: bool = False


def send_pending_scrap(session: Session, actor: Actor, queue: ScrapOutbox) -> ScrapSendResult:
    """Send every pending scrap item in order; stop at the first connection failure."""
    sent = refused = 0
    for item in queue.pending():
        if item.corrects_id is not None and queue.get(item.corrects_id).state == "refused":
            queue.mark_refused(item.id, "the scrap it takes back was not counted: nothing to undo")
            refused += 1
            continue
        try:
            _send(session, actor, item)
        except Exception as error:  # sorted by classify: connection, refusal, unexpected
            kind = classify(error)
            if kind is ErrorKind.CONNECTION:
                queue.record_failure(item.id, connection_message(error))
                return ScrapSendResult(sent, refused, offline=True)
            if kind is ErrorKind.REFUSAL:
                queue.mark_refused(item.id, str(error))
                refused += 1
                continue
            queue.record_failure(item.id, type(error).__name__)
            raise
        queue.mark_sent(item.id)  # counted now, or counted before (a lost reply)
        sent += 1
    return ScrapSendResult(sent, refused)


def _send(session: Session, actor: Actor, item: ScrapItem) -> None:
    """One item: a scrap report, or the correction that takes one back."""
    if item.corrects_id is not None:
        correction = ScrapCorrection(item.id, item.corrects_id, item.operator, item.created_at)
        correct_scrap(session, actor, correction)
        return
    report = ScrapReport(
        station_id=item.station_id,
        job_id=item.job_id,
        qty=item.qty,
        reason_id=item.reason_id,
        report_id=item.id,
        operator=item.operator,
        tapped_at=item.created_at,
    )
    report_scrap(session, actor, report)
