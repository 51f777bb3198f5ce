"""Re-read the kiosk when the live feed reports a change that concerns its station.

The kiosk also re-reads every few seconds, so without the live feed (an older build, or
the feed offline) it is only slower to notice a supervisor's change, never wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from leanops_desktop.qt.db_runner import DbRunner
    from leanops_desktop.qt.live import LiveFeed
    from leanops_desktop.services.accounts.signed_in import SignedIn

log = logging.getLogger(__name__)

#: Makes the started live feed of a signed-in session: ``(signed_in, parent, runner)``. The
#: composition root (``app.make_live_feed``) passes its own, so the kiosk's feed is wired
#: like the main window's.
FeedFactory = Callable[["SignedIn", QObject, "DbRunner | None"], "LiveFeed"]


def default_feed(signed_in: SignedIn, parent: QObject, runner: DbRunner | None) -> LiveFeed:
    """The live feed of ``signed_in``'s database, started (tests without a composition root)."""
    from leanops_desktop.qt.live import LiveFeed

    feed = LiveFeed(signed_in.db, parent, runner=runner)
    feed.start()
    return feed


def concerns(changes: Mapping[str, set[str]], station_id: str, assignment_id: str | None) -> bool:
    """Whether a batch of changed rows matters to this station's screen.

    Its station row (status, a new or finished job), its own assignment (moved or ended)
    and any job (the queue, the current job's details). Reports do not: the kiosk re-reads
    after sending its own, and counter updates are not in the feed (migration 0007), so
    the reports of the plant's other stations no longer make every kiosk re-read. The job's
    progress from another station (a job on two stations), or a report made for this
    station from the office, shows with the kiosk's periodic re-read (every 5 s).
    """
    if station_id in changes.get("stations", set()):
        return True
    if assignment_id is not None and assignment_id in changes.get("station_assignments", set()):
        return True
    return bool(changes.get("jobs"))


class LiveRefresh(QObject):
    """Listens to the live feed (when this build has it) and asks for a refresh."""

    def __init__(
        self,
        signed_in: SignedIn,
        station_id: str,
        refresh: Callable[[], None],
        assignment_id: Callable[[], str | None],
        parent: QObject | None = None,
        *,
        runner: DbRunner | None = None,
        make_feed: FeedFactory = default_feed,
    ) -> None:
        super().__init__(parent)
        self._station_id = station_id
        self._refresh = refresh
        self._assignment_id = assignment_id
        feed = make_feed(signed_in, self, runner)
        feed.changes_arrived.connect(self._changed)
        self.feed: QObject | None = feed

    def _changed(self, changes: Mapping[str, set[str]]) -> None:
        if concerns(changes, self._station_id, self._assignment_id()):
            self._refresh()

    def stop(self) -> None:
        stop = getattr(self.feed, "stop", None)
        if callable(stop):
            stop()
