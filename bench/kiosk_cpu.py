"""Where the CPU of a kiosk bench phase goes: client processes, the server, the machine.

* :class:`ServerCpu` sums the user+system time of a PostgreSQL cluster's processes (the
  postmaster and its children, including those that ended meanwhile) from ``/proc``.
* :func:`machine_busy` reads ``/proc/stat``: the share of all CPUs busy (anyone's work).
* :class:`ThreadProfiles` runs ``cProfile`` in every thread started while it is on (cProfile
  only sees the thread that enabled it) and merges the results. Its clock is each thread's
  CPU time, so waiting (I/O, locks, the GIL) does not count: the figures say where CPU goes.

Linux only; elsewhere the figures are NaN.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import threading
import time
from pathlib import Path
from typing import Any

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text[text.rindex(")") + 2 :].split()


class ServerCpu:
    """CPU seconds a PostgreSQL cluster (data directory given) used between two snapshots.

    Counted per process, so a backend that ends meanwhile adds only what it used after the
    first snapshot (its total moves into the postmaster's "reaped children" time).
    """

    def __init__(self, data_dir: Path | str | None) -> None:
        self.postmaster: int | None = None
        if data_dir is not None:
            try:
                first = (Path(data_dir) / "postmaster.pid").read_text().split()[0]
                self.postmaster = int(first)
            except (OSError, IndexError, ValueError):
                self.postmaster = None

    def snapshot(self) -> tuple[dict[int, int], int] | None:
        """(ticks used by each live process of the cluster, ticks of reaped children)."""
        if self.postmaster is None:
            return None
        ticks: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            child = _stat_fields(int(entry.name))
            if child is not None and int(child[1]) == self.postmaster:
                ticks[int(entry.name)] = int(child[11]) + int(child[12])
        fields = _stat_fields(self.postmaster)  # after the children: see delta()
        if fields is None:
            return None
        # utime, stime, cutime, cstime are fields 14-17 of stat (index 11-14 after the name).
        ticks[self.postmaster] = int(fields[11]) + int(fields[12])
        return ticks, int(fields[13]) + int(fields[14])

    @staticmethod
    def delta(
        before: tuple[dict[int, int], int] | None, after: tuple[dict[int, int], int] | None
    ) -> float:
        """Seconds used between two snapshots (NaN when the cluster is not ours)."""
        if before is None or after is None:
            return float("nan")
        (was, reaped_before), (now, reaped_after) = before, after
        ticks = sum(used - was.get(pid, 0) for pid, used in now.items())
        gone = sum(used for pid, used in was.items() if pid not in now)
        ticks += (reaped_after - reaped_before) - gone
        return max(ticks, 0) / _TICK


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def machine_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of all CPUs busy between two :func:`machine_ticks` samples (0..1)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else float("nan")


class ThreadProfiles:
    """cProfile for every thread started between :meth:`start` and :meth:`stop`."""

    def __init__(self) -> None:
        self._profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self._original: Any = None

    def start(self) -> None:
        self._original = threading.Thread.run
        original, profiles, lock = self._original, self._profiles, self._lock

        def run(thread: threading.Thread) -> None:
            profile = cProfile.Profile(time.thread_time)
            with lock:
                profiles.append(profile)
            profile.enable()
            try:
                original(thread)
            finally:
                profile.disable()

        threading.Thread.run = run  # type: ignore[method-assign,assignment]

    def stop(self) -> None:
        if self._original is not None:
            threading.Thread.run = self._original  # type: ignore[method-assign]
            self._original = None

    def report(self, top: int = 30) -> str:
        """The heaviest functions by own CPU time, over all profiled threads."""
        with self._lock:
            profiles = [p for p in self._profiles if p.getstats()]
        if not profiles:
            return "(no profile)"
        out = io.StringIO()
        stats = pstats.Stats(profiles[0], stream=out)
        for profile in profiles[1:]:
            stats.add(profile)
        order = os.environ.get("LEANOPS_PROFILE_SORT", "tottime")  # or "cumulative"
        stats.strip_dirs().sort_stats(order).print_stats(top)
        return out.getvalue()
