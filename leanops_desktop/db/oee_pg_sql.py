"""PostgreSQL SQL of migration 0014 (scrap, reasons, calendar, ideal cycle time).

Kept as the migration ran it: a later change goes in a new migration, not here. The bodies
name no group or owner role (``leanops_plant_role`` names them per database, migration
0010); refusals use the helpers of migration 0009 (``LP001`` invalid, ``LP002`` not found,
``LP004`` rule, ``42501`` role), so ``services.floor.planning_pg.refusal`` maps them.
"""

from __future__ import annotations

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
_SLOT = "date_bin('15 minutes', NEW.\"timestamp\", TIMESTAMPTZ '2000-01-01 00:00:00+00')"
_CATEGORIES = "ARRAY['planned_stop', 'unplanned_stop', 'changeover', 'quality', 'no_work']"

TABLES = ("downtime_reasons", "scrap_logs", "shifts", "shift_breaks", "non_working_days")
_FLOOR = ("operator", "supervisor", "admin", "device")
_PLANNERS = ("supervisor", "admin")

#: function -> the plant roles that may execute it (tests/test_pg_attacks.py EXECUTE).
EXECUTE: dict[str, tuple[str, ...]] = {
    "leanops_report_scrap(uuid, text, text, integer, text, text, text, text,"
    " timestamp with time zone)": _FLOOR,
    "leanops_save_reason(text, text, text, text, boolean, text, text)": ("admin",),
    "leanops_save_shift(text, text, integer, integer, text, jsonb, text, text)": ("admin",),
    "leanops_set_non_working_day(date, text, boolean, text, text)": ("admin",),
    "leanops_set_ideal_cycle(text, double precision, text, text)": _PLANNERS,
}
OWNER_ONLY = ("leanops_calendar_admin(text, text)",)
TRIGGER_FUNCTIONS = ("leanops_scrap_written()", "leanops_job_ideal_cycle()")

_FUNCTIONS: list[str] = []

_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_scrap_written() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    UPDATE public.station_assignments SET qty_scrap = qty_scrap + NEW.qty_scrapped
     WHERE id = NEW.assignment_id;
    UPDATE public.jobs SET qty_scrapped = qty_scrapped + NEW.qty_scrapped WHERE id = NEW.job_id;
    INSERT INTO public.throughput_rollup AS r (slot_start, station_id, job_id, units, scrap_units)
    VALUES ({_SLOT}, NEW.station_id, NEW.job_id, 0, NEW.qty_scrapped)
    ON CONFLICT (slot_start, station_id, job_id)
    DO UPDATE SET scrap_units = r.scrap_units + EXCLUDED.scrap_units;
    RETURN NULL;
END
$fn$
""")

# A job created without an ideal cycle time takes the newest one of the same part.
_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_job_ideal_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    IF NEW.ideal_cycle_s IS NULL THEN
        NEW.ideal_cycle_s := (SELECT j.ideal_cycle_s FROM public.jobs j
                               WHERE j.part_name = NEW.part_name AND j.id <> NEW.id
                                 AND j.ideal_cycle_s IS NOT NULL
                               ORDER BY j.created_at DESC, j.id DESC LIMIT 1);
    END IF;
    RETURN NEW;
END
$fn$
""")

_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_calendar_admin(p_claimed text, p_action text) RETURNS text
LANGUAGE plpgsql STABLE {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_claimed);
BEGIN
    IF v_role IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION '% (%) may not %: this needs the admin role',
            session_user, v_role, p_action USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_role;
END
$fn$
""")


def _report_scrap(max_qty: int) -> str:
    return f"""
