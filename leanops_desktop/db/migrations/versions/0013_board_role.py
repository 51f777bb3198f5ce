"""The production board's read-only login, and acknowledging andon alerts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

Nothing changes on SQLite (one PC: the board opens the file and only reads). On PostgreSQL:

* **A board group per plant**, ``leanops_board@<database>``, NOLOGIN, made as 0012 makes the
  device group (``leanops_plant_role('board')`` names it). It holds SELECT on what the
  board shows and nothing else: stations, jobs, assignments, performance logs, the change
  feed, the schema version, and of the events only the ``station_blocked`` ones (when and
  why a station was blocked). No INSERT, UPDATE, DELETE or TRUNCATE anywhere, no EXECUTE of
  any LeanOps function, no ``users``, no kiosk tables.
* **Board logins** ``board-<10 hex>@<plant>`` are made by ``leanops_enroll_board(verifier)``
  (admins, SECURITY DEFINER as the other account functions): a LOGIN role in the board group
  with the SCRAM verifier of a random password the client made, the logins' timeouts, and
  a ``board_enrolled`` event naming it (the privilege audit knows the plant's boards by it).
* **Andon acknowledgements** ``leanops_acknowledge_andon(key, rule, station, job, alert)``
  (supervisors and admins) write one ``andon_acknowledged`` event per alert key; a second
  acknowledgement of the same key writes nothing and returns NULL.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "120s"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"

#: table -> the rows a board login reads.
BOARD_READS = {
    "stations": "true",
    "jobs": "true",
    "station_assignments": "true",
    "performance_logs": "true",
    "events_log": "event_type = 'station_blocked'",
    "change_feed": "true",
    "alembic_version": "true",
}

_BOARD_ROLE = """
DO $board$
DECLARE
    v_owner text := public.leanops_plant_role('owner');
    v_tag text := substr(public.leanops_plant_role('owner'), length('leanops_owner@') + 1);
    v_board text;
BEGIN
    v_board := 'leanops_board@' || v_tag;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = v_board) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_board);
    END IF;
    EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION', v_board, v_owner);
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION public.leanops_plant_role(kind text) RETURNS name'
        ' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT (CASE kind'
        ' WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L'
        ' WHEN %L THEN %L END)::name $fn$',
        'owner', v_owner,
        'operator', public.leanops_plant_role('operator'),
        'supervisor', public.leanops_plant_role('supervisor'),
        'admin', public.leanops_plant_role('admin'),
        'device', public.leanops_plant_role('device'),
        'board', v_board);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', v_board);
END
$board$
"""

_ENROLL_BOARD = f"""
CREATE OR REPLACE FUNCTION public.leanops_enroll_board(p_verifier text)
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_login text;
BEGIN
    IF public.leanops_group_of(session_user) IS DISTINCT FROM 'admin'
       AND NOT pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'),
                                      'MEMBER') THEN
        RAISE EXCEPTION 'only an admin may enrol a production board'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_login := format('board-%s@%s', left(replace(gen_random_uuid()::text, '-', ''), 10),
                      substr(public.leanops_plant_role('owner'), length('leanops_owner@') + 1));
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', v_login, p_verifier);
    EXECUTE format('GRANT %I TO %I', public.leanops_plant_role('board'), v_login);
    EXECUTE format('GRANT %I TO %I', v_login, public.leanops_plant_role('owner'));
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET lock_timeout = %L',
                   v_login, current_database(), '{LOCK_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L',
                   v_login, current_database(), '{STATEMENT_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   v_login, current_database(), '{IDLE_IN_TRANSACTION_TIMEOUT}');
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(), 'board_enrolled',
            jsonb_build_object('new', jsonb_build_object('board', v_login)), session_user);
    RETURN v_login;
END
$fn$
"""


_ACKNOWLEDGE_ANDON = f"""
CREATE OR REPLACE FUNCTION public.leanops_acknowledge_andon(
    p_key text, p_rule text, p_station text, p_job text, p_alert text)
RETURNS uuid LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_id uuid;
BEGIN
    IF public.leanops_group_of(session_user) IS DISTINCT FROM 'supervisor'
       AND public.leanops_group_of(session_user) IS DISTINCT FROM 'admin'
       AND NOT pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'),
                                      'MEMBER') THEN
        RAISE EXCEPTION 'only a supervisor or an admin may acknowledge an alert'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_rule IS NULL OR p_rule NOT IN ('blocked_too_long', 'job_at_risk', 'station_silent') THEN
        RAISE EXCEPTION 'rule: not an andon rule' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_key IS NULL OR length(p_key) > 300 OR split_part(p_key, '|', 1) <> p_rule THEN
        RAISE EXCEPTION 'key: not the key of a % alert', p_rule
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length(p_station) > 64 OR length(p_job) > 64 OR length(p_alert) > 300 THEN
        RAISE EXCEPTION 'alert: too long' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('andon:' || p_key));
    IF EXISTS (SELECT 1 FROM public.events_log e
                WHERE e.event_type = 'andon_acknowledged' AND e.meta ->> 'key' = p_key) THEN
        RETURN NULL;
    END IF;
    v_id := gen_random_uuid();
    INSERT INTO public.events_log (id, event_type, station_id, job_id, meta, actor)
    VALUES (v_id, 'andon_acknowledged', p_station, p_job,
            jsonb_build_object('key', p_key, 'rule', p_rule, 'alert', coalesce(p_alert, '')),
            session_user);
    RETURN v_id;
END
$fn$
"""


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def _reads() -> list[str]:
    return [
        f"""
DO $t$
BEGIN
    EXECUTE format('GRANT SELECT ON public.{table} TO %I', public.leanops_plant_role('board'));
    EXECUTE format('CREATE POLICY {table}_board ON public.{table} FOR SELECT TO %I USING (%s)',
                   public.leanops_plant_role('board'), {_quote(condition)});
END
$t$
"""
        for table, condition in BOARD_READS.items()
    ]


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    op.execute(_BOARD_ROLE)
    op.execute(_ENROLL_BOARD)
    op.execute(
        "DO $o$ BEGIN EXECUTE format('ALTER FUNCTION public.leanops_enroll_board(text)"
        " OWNER TO %I', public.leanops_plant_role('owner')); END $o$"
    )
    op.execute("REVOKE ALL ON FUNCTION public.leanops_enroll_board(text) FROM PUBLIC")
    op.execute(
        "DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION"
        " public.leanops_enroll_board(text) TO %I', public.leanops_plant_role('admin')); END $g$"
    )
    op.execute(_ACKNOWLEDGE_ANDON)
    signature = "public.leanops_acknowledge_andon(text, text, text, text, text)"
    op.execute(
        f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION {signature} OWNER TO %I',"
        " public.leanops_plant_role('owner')); END $o$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    op.execute(
        f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION {signature} TO %I, %I',"
        " public.leanops_plant_role('supervisor'), public.leanops_plant_role('admin')); END $g$"
    )
    for statement in _reads():
        op.execute(statement)
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        raise NotImplementedError(
            "migration 0013 (board logins) cannot be undone in place: restore a backup taken"
            " before the upgrade"
        )
