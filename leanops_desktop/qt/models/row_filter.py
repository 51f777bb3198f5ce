"""What a floor view is filtered by: search text plus a few field filters.

A model applies only the fields that make sense for its rows (a station has no due date)
and ignores the others; the docks show only the controls their model uses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

R = TypeVar("R")

#: Whether the row with this key passes the filter (its search text and fields).
Match = Callable[[Hashable, Any], bool]


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Search text and field filters; ``None`` means "any".

    * ``text``: every word must occur (case-insensitive) in the row's search text.
    * ``line``: production line, exact.
    * ``status``: station state (running, idle, blocked, inactive) or job status.
    * ``priority``: ``"high"`` or ``"normal"``.
    * ``due_within_days``: unfinished work due within this many days, overdue included
      (0 = due today or overdue).
    * ``event_type``: an ``EventType`` value.
    """

    text: str = ""
    line: str | None = None
    status: str | None = None
    priority: str | None = None
    due_within_days: int | None = None
    event_type: str | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The lowercase words of the search text."""
        return tuple(self.text.lower().split())

    @property
    def has_fields(self) -> bool:
        """True when any field filter (not the text) is set."""
        return any(
            value is not None
            for value in (
                self.line,
                self.status,
                self.priority,
                self.due_within_days,
                self.event_type,
            )
        )

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.has_fields

    def with_text(self, text: str) -> RowFilter:
        """The same filter with other search text."""
        return replace(self, text=text)


def search_text(*parts: object) -> str:
    """The lowercase text a row is searched in (``None`` parts are left out)."""
    return "\x1f".join(str(part) for part in parts if part is not None).lower()


def select_rows(
    by_key: Mapping[Any, R],
    keys: Iterable[Any],
    search: Mapping[Any, str] | None,
    row_filter: RowFilter,
    field_test: Callable[[R], bool] | None,
) -> list[R]:
    """The rows of ``keys`` (in that order) that pass ``row_filter``.

    ``search`` holds each key's search text (needed when the filter has words);
    ``field_test`` is the model's test for the field filters. The common cases run as
    one comprehension each, without a Python call per row.
    """
    words = row_filter.words
    if not words:
        if field_test is None:
            return [by_key[key] for key in keys]
        return [row for row in map(by_key.__getitem__, keys) if field_test(row)]
    assert search is not None
    if len(words) == 1 and field_test is None:
        word = words[0]
        return [by_key[key] for key in keys if word in search[key]]
    selected = []
    for key in keys:
        text = search[key]
        if all(word in text for word in words):
            row = by_key[key]
            if field_test is None or field_test(row):
                selected.append(row)
    return selected


def build_match(
    words: tuple[str, ...],
    test: Callable[[Any], bool] | None,
    search: Mapping[Any, str] | None,
) -> Match | None:
    """The test of one row against the filter's ``words`` (in its precomputed search text)
    and its field ``test``; None when everything passes. Made once per filter, called per row."""
    if not words:
        if test is None:
            return None
        field_test = test
        return lambda _key, row: field_test(row)
    assert search is not None
    if len(words) == 1:
        word = words[0]
        if test is None:
            return lambda key, _row: word in search[key]
        both = test
        return lambda key, row: word in search[key] and both(row)

    def match(key: Any, row: Any) -> bool:
        text = search[key]
        return all(word in text for word in words) and (test is None or test(row))

    return match
