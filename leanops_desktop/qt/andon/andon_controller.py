"""Runs the andon rules for the supervisor's window: reads the floor on the runner's reads
lane when the feed says it moved (and every ``CHECK_MS``, since time alone raises alerts),
shows new alerts in the Notifications dock and the system tray, and records an
acknowledgement on the writes lane."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QSystemTrayIcon

from leanops_desktop.core.actor import Actor
from leanops_desktop.qt.andon.notifications_dock import RULE_TITLES, NotificationsDock
from leanops_desktop.qt.db_runner import READS, WRITES, DbRunner, failure_text
from leanops_desktop.services.andon import andon_store
from leanops_desktop.services.andon.rules import (
    Alert,
    AndonMonitor,
    AndonThresholds,
    JobFacts,
    StationFacts,
)

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

CHECK_MS = 30_000
FLOOR_TABLES = frozenset({"stations", "station_assignments", "performance_logs", "jobs"})
Facts = tuple[list[StationFacts], list[JobFacts]]


def tray_message(alerts: list[Alert]) -> tuple[str, str] | None:
    """One tray message for the alerts of one check (a burst is one message, not many)."""
    if not alerts:
        return None
    if len(alerts) == 1:
        return RULE_TITLES[alerts[0].rule], alerts[0].text
    lines = "\n".join(alert.text for alert in alerts[:3])
    more = f"\n… and {len(alerts) - 3} more" if len(alerts) > 3 else ""
    return f"{len(alerts)} new alerts", lines + more


class AndonController(QObject):
    """Checks the rules, notifies each alert once, acknowledges on request."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        runner: DbRunner,
        dock: NotificationsDock,
        *,
        thresholds: AndonThresholds,
        tz: tzinfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tray: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__(dock)
        self._db, self._actor, self._runner, self._dock = db, actor, runner, dock
        self._tz, self._clock, self._tray = tz, clock, tray
        self.monitor = AndonMonitor(thresholds)
        self._ready = False
        self._checking = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        dock.acknowledge_requested.connect(self.acknowledge)

    def start(self) -> None:
        """Read the acknowledged keys, then check now and every ``CHECK_MS``."""
        db, now = self._db, self._clock()

        def keys() -> set[str]:
            with db.session() as session:
                return andon_store.acknowledged_keys(session, now)

        self._runner.submit(keys, self._keys_loaded, self._keys_failed, lane=READS)
        self.timer.start()

    def changes(self, changes: Mapping[str, object]) -> None:
        if FLOOR_TABLES.intersection(changes):
            self.check()

    def check(self) -> None:
        if not self._ready:
            return
        if self._checking:
            self._again = True
            return
        self._checking = True
        db, now, tz = self._db, self._clock(), self._tz

        def facts() -> Facts:
            with db.session() as session:
                return andon_store.read_floor_facts(session, now, tz)

        self._runner.submit(facts, lambda f: self._checked(f, now), self._check_failed, lane=READS)

    def acknowledge(self, alert: Alert) -> None:
        db, actor = self._db, self._actor

        def write() -> bool:
            with db.session() as session:
                return andon_store.acknowledge(session, actor, alert)

        self._runner.submit(
            write,
            lambda _written: self._acknowledged(alert),
            lambda error: self._dock.acknowledge_failed(alert.key, failure_text(error)),
            lane=WRITES,
        )

    def _keys_loaded(self, keys: set[str]) -> None:
        self.monitor.acknowledged |= keys
        self._ready = True
        self.check()

    def _keys_failed(self, error: BaseException) -> None:
        self._dock.status.setText(failure_text(error, unreachable="Alerts: no database"))
        QTimer.singleShot(CHECK_MS, self.start)

    def _checked(self, facts: Facts, now: datetime) -> None:
        fresh = self.monitor.new_alerts(*facts, now)
        for alert in fresh:
            self._dock.add_alert(alert)
        message = tray_message(fresh)
        if message is not None and self._tray is not None:
            self._tray.showMessage(*message)
        self._done()

    def _check_failed(self, _error: BaseException) -> None:
        self._done()  # the next change or tick tries again; the status bar tells of outages

    def _done(self) -> None:
        self._checking = False
        if self._again:
            self._again = False
            self.check()

    def _acknowledged(self, alert: Alert) -> None:
        self.monitor.mark_acknowledged(alert.key)
        self._dock.mark_acknowledged(alert.key)
