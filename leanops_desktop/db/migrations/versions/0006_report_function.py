"""Quantity reports in one round trip on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

``services.reporting.production.report_quantity`` took about six statements per report through the ORM.
Two PL/pgSQL functions now do the same work inside the server, in one call:

* ``leanops_report_batch(ids, stations, jobs, qtys, confirms, reported_by, actor, role)``
  judges each report of the arrays on its own, in order, and returns one row per report:
  ``item`` (1-based), ``code`` (``00000`` when the report is counted or was counted before,
  else the SQLSTATE below), ``message``, ``detail`` (jsonb with the error's fields),
  ``counted``, ``assignment_qty_done`` and ``job_qty_done``. A report is written only once
  every check has passed, so a refused one writes nothing and the others still count.
* ``leanops_report(id, station, job, qty, confirm, reported_by, actor, role)`` is the same
  for one report and RAISES the refusal instead (same SQLSTATE, message and detail).

Per report: the job row and then the assignment row are locked (the order dispatch uses),
so the assignment and over-total checks hold until commit; the log is inserted with
``ON CONFLICT (id) DO NOTHING`` (the count trigger adds it to ``qty_done`` and
``qty_reported``) with its ``qty_reported`` event, whose meta is what the Python path writes
(``log_id``, ``over_reported``, ``reported_by``, ``new``). The client-made id makes a report
idempotent: when it is not counted now (its id exists, or a check refuses it), a report
already logged under that id answers "counted before" if it is the same report (a retry
after a lost reply, even after the job moved on) and is refused if it is not; concurrent
duplicates meet at the primary key. Four statements per counted report.

Refusal codes (mapped back to the Python exceptions in ``services/reporting/report_pg.py``):

* ``LR001`` ValidationError, detail ``{"field", "reason"}`` (bad input, id reused);
* ``LR002`` NotFound, detail ``{"kind", "key"}`` (unknown station or job);
* ``LR003`` RuleViolation, detail ``{"station", "job"}`` (the job is not running on that
  station any more: moved, unassigned or completed);
* ``LR004`` OverReportNotConfirmed, detail ``{"job", "qty_total", "qty_after"}``.

``leanops_group_of(login)`` (migration 0002), which the events trigger calls for every event
to stamp the actor's role, becomes PL/pgSQL with the same query and settings: as a SQL
function with ``SECURITY DEFINER`` and ``SET search_path`` it cannot be inlined, so its
catalog join was parsed and planned on every call (measured: 0.47 ms of server CPU per event,
a third of a report's cost); PL/pgSQL keeps the plan for the session (about 0.04 ms).

Both report functions are SECURITY INVOKER: they run with the caller's grants and row-level
security, and the event actor is stamped from ``session_user`` by the events trigger as for
any insert. EXECUTE is revoked from PUBLIC (and Supabase's API roles) and granted to the
three LeanOps groups; ``search_path`` is pinned. On SQLite this migration does nothing (the
Python path stays).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_OWNER = "leanops_owner"
_GROUPS = "leanops_operator, leanops_supervisor, leanops_admin"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
#: core.validation.MAX_REPORT_QTY when this migration was written.
_MAX_REPORT_QTY = 100_000
_BATCH_SIGNATURE = (
    "leanops_report_batch(uuid[], text[], text[], integer[], boolean[], text[], text, text)"
)
_ONE_SIGNATURE = "leanops_report(uuid, text, text, integer, boolean, text, text, text)"

# The batch function: one loop turn per report, one output row per report. Input checks,
# then the locks, then the writes only if every check passed; a report that was not
# counted now is looked up by its id to tell "counted before" from a refusal.
_BATCH_BODY = f"""
DECLARE
    n integer := coalesce(array_length(p_ids, 1), 0);
    i integer;
    v_id uuid;
    v_station text;
    v_job text;
    v_qty integer;
    v_by text;
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
        -- assignment cannot move either. An operator's policies let it lock only a running
        -- job; any other is read unlocked (its report is refused below anyway).
        v_total := NULL;
        v_done := NULL;
        SELECT j.qty_total, j.qty_reported INTO v_total, v_done
          FROM public.jobs j WHERE j.id = v_job FOR UPDATE;
        IF NOT FOUND THEN
            SELECT j.qty_total, j.qty_reported INTO v_total, v_done
              FROM public.jobs j WHERE j.id = v_job;
        END IF;
        v_assignment := NULL;
        v_assignment_done := NULL;
        SELECT a.id, a.qty_done INTO v_assignment, v_assignment_done
          FROM public.station_assignments a
         WHERE a.station_id = v_station AND a.job_id = v_job FOR UPDATE;
        v_over := v_done + v_qty > v_total;
        IF v_assignment IS NOT NULL AND (NOT v_over OR coalesce(p_confirm[i], false)) THEN
            INSERT INTO public.performance_logs
                   (id, station_id, job_id, qty_completed, assignment_id)
            VALUES (v_id, v_station, v_job, v_qty, v_assignment)
            ON CONFLICT (id) DO NOTHING;
            GET DIAGNOSTICS v_inserted = ROW_COUNT;
            IF v_inserted = 1 THEN
                INSERT INTO public.events_log (id, event_type, station_id, job_id, meta, actor)
                VALUES (gen_random_uuid(), 'qty_reported', v_station, v_job,
                        jsonb_build_object(
                            'actor', coalesce(p_actor, session_user::text),
                            'role', p_role,
                            'new', jsonb_build_object('qty', v_qty, 'job_qty_done', v_done + v_qty),
                            'log_id', v_id::text,
                            'over_reported', v_over)
                        || CASE WHEN v_by IS NULL THEN '{{}}'::jsonb
                                ELSE jsonb_build_object('reported_by', v_by) END,
                        coalesce(p_actor, session_user::text));
                counted := true;
                assignment_qty_done := v_assignment_done + v_qty;  -- exact: both rows locked
                job_qty_done := v_done + v_qty;
                RETURN NEXT;
                CONTINUE;
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
            IF NOT EXISTS (SELECT 1 FROM public.stations s WHERE s.id = v_station) THEN
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


