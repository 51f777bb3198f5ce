"""Operators' floor actions as database functions that check every rule the services check.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


_OWNER = "leanops_owner"
_GROUPS = "leanops_operator, leanops_supervisor, leanops_admin"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"

# Who is calling, as the floor functions see it. A signed-in LeanOps user is the role of
# their group (the client's claim is ignored); IT's own account (a member of the owner
# role, as in `leanops db` commands and the demo) acts as the role the client names;
# anyone else is refused. Migration 0010 re-creates this body for its per-plant roles.
_CALLER_ROLE = f"""
CREATE FUNCTION public.leanops_caller_role(p_claimed text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SAFE_PATH} AS $fn$
DECLARE
    grp text := public.leanops_group_of(session_user);
BEGIN
    IF grp IS NOT NULL THEN
        RETURN grp;
    END IF;
    IF pg_catalog.pg_has_role(session_user, '{_OWNER}', 'MEMBER') THEN
        RETURN CASE WHEN p_claimed IN ('operator', 'supervisor', 'admin')
                    THEN p_claimed ELSE 'admin' END;
    END IF;
    RAISE EXCEPTION 'only a signed-in LeanOps user may do this'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(_CALLER_ROLE)
    op.execute(f"ALTER FUNCTION public.leanops_caller_role(text) OWNER TO {_OWNER}")
    op.execute("REVOKE ALL ON FUNCTION public.leanops_caller_role(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.leanops_caller_role(text) TO {_GROUPS}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS public.leanops_caller_role(text)")
