"""Kiosks: a device login bound to its station, operators by badge or PIN, the time of the tap.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Both backends get the tables of ``db/kiosk_models.py`` (enrolled devices, operators' PIN
verifiers and badge digests, sign-ins, failed attempts, offline tokens, the badge pepper).
On SQLite the app checks a device as it checks a user. On PostgreSQL:

* **A device group per plant**, ``leanops_device@<database>``, made as 0010 makes the others
  (``leanops_plant_role('device')`` names it). An enrolled kiosk is a LOGIN role in it
  (``leanops_enroll_kiosk``, admins); revoking it (``leanops_revoke_kiosk``) makes it
  NOLOGIN, ends its sessions and its operators' sign-ins.
* **Bound to its station.** ``leanops_caller_role`` answers ``device`` for an enrolled,
  unrevoked device login; the floor functions of 0008 are re-created so that a device
  reports, takes back its own reports, blocks, resumes and completes only on its own
  station (``LR005`` otherwise), and only for an operator with a confirmed sign-in at that
  device covering the time (``leanops_device_sign_in``). The event's actor is that
  operator; the events trigger adds the device and its station to the meta.
* **The tap time.** ``leanops_report_batch`` takes the tap time of each report (a new
  trailing, defaulted argument, as is the operator check of the other functions): it is the
  log's ``timestamp`` when at most 2 minutes ahead of the server and at most 7 days old,
  else the server's time; the event keeps the claimed time either way.
* **Badge and PIN.** Verifiers the client never reads: PINs hashed with pgcrypto's
  ``crypt``/bf when the extension can be had, else an iterated salted SHA-256 in SQL; badges
  as the SHA-256 of a per-plant pepper and the lower-cased code (so a badge is found by
  equality). ``leanops_kiosk_sign_in`` (devices only) checks them, limits failures to 5 per
  device per minute, locks an account after 10 wrong PINs in a row (event
  ``operator_locked``) and returns who signed in and a token for offline sign-in.
  ``leanops_kiosk_offline_sign_in`` confirms a sign-in the kiosk made offline with that
  token (proof of the PIN or badge) when its reports arrive.
"""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from leanops_desktop.db.types import GUID, UTCDateTime, utcnow

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
#: Shared with services (core/tap_time.py, services/kiosk/operator_sign_in.py): keep in step.
TAP_SKEW = "2 minutes"
TAP_MAX_AGE = "7 days"
SIGN_IN_HOURS = 12
RATE_LIMIT_FAILURES = 5  # per device per minute
LOCK_AFTER_FAILURES = 10  # wrong PINs in a row
OFFLINE_TOKEN_DAYS = 30
PIN_ROUNDS = 20_000  # iterated SHA-256, when pgcrypto is not there
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "120s"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"


