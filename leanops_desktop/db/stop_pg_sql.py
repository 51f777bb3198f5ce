"""PostgreSQL SQL of migration 0017 (automatic stops): triggers and table security.

Kept as the migration ran it: a later change goes in a new migration, not here. Trigger
functions run as the plant owner (SECURITY DEFINER); the lockdown (``db/pg_lockdown.py``)
guards each for the tables it is attached to.
"""

from __future__ import annotations

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"

TABLES = ("downtime_stops", "stop_limits")
TRIGGER_FUNCTIONS = (
    "leanops_stop_on_report()",
    "leanops_stop_on_station()",
    "leanops_stop_on_assignment()",
)

# A report (good or scrap) at a station with an open stop: one probe of the open-stop
# index. A report made before the stop began says nothing of it; one made before the stop's
# quiet limit had passed (a kiosk's late offline report) shows the station was not quiet:
# the stop is withdrawn, or, once classified, ended there. Else the report ends the stop.
_ON_REPORT = f"""
CREATE FUNCTION public.leanops_stop_on_report() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    d public.downtime_stops%ROWTYPE;
BEGIN
    SELECT * INTO d FROM public.downtime_stops
     WHERE station_id = NEW.station_id AND ended_at IS NULL FOR UPDATE;
    IF NOT FOUND OR NEW."timestamp" < d.started_at THEN
        RETURN NULL;
    END IF;
    IF d.reason_id IS NULL
       AND NEW."timestamp" < d.started_at + d.quiet_minutes * interval '1 minute' THEN
        DELETE FROM public.downtime_stops WHERE id = d.id;
        PERFORM public.leanops_plan_event('stop_withdrawn', d.station_id, NEW.job_id, NULL,
            NULL, jsonb_build_object('stop_id', d.id, 'started_at', d.started_at,
                                     'report_at', NEW."timestamp",
                                     'quiet_minutes', d.quiet_minutes));
    ELSE
        UPDATE public.downtime_stops SET ended_at = NEW."timestamp" WHERE id = d.id;
    END IF;
    RETURN NULL;
END
$fn$
"""

# The station left running (blocked, idle) or was taken out of use: its stop ends now.
_ON_STATION = f"""
CREATE FUNCTION public.leanops_stop_on_station() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    UPDATE public.downtime_stops SET ended_at = greatest(now(), started_at)
     WHERE station_id = NEW.id AND ended_at IS NULL;
    RETURN NULL;
END
$fn$
"""

# A new (or ended, or changed) assignment of the station: its stop ends now.
_ON_ASSIGNMENT = f"""
CREATE FUNCTION public.leanops_stop_on_assignment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_station text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_station := OLD.station_id;
    ELSE
        v_station := NEW.station_id;
    END IF;
    UPDATE public.downtime_stops SET ended_at = greatest(now(), started_at)
     WHERE station_id = v_station AND ended_at IS NULL;
    RETURN NULL;
END
$fn$
"""

_TRIGGERS = (
    "CREATE TRIGGER trg_performance_logs_stop AFTER INSERT ON public.performance_logs"
    " FOR EACH ROW EXECUTE FUNCTION public.leanops_stop_on_report()",
    "CREATE TRIGGER trg_scrap_logs_stop AFTER INSERT ON public.scrap_logs"
    " FOR EACH ROW EXECUTE FUNCTION public.leanops_stop_on_report()",
    "CREATE TRIGGER trg_stations_stop AFTER UPDATE OF status, is_active ON public.stations"
    " FOR EACH ROW WHEN (NEW.status <> 'running' OR NOT NEW.is_active)"
    " EXECUTE FUNCTION public.leanops_stop_on_station()",
    "CREATE TRIGGER trg_station_assignments_stop"
    " AFTER INSERT OR DELETE OR UPDATE OF station_id, job_id ON public.station_assignments"
    " FOR EACH ROW EXECUTE FUNCTION public.leanops_stop_on_assignment()",
    "CREATE TRIGGER trg_downtime_stops_feed AFTER INSERT OR UPDATE OR DELETE"
    " ON public.downtime_stops FOR EACH ROW EXECUTE FUNCTION public.leanops_feed()",
)

#: table -> the device's read condition (the groups read every row).
_DEVICE_READS = {
    "downtime_stops": "station_id = (SELECT public.leanops_device_station())",
    "stop_limits": "(SELECT public.leanops_device_station()) IS NOT NULL",
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


def _owned(signature: str) -> list[str]:
    return [
        f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION public.{signature} OWNER TO %I',"
        f" public.leanops_plant_role('owner')); END $o$",
        f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC",
    ]


def statements() -> list[str]:
    """Every statement of migration 0017 on PostgreSQL, in order (before the lockdown)."""
    result = [_ON_REPORT, _ON_STATION, _ON_ASSIGNMENT, *_TRIGGERS]
    result += [_table_security(table) for table in TABLES]
    for signature in TRIGGER_FUNCTIONS:
        result += _owned(signature)
    return result


def downgrade_statements() -> list[str]:
    """Undo migration 0017 on PostgreSQL: its triggers, functions and tables (the stops
    and limits go with them)."""
    result = [
        "DROP TRIGGER IF EXISTS trg_performance_logs_stop ON public.performance_logs",
        "DROP TRIGGER IF EXISTS trg_scrap_logs_stop ON public.scrap_logs",
        "DROP TRIGGER IF EXISTS trg_stations_stop ON public.stations",
        "DROP TRIGGER IF EXISTS trg_station_assignments_stop ON public.station_assignments",
    ]
    result += [f"DROP FUNCTION IF EXISTS public.{signature}" for signature in TRIGGER_FUNCTIONS]
    result += [f"DROP TABLE IF EXISTS public.{table}" for table in reversed(TABLES)]
    return result
