"""Supervisors' and admins' planning actions as database functions with the services' rules.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Migration 0010 takes every direct INSERT, UPDATE and DELETE on the business tables (and
INSERT on ``events_log``) away from the LeanOps groups, so that the database refuses
whatever the app refuses. Planning writes then go through these functions, which check
every rule ``services/floor/jobs.py``, ``services/floor/stations.py`` and ``services/floor/dispatch.py``
check, write the rows and exactly one ``events_log`` row (the same ``event_type`` and meta
keys as ``services.events.record_event``), in one call:

* ``leanops_create_job(job_id, part_name, qty_total, due_date, priority, actor, role)``
  returns the job id; ``leanops_update_job(job_id, part_name, qty_total, due_date, priority,
  actor, role)`` changes the fields given (NULL: unchanged), returns whether anything changed
  (an edit that changes nothing writes nothing);
* ``leanops_create_station(station_id, name, line, is_active, actor, role)``,
  ``leanops_update_station(station_id, name, line, actor, role)``,
  ``leanops_set_station_active(station_id, active, actor, role)``;
* ``leanops_assign_job(job_id, station_id, actor, role)`` and ``leanops_move_job(job_id,
  from_station_id, to_station_id, actor, role)`` return the new assignment's id;
  ``leanops_unassign_job(station_id, actor, role)`` returns the job taken off.

Each is SECURITY DEFINER (owner ``leanops_owner``, ``search_path`` pinned), EXECUTE only for
``leanops_supervisor`` and ``leanops_admin``. Who calls is ``leanops_caller_role(role)``
(migration 0008): a signed-in LeanOps user is their group, whatever the client claims; only
IT's own account acts as the ``role`` and ``actor`` it names. Bodies name no group or owner
role (migration 0010 renames them per database). Rows are locked as dispatch locks them:
the job, then stations in id order, then the assignment rows ended or moved. Whether a
station works on a job is read, not locked, under the station's lock (which every new
assignment takes): locking that row would wait on ``complete_job``, which locks a job's
assignments before their stations, and two such seats could deadlock.

Refusals (mapped back to the services' exceptions in ``services/floor/planning_pg.py``):

* ``LP001`` ValidationError, detail ``{"field", "reason"}``;
* ``LP002`` NotFound, detail ``{"kind", "key"}``;
* ``LP003`` AlreadyExists, detail ``{"kind", "key"}``;
* ``LP004`` RuleViolation (the message is the service's);
* ``42501`` PermissionDenied (an operator, or a caller who is no LeanOps user).

A refusal raises, so nothing of the call is written.

``events_log.meta`` gets two checks: it is a JSON object (every reader takes it as one) and
its text is at most 16 KiB. The largest meta LeanOps writes with bounded fields is about
2 KB (an edit of two 200-character names, or a 500-character block reason, in 4-byte
characters); a completed job lists its stations, and 16 KiB holds over 200 of the longest
ids (64 characters) or 1,000 of the usual ``ST-01``. Both checks are added NOT VALID and
then validated; should an existing row not pass (only a client writing events directly
could have made one, and events are append-only), the check stays NOT VALID, still holds
for every new row, and the upgrade says how many rows failed.

On SQLite this migration does nothing (the services check the rules in Python there).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OWNER = "leanops_owner"
_PLANNERS = "leanops_supervisor, leanops_admin"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
#: core.validation when this migration was written.
_MAX_QTY_TOTAL = 10_000_000
_MAX_NAME_LENGTH = 200
#: Every character Python's ``str.strip()`` removes (``str.isspace``), as code points.
_PY_SPACES = (
    *range(0x09, 0x0E),
    *range(0x1C, 0x21),
    0x85,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
)
_META_MAX_BYTES = 16_384

# -- helpers: called only by the functions below (EXECUTE for nobody else) -----------------

_HELPERS: dict[str, str] = {}

_HELPERS["leanops_plan_invalid(text, text)"] = """
CREATE FUNCTION public.leanops_plan_invalid(p_field text, p_reason text) RETURNS void
LANGUAGE plpgsql @PATH AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LP001', MESSAGE = p_field || ': ' || p_reason,
        DETAIL = jsonb_build_object('field', p_field, 'reason', p_reason)::text;