def _tables() -> None:
    now = utcnow()
    op.create_table(
        "kiosk_devices",
        sa.Column("login", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=True),
        sa.Column("enrolled_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("enrolled_by", sa.Text(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name="fk_kiosk_devices_station_id_stations"
        ),
        sa.PrimaryKeyConstraint("login", name="pk_kiosk_devices"),
    )
    op.create_index("ix_kiosk_devices_station_id", "kiosk_devices", ["station_id"])
    op.create_table(
        "operator_credentials",
        sa.Column("user_id", GUID(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=True),
        sa.Column("badge_digest", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_operator_credentials_user_id_users"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_operator_credentials"),
    )
    op.create_index(
        "ix_operator_credentials_badge_digest",
        "operator_credentials",
        ["badge_digest"],
        unique=True,
    )
    op.create_table(
        "kiosk_sign_ins",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("user_id", GUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("signed_in_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("offline", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.CheckConstraint("method IN ('pin', 'badge')", name="ck_kiosk_sign_ins_method"),
        sa.ForeignKeyConstraint(
            ["device"], ["kiosk_devices.login"], name="fk_kiosk_sign_ins_device_kiosk_devices"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_kiosk_sign_ins_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_kiosk_sign_ins"),
    )
    op.create_index(
        "ix_kiosk_sign_ins_device_email_signed_in_at",
        "kiosk_sign_ins",
        ["device", "email", "signed_in_at"],
    )
    op.create_table(
        "kiosk_sign_in_failures",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), server_default=now, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kiosk_sign_in_failures"),
    )
    op.create_index(
        "ix_kiosk_sign_in_failures_device_at", "kiosk_sign_in_failures", ["device", "at"]
    )
    op.create_table(
        "kiosk_offline_tokens",
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("user_id", GUID(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_kiosk_offline_tokens_user_id_users"
        ),
        sa.PrimaryKeyConstraint("device", "user_id", "method", name="pk_kiosk_offline_tokens"),
    )
    op.create_table(
        "kiosk_secrets",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_kiosk_secrets"),
    )


_TABLES = (
    "kiosk_devices",
    "operator_credentials",
    "kiosk_sign_ins",
    "kiosk_sign_in_failures",
    "kiosk_offline_tokens",
    "kiosk_secrets",
)

# -- PostgreSQL ------------------------------------------------------------------------------

# The device group, named like the others, and leanops_plant_role knowing it.
_DEVICE_ROLE = """
DO $device$
DECLARE
    v_owner text := public.leanops_plant_role('owner');
    v_tag text := substr(public.leanops_plant_role('owner'), length('leanops_owner@') + 1);
    v_device text;
BEGIN
    v_device := 'leanops_device@' || v_tag;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = v_device) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_device);
    END IF;
    EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION', v_device, v_owner);
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION public.leanops_plant_role(kind text) RETURNS name'
        ' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT (CASE kind'
        ' WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L WHEN %L THEN %L'
        ' END)::name $fn$',
        'owner', v_owner,
        'operator', public.leanops_plant_role('operator'),
        'supervisor', public.leanops_plant_role('supervisor'),
        'admin', public.leanops_plant_role('admin'),
        'device', v_device);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', v_device);
END
$device$
"""

# pgcrypto when the server has it (trusted since PostgreSQL 13: the database owner may
# create it), in a schema of its own that only the plant owner may use (its functions would
# otherwise be open to every login in public); without it PINs are hashed with iterated
# SHA-256 in SQL. Where pgcrypto is installed already (Supabase: schema extensions), that one.
_PGCRYPTO = """
DO $crypto$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
        BEGIN
            CREATE SCHEMA leanops_crypto;
            REVOKE ALL ON SCHEMA leanops_crypto FROM PUBLIC;
            CREATE EXTENSION pgcrypto SCHEMA leanops_crypto;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pgcrypto is not available (%): PINs are hashed with iterated SHA-256',
                SQLERRM;
        END;
    END IF;
END
$crypto$
"""

_PEPPER = """
INSERT INTO public.kiosk_secrets (name, value)
VALUES ('badge_pepper', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
ON CONFLICT (name) DO NOTHING
"""

_FUNCTIONS: dict[str, str] = {}

# A verifier of iterated, salted SHA-256: sha256i$<rounds>$<salt hex>$<hash hex>. Given a
# verifier, the same secret gives the same verifier (that is how it is checked).
_FUNCTIONS["leanops_sha256_iterated(text, text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_sha256_iterated(p_secret text, p_verifier text)
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_rounds integer := {PIN_ROUNDS};
    v_salt bytea;
    v_secret bytea := convert_to(coalesce(p_secret, ''), 'UTF8');
    h bytea;
BEGIN
    IF p_verifier IS NOT NULL THEN
        IF p_verifier !~ '^sha256i\\$[0-9]{{1,7}}\\$[0-9a-f]{{32}}\\$[0-9a-f]{{64}}$' THEN
            RETURN NULL;
        END IF;
        v_rounds := greatest(split_part(p_verifier, '$', 2)::integer, 1);
        v_salt := decode(split_part(p_verifier, '$', 3), 'hex');
    ELSE
        v_salt := decode(replace(gen_random_uuid()::text, '-', ''), 'hex');
    END IF;
    h := sha256(v_salt || v_secret);
    FOR i IN 2 .. v_rounds LOOP
        h := sha256(h || v_salt || v_secret);
    END LOOP;
    RETURN format('sha256i$%s$%s$%s', v_rounds, encode(v_salt, 'hex'), encode(h, 'hex'));
END
$fn$
"""

# leanops_secret_hash / leanops_secret_matches are written by _HASHERS at upgrade time for
# the hashing the server has.
_HASHERS = f"""
DO $hash$
DECLARE
    s text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                 JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                WHERE e.extname = 'pgcrypto');
BEGIN
    IF s IS NOT NULL THEN
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, public.leanops_plant_role('owner'));
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
        IF NOT pg_catalog.has_schema_privilege(public.leanops_plant_role('owner'), s, 'USAGE') THEN
            s := NULL;  -- the owner could not call it: iterated SHA-256 instead
        END IF;
    END IF;
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION public.leanops_secret_hash(p_secret text) RETURNS text'
        ' LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH}'
        ' AS $fn$ BEGIN RETURN %s; END $fn$',
        CASE WHEN s IS NULL THEN 'public.leanops_sha256_iterated(p_secret, NULL)'
             ELSE format('%I.crypt(p_secret, %I.gen_salt(''bf'', 8))', s, s) END);
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION public.leanops_secret_matches(p_secret text, p_verifier text)'
        ' RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH}'
        ' AS $fn$ BEGIN'
        ' IF p_secret IS NULL OR p_verifier IS NULL THEN RETURN false; END IF;'
        ' IF p_verifier LIKE ''sha256i$%%'' THEN'
        '   RETURN public.leanops_sha256_iterated(p_secret, p_verifier) = p_verifier; END IF;'
        ' %s'
        ' RETURN false; END $fn$',
        CASE WHEN s IS NULL THEN ''
             ELSE format('IF p_verifier LIKE ''$2%%'' THEN RETURN %I.crypt(p_secret, p_verifier)'
                         ' = p_verifier; END IF;', s) END);
END
$hash$
"""

_FUNCTIONS["leanops_badge_digest(text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_badge_digest(p_code text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    RETURN encode(sha256(convert_to(
        (SELECT k.value FROM public.kiosk_secrets k WHERE k.name = 'badge_pepper')
        || ':' || lower(btrim(p_code)), 'UTF8')), 'hex');
END
$fn$
"""

# The station of the calling device login (enrolled, not revoked, in the plant's device
# group), else NULL. Read policies call it, so devices may execute it.
_FUNCTIONS["leanops_device_station()"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_device_station() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    RETURN (
        SELECT d.station_id FROM public.kiosk_devices d
         WHERE d.login = session_user::text AND d.revoked_at IS NULL
           AND pg_catalog.pg_has_role(session_user, public.leanops_plant_role('device'),
                                      'MEMBER'));
END
$fn$
"""

_FUNCTIONS["leanops_caller_role(text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_caller_role(p_claimed text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    grp text := public.leanops_group_of(session_user);
BEGIN
    IF grp IS NOT NULL THEN
        RETURN grp;
    END IF;
    IF public.leanops_device_station() IS NOT NULL THEN
        RETURN 'device';
    END IF;
    IF pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'), 'MEMBER') THEN
        RETURN CASE WHEN p_claimed IN ('operator', 'supervisor', 'admin')
                    THEN p_claimed ELSE 'admin' END;
    END IF;
    RAISE EXCEPTION 'only a signed-in LeanOps user of this plant may do this'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""

# The confirmed sign-in of p_operator at the calling device that covers p_at, else NULL.
_FUNCTIONS["leanops_device_sign_in(text, timestamp with time zone)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_device_sign_in(p_operator text, p_at timestamptz)
RETURNS uuid LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    RETURN (
        SELECT s.id FROM public.kiosk_sign_ins s
          JOIN public.users u ON u.id = s.user_id AND u.is_active
         WHERE s.device = session_user::text AND s.email = p_operator AND s.verified
           AND s.signed_in_at <= p_at + interval '{TAP_SKEW}'
           AND coalesce(s.ended_at, s.signed_in_at + interval '{SIGN_IN_HOURS} hours')
               >= p_at - interval '{TAP_SKEW}'
         ORDER BY (s.signed_in_at <= p_at AND coalesce(s.ended_at, 'infinity') >= p_at) DESC,
                  s.signed_in_at DESC
         LIMIT 1);  -- one open at the very time first, then the latest
END
$fn$
"""


def _refuse_device(message: str, detail: str) -> str:
    return (
        f"RAISE EXCEPTION USING ERRCODE = 'LR005', MESSAGE = {message}, DETAIL = ({detail})::text;"
    )


# For the functions that act now (block, resume, complete, take back): the device's station
# and a signed-in operator, else LR005. Returns the operator, the event's actor.
_FUNCTIONS["leanops_device_actor(text, text, timestamp with time zone)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_device_actor(
    p_station text, p_operator text, p_at timestamptz
) RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_bound text := public.leanops_device_station();
BEGIN
    IF v_bound IS NULL THEN
        RAISE EXCEPTION 'only an enrolled kiosk may do this'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_station IS DISTINCT FROM v_bound THEN
        {
    _refuse_device(
        "format('this kiosk is enrolled for station %s; it cannot act on %s', v_bound,"
        " coalesce(p_station, 'no station'))",
        "jsonb_build_object('station', p_station, 'bound', v_bound)",
    )
}
    END IF;
    IF p_operator IS NULL
       OR public.leanops_device_sign_in(p_operator, coalesce(p_at, now())) IS NULL THEN
        {
    _refuse_device(
        "format('%s has no sign-in at this kiosk at that time', coalesce(p_operator, 'nobody'))",
        "jsonb_build_object('operator', p_operator)",
    )
}
    END IF;
    RETURN p_operator;
END
$fn$
"""

_ADMIN_CHECK = (
    "IF public.leanops_group_of(session_user) IS DISTINCT FROM 'admin'"
    " AND NOT pg_catalog.pg_has_role(session_user, public.leanops_plant_role('owner'), 'MEMBER')"
    " THEN RAISE EXCEPTION 'only an admin may manage kiosks and sign-in credentials'"
    " USING ERRCODE = 'insufficient_privilege'; END IF;"
)

_FUNCTIONS["leanops_enroll_kiosk(text, text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_enroll_kiosk(p_station text, p_verifier text)
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_login text;
BEGIN
    {_ADMIN_CHECK}
    IF NOT EXISTS (SELECT 1 FROM public.stations s
                    WHERE s.id = p_station AND s.is_active AND length(p_station) <= 64) THEN
        RAISE EXCEPTION 'station % does not exist or is not in use', left(p_station, 80)
            USING ERRCODE = 'no_data_found';
    END IF;
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'password: only SCRAM-SHA-256 verifiers are accepted'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- kiosk-<10 hex>@<the plant's tag>: at most 61 bytes, unique on the server.
    v_login := format('kiosk-%s@%s', left(replace(gen_random_uuid()::text, '-', ''), 10),
                      substr(public.leanops_plant_role('owner'), length('leanops_owner@') + 1));
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', v_login, p_verifier);
    EXECUTE format('GRANT %I TO %I', public.leanops_plant_role('device'), v_login);
    EXECUTE format('GRANT %I TO %I', v_login, public.leanops_plant_role('owner'));
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET lock_timeout = %L',
                   v_login, current_database(), '{LOCK_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L',
                   v_login, current_database(), '{STATEMENT_TIMEOUT}');
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   v_login, current_database(), '{IDLE_IN_TRANSACTION_TIMEOUT}');
    INSERT INTO public.kiosk_devices (login, station_id, enrolled_at, enrolled_by)
    VALUES (v_login, p_station, now(), session_user);
    INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
    VALUES (gen_random_uuid(), 'kiosk_enrolled', p_station,
            jsonb_build_object('new', jsonb_build_object('device', v_login,
                                                         'station', p_station)),
            session_user);
    RETURN v_login;
END
$fn$
"""

_FUNCTIONS["leanops_revoke_kiosk(text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_revoke_kiosk(p_login text)
RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    d record;
BEGIN
    {_ADMIN_CHECK}
    SELECT k.station_id, k.revoked_at INTO d FROM public.kiosk_devices k
     WHERE k.login = p_login FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kiosk % is not enrolled', left(p_login, 80)
            USING ERRCODE = 'no_data_found';
    END IF;
    IF d.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'kiosk % is already revoked', p_login USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_login) THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
    END IF;
    UPDATE public.kiosk_devices SET revoked_at = now(), revoked_by = session_user
     WHERE login = p_login;
    UPDATE public.kiosk_sign_ins SET ended_at = now()
     WHERE device = p_login AND (ended_at IS NULL OR ended_at > now());
    DELETE FROM public.kiosk_offline_tokens WHERE device = p_login;
    BEGIN
        PERFORM pg_catalog.pg_terminate_backend(a.pid)
           FROM pg_catalog.pg_stat_activity a
          WHERE a.usename = p_login AND a.datname = current_database()
            AND a.pid <> pg_catalog.pg_backend_pid();
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
    VALUES (gen_random_uuid(), 'kiosk_revoked', d.station_id,
            jsonb_build_object('old', jsonb_build_object('device', p_login,
                                                         'station', d.station_id)),
            session_user);
END
$fn$
"""

_USER_OF = """
    SELECT u.id, u.email INTO v_user FROM public.users u WHERE u.email = p_email;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', left(p_email, 80) USING ERRCODE = 'no_data_found';
    END IF;
"""

_FUNCTIONS["leanops_set_operator_pin(text, text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_set_operator_pin(p_email text, p_pin text)
RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_user record;
    v_hash text;
BEGIN
    {_ADMIN_CHECK}
    {_USER_OF}
    IF p_pin IS NOT NULL AND p_pin !~ '^[0-9]{{4,12}}$' THEN
        RAISE EXCEPTION 'PIN: 4 to 12 digits' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_hash := CASE WHEN p_pin IS NULL THEN NULL ELSE public.leanops_secret_hash(p_pin) END;
    -- A new PIN unlocks the account, and (new version) voids the kiosks' offline tokens.
    INSERT INTO public.operator_credentials AS c
           (user_id, pin_hash, version, failed_attempts, locked_at, updated_at, updated_by)
    VALUES (v_user.id, v_hash, 1, 0, NULL, now(), session_user)
    ON CONFLICT (user_id) DO UPDATE
       SET pin_hash = excluded.pin_hash, version = c.version + 1, failed_attempts = 0,
           locked_at = NULL, updated_at = now(), updated_by = excluded.updated_by;
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(),
            CASE WHEN p_pin IS NULL THEN 'operator_pin_cleared' ELSE 'operator_pin_set' END,
            jsonb_build_object('new', jsonb_build_object('email', v_user.email)), session_user);
END
$fn$
"""

_FUNCTIONS["leanops_set_operator_badge(text, text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_set_operator_badge(p_email text, p_code text)
RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_user record;
    v_code text := btrim(p_code);
    v_digest text;
BEGIN
    {_ADMIN_CHECK}
    {_USER_OF}
    IF v_code IS NOT NULL AND (length(v_code) NOT BETWEEN 4 AND 128
                               OR v_code ~ '[\\u0001-\\u001f\\u007f]') THEN
        RAISE EXCEPTION 'badge: 4 to 128 characters, no control characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_digest := CASE WHEN v_code IS NULL THEN NULL ELSE public.leanops_badge_digest(v_code) END;
    IF EXISTS (SELECT 1 FROM public.operator_credentials c
                WHERE c.badge_digest = v_digest AND c.user_id <> v_user.id) THEN
        RAISE EXCEPTION 'this badge is already given to another user'
            USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO public.operator_credentials AS c
           (user_id, badge_digest, version, updated_at, updated_by)
    VALUES (v_user.id, v_digest, 1, now(), session_user)
    ON CONFLICT (user_id) DO UPDATE
       SET badge_digest = excluded.badge_digest, version = c.version + 1, updated_at = now(),
           updated_by = excluded.updated_by;
    INSERT INTO public.events_log (id, event_type, meta, actor)
    VALUES (gen_random_uuid(),
            CASE WHEN v_code IS NULL THEN 'operator_badge_cleared' ELSE 'operator_badge_set' END,
            jsonb_build_object('new', jsonb_build_object('email', v_user.email)), session_user);
END
$fn$
"""

_FUNCTIONS["leanops_operator_credentials()"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_operator_credentials()
RETURNS TABLE (email text, has_pin boolean, has_badge boolean, failed_attempts integer,
               locked_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
BEGIN
    {_ADMIN_CHECK}
    RETURN QUERY
    SELECT u.email, c.pin_hash IS NOT NULL, c.badge_digest IS NOT NULL, c.failed_attempts,
           c.locked_at
      FROM public.operator_credentials c JOIN public.users u ON u.id = c.user_id
     ORDER BY u.email;
END
$fn$
"""

_DEVICE_ONLY = """
    IF v_station IS NULL THEN
        RAISE EXCEPTION 'only an enrolled kiosk may sign operators in'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
"""

_FUNCTIONS["leanops_kiosk_sign_in(text, text, text)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_kiosk_sign_in(
    p_method text, p_email text, p_secret text
) RETURNS TABLE (status text, sign_in_id uuid, email text, role text, offline_token text,
                 credential_version integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_station text := public.leanops_device_station();
    v_user_id uuid;
    v_email text;
    v_role text;
    v_pin_hash text;
    v_version integer;
    v_locked_at timestamptz;
    v_ok boolean := false;
    v_locked timestamptz;
    v_token text;
BEGIN
    {_DEVICE_ONLY}
    IF p_method IS NULL OR p_method NOT IN ('pin', 'badge') THEN
        RAISE EXCEPTION USING ERRCODE = 'LR001', MESSAGE = 'method: must be pin or badge',
            DETAIL = '{{"field": "method", "reason": "must be pin or badge"}}';
    END IF;
    -- One sign-in of a device at a time, so the failures it counts are all there.
    PERFORM 1 FROM public.kiosk_devices d WHERE d.login = session_user::text FOR UPDATE;
    IF (SELECT count(*) FROM public.kiosk_sign_in_failures f
         WHERE f.device = session_user::text AND f.at > now() - interval '1 minute')
       >= {RATE_LIMIT_FAILURES} THEN
        status := 'rate_limited';
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_secret IS NOT NULL AND length(p_secret) <= 128 THEN
        IF p_method = 'pin' THEN
            SELECT u.id, u.email, u.role INTO v_user_id, v_email, v_role
              FROM public.users u
             WHERE u.email = lower(btrim(p_email)) AND u.is_active AND length(p_email) <= 255;
            SELECT c.pin_hash, c.version, c.locked_at INTO v_pin_hash, v_version, v_locked_at
              FROM public.operator_credentials c WHERE c.user_id = v_user_id FOR UPDATE;
            IF v_pin_hash IS NULL THEN
                PERFORM public.leanops_secret_hash(p_secret);  -- the time of a real check
            ELSIF v_locked_at IS NOT NULL THEN
                status := 'locked';
                RETURN NEXT;
                RETURN;
            ELSE
                v_ok := public.leanops_secret_matches(p_secret, v_pin_hash);
            END IF;
        ELSE
            SELECT u.id, u.email, u.role INTO v_user_id, v_email, v_role
              FROM public.operator_credentials c
              JOIN public.users u ON u.id = c.user_id AND u.is_active
             WHERE c.badge_digest = public.leanops_badge_digest(p_secret);
            SELECT c.version, c.locked_at INTO v_version, v_locked_at
              FROM public.operator_credentials c WHERE c.user_id = v_user_id FOR UPDATE;
            IF v_locked_at IS NOT NULL THEN
                status := 'locked';
                RETURN NEXT;
                RETURN;
            END IF;
            v_ok := v_user_id IS NOT NULL;
        END IF;
    END IF;
    IF NOT v_ok THEN
        INSERT INTO public.kiosk_sign_in_failures (id, device, email, method, at)
        VALUES (gen_random_uuid(), session_user, v_email, p_method, now());
        IF p_method = 'pin' AND v_pin_hash IS NOT NULL THEN
            UPDATE public.operator_credentials c
               SET failed_attempts = c.failed_attempts + 1,
                   locked_at = CASE WHEN c.failed_attempts + 1 >= {LOCK_AFTER_FAILURES}
                                    THEN now() END
             WHERE c.user_id = v_user_id
            RETURNING c.locked_at INTO v_locked;
            IF v_locked IS NOT NULL THEN
                INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
                VALUES (gen_random_uuid(), 'operator_locked', v_station,
                        jsonb_build_object('email', v_email,
                                           'failed_attempts', {LOCK_AFTER_FAILURES}),
                        session_user);
                status := 'locked';
                RETURN NEXT;
                RETURN;
            END IF;
        END IF;
        status := 'refused';
        RETURN NEXT;
        RETURN;
    END IF;
    UPDATE public.operator_credentials c SET failed_attempts = 0 WHERE c.user_id = v_user_id;
    v_token := encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text,
                                        'UTF8')), 'hex');
    INSERT INTO public.kiosk_offline_tokens AS t
           (device, user_id, method, token, version, issued_at)
    VALUES (session_user, v_user_id, p_method, v_token, v_version, now())
    ON CONFLICT (device, user_id, method) DO UPDATE
       SET token = excluded.token, version = excluded.version, issued_at = excluded.issued_at;
    sign_in_id := gen_random_uuid();
    INSERT INTO public.kiosk_sign_ins
           (id, device, station_id, user_id, email, method, signed_in_at, offline, verified)
    VALUES (sign_in_id, session_user, v_station, v_user_id, v_email, p_method, now(), false,
            true);
    INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
    VALUES (gen_random_uuid(), 'operator_signed_in', v_station,
            jsonb_build_object('actor', v_email, 'method', p_method,
                               'sign_in_id', sign_in_id, 'offline', false),
            v_email);
    status := 'ok';
    email := v_email;
    role := v_role;
    offline_token := v_token;
    credential_version := v_version;
    RETURN NEXT;
END
$fn$
"""

_FUNCTIONS["leanops_kiosk_sign_out(uuid)"] = f"""
CREATE OR REPLACE FUNCTION public.leanops_kiosk_sign_out(p_sign_in uuid)
RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_station text := public.leanops_device_station();
BEGIN
    {_DEVICE_ONLY}
    UPDATE public.kiosk_sign_ins SET ended_at = now()
     WHERE id = p_sign_in AND device = session_user::text AND ended_at IS NULL;
    RETURN FOUND;
END
$fn$
"""

# An offline sign-in arrives: the proof is sha256(token:id:epoch seconds of the sign-in),
# which only a kiosk that unsealed the token with the PIN or badge could make.
_FUNCTIONS[
    "leanops_kiosk_offline_sign_in(uuid, text, text, text, timestamp with time zone,"
    " timestamp with time zone)"
] = f"""
CREATE OR REPLACE FUNCTION public.leanops_kiosk_offline_sign_in(
    p_id uuid, p_email text, p_method text, p_proof text, p_signed_in_at timestamptz,
    p_ended_at timestamptz DEFAULT NULL
) RETURNS TABLE (status text, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    v_station text := public.leanops_device_station();
    v_user_id uuid;
    v_email text;
    v_token text;
    v_token_version integer;
    v_issued_at timestamptz;
    v_version integer;
    v_locked timestamptz;
    v_prev_device text;
    v_prev_verified boolean;
    v_prev_ended timestamptz;
    v_why text;
BEGIN
    {_DEVICE_ONLY}
    IF p_id IS NULL OR p_signed_in_at IS NULL OR p_method IS NULL
       OR p_method NOT IN ('pin', 'badge') THEN
        RAISE EXCEPTION USING ERRCODE = 'LR001', MESSAGE = 'offline sign-in: incomplete',
            DETAIL = '{{"field": "offline sign-in", "reason": "incomplete"}}';
    END IF;
    SELECT s.device, s.verified, s.ended_at INTO v_prev_device, v_prev_verified, v_prev_ended
      FROM public.kiosk_sign_ins s WHERE s.id = p_id;
    IF FOUND THEN  -- sent before (a retry after a lost reply)
        IF v_prev_device IS DISTINCT FROM session_user::text THEN
            RAISE EXCEPTION USING ERRCODE = 'LR001', MESSAGE = 'sign-in id: is taken',
                DETAIL = '{{"field": "sign-in id", "reason": "is taken"}}';
        END IF;
        IF v_prev_verified AND p_ended_at IS NOT NULL AND v_prev_ended IS NULL THEN
            UPDATE public.kiosk_sign_ins SET ended_at = least(p_ended_at, now())
             WHERE id = p_id;
        END IF;
        status := CASE WHEN v_prev_verified THEN 'ok' ELSE 'refused' END;
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT u.id, u.email INTO v_user_id, v_email FROM public.users u
     WHERE u.email = p_email AND u.is_active;
    SELECT t.token, t.version, t.issued_at INTO v_token, v_token_version, v_issued_at
      FROM public.kiosk_offline_tokens t
     WHERE t.device = session_user::text AND t.user_id = v_user_id AND t.method = p_method;
    SELECT c.version, c.locked_at INTO v_version, v_locked
      FROM public.operator_credentials c WHERE c.user_id = v_user_id;
    v_why := CASE
        WHEN v_user_id IS NULL THEN 'not an active user of this plant'
        WHEN v_token IS NULL THEN 'no online sign-in at this kiosk to vouch for it'
        WHEN p_proof IS DISTINCT FROM encode(sha256(convert_to(
                 v_token || ':' || p_id::text || ':'
                 || floor(extract(epoch FROM p_signed_in_at))::bigint::text, 'UTF8')), 'hex')
            THEN 'the PIN or badge proof does not match'
        WHEN v_locked IS NOT NULL THEN 'the account is locked'
        WHEN v_version IS DISTINCT FROM v_token_version
            THEN 'the PIN or badge was changed since this kiosk cached it'
        WHEN v_issued_at < now() - interval '{OFFLINE_TOKEN_DAYS} days'
            THEN 'the cached sign-in is older than {OFFLINE_TOKEN_DAYS} days'
        WHEN p_signed_in_at > now() + interval '{TAP_SKEW}'
          OR p_signed_in_at < date_trunc('second', v_issued_at)
          OR p_signed_in_at < now() - interval '{TAP_MAX_AGE}'
            THEN 'the sign-in time is not plausible'
        END;
    IF v_user_id IS NOT NULL THEN
        INSERT INTO public.kiosk_sign_ins
               (id, device, station_id, user_id, email, method, signed_in_at, ended_at,
                offline, verified)
        VALUES (p_id, session_user, v_station, v_user_id, v_email, p_method,
                p_signed_in_at, CASE WHEN p_ended_at IS NOT NULL THEN least(p_ended_at, now()) END,
                true, v_why IS NULL);
    END IF;
    IF v_why IS NOT NULL THEN
        INSERT INTO public.kiosk_sign_in_failures (id, device, email, method, at)
        VALUES (gen_random_uuid(), session_user, v_email, p_method, now());
        INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
        VALUES (gen_random_uuid(), 'offline_sign_in_refused', v_station,
                jsonb_build_object('email', left(p_email, 255), 'method', p_method,
                                   'sign_in_id', p_id, 'signed_in_at', p_signed_in_at,
                                   'reason', v_why),
                session_user);
        status := 'refused';
        message := v_why;
        RETURN NEXT;
        RETURN;
    END IF;
    INSERT INTO public.events_log (id, event_type, station_id, meta, actor)
    VALUES (gen_random_uuid(), 'operator_signed_in', v_station,
            jsonb_build_object('actor', v_email, 'method', p_method, 'sign_in_id', p_id,
                               'offline', true, 'signed_in_at', p_signed_in_at),
            v_email);
    status := 'ok';
    RETURN NEXT;
END
$fn$
"""

# The events trigger: a device's events name the device and its station, and the role of
# the operator who acted (the functions set the actor: the verified operator).
_STAMP_EVENT_ACTOR = f"""
CREATE OR REPLACE FUNCTION public.leanops_stamp_event_actor() RETURNS trigger
LANGUAGE plpgsql {_SAFE_PATH} AS $$
DECLARE
    grp text := public.leanops_group_of(session_user);
    v_station text;
BEGIN
    IF grp IS NOT NULL THEN  -- a signed-in LeanOps user (not IT's owner account)
        NEW.actor := session_user;
        NEW.meta := coalesce(NEW.meta, '{{}}'::jsonb)
            || jsonb_build_object('actor', session_user::text, 'role', grp);
        NEW.timestamp := now();
    ELSE
        v_station := public.leanops_device_station();
        IF v_station IS NOT NULL THEN  -- an enrolled kiosk, acting for an operator
            NEW.meta := coalesce(NEW.meta, '{{}}'::jsonb)
                || jsonb_build_object(
                    'device', session_user::text, 'device_station', v_station,
                    'role', coalesce((SELECT u.role FROM public.users u
                                       WHERE u.email = NEW.actor), 'device'));
            NEW.timestamp := now();
        END IF;
    END IF;
    RETURN NEW;
END
$$
"""


def _migration_0008() -> ModuleType:
    """Migration 0008 as a module: its floor functions, re-created here with the device."""
    path = Path(__file__).with_name("0008_floor_functions.py")
    spec = importlib.util.spec_from_file_location("leanops_migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _edit(sql: str, old: str, new: str, count: int = 1) -> str:
    """``sql`` with ``old`` replaced by ``new``; ``old`` must occur ``count`` times."""
    found = sql.count(old)
    if found != count:
        raise RuntimeError(f"migration 0012: expected {count} of {old!r} in 0008's SQL, {found}")
    return sql.replace(old, new)


_ACTOR = "coalesce(p_actor, session_user::text)"


def _floor_functions() -> list[str]:
    """0008's floor functions with the device's station, its operator and the tap time."""
    m = _migration_0008()
    body = m._BATCH_BODY
    body = _edit(
        body,
        "DECLARE\n",
        "DECLARE\n    v_bound text;\n    v_actor text;\n    v_claimed timestamptz;\n"
        "    v_at timestamptz;\n    v_sign_in uuid;\n    v_device_reason text;\n",
    )
    body = _edit(
        body,
        "       OR coalesce(array_length(p_reported_by, 1), 0) <> n THEN",
        "       OR coalesce(array_length(p_reported_by, 1), 0) <> n\n"
        "       OR (p_tapped_at IS NOT NULL AND coalesce(array_length(p_tapped_at, 1), 0) <> n)"
        " THEN",
    )
    body = _edit(
        body,
        "    FOR i IN 1 .. n LOOP\n",
        "    IF v_role = 'device' THEN\n        v_bound := public.leanops_device_station();\n"
        "    END IF;\n    FOR i IN 1 .. n LOOP\n",
    )
    input_checked = (
        "        IF code <> '00000' THEN\n"
        "            message := (detail ->> 'field') || ': ' || (detail ->> 'reason');\n"
        "            RETURN NEXT;\n"
        "            CONTINUE;\n"
        "        END IF;\n"
    )
    body = _edit(
        body,
        input_checked,
        input_checked
        + f"""
        -- The tap time: kept when plausible, else the server's (the event keeps the claim).
        v_claimed := p_tapped_at[i];
        v_at := CASE WHEN v_claimed BETWEEN now() - interval '{TAP_MAX_AGE}'
                                        AND now() + interval '{TAP_SKEW}'
                     THEN v_claimed ELSE now() END;
        v_actor := {_ACTOR};
        v_sign_in := NULL;
        v_device_reason := NULL;
        IF v_role = 'device' AND v_station IS DISTINCT FROM v_bound THEN
            code := 'LR005';
            detail := jsonb_build_object('station', v_station, 'bound', v_bound);
            message := format('this kiosk is enrolled for station %s; it cannot report on %s',
                              v_bound, v_station);
            RETURN NEXT;
            CONTINUE;
        END IF;
""",
    )
    body = _edit(
        body,
        "                v_by_bad := NOT v_by_ok;\n            END IF;\n",
        "                v_by_bad := NOT v_by_ok;\n            END IF;\n"
        "            -- A device reports for an operator signed in at it when they tapped.\n"
        "            IF v_role = 'device' AND NOT v_by_bad THEN\n"
        "                v_sign_in := CASE WHEN v_by IS NOT NULL THEN public.leanops_device_sign_in(\n"
        "                    v_by, coalesce(v_claimed, now())) END;\n"
        "                v_by_bad := v_sign_in IS NULL;\n"
        "                v_device_reason := 'has no sign-in at this kiosk at the time of the tap';\n"
        "                v_actor := v_by;\n"
        "            END IF;\n",
    )
    body = _edit(
        body,
        "                       (id, station_id, job_id, qty_completed, assignment_id)\n"
        "                VALUES (v_id, v_station, v_job, v_qty, v_assignment)\n",
        '                       (id, station_id, job_id, qty_completed, assignment_id, "timestamp")\n'
        "                VALUES (v_id, v_station, v_job, v_qty, v_assignment, v_at)\n",
    )
    body = _edit(
        body,
        "                                    ELSE jsonb_build_object('reported_by', v_by) END,\n",
        "                                    ELSE jsonb_build_object('reported_by', v_by) END\n"
        "                            || CASE WHEN v_claimed IS NULL THEN '{}'::jsonb\n"
        "                                    ELSE jsonb_build_object('tapped_at', v_claimed,\n"
        "                                        'tap_time_kept', v_at = v_claimed) END\n"
        "                            || CASE WHEN v_sign_in IS NULL THEN '{}'::jsonb\n"
        "                                    ELSE jsonb_build_object('sign_in_id', v_sign_in,\n"
        "                                        'offline_sign_in', (SELECT s.offline\n"
        "                                         FROM public.kiosk_sign_ins s\n"
        "                                         WHERE s.id = v_sign_in)) END,\n",
    )
    body = _edit(body, _ACTOR, "v_actor", count=3)
    body = body.replace("v_actor := v_actor;", f"v_actor := {_ACTOR};")
    body = _edit(
        body,
        "'field', 'reported by', 'reason', 'is not the email of an active user');",
        "'field', 'reported by', 'reason',\n"
        "                coalesce(v_device_reason, 'is not the email of an active user'));",
    )
    batch = f"""
CREATE FUNCTION public.leanops_report_batch(
    p_ids uuid[], p_stations text[], p_jobs text[], p_qtys integer[],
    p_confirm boolean[], p_reported_by text[],
    p_actor text DEFAULT NULL, p_role text DEFAULT NULL, p_tapped_at timestamptz[] DEFAULT NULL
) RETURNS TABLE (
    item integer, code text, message text, detail jsonb, counted boolean,
    assignment_qty_done integer, job_qty_done integer
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_SAFE_PATH}
AS $fn${body}$fn$
"""

    def device_checked(
        sql: str, signature_end: tuple[str, str], check: str, *, at: str = "BEGIN\n"
    ) -> str:
        sql = _edit(sql, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        sql = _edit(sql, signature_end[0], signature_end[1])
        sql = _edit(sql, "DECLARE\n", f"DECLARE\n    v_actor text := {_ACTOR};\n")
        sql = sql.replace(_ACTOR, "v_actor").replace(
            "v_actor text := v_actor;", f"v_actor text := {_ACTOR};"
        )
        return _edit(sql, at, at + check)

    operator_arg = (
        "p_role text DEFAULT NULL\n)",
        "p_role text DEFAULT NULL, p_operator text DEFAULT NULL\n)",
    )
    now_check = (
        "    IF v_role = 'device' THEN\n"
        "        v_actor := public.leanops_device_actor(p_station, p_operator, now());\n"
        "    END IF;\n"
    )
    block = device_checked(m._BLOCK, operator_arg, now_check)
    unblock = device_checked(m._UNBLOCK, operator_arg, now_check)
    complete = device_checked(
        m._COMPLETE,
        (
            "    p_role text DEFAULT NULL\n)",
            "    p_role text DEFAULT NULL, p_operator text DEFAULT NULL\n)",
        ),
        now_check,
    )
    not_found = "    IF NOT v_found THEN\n        " + m._not_found("report", "p_log::text")
    correct = device_checked(
        m._CORRECT,
        (
            "p_role text DEFAULT NULL\n)",
            "p_role text DEFAULT NULL,\n"
            "    p_operator text DEFAULT NULL, p_tapped_at timestamptz DEFAULT NULL\n)",
        ),
        "\n    END IF;\n"
        "    -- A kiosk takes back only what it reported, for an operator signed in at it.\n"
        "    IF v_role = 'device' THEN\n"
        "        v_actor := public.leanops_device_actor(orig.station_id, p_operator,\n"
        "                                               coalesce(p_tapped_at, now()));\n"
        "        IF NOT EXISTS (SELECT 1 FROM public.events_log e\n"
        "                        WHERE e.station_id = orig.station_id\n"
        "                          AND e.event_type = 'qty_reported'\n"
        f"                          AND e.\"timestamp\" >= orig.logged_at - interval '{TAP_SKEW}'\n"
        "                          AND e.meta ->> 'log_id' = p_log::text\n"
        "                          AND e.meta ->> 'device' = session_user::text) THEN\n"
        + "            "
        + _refuse_device(
            "'a kiosk takes back only the reports it made'",
            "jsonb_build_object('report', p_log)",
        )
        + "\n        END IF;",
        at=not_found,
    )
    refused = _edit(
        m._LOG_REFUSED,
        "    IF public.leanops_group_of(session_user) IS NOT NULL\n",
        "    IF (public.leanops_group_of(session_user) IS NOT NULL OR v_role = 'device')\n",
    )
    refused = _edit(
        refused,
        "    IF p_event_id IS NULL OR p_report_id IS NULL THEN\n",
        "    IF v_role = 'device' AND p_station IS DISTINCT FROM public.leanops_device_station()"
        " THEN\n        "
        + _refuse_device(
            "'a kiosk logs refusals of its own station only'",
            "jsonb_build_object('station', p_station)",
        )
        + "\n    END IF;\n    IF p_event_id IS NULL OR p_report_id IS NULL THEN\n",
    )
    refused = refused.replace(
        _ACTOR, f"CASE WHEN v_role = 'device' THEN session_user::text ELSE {_ACTOR} END"
    )
    return [batch, block, unblock, complete, correct, refused]


#: Signatures replaced by ones with trailing, defaulted arguments (old calls still work).
_REPLACED = (
    "leanops_report_batch(uuid[], text[], text[], integer[], boolean[], text[], text, text)",
    "leanops_correct_report(uuid, uuid, text, text)",
    "leanops_block_station(text, text, text, text)",
    "leanops_unblock_station(text, text, text)",
    "leanops_complete_job(text, text, text, text)",
)
_NEW_FLOOR = (
    "leanops_report_batch(uuid[], text[], text[], integer[], boolean[], text[], text, text,"
    " timestamp with time zone[])",
    "leanops_correct_report(uuid, uuid, text, text, text, timestamp with time zone)",
    "leanops_block_station(text, text, text, text, text)",
    "leanops_unblock_station(text, text, text, text)",
    "leanops_complete_job(text, text, text, text, text)",
)
_GROUPS_AND_DEVICE = ("operator", "supervisor", "admin", "device")
#: function -> the plant roles that may execute it (docs/security.md; tests/test_pg_attacks).
_EXECUTE: dict[str, tuple[str, ...]] = {
    **{signature: _GROUPS_AND_DEVICE for signature in _NEW_FLOOR},
    "leanops_report(uuid, text, text, integer, boolean, text, text, text)": _GROUPS_AND_DEVICE,
    "leanops_log_report_refused(uuid, uuid, text, text, text, integer, text,"
    " timestamp with time zone, text, text, text, text)": _GROUPS_AND_DEVICE,
    "leanops_device_station()": ("device",),
    "leanops_kiosk_sign_in(text, text, text)": ("device",),
    "leanops_kiosk_sign_out(uuid)": ("device",),
    "leanops_kiosk_offline_sign_in(uuid, text, text, text, timestamp with time zone,"
    " timestamp with time zone)": ("device",),
    "leanops_enroll_kiosk(text, text)": ("admin",),
    "leanops_revoke_kiosk(text)": ("admin",),
    "leanops_set_operator_pin(text, text)": ("admin",),
    "leanops_set_operator_badge(text, text)": ("admin",),
    "leanops_operator_credentials()": ("admin",),
}
#: Helpers only the owner runs (inside the functions above).
_OWNER_ONLY = (
    "leanops_sha256_iterated(text, text)",
    "leanops_secret_hash(text)",
    "leanops_secret_matches(text, text)",
    "leanops_badge_digest(text)",
    "leanops_device_sign_in(text, timestamp with time zone)",
    "leanops_device_actor(text, text, timestamp with time zone)",
)

#: table -> plant roles that read it, and the read policy's condition per role.
_DEVICE_READS = {
    "stations": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "jobs": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "station_assignments": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "performance_logs": "station_id = (SELECT public.leanops_device_station())",
    "events_log": "station_id = (SELECT public.leanops_device_station())",
    "change_feed": "(SELECT public.leanops_device_station()) IS NOT NULL",
    "alembic_version": "(SELECT public.leanops_device_station()) IS NOT NULL",
}
_KIOSK_READERS = {
    "kiosk_devices": ("admin",),
    "kiosk_sign_ins": ("supervisor", "admin"),
}


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def _grants() -> list[str]:
    statements = []
    for signature, kinds in _EXECUTE.items():
        roles = ", ".join("%I" for _ in kinds)
        args = ", ".join(f"public.leanops_plant_role('{kind}')" for kind in kinds)
        statements.append(
            f"DO $g$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION public.{signature}"
            f" TO {roles}', {args}); END $g$"
        )
    for table, condition in _DEVICE_READS.items():
        statements.append(
            f"""
DO $t$
BEGIN
    EXECUTE format('GRANT SELECT ON public.{table} TO %I', public.leanops_plant_role('device'));
    EXECUTE format('CREATE POLICY {table}_device ON public.{table} FOR SELECT TO %I USING (%s)',
                   public.leanops_plant_role('device'), {_quote(condition)});
END
$t$
"""
        )
    for table in _TABLES:
        readers = _KIOSK_READERS.get(table, ())
        read = ""
        if readers:
            roles = ", ".join("%I" for _ in readers)
            args = ", ".join(f"public.leanops_plant_role('{kind}')" for kind in readers)
            using = (
                "(SELECT public.leanops_group_of(session_user)) IN ("
                + ", ".join(f"'{kind}'" for kind in readers)
                + ")"
            )
            read = (
                f"    EXECUTE format('GRANT SELECT ON public.{table} TO {roles}', {args});\n"
                f"    EXECUTE format('CREATE POLICY {table}_read ON public.{table} FOR SELECT"
                f" TO {roles} USING (%s)', {args}, {_quote(using)});\n"
            )
        statements.append(
            f"""
DO $t$
BEGIN
    EXECUTE format('ALTER TABLE public.{table} OWNER TO %I', public.leanops_plant_role('owner'));
    EXECUTE 'REVOKE ALL ON public.{table} FROM PUBLIC';
    EXECUTE 'ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY';
    EXECUTE 'ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY';
    EXECUTE format('CREATE POLICY {table}_owner ON public.{table} TO %I'
                   ' USING (true) WITH CHECK (true)', public.leanops_plant_role('owner'));
{read}END
$t$
"""
        )
    return statements


def upgrade() -> None:
    _tables()
    if op.get_context().dialect.name != "postgresql":
        op.execute(
            sa.text(
                "INSERT INTO kiosk_secrets (name, value) VALUES ('badge_pepper', :pepper)"
            ).bindparams(pepper=secrets.token_hex(32))
        )
        return
    from leanops_desktop.db.pg_lockdown import LOCKDOWN_SQL

    op.execute(_PEPPER)
    op.execute(_DEVICE_ROLE)
    op.execute(_PGCRYPTO)
    op.execute(_FUNCTIONS["leanops_sha256_iterated(text, text)"])
    op.execute(_HASHERS)
    for signature, sql in _FUNCTIONS.items():
        if signature != "leanops_sha256_iterated(text, text)":
            op.execute(sql)
    op.execute(_STAMP_EVENT_ACTOR)
    for signature in _REPLACED:
        op.execute(f"DROP FUNCTION public.{signature}")
    for sql in _floor_functions():
        op.execute(sql)
    for signature in (*_EXECUTE, *_OWNER_ONLY):
        op.execute(
            f"DO $o$ BEGIN EXECUTE format('ALTER FUNCTION public.{signature} OWNER TO %I',"
            f" public.leanops_plant_role('owner')); END $o$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
    for statement in _grants():
        op.execute(statement)
    op.execute(LOCKDOWN_SQL)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        raise NotImplementedError(
            "migration 0012 (kiosk devices) cannot be undone in place: revoke the kiosks, then"
            " restore a backup taken before the upgrade"
        )
    for table in reversed(_TABLES):
        op.drop_table(table)
