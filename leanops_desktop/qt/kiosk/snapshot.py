"""What the kiosk shows about its station, read in one go off the GUI thread.

:func:`load_snapshot` calls the read services only; :func:`rate_per_hour` and
:func:`estimate_finish` are plain arithmetic the job panel and its tests share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from leanops_desktop.core.rows import AssignmentRow, JobRow, StationRow
from leanops_desktop.services.quality.scrap_totals import job_scrapped
from leanops_desktop.services.reads import history, queries

if TYPE_CHECKING:
    from leanops_desktop.db.engine import Database

#: The rate is measured over the last hour (or since the job started here, if later).
RATE_WINDOW = timedelta(hours=1)
#: Shorter than this since the start, no rate is shown (a few early units mean little).
MIN_RATE_WINDOW = timedelta(minutes=5)
QUEUE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class KioskSnapshot:
    """The station, its current job (if any), the recent rate and the queue."""

    station: StationRow
    assignment: AssignmentRow | None
    queue: tuple[JobRow, ...]
    recent_units: int  # this station's units on the current job within the rate window
    rate_window: timedelta
    read_at: datetime
    job_scrapped: int = 0  # the current job's scrapped units on the server

    @property
    def job_id(self) -> str | None:
        return self.assignment.job_id if self.assignment else None

    @property
    def rate(self) -> float | None:
        """Units per hour now, or None when there is too little to go on."""
        return rate_per_hour(self.recent_units, self.rate_window)


def rate_per_hour(units: int, window: timedelta) -> float | None:
    if window < MIN_RATE_WINDOW:
        return None
    return units / (window.total_seconds() / 3600)


def estimate_finish(now: datetime, remaining: int, rate: float | None) -> datetime | None:
    """When the remaining units are done at ``rate`` per hour (None without a rate)."""
    if remaining <= 0:
        return now
    if rate is None or rate <= 0:
        return None
    return now + timedelta(hours=remaining / rate)


def is_past_due(due: date, today: date) -> bool:
    """Due by the end of its due date (local): late from the next day on."""
    return due < today


def due_deadline(due: date) -> datetime:
    """A job is due by the end of its due date, local time."""
    return datetime.combine(due + timedelta(days=1), time(0)).astimezone()


def load_snapshot(db: Database, station_id: str, now: datetime | None = None) -> KioskSnapshot:
    """Read everything the kiosk shows (runs on the kiosk's database thread)."""
    moment = now or datetime.now(UTC)
    with db.session() as session:
        station = queries.get_station(session, station_id)
        assignment = queries.current_assignment(session, station_id)
        queue = tuple(queries.station_queue(session, station_id, limit=QUEUE_LENGTH))
        recent = scrapped = 0
        window = timedelta(0)
        if assignment is not None:
            started = max(assignment.started_at, moment - RATE_WINDOW)
            window = max(moment - started, timedelta(0))
            logs = history.list_performance(
                session, station_id=station_id, job_id=assignment.job_id, since=started
            )
            recent = sum(log.qty_completed for log in logs)
            scrapped = job_scrapped(session, assignment.job_id)
    return KioskSnapshot(
        station=station,
        assignment=assignment,
        queue=queue,
        recent_units=recent,
        rate_window=window,
        read_at=moment,
        job_scrapped=scrapped,
    )
