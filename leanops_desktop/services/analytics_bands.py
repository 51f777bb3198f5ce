"""Status timeline bands computed in SQL, on both backends.

The state at the range start (:func:`analytics_status.initial_states`, a few indexed
look-backs) goes in as one *seed* row per station; the database then does what
:class:`~analytics_timeline.StationReplay` does in Python, in one statement:

1. every status event inside the range becomes one *effect* row per station it touches (a
   move also frees its source station, a completion every station it lists), each setting
   some of ``exists``, ``active``, ``has_job`` and the block reason (``''``: not blocked);
2. per station, in event order (the seed first, then time, then event id), each of those is
   carried forward from the last row that set it (a running count of the rows that set it
   makes groups holding one setter each; ``MAX`` over the group is its value);
3. the state follows from them (``off`` / ``blocked`` / ``running`` / ``idle``, none before the
   station exists) and a row starts a band where state or reason differ from the row before;
4. a band ends where the next one starts; zero-length bands are dropped, as the replay drops
   them; the last band of each station stays open and comes back with the station's final
   flags, so live events can go on from there (:func:`machine_from`).

A month of a 50-station floor holds about 9,000 status events; the Python replay read them as
events (JSON decoded, timestamps converted, one object each) and took about 110 ms of Python
per read, the statement takes a few milliseconds and returns only the bands.

Block reasons: a string (empty or missing: ``unknown``), as LeanOps writes them. A reason of
another JSON type (never written by LeanOps) comes back as its JSON text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from leanops_desktop.db.types import UTCDateTime
from leanops_desktop.services.analytics_sql import dialect_of
from leanops_desktop.services.analytics_timeline import (
    STATUS_EVENTS,
    StationReplay,
    StationState,
    StatusBand,
)


@dataclass(frozen=True, slots=True)
class FinalState:
    """A station's flags after the last event of the range, and when its open band began."""

    station_id: str
    since: float | None  # None: the station does not exist (yet)
    exists: bool
    active: bool
    has_job: bool
    blocked_reason: str | None


@dataclass(frozen=True, slots=True)
class SqlBands:
    """What the statement returns: closed bands (by station order, then time) and final states."""

    closed: tuple[StatusBand, ...]
    final: tuple[FinalState, ...]

    def all_bands(self, station_ids: Sequence[str], until: float) -> list[StatusBand]:
        """Closed bands and the open ones cut at ``until`` (as ``StationReplay.all_bands``)."""
        return machine_from(station_ids, self).all_bands(until)


def machine_from(station_ids: Sequence[str], bands: SqlBands) -> StationReplay:
    """A replay machine in the state the range ended in, holding its closed bands (it takes
    live events from there)."""
    machine = StationReplay(tuple(station_ids))
    machine.bands = list(bands.closed)
    for state in bands.final:
        machine.set_initial(
            state.station_id,
            at=state.since if state.since is not None else 0.0,
            exists=state.exists,
            active=state.active,
            has_job=state.has_job,
            blocked_reason=state.blocked_reason,
        )
    return machine


# -- dialect fragments ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dialect:
    epoch: str  # epoch seconds (float) of e."timestamp"
    reason: str  # the block reason of e.meta, never '' or NULL
    new_active: str  # 1/0 from meta.new.is_active, NULL when absent
    old_station: str  # meta.old.station_id when a string, else NULL
    listed: str  # FROM-clause tail: one row per string in meta.old.stations, column s.sid
    differs: str  # null-safe "differs from"
    keyed: str  # the row's k, 12 digits, then its reason: sorts by k (byte order)


