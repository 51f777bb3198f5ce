"""What a kiosk needs to report scrap: the quality leaves to pick from, and a sender that
sends the scrap outbox after the good counts in every pass (same connection, same loop)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import Database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.scrap_outbox import ScrapOutbox
from leanops_desktop.db.scrap_reason_cache import ScrapReason
from leanops_desktop.services.quality.reasons import list_reasons
from leanops_desktop.services.quality.scrap_sender import send_pending_scrap
from leanops_desktop.services.reporting.report_channel import ErrorKind, classify
from leanops_desktop.services.reporting.report_sender import (
    ItemResult,
    PassResult,
    ReportSender,
    connection_message,
)

log = logging.getLogger(__name__)


def quality_leaves(session: Session) -> list[ScrapReason]:
    """The active quality reasons without sub-reasons, grouped under their parents, in the
    tree's order: what :func:`~leanops_desktop.services.quality.scrap.report_scrap` accepts."""
    reasons = list_reasons(session)
    names = {reason.id: reason.name for reason in reasons}
    parents = {reason.parent_id for reason in reasons if reason.parent_id is not None}
    leaves = [
        ScrapReason(
            reason.id,
            reason.name,
            reason.parent_id,
            names.get(reason.parent_id) if reason.parent_id else None,
        )
        for reason in reasons
        if reason.category == ReasonCategory.QUALITY
        and reason.is_active
        and reason.id not in parents
    ]
    return sorted(leaves, key=lambda r: (r.group_name or r.name, r.group_id or "", r.name))


class ScrapReportSender(ReportSender):
    """A :class:`ReportSender` that also sends the kiosk's scrap outbox after the counts."""

    def __init__(
        self,
        outbox: Outbox,
        db: Database,
        actor: Actor,
        scrap: ScrapOutbox,
        *,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(outbox, db, actor, prepare=prepare)
        self.scrap = scrap
        self._prepare_scrap = prepare

    def send_pending(
        self,
        *,
        stop: threading.Event | None = None,
        on_result: Callable[[ItemResult], None] | None = None,
    ) -> PassResult:
        counts = super().send_pending(stop=stop, on_result=on_result)
        if counts.online is False or (stop is not None and stop.is_set()):
            return counts
        if not self.scrap.pending():
            return counts
        try:
            if self._prepare_scrap is not None and counts.online is None:
                self._prepare_scrap()  # offline sign-ins first, as for the counts
            with self.db.session() as session:
                scrap = send_pending_scrap(session, self.actor, self.scrap)
        except Exception as error:
            if classify(error) == ErrorKind.CONNECTION:
                return PassResult(counts.results, online=False, error=connection_message(error))
            log.exception("sending scrap failed unexpectedly")
            return PassResult(counts.results, online=True, error=type(error).__name__)
        if scrap.offline:
            return PassResult(counts.results, online=False, error="no connection to the database")
        return PassResult(counts.results, online=True, error=counts.error)
