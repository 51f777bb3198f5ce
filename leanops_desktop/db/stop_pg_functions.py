"""PostgreSQL functions of migration 0017: the only writers of stops and quiet limits.

SECURITY DEFINER, owned by the plant owner, EXECUTE revoked from PUBLIC and granted per
``EXECUTE`` below (tests/test_pg_attacks.py checks the grants against it). They check what
``services/downtime`` checks, with the refusals of migration 0009 (``LP001`` invalid,
``LP002`` not found, ``LP004`` rule, ``42501`` role) and 0012 (``LR005`` a kiosk off its
station or without a signed-in operator). Kept as the migration ran them.
"""

from __future__ import annotations

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
_FLOOR = ("operator", "supervisor", "admin", "device")

#: function -> the plant roles that may execute it.
EXECUTE: dict[str, tuple[str, ...]] = {
    "leanops_sweep_quiet_stations(text, text)": _FLOOR,
    "leanops_classify_stop(uuid, text, text, text, text)": _FLOOR,
    "leanops_save_stop_limit(text, text, integer, text, text)": ("admin",),
}

#: core.stops.ACTIVITY_EVENT_TYPES (a test keeps the two equal).
_ACTIVITY_EVENTS = (
    "ARRAY['station_activated', 'station_blocked', 'station_unblocked', 'job_assigned',"
    " 'job_unassigned', 'job_moved', 'job_completed']"
)

# Any seat sweeps the whole plant: it writes only what the database derives (the quiet
# stations and their last activity), once (the open-stop index).
_SWEEP = f"""
CREATE FUNCTION public.leanops_sweep_quiet_stations(
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL
) RETURNS uuid[] LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_actor text := coalesce(p_actor, session_user::text);
    r record;
    v_id uuid;
    v_opened uuid[] := ARRAY[]::uuid[];
BEGIN
    IF public.leanops_group_of(session_user) IS NOT NULL OR v_role = 'device' THEN
        v_actor := session_user::text;
    END IF;
    FOR r IN
        WITH floor AS (
            SELECT s.id, a.job_id, a.started_at,
                   coalesce(sl.quiet_minutes, ll.quiet_minutes, pl.quiet_minutes, 0) AS quiet
              FROM public.stations s
              JOIN public.station_assignments a ON a.station_id = s.id
              LEFT JOIN public.stop_limits sl ON sl.kind = 'station' AND sl.key = s.id
              LEFT JOIN public.stop_limits ll ON ll.kind = 'line' AND ll.key = s.line
              LEFT JOIN public.stop_limits pl ON pl.kind = 'plant' AND pl.key = ''
             WHERE s.is_active AND s.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM public.downtime_stops d
                                WHERE d.station_id = s.id AND d.ended_at IS NULL)
        )
        SELECT f.id, f.job_id, f.quiet, greatest(
            f.started_at,
            (SELECT max(p."timestamp") FROM public.performance_logs p WHERE p.station_id = f.id),
            (SELECT max(x."timestamp") FROM public.scrap_logs x WHERE x.station_id = f.id),
            (SELECT e."timestamp" FROM public.events_log e
              WHERE e.station_id = f.id AND e.event_type = ANY ({_ACTIVITY_EVENTS})
              ORDER BY e."timestamp" DESC LIMIT 1)) AS last_at
          FROM floor f
         WHERE f.quiet > 0
         ORDER BY f.id
    LOOP
        CONTINUE WHEN r.last_at > now() - r.quiet * interval '1 minute';
        -- A report holds its assignment (FOR UPDATE) from before its insert to its commit:
        -- wait for one in flight, then look again, so a stop is never opened behind the
        -- back of a report whose trigger could not see it.
        PERFORM 1 FROM public.station_assignments a
          WHERE a.station_id = r.id AND a.job_id = r.job_id FOR SHARE;
        CONTINUE WHEN NOT FOUND
            OR NOT EXISTS (SELECT 1 FROM public.stations s
                            WHERE s.id = r.id AND s.is_active AND s.status = 'running')
            OR EXISTS (SELECT 1 FROM public.performance_logs p
                        WHERE p.station_id = r.id AND p."timestamp" > r.last_at)
            OR EXISTS (SELECT 1 FROM public.scrap_logs x
                        WHERE x.station_id = r.id AND x."timestamp" > r.last_at);
        v_id := NULL;
        INSERT INTO public.downtime_stops (id, station_id, started_at, quiet_minutes)
        VALUES (gen_random_uuid(), r.id, r.last_at, r.quiet)
        ON CONFLICT (station_id) WHERE ended_at IS NULL DO NOTHING
        RETURNING id INTO v_id;
        CONTINUE WHEN v_id IS NULL;  -- another seat opened it a moment ago
        PERFORM public.leanops_plan_event('stop_detected', r.id, r.job_id, v_actor, v_role,
            jsonb_build_object('stop_id', v_id, 'started_at', r.last_at,
                               'quiet_minutes', r.quiet));
        v_opened := v_opened || v_id;
    END LOOP;
    RETURN v_opened;
END
$fn$
"""

