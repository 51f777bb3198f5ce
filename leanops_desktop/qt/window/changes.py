"""Which rows an action touched, in the form ``apply_changes`` takes: table -> row keys."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy.orm import Session

from leanops_desktop.services import queries

Changes = dict[str, set[str]]

STATIONS = "stations"
JOBS = "jobs"
ASSIGNMENTS = "station_assignments"
EVENTS = "events_log"
LOGS = "performance_logs"


class ChangeSet:
    """Collects touched keys per table; :meth:`as_dict` is what ``apply_changes`` takes."""

    def __init__(self) -> None:
        self._changes: Changes = {}

    def add(self, table: str, keys: Iterable[str | UUID | None]) -> ChangeSet:
        wanted = {str(key) for key in keys if key is not None and str(key)}
        if wanted:
            self._changes.setdefault(table, set()).update(wanted)
        return self

    def stations(self, *keys: str | None) -> ChangeSet:
        return self.add(STATIONS, keys)

    def jobs(self, *keys: str | None) -> ChangeSet:
        return self.add(JOBS, keys)

    def assignments(self, *keys: str | UUID | None) -> ChangeSet:
        return self.add(ASSIGNMENTS, keys)

    def recent_events(
        self, session: Session, *, station_id: str | None = None, job_id: str | None = None
    ) -> ChangeSet:
        """The newest events of a station or job (the one the action just wrote among them)."""
        if station_id is None and job_id is None:
            return self
        events = queries.list_events(session, limit=3, station_id=station_id, job_id=job_id)
        return self.add(EVENTS, (event.id for event in events))

    def as_dict(self) -> Changes:
        return {table: set(keys) for table, keys in self._changes.items()}
