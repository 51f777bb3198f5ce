"""Supabase's shared pooler (Supavisor, ``*.pooler.supabase.com``): the project reference.

Supavisor serves every Supabase project on the same host, so it finds the project from the
user name: ``role.project-ref``, split at the **last** dot (``olga@plant.example.abcd1234``
is the role ``olga@plant.example`` of project ``abcd1234``). LeanOps adds the reference
itself, so people type only their e-mail and password at sign-in.

The reference comes from the URL IT pasted (``postgresql://postgres.abcd1234@...``) or from
``leanops.toml`` (``[database] supabase_project = "abcd1234"``). It travels with the URL as
the query option ``supabase_project`` (so a user name set later at sign-in, or a kiosk's
device login, keeps it); the option is LeanOps' own and is never sent to the server.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

from leanops_desktop.core.errors import ConfigError

POOLER_HOST_SUFFIX = ".pooler.supabase.com"
#: The URL query option that carries the project reference (removed before connecting).
PROJECT_OPTION = "supabase_project"
_REF = re.compile(r"^[a-z0-9]{1,40}$")


def is_pooler(url: URL) -> bool:
    """Whether ``url`` points at Supabase's shared pooler."""
    host = (url.host or "").lower().rstrip(".")
    return host.endswith(POOLER_HOST_SUFFIX)


def check_project_ref(ref: str, where: str = "supabase_project") -> str:
    """The reference as Supabase writes it (lower-case letters and digits), else refused."""
    value = ref.strip()
    if not _REF.match(value):
        raise ConfigError(
            f"{where}: {value!r} is not a Supabase project reference (the lower-case letters"
            " and digits in db.<project-ref>.supabase.co)"
        )
    return value


def project_ref(url: URL) -> str | None:
    """The project reference ``url`` carries: its option, else its user name's last part."""
    option = url.query.get(PROJECT_OPTION)
    if isinstance(option, tuple):
        option = option[-1] if option else None
    if option:
        return check_project_ref(option, f"the database URL's {PROJECT_OPTION}")
    if is_pooler(url) and url.username and "." in url.username:
        return url.username.rsplit(".", 1)[1] or None
    return None


def carry_project_ref(url: URL, ref: str | None = None) -> URL:
    """On the pooler: the URL with its project reference as the option (``ref``, from the
    site config, when the URL has none of its own). Other hosts are left as they are."""
    if not is_pooler(url):
        return url
    own = project_ref(url)
    chosen = own or (check_project_ref(ref) if ref else None)
    if chosen is None:
        return url
    return url.update_query_dict({PROJECT_OPTION: chosen})


def with_project_ref(raw_url: str, ref: str | None) -> str:
    """``raw_url`` with the site config's project reference added when it is a pooler URL."""
    if not ref or "://" not in raw_url:
        return raw_url
    try:
        url = make_url(raw_url.strip())
    except Exception:
        return raw_url  # normalize_url says what is wrong with it
    if not is_pooler(url):
        return raw_url
    return carry_project_ref(url, ref).render_as_string(hide_password=False)


def pooler_user(role: str, ref: str) -> str:
    """The user name Supavisor expects for ``role`` in project ``ref``."""
    return f"{role}.{ref}"


def login_url(url: URL) -> URL:
    """The URL to connect with: on the pooler the user name gets ``.<project-ref>`` unless
    it already ends with it. A pooler URL without any reference is refused."""
    if not is_pooler(url) or not url.username:
        return url
    ref = project_ref(url)
    if ref is None:
        raise ConfigError(
            "Supabase's pooler needs the project reference: set [database] supabase_project"
            ' = "<project-ref>" in leanops.toml, or write the user as postgres.<project-ref>'
        )
    if url.username.endswith(f".{ref}"):
        return url
    return url.set(username=pooler_user(url.username, ref))


def pooler_refusal(url: URL, message: str) -> str | None:
    """What to tell a person the pooler refused (its "Tenant or user not found" covers an
    unknown e-mail and a wrong project reference alike); None for other messages."""
    if not is_pooler(url) or "tenant or user not found" not in message.lower():
        return None
    return (
        "wrong email or password (or Supabase's pooler does not know project"
        f" {project_ref(url) or '?'}: check [database] supabase_project)"
    )
