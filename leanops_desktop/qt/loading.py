"""Loading a large table off the GUI thread: rows prepared in the runner's lane, swapped in.

:func:`load_into` fills a ``RowTableModel`` through a ``DbRunner`` (``qt/db_runner.py``; a
newer load of the same model supersedes one still running); :func:`paused_gc` keeps the
cyclic collector from freezing the GUI while a load builds many objects.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from leanops_desktop.qt.db_runner import DbRunner, ErrorCallback

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk load builds many objects.

    Building 100,000 rows otherwise triggers several full collections of 200-300 ms each,
    and a collection holds the GIL: the GUI thread freezes meanwhile. Paused, the load is
    also faster; one collection follows later. Nested and concurrent pauses are counted.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def load_into(
    runner: DbRunner,
    model: Any,
    fetch: Callable[[], Any],
    *,
    first_page: Callable[[], Any] | None = None,
    on_loaded: Callable[[], None] | None = None,
    on_error: ErrorCallback | None = None,
) -> None:
    """Fill a ``RowTableModel`` from ``fetch()`` run off the GUI thread, in one reset.

    Rows and their search texts are computed in the worker (``prepare_rows``, with the
    garbage collector paused); the GUI thread only swaps them in. With ``first_page`` (a
    quick, small query) its rows are shown first, and the full ``fetch`` runs once they are
    on screen. A newer load of the same model supersedes one still running.
    """
    model_type = type(model)
    group = f"load-{id(model)}"

    def prepare(read: Callable[[], Any]) -> Any:
        with paused_gc():
            return model_type.prepare_rows(read())

    def loaded(prepared: Any) -> None:
        model.set_rows(prepared)
        if on_loaded is not None:
            on_loaded()

    def load_all() -> None:
        runner.submit(lambda: prepare(fetch), loaded, on_error, group=group)

    if first_page is None:
        load_all()
        return

    def first_loaded(prepared: Any) -> None:
        model.set_rows(prepared)
        load_all()

    runner.submit(lambda: prepare(first_page), first_loaded, on_error, group=group)
