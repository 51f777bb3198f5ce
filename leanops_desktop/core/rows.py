"""Plain, immutable row objects that services return and views display.

They hold values only (no database session, no lazy loading), so the UI can keep them
for as long as it likes and compare them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from leanops_desktop.core.enums import JobStatus, Priority, Role, StationStatus


@dataclass(frozen=True, slots=True)
class StationRow:
    """A station with what it is working on now (joined from its assignment, if any)."""

    id: str
    name: str
    line: str
    status: StationStatus
    is_active: bool
    created_at: datetime
    blocked_reason: str | None = None
    current_job_id: str | None = None
    current_part_name: str | None = None
    assignment_qty_done: int = 0
    job_qty_done: int = 0
    job_qty_total: int = 0
    #: Due date and priority of the current job (None without a job).
    job_due_date: date | None = None
    job_priority: Priority | None = None
    #: When the station was blocked (the newest ``station_blocked`` event); None unless blocked.
    blocked_since: datetime | None = None

    @property
    def key(self) -> str:
        return self.id

    def job_is_late(self, today: date) -> bool:
        """Whether the current job is past its due date."""
        return self.job_due_date is not None and self.job_due_date < today


@dataclass(frozen=True, slots=True)
class JobRow:
    """A job with its progress summed over all its performance logs."""

    id: str
    part_name: str
    qty_total: int
    due_date: date
    priority: Priority
    status: JobStatus
    created_at: datetime
    qty_done: int = 0
    station_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.id

    @property
    def progress(self) -> float:
        """Done over total, 0.0 to 1.0 (may pass 1.0 when over-reported)."""
        return self.qty_done / self.qty_total if self.qty_total else 0.0

    def is_overdue(self, today: date) -> bool:
        return self.status != JobStatus.COMPLETED and self.due_date < today


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """What runs where right now, with the job's and this assignment's progress."""

    id: UUID
    station_id: str
    station_name: str
    line: str
    job_id: str
    part_name: str
    priority: Priority
    due_date: date
    qty_done: int
    qty_total: int
    job_qty_done: int
    started_at: datetime
    updated_at: datetime

    @property
    def key(self) -> UUID:
        return self.id


@dataclass(frozen=True, slots=True)
class EventRow:
    """One entry of the audit trail."""

    id: UUID
    event_type: str
    station_id: str | None
    job_id: str | None
    actor: str | None
    meta: dict[str, Any]
    timestamp: datetime

    @property
    def key(self) -> UUID:
        return self.id


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    """One quantity report."""

    id: UUID
    station_id: str | None
    job_id: str | None
    qty_completed: int
    timestamp: datetime
    assignment_id: UUID | None = None
    corrects_id: UUID | None = None

    @property
    def key(self) -> UUID:
        return self.id


@dataclass(frozen=True, slots=True)
class UserRow:
    """A LeanOps account (never its password)."""

    id: UUID
    email: str
    role: Role
    is_active: bool
    created_at: datetime

    @property
    def key(self) -> UUID:
        return self.id


@dataclass(frozen=True, slots=True)
class JobProgress:
    """A job's progress and where it runs."""

    job_id: str
    qty_total: int
    qty_done: int
    status: JobStatus
    station_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fraction(self) -> float:
        return self.qty_done / self.qty_total if self.qty_total else 0.0

    @property
    def remaining(self) -> int:
        return max(self.qty_total - self.qty_done, 0)


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What happened to one quantity report."""

    log_id: UUID
    counted: bool  # False: this id had been counted before (a retry), nothing added
    assignment_qty_done: int
    job_qty_done: int