END
$fn$
"""

_HELPERS["leanops_plan_not_found(text, text)"] = """
CREATE FUNCTION public.leanops_plan_not_found(p_kind text, p_key text) RETURNS void
LANGUAGE plpgsql @PATH AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LP002',
        MESSAGE = format('%s %s does not exist', p_kind, p_key),
        DETAIL = jsonb_build_object('kind', p_kind, 'key', p_key)::text;
END
$fn$
"""

_HELPERS["leanops_plan_exists(text, text)"] = """
CREATE FUNCTION public.leanops_plan_exists(p_kind text, p_key text) RETURNS void
LANGUAGE plpgsql @PATH AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LP003',
        MESSAGE = format('%s %s already exists', p_kind, p_key),
        DETAIL = jsonb_build_object('kind', p_kind, 'key', p_key)::text;
END
$fn$
"""

_HELPERS["leanops_plan_rule(text)"] = """
CREATE FUNCTION public.leanops_plan_rule(p_message text) RETURNS void
LANGUAGE plpgsql @PATH AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LP004', MESSAGE = p_message;
END
$fn$
"""

# The caller's role (leanops_caller_role refuses anyone who is no LeanOps user) when it
# may plan; core.permissions: MANAGE_JOBS, MANAGE_STATIONS and DISPATCH are supervisors'.
_HELPERS["leanops_plan_role(text, text)"] = """
CREATE FUNCTION public.leanops_plan_role(p_claimed text, p_action text) RETURNS text
LANGUAGE plpgsql STABLE @PATH AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_claimed);
BEGIN
    IF v_role IS DISTINCT FROM 'supervisor' AND v_role IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION '% (%) may not %: this needs the supervisor role',
            session_user, v_role, p_action USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_role;
END
$fn$
"""

# What Python's str.strip() removes (all of it in a UTF8 database; ASCII otherwise).
_HELPERS["leanops_plan_trim(text)"] = f"""
CREATE FUNCTION public.leanops_plan_trim(p_value text) RETURNS text
LANGUAGE plpgsql STABLE @PATH AS $fn$
BEGIN
    IF pg_catalog.getdatabaseencoding() = 'UTF8' THEN
        RETURN btrim(p_value, (SELECT string_agg(chr(c), '')
                                 FROM unnest(ARRAY[{", ".join(map(str, _PY_SPACES))}]) c));
    END IF;
    RETURN btrim(p_value, E'\\t\\n\\x0b\\f\\r\\x1c\\x1d\\x1e\\x1f ');
END
$fn$
"""

# core.validation.check_id
_HELPERS["leanops_plan_id(text, text)"] = """
CREATE FUNCTION public.leanops_plan_id(p_field text, p_value text) RETURNS text
LANGUAGE plpgsql STABLE @PATH AS $fn$
DECLARE
    v text := public.leanops_plan_trim(p_value);
