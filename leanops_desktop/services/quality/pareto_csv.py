"""The Pareto of blocked time as CSV rows: by reason (each with its category in the reason
tree) or by category (each with the reasons it holds), most first, with the share and the
cumulative share of the blocked time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leanops_desktop.core.quality import ReasonCategory
from leanops_desktop.services.quality.reason_pareto import (
    CATEGORY_LABELS,
    UNEXPLAINED,
    blocked_by_category,
)

Rows = list[list[str]]
BY_REASON_HEADER = ["reason", "category", "blocked_hours", "share", "cumulative_share"]
BY_CATEGORY_HEADER = ["category", "blocked_hours", "share", "cumulative_share", "reasons"]


def category_label(reason: str, categories: Mapping[str, ReasonCategory]) -> str:
    """The category a blocked reason counts under (``unexplained`` when not in the tree)."""
    category = categories.get(reason)
    return CATEGORY_LABELS[category] if category is not None else UNEXPLAINED


def _shares(pairs: list[tuple[str, float]]) -> list[tuple[str, str, str, str]]:
    """(name, hours, share, cumulative share) per pair, as text."""
    total = sum(seconds for _name, seconds in pairs)
    running = 0.0
    result = []
    for name, seconds in pairs:
        running += seconds
        share = seconds / total if total > 0 else 0.0
        cumulative = running / total if total > 0 else 0.0
        result.append((name, f"{seconds / 3600:.3f}", f"{share:.4f}", f"{cumulative:.4f}"))
    return result


def pareto_rows(
    blocked: Iterable[tuple[str, float]],
    categories: Mapping[str, ReasonCategory],
    *,
    by_category: bool,
) -> Rows:
    """A header, then one row per reason (or per category), most blocked time first."""
    reasons = sorted(blocked, key=lambda item: (-item[1], item[0]))
    if not by_category:
        rows: Rows = [list(BY_REASON_HEADER)]
        for name, hours, share, cumulative in _shares(reasons):
            rows.append([name, category_label(name, categories), hours, share, cumulative])
        return rows
    held: dict[str, list[str]] = {}
    for reason, _seconds in reasons:
        held.setdefault(category_label(reason, categories), []).append(reason)
    rows = [list(BY_CATEGORY_HEADER)]
    for name, hours, share, cumulative in _shares(blocked_by_category(reasons, categories)):
        rows.append([name, hours, share, cumulative, "; ".join(held.get(name, []))])
    return rows
