"""PostgreSQL security: owner and group roles, grants, forced row-level security, admin functions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Every LeanOps user is a LOGIN role (SCRAM-SHA-256) in exactly one NOLOGIN group role:
``leanops_operator``, ``leanops_supervisor`` or ``leanops_admin``. Tables belong to the
NOLOGIN ``leanops_owner``. Grants (column-level where only some columns may change) and
policies (RLS enabled and forced on every table) enforce the permission matrix of
``core/permissions.py``; triggers stamp the event actor from ``session_user``; user
administration goes through SECURITY DEFINER functions only admins may call.
See docs/security.md. On SQLite this migration does nothing (the app checks permissions).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OWNER = "leanops_owner"
GROUPS = ("leanops_operator", "leanops_supervisor", "leanops_admin")
TABLES = (
    "stations",
    "jobs",
    "station_assignments",
    "performance_logs",
    "events_log",
    "users",
    "change_feed",
    "alembic_version",
)
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _roles()
    _ownership()
    _helper_functions()
    _triggers()
    _grants()
    _policies()
    _admin_functions()


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE public.{table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE public.{table} DISABLE ROW LEVEL SECURITY")
    op.execute(
        "DROP FUNCTION IF EXISTS leanops_create_user, leanops_set_user_role,"
        " leanops_set_user_active, leanops_set_user_password, leanops_init_admin,"
        " leanops_create_user_internal, leanops_prune_change_feed, leanops_group_of,"
        " leanops_stamp_event_actor, leanops_guard_assignment CASCADE"
    )


def _roles() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN
                CREATE ROLE {OWNER} NOLOGIN CREATEROLE;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leanops_operator') THEN
                CREATE ROLE leanops_operator NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leanops_supervisor') THEN
                CREATE ROLE leanops_supervisor NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leanops_admin') THEN
                CREATE ROLE leanops_admin NOLOGIN;
            END IF;
            -- The role running the migration must be able to hand objects to the owner.
            IF NOT pg_has_role(current_user, '{OWNER}', 'MEMBER') THEN
                EXECUTE format('GRANT {OWNER} TO %I', current_user);
            END IF;
        END
        $$
        """
    )


def _ownership() -> None:
    op.execute(f"GRANT USAGE ON SCHEMA public TO {OWNER}, {', '.join(GROUPS)}")
    op.execute(f"GRANT CREATE ON SCHEMA public TO {OWNER}")
    for table in TABLES:
        op.execute(f"ALTER TABLE public.{table} OWNER TO {OWNER}")
    for function in (
        "leanops_stamp_updated_at()",
        "leanops_count_log()",
        "leanops_append_only()",
        "leanops_feed()",
    ):
        op.execute(f"ALTER FUNCTION public.{function} OWNER TO {OWNER}")
    # Triggers that write rows the invoking user may not write run as the owner.
    for function in ("leanops_count_log()", "leanops_feed()"):
        op.execute(f"ALTER FUNCTION public.{function} SECURITY DEFINER {_SAFE_PATH}")
    for function in ("leanops_stamp_updated_at()", "leanops_append_only()"):
        op.execute(f"ALTER FUNCTION public.{function} {_SAFE_PATH}")


def _helper_functions() -> None:
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_group_of(login name) RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER {_SAFE_PATH} AS $$
            SELECT substr(g.rolname, 9)
              FROM pg_catalog.pg_auth_members m
              JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
              JOIN pg_catalog.pg_roles u ON u.oid = m.member
             WHERE u.rolname = login
               AND g.rolname IN ('leanops_operator', 'leanops_supervisor', 'leanops_admin')
             ORDER BY g.rolname
             LIMIT 1
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_group_of(name) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION public.leanops_group_of(name) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.leanops_group_of(name) TO {', '.join(GROUPS)}")


