"""Send the kiosk's outbox to the server, in order, without ever losing or doubling a count.

Pending reports go in batches: up to ``batch_size`` reports in a row are sent together with
:func:`production.report_quantities` (on PostgreSQL one call of ``leanops_report_batch``, one
round trip and one transaction), each with the item's own UUID, so a retry after a lost
reply counts once. Each report of a batch is judged on its own: a refused one does not undo
the others. The outcomes of a batch are written to the outbox in one transaction. A
correction goes on its own through :func:`production.correct_report`, in its place in the
order. On PostgreSQL reports travel on one connection kept between trips
(:class:`~leanops_desktop.services.reporting.report_channel.ReportChannel`). What happens to an item
depends on the error:

* **No connection** (``OperationalError``, ``InterfaceError``, a pool timeout,
  :class:`DatabaseUnavailable`): the item (every item of its batch) stays pending, the pass
  stops (later items wait behind it, so the order holds), the sender reports "offline" and
  tries again after a growing pause (0.5 s doubling to 8 s; ``SendLoop.wake`` in
  ``send_loop.py``, the thread that runs the sender, retries at once).
* **Refused** (a :class:`LeanOpsError`: the job was moved away or completed meanwhile, an
  unknown id, over the total without confirmation, no permission): the item is marked
  ``refused`` with the reason and kept in the outbox, where the kiosk shows it; an over-total
  refusal can be confirmed and sent again. The supervisor learns of it through an
  ``events_log`` entry of type ``qty_report_refused`` (id derived from the report id, so it is
  written once however often it is retried; see ``refusals.py``). The next items are sent as usual.
* **Anything else** (a bug, a constraint the service did not translate): nothing of the
  batch was counted; its items are then sent one by one, so the error lands on the item
  that causes it, which stays pending and is retried with the same pause; after
  ``MAX_UNEXPECTED_ATTEMPTS`` it is marked refused (code ``unexpected``) so one bad item
  cannot hold up the whole queue forever.

A correction whose report was refused is refused too, without asking the server (there is
nothing on the server to take back).

Block, resume and complete are *not* queued: they depend on the station's state at the
moment they are made (and their server time is the time of the stoppage), so the kiosk
sends them directly and, while offline, refuses them with a clear reason.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    LeanOpsError,
)
from leanops_desktop.core.rows import ReportResult
from leanops_desktop.db.engine import Database
from leanops_desktop.db.outbox import Outbox
from leanops_desktop.db.outbox_items import ItemKind, ItemState, OutboxItem, RefusalCode
from leanops_desktop.services.reporting import production
from leanops_desktop.services.reporting.refusals import log_refusal, refusal_code
from leanops_desktop.services.reporting.report_channel import ErrorKind, ReportChannel, classify
from leanops_desktop.services.reporting.report_request import ReportRequest

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_UNEXPECTED_ATTEMPTS",
    "ErrorKind",
    "ItemResult",
    "Outcome",
    "PassResult",
    "ReportSender",
    "classify",
    "connection_message",
    "send_item",
    "send_reports",
]

log = logging.getLogger(__name__)

MAX_UNEXPECTED_ATTEMPTS = 5
#: Reports sent together in one trip (a kiosk that was offline catches up 50 at a time).
DEFAULT_BATCH_SIZE = 50
SendFunction = Callable[[Session, Actor, OutboxItem], ReportResult]
BatchOutcome = ReportResult | LeanOpsError
SendBatchFunction = Callable[[Session, Actor, Sequence[OutboxItem]], list[BatchOutcome]]


def connection_message(error: BaseException) -> str:
    """One readable line about a connection problem (never a traceback or a password)."""
    if isinstance(error, LeanOpsError):
        return error.message
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return f"no connection to the database ({text[0] if text else type(error).__name__})"


def send_item(session: Session, actor: Actor, item: OutboxItem) -> ReportResult:
    """The real service call for one outbox item."""
    if item.kind == ItemKind.CORRECTION:
        assert item.corrects_id is not None
        return production.correct_report(
            session,
            actor,
            log_id=item.corrects_id,
            correction_id=item.id,
            operator=item.operator,
            tapped_at=item.created_at,
        )
    return production.report_quantity(
        session,
        actor,
        station_id=item.station_id,
        job_id=item.job_id,
        qty=item.qty,
        report_id=item.id,
        confirm_over=item.confirm_over,
        reported_by=item.operator,
        tapped_at=item.created_at,
    )


def send_reports(session: Session, actor: Actor, items: Sequence[OutboxItem]) -> list[BatchOutcome]:
    """The real service call for a batch of reports: one outcome per item, in order."""
    return production.report_quantities(
        session,
        actor,
        [
            ReportRequest(
                station_id=item.station_id,
                job_id=item.job_id,
                qty=item.qty,
                report_id=item.id,
                confirm_over=item.confirm_over,
                reported_by=item.operator,
                tapped_at=item.created_at,
            )
            for item in items
        ],
    )


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"
    OFFLINE = "offline"
    RETRY = "retry"  # unexpected error, still pending


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What happened to one item in a pass."""

    item: OutboxItem
    outcome: Outcome
    message: str = ""
    result: ReportResult | None = None