# Operators classify a stop without a reason; supervisors and admins may change one. A
# device classifies only its own station's stops, for an operator signed in at it now,
# with that operator's rights.
_CLASSIFY = f"""
CREATE FUNCTION public.leanops_classify_stop(
    p_stop uuid, p_reason text, p_actor text, p_role text, p_operator text DEFAULT NULL
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_actor text := coalesce(p_actor, session_user::text);
    v_who text;
    d public.downtime_stops%ROWTYPE;
    r public.downtime_reasons%ROWTYPE;
BEGIN
    SELECT * INTO d FROM public.downtime_stops WHERE id = p_stop FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('stop', coalesce(p_stop::text, ''));
    END IF;
    IF v_role = 'device' THEN
        v_actor := public.leanops_device_actor(d.station_id, p_operator, now());
        v_who := (SELECT u.role FROM public.users u WHERE u.email = v_actor);
    ELSE
        IF public.leanops_group_of(session_user) IS NOT NULL THEN
            v_actor := session_user::text;
        END IF;
        v_who := v_role;
    END IF;
    SELECT * INTO r FROM public.downtime_reasons WHERE id = p_reason;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('reason', coalesce(p_reason, ''));
    END IF;
    IF NOT r.is_active THEN
        PERFORM public.leanops_plan_rule(
            format('reason %L is no longer in use: choose another', r.name));
    END IF;
    IF d.reason_id IS NOT DISTINCT FROM r.id THEN
        RETURN false;
    END IF;
    IF d.reason_id IS NOT NULL AND v_who IS DISTINCT FROM 'supervisor'
       AND v_who IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION 'this stop is already classified as %: only a supervisor or an admin'
            ' may change it', d.reason_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE public.downtime_stops
       SET reason_id = r.id, classified_by = v_actor, classified_at = now()
     WHERE id = d.id;
    PERFORM public.leanops_plan_event('stop_classified', d.station_id, NULL, v_actor, v_who,
        jsonb_build_object('stop_id', d.id, 'reason_id', r.id,
            'previous_reason_id', d.reason_id, 'category', r.category,
            'minutes', round((extract(epoch FROM coalesce(d.ended_at, now()) - d.started_at)
                              / 60.0)::numeric, 2)));
    RETURN true;
END
$fn$
"""

_SAVE_LIMIT = f"""
CREATE FUNCTION public.leanops_save_stop_limit(
    p_kind text, p_key text, p_minutes integer, p_actor text, p_role text
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_calendar_admin(p_role, 'change quiet limits');
    v_old integer;
BEGIN
    IF p_kind IS NULL OR p_kind NOT IN ('plant', 'line', 'station') THEN
        PERFORM public.leanops_plan_invalid('kind', 'must be plant, line or station');
    END IF;
    IF p_kind = 'plant' AND (p_key IS NULL OR p_key <> '') THEN
        PERFORM public.leanops_plan_invalid('key', 'the plant''s limit has no key');
    END IF;
    IF p_kind = 'plant' AND p_minutes IS NULL THEN
        PERFORM public.leanops_plan_invalid(
            'quiet minutes', 'the plant''s limit cannot be removed (0: off)');
    END IF;
    IF p_kind <> 'plant' AND (p_key IS NULL OR btrim(p_key) = '' OR length(p_key) > 200) THEN
        PERFORM public.leanops_plan_invalid(p_kind, 'must be 1 to 200 characters');
    END IF;
    IF p_minutes IS NOT NULL AND p_minutes NOT BETWEEN 0 AND 1440 THEN
        PERFORM public.leanops_plan_invalid(
            'quiet minutes', 'must be a whole number from 0 (off) to 1440');
    END IF;
    IF p_kind = 'station' AND NOT EXISTS (SELECT 1 FROM public.stations s WHERE s.id = p_key)
    THEN
        PERFORM public.leanops_plan_not_found('station', p_key);
    END IF;
    SELECT l.quiet_minutes INTO v_old FROM public.stop_limits l
     WHERE l.kind = p_kind AND l.key = p_key FOR UPDATE;
    IF v_old IS NOT DISTINCT FROM p_minutes THEN
        RETURN false;
    END IF;
    IF p_minutes IS NULL THEN
        DELETE FROM public.stop_limits WHERE kind = p_kind AND key = p_key;
    ELSE
        INSERT INTO public.stop_limits (kind, key, quiet_minutes) VALUES (p_kind, p_key, p_minutes)
        ON CONFLICT (kind, key) DO UPDATE SET quiet_minutes = EXCLUDED.quiet_minutes;
    END IF;
    PERFORM public.leanops_plan_event('stop_limit_changed',
        CASE WHEN p_kind = 'station' THEN p_key END, NULL, p_actor, v_role,
        jsonb_build_object('kind', p_kind, 'key', p_key,
            'old', CASE WHEN v_old IS NULL THEN NULL
                        ELSE jsonb_build_object('quiet_minutes', v_old) END,
            'new', CASE WHEN p_minutes IS NULL THEN NULL
                        ELSE jsonb_build_object('quiet_minutes', p_minutes) END));
    RETURN true;
END
$fn$
"""


def statements() -> list[str]:
    """The functions, their owner, and EXECUTE for exactly the roles in ``EXECUTE``."""
    result = [_SWEEP, _CLASSIFY, _SAVE_LIMIT]
    for signature, kinds in EXECUTE.items():
        result.append(
            f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION public.{signature} OWNER TO %I',"
            f" public.leanops_plant_role('owner')); END $o$"
        )
        result.append(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
        roles = ", ".join("%I" for _ in kinds)
        args = ", ".join(f"public.leanops_plant_role('{kind}')" for kind in kinds)
        result.append(
            f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION public.{signature}"
            f" TO {roles}', {args}); END $g$"
        )
    return result


def downgrade_statements() -> list[str]:
    return [f"DROP FUNCTION IF EXISTS public.{signature}" for signature in EXECUTE]