def _triggers() -> None:
    # The actor of an event is who is signed in, whatever the client sent.
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_stamp_event_actor() RETURNS trigger
        LANGUAGE plpgsql {_SAFE_PATH} AS $$
        DECLARE
            grp text := public.leanops_group_of(session_user);
        BEGIN
            IF grp IS NOT NULL THEN  -- a signed-in LeanOps user (not IT's owner account)
                NEW.actor := session_user;
                NEW.meta := coalesce(NEW.meta, '{{}}'::jsonb)
                    || jsonb_build_object('actor', session_user::text, 'role', grp);
                NEW.timestamp := now();
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_stamp_event_actor() OWNER TO {OWNER}")
    op.execute(
        "CREATE TRIGGER trg_events_log_actor BEFORE INSERT ON public.events_log"
        " FOR EACH ROW EXECUTE FUNCTION public.leanops_stamp_event_actor()"
    )
    # qty_done is only ever the sum of the logs: it starts at 0 and only the count trigger
    # (running as the owner) changes it.
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_guard_assignment() RETURNS trigger
        LANGUAGE plpgsql {_SAFE_PATH} AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.qty_done := 0;
                NEW.started_at := coalesce(NEW.started_at, now());
            ELSIF NEW.qty_done IS DISTINCT FROM OLD.qty_done
                  AND current_user <> '{OWNER}'
                  AND public.leanops_group_of(current_user) IS NOT NULL THEN
                RAISE EXCEPTION 'qty_done is the sum of the performance logs: report quantities'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_guard_assignment() OWNER TO {OWNER}")
    op.execute(
        "CREATE TRIGGER trg_station_assignments_guard BEFORE INSERT OR UPDATE"
        " ON public.station_assignments FOR EACH ROW"
        " EXECUTE FUNCTION public.leanops_guard_assignment()"
    )


_ALL = ", ".join(GROUPS)


def _grants() -> None:
    # Supabase grants its API roles rights on every new table by default privileges;
    # LeanOps data is reached only through LeanOps login roles.
    op.execute(
        f"""
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON public.{", public.".join(TABLES)} FROM %I',
                                   api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(f"REVOKE ALL ON public.{table} FROM PUBLIC")
        op.execute(f"GRANT SELECT ON public.{table} TO {_ALL}")
    # Every role: report quantities, write events, block/resume, complete a job.
    op.execute(
        "GRANT INSERT (id, station_id, job_id, qty_completed, assignment_id, corrects_id)"
        f" ON public.performance_logs TO {_ALL}"
    )
    op.execute(
        f"GRANT INSERT (id, event_type, station_id, job_id, meta, actor) ON public.events_log"
        f" TO {_ALL}"
    )
    op.execute(f"GRANT UPDATE (status, blocked_reason) ON public.stations TO {_ALL}")
    op.execute(f"GRANT UPDATE (status) ON public.jobs TO {_ALL}")
    op.execute(f"GRANT UPDATE (updated_at) ON public.station_assignments TO {_ALL}")
    op.execute(f"GRANT DELETE ON public.station_assignments TO {_ALL}")
    # Supervisors and admins: jobs, stations, dispatch.
    planners = "leanops_supervisor, leanops_admin"
    op.execute(
        "GRANT INSERT (id, part_name, qty_total, due_date, priority, status)"
        f" ON public.jobs TO {planners}"
    )
    op.execute(
        f"GRANT UPDATE (part_name, qty_total, due_date, priority) ON public.jobs TO {planners}"
    )
    op.execute(
        "GRANT INSERT (id, name, line, status, is_active, blocked_reason)"
        f" ON public.stations TO {planners}"
    )
    op.execute(f"GRANT UPDATE (name, line, is_active) ON public.stations TO {planners}")
    op.execute(
        "GRANT INSERT (id, station_id, job_id, qty_done, started_at)"
        f" ON public.station_assignments TO {planners}"
    )


def _policies() -> None:
    planners = "leanops_supervisor, leanops_admin"
    for table in TABLES:
        op.execute(f"ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY")
        # The owner works only through triggers and SECURITY DEFINER functions.
        op.execute(
            f"CREATE POLICY {table}_owner ON public.{table} TO {OWNER}"
            " USING (true) WITH CHECK (true)"
        )
        op.execute(
            f"CREATE POLICY {table}_read ON public.{table} FOR SELECT TO {_ALL} USING (true)"
        )
    # A report counts only for a job running on that station (or takes one back).
    op.execute(
        f"CREATE POLICY performance_logs_report ON public.performance_logs FOR INSERT TO {_ALL}"
        " WITH CHECK (corrects_id IS NOT NULL OR EXISTS (SELECT 1 FROM public.station_assignments a"
        " WHERE a.station_id = performance_logs.station_id AND a.job_id = performance_logs.job_id))"
    )
    op.execute(
        f"CREATE POLICY events_log_write ON public.events_log FOR INSERT TO {_ALL}"
        " WITH CHECK (true)"
    )
    # Operators change a station's status (block, resume, idle after completing) only.
    op.execute(
        f"CREATE POLICY stations_status ON public.stations FOR UPDATE TO {_ALL}"
        " USING (is_active) WITH CHECK (is_active)"
    )
    op.execute(
        f"CREATE POLICY stations_plan ON public.stations FOR UPDATE TO {planners}"
        " USING (true) WITH CHECK (true)"
    )
    op.execute(
        f"CREATE POLICY stations_create ON public.stations FOR INSERT TO {planners}"
        " WITH CHECK (true)"
    )
    # Operators may complete a job that runs (on a station); planners edit any job.
    op.execute(
        "CREATE POLICY jobs_complete ON public.jobs FOR UPDATE TO leanops_operator"
        " USING (status = 'running') WITH CHECK (status = 'completed')"
    )
    op.execute(
        f"CREATE POLICY jobs_plan ON public.jobs FOR UPDATE TO {planners}"
        " USING (true) WITH CHECK (true)"
    )
    op.execute(
        f"CREATE POLICY jobs_create ON public.jobs FOR INSERT TO {planners} WITH CHECK (true)"
    )
    # Assignments: operators end only those of a completed job; planners dispatch freely.
    op.execute(
        "CREATE POLICY assignments_lock ON public.station_assignments FOR UPDATE"
        f" TO {_ALL} USING (true) WITH CHECK (true)"
    )
    op.execute(
        "CREATE POLICY assignments_end_completed ON public.station_assignments FOR DELETE"
        " TO leanops_operator USING (EXISTS (SELECT 1 FROM public.jobs j"
        " WHERE j.id = station_assignments.job_id AND j.status = 'completed'))"
    )
    op.execute(
        "CREATE POLICY assignments_dispatch ON public.station_assignments FOR ALL"
        f" TO {planners} USING (true) WITH CHECK (true)"
    )


def _admin_functions() -> None:
    admin_check = (
        "IF public.leanops_group_of(session_user) IS DISTINCT FROM 'admin'"
        f" AND NOT pg_has_role(session_user, '{OWNER}', 'MEMBER') THEN"
        " RAISE EXCEPTION 'only an admin may manage users' USING ERRCODE = 'insufficient_privilege';"
        " END IF;"
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_create_user_internal(
            p_email text, p_role text, p_verifier text, p_actor text, p_reuse boolean
        ) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        DECLARE
            new_id uuid := gen_random_uuid();
        BEGIN
            IF p_email IS NULL OR p_email !~ '^[^@\\s]{{1,64}}@[^@\\s]{{1,190}}$'
               OR p_email <> lower(p_email) THEN
                RAISE EXCEPTION 'email: % is not a lower-case email address', p_email
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_role NOT IN ('operator', 'supervisor', 'admin') THEN
                RAISE EXCEPTION 'role: % is not one of: operator, supervisor, admin', p_role
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
                RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF EXISTS (SELECT 1 FROM public.users WHERE email = p_email) THEN
                RAISE EXCEPTION 'user % already exists', p_email USING ERRCODE = 'unique_violation';
            END IF;
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_email) THEN
                IF NOT p_reuse OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                        WHERE rolname = p_email AND (rolsuper OR rolbypassrls OR rolcreaterole)) THEN
                    RAISE EXCEPTION 'a database role named % already exists', p_email
                        USING ERRCODE = 'duplicate_object';
                END IF;
                EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_email, p_verifier);
            ELSE
                EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_email, p_verifier);
            END IF;
            EXECUTE format('REVOKE leanops_operator, leanops_supervisor, leanops_admin FROM %I',
                           p_email);
            EXECUTE format('GRANT %I TO %I', 'leanops_' || p_role, p_email);
            INSERT INTO public.users (id, email, role, is_active) VALUES (new_id, p_email, p_role, true);
            INSERT INTO public.events_log (id, event_type, meta, actor)
            VALUES (gen_random_uuid(), 'user_created',
                    jsonb_build_object('actor', p_actor, 'new',
                        jsonb_build_object('email', p_email, 'role', p_role)),
                    p_actor);
            RETURN new_id;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_create_user(p_email text, p_role text, p_verifier text)
        RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        BEGIN
            {admin_check}
            RETURN public.leanops_create_user_internal(p_email, p_role, p_verifier,
                                                       session_user, false);
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_init_admin(p_email text, p_verifier text)
        RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM public.users WHERE role = 'admin' AND is_active) THEN
                RAISE EXCEPTION 'an admin account exists already: sign in as an admin instead'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN public.leanops_create_user_internal(p_email, 'admin', p_verifier,
                                                       session_user, true);
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_set_user_role(p_email text, p_role text)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        DECLARE
            old_role text;
        BEGIN
            {admin_check}
            SELECT role INTO old_role FROM public.users WHERE email = p_email FOR UPDATE;
            IF old_role IS NULL THEN
                RAISE EXCEPTION 'user % does not exist', p_email USING ERRCODE = 'no_data_found';
            END IF;
            IF p_role NOT IN ('operator', 'supervisor', 'admin') THEN
                RAISE EXCEPTION 'role: % is not one of: operator, supervisor, admin', p_role
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF old_role = 'admin' AND p_role <> 'admin' AND (SELECT count(*) FROM public.users
                    WHERE role = 'admin' AND is_active) <= 1 THEN
                RAISE EXCEPTION 'cannot change the role of %: it is the last active admin account',
                    p_email USING ERRCODE = 'check_violation';
            END IF;
            EXECUTE format('REVOKE leanops_operator, leanops_supervisor, leanops_admin FROM %I',
                           p_email);
            EXECUTE format('GRANT %I TO %I', 'leanops_' || p_role, p_email);
            UPDATE public.users SET role = p_role WHERE email = p_email;
            INSERT INTO public.events_log (id, event_type, meta, actor)
            VALUES (gen_random_uuid(), 'user_role_changed',
                    jsonb_build_object('old', jsonb_build_object('email', p_email, 'role', old_role),
                                       'new', jsonb_build_object('email', p_email, 'role', p_role)),
                    session_user);
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_set_user_active(p_email text, p_active boolean)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        DECLARE
            was_active boolean;
            its_role text;
        BEGIN
            {admin_check}
            SELECT is_active, role INTO was_active, its_role FROM public.users
             WHERE email = p_email FOR UPDATE;
            IF was_active IS NULL THEN
                RAISE EXCEPTION 'user % does not exist', p_email USING ERRCODE = 'no_data_found';
            END IF;
            IF was_active = p_active THEN
                RAISE EXCEPTION '% is already %', p_email,
                    CASE WHEN p_active THEN 'enabled' ELSE 'disabled' END
                    USING ERRCODE = 'check_violation';
            END IF;
            IF NOT p_active AND its_role = 'admin' AND (SELECT count(*) FROM public.users
                    WHERE role = 'admin' AND is_active) <= 1 THEN
                RAISE EXCEPTION 'cannot disable %: it is the last active admin account', p_email
                    USING ERRCODE = 'check_violation';
            END IF;
            EXECUTE format('ALTER ROLE %I %s', p_email,
                           CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
            UPDATE public.users SET is_active = p_active WHERE email = p_email;
            INSERT INTO public.events_log (id, event_type, meta, actor)
            VALUES (gen_random_uuid(),
                    CASE WHEN p_active THEN 'user_enabled' ELSE 'user_disabled' END,
                    jsonb_build_object('old', jsonb_build_object('email', p_email,
                                                                 'is_active', was_active),
                                       'new', jsonb_build_object('email', p_email,
                                                                 'is_active', p_active)),
                    session_user);
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_set_user_password(p_email text, p_verifier text)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        BEGIN
            {admin_check}
            IF NOT EXISTS (SELECT 1 FROM public.users WHERE email = p_email) THEN
                RAISE EXCEPTION 'user % does not exist', p_email USING ERRCODE = 'no_data_found';
            END IF;
            IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
                RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            EXECUTE format('ALTER ROLE %I PASSWORD %L', p_email, p_verifier);
            INSERT INTO public.events_log (id, event_type, meta, actor)
            VALUES (gen_random_uuid(), 'user_password_reset',
                    jsonb_build_object('new', jsonb_build_object('email', p_email)), session_user);
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_prune_change_feed(keep_hours integer DEFAULT 48)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        DECLARE
            removed bigint;
        BEGIN
            DELETE FROM public.change_feed
             WHERE changed_at < now() - make_interval(hours => greatest(keep_hours, 24));
            GET DIAGNOSTICS removed = ROW_COUNT;
            RETURN removed;
        END
        $$
        """
    )
    signatures = {
        "leanops_create_user_internal(text, text, text, text, boolean)": None,
        "leanops_init_admin(text, text)": None,
        "leanops_create_user(text, text, text)": "leanops_admin",
        "leanops_set_user_role(text, text)": "leanops_admin",
        "leanops_set_user_active(text, boolean)": "leanops_admin",
        "leanops_set_user_password(text, text)": "leanops_admin",
        "leanops_prune_change_feed(integer)": _ALL,
    }
    for signature, grantee in signatures.items():
        op.execute(f"ALTER FUNCTION public.{signature} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
        if grantee:
            op.execute(f"GRANT EXECUTE ON FUNCTION public.{signature} TO {grantee}")
