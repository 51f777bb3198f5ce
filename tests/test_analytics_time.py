"""Shifts, presets and bucket grids: pure time arithmetic, daylight-saving days included."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from leanops_desktop.core.errors import ValidationError
from leanops_desktop.services.analytics_time import (
    Bucket,
    RangePreset,
    bucket_edges,
    check_instant,
    choose_bucket,
    covered_hours,
    current_shift,
    due_instant,
    local_instant,
    offset_changes,
    preset_range,
)

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
SHIFTS = (time(6), time(14), time(22))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_bucket_follows_the_span() -> None:
    assert choose_bucket(timedelta(hours=8)) is Bucket.FIVE_MINUTES
    assert choose_bucket(timedelta(hours=12)) is Bucket.FIVE_MINUTES
    assert choose_bucket(timedelta(days=1)) is Bucket.HOUR
    assert choose_bucket(timedelta(days=7)) is Bucket.HOUR
    assert choose_bucket(timedelta(days=30)) is Bucket.DAY


def test_local_days_last_23_and_25_hours_on_dst_days() -> None:
    spring = bucket_edges(utc(2026, 3, 27, 23), utc(2026, 3, 30, 22), Bucket.DAY, BERLIN)
    assert list(np.diff(spring) / 3600) == [24, 23, 24]
    assert spring[1] == utc(2026, 3, 28, 23).timestamp()  # 29 March 00:00 CET
    autumn = bucket_edges(utc(2026, 10, 23, 22), utc(2026, 10, 26, 23), Bucket.DAY, BERLIN)
    assert list(np.diff(autumn) / 3600) == [24, 25, 24]


def test_hour_buckets_fall_on_local_hours_across_dst() -> None:
    edges = bucket_edges(utc(2026, 3, 29, 0, 20), utc(2026, 3, 29, 2, 10), Bucket.HOUR, BERLIN)
    assert list(edges) == [utc(2026, 3, 29, hour).timestamp() for hour in (0, 1, 2, 3)]
    india = bucket_edges(utc(2026, 3, 10, 4), utc(2026, 3, 10, 6), Bucket.HOUR, KOLKATA)
    assert india[0] == utc(2026, 3, 10, 3, 30).timestamp()  # 09:00 IST
    assert len(india) == 4


def test_an_empty_range_has_one_edge_and_no_bucket() -> None:
    edges = bucket_edges(utc(2026, 3, 10, 8), utc(2026, 3, 10, 8), Bucket.FIVE_MINUTES, BERLIN)
    assert len(edges) == 1
    assert len(covered_hours(edges, utc(2026, 3, 10, 8), utc(2026, 3, 10, 8))) == 0


def test_covered_hours_count_only_the_part_inside_the_range() -> None:
    start, end = utc(2026, 3, 10, 8, 30), utc(2026, 3, 10, 10, 15)
    edges = bucket_edges(start, end, Bucket.HOUR, BERLIN)
    assert list(covered_hours(edges, start, end)) == [0.5, 1.0, 0.25]


def test_shifts_are_7_and_9_hours_long_on_dst_nights() -> None:
    spring = current_shift(utc(2026, 3, 29, 2), BERLIN, SHIFTS)
    assert (spring.start, spring.end) == (utc(2026, 3, 28, 21), utc(2026, 3, 29, 4))
    assert spring.name == "22:00–06:00"
    autumn = current_shift(utc(2026, 10, 25, 2), BERLIN, SHIFTS)
    assert autumn.end - autumn.start == timedelta(hours=9)
    day = current_shift(utc(2026, 6, 1, 10), BERLIN, SHIFTS)
    assert (day.start, day.end) == (utc(2026, 6, 1, 4), utc(2026, 6, 1, 12))


def test_a_shift_start_is_its_own_shift() -> None:
    shift = current_shift(utc(2026, 6, 1, 4), BERLIN, SHIFTS)
    assert shift.start == utc(2026, 6, 1, 4)


def test_presets() -> None:
    now = utc(2026, 3, 29, 12)
    assert preset_range(RangePreset.TODAY, now, BERLIN, SHIFTS) == (
        utc(2026, 3, 28, 23),
        utc(2026, 3, 29, 22),
    )
    start, end = preset_range(RangePreset.LAST_7_DAYS, now, BERLIN, SHIFTS)
    assert (start, end) == (utc(2026, 3, 22, 23), utc(2026, 3, 29, 22))
    start, end = preset_range(RangePreset.LAST_30_DAYS, now, BERLIN, SHIFTS)
    assert start == utc(2026, 2, 27, 23)
    # 12:00 UTC is 14:00 CEST: the late shift has just begun.
    assert preset_range(RangePreset.THIS_SHIFT, now, BERLIN, SHIFTS) == (
        utc(2026, 3, 29, 12),
        utc(2026, 3, 29, 20),
    )


def test_offset_changes_are_found_to_the_second() -> None:
    changes = offset_changes(utc(2026, 1, 1), utc(2026, 12, 31), BERLIN)
    assert changes == [
        (utc(2026, 1, 1), 3600),
        (utc(2026, 3, 29, 1), 7200),
        (utc(2026, 10, 25, 1), 3600),
    ]
    assert offset_changes(utc(2026, 5, 1), utc(2026, 5, 2), BERLIN) == [(utc(2026, 5, 1), 7200)]


def test_wall_times_skipped_or_repeated_by_dst() -> None:
    # 02:30 does not exist on 29 March in Berlin: it becomes 03:30 CEST.
    assert local_instant(datetime(2026, 3, 29).date(), time(2, 30), BERLIN) == utc(
        2026, 3, 29, 1, 30
    )
    # 02:30 happens twice on 25 October: the first one counts.
    assert local_instant(datetime(2026, 10, 25).date(), time(2, 30), BERLIN) == utc(
        2026, 10, 25, 0, 30
    )


def test_a_job_is_due_by_the_end_of_its_local_day() -> None:
    assert due_instant(datetime(2026, 3, 10).date(), BERLIN) == utc(2026, 3, 10, 23)
    assert due_instant(datetime(2026, 7, 10).date(), BERLIN) == utc(2026, 7, 10, 22)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        check_instant("start", datetime(2026, 3, 10))