_POSTGRESQL = _Dialect(
    epoch='extract(epoch FROM e."timestamp")::float8',
    reason="""CASE jsonb_typeof(meta->'reason')
            WHEN 'string' THEN coalesce(nullif(meta->>'reason', ''), 'unknown')
            WHEN 'boolean' THEN CASE WHEN meta->>'reason' = 'true' THEN 'True' ELSE 'unknown' END
            WHEN 'number' THEN CASE WHEN (meta->>'reason')::numeric = 0 THEN 'unknown'
                                    ELSE meta->>'reason' END
            WHEN 'array' THEN CASE WHEN jsonb_array_length(meta->'reason') = 0 THEN 'unknown'
                                   ELSE (meta->'reason')::text END
            WHEN 'object' THEN CASE WHEN meta->'reason' = '{}'::jsonb THEN 'unknown'
                                    ELSE (meta->'reason')::text END
            ELSE 'unknown' END""",
    new_active="""CASE jsonb_typeof(meta->'new'->'is_active')
            WHEN 'boolean' THEN CASE WHEN meta->'new'->>'is_active' = 'true' THEN 1 ELSE 0 END
            WHEN 'null' THEN 0
            WHEN 'number' THEN CASE WHEN (meta->'new'->>'is_active')::numeric = 0 THEN 0
                                    ELSE 1 END
            WHEN 'string' THEN CASE WHEN meta->'new'->>'is_active' = '' THEN 0 ELSE 1 END
            WHEN 'array' THEN CASE WHEN jsonb_array_length(meta->'new'->'is_active') = 0
                                   THEN 0 ELSE 1 END
            WHEN 'object' THEN CASE WHEN meta->'new'->'is_active' = '{}'::jsonb THEN 0 ELSE 1 END
            END""",
    old_station="""CASE WHEN jsonb_typeof(meta->'old'->'station_id') = 'string'
            THEN meta->'old'->>'station_id' END""",
    listed="""CROSS JOIN LATERAL (
                SELECT item #>> '{}' AS sid
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ev.meta->'old'->'stations')
                                                    = 'array'
                                               THEN ev.meta->'old'->'stations'
                                               ELSE '[]'::jsonb END) AS items(item)
                WHERE jsonb_typeof(item) = 'string') AS s""",
    differs="IS DISTINCT FROM",
    keyed="(lpad(k::text, 12, '0') || blk) COLLATE \"C\"",
)

_SQLITE = _Dialect(
    # Whole seconds plus the microseconds of the stored text, divided once: the same float
    # as Python's datetime.timestamp() (both are one correctly rounded division).
    epoch="""(CAST(strftime('%s', substr(e."timestamp", 1, 19)) AS INTEGER) * 1000000
              + CAST(substr(e."timestamp", 21, 6) AS INTEGER)) / 1000000.0""",
    reason="""CASE json_type(meta, '$.reason')
            WHEN 'text' THEN coalesce(nullif(json_extract(meta, '$.reason'), ''), 'unknown')
            WHEN 'true' THEN 'True'
            WHEN 'integer' THEN CASE WHEN json_extract(meta, '$.reason') = 0 THEN 'unknown'
                                     ELSE CAST(json_extract(meta, '$.reason') AS TEXT) END
            WHEN 'real' THEN CASE WHEN json_extract(meta, '$.reason') = 0 THEN 'unknown'
                                  ELSE json_extract(meta, '$.reason') END
            WHEN 'array' THEN CASE WHEN json_array_length(meta, '$.reason') = 0 THEN 'unknown'
                                   ELSE json_extract(meta, '$.reason') END
            WHEN 'object' THEN CASE WHEN json_extract(meta, '$.reason') = '{}' THEN 'unknown'
                                    ELSE json_extract(meta, '$.reason') END
            ELSE 'unknown' END""",
    new_active="""CASE json_type(meta, '$.new.is_active')
            WHEN 'true' THEN 1
            WHEN 'false' THEN 0
            WHEN 'null' THEN 0
            WHEN 'integer' THEN CASE WHEN json_extract(meta, '$.new.is_active') = 0 THEN 0
                                     ELSE 1 END
            WHEN 'real' THEN CASE WHEN json_extract(meta, '$.new.is_active') = 0 THEN 0 ELSE 1 END
            WHEN 'text' THEN CASE WHEN json_extract(meta, '$.new.is_active') = '' THEN 0 ELSE 1 END
            WHEN 'array' THEN CASE WHEN json_array_length(meta, '$.new.is_active') = 0
                                   THEN 0 ELSE 1 END
            WHEN 'object' THEN CASE WHEN json_extract(meta, '$.new.is_active') = '{}'
                                    THEN 0 ELSE 1 END
            END""",
    old_station="""CASE WHEN json_type(meta, '$.old.station_id') = 'text'
            THEN json_extract(meta, '$.old.station_id') END""",
    listed="""JOIN (SELECT ev2.eid AS eid, items.value AS sid
                    FROM ev AS ev2, json_each(ev2.meta, '$.old.stations') AS items
                    WHERE ev2.kind = 'job_completed'
                      AND json_type(ev2.meta, '$.old.stations') = 'array'
                      AND items.type = 'text') AS s ON s.eid = ev.eid""",
    differs="IS NOT",
    keyed="printf('%012d', k) || blk",
)


# The statement of :func:`_statement`, one piece a common table expression, formatted with
# the dialect ``d``, the status event ``kinds`` and the ``seed_rows``. Stations are
# partitioned by their position (an integer sorts faster than text with a collation); ``k``
# orders all rows at once (position, seed first, time, event id), so a flag's last setter is
# the largest ``2 k + flag`` among the rows so far.

