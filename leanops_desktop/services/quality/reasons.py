"""The downtime reason tree: two levels, each reason with a category; edited by admins.

A reason's id is its path: ``maintenance`` or ``maintenance/spindle``. The site's
``[kiosk] block_reasons`` list seeds the top level (:func:`seed_reasons`); a block whose
reason text is a reason id links the stop to that reason (``reason_of_block``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.quality import QualityEvent, ReasonCategory
from leanops_desktop.core.validation import check_choice, check_text
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.oee_models import DowntimeReason
from leanops_desktop.services.quality import pg_call
from leanops_desktop.services.quality.quality_events import record_quality_event


@dataclass(frozen=True)
class ReasonRow:
    """One reason of the tree as the services hand it out."""

    id: str
    parent_id: str | None
    name: str
    category: ReasonCategory
    is_active: bool


def list_reasons(session: Session) -> list[ReasonRow]:
    """Every reason, parents before their leaves, by id."""
    rows = session.scalars(select(DowntimeReason).order_by(DowntimeReason.id)).all()
    return [
        ReasonRow(r.id, r.parent_id, r.name, ReasonCategory(r.category), r.is_active)
        for r in rows
    ]


def save_reason(
    session: Session,
    actor: Actor,
    *,
    reason_id: str,
    name: str,
    category: ReasonCategory | str,
    parent_id: str | None = None,
    is_active: bool = True,
) -> bool:
    """Create or change a reason (admins); False when nothing changed."""
    require(actor, Action.MANAGE_SETTINGS)
    reason_id = check_text("id", reason_id)
    name = check_text("name", name)
    chosen = check_choice("category", category, ReasonCategory)
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            return bool(
                pg_call.call(
                    session,
                    "leanops_save_reason",
                    {
                        "id": reason_id,
                        "parent": parent_id,
                        "name": name,
                        "category": chosen.value,
                        "active": is_active,
                        **pg_call.who(actor),
                    },
                    "CAST(:id AS text), CAST(:parent AS text), CAST(:name AS text),"
                    " CAST(:category AS text), CAST(:active AS boolean), CAST(:actor AS text),"
                    " CAST(:role AS text)",
                )
            )
        return _save_here(session, actor, ReasonRow(reason_id, parent_id, name, chosen, is_active))


def _save_here(session: Session, actor: Actor, new: ReasonRow) -> bool:
    if new.parent_id is not None:
        parent = session.get(DowntimeReason, new.parent_id)
        if parent is None:
            raise NotFound("reason", new.parent_id)
        if parent.parent_id is not None or parent.id == new.id:
            raise RuleViolation("reasons have two levels: a parent must be top-level")
        if session.scalar(select(DowntimeReason.id).where(DowntimeReason.parent_id == new.id)):
            raise RuleViolation("a reason with sub-reasons cannot move under another")
    old = session.get(DowntimeReason, new.id)
    before = None
    if old is not None:
        before = {"parent_id": old.parent_id, "name": old.name, "category": old.category,
                  "is_active": old.is_active}
    after = {"parent_id": new.parent_id, "name": new.name, "category": new.category.value,
             "is_active": new.is_active}
    if before == after:
        return False
    if old is None:
        session.add(DowntimeReason(id=new.id, **after))
    else:
        for field, value in after.items():
            setattr(old, field, value)
    session.flush()
    record_quality_event(
        session, actor, QualityEvent.DOWNTIME_REASON_SAVED, reason=new.id, old=before, new=after
    )
    return True


#: Categories of the usual block reasons when a site's list seeds the tree.
_SEED_CATEGORY = {
    "changeover": ReasonCategory.CHANGEOVER,
    "material": ReasonCategory.NO_WORK,
    "no operator": ReasonCategory.NO_WORK,
    "no work": ReasonCategory.NO_WORK,
    "quality": ReasonCategory.QUALITY,
    "planned stop": ReasonCategory.PLANNED_STOP,
}


def seed_reasons(session: Session, actor: Actor, block_reasons: tuple[str, ...]) -> int:
    """Add each of the site's block reasons missing from the tree as a top-level reason
    (category by name, else unplanned stop); how many were added."""
    known = {row.id for row in list_reasons(session)}
    added = 0
    for text in block_reasons:
        if text in known:
            continue
        category = _SEED_CATEGORY.get(text.lower(), ReasonCategory.UNPLANNED_STOP)
        added += save_reason(session, actor, reason_id=text, name=text, category=category)
    return added


def reason_of_block(session: Session, block_reason: str | None) -> ReasonRow | None:
    """The reason a block's reason text names (its id), else None (unexplained)."""
    if not block_reason:
        return None
    row = session.get(DowntimeReason, block_reason)
    if row is None:
        return None
    return ReasonRow(row.id, row.parent_id, row.name, ReasonCategory(row.category), row.is_active)
