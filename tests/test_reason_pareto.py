"""Blocked time by reason category: the tree decides, text outside it is unexplained."""

from __future__ import annotations

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.db.engine import Database
from leanops_desktop.services.quality import reasons
from leanops_desktop.services.quality.reason_pareto import blocked_by_category, reason_categories


def test_leaves_count_under_their_own_category_and_free_text_is_unexplained(
    db: Database, admin: Actor
) -> None:
    with db.session() as session:
        reasons.save_reason(session, admin, reason_id="tooling", name="tooling",
                            category=ReasonCategory.UNPLANNED_STOP)  # fmt: skip
        reasons.save_reason(session, admin, reason_id="tooling/insert", name="insert",
                            category=ReasonCategory.CHANGEOVER, parent_id="tooling")  # fmt: skip
        categories = reason_categories(session)
    assert categories["tooling/insert"] == ReasonCategory.CHANGEOVER
    blocked = [("tooling/insert", 900.0), ("tooling", 300.0), ("jam", 700.0), ("odd", 500.0)]
    assert blocked_by_category(blocked, categories) == [
        ("unexplained", 1200.0), ("changeover", 900.0), ("unplanned stop", 300.0),
    ]  # fmt: skip
    assert blocked_by_category([], categories) == []
