"""Operators' floor actions as database functions that check every rule the services check.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Operators (and, from migration 0010, every group) hold no direct INSERT, UPDATE or DELETE on
the business tables: each floor write is one call of a SECURITY DEFINER function owned by
``leanops_owner`` (``search_path`` pinned, EXECUTE revoked from PUBLIC and Supabase's API
roles, granted to the three groups) that checks what the Python service checks, writes the
rows and exactly one ``events_log`` row, with the event type and meta keys of the Python path
(``services/events.record_event``). Who calls is ``leanops_caller_role``: the group of a
signed-in LeanOps login (the client's claimed role is ignored), or for IT's own account the
role it names. The events trigger stamps the real actor from ``session_user``. No function
body names a group or the owner: 0010 renames them per database.

* ``leanops_report_batch`` / ``leanops_report`` (0006) become SECURITY DEFINER, same
  signatures and outcomes. New: the caller is checked once per batch; ``reported_by`` is
  NULL, empty or the email of an active user of this database, else ``LR001`` (field
  ``reported by``, judged where the Python path judges it: just before the log is written);
  station and job ids longer than 64 characters (no such id can exist) are unknown without
  a lookup. The jobs read that RLS made necessary for non-running jobs is gone.
* ``leanops_correct_report(log, correction, actor, role)``: takes a report back by logging its
  exact negation on the same station, job and assignment (nothing else is the client's
  choice). The original exists, is not itself a correction and is taken back once (its row
  is locked, so concurrent takes queue; then its job and assignment, in a report's order);
  idempotent by the correction id; an operator may take back only a report logged in the
  last 15 minutes (supervisors and admins: any time).
  Returns ``counted``, ``assignment_qty_done``, ``job_qty_done`` as the report functions do.
* ``leanops_block_station(station, reason, actor, role)`` and
  ``leanops_unblock_station(station, actor, role)``: the station exists; blocking needs an
  active, not yet blocked station and a reason checked as ``core.validation.check_text``
  does (trimmed of what Python's ``str.strip`` removes, NFC, 1-500 characters, no control
  characters); unblocking needs a blocked station and returns it to running (it has a job)
  or idle.
* ``leanops_complete_job(job, station, actor, role)``: the job exists and is not completed;
  with a station, the job must run there; without one, the caller must be a supervisor or an
  admin (an operator completes from their station's kiosk). The job is completed, its
  assignments removed, their running stations idle (a blocked one stays blocked).

Refusals use the SQLSTATEs of 0006, mapped back to the Python exceptions by
``services/floor/pg_call.refusal``: ``LR001`` ValidationError (detail ``field``, ``reason``),
``LR002`` NotFound (``kind``, ``key``), ``LR003`` RuleViolation (its message), ``LR004``
OverReportNotConfirmed; ``42501`` for a caller who is not a LeanOps user.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


_OWNER = "leanops_owner"
_GROUPS = "leanops_operator, leanops_supervisor, leanops_admin"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
#: core.validation when this migration was written: ids (ID_PATTERN), reasons, emails.
_MAX_ID = 64
_MAX_REASON = 500
_MAX_EMAIL = 255
_MAX_REPORT_QTY = 100_000
#: services.reporting.production.UNDO_WINDOW: how long an operator may take a report back.
_UNDO_MINUTES = 15
_BATCH_SIGNATURE = (
    "leanops_report_batch(uuid[], text[], text[], integer[], boolean[], text[], text, text)"
)
_ONE_SIGNATURE = "leanops_report(uuid, text, text, integer, boolean, text, text, text)"
_CORRECT_SIGNATURE = "leanops_correct_report(uuid, uuid, text, text)"
_BLOCK_SIGNATURE = "leanops_block_station(text, text, text, text)"
_UNBLOCK_SIGNATURE = "leanops_unblock_station(text, text, text)"
_COMPLETE_SIGNATURE = "leanops_complete_job(text, text, text, text)"
_REFUSED_SIGNATURE = (
    "leanops_log_report_refused(uuid, uuid, text, text, text, integer, text, timestamptz,"
    " text, text, text, text)"
)
_NEW_SIGNATURES = (
    _CORRECT_SIGNATURE,
    _BLOCK_SIGNATURE,
    _UNBLOCK_SIGNATURE,
    _COMPLETE_SIGNATURE,
    _REFUSED_SIGNATURE,
)

# Who is calling, as the floor functions see it. A signed-in LeanOps user is the role of
# their group (the client's claim is ignored); IT's own account (a member of the owner
# role, as in `leanops db` commands and the demo) acts as the role the client names;
# anyone else is refused. Migration 0010 re-creates this body for its per-plant roles.
_CALLER_ROLE = f"""
CREATE FUNCTION public.leanops_caller_role(p_claimed text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    grp text := public.leanops_group_of(session_user);
BEGIN
    IF grp IS NOT NULL THEN
        RETURN grp;
    END IF;
    IF pg_catalog.pg_has_role(session_user, '{_OWNER}', 'MEMBER') THEN
        RETURN CASE WHEN p_claimed IN ('operator', 'supervisor', 'admin')
                    THEN p_claimed ELSE 'admin' END;
    END IF;
    RAISE EXCEPTION 'only a signed-in LeanOps user may do this'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""


def _refuse(code: str, message: str, detail: str) -> str:
    """PL/pgSQL raising a refusal; ``message`` and ``detail`` (jsonb) are SQL expressions."""
    return (
        f"RAISE EXCEPTION USING ERRCODE = '{code}', MESSAGE = {message}, DETAIL = ({detail})::text;"
    )


def _invalid(field: str, reason: str) -> str:
    """ValidationError(field, reason); ``reason`` is a SQL expression."""
    return _refuse(
        "LR001",
        f"'{field}: ' || {reason}",
        f"jsonb_build_object('field', '{field}', 'reason', {reason})",
    )


def _not_found(kind: str, key: str) -> str:
    """NotFound(kind, key); ``key`` is a SQL expression."""
    return _refuse(
        "LR002",
        f"format('{kind} %s does not exist', {key})",
        f"jsonb_build_object('kind', '{kind}', 'key', {key})",
    )


def _rule(message: str) -> str:
    """RuleViolation(message); ``message`` is a SQL expression."""
    return _refuse("LR003", message, "'{}'::jsonb")


def _meta(*pairs: str) -> str:
    """The meta of ``record_event``: actor and role, then ``pairs`` (SQL: 'key', value)."""
    return (
        "jsonb_build_object('actor', coalesce(p_actor, session_user::text), 'role', v_role"
        + "".join(f", {pair}" for pair in pairs)
        + ")"
    )


def _event(event_type: str, station: str, job: str, meta: str) -> str:
    return (
        "INSERT INTO public.events_log (id, event_type, station_id, job_id, meta, actor)"
        f" VALUES (gen_random_uuid(), '{event_type}', {station}, {job}, {meta},"
        " coalesce(p_actor, session_user::text));"
    )


# Python's str.isspace() characters (what str.strip() removes) and Unicode's Cc category
# (what core.validation.check_text refuses). PostgreSQL text never holds U+0000.
_SPACE = (
    "[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
_CONTROL = "[\\u0001-\\u001f\\u007f-\\u009f]"

# 0006's batch body with the changes listed in the module docstring.
_BATCH_BODY = f"""
DECLARE
    n integer := coalesce(array_length(p_ids, 1), 0);
    v_role text := public.leanops_caller_role(p_role);
    i integer;
    v_id uuid;
    v_station text;
    v_job text;
    v_qty integer;
    v_by text;
    v_by_seen text;
    v_by_ok boolean := false;
    v_by_bad boolean;
    v_total integer;
    v_done integer;
    v_assignment uuid;
    v_assignment_done integer;
    v_over boolean;
    v_inserted integer;
    prev record;
BEGIN
    IF coalesce(array_length(p_stations, 1), 0) <> n
       OR coalesce(array_length(p_jobs, 1), 0) <> n
       OR coalesce(array_length(p_qtys, 1), 0) <> n
       OR coalesce(array_length(p_confirm, 1), 0) <> n
       OR coalesce(array_length(p_reported_by, 1), 0) <> n THEN
        RAISE EXCEPTION 'leanops_report_batch: every array must hold one value per report'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 1 .. n LOOP
        item := i;
        code := '00000';
        message := NULL;
        detail := NULL;
        counted := false;
        assignment_qty_done := NULL;
        job_qty_done := NULL;
        v_id := p_ids[i];
        v_station := p_stations[i];
        v_job := p_jobs[i];
        v_qty := p_qtys[i];
        v_by := nullif(p_reported_by[i], '');
        v_by_bad := false;

        -- Input (the client checks it too; this is for any other caller).
        IF v_id IS NULL OR v_station IS NULL OR v_job IS NULL OR v_qty IS NULL THEN
            code := 'LR001';
            detail := jsonb_build_object(
                'field', CASE WHEN v_id IS NULL THEN 'report id'
                              WHEN v_station IS NULL THEN 'station id'
                              WHEN v_job IS NULL THEN 'job id' ELSE 'quantity' END,
                'reason', 'must not be empty');
        ELSIF v_qty < 1 THEN
            code := 'LR001';
            detail := jsonb_build_object(
                'field', 'quantity', 'reason', format('must be at least 1, got %s', v_qty));
        ELSIF v_qty > {_MAX_REPORT_QTY} THEN
            code := 'LR001';
            detail := jsonb_build_object('field', 'quantity', 'reason',
                format('%s is more than the {_MAX_REPORT_QTY:,} allowed', v_qty));
        END IF;
        IF code <> '00000' THEN
            message := (detail ->> 'field') || ': ' || (detail ->> 'reason');
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- The job first (dispatch's lock order): the over-total check and the counts hold
        -- until commit, and as dispatch locks the job before its assignments, the
        -- assignment cannot move either. Ids longer than any id can be are not looked up.
        v_total := NULL;
        v_done := NULL;
        v_assignment := NULL;
        v_assignment_done := NULL;
        IF length(v_station) <= {_MAX_ID} AND length(v_job) <= {_MAX_ID} THEN
            SELECT j.qty_total, j.qty_reported INTO v_total, v_done
              FROM public.jobs j WHERE j.id = v_job FOR UPDATE;
            SELECT a.id, a.qty_done INTO v_assignment, v_assignment_done
              FROM public.station_assignments a
             WHERE a.station_id = v_station AND a.job_id = v_job FOR UPDATE;
        END IF;
        v_over := v_done + v_qty > v_total;
        IF v_assignment IS NOT NULL AND (NOT v_over OR coalesce(p_confirm[i], false)) THEN
            -- Who tapped must be someone of this plant (looked up once per name a batch).
            IF v_by IS NOT NULL THEN
                IF v_by IS DISTINCT FROM v_by_seen THEN
                    v_by_seen := v_by;
                    v_by_ok := length(v_by) <= {_MAX_EMAIL} AND EXISTS (
                        SELECT 1 FROM public.users u WHERE u.email = v_by AND u.is_active);
                END IF;
                v_by_bad := NOT v_by_ok;
            END IF;
            IF NOT v_by_bad THEN
                INSERT INTO public.performance_logs
                       (id, station_id, job_id, qty_completed, assignment_id)
                VALUES (v_id, v_station, v_job, v_qty, v_assignment)
                ON CONFLICT (id) DO NOTHING;
                GET DIAGNOSTICS v_inserted = ROW_COUNT;
                IF v_inserted = 1 THEN
                    INSERT INTO public.events_log
                           (id, event_type, station_id, job_id, meta, actor)
                    VALUES (gen_random_uuid(), 'qty_reported', v_station, v_job,
                            jsonb_build_object(
                                'actor', coalesce(p_actor, session_user::text),
                                'role', v_role,
                                'new', jsonb_build_object(
                                    'qty', v_qty, 'job_qty_done', v_done + v_qty),
                                'log_id', v_id::text,
                                'over_reported', v_over)
                            || CASE WHEN v_by IS NULL THEN '{{}}'::jsonb
                                    ELSE jsonb_build_object('reported_by', v_by) END,
                            coalesce(p_actor, session_user::text));
                    counted := true;
                    assignment_qty_done := v_assignment_done + v_qty;  -- both rows locked
                    job_qty_done := v_done + v_qty;
                    RETURN NEXT;
                    CONTINUE;
                END IF;
            END IF;
        END IF;

        -- Not counted now. A report sent before (a retry after a lost reply, maybe after the
        -- job moved on) answers as it did then; only a new report is refused.
        SELECT l.station_id, l.job_id, l.qty_completed, l.assignment_id INTO prev
          FROM public.performance_logs l WHERE l.id = v_id;
        IF FOUND THEN
            IF prev.station_id IS DISTINCT FROM v_station OR prev.job_id IS DISTINCT FROM v_job
               OR prev.qty_completed IS DISTINCT FROM v_qty THEN
                code := 'LR001';
                detail := jsonb_build_object('field', 'report id', 'reason',
                    'was already used for a different report (station, job or quantity)');
                message := 'report id: ' || (detail ->> 'reason');
            ELSE
                SELECT a.qty_done INTO assignment_qty_done
                  FROM public.station_assignments a WHERE a.id = prev.assignment_id;
                assignment_qty_done := coalesce(assignment_qty_done, 0);
                job_qty_done := coalesce(v_done, 0);
            END IF;
        ELSIF v_assignment IS NULL THEN
            IF length(v_station) > {_MAX_ID}
               OR NOT EXISTS (SELECT 1 FROM public.stations s WHERE s.id = v_station) THEN
                code := 'LR002';
                detail := jsonb_build_object('kind', 'station', 'key', v_station);
                message := format('station %s does not exist', v_station);
            ELSIF v_total IS NULL THEN
                code := 'LR002';
                detail := jsonb_build_object('kind', 'job', 'key', v_job);
                message := format('job %s does not exist', v_job);
            ELSE
                code := 'LR003';
                detail := jsonb_build_object('station', v_station, 'job', v_job);
                message := format('job %s is not running on station %s any more'
                                  ' (it was moved, unassigned or completed)', v_job, v_station);
            END IF;
        ELSIF v_by_bad THEN
            code := 'LR001';
            detail := jsonb_build_object(
                'field', 'reported by', 'reason', 'is not the email of an active user');
            message := 'reported by: ' || (detail ->> 'reason');
        ELSE
            code := 'LR004';
            detail := jsonb_build_object(
                'job', v_job, 'qty_total', v_total, 'qty_after', v_done + v_qty);
            message := format('job %s would reach %s of %s units;'
                              ' confirm over-reporting to record it',
                              v_job, v_done + v_qty, v_total);
        END IF;
        RETURN NEXT;
    END LOOP;
END
"""

_CORRECT_LATE = _rule(
    f"format('report %s was counted more than {_UNDO_MINUTES} minutes ago:"
    " only a supervisor or an admin may take it back now', p_log)"
)
_CORRECT_RACE = _rule(
    "format('report %s was taken back just now, or the correction would make"
    " the station''s count negative', p_log)"
)
_CORRECT_EVENT = _event(
    "qty_corrected",
    "orig.station_id",
    "orig.job_id",
    _meta(
        "'old', jsonb_build_object('qty', orig.qty_completed)",
        "'new', jsonb_build_object('qty', 0)",
        "'log_id', p_correction::text",
        "'corrects_id', p_log::text",
    ),
)
_CORRECT = f"""
CREATE FUNCTION public.leanops_correct_report(
    p_log uuid, p_correction uuid, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS TABLE (counted boolean, assignment_qty_done integer, job_qty_done integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    orig record;
    v_found boolean;
    prev record;
BEGIN
    IF p_log IS NULL THEN
        {_invalid("report id", "'must not be empty'")}
    END IF;
    IF p_correction IS NULL THEN
        {_invalid("correction id", "'must not be empty'")}
    END IF;
    -- The original's row is locked: two takes of one report queue here, and the second
    -- sees the first's correction (its own retry, or "already taken back").
    SELECT l.station_id, l.job_id, l.qty_completed, l.assignment_id, l.corrects_id,
           l."timestamp" AS logged_at
      INTO orig FROM public.performance_logs l WHERE l.id = p_log FOR NO KEY UPDATE;
    v_found := FOUND;
    SELECT l.corrects_id, l.job_id, l.assignment_id INTO prev
      FROM public.performance_logs l WHERE l.id = p_correction;
    IF FOUND THEN
        IF prev.corrects_id IS DISTINCT FROM p_log THEN
            {_invalid("correction id", "'is already used by another report'")}
        END IF;
        counted := false;
        SELECT a.qty_done INTO assignment_qty_done
          FROM public.station_assignments a WHERE a.id = prev.assignment_id;
        assignment_qty_done := coalesce(assignment_qty_done, 0);
        SELECT j.qty_reported INTO job_qty_done FROM public.jobs j WHERE j.id = prev.job_id;
        job_qty_done := coalesce(job_qty_done, 0);
        RETURN NEXT;
        RETURN;
    END IF;
    IF NOT v_found THEN
        {_not_found("report", "p_log::text")}
    END IF;
    IF orig.corrects_id IS NOT NULL THEN
        {_rule("'a correction cannot itself be corrected'")}
    END IF;
    IF EXISTS (SELECT 1 FROM public.performance_logs l WHERE l.corrects_id = p_log) THEN
        {_rule("format('report %s has already been taken back', p_log)")}
    END IF;
    IF v_role NOT IN ('supervisor', 'admin')
       AND orig.logged_at < now() - interval '{_UNDO_MINUTES} minutes' THEN
        {_CORRECT_LATE}
    END IF;
    -- The job, then the assignment, as a report locks them: the count trigger updates both,
    -- assignment first, which against a concurrent report of that job would deadlock.
    PERFORM 1 FROM public.jobs j WHERE j.id = orig.job_id FOR UPDATE;
    PERFORM 1 FROM public.station_assignments a WHERE a.id = orig.assignment_id FOR UPDATE;
    BEGIN
        INSERT INTO public.performance_logs
               (id, station_id, job_id, qty_completed, assignment_id, corrects_id)
        VALUES (p_correction, orig.station_id, orig.job_id, -orig.qty_completed,
                orig.assignment_id, p_log);
    EXCEPTION WHEN unique_violation OR check_violation THEN
        {_CORRECT_RACE}
    END;
    {_CORRECT_EVENT}
    counted := true;
    SELECT a.qty_done INTO assignment_qty_done
      FROM public.station_assignments a
      JOIN public.performance_logs l ON l.assignment_id = a.id
     WHERE l.id = p_correction;
    assignment_qty_done := coalesce(assignment_qty_done, 0);
    SELECT j.qty_reported INTO job_qty_done FROM public.jobs j WHERE j.id = orig.job_id;
    job_qty_done := coalesce(job_qty_done, 0);
    RETURN NEXT;
END
$fn$
"""

_BLOCK_TOO_LONG = _invalid(
    "reason", f"format('is %s characters long; at most {_MAX_REASON} allowed', length(v_reason))"
)
_BLOCK_EVENT = _event(
    "station_blocked",
    "p_station",
    "v_job",
    _meta(
        "'old', jsonb_build_object('status', st.status)",
        "'new', jsonb_build_object('status', 'blocked')",
        "'reason', v_reason",
    ),
)
_BLOCK = f"""
CREATE FUNCTION public.leanops_block_station(
    p_station text, p_reason text, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_reason text := regexp_replace(coalesce(p_reason, ''), '^{_SPACE}+|{_SPACE}+$', '', 'g');
    st record;
    v_found boolean := false;
    v_job text;
BEGIN
    IF pg_catalog.current_setting('server_encoding') = 'UTF8' THEN
        v_reason := normalize(v_reason, NFC);
    END IF;
    IF v_reason = '' THEN
        {_invalid("reason", "'must not be empty'")}
    END IF;
    IF length(v_reason) > {_MAX_REASON} THEN
        {_BLOCK_TOO_LONG}
    END IF;
    IF v_reason ~ '{_CONTROL}' THEN
        {_invalid("reason", "'must not contain control characters'")}
    END IF;
    IF length(p_station) <= {_MAX_ID} THEN
        SELECT s.is_active, s.status, s.blocked_reason INTO st
          FROM public.stations s WHERE s.id = p_station FOR UPDATE;
        v_found := FOUND;
    END IF;
    IF NOT v_found THEN
        {_not_found("station", "p_station")}
    END IF;
    IF NOT st.is_active THEN
        {_rule("format('station %s is not in use and cannot be blocked', p_station)")}
    END IF;
    IF st.status = 'blocked' THEN
        {_rule("format('station %s is already blocked (%s)', p_station, st.blocked_reason)")}
    END IF;
    UPDATE public.stations SET status = 'blocked', blocked_reason = v_reason
     WHERE id = p_station;
    -- Read, not locked: whoever changes a station's assignment holds the station's row
    -- first, and complete_job locks assignments before stations (locking here deadlocked).
    SELECT a.job_id INTO v_job
      FROM public.station_assignments a WHERE a.station_id = p_station;
    {_BLOCK_EVENT}
END
$fn$
"""

_UNBLOCK_EVENT = _event(
    "station_unblocked",
    "p_station",
    "v_job",
    _meta(
        "'old', jsonb_build_object('status', 'blocked', 'reason', st.blocked_reason)",
        "'new', jsonb_build_object('status', v_status)",
    ),
)
_UNBLOCK = f"""
CREATE FUNCTION public.leanops_unblock_station(
    p_station text, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    st record;
    v_found boolean := false;
    v_job text;
    v_status text;
BEGIN
    IF length(p_station) <= {_MAX_ID} THEN
        SELECT s.status, s.blocked_reason INTO st
          FROM public.stations s WHERE s.id = p_station FOR UPDATE;
        v_found := FOUND;
    END IF;
    IF NOT v_found THEN
        {_not_found("station", "p_station")}
    END IF;
    IF st.status <> 'blocked' THEN
        {_rule("format('station %s is not blocked', p_station)")}
    END IF;
    SELECT a.job_id INTO v_job  -- read, not locked: see leanops_block_station
      FROM public.station_assignments a WHERE a.station_id = p_station;
    v_status := CASE WHEN v_job IS NOT NULL THEN 'running' ELSE 'idle' END;
    UPDATE public.stations SET status = v_status, blocked_reason = NULL WHERE id = p_station;
    {_UNBLOCK_EVENT}
END
$fn$
"""

_COMPLETE_EVENT = _event(
    "job_completed",
    "coalesce(p_station, CASE WHEN cardinality(v_stations) = 1 THEN v_stations[1] END)",
    "p_job",
    _meta(
        "'old', jsonb_build_object('job_status', j.status, 'stations', to_jsonb(v_stations))",
        "'new', jsonb_build_object('job_status', 'completed')",
        "'qty_done', j.qty_reported",
        "'qty_total', j.qty_total",
        "'short_by', greatest(j.qty_total - j.qty_reported, 0)",
    ),
)
_COMPLETE = f"""
CREATE FUNCTION public.leanops_complete_job(
    p_job text, p_station text DEFAULT NULL, p_actor text DEFAULT NULL,
    p_role text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    j record;
    v_found boolean := false;
    v_stations text[];
BEGIN
    -- Lock order of services/floor/dispatch: the job, its assignments, their stations by id.
    IF length(p_job) <= {_MAX_ID} THEN
        SELECT jb.status, jb.qty_total, jb.qty_reported INTO j
          FROM public.jobs jb WHERE jb.id = p_job FOR UPDATE;
        v_found := FOUND;
    END IF;
    IF NOT v_found THEN
        {_not_found("job", "p_job")}
    END IF;
    IF j.status = 'completed' THEN
        {_rule("format('job %s is already completed', p_job)")}
    END IF;
    SELECT coalesce(array_agg(a.station_id ORDER BY a.station_id COLLATE "C"), '{{}}')
      INTO v_stations
      FROM (SELECT sa.station_id FROM public.station_assignments sa
             WHERE sa.job_id = p_job ORDER BY sa.station_id COLLATE "C" FOR UPDATE) a;
    IF p_station IS NOT NULL AND NOT (p_station = ANY (v_stations)) THEN
        {_rule("format('job %s is not running on station %s', p_job, p_station)")}
    END IF;
    IF p_station IS NULL AND v_role NOT IN ('supervisor', 'admin') THEN
        {_rule("'an operator completes jobs from their station''s kiosk'")}
    END IF;
    PERFORM 1 FROM public.stations s WHERE s.id = ANY (v_stations)
      ORDER BY s.id COLLATE "C" FOR UPDATE;
    UPDATE public.jobs SET status = 'completed' WHERE id = p_job;
    DELETE FROM public.station_assignments WHERE job_id = p_job;
    UPDATE public.stations SET status = 'idle'
     WHERE id = ANY (v_stations) AND status = 'running';
    {_COMPLETE_EVENT}
END
$fn$
"""


# A kiosk tells the supervisors that the server refused one of its queued reports (the job
# moved on while it was offline): the event type is fixed, a counted report cannot be
# logged as refused, the operator who tapped must be a user of the plant, the texts are
# bounded. The client's event id (derived from the report id) makes it idempotent.
_LOG_REFUSED = f"""
CREATE OR REPLACE FUNCTION public.leanops_log_report_refused(
    p_event_id uuid, p_report_id uuid, p_station text, p_job text, p_kind text,
    p_qty integer, p_operator text, p_reported_at timestamptz, p_reason text, p_code text,
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_inserted integer;
BEGIN
    IF p_event_id IS NULL OR p_report_id IS NULL THEN
        {_invalid("report id", "'must not be empty'")}
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('report', 'correction') THEN
        {_invalid("kind", "'must be report or correction'")}
    END IF;
    IF p_qty IS NULL OR p_qty = 0 OR abs(p_qty) > {_MAX_REPORT_QTY} THEN
        {_invalid("quantity", "'must be a non-zero count of at most {_MAX_REPORT_QTY}'")}
    END IF;
    IF octet_length(p_station) > {_MAX_ID} OR octet_length(p_job) > {_MAX_ID} THEN
        {_invalid("station or job id", "'is longer than {_MAX_ID} bytes'")}
    END IF;
    IF EXISTS (SELECT 1 FROM public.performance_logs l WHERE l.id = p_report_id) THEN
        {_invalid("report id", "'was counted: it cannot be logged as refused'")}
    END IF;
    -- (IT's own account is trusted to name whom it reports for.)
    IF public.leanops_group_of(session_user) IS NOT NULL
       AND nullif(p_operator, '') IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM public.users u WHERE u.email = p_operator) THEN
        {_invalid("operator", "'is not a user of this plant'")}
    END IF;
    INSERT INTO public.events_log (id, event_type, station_id, job_id, meta, actor)
    VALUES (p_event_id, 'qty_report_refused', p_station, p_job,
            jsonb_build_object(
                'actor', coalesce(p_actor, session_user::text), 'role', v_role,
                'reason', left(p_reason, {_MAX_REASON}), 'report_id', p_report_id::text,
                'kind', p_kind, 'qty', p_qty, 'operator', nullif(p_operator, ''),
                'reported_at', p_reported_at, 'refusal_code', left(p_code, 32)),
            coalesce(p_actor, session_user::text))
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS v_inserted = ROW_COUNT;
    RETURN v_inserted = 1;
END
$fn$
"""


def _report_batch(body: str, security: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION public.leanops_report_batch(
            p_ids uuid[], p_stations text[], p_jobs text[], p_qtys integer[],
            p_confirm boolean[], p_reported_by text[],
            p_actor text DEFAULT NULL, p_role text DEFAULT NULL
        ) RETURNS TABLE (
            item integer, code text, message text, detail jsonb, counted boolean,
            assignment_qty_done integer, job_qty_done integer
        )
        LANGUAGE plpgsql VOLATILE {security} {_SAFE_PATH}
        AS $fn${body}$fn$
    """


def _lock_down(signature: str) -> None:
    op.execute(f"ALTER FUNCTION public.{signature} OWNER TO {_OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.{signature} TO {_GROUPS}")
    # Supabase's default privileges give its API roles EXECUTE on every new function.
    op.execute(
        f"""
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON FUNCTION public.{signature} FROM %I',
                                   api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(_CALLER_ROLE)
    _lock_down("leanops_caller_role(text)")
    op.execute(_report_batch(_BATCH_BODY, "SECURITY DEFINER"))
    op.execute(f"ALTER FUNCTION public.{_ONE_SIGNATURE} SECURITY DEFINER")
    for sql in (_CORRECT, _BLOCK, _UNBLOCK, _COMPLETE, _LOG_REFUSED):
        op.execute(sql)
    for signature in (_BATCH_SIGNATURE, _ONE_SIGNATURE, *_NEW_SIGNATURES):
        _lock_down(signature)


def _migration_0006() -> ModuleType:
    """Migration 0006 as a module (its report function body, to restore it)."""
    path = Path(__file__).with_name("0006_report_function.py")
    spec = importlib.util.spec_from_file_location("leanops_migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for signature in _NEW_SIGNATURES:
        op.execute(f"DROP FUNCTION IF EXISTS public.{signature}")
    op.execute(f"ALTER FUNCTION public.{_ONE_SIGNATURE} SECURITY INVOKER")
    op.execute(_report_batch(_migration_0006()._BATCH_BODY, "SECURITY INVOKER"))
    op.execute("DROP FUNCTION IF EXISTS public.leanops_caller_role(text)")
