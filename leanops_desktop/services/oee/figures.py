"""The OEE figures of a station over some time, and how they add up (docs/oee.md).

Figures are kept as sums (seconds and units), never as ratios, so a line, a shift or a day
is the sum of its stations' rows and its ratios follow from the sums: one formula at every
level.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date


@dataclass(frozen=True, slots=True)
class OeeFigures:
    """Sums for one station and shift occurrence, or for a group of them."""

    planned_s: float = 0.0  # shift − breaks − planned stops − inactive time
    run_s: float = 0.0  # planned − unplanned stops (blocked, idle, unexplained)
    ideal_s: float = 0.0  # Σ ideal cycle × total units, over units whose job has one
    good: int = 0
    scrap: int = 0
    units_with_ideal: int = 0  # total units whose job has an ideal cycle time
    stops_s: dict[str, float] = field(default_factory=dict)  # unplanned seconds by category

    @property
    def total(self) -> int:
        return self.good + self.scrap

    @property
    def availability(self) -> float | None:
        return self.run_s / self.planned_s if self.planned_s > 0 else None

    @property
    def performance(self) -> float | None:
        """Ideal time of the output over run time; units of jobs without an ideal cycle
        time are taken at the mean ideal of those with one. May exceed 1 (a wrong ideal)."""
        if self.run_s <= 0 or self.units_with_ideal <= 0:
            return None
        return self.ideal_s * self.total / self.units_with_ideal / self.run_s

    @property
    def quality(self) -> float | None:
        return self.good / self.total if self.total > 0 else None

    @property
    def oee(self) -> float | None:
        a, p, q = self.availability, self.performance, self.quality
        if a is None or p is None or q is None:
            return None
        return a * p * q

    @property
    def performance_over_100(self) -> bool:
        """A performance above 100 %: the ideal cycle time is too slow (docs/oee.md)."""
        return (self.performance or 0.0) > 1.0

    def losses_s(self) -> tuple[float, float, float]:
        """Availability, performance and quality losses in seconds of planned time."""
        availability = self.planned_s - self.run_s
        mean_ideal = self.ideal_s / self.units_with_ideal if self.units_with_ideal else 0.0
        output_s = mean_ideal * self.total
        quality = mean_ideal * self.scrap
        return availability, max(0.0, self.run_s - output_s), quality

    def __add__(self, other: OeeFigures) -> OeeFigures:
        stops = dict(self.stops_s)
        for category, seconds in other.stops_s.items():
            stops[category] = stops.get(category, 0.0) + seconds
        return replace(
            self,
            planned_s=self.planned_s + other.planned_s,
            run_s=self.run_s + other.run_s,
            ideal_s=self.ideal_s + other.ideal_s,
            good=self.good + other.good,
            scrap=self.scrap + other.scrap,
            units_with_ideal=self.units_with_ideal + other.units_with_ideal,
            stops_s=stops,
        )


@dataclass(frozen=True, slots=True)
class OeeRow:
    """The figures of one station in one shift occurrence."""

    day: date
    shift_id: str
    line: str
    station_id: str
    figures: OeeFigures


class FigureSums:
    """Running sums of figures (what ``OeeFigures.__add__`` gives, without a new frozen
    object per row: grouping 3,000 rows four ways took 40 ms that way)."""

    __slots__ = ("good", "ideal_s", "planned_s", "run_s", "scrap", "stops_s", "units_with_ideal")

    def __init__(self) -> None:
        self.planned_s = 0.0
        self.run_s = 0.0
        self.ideal_s = 0.0
        self.good = 0
        self.scrap = 0
        self.units_with_ideal = 0
        self.stops_s: dict[str, float] = {}

    def add(self, figures: OeeFigures) -> None:
        """Add ``figures`` (in the same order of additions as ``+``: the same floats)."""
        self.planned_s += figures.planned_s
        self.run_s += figures.run_s
        self.ideal_s += figures.ideal_s
        self.good += figures.good
        self.scrap += figures.scrap
        self.units_with_ideal += figures.units_with_ideal
        stops = self.stops_s
        for category, seconds in figures.stops_s.items():
            stops[category] = stops.get(category, 0.0) + seconds

    def figures(self) -> OeeFigures:
        return OeeFigures(
            planned_s=self.planned_s,
            run_s=self.run_s,
            ideal_s=self.ideal_s,
            good=self.good,
            scrap=self.scrap,
            units_with_ideal=self.units_with_ideal,
            stops_s=dict(self.stops_s),
        )


def group_many(
    rows: Iterable[OeeRow], keys: Sequence[Callable[[OeeRow], Hashable]]
) -> list[dict[Hashable, OeeFigures]]:
    """The rows summed per each of ``keys`` (each in the order its keys first appear), in
    one pass over the rows."""
    sums: list[dict[Hashable, FigureSums]] = [{} for _key in keys]
    pairs = list(zip(keys, sums, strict=True))
    for row in rows:
        figures = row.figures
        for key, by_key in pairs:
            k = key(row)
            found = by_key.get(k)
            if found is None:
                found = by_key[k] = FigureSums()
            found.add(figures)
    return [{k: v.figures() for k, v in by_key.items()} for by_key in sums]


def group(rows: Iterable[OeeRow], key: Callable[[OeeRow], Hashable]) -> dict[Hashable, OeeFigures]:
    """The rows summed per ``key`` (in the order keys first appear)."""
    return group_many(rows, [key])[0]


def by_station_day(row: OeeRow) -> tuple[date, str, str]:
    return (row.day, row.line, row.station_id)


def by_line_day(row: OeeRow) -> tuple[date, str]:
    return (row.day, row.line)


def by_shift(row: OeeRow) -> tuple[date, str]:
    return (row.day, row.shift_id)


def by_day(row: OeeRow) -> date:
    return row.day
