"""A report the server refused: its code in the outbox and the supervisor's event.

The kiosk keeps a refused report (never drops it) with a :class:`RefusalCode` the operator's
screen understands; the supervisor learns of it through one ``qty_report_refused`` event,
whose id is derived from the report's, so it is written once however often it is retried.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import (
    LeanOpsError,
    NotFound,
    OverReportNotConfirmed,
    PermissionDenied,
    ValidationError,
)
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import EventLog
from leanops_desktop.db.outbox_items import OutboxItem, RefusalCode
from leanops_desktop.services.floor.pg_call import run_statement

#: The ``events_log.event_type`` of a report the server refused (written for the supervisor).
REPORT_REFUSED_EVENT = "qty_report_refused"
LOG_REFUSED_SQL = (
    "SELECT public.leanops_log_report_refused(%s::uuid, %s::uuid, %s, %s, %s, %s, %s,"
    " %s::timestamptz, %s, %s, %s, %s)"
)
_REFUSAL_NAMESPACE = uuid.UUID("5d0c3f4e-8a53-4c1e-9a51-6f0d1b7c2e90")


def refusal_code(error: LeanOpsError) -> RefusalCode:
    if isinstance(error, OverReportNotConfirmed):
        return RefusalCode.OVER_TOTAL
    if isinstance(error, NotFound):
        return RefusalCode.NOT_FOUND
    if isinstance(error, ValidationError):
        return RefusalCode.INVALID
    if isinstance(error, PermissionDenied):
        return RefusalCode.PERMISSION
    return RefusalCode.RULE


def log_refusal(session: Session, actor: Actor, item: OutboxItem, reason: str) -> None:
    """Write the supervisor's ``qty_report_refused`` event once per item (idempotent)."""
    values: dict[str, Any] = {
        "id": uuid.uuid5(_REFUSAL_NAMESPACE, str(item.id)),
        "event_type": REPORT_REFUSED_EVENT,
        "station_id": item.station_id,
        "job_id": item.job_id,
        "actor": actor.email,
        "meta": {
            "actor": actor.email,
            "role": actor.role.value,
            "reason": reason,
            "report_id": str(item.id),
            "kind": item.kind.value,
            "qty": item.signed_qty,
            "operator": item.operator,
            "reported_at": item.created_at.isoformat(),
            "refusal_code": item.refusal_code.value if item.refusal_code else None,
        },
    }
    if session.get_bind().dialect.name == "postgresql":
        # Signed-in users write no events directly there: one function checks and writes it.
        meta = values["meta"]
        run_statement(
            session,
            LOG_REFUSED_SQL,
            (
                values["id"],
                item.id,
                item.station_id,
                item.job_id,
                item.kind.value,
                item.signed_qty,
                item.operator,
                item.created_at,
                reason,
                meta["refusal_code"],
                actor.email,
                actor.role.value,
            ),
        )
        return
    with write_transaction(session):
        dialect = session.get_bind().dialect.name
        statement: Any = (
            postgresql.insert(EventLog) if dialect == "postgresql" else sqlite.insert(EventLog)
        )
        session.execute(statement.values(**values).on_conflict_do_nothing(index_elements=["id"]))