BEGIN
    IF v IS NULL THEN
        PERFORM public.leanops_plan_invalid(p_field, 'must be text, not null');
    ELSIF v = '' THEN
        PERFORM public.leanops_plan_invalid(p_field, 'must not be empty');
    ELSIF v !~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$' THEN
        PERFORM public.leanops_plan_invalid(p_field, format(
            '''%s'' is not a valid id: use 1 to 64 letters, digits, ''.'', ''_'', ''/'' or'
            ' ''-'', starting with a letter or digit',
            CASE WHEN char_length(v) <= 40 THEN v ELSE left(v, 40) || '...' END));
    END IF;
    RETURN v;
END
$fn$
"""

# core.validation.check_text
_HELPERS["leanops_plan_text(text, text, integer)"] = """
CREATE FUNCTION public.leanops_plan_text(p_field text, p_value text, p_max integer)
RETURNS text LANGUAGE plpgsql STABLE @PATH AS $fn$
DECLARE
    v text := public.leanops_plan_trim(p_value);
BEGIN
    IF v IS NULL THEN
        PERFORM public.leanops_plan_invalid(p_field, 'must be text, not null');
    END IF;
    IF pg_catalog.getdatabaseencoding() = 'UTF8' THEN
        v := normalize(v, NFC);
    END IF;
    IF v = '' THEN
        PERFORM public.leanops_plan_invalid(p_field, 'must not be empty');
    ELSIF char_length(v) > p_max THEN
        PERFORM public.leanops_plan_invalid(p_field, format(
            'is %s characters long; at most %s allowed', char_length(v), p_max));
    ELSIF v ~ '[\\x01-\\x1f\\x7f-\\x9f]' THEN
        PERFORM public.leanops_plan_invalid(p_field, 'must not contain control characters');
    END IF;
    RETURN v;
END
$fn$
"""

# core.validation.check_quantity with MAX_QTY_TOTAL
_HELPERS["leanops_plan_qty_total(integer)"] = f"""
CREATE FUNCTION public.leanops_plan_qty_total(p_value integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE @PATH AS $fn$
BEGIN
    IF p_value IS NULL THEN
        PERFORM public.leanops_plan_invalid('quantity', 'must be a whole number, not null');
    ELSIF p_value <= 0 THEN
        PERFORM public.leanops_plan_invalid('quantity',
            format('must be at least 1, got %s', p_value));
    ELSIF p_value > {_MAX_QTY_TOTAL} THEN
        PERFORM public.leanops_plan_invalid('quantity',
            format('%s is more than the {_MAX_QTY_TOTAL:,} allowed', p_value));
    END IF;
    RETURN p_value;
END
$fn$
"""

# core.validation.check_date: a calendar date Python can hold (no infinity, years 1-9999).
_HELPERS["leanops_plan_due(date)"] = """
CREATE FUNCTION public.leanops_plan_due(p_value date) RETURNS date
LANGUAGE plpgsql IMMUTABLE @PATH AS $fn$
BEGIN
    IF p_value IS NULL THEN
        PERFORM public.leanops_plan_invalid('due date', 'must be a date, not null');
    ELSIF NOT isfinite(p_value) OR p_value < DATE '0001-01-01'
          OR p_value > DATE '9999-12-31' THEN
        PERFORM public.leanops_plan_invalid('due date', format(
            '''%s'' is not a date between 0001-01-01 and 9999-12-31', p_value));
    END IF;
    RETURN p_value;
END
$fn$
"""

# core.validation.check_choice with core.enums.Priority
_HELPERS["leanops_plan_priority(text)"] = """
CREATE FUNCTION public.leanops_plan_priority(p_value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE @PATH AS $fn$
BEGIN
    IF p_value IS NULL OR p_value NOT IN ('normal', 'high') THEN
        PERFORM public.leanops_plan_invalid('priority', format(
            '''%s'' is not one of: normal, high',
            CASE WHEN char_length(p_value) <= 40 THEN p_value
                 ELSE left(p_value, 40) || '...' END));
    END IF;
    RETURN p_value;
END
$fn$
"""

# services.events.record_event: the one event of a change. For a signed-in LeanOps user
# the events trigger stamps actor, role and time from the session; IT's account is taken
# at its word, as its direct writes are.
_HELPERS["leanops_plan_event(text, text, text, text, text, jsonb)"] = """
CREATE FUNCTION public.leanops_plan_event(
    p_type text, p_station text, p_job text, p_actor text, p_role text, p_meta jsonb
) RETURNS void LANGUAGE plpgsql @PATH AS $fn$
DECLARE
    v_actor text := coalesce(p_actor, session_user::text);
BEGIN
    INSERT INTO public.events_log (id, event_type, station_id, job_id, meta, actor)
    VALUES (gen_random_uuid(), p_type, p_station, p_job,
            jsonb_build_object('actor', v_actor, 'role', p_role) || p_meta, v_actor);
END
$fn$
"""

# services.floor.dispatch._check_can_take
_HELPERS["leanops_plan_can_take(text, text, text, boolean, text, text)"] = """
CREATE FUNCTION public.leanops_plan_can_take(
    p_job text, p_job_status text, p_station text, p_is_active boolean,
    p_station_status text, p_blocked_reason text
) RETURNS void LANGUAGE plpgsql IMMUTABLE @PATH AS $fn$
BEGIN
    IF p_job_status = 'completed' THEN
        PERFORM public.leanops_plan_rule(
            format('job %s is completed and cannot be assigned', p_job));
    ELSIF NOT p_is_active THEN
        PERFORM public.leanops_plan_rule(
            format('station %s is not in use and cannot take a job', p_station));
    ELSIF p_station_status = 'blocked' THEN
        PERFORM public.leanops_plan_rule(format(
            'station %s is blocked (%s): resume it first', p_station, p_blocked_reason));
    END IF;
END
$fn$
"""

# services.floor.dispatch._start: the job and station rows are locked by the caller. Every
# insert of an assignment holds its station's lock, so a plain read sees all there is;
# locking the row found (as the Python path does) would only add a wait: complete_job
# locks a job's assignments before their stations, the reverse of this order.
_HELPERS["leanops_plan_start(text, text)"] = """
CREATE FUNCTION public.leanops_plan_start(p_station text, p_job text) RETURNS uuid
LANGUAGE plpgsql @PATH AS $fn$
DECLARE
    v_id uuid;
BEGIN
    PERFORM 1 FROM public.station_assignments a WHERE a.station_id = p_station;
    IF FOUND THEN
        PERFORM public.leanops_plan_rule(
            format('station %s is already working on a job', p_station));
    END IF;
    INSERT INTO public.station_assignments (id, station_id, job_id, qty_done)
    VALUES (gen_random_uuid(), p_station, p_job, 0)
    ON CONFLICT (station_id) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM public.leanops_plan_rule(
            format('station %s was given a job by someone else just now', p_station));
    END IF;
    UPDATE public.stations SET status = 'running' WHERE id = p_station AND status <> 'running';
    UPDATE public.jobs SET status = 'running' WHERE id = p_job AND status <> 'running';
    RETURN v_id;
END
$fn$
"""

# -- the planning functions -----------------------------------------------------------------

_FUNCTIONS: dict[str, str] = {}

_FUNCTIONS["leanops_create_job(text, text, integer, date, text, text, text)"] = """
CREATE FUNCTION public.leanops_create_job(
    p_job_id text, p_part_name text, p_qty_total integer, p_due_date date,
    p_priority text DEFAULT 'normal', p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS text LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'manage jobs');
    v_id text := public.leanops_plan_id('job id', p_job_id);
    v_part text := public.leanops_plan_text('part name', p_part_name, @MAX_NAME);
    v_qty integer := public.leanops_plan_qty_total(p_qty_total);
    v_due date := public.leanops_plan_due(p_due_date);
    v_priority text := public.leanops_plan_priority(p_priority);
BEGIN
    INSERT INTO public.jobs (id, part_name, qty_total, due_date, priority, status)
    VALUES (v_id, v_part, v_qty, v_due, v_priority, 'waiting')
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_exists('job', v_id);
    END IF;
    PERFORM public.leanops_plan_event('job_created', NULL, v_id, p_actor, v_role,
        jsonb_build_object('new', jsonb_build_object(
            'part_name', v_part, 'qty_total', v_qty, 'due_date', v_due,
            'priority', v_priority)));
    RETURN v_id;
END
$fn$
"""

_FUNCTIONS["leanops_update_job(text, text, integer, date, text, text, text)"] = """
CREATE FUNCTION public.leanops_update_job(
    p_job_id text, p_part_name text DEFAULT NULL, p_qty_total integer DEFAULT NULL,
    p_due_date date DEFAULT NULL, p_priority text DEFAULT NULL,
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'manage jobs');
    v_part text := CASE WHEN p_part_name IS NOT NULL
                        THEN public.leanops_plan_text('part name', p_part_name, @MAX_NAME) END;
    v_qty integer := CASE WHEN p_qty_total IS NOT NULL
                          THEN public.leanops_plan_qty_total(p_qty_total) END;
    v_due date := CASE WHEN p_due_date IS NOT NULL THEN public.leanops_plan_due(p_due_date) END;
    v_priority text := CASE WHEN p_priority IS NOT NULL
                            THEN public.leanops_plan_priority(p_priority) END;
    j public.jobs%ROWTYPE;
    v_old jsonb := '{}';
    v_new jsonb := '{}';
BEGIN
    SELECT * INTO j FROM public.jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', p_job_id);
    END IF;
    IF j.status = 'completed' THEN
        PERFORM public.leanops_plan_rule(
            format('job %s is completed and can no longer be edited', p_job_id));
    END IF;
    IF v_part IS NOT NULL AND v_part IS DISTINCT FROM j.part_name THEN
        v_old := v_old || jsonb_build_object('part_name', j.part_name);
        v_new := v_new || jsonb_build_object('part_name', v_part);
    END IF;
    IF v_qty IS NOT NULL AND v_qty IS DISTINCT FROM j.qty_total THEN
        v_old := v_old || jsonb_build_object('qty_total', j.qty_total);
        v_new := v_new || jsonb_build_object('qty_total', v_qty);
    END IF;
    IF v_due IS NOT NULL AND v_due IS DISTINCT FROM j.due_date THEN
        v_old := v_old || jsonb_build_object('due_date', j.due_date);
        v_new := v_new || jsonb_build_object('due_date', v_due);
    END IF;
    IF v_priority IS NOT NULL AND v_priority IS DISTINCT FROM j.priority THEN
        v_old := v_old || jsonb_build_object('priority', j.priority);
        v_new := v_new || jsonb_build_object('priority', v_priority);
    END IF;
    IF v_new = '{}'::jsonb THEN
        RETURN false;  -- an edit that changes nothing writes nothing
    END IF;
    UPDATE public.jobs
       SET part_name = coalesce(v_part, part_name), qty_total = coalesce(v_qty, qty_total),
           due_date = coalesce(v_due, due_date), priority = coalesce(v_priority, priority)
     WHERE id = j.id;
    PERFORM public.leanops_plan_event('job_updated', NULL, j.id, p_actor, v_role,
        jsonb_build_object('old', v_old, 'new', v_new));
    RETURN true;
END
$fn$
"""

_FUNCTIONS["leanops_create_station(text, text, text, boolean, text, text)"] = """
CREATE FUNCTION public.leanops_create_station(
    p_station_id text, p_name text, p_line text, p_is_active boolean DEFAULT true,
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS text LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'manage stations');
    v_id text := public.leanops_plan_id('station id', p_station_id);
    v_name text := public.leanops_plan_text('name', p_name, @MAX_NAME);
    v_line text := public.leanops_plan_text('line', p_line, @MAX_NAME);
BEGIN
    IF p_is_active IS NULL THEN
        PERFORM public.leanops_plan_invalid('active', 'must be true or false, not null');
    END IF;
    INSERT INTO public.stations (id, name, line, status, is_active)
    VALUES (v_id, v_name, v_line, 'idle', p_is_active)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_exists('station', v_id);
    END IF;
    PERFORM public.leanops_plan_event('station_created', v_id, NULL, p_actor, v_role,
        jsonb_build_object('new', jsonb_build_object(
            'name', v_name, 'line', v_line, 'is_active', p_is_active)));
    RETURN v_id;
END
$fn$
"""

_FUNCTIONS["leanops_update_station(text, text, text, text, text)"] = """
CREATE FUNCTION public.leanops_update_station(
    p_station_id text, p_name text DEFAULT NULL, p_line text DEFAULT NULL,
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'manage stations');
    v_name text := CASE WHEN p_name IS NOT NULL
                        THEN public.leanops_plan_text('name', p_name, @MAX_NAME) END;
    v_line text := CASE WHEN p_line IS NOT NULL
                        THEN public.leanops_plan_text('line', p_line, @MAX_NAME) END;
    s public.stations%ROWTYPE;
    v_old jsonb := '{}';
    v_new jsonb := '{}';
BEGIN
    SELECT * INTO s FROM public.stations WHERE id = p_station_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('station', p_station_id);
    END IF;
    IF v_name IS NOT NULL AND v_name IS DISTINCT FROM s.name THEN
        v_old := v_old || jsonb_build_object('name', s.name);
        v_new := v_new || jsonb_build_object('name', v_name);
    END IF;
    IF v_line IS NOT NULL AND v_line IS DISTINCT FROM s.line THEN
        v_old := v_old || jsonb_build_object('line', s.line);
        v_new := v_new || jsonb_build_object('line', v_line);
    END IF;
    IF v_new = '{}'::jsonb THEN
        RETURN false;  -- an edit that changes nothing writes nothing
    END IF;
    UPDATE public.stations SET name = coalesce(v_name, name), line = coalesce(v_line, line)
     WHERE id = s.id;
    PERFORM public.leanops_plan_event('station_updated', s.id, NULL, p_actor, v_role,
        jsonb_build_object('old', v_old, 'new', v_new));
    RETURN true;
END
$fn$
"""

_FUNCTIONS["leanops_set_station_active(text, boolean, text, text)"] = """
CREATE FUNCTION public.leanops_set_station_active(
    p_station_id text, p_active boolean, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'manage stations');
    s public.stations%ROWTYPE;
    v_status text;
BEGIN
    IF p_active IS NULL THEN
        PERFORM public.leanops_plan_invalid('active', 'must be true or false, not null');
    END IF;
    SELECT * INTO s FROM public.stations WHERE id = p_station_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('station', p_station_id);
    END IF;
    IF s.is_active = p_active THEN
        PERFORM public.leanops_plan_rule(format('station %s is already %s', s.id,
            CASE WHEN p_active THEN 'active' ELSE 'inactive' END));
    END IF;
    IF NOT p_active THEN
        -- Not locked: see leanops_plan_start (the station's lock keeps new ones out).
        PERFORM 1 FROM public.station_assignments a WHERE a.station_id = s.id;
        IF FOUND THEN
            PERFORM public.leanops_plan_rule(format(
                'station %s is working on a job: unassign or move it first', s.id));
        END IF;
    END IF;
    v_status := CASE WHEN p_active THEN s.status ELSE 'idle' END;
    UPDATE public.stations
       SET is_active = p_active, status = v_status,
           blocked_reason = CASE WHEN p_active THEN blocked_reason END
     WHERE id = s.id;
    PERFORM public.leanops_plan_event(
        CASE WHEN p_active THEN 'station_activated' ELSE 'station_deactivated' END,
        s.id, NULL, p_actor, v_role,
        jsonb_build_object(
            'old', jsonb_build_object('is_active', s.is_active, 'status', s.status),
            'new', jsonb_build_object('is_active', p_active, 'status', v_status)));
END
$fn$
"""

_FUNCTIONS["leanops_assign_job(text, text, text, text)"] = """
CREATE FUNCTION public.leanops_assign_job(
    p_job_id text, p_station_id text, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'dispatch');
    j public.jobs%ROWTYPE;
    s public.stations%ROWTYPE;
    v_assignment uuid;
BEGIN
    SELECT * INTO j FROM public.jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', p_job_id);
    END IF;
    SELECT * INTO s FROM public.stations WHERE id = p_station_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('station', p_station_id);
    END IF;
    PERFORM public.leanops_plan_can_take(j.id, j.status, s.id, s.is_active, s.status,
                                         s.blocked_reason);
    v_assignment := public.leanops_plan_start(s.id, j.id);
    PERFORM public.leanops_plan_event('job_assigned', s.id, j.id, p_actor, v_role,
        jsonb_build_object(
            'old', jsonb_build_object('job_status', j.status, 'station_status', 'idle'),
            'new', jsonb_build_object('job_status', 'running', 'station_status', 'running'),
            'assignment_id', v_assignment::text));
    RETURN v_assignment;
END
$fn$
"""

_FUNCTIONS["leanops_unassign_job(text, text, text)"] = """
CREATE FUNCTION public.leanops_unassign_job(
    p_station_id text, p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS text LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'dispatch');
    v_pending text;
    j public.jobs%ROWTYPE;
    s public.stations%ROWTYPE;
    a public.station_assignments%ROWTYPE;
    v_station_status text;
    v_job_status text;
BEGIN
    -- A peek (no lock) to learn which job to lock first: job, then station, then assignment.
    SELECT a0.job_id INTO v_pending FROM public.station_assignments a0
     WHERE a0.station_id = p_station_id;
    IF v_pending IS NULL THEN
        PERFORM 1 FROM public.stations WHERE id = p_station_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM public.leanops_plan_not_found('station', p_station_id);
        END IF;
        PERFORM public.leanops_plan_rule(
            format('station %s has no job to unassign', p_station_id));
    END IF;
    SELECT * INTO j FROM public.jobs WHERE id = v_pending FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', v_pending);
    END IF;
    SELECT * INTO s FROM public.stations WHERE id = p_station_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('station', p_station_id);
    END IF;
    SELECT * INTO a FROM public.station_assignments a1 WHERE a1.station_id = s.id FOR UPDATE;
    IF NOT FOUND OR a.job_id IS DISTINCT FROM j.id THEN
        PERFORM public.leanops_plan_rule(
            format('the job on station %s changed just now: try again', s.id));
    END IF;
    DELETE FROM public.station_assignments WHERE id = a.id;
    v_station_status := s.status;
    IF s.status = 'running' THEN
        UPDATE public.stations SET status = 'idle' WHERE id = s.id;
        v_station_status := 'idle';
    END IF;
    v_job_status := j.status;
    IF j.status <> 'completed' THEN
        PERFORM 1 FROM public.station_assignments a2 WHERE a2.job_id = j.id FOR UPDATE;
        IF NOT FOUND THEN
            v_job_status := 'waiting';
            IF j.status <> 'waiting' THEN
                UPDATE public.jobs SET status = 'waiting' WHERE id = j.id;
            END IF;
        END IF;
    END IF;
    PERFORM public.leanops_plan_event('job_unassigned', s.id, j.id, p_actor, v_role,
        jsonb_build_object(
            'old', jsonb_build_object('job_status', j.status, 'station_status', s.status),
            'new', jsonb_build_object('job_status', v_job_status,
                                      'station_status', v_station_status),
            'qty_done', a.qty_done));
    RETURN j.id;
END
$fn$
"""

_FUNCTIONS["leanops_move_job(text, text, text, text, text)"] = """
CREATE FUNCTION public.leanops_move_job(
    p_job_id text, p_from_station_id text, p_to_station_id text,
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER @PATH AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'dispatch');
    j public.jobs%ROWTYPE;
    src public.stations%ROWTYPE;
    dst public.stations%ROWTYPE;
    a public.station_assignments%ROWTYPE;
    v_sid text;
    v_assignment uuid;
BEGIN
    IF p_from_station_id IS NOT DISTINCT FROM p_to_station_id THEN
        PERFORM public.leanops_plan_rule(
            'a job cannot be moved to the station it is already on');
    END IF;
    SELECT * INTO j FROM public.jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', p_job_id);
    END IF;
    -- Stations in id order (code points, as Python's sorted()), so seats never deadlock.
    FOR v_sid IN SELECT x FROM unnest(ARRAY[p_from_station_id, p_to_station_id]) x
                  ORDER BY x COLLATE "C" LOOP
        PERFORM 1 FROM public.stations WHERE id = v_sid FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM public.leanops_plan_not_found('station', v_sid);
        END IF;
    END LOOP;
    SELECT * INTO src FROM public.stations WHERE id = p_from_station_id;
    SELECT * INTO dst FROM public.stations WHERE id = p_to_station_id;
    SELECT * INTO a FROM public.station_assignments a1
     WHERE a1.station_id = src.id FOR UPDATE;
    IF NOT FOUND OR a.job_id IS DISTINCT FROM j.id THEN
        PERFORM public.leanops_plan_rule(
            format('job %s is not running on station %s', j.id, src.id));
    END IF;
    PERFORM public.leanops_plan_can_take(j.id, j.status, dst.id, dst.is_active, dst.status,
                                         dst.blocked_reason);
    DELETE FROM public.station_assignments WHERE id = a.id;
    UPDATE public.stations SET status = 'idle' WHERE id = src.id AND status = 'running';
    v_assignment := public.leanops_plan_start(dst.id, j.id);
    PERFORM public.leanops_plan_event('job_moved', dst.id, j.id, p_actor, v_role,
        jsonb_build_object(
            'old', jsonb_build_object('station_id', src.id),
            'new', jsonb_build_object('station_id', dst.id),
            'qty_done_at_source', a.qty_done,
            'assignment_id', v_assignment::text));
    RETURN v_assignment;
END
$fn$
"""

_META_CHECKS = {
    "ck_events_log_meta_object": "jsonb_typeof(meta) = 'object'",
    "ck_events_log_meta_size": f"octet_length(meta::text) <= {_META_MAX_BYTES}",
}


def _sql(template: str) -> str:
    return template.replace("@PATH", _SAFE_PATH).replace("@MAX_NAME", str(_MAX_NAME_LENGTH))


def _revoke_from_api_roles(signatures: list[str]) -> None:
    """Supabase's default privileges give its API roles EXECUTE on every new function."""
    functions = ", ".join(f"public.{signature}" for signature in signatures)
    op.execute(
        f"""
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON FUNCTION {functions} FROM %I', api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )


def _meta_checks() -> None:
    for name, check in _META_CHECKS.items():
        op.execute(f"ALTER TABLE public.events_log ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
        op.execute(
            f"""
            DO $$
            BEGIN
                ALTER TABLE public.events_log VALIDATE CONSTRAINT {name};
            EXCEPTION WHEN check_violation THEN
                RAISE WARNING '% events_log rows fail {name}: it holds for new rows only',
                    (SELECT count(*) FROM public.events_log WHERE NOT ({check}));
            END
            $$
            """
        )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for signature, template in (*_HELPERS.items(), *_FUNCTIONS.items()):
        op.execute(_sql(template))
        op.execute(f"ALTER FUNCTION public.{signature} OWNER TO {_OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
    for signature in _FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{signature} TO {_PLANNERS}")
    _revoke_from_api_roles([*_HELPERS, *_FUNCTIONS])
    _meta_checks()


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name in _META_CHECKS:
        op.execute(f"ALTER TABLE public.events_log DROP CONSTRAINT IF EXISTS {name}")
    for signature in (*reversed(_FUNCTIONS), *reversed(_HELPERS)):
        op.execute(f"DROP FUNCTION IF EXISTS public.{signature}")
