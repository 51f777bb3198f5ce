"""Live updates: the change feed brought into the GUI thread.

:class:`LiveFeed` wakes on PostgreSQL notifications (a socket notifier, no polling thread) or
on SQLite's ``data_version`` (a cheap timer check), reads the change feed, coalesces bursts and
emits ``changes_arrived`` at most ~20 times a second; it reports a lost connection, reconnects
with backoff and catches up. :class:`EditConflictWatch` tells an edit dialog that its row was
changed elsewhere.
"""

from leanops_desktop.qt.live.edit_guard import EditConflictWatch, EditGuard, changed_fields
from leanops_desktop.qt.live.live_feed import LiveFeed

__all__ = ["EditConflictWatch", "EditGuard", "LiveFeed", "changed_fields"]
