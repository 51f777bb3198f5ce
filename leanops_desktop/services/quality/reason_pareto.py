"""Blocked time by reason category: the performance view's Pareto, grouped by the tree.

A block reason that is a reason id counts under that reason's category; any other text
counts as "unexplained" (an unplanned stop, as OEE counts it, docs/oee.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import read_transaction
from leanops_desktop.services.quality.reasons import list_reasons

UNEXPLAINED = "unexplained"

CATEGORY_LABELS: dict[ReasonCategory, str] = {
    ReasonCategory.PLANNED_STOP: "planned stop",
    ReasonCategory.UNPLANNED_STOP: "unplanned stop",
    ReasonCategory.CHANGEOVER: "changeover",
    ReasonCategory.QUALITY: "quality",
    ReasonCategory.NO_WORK: "no work",
}


def reason_categories(session: Session) -> dict[str, ReasonCategory]:
    """Reason id -> its category, for every reason of the tree."""
    with read_transaction(session):
        return {row.id: row.category for row in list_reasons(session)}


def blocked_by_category(
    blocked: Iterable[tuple[str, float]], categories: Mapping[str, ReasonCategory]
) -> list[tuple[str, float]]:
    """``(reason, seconds)`` summed per category label, most first (ties by name)."""
    totals: dict[str, float] = {}
    for reason, seconds in blocked:
        category = categories.get(reason)
        label = CATEGORY_LABELS[category] if category is not None else UNEXPLAINED
        totals[label] = totals.get(label, 0.0) + seconds
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))