_SQL_SEED = """WITH seed(pos, sid, at, ex, act, job, blk) AS (
    VALUES {seed_rows}
),"""

_SQL_EV = """ev AS (
    SELECT e.id AS eid, e.event_type AS kind, e.station_id AS sid, e.meta AS meta,
           {d.epoch} AS at
    FROM events_log AS e
    WHERE e."timestamp" >= :start AND e."timestamp" < :until AND e.event_type IN ({kinds})
),"""

_SQL_TOUCHED = """touched AS (
    SELECT sid, at, eid, kind, meta, 1 AS own FROM ev WHERE sid IS NOT NULL
    UNION ALL
    SELECT moved.source, moved.at, moved.eid, moved.kind, NULL, 0
    FROM (SELECT {d.old_station} AS source, ev.at AS at, ev.eid AS eid, ev.kind AS kind,
                 ev.sid AS target
          FROM ev WHERE ev.kind = 'job_moved') AS moved
    WHERE moved.source IS NOT NULL AND moved.target {d.differs} moved.source
    UNION ALL
    SELECT s.sid, ev.at, ev.eid, ev.kind, NULL, 0
    FROM ev {d.listed}
    WHERE ev.kind = 'job_completed'
),"""

_SQL_EFFECT = """effect AS (
    SELECT pos, 0 AS seq, at, NULL AS eid, ex, act, job, blk FROM seed
    UNION ALL
    SELECT seed.pos, 1, t.at, t.eid,
           CASE WHEN t.own = 1 AND t.kind = 'station_created' THEN 1 END,
           CASE WHEN t.own = 0 THEN NULL
                WHEN t.kind = 'station_created' THEN {d.new_active}
                WHEN t.kind = 'station_activated' THEN 1
                WHEN t.kind = 'station_deactivated' THEN 0 END,
           CASE WHEN t.own = 0 THEN 0
                WHEN t.kind = 'station_deactivated' THEN 0
                WHEN t.kind = 'job_assigned' THEN 1
                WHEN t.kind = 'job_moved' THEN 1
                WHEN t.kind = 'job_unassigned' THEN 0
                WHEN t.kind = 'job_completed' THEN 0 END,
           CASE WHEN t.own = 0 THEN NULL
                WHEN t.kind = 'station_deactivated' THEN ''
                WHEN t.kind = 'station_blocked' THEN {d.reason}
                WHEN t.kind = 'station_unblocked' THEN '' END
    FROM touched AS t JOIN seed ON seed.sid = t.sid
),"""

_SQL_ORDERED = """ordered AS (
    SELECT pos, at, ex, act, job, blk, ROW_NUMBER() OVER (ORDER BY pos, seq, at, eid) AS k
    FROM effect
),"""

_SQL_CARRIED = """carried AS (
    SELECT pos, k, at,
           MAX(CASE WHEN ex IS NOT NULL THEN k * 2 + ex END) OVER upto AS ex,
           MAX(CASE WHEN act IS NOT NULL THEN k * 2 + act END) OVER upto AS act,
           MAX(CASE WHEN job IS NOT NULL THEN k * 2 + job END) OVER upto AS job,
           MAX(CASE WHEN blk IS NOT NULL THEN {d.keyed} END) OVER upto AS blk,
           MAX(CASE WHEN ex IS NOT NULL THEN k * 2 + ex END) OVER before AS ex0,
           MAX(CASE WHEN act IS NOT NULL THEN k * 2 + act END) OVER before AS act0,
           MAX(CASE WHEN job IS NOT NULL THEN k * 2 + job END) OVER before AS job0,
           MAX(CASE WHEN blk IS NOT NULL THEN {d.keyed} END) OVER before AS blk0,
           MAX(CASE WHEN ex IS NOT NULL THEN k * 2 + ex END) OVER whole AS ex_end,
           MAX(CASE WHEN act IS NOT NULL THEN k * 2 + act END) OVER whole AS act_end,
           MAX(CASE WHEN job IS NOT NULL THEN k * 2 + job END) OVER whole AS job_end
    FROM ordered
    WINDOW upto AS (PARTITION BY pos ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           before AS (PARTITION BY pos ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           whole AS (PARTITION BY pos)
),"""

_SQL_UNPACKED = """unpacked AS (
    SELECT pos, k, at, ex, act, job, ex0, act0, job0, ex_end, act_end, job_end,
           substr(blk, 13) AS blk, substr(blk0, 13) AS blk0
    FROM carried
),"""

