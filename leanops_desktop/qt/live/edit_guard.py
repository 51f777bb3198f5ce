"""Rows being edited here that someone else changes meanwhile: warn, never overwrite silently.

How an edit dialog uses it::

    watch = EditConflictWatch(window.live_feed, dialog)   # feed may be None: then it is inert
    watch.watch("jobs", job.id)                            # the row the dialog loaded
    watch.row_changed_elsewhere.connect(on_changed)        # on_changed(table, key)

    def on_changed(table, key):
        fresh = queries.jobs_by_keys(session, [key])       # re-read the row
        fields = changed_fields(job, fresh[0]) if fresh else ["(deleted)"]
        if fields:   # the feed also reports no-op updates and changes already loaded
            dialog.show_warning(f"Changed by someone else: {', '.join(fields)}",
                                actions=["Reload", "Keep my edit"])

    # before saving: watch.release_all() (our own save comes back through the feed too),
    # then re-read the row once more and compare it with the loaded one (changed_fields):
    # this also catches a change made while the feed was offline; if anything differs, ask
    # "Overwrite their change / Reload" instead of saving blindly.

:class:`EditGuard` is the Qt-free part (which watched rows a batch of changes touched);
:func:`changed_fields` names the fields that differ between two row objects (the dataclasses
of ``core/rows.py``), so the warning can say what changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from PySide6.QtCore import QObject, Signal

from leanops_desktop.qt.live.live_feed import LiveFeed


class EditGuard:
    """The rows open for editing; :meth:`touched` picks them out of a batch of changes."""

    def __init__(self) -> None:
        self._watched: set[tuple[str, str]] = set()

    def watch(self, table: str, key: object) -> None:
        self._watched.add((table, str(key)))

    def release(self, table: str, key: object) -> None:
        self._watched.discard((table, str(key)))

    def release_all(self) -> None:
        self._watched.clear()

    @property
    def watched(self) -> frozenset[tuple[str, str]]:
        return frozenset(self._watched)

    def touched(self, changes: Mapping[str, Collection[str]]) -> list[tuple[str, str]]:
        """The watched ``(table, key)`` pairs that appear in ``changes``, sorted."""
        return sorted((table, key) for table, key in self._watched if key in changes.get(table, ()))


def changed_fields(before: object, after: object) -> list[str]:
    """Names of the dataclass fields whose values differ between two versions of a row."""
    if not (dataclasses.is_dataclass(before) and dataclasses.is_dataclass(after)):
        return [] if before == after else ["(row)"]
    return [
        item.name
        for item in dataclasses.fields(before)
        if getattr(before, item.name) != getattr(after, item.name, None)
    ]


class EditConflictWatch(QObject):
    """Emits ``row_changed_elsewhere(table, key)`` when a watched row changes in the database."""

    row_changed_elsewhere = Signal(str, str)

    def __init__(self, feed: LiveFeed | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.guard = EditGuard()
        if feed is not None:
            feed.changes_arrived.connect(self._changes_arrived)

    def watch(self, table: str, key: object) -> None:
        self.guard.watch(table, key)

    def release(self, table: str, key: object) -> None:
        self.guard.release(table, key)

    def release_all(self) -> None:
        self.guard.release_all()

    def _changes_arrived(self, changes: Mapping[str, Collection[str]]) -> None:
        for table, key in self.guard.touched(changes):
            self.row_changed_elsewhere.emit(table, key)
