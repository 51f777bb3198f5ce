"""What part of the floor an analysis looks at: a line, some stations, one job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.core.validation import MAX_NAME_LENGTH, check_key
from leanops_desktop.db.models import Station
from leanops_desktop.services.analytics_rollup import union, unit_sources


class GroupBy(StrEnum):
    """One throughput curve per station, or per production line."""

    STATION = "station"
    LINE = "line"


@dataclass(frozen=True, slots=True)
class Scope:
    """Filters shared by every figure; empty means the whole floor."""

    line: str | None = None
    station_ids: tuple[str, ...] = ()
    job_id: str | None = None

    def __post_init__(self) -> None:
        if self.line is not None:
            check_key("line", self.line, max_length=MAX_NAME_LENGTH)
        for station_id in self.station_ids:
            check_key("station id", station_id)
        if self.job_id is not None:
            check_key("job id", self.job_id)

    @property
    def limits_stations(self) -> bool:
        return self.line is not None or bool(self.station_ids)


ALL = Scope()


@dataclass(frozen=True, slots=True)
class StationInfo:
    """A station as the analytics need it."""

    id: str
    name: str
    line: str
    is_active: bool
    created_at: datetime


def stations_in_scope(session: Session, scope: Scope) -> list[StationInfo]:
    """The stations a scope covers, by line then id (a job filter does not narrow them)."""
    query = select(
        Station.id, Station.name, Station.line, Station.is_active, Station.created_at
    ).order_by(Station.line, Station.id)
    if scope.line is not None:
        query = query.where(Station.line == scope.line)
    if scope.station_ids:
        query = query.where(Station.id.in_(list(scope.station_ids)))
    return [StationInfo(*record) for record in session.execute(query)]


def stations_of_job(session: Session, job_id: str, start: datetime, until: datetime) -> set[str]:
    """Stations that reported units of ``job_id`` in ``[start, until)``."""
    parts = [
        select(source.station_id).where(*source.where).distinct()
        for source in unit_sources(start, until, job_id=job_id)
    ]
    return {station_id for station_id in session.scalars(union(parts)) if station_id}
