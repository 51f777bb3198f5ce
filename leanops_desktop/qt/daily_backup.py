"""The main window's daily backup: at start and every hour, on the runner's ``files`` lane,
never in the GUI thread. What happened is shown in the status bar for a while and logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.qt.db_runner import FILES, DbRunner
from leanops_desktop.services.backups import BackupPlan, run_daily_backup

#: How often the window asks whether today's copy is due (a PC left on for days).
CHECK_EVERY_MS = 60 * 60 * 1000

_log = logging.getLogger(__name__)


class DailyBackup(QObject):
    """Asks for today's copy now and every hour; ``finished`` tells each outcome."""

    #: The sentence for the status bar (a new copy or a failure; nothing when none was due).
    finished = Signal(str)

    def __init__(
        self,
        plan: BackupPlan,
        runner: DbRunner,
        parent: QObject | None = None,
        *,
        work: Callable[[BackupPlan], Path | None] = run_daily_backup,
    ) -> None:
        super().__init__(parent)
        self.plan = plan
        self._runner = runner
        self._work = work
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check_now)

    def start(self) -> None:
        self.check_now()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check_now(self) -> None:
        plan, work = self.plan, self._work
        self._runner.submit(
            lambda: work(plan), self._done, self._failed, lane=FILES, group="daily-backup"
        )

    def _done(self, made: Path | None) -> None:
        if made is None:
            return
        _log.info("daily backup written to %s", made)
        self.finished.emit(f"Backup saved: {made.name}")  # the status bar is narrow

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, LeanOpsError):
            text = error.message
        elif isinstance(error, OSError):
            text = f"{error.strerror or error} ({error.filename or self.plan.folder})"
        else:
            text = f"{type(error).__name__}: {error}"
        _log.warning("daily backup into %s failed: %s", self.plan.folder, text)
        self.finished.emit(f"Backup failed: {text}")
