"""The demo plant's two weeks of history, simulated shift by shift.

Three lines, breaks, blocked periods and different rates per station, collected as rows to
insert (:class:`Plan`), so the result is what the services would have produced over two
weeks: logs add up to each assignment's ``qty_done``, jobs that reached their total are
completed, every change has its event. ``demo_plant.py`` writes them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, Priority, Role, StationStatus

_STATIONS: tuple[tuple[str, str, str, int], ...] = (
    # id, name, line, units per hour when running
    ("ST-01", "Laser cutter", "Line A", 60),
    ("ST-02", "Press brake", "Line A", 45),
    ("ST-03", "Robot welder", "Line A", 30),
    ("ST-04", "Powder coat", "Line A", 55),
    ("ST-05", "CNC lathe 1", "Line B", 18),
    ("ST-06", "CNC lathe 2", "Line B", 20),
    ("ST-07", "Mill", "Line B", 14),
    ("ST-08", "Deburr & wash", "Line B", 40),
    ("ST-09", "Final assembly", "Line C", 25),
    ("ST-10", "Pack-out (spare)", "Line C", 50),
)
_INACTIVE = "ST-10"
#: Units per hour of each station when running (the demo's ideal cycle times follow them).
STATION_RATES = {station_id: rate for station_id, _name, _line, rate in _STATIONS}
_PARTS = (
    "Mounting bracket",
    "Hinge plate",
    "Motor housing",
    "Drive shaft",
    "Gear blank",
    "Valve body",
    "Side panel",
    "Cover lid",
    "Flange ring",
    "Pump impeller",
    "Sensor mount",
    "Control cabinet door",
    "Axle spacer",
    "Bearing cap",
    "Frame rail",
)
_REASONS = ("changeover", "maintenance", "material", "no operator", "quality", "tooling")
_BREAKS = ((time(9, 30), 15), (time(12, 0), 30), (time(18, 0), 30), (time(2, 0), 30))
_STEP = timedelta(minutes=10)
_DEMO_ACTOR = Actor(email="supervisor@demo.leanops", role=Role.SUPERVISOR)
_OPERATOR = Actor(email="operator@demo.leanops", role=Role.OPERATOR)


@dataclass
class Plan:
    """The simulated plant, collected as rows to insert."""

    stations: list[dict[str, Any]] = field(default_factory=list)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)


def add_event(
    plan: Plan,
    when: datetime,
    event_type: EventType,
    actor: Actor,
    *,
    station_id: str | None = None,
    job_id: str | None = None,
    **meta: Any,
) -> None:
    plan.events.append(
        {
            "id": uuid.uuid4(),
            "event_type": event_type.value,
            "station_id": station_id,
            "job_id": job_id,
            "actor": actor.email,
            "meta": {"actor": actor.email, "role": actor.role.value, **meta},
            "timestamp": when,
        }
    )


def _working(local: datetime) -> bool:
    """Three shifts on weekdays, the early shift on Saturday, Sunday off; minus breaks."""
    weekday = local.weekday()
    if weekday == 6 or (weekday == 5 and not time(6) <= local.time() < time(14)):
        return False
    minute = local.hour * 60 + local.minute
    for start, length in _BREAKS:
        begin = start.hour * 60 + start.minute
        if begin <= minute < begin + length:
            return False
    return True


def simulate(now: datetime, days: int, rng: random.Random) -> Plan:
    plan = Plan()
    local_zone = datetime.now().astimezone().tzinfo
    start_local = datetime.combine(
        (now.astimezone(local_zone) - timedelta(days=days)).date(), time(6), local_zone
    )
    start = start_local.astimezone(UTC)
    today = now.astimezone(local_zone).date()
    job_ids = iter(f"JOB-{number}" for number in range(1001, 2000))

    def new_job(created: datetime, due: date, qty: int, high: bool) -> str:
        job_id = next(job_ids)
        plan.jobs[job_id] = {
            "id": job_id,
            "part_name": rng.choice(_PARTS),
            "qty_total": qty,
            "due_date": due,
            "priority": (Priority.HIGH if high else Priority.NORMAL).value,
            "status": JobStatus.WAITING.value,
            "created_at": created,
        }
        add_event(
            plan,
            created,
            EventType.JOB_CREATED,
            _DEMO_ACTOR,
            job_id=job_id,
            new={
                "part_name": plan.jobs[job_id]["part_name"],
                "qty_total": qty,
                "due_date": due.isoformat(),
                "priority": plan.jobs[job_id]["priority"],
            },
        )
        return job_id

    for station_id, name, line, _rate in _STATIONS:
        plan.stations.append(
            {
                "id": station_id,
                "name": name,
                "line": line,
                "status": StationStatus.IDLE.value,
                "is_active": station_id != _INACTIVE,
                "blocked_reason": None,
                "created_at": start - timedelta(days=30),
            }
        )
        add_event(
            plan,
            start - timedelta(days=30),
            EventType.STATION_CREATED,
            _DEMO_ACTOR,
            station_id=station_id,
            new={"name": name, "line": line},
        )

    # Each station works through its own sequence of jobs sized to its rate.
    state: dict[str, dict[str, Any]] = {}
    for station_id, _name, _line, rate in _STATIONS:
        if station_id == _INACTIVE:
            continue
        state[station_id] = {
            "rate": rate,
            "job": None,
            "assignment": None,
            "done": 0,
            "blocked_until": None,
            "reason": None,
        }

    def start_job(station_id: str, when: datetime) -> None:
        rate = state[station_id]["rate"]
        qty = int(round(rate * rng.uniform(30, 80), -1))
        due = (when.astimezone(local_zone) + timedelta(days=rng.randrange(1, 6))).date()
        job_id = new_job(
            when - timedelta(hours=rng.randrange(2, 48)), due, max(qty, 50), rng.random() < 0.2
        )
        assignment_id = uuid.uuid4()
        state[station_id].update(job=job_id, assignment=assignment_id, done=0, started=when)
        plan.jobs[job_id]["status"] = JobStatus.RUNNING.value
        add_event(
            plan,
            when,
            EventType.JOB_ASSIGNED,
            _DEMO_ACTOR,
            station_id=station_id,
            job_id=job_id,
            old={"job_status": "waiting", "station_status": "idle"},
            new={"job_status": "running", "station_status": "running"},
            assignment_id=str(assignment_id),
        )

    moment = start
    while moment < now - _STEP:
        local = moment.astimezone(local_zone)
        working = _working(local)
        for station_id, st in state.items():
            if st["blocked_until"] is not None and moment >= st["blocked_until"]:
                add_event(
                    plan,
                    moment,
                    EventType.STATION_UNBLOCKED,
                    _OPERATOR,
                    station_id=station_id,
                    job_id=st["job"],
                    old={"status": "blocked", "reason": st["reason"]},
                    new={"status": "running" if st["job"] else "idle"},
                )
                st["blocked_until"] = None
                st["reason"] = None
            if not working:
                continue
            if st["blocked_until"] is None and rng.random() < 0.004:
                st["reason"] = rng.choice(_REASONS)
                st["blocked_until"] = moment + timedelta(minutes=rng.randrange(20, 120, 10))
                add_event(
                    plan,
                    moment,
                    EventType.STATION_BLOCKED,
                    _OPERATOR,
                    station_id=station_id,
                    job_id=st["job"],
                    old={"status": "running"},
                    new={"status": "blocked"},
                    reason=st["reason"],
                )
                continue
            if st["blocked_until"] is not None:
                continue
            if st["job"] is None:
                start_job(station_id, moment)
            job = plan.jobs[st["job"]]
            expected = st["rate"] * _STEP.total_seconds() / 3600
            qty = max(0, round(rng.gauss(expected, expected * 0.25)))
            qty = min(qty, job["qty_total"] - st["done"])
            when = moment + timedelta(seconds=rng.randrange(0, int(_STEP.total_seconds())))
            if qty > 0:
                log_id = uuid.uuid4()
                plan.logs.append(
                    {
                        "id": log_id,
                        "station_id": station_id,
                        "job_id": st["job"],
                        "qty_completed": qty,
                        "timestamp": when,
                        "assignment_id": st["assignment"],
                    }
                )
                st["done"] += qty
                add_event(
                    plan,
                    when,
                    EventType.QTY_REPORTED,
                    _OPERATOR,
                    station_id=station_id,
                    job_id=st["job"],
                    new={"qty": qty, "job_qty_done": st["done"]},
                    log_id=str(log_id),
                    over_reported=False,
                )
            if st["done"] >= job["qty_total"]:
                job["status"] = JobStatus.COMPLETED.value
                add_event(
                    plan,
                    when + timedelta(seconds=30),
                    EventType.JOB_COMPLETED,
                    _OPERATOR,
                    station_id=station_id,
                    job_id=st["job"],
                    old={"job_status": "running", "stations": [station_id]},
                    new={"job_status": "completed"},
                    qty_done=st["done"],
                    qty_total=job["qty_total"],
                    short_by=0,
                )
                st.update(job=None, assignment=None, done=0)
        moment += _STEP

    # The present: most stations keep their job; one sits idle; one is blocked now.
    for station_id, st in state.items():
        row = next(s for s in plan.stations if s["id"] == station_id)
        if station_id == "ST-04" and st["job"] is not None:
            plan.jobs[st["job"]]["status"] = JobStatus.WAITING.value
            add_event(
                plan,
                now - timedelta(minutes=25),
                EventType.JOB_UNASSIGNED,
                _DEMO_ACTOR,
                station_id=station_id,
                job_id=st["job"],
                old={"job_status": "running", "station_status": "running"},
                new={"job_status": "waiting", "station_status": "idle"},
                qty_done=st["done"],
            )
            st.update(job=None, assignment=None, done=0)
        if station_id == "ST-07" and st["blocked_until"] is None:
            st["reason"] = "maintenance"
            st["blocked_until"] = now + timedelta(hours=1)
            add_event(
                plan,
                now - timedelta(minutes=40),
                EventType.STATION_BLOCKED,
                _OPERATOR,
                station_id=station_id,
                job_id=st["job"],
                old={"status": "running"},
                new={"status": "blocked"},
                reason="maintenance",
            )
        if st["blocked_until"] is not None:
            row["status"] = StationStatus.BLOCKED.value
            row["blocked_reason"] = st["reason"]
        elif st["job"] is not None:
            row["status"] = StationStatus.RUNNING.value
        if st["job"] is not None:
            plan.assignments.append(
                {
                    "id": st["assignment"],
                    "station_id": station_id,
                    "job_id": st["job"],
                    "qty_done": 0,
                    "started_at": st["started"],
                    "updated_at": st["started"],
                }
            )
    # The queue: waiting jobs due around today, some overdue, some high priority.
    waiting = 0
    for offset in range(-3, 11):
        for _ in range(2 if offset % 3 else 3):
            if waiting >= 20:
                break
            waiting += 1
            due = today + timedelta(days=offset)
            created = now - timedelta(days=rng.randrange(1, 10), hours=rng.randrange(0, 12))
            new_job(created, due, rng.randrange(2, 40) * 25, rng.random() < 0.25)
    return plan
