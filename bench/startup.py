"""Startup time: from starting the process to the sign-in window on screen.

Compares the packaged app (``build/dist/LeanOps/leanops``, made by ``python build/build.py``)
with the same code run from source, against the floor set by a bare PySide6 window::

    QT_QPA_PLATFORM=offscreen python bench/startup.py [--runs 7] [--frozen PATH]

Each process is started with ``LEANOPS_STARTUP_PROBE=1``: the app prints the time its first
top-level window is exposed and exits at once (``leanops_desktop/qt/startup_probe.py``).
One warm-up run per variant is not counted (cold disk caches say more about the disk).
Targets: frozen <= 2.0 s, from source <= 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leanops_desktop.qt.startup_probe import PROBE_ENV, PROBE_PREFIX  # noqa: E402

FROZEN_DEFAULT = (
    ROOT
    / "build"
    / "dist"
    / "LeanOps"
    / ("leanops-cli.exe" if sys.platform == "win32" else "leanops")
)
WAIT_S = 30
BARE_QT = """
from PySide6.QtWidgets import QApplication, QLabel
from leanops_desktop.qt.startup_probe import install_startup_probe
app = QApplication([])
install_startup_probe(app)
label = QLabel("LeanOps")
label.setWindowTitle("bare Qt")
label.show()
app.exec()
"""


@dataclass(frozen=True, slots=True)
class Variant:
    """One way of starting a window, with the target it should meet (seconds)."""

    name: str
    command: list[str]
    target_s: float | None


class ProbeMissing(Exception):
    """The process exited without printing the probe line."""


def measure_once(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting ``command`` to its first window being exposed."""
    started = time.time()
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        raise ProbeMissing(
            f"still running after {WAIT_S} s without printing the probe line"
        ) from None
    for line in result.stderr.splitlines():
        if line.startswith(PROBE_PREFIX):
            shown = float(line[len(PROBE_PREFIX) :].split()[0])
            return shown - started
    tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
    raise ProbeMissing(f"exit code {result.returncode}; last output: {' | '.join(tail)}")


def migrated_database(folder: Path) -> str:
    from leanops_desktop.db import migrate
    from leanops_desktop.db.engine import open_database

    url = f"sqlite:///{folder / 'leanops.db'}"
    db = open_database(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    return url


def child_environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[PROBE_ENV] = "1"
    env.pop("LEANOPS_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    env["XDG_DATA_HOME"] = str(folder / "data")
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="startup time to the sign-in window")
    parser.add_argument("--runs", type=int, default=7, help="counted runs per variant")
    parser.add_argument("--frozen", type=Path, default=FROZEN_DEFAULT, help="packaged executable")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="leanops-startup-") as temp:
        folder = Path(temp)
        url = migrated_database(folder)
        env = child_environment(folder)
        variants = [
            Variant("bare PySide6 window (floor)", [sys.executable, "-c", BARE_QT], None),
            Variant(
                "from source", [sys.executable, "-m", "leanops_desktop", "--database", url], 1.5
            ),
        ]
        if args.frozen.is_file():
            variants.append(Variant("frozen", [str(args.frozen), "--database", url], 2.0))
        else:
            print(f"frozen: {args.frozen} not found (build it with: python build/build.py)")

        print(f"startup to the first window shown, {args.runs} runs each (+1 warm-up)")
        times, failures = measure(variants, env, args.runs)
        return report(variants, times, failures)


def measure(
    variants: list[Variant], env: dict[str, str], runs: int
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Run the variants in turn (round-robin, so a busy machine slows them all alike)."""
    times: dict[str, list[float]] = {variant.name: [] for variant in variants}
    failures: dict[str, str] = {}
    for run in range(runs + 1):
        for variant in variants:
            if variant.name in failures:
                continue
            try:
                seconds = measure_once(variant.command, env)
            except ProbeMissing as exc:
                failures[variant.name] = str(exc)
                continue
            if run > 0:  # the first round warms the disk cache
                times[variant.name].append(seconds)
    return times, failures


def report(variants: list[Variant], times: dict[str, list[float]], failures: dict[str, str]) -> int:
    """Print min / median / max, the time above the bare-Qt floor and the verdict."""
    floor = statistics.median(times[variants[0].name]) if times[variants[0].name] else 0.0
    print(f"{'variant':<29} {'min':>7} {'median':>7} {'max':>7} {'> floor':>8}  target")
    missed = False
    for variant in variants:
        if variant.name in failures:
            print(f"{variant.name:<29} no window measured: {failures[variant.name]}")
            print(f"  (the app must call install_startup_probe(app); see {PROBE_ENV})")
            missed = True
            continue
        values = times[variant.name]
        median = statistics.median(values)
        target = ""
        if variant.target_s is not None:
            verdict = "ok" if median <= variant.target_s else "MISSED"
            target = f"<= {variant.target_s:.1f} s: {verdict}"
            missed = missed or median > variant.target_s
        print(
            f"{variant.name:<29} {min(values):6.2f}s {median:6.2f}s {max(values):6.2f}s"
            f" {median - floor:+7.2f}s  {target}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