@dataclass(frozen=True, slots=True)
class PassResult:
    """One pass over the outbox."""

    results: tuple[ItemResult, ...]
    online: bool | None  # None: nothing was tried
    error: str = ""

    @property
    def sent(self) -> int:
        return sum(1 for result in self.results if result.outcome == Outcome.SENT)

    @property
    def refused(self) -> int:
        return sum(1 for result in self.results if result.outcome == Outcome.REFUSED)


class ReportSender:
    """Sends pending outbox items in order with one signed-in user's connection."""

    def __init__(
        self,
        outbox: Outbox,
        db: Database,
        actor: Actor,
        *,
        send: SendFunction = send_item,
        send_batch: SendBatchFunction = send_reports,
        batch_size: int = DEFAULT_BATCH_SIZE,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        """``send`` sends one item (corrections; every item when ``batch_size`` is 1);
        ``send_batch`` sends reports in a row, up to ``batch_size`` at a time; ``prepare``
        runs before every pass (a kiosk registers its offline sign-ins there, so the server
        has checked them before their reports arrive)."""
        self.outbox = outbox
        self.db = db
        self.actor = actor
        self._send = send
        self._send_batch = send_batch
        self._prepare = prepare
        self.batch_size = max(1, batch_size)
        self._channel = ReportChannel(db)
        self._unlogged_refusals = True  # refusals from an earlier run may wait in the outbox

    def close(self) -> None:
        """Give back the connection kept for reports (the send loop does it when it stops)."""
        self._channel.close()

    def rest(self) -> None:
        """Between passes: the kept connection goes back to the pool when the seat shares it."""
        self._channel.rest()

    def send_one(self, item: OutboxItem) -> ItemResult:
        """Try one item once and record the outcome in the outbox."""
        if item.kind == ItemKind.CORRECTION and item.corrects_id is not None:
            original = self.outbox.get(item.corrects_id)
            if original.state == ItemState.REFUSED:
                reason = "the report it takes back was not counted, so there is nothing to undo"
                self.outbox.mark_refused(item.id, RefusalCode.RULE, reason)
                self.outbox.mark_refusal_logged(item.id)  # the original's event covers it
                return ItemResult(item, Outcome.REFUSED, reason)
        try:
            if item.kind == ItemKind.REPORT:
                result = self._channel.run(lambda session: self._send(session, self.actor, item))
            else:  # a correction is a transaction of several statements: an ordinary session
                with self.db.session() as session:
                    result = self._send(session, self.actor, item)
        except Exception as error:
            kind = classify(error)
            if kind == ErrorKind.CONNECTION:
                message = connection_message(error)
                self.outbox.record_failure(item.id, message)
                return ItemResult(item, Outcome.OFFLINE, message)
            if kind == ErrorKind.REFUSAL:
                assert isinstance(error, LeanOpsError)
                self.outbox.mark_refused(item.id, refusal_code(error), error.message)
                self._unlogged_refusals = True
                log.warning("report %s refused: %s", item.id, error.message)
                return ItemResult(item, Outcome.REFUSED, error.message)
            message = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            log.exception("sending report %s failed unexpectedly", item.id)
            attempts = self.outbox.record_failure(item.id, message)
            if attempts >= MAX_UNEXPECTED_ATTEMPTS:
                self.outbox.mark_refused(item.id, RefusalCode.UNEXPECTED, message)
                self._unlogged_refusals = True
                return ItemResult(item, Outcome.REFUSED, message)
            return ItemResult(item, Outcome.RETRY, message)
        self.outbox.mark_sent(item.id)
        return ItemResult(item, Outcome.SENT, result=result)

    def log_refusals(self) -> bool:
        """Tell the supervisor about refusals not yet logged; False when offline."""
        for item in self.outbox.refusals_to_log():
            try:
                with self.db.session() as session:
                    log_refusal(session, self.actor, item, item.last_error or "refused")
            except Exception as error:
                if classify(error) == ErrorKind.CONNECTION:
                    return False
                log.exception("could not log the refusal of report %s", item.id)
                continue
            self.outbox.mark_refusal_logged(item.id)
        return True

    def send_batch(self, items: Sequence[OutboxItem]) -> list[ItemResult]:
        """Send reports in a row in one trip and record every outcome in one outbox write."""
        try:
            outcomes = self._channel.run(
                lambda session: self._send_batch(session, self.actor, items)
            )
        except Exception as error:
            if classify(error) == ErrorKind.CONNECTION:
                message = connection_message(error)
                self.outbox.record_failures([item.id for item in items], message)
                return [ItemResult(items[0], Outcome.OFFLINE, message)]
            # Nothing of the batch counted: let each item meet the error on its own.
            log.warning("a batch of %d reports failed (%s); sending one by one", len(items), error)
            results: list[ItemResult] = []
            for item in items:
                results.append(self.send_one(item))
                if results[-1].outcome in (Outcome.OFFLINE, Outcome.RETRY):
                    break
            return results
        sent: list[uuid.UUID] = []
        refused: list[tuple[uuid.UUID, RefusalCode, str]] = []
        results = []
        for item, outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, LeanOpsError):
                refused.append((item.id, refusal_code(outcome), outcome.message))
                log.warning("report %s refused: %s", item.id, outcome.message)
                results.append(ItemResult(item, Outcome.REFUSED, outcome.message))
            else:
                sent.append(item.id)
                results.append(ItemResult(item, Outcome.SENT, result=outcome))
        self.outbox.record_outcomes(sent, refused)
        if refused:
            self._unlogged_refusals = True
        return results

    def send_pending(
        self,
        *,
        stop: threading.Event | None = None,
        on_result: Callable[[ItemResult], None] | None = None,
    ) -> PassResult:
        """Send items in order until none is left, the connection fails or ``stop`` is set."""
        results: list[ItemResult] = []
        online: bool | None = None
        if self._prepare is not None and self.outbox.take_batch(1)[0]:
            try:
                self._prepare()
                self._unlogged_refusals = True  # it may have refused items (offline sign-ins)
            except Exception as error:
                if classify(error) == ErrorKind.CONNECTION:
                    return PassResult((), online=False, error=connection_message(error))
                log.exception("preparing the pass failed")
        while stop is None or not stop.is_set():
            additions = self.outbox.additions
            batch, everything = self.outbox.take_batch(self.batch_size)
            if not batch:
                break
            # One item goes alone (a correction, or a report: one trip either way).
            done = [self.send_one(batch[0])] if len(batch) == 1 else self.send_batch(batch)
            for result in done:
                results.append(result)
                if on_result is not None:
                    on_result(result)
            last = done[-1]
            if last.outcome == Outcome.OFFLINE:
                return PassResult(tuple(results), online=False, error=last.message)
            online = True
            if last.outcome == Outcome.RETRY:
                return PassResult(tuple(results), online=True, error=last.message)
            if everything and self.outbox.additions == additions:
                break  # all that was pending is handled and nothing was added meanwhile
        if self._unlogged_refusals and self.outbox.refusals_to_log():
            if not self.log_refusals():
                return PassResult(
                    tuple(results), online=False, error="no connection to the database"
                )
            self._unlogged_refusals = bool(self.outbox.refusals_to_log())
        else:
            self._unlogged_refusals = False
        return PassResult(tuple(results), online=online)
