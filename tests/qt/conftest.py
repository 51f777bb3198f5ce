"""Fixtures shared by the GUI tests.

* Every test gets its own QSettings folder (nothing is read from or written to the real
  user profile).
* ``demo_db_url``: a copy of a migrated SQLite database holding the demo plant, made once
  per session.
* ``messages``: a message service that records what the UI said instead of showing it, and
  answers confirmation questions from a list.
* Every test must end the threads LeanOps started for it (``no_dangling_threads``): a runner's
  lanes, the report sender, any QThread.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread
from PySide6.QtWidgets import QApplication, QWidget

from leanops_desktop.core.actor import Actor
from leanops_desktop.db import migrate
from leanops_desktop.db.engine import Database, open_database
from leanops_desktop.qt.db_runner import DbRunner
from leanops_desktop.qt.messages import Level, Message, MessageService
from leanops_desktop.services.demo_plant import create_demo_plant
from tests.conftest import THREAD_GRACE_S, copy_sqlite


@pytest.fixture(autouse=True)
def no_dangling_qthreads(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[QThread]]:
    """Fail a test that leaves a QThread it started running (after napari's
    ``_dangling_qthreads``), with the same grace period as LeanOps' own threads
    (``no_dangling_threads`` in tests/conftest.py, for the whole suite)."""
    started: list[QThread] = []
    original = QThread.start

    def start(thread: QThread, *args: object) -> None:
        started.append(thread)
        original(thread, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield started
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        QCoreApplication.processEvents()
        qthreads = [t for t in started if _qthread_running(t)]
        if not qthreads or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not qthreads, f"QThreads still running after the test: {qthreads}"


def _qthread_running(thread: QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # already deleted
        return False


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[DbRunner]:
    """A background DbRunner, closed after the test."""
    made = DbRunner()
    yield made
    made.close()


@pytest.fixture(autouse=True)
def unfrozen_heap() -> Iterator[None]:
    """A window's full load freezes the heap (qt/gc_pauses.py); give it back after each test so
    the suite's own garbage is collected."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def isolated_settings(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point QSettings (INI format) at a fresh folder for this test."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("LeanOpsTests")
    QCoreApplication.setApplicationName("LeanOps")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, str(folder))
    return folder


#: The demo plant's "now": fixed, so which station runs, idles or is blocked never depends on
#: when the tests run (ST-02, ST-03, ST-09 running; ST-04 idle; ST-07 blocked with a job;
#: ST-10 not in use).
DEMO_NOW = datetime(2025, 3, 5, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo plant (built once per test session)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(str(path))
    try:
        migrate.upgrade(db)
        with db.session() as session:
            create_demo_plant(session, Actor.system(), now=DEMO_NOW)
    finally:
        db.dispose()
    return path


@pytest.fixture
def demo_db_url(demo_template: Path, tmp_path: Path) -> str:
    """URL of this test's own copy of the demo plant."""
    path = tmp_path / "demo.db"
    copy_sqlite(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_db(demo_db_url: str) -> Iterator[Database]:
    database = open_database(demo_db_url)
    try:
        yield database
    finally:
        database.dispose()


class RecordingMessages(MessageService):
    """Records messages (and still shows them in bars); answers questions from a list."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Message] = []
        self.questions: list[str] = []
        self.answers: list[bool] = []
        self.default_answer = True

    def show(self, level: Level, text: str, *, source: QWidget | None = None) -> None:
        self.shown.append(Message(level, text))
        super().show(level, text, source=source)

    def confirm(
        self,
        question: str,
        *,
        title: str = "Please confirm",
        accept_text: str = "OK",
        source: QWidget | None = None,
    ) -> bool:
        self.questions.append(question)
        return self.answers.pop(0) if self.answers else self.default_answer

    def texts(self, level: Level | None = None) -> list[str]:
        return [m.text for m in self.shown if level is None or m.level == level]

    @property
    def errors(self) -> list[str]:
        return self.texts(Level.ERROR)


@pytest.fixture
def messages() -> RecordingMessages:
    return RecordingMessages()