_SQL_STATES = """states AS (
    SELECT pos, k, at, ex_end % 2 AS ex, act_end % 2 AS act, job_end % 2 AS job,
           nullif(blk, '') AS reason,
           CASE WHEN ex % 2 = 0 THEN NULL
                WHEN act % 2 = 0 THEN 'off'
                WHEN blk <> '' THEN 'blocked'
                WHEN job % 2 = 1 THEN 'running'
                ELSE 'idle' END AS state,
           ex0 IS NULL
           OR (CASE WHEN ex0 % 2 = 0 THEN NULL
                    WHEN act0 % 2 = 0 THEN 'off'
                    WHEN blk0 <> '' THEN 'blocked'
                    WHEN job0 % 2 = 1 THEN 'running'
                    ELSE 'idle' END)
              {d.differs}
              (CASE WHEN ex % 2 = 0 THEN NULL
                    WHEN act % 2 = 0 THEN 'off'
                    WHEN blk <> '' THEN 'blocked'
                    WHEN job % 2 = 1 THEN 'running'
                    ELSE 'idle' END)
           OR nullif(blk0, '') {d.differs} nullif(blk, '') AS starts
    FROM unpacked
),"""

_SQL_BANDS = """bands AS (
    SELECT pos, k, state, reason, at, LEAD(at) OVER (PARTITION BY pos ORDER BY k) AS until_at,
           ex, act, job
    FROM states
    WHERE starts
)"""

_SQL_FINAL = """SELECT pos, state, reason, at, until_at, ex, act, job
FROM bands
WHERE until_at IS NULL OR (until_at > at AND state IS NOT NULL)
ORDER BY pos, k
"""

_SQL_PIECES = (
    _SQL_SEED,
    _SQL_EV,
    _SQL_TOUCHED,
    _SQL_EFFECT,
    _SQL_ORDERED,
    _SQL_CARRIED,
    _SQL_UNPACKED,
    _SQL_STATES,
    _SQL_BANDS,
    _SQL_FINAL,
)


@functools.lru_cache(maxsize=64)
def _statement(dialect: _Dialect, seeds: int) -> TextClause:
    """The statement for ``seeds`` stations (built and parsed once per dialect and count)."""
    kinds = ", ".join(f"'{kind}'" for kind in STATUS_EVENTS)
    seed_rows = ",\n        ".join(
        f"({n}, CAST(:sid{n} AS TEXT), CAST(:at{n} AS DOUBLE PRECISION), "
        f"CAST(:ex{n} AS INTEGER), CAST(:act{n} AS INTEGER), CAST(:job{n} AS INTEGER), "
        f"CAST(:blk{n} AS TEXT))"
        for n in range(seeds)
    )
    sql = "\n".join(
        piece.format(d=dialect, kinds=kinds, seed_rows=seed_rows) for piece in _SQL_PIECES
    )
    return text(sql).bindparams(
        bindparam("start", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime())
    )


_STATES = {state.value: state for state in StationState}


def sql_bands(
    session: Session,
    station_ids: Sequence[str],
    initial: Mapping[str, Mapping[str, Any]],
    *,
    start: datetime,
    until: datetime,
) -> SqlBands:
    """The bands of ``station_ids`` over ``[start, until)`` from ``initial`` states at ``start``
    (as :func:`analytics_timeline.replay` takes them), computed in the database."""
    if not station_ids:
        return SqlBands((), ())
    dialect = _POSTGRESQL if dialect_of(session) == "postgresql" else _SQLITE
    params: dict[str, Any] = {}
    for n, station_id in enumerate(station_ids):
        state = initial.get(station_id, {})
        params[f"sid{n}"] = station_id
        params[f"at{n}"] = max(float(state.get("at", start.timestamp())), start.timestamp())
        params[f"ex{n}"] = int(bool(state.get("exists", True)))
        params[f"act{n}"] = int(bool(state.get("active", True)))
        params[f"job{n}"] = int(bool(state.get("has_job", False)))
        reason = state.get("blocked_reason")
        params[f"blk{n}"] = "" if reason is None else str(reason)
    statement = _statement(dialect, len(station_ids))
    rows = session.execute(statement, {**params, "start": start, "until": until}).all()
    closed: list[StatusBand] = []
    final: list[FinalState] = []
    states = _STATES
    for pos, state, reason, at, until_at, exists, active, has_job in rows:
        sid = station_ids[pos]
        if until_at is not None:
            closed.append(StatusBand(sid, states[state], at, until_at, reason))
        else:
            final.append(
                FinalState(
                    station_id=sid,
                    since=float(at) if exists else None,
                    exists=bool(exists),
                    active=bool(active),
                    has_job=bool(has_job),
                    blocked_reason=reason,
                )
            )
    return SqlBands(tuple(closed), tuple(final))
