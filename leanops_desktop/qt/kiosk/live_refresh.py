"""Re-read the kiosk when the live feed reports a change that concerns its station.

The kiosk also re-reads every few seconds, so without the live feed (an older build, or
the feed offline) it is only slower to notice a supervisor's change, never wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject

from leanops_desktop.db.engine import Database
from leanops_desktop.qt.db_runner import DbRunner

log = logging.getLogger(__name__)


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
        db: Database,
        station_id: str,
        refresh: Callable[[], None],
        assignment_id: Callable[[], str | None],
        parent: QObject | None = None,
        *,
        runner: DbRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._station_id = station_id
        self._refresh = refresh
        self._assignment_id = assignment_id
        self.feed: QObject | None = None
        try:
            from leanops_desktop.qt.live import LiveFeed
        except ImportError:  # pragma: no cover - the live feed is part of every build now
            return
        feed = LiveFeed(db, self, runner=runner)
        feed.changes_arrived.connect(self._changed)
        feed.start()
        self.feed = feed

    def _changed(self, changes: Mapping[str, set[str]]) -> None:
        if concerns(changes, self._station_id, self._assignment_id()):
            self._refresh()

    def stop(self) -> None:
        stop = getattr(self.feed, "stop", None)
        if callable(stop):
            stop()
