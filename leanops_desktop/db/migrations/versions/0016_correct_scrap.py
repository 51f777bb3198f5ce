"""A scrap report is taken back by its correction: the kiosk's 10 s undo of scrap.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

Nothing changes on SQLite (``services/quality/scrap_correction.py`` checks the same rules).
``scrap_logs`` already allows a correction (a negative delta whose ``corrects_id`` points at
its report, one per report); on PostgreSQL nobody writes the table directly, so this adds
``leanops_correct_scrap(id, corrects_id, actor, role, operator, tapped_at)``: SECURITY
DEFINER, EXECUTE for the floor groups (operators, supervisors, admins, devices) as
``leanops_report_scrap``, with the same binding: a device takes back scrap only on its own
station, for an operator signed in at it (``leanops_device_actor``, ``LR005``); the actor
is the caller's login (or the device's operator), never the one claimed. The correction is
the exact negation of its report (station, job, assignment, reason); a report is taken back
once (``LP004``), never a correction; the same correction id sent again counts once
(returns false). An operator takes back only their own scrap, within 15 minutes of it;
supervisors and admins any. It writes a ``scrap_corrected`` event.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
SIGNATURE = "public.leanops_correct_scrap(uuid, uuid, text, text, text, timestamp with time zone)"
_GROUPS = ("operator", "supervisor", "admin", "device")

_CORRECT_SCRAP = f"""
CREATE OR REPLACE FUNCTION public.leanops_correct_scrap(
    p_id uuid, p_corrects uuid, p_actor text, p_role text,
    p_operator text DEFAULT NULL, p_tapped_at timestamptz DEFAULT NULL
) RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_role text := public.leanops_caller_role(p_role);
    v_actor text := coalesce(p_actor, session_user::text);
    v_who text;
    o public.scrap_logs%ROWTYPE;
    v_done public.scrap_logs%ROWTYPE;
BEGIN
    IF p_id IS NULL OR p_corrects IS NULL THEN
        PERFORM public.leanops_plan_invalid('scrap report', 'is missing');
    END IF;
    SELECT * INTO o FROM public.scrap_logs WHERE id = p_corrects FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM public.leanops_plan_not_found('scrap report', p_corrects::text);
    END IF;
    IF v_role = 'device' THEN
        v_actor := public.leanops_device_actor(o.station_id, p_operator,
                                               coalesce(p_tapped_at, now()));
        v_who := (SELECT u.role FROM public.users u WHERE u.email = v_actor);
    ELSE
        IF public.leanops_group_of(session_user) IS NOT NULL THEN
            v_actor := session_user::text;
        END IF;
        v_who := v_role;
    END IF;
    SELECT * INTO v_done FROM public.scrap_logs WHERE id = p_id;
    IF FOUND THEN
        IF v_done.corrects_id IS DISTINCT FROM p_corrects THEN
            PERFORM public.leanops_plan_invalid('correction id', 'is already used by another report');
        END IF;
        RETURN false;  -- a retry of a correction already counted
    END IF;
    IF o.corrects_id IS NOT NULL THEN
        PERFORM public.leanops_plan_rule('a correction cannot itself be corrected');
    END IF;
    IF EXISTS (SELECT 1 FROM public.scrap_logs s WHERE s.corrects_id = p_corrects) THEN
        PERFORM public.leanops_plan_rule(
            format('scrap report %s has already been taken back', p_corrects));
    END IF;
    IF v_who IS DISTINCT FROM 'supervisor' AND v_who IS DISTINCT FROM 'admin' THEN
        IF o.actor IS DISTINCT FROM v_actor THEN
            PERFORM public.leanops_plan_rule(
                'an operator takes back only their own scrap: ask a supervisor');
        END IF;
        IF o."timestamp" < now() - interval '15 minutes' THEN
            PERFORM public.leanops_plan_rule(format(
                'scrap report %s was made more than 15 minutes ago: only a supervisor or an'
                ' admin may take it back now', p_corrects));
        END IF;
    END IF;
    INSERT INTO public.scrap_logs (id, station_id, job_id, assignment_id, qty_scrapped,
                                   reason_id, "timestamp", actor, corrects_id)
    VALUES (p_id, o.station_id, o.job_id, o.assignment_id, -o.qty_scrapped, o.reason_id,
            now(), v_actor, p_corrects);
    PERFORM public.leanops_plan_event('scrap_corrected', o.station_id, o.job_id, v_actor,
        v_role, jsonb_build_object('log_id', p_id, 'corrects_id', p_corrects,
                                   'qty', -o.qty_scrapped, 'reason', o.reason_id));
    RETURN true;
END
$fn$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    op.execute(_CORRECT_SCRAP)
    op.execute(
        f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION {SIGNATURE} OWNER TO %I',"
        " public.leanops_plant_role('owner')); END $o$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    grants = ", ".join(f"public.leanops_plant_role('{group}')" for group in _GROUPS)
    op.execute(
        f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION {SIGNATURE}"
        f" TO %I, %I, %I, %I', {grants}); END $g$"
    )
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
