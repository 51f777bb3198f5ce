"""The demo plant's quality and planned time: scrap with reasons, ideal cycle times, reason
leaves and a shift calendar matching the simulated shifts (``demo_history.py``).

Added to the simulated history afterwards, with a random generator of its own, so the
history itself (and everything that depends on it) stays as it was. The ideal cycle time of
a job is 75 % of its station's simulated cycle, scrap is about 2-3 % of the units: the
plant's OEE lands around 70 % (docs/oee.md).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import Role
from leanops_desktop.core.quality import QualityEvent
from leanops_desktop.db.oee_models import DowntimeReason, ScrapLog, Shift, ShiftBreak
from leanops_desktop.services.demo_history import STATION_RATES, Plan

_OPERATOR = Actor(email="operator@demo.leanops", role=Role.OPERATOR)
_SCRAP_REASONS = ("quality/dimension", "quality/surface", "quality/material defect",
                  "quality/setup scrap")
_IDEAL_SHARE = 0.75  # ideal cycle = 75 % of the simulated one
#: (id, name, start minute, end minute, days, ((offset, minutes), ...)): demo_history's shifts.
DEMO_SHIFTS = (
    ("1", "early", 360, 840, "123456", ((210, 15), (360, 30))),
    ("2", "late", 840, 1320, "12345", ((240, 30),)),
    ("3", "night", 1320, 360, "1234", ((240, 30),)),
)
_LEAVES = (
    ("maintenance/spindle", "maintenance", "spindle", "unplanned_stop"),
    ("maintenance/hydraulics", "maintenance", "hydraulics", "unplanned_stop"),
    ("tooling/tool change", "tooling", "tool change", "changeover"),
)


@dataclass
class QualityPlan:
    """Rows to write besides the simulated history."""

    scrap: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    ideals: dict[str, float] = field(default_factory=dict)


def plan_quality(plan: Plan, seed: int = 11) -> QualityPlan:
    """Scrap beside about one report in five, and each worked job's ideal cycle time."""
    rng = random.Random(seed)
    quality = QualityPlan()
    for log in plan.logs:
        job_id, station_id = log["job_id"], log["station_id"]
        if job_id not in quality.ideals:
            quality.ideals[job_id] = round(3600 / STATION_RATES[station_id] * _IDEAL_SHARE, 1)
        if rng.random() >= 0.2:
            continue
        qty = max(1, round(log["qty_completed"] * rng.uniform(0.04, 0.2)))
        scrap_id, reason = uuid.uuid4(), rng.choice(_SCRAP_REASONS)
        when = log["timestamp"] + timedelta(seconds=20)
        quality.scrap.append(
            {"id": scrap_id, "station_id": station_id, "job_id": job_id,
             "assignment_id": log["assignment_id"], "qty_scrapped": qty, "reason_id": reason,
             "timestamp": when, "actor": _OPERATOR.email}
        )
        quality.events.append(
            {"id": uuid.uuid4(), "event_type": QualityEvent.SCRAP_REPORTED.value,
             "station_id": station_id, "job_id": job_id, "actor": _OPERATOR.email,
             "meta": {"actor": _OPERATOR.email, "role": _OPERATOR.role.value,
                      "log_id": str(scrap_id), "qty": qty, "reason": reason,
                      "category": "quality"},
             "timestamp": when}
        )
    return quality


def apply_ideals(plan: Plan, quality: QualityPlan) -> None:
    """Put the ideal cycle times on the plan's job rows (before they are inserted)."""
    for job_id, row in plan.jobs.items():
        row["ideal_cycle_s"] = quality.ideals.get(job_id)


def write_quality(session: Session, quality: QualityPlan) -> None:
    """The calendar, the reason leaves and the scrap (after the logs and assignments)."""
    session.execute(delete(ShiftBreak))
    session.execute(delete(Shift))
    for shift_id, name, start, end, days, breaks in DEMO_SHIFTS:
        session.execute(insert(Shift).values(id=shift_id, name=name, start_minute=start,
                                             end_minute=end, days=days))
        for offset, minutes in breaks:
            session.execute(insert(ShiftBreak).values(
                id=uuid.uuid4(), shift_id=shift_id, name="break", offset_minutes=offset,
                duration_minutes=minutes))
    for reason_id, parent, name, category in _LEAVES:
        session.execute(insert(DowntimeReason).values(
            id=reason_id, parent_id=parent, name=name, category=category))
    for chunk in range(0, len(quality.scrap), 5000):
        session.execute(insert(ScrapLog), quality.scrap[chunk : chunk + 5000])