CREATE FUNCTION public.leanops_report_scrap(
    p_id uuid, p_station text, p_job text, p_qty integer, p_reason text,
    p_actor text, p_role text, p_operator text DEFAULT NULL, p_tapped_at timestamptz DEFAULT NULL
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_actor text := coalesce(p_actor, session_user::text);
    v_reason public.downtime_reasons%ROWTYPE;
    v_assignment uuid;
    v_at timestamptz := now();
BEGIN
    IF v_role = 'device' THEN
        v_actor := public.leanops_device_actor(p_station, p_operator, coalesce(p_tapped_at, now()));
    ELSIF public.leanops_group_of(session_user) IS NOT NULL THEN
        v_actor := session_user::text;
    END IF;
    IF p_tapped_at IS NOT NULL AND p_tapped_at <= now() + interval '2 minutes'
       AND p_tapped_at >= now() - interval '7 days' THEN
        v_at := p_tapped_at;
    END IF;
    IF p_qty IS NULL OR p_qty < 1 OR p_qty > {max_qty} THEN
        PERFORM public.leanops_plan_invalid('qty', 'must be a whole number from 1 to {max_qty}');
    END IF;
    SELECT * INTO v_reason FROM public.downtime_reasons WHERE id = p_reason;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('reason', coalesce(p_reason, ''));
    END IF;
    IF v_reason.category <> 'quality' OR NOT v_reason.is_active
       OR EXISTS (SELECT 1 FROM public.downtime_reasons c WHERE c.parent_id = p_reason) THEN
        PERFORM public.leanops_plan_invalid(
            'reason', 'must be an active quality reason without sub-reasons');
    END IF;
    IF EXISTS (SELECT 1 FROM public.scrap_logs s WHERE s.id = p_id) THEN
        RETURN false;  -- a retry of a report already counted
    END IF;
    SELECT a.id INTO v_assignment FROM public.station_assignments a
     WHERE a.station_id = p_station AND a.job_id = p_job FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_rule(
            format('station %s is not working on job %s', p_station, p_job));
    END IF;
    INSERT INTO public.scrap_logs
        (id, station_id, job_id, assignment_id, qty_scrapped, reason_id, "timestamp", actor)
    VALUES (p_id, p_station, p_job, v_assignment, p_qty, p_reason, v_at, v_actor)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM public.leanops_plan_event('scrap_reported', p_station, p_job, v_actor, v_role,
        jsonb_build_object('log_id', p_id, 'qty', p_qty, 'reason', p_reason,
                           'category', v_reason.category, 'tapped_at', p_tapped_at));
    RETURN true;
END
$fn$
"""


_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_save_reason(
    p_id text, p_parent text, p_name text, p_category text, p_active boolean,
    p_actor text, p_role text
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_calendar_admin(p_role, 'edit downtime reasons');
    v_old public.downtime_reasons%ROWTYPE;
    v_parent public.downtime_reasons%ROWTYPE;
BEGIN
    IF p_id IS NULL OR btrim(p_id) = '' OR length(p_id) > 200 THEN
        PERFORM public.leanops_plan_invalid('id', 'must be 1 to 200 characters');
    END IF;
    IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 200 THEN
        PERFORM public.leanops_plan_invalid('name', 'must be 1 to 200 characters');
    END IF;
    IF p_category IS NULL OR NOT (p_category = ANY ({_CATEGORIES})) THEN
        PERFORM public.leanops_plan_invalid('category', 'is not a downtime category');
    END IF;
    IF p_parent IS NOT NULL THEN
        SELECT * INTO v_parent FROM public.downtime_reasons WHERE id = p_parent FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM public.leanops_plan_not_found('reason', p_parent);
        END IF;
        IF v_parent.parent_id IS NOT NULL OR p_parent = p_id THEN
            PERFORM public.leanops_plan_rule('reasons have two levels: a parent must be top-level');
        END IF;
        IF EXISTS (SELECT 1 FROM public.downtime_reasons c WHERE c.parent_id = p_id) THEN
            PERFORM public.leanops_plan_rule('a reason with sub-reasons cannot move under another');
        END IF;
    END IF;
    SELECT * INTO v_old FROM public.downtime_reasons WHERE id = p_id FOR UPDATE;
    IF FOUND AND v_old.parent_id IS NOT DISTINCT FROM p_parent AND v_old.name = p_name
       AND v_old.category = p_category AND v_old.is_active = coalesce(p_active, true) THEN
        RETURN false;
    END IF;
    INSERT INTO public.downtime_reasons (id, parent_id, name, category, is_active)
    VALUES (p_id, p_parent, p_name, p_category, coalesce(p_active, true))
    ON CONFLICT (id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
        category = EXCLUDED.category, is_active = EXCLUDED.is_active;
    PERFORM public.leanops_plan_event('downtime_reason_saved', NULL, NULL, p_actor, v_role,
        jsonb_build_object(
            'reason', p_id,
            'old', CASE WHEN v_old.id IS NULL THEN NULL ELSE jsonb_build_object(
                'parent_id', v_old.parent_id, 'name', v_old.name,
                'category', v_old.category, 'is_active', v_old.is_active) END,
            'new', jsonb_build_object('parent_id', p_parent, 'name', p_name,
                'category', p_category, 'is_active', coalesce(p_active, true))));
    RETURN true;
END
$fn$
""")

