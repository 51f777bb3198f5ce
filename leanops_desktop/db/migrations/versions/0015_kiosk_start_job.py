"""A kiosk starts the next job on its own station, for the operator signed in at it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

Nothing changes on SQLite (the app checks the same in ``services/kiosk/kiosk_floor.py``). On
PostgreSQL a device login held no right to start a job (``leanops_assign_job`` is the
planners'), so ``[kiosk] start_next_job`` could not work there. This adds
``leanops_kiosk_start_job(job, operator)``: SECURITY DEFINER, EXECUTE for the plant's device
group only. It starts ``job`` on the calling device's own station
(``leanops_device_station()``) and nowhere else, only for an operator with a confirmed
sign-in at that device now (``leanops_device_actor``; ``LR005`` otherwise), only a job
waiting in the queue (not running elsewhere, not completed), and with the rules of a
supervisor's start (``leanops_plan_can_take``, ``leanops_plan_start``: the station in use,
not blocked, free). It writes the same ``job_assigned`` event as a supervisor's start, with
the operator as the actor; the events trigger adds the device and its station to the meta.
Refusals: ``LP002`` (no such job), ``LP004`` (a rule), ``LR005`` (another station or no
signed-in operator), ``42501`` (no enrolled device). Whether a kiosk offers the button is
the site's ``[kiosk] start_next_job``, decided by the client.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
SIGNATURE = "public.leanops_kiosk_start_job(text, text)"

# Locks as leanops_assign_job: the job, then the station.
_START_JOB = f"""
CREATE OR REPLACE FUNCTION public.leanops_kiosk_start_job(p_job text, p_operator text)
RETURNS uuid LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_station text := public.leanops_device_station();
    v_actor text;
    j public.jobs%ROWTYPE;
    s public.stations%ROWTYPE;
    v_assignment uuid;
BEGIN
    -- An enrolled device, on its own station, for an operator signed in at it now.
    v_actor := public.leanops_device_actor(v_station, p_operator, now());
    SELECT * INTO j FROM public.jobs WHERE id = p_job FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('job', left(p_job, 80));
    END IF;
    SELECT * INTO s FROM public.stations WHERE id = v_station FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('station', v_station);
    END IF;
    PERFORM public.leanops_plan_can_take(j.id, j.status, s.id, s.is_active, s.status,
                                         s.blocked_reason);
    IF j.status IS DISTINCT FROM 'waiting' THEN
        PERFORM public.leanops_plan_rule(format(
            'job %s is %s: a kiosk starts only a job waiting in the queue', j.id, j.status));
    END IF;
    v_assignment := public.leanops_plan_start(s.id, j.id);
    PERFORM public.leanops_plan_event('job_assigned', s.id, j.id, v_actor,
        (SELECT u.role FROM public.users u WHERE u.email = v_actor),
        jsonb_build_object(
            'old', jsonb_build_object('job_status', j.status, 'station_status', 'idle'),
            'new', jsonb_build_object('job_status', 'running', 'station_status', 'running'),
            'assignment_id', v_assignment::text));
    RETURN v_assignment;
END
$fn$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    op.execute(_START_JOB)
    op.execute(
        f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION {SIGNATURE} OWNER TO %I',"
        " public.leanops_plant_role('owner')); END $o$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(
        f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION {SIGNATURE} TO %I',"
        " public.leanops_plant_role('device')); END $g$"
    )
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
