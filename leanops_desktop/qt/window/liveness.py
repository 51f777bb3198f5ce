"""How live the main window is: the live feed it follows, and what the status bar says of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from leanops_desktop.db.delivery_watch import NOTIFICATIONS, TIMER
from leanops_desktop.qt.status_bar import NOT_LIVE, POSTGRESQL, SQLITE, FloorStatusBar

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database


class LiveFeedLike(Protocol):
    """The live feed's signals the window listens to (``qt/live``)."""

    changes_arrived: Any  # Signal(object): dict[str, set[str]]
    connection_state_changed: Any  # Signal(bool, str)

    def read_now(self) -> None: ...


def show_liveness(
    status: FloorStatusBar, live_feed: LiveFeedLike, *, own_feed: bool, db: Database
) -> None:
    """Tell the status bar how live the window is, and keep it told (``own_feed``: the
    window's own feed, which reads only when asked)."""
    listening = getattr(live_feed, "listening", None)
    if own_feed or listening is False:
        status.set_live_mode(NOT_LIVE)
        return
    backend = getattr(live_feed, "backend", db.backend)
    mode = POSTGRESQL if backend == "postgresql" else SQLITE
    status.set_live_mode(mode, check_ms=getattr(live_feed, "sqlite_check_ms", None))
    live_feed.connection_state_changed.connect(status.set_connection)
    _follow_delivery(status, live_feed)
    state = getattr(live_feed, "state", None)
    if state is not None:  # it connected (or failed) before this window was made
        status.set_connection(bool(state), "" if state else "the connection is lost")


def _follow_delivery(status: FloorStatusBar, live_feed: LiveFeedLike) -> None:
    """PostgreSQL: say when the feed is read on a timer because notifications do not arrive."""
    delivery_changed = getattr(live_feed, "delivery_changed", None)
    if delivery_changed is None:
        return
    poll_ms = int(getattr(live_feed, "poll_ms", 1000))

    def show(mode: str, reason: str) -> None:
        status.set_delivery(poll_ms if mode == TIMER else None, reason)

    delivery_changed.connect(show)
    if getattr(live_feed, "delivery", NOTIFICATIONS) == TIMER:
        show(TIMER, str(getattr(live_feed, "delivery_reason", "")))