_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_save_shift(
    p_id text, p_name text, p_start integer, p_end integer, p_days text, p_breaks jsonb,
    p_actor text, p_role text
) RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_calendar_admin(p_role, 'edit the shift calendar');
    v_length integer;
    v_break jsonb;
BEGIN
    IF p_id IS NULL OR btrim(p_id) = '' OR length(p_id) > 64 THEN
        PERFORM public.leanops_plan_invalid('id', 'must be 1 to 64 characters');
    END IF;
    IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 200 THEN
        PERFORM public.leanops_plan_invalid('name', 'must be 1 to 200 characters');
    END IF;
    IF p_start IS NULL OR p_start NOT BETWEEN 0 AND 1439
       OR p_end IS NULL OR p_end NOT BETWEEN 0 AND 1439 THEN
        PERFORM public.leanops_plan_invalid('start', 'times must be between 00:00 and 23:59');
    END IF;
    IF p_days IS NULL OR p_days !~ '^[1-7]{{1,7}}$' THEN
        PERFORM public.leanops_plan_invalid('days', 'must be weekday digits 1 (Monday) to 7');
    END IF;
    v_length := CASE WHEN p_end > p_start THEN p_end - p_start ELSE p_end + 1440 - p_start END;
    FOR v_break IN SELECT * FROM jsonb_array_elements(coalesce(p_breaks, '[]'::jsonb)) LOOP
        IF jsonb_typeof(v_break -> 'offset_minutes') <> 'number'
           OR jsonb_typeof(v_break -> 'duration_minutes') <> 'number'
           OR (v_break ->> 'offset_minutes')::numeric < 0
           OR (v_break ->> 'duration_minutes')::numeric <= 0
           OR (v_break ->> 'offset_minutes')::numeric
              + (v_break ->> 'duration_minutes')::numeric > v_length THEN
            PERFORM public.leanops_plan_invalid('breaks', 'a break must lie within its shift');
        END IF;
    END LOOP;
    INSERT INTO public.shifts (id, name, start_minute, end_minute, days)
    VALUES (p_id, p_name, p_start, p_end, p_days)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, start_minute = EXCLUDED.start_minute,
        end_minute = EXCLUDED.end_minute, days = EXCLUDED.days;
    DELETE FROM public.shift_breaks WHERE shift_id = p_id;
    INSERT INTO public.shift_breaks (id, shift_id, name, offset_minutes, duration_minutes)
    SELECT gen_random_uuid(), p_id, coalesce(b ->> 'name', 'break'),
           (b ->> 'offset_minutes')::integer, (b ->> 'duration_minutes')::integer
      FROM jsonb_array_elements(coalesce(p_breaks, '[]'::jsonb)) b;
    PERFORM public.leanops_plan_event('shift_saved', NULL, NULL, p_actor, v_role,
        jsonb_build_object('shift', p_id, 'new', jsonb_build_object(
            'name', p_name, 'start_minute', p_start, 'end_minute', p_end, 'days', p_days,
            'breaks', coalesce(p_breaks, '[]'::jsonb))));
END
$fn$
""")

_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_set_non_working_day(
    p_day date, p_note text, p_off boolean, p_actor text, p_role text
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_calendar_admin(p_role, 'edit the shift calendar');
BEGIN
    IF p_day IS NULL THEN
        PERFORM public.leanops_plan_invalid('day', 'is required');
    END IF;
    IF length(coalesce(p_note, '')) > 200 THEN
        PERFORM public.leanops_plan_invalid('note', 'must be at most 200 characters');
    END IF;
    IF p_off THEN
        INSERT INTO public.non_working_days (day, note) VALUES (p_day, coalesce(p_note, ''))
        ON CONFLICT (day) DO NOTHING;
    ELSE
        DELETE FROM public.non_working_days WHERE day = p_day;
    END IF;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM public.leanops_plan_event('non_working_day_set', NULL, NULL, p_actor, v_role,
        jsonb_build_object('day', p_day, 'off', p_off, 'note', coalesce(p_note, '')));
    RETURN true;
END
$fn$
""")

