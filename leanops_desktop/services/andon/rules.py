"""The andon rules: plain functions of what the floor looks like and of the time now.

* **blocked too long**: a station blocked for at least ``blocked_minutes``; one episode per
  block (keyed by when it was blocked);
* **job at risk**: a running job that, at its output over the last hour, would finish after
  the end of its due date; one episode per job and due date (a job with no output in that
  hour is left to the next rule; a job already past its due date is late, not at risk);
* **station silent**: a running station that has reported nothing for ``silent_minutes``
  (counted from its last report, from when its job was assigned or from when it resumed
  after a block); one episode per silence (keyed by the last sign of life).

Each alert has a key (rule, station or job, episode): the monitor notifies a key once, and
an acknowledged key (kept in the events) is never notified again, even after a restart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: The window the "current rate" of a job is measured over.
RATE_WINDOW = timedelta(hours=1)


class AndonRule(StrEnum):
    BLOCKED_TOO_LONG = "blocked_too_long"
    JOB_AT_RISK = "job_at_risk"
    STATION_SILENT = "station_silent"


@dataclass(frozen=True, slots=True)
class AndonThresholds:
    blocked_minutes: int = 10
    silent_minutes: int = 20


@dataclass(frozen=True, slots=True)
class StationFacts:
    """What the rules need to know about one active station."""

    station_id: str
    name: str
    status: str  # running, idle, blocked
    job_id: str | None = None
    blocked_since: datetime | None = None
    blocked_reason: str | None = None
    #: The newest report at this station, when its job was assigned or when it resumed after
    #: a block, whichever is latest.
    last_activity: datetime | None = None


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What the rules need to know about one running job."""

    job_id: str
    remaining: int
    due: datetime  # the end of its due date
    done_last_hour: int


@dataclass(frozen=True, slots=True)
class Alert:
    """One andon alert: what happened where, and the episode it belongs to."""

    rule: AndonRule
    station_id: str | None
    job_id: str | None
    episode: str
    raised_at: datetime
    text: str

    @property
    def key(self) -> str:
        """``rule|station or job|episode``: a station's alert stays the same alert when its
        job moves away meanwhile."""
        subject = self.job_id if self.rule == AndonRule.JOB_AT_RISK else self.station_id
        return f"{self.rule.value}|{subject or ''}|{self.episode}"


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def blocked_alerts(
    stations: Iterable[StationFacts], now: datetime, thresholds: AndonThresholds
) -> list[Alert]:
    limit = timedelta(minutes=thresholds.blocked_minutes)
    alerts = []
    for station in stations:
        since = station.blocked_since
        if station.status != "blocked" or since is None or now - since < limit:
            continue
        reason = f" ({station.blocked_reason})" if station.blocked_reason else ""
        alerts.append(
            Alert(
                AndonRule.BLOCKED_TOO_LONG,
                station.station_id,
                station.job_id,
                since.isoformat(),
                since + limit,
                f"{station.name} blocked for {_minutes(now - since)} min{reason}",
            )
        )
    return alerts


def silent_alerts(
    stations: Iterable[StationFacts], now: datetime, thresholds: AndonThresholds
) -> list[Alert]:
    limit = timedelta(minutes=thresholds.silent_minutes)
    alerts = []
    for station in stations:
        last = station.last_activity
        if station.status != "running" or last is None or now - last < limit:
            continue
        alerts.append(
            Alert(
                AndonRule.STATION_SILENT,
                station.station_id,
                station.job_id,
                last.isoformat(),
                last + limit,
                f"{station.name} running but no report for {_minutes(now - last)} min",
            )
        )
    return alerts


def projected_finish(job: JobFacts, now: datetime) -> datetime | None:
    """When ``job`` would be done at its rate of the last hour; None without output."""
    if job.done_last_hour <= 0:
        return None
    hours = job.remaining / (job.done_last_hour / (RATE_WINDOW.total_seconds() / 3600))
    return now + timedelta(hours=min(hours, 24 * 365 * 10))


def risk_alerts(jobs: Iterable[JobFacts], now: datetime) -> list[Alert]:
    alerts = []
    for job in jobs:
        finish = projected_finish(job, now)
        if job.remaining <= 0 or job.due <= now or finish is None or finish <= job.due:
            continue  # done, already late (the board and tables say so), or on time
        late_by = math.ceil((finish - job.due).total_seconds() / 3600)
        alerts.append(
            Alert(
                AndonRule.JOB_AT_RISK,
                None,
                job.job_id,
                job.due.isoformat(),
                now,
                f"{job.job_id} at risk: at {job.done_last_hour}/h it ends ~{late_by} h after due",
            )
        )
    return alerts


def evaluate(
    stations: Iterable[StationFacts],
    jobs: Iterable[JobFacts],
    now: datetime,
    thresholds: AndonThresholds,
) -> list[Alert]:
    """Every alert that holds at ``now``."""
    stations = list(stations)
    return [
        *blocked_alerts(stations, now, thresholds),
        *silent_alerts(stations, now, thresholds),
        *risk_alerts(jobs, now),
    ]


class AndonMonitor:
    """Notifies each alert once: remembers what it raised, and skips acknowledged keys."""

    def __init__(self, thresholds: AndonThresholds, acknowledged: Iterable[str] = ()) -> None:
        self.thresholds = thresholds
        self.acknowledged: set[str] = set(acknowledged)
        self._raised: set[str] = set()

    def new_alerts(
        self, stations: Iterable[StationFacts], jobs: Iterable[JobFacts], now: datetime
    ) -> list[Alert]:
        """The alerts holding at ``now`` not yet raised nor acknowledged; marks them raised."""
        fresh = []
        for alert in evaluate(stations, jobs, now, self.thresholds):
            if alert.key in self._raised or alert.key in self.acknowledged:
                continue
            self._raised.add(alert.key)
            fresh.append(alert)
        return fresh

    def mark_acknowledged(self, key: str) -> None:
        self.acknowledged.add(key)