_GROUP_OF_QUERY = """
    SELECT substr(g.rolname, 9)
      FROM pg_catalog.pg_auth_members m
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
      JOIN pg_catalog.pg_roles u ON u.oid = m.member
     WHERE u.rolname = login
       AND g.rolname IN ('leanops_operator', 'leanops_supervisor', 'leanops_admin')
     ORDER BY g.rolname
     LIMIT 1
"""


def _group_of(language: str) -> str:
    """``leanops_group_of`` as 0002 made it (sql) or with its plan kept (plpgsql)."""
    body = _GROUP_OF_QUERY if language == "sql" else f"BEGIN RETURN ({_GROUP_OF_QUERY}); END"
    return (
        "CREATE OR REPLACE FUNCTION public.leanops_group_of(login name) RETURNS text"
        f" LANGUAGE {language} STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn${body}$fn$"
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(_group_of("plpgsql"))  # owner and grants stay as they are
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_report_batch(
            p_ids uuid[], p_stations text[], p_jobs text[], p_qtys integer[],
            p_confirm boolean[], p_reported_by text[],
            p_actor text DEFAULT NULL, p_role text DEFAULT NULL
        ) RETURNS TABLE (
            item integer, code text, message text, detail jsonb, counted boolean,
            assignment_qty_done integer, job_qty_done integer
        )
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER {_SAFE_PATH}
        AS $fn${_BATCH_BODY}$fn$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_report(
            p_id uuid, p_station text, p_job text, p_qty integer,
            p_confirm boolean DEFAULT false, p_reported_by text DEFAULT NULL,
            p_actor text DEFAULT NULL, p_role text DEFAULT NULL
        ) RETURNS TABLE (counted boolean, assignment_qty_done integer, job_qty_done integer)
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER {_SAFE_PATH}
        AS $fn$
        DECLARE
            r record;
        BEGIN
            SELECT * INTO r FROM public.leanops_report_batch(
                ARRAY[p_id], ARRAY[p_station], ARRAY[p_job], ARRAY[p_qty],
                ARRAY[coalesce(p_confirm, false)], ARRAY[p_reported_by], p_actor, p_role);
            IF r.code <> '00000' THEN
                RAISE EXCEPTION USING ERRCODE = r.code, MESSAGE = r.message,
                    DETAIL = r.detail::text;
            END IF;
            counted := r.counted;
            assignment_qty_done := r.assignment_qty_done;
            job_qty_done := r.job_qty_done;
            RETURN NEXT;
        END
        $fn$
        """
    )
    for signature in (_BATCH_SIGNATURE, _ONE_SIGNATURE):
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
                    EXECUTE format('REVOKE ALL ON FUNCTION public.{_BATCH_SIGNATURE},'
                                   ' public.{_ONE_SIGNATURE} FROM %I', api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS public.{_ONE_SIGNATURE}")
    op.execute(f"DROP FUNCTION IF EXISTS public.{_BATCH_SIGNATURE}")
    op.execute(_group_of("sql"))