_FUNCTIONS.append(f"""
CREATE FUNCTION public.leanops_set_ideal_cycle(
    p_job text, p_seconds double precision, p_actor text, p_role text
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_plan_role(p_role, 'set ideal cycle times');
    v_old double precision;
BEGIN
    IF p_seconds IS NOT NULL AND (p_seconds <= 0 OR p_seconds > 86400 OR p_seconds = 'NaN') THEN
        PERFORM public.leanops_plan_invalid(
            'ideal_cycle_s', 'must be more than 0 and at most 86400 seconds');
    END IF;
    SELECT j.ideal_cycle_s INTO v_old FROM public.jobs j WHERE j.id = p_job FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', coalesce(p_job, ''));
    END IF;
    IF v_old IS NOT DISTINCT FROM p_seconds THEN
        RETURN false;
    END IF;
    UPDATE public.jobs SET ideal_cycle_s = p_seconds WHERE id = p_job;
    PERFORM public.leanops_plan_event('job_updated', NULL, p_job, p_actor, v_role,
        jsonb_build_object('old', jsonb_build_object('ideal_cycle_s', v_old),
                           'new', jsonb_build_object('ideal_cycle_s', p_seconds)));
    RETURN true;
END
$fn$
""")

_TRIGGERS = (
    "CREATE TRIGGER trg_scrap_logs_written AFTER INSERT ON public.scrap_logs"
    " FOR EACH ROW EXECUTE FUNCTION public.leanops_scrap_written()",
    "CREATE TRIGGER trg_jobs_ideal_cycle BEFORE INSERT ON public.jobs"
    " FOR EACH ROW EXECUTE FUNCTION public.leanops_job_ideal_cycle()",
)
#: table -> the device's read condition (the groups read every row).
_DEVICE_READS = {
    "downtime_reasons": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "shifts": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "shift_breaks": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "non_working_days": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "scrap_logs": "station_id = (SELECT public.leanops_device_station())",
}


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def _table_security(table: str) -> str:
    groups = "(SELECT public.leanops_group_of(session_user)) IS NOT NULL"
    return f"""
DO $t$
BEGIN
    EXECUTE format('ALTER TABLE public.{table} OWNER TO %I', public.leanops_plant_role('owner'));
    EXECUTE 'REVOKE ALL ON public.{table} FROM PUBLIC';
    EXECUTE 'ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY';
    EXECUTE 'ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY';
    EXECUTE format('CREATE POLICY {table}_owner ON public.{table} TO %I'
                   ' USING (true) WITH CHECK (true)', public.leanops_plant_role('owner'));
    EXECUTE format('GRANT SELECT ON public.{table} TO %I, %I, %I, %I',
                   public.leanops_plant_role('operator'), public.leanops_plant_role('supervisor'),
                   public.leanops_plant_role('admin'), public.leanops_plant_role('device'));
    EXECUTE format('CREATE POLICY {table}_read ON public.{table} FOR SELECT TO %I, %I, %I'
                   ' USING (%s)', public.leanops_plant_role('operator'),
                   public.leanops_plant_role('supervisor'), public.leanops_plant_role('admin'),
                   {_quote(groups)});
    EXECUTE format('CREATE POLICY {table}_device ON public.{table} FOR SELECT TO %I'
                   ' USING (%s)', public.leanops_plant_role('device'),
                   {_quote(_DEVICE_READS[table])});
END
$t$
"""


def statements(max_qty: int) -> list[str]:
    """Every statement of migration 0014 on PostgreSQL, in order (before the lockdown)."""
    result = [*_FUNCTIONS, _report_scrap(max_qty), *_TRIGGERS]
    result += [_table_security(table) for table in TABLES]
    for signature in (*EXECUTE, *OWNER_ONLY, *TRIGGER_FUNCTIONS):
        result.append(
            f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION public.{signature} OWNER TO %I',"
            f" public.leanops_plant_role('owner')); END $o$"
        )
        result.append(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
    for signature, kinds in EXECUTE.items():
        roles = ", ".join("%I" for _ in kinds)
        args = ", ".join(f"public.leanops_plant_role('{kind}')" for kind in kinds)
        result.append(
            f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION public.{signature}"
            f" TO {roles}', {args}); END $g$"
        )
    return result
