"""The OEE of the current shift on each station tile (docs/oee.md).

:class:`TileOee` reads ``services/oee`` for the shift that began last (today's or one that
began yesterday and runs over midnight) on the window's runner, never in the GUI thread, a
moment after floor changes (at most once per ``DELAY_MS``) and every ``TICK_MS`` while the
shift runs, and hands each station's figure to the overview. Roles that may not see
analytics read nothing and see no figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.permissions import Action, allowed
from leanops_desktop.qt.db_runner import READS, DbRunner
from leanops_desktop.services.analytics_time import local_zone
from leanops_desktop.services.oee.compute import oee_rows
from leanops_desktop.services.oee.figures import OeeRow

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

DELAY_MS = 3_000
TICK_MS = 60_000


def current_shift_oee(rows: Sequence[OeeRow]) -> dict[str, float | None]:
    """Station -> OEE of the occurrence that began last (rows come in occurrence order)."""
    if not rows:
        return {}
    latest = (rows[-1].day, rows[-1].shift_id)
    return {row.station_id: row.figures.oee for row in rows if (row.day, row.shift_id) == latest}


def read_shift_oee(
    db: Database, actor: Actor, now: datetime, tz: tzinfo
) -> dict[str, float | None]:
    """The current shift's OEE per station (runs on a runner lane)."""
    today = now.astimezone(tz).date()
    with db.session() as session:
        rows = oee_rows(session, actor, today - timedelta(days=1), today, tz, now=now)
    return current_shift_oee(rows)


def oee_text(value: float | None) -> str:
    """``"OEE 72 %"`` for a tile; empty when the station has no figure."""
    return "" if value is None else f"OEE {value * 100:.0f} %"


class TileOee(QObject):
    """Reads the current shift's OEE and gives it to ``show`` (station -> OEE)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        runner: DbRunner,
        show: Callable[[dict[str, float | None]], None],
        parent: QObject | None = None,
        *,
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._db, self._actor, self._runner, self._show = db, actor, runner, show
        #: The zone of the shift calendar and "now" (tests set them).
        self.tz = tz or local_zone()
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.enabled = allowed(actor.role, Action.VIEW_ANALYTICS)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(DELAY_MS)
        self._delay.timeout.connect(self.refresh)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.refresh)
        if self.enabled:
            self._tick.start()

    def changed(self, *_: object) -> None:
        """The floor changed: read again a moment later (once for a burst of changes)."""
        if self.enabled and not self._delay.isActive():
            self._delay.start()

    def refresh(self) -> None:
        if not self.enabled:
            return
        db, actor, tz, now = self._db, self._actor, self.tz, self.clock()
        self._runner.submit(
            lambda: read_shift_oee(db, actor, now, tz),
            self._show,
            lambda _error: None,  # the tiles keep their figure; the next tick tries again
            lane=READS,
            group=f"tile-oee-{id(self)}",
        )

    def stop(self) -> None:
        self._delay.stop()
        self._tick.stop()
