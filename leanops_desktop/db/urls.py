"""PostgreSQL URLs naming several servers: ``postgresql://u@db1:5432,db2:5432/leanops``.

libpq tries the servers in order (with ``target_session_attrs=read-write`` it skips a
read-only standby), which is how seats fail over to a promoted standby. SQLAlchemy's URL
parser reads such a host list as one host with the port ``5432,db2:5432``; here the list is
moved into the query (``?host=db1,db2&port=5432,5432``), the form libpq and SQLAlchemy's
psycopg dialect both take, so the rest of the program sees an ordinary URL. The libpq form
written by hand (``postgresql://u@/leanops?host=db1,db2&port=5432,5432``) is checked the
same way. Errors never repeat the URL (it may hold a password).
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from leanops_desktop.core.errors import ConfigError

#: scheme://[userinfo@]host[:port],host[:port]...[/database][?query]
_HOST_LIST = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<userinfo>[^@/?#]*@)?"
    r"(?P<hosts>[^/?#@]*,[^/?#@]*)(?P<rest>[/?#].*)?$",
    re.DOTALL,
)
_PLACEHOLDER = "leanops-host-list"
_UNREADABLE = "cannot read the database URL"

#: One server of a URL: its host and its port (None: libpq's default, 5432).
Server = tuple[str, int | None]


def parse_url(text: str) -> URL:
    """``make_url`` that also reads a list of servers; raises :class:`ConfigError`."""
    found = _HOST_LIST.match(text)
    if found is None:
        try:
            url = make_url(text)
        except ArgumentError:
            raise ConfigError(
                f"{_UNREADABLE}: write a SQLite file path or postgresql://user@host:5432/database"
            ) from None
        except ValueError:  # SQLAlchemy reads the port as a number
            raise ConfigError(f"{_UNREADABLE}: the port is not a number") from None
        servers_of(url)  # a hand-written ?host=...&port=... list is checked here
        return url
    servers = [_server(part) for part in found["hosts"].split(",")]
    userinfo = found["userinfo"] or ""
    try:
        url = make_url(f"{found['scheme']}://{userinfo}{_PLACEHOLDER}{found['rest'] or ''}")
    except (ArgumentError, ValueError):
        raise ConfigError(f"{_UNREADABLE}: write postgresql://user@db1:5432,db2:5432/db") from None
    ports_apart = "port" in url.query and all(port is None for _host, port in servers)
    if "host" in url.query or ("port" in url.query and not ports_apart):
        raise ConfigError(
            f"{_UNREADABLE}: name the servers before the database or as ?host=...&port=...,"
            " not both"
        )
    without_host = URL.create(  # URL.set cannot take a host away
        url.drivername, url.username, url.password, database=url.database, query=url.query
    )
    if ports_apart:  # postgresql://u@db1,db2/leanops?port=6432: libpq's own form
        listed = without_host.update_query_dict({"host": ",".join(h for h, _p in servers)})
        servers_of(listed)
        return listed
    return with_servers(without_host, servers)


def with_servers(url: URL, servers: list[Server]) -> URL:
    """``url`` naming ``servers`` in its query (libpq's ``host=h1,h2&port=p1,p2``)."""
    query = {"host": ",".join(host for host, _port in servers)}
    if any(port is not None for _host, port in servers):
        query["port"] = ",".join("" if port is None else str(port) for _host, port in servers)
    return url.update_query_dict(query)


def servers_of(url: URL) -> list[Server]:
    """The servers ``url`` names, in the order libpq tries them (empty for a SQLite URL or
    none named: a local socket)."""
    hosts_text = url.query.get("host")
    if hosts_text is None:
        return [(url.host, url.port)] if url.host else []
    if not isinstance(hosts_text, str) or url.host:
        raise ConfigError(f"{_UNREADABLE}: name the servers once, as ?host=db1,db2&port=5432,5432")
    hosts = [host.strip() for host in hosts_text.split(",")]
    ports_text = url.query.get("port")
    if ports_text is None:
        ports: list[int | None] = [url.port] * len(hosts)
    elif not isinstance(ports_text, str):
        raise ConfigError(f"{_UNREADABLE}: give the ports once, as ?port=5432,5432")
    else:
        port_parts = ports_text.split(",")
        if len(port_parts) == 1:  # one port for every server, as libpq takes it
            port_parts *= len(hosts)
        if len(port_parts) != len(hosts):
            raise ConfigError(f"{_UNREADABLE}: {len(hosts)} servers but {len(port_parts)} ports")
        ports = [_port(part, host) for part, host in zip(port_parts, hosts, strict=True)]
    if any(not host for host in hosts):
        raise ConfigError(f"{_UNREADABLE}: a server in the list has no name")
    return list(zip(hosts, ports, strict=True))


def describe_servers(url: URL) -> str:
    """``db1:5432,db2:5432`` (``localhost`` when none is named)."""
    servers = servers_of(url)
    if not servers:
        return "localhost"
    named = (f"[{host}]" if ":" in host else host for host, _port in servers)
    return ",".join(
        f"{host}:{port}" if port else host
        for host, (_name, port) in zip(named, servers, strict=True)
    )


def _server(part: str) -> Server:
    part = part.strip()
    if part.startswith("["):  # [2001:db8::1]:5432
        host, _, after = part[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else after
    else:
        host, _, port_text = part.partition(":")
    if not host:
        raise ConfigError(f"{_UNREADABLE}: a server in the list has no name")
    return host, _port(port_text, host)


def _port(text: str, host: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{_UNREADABLE}: the port of {host} is not a number from 1 to 65535")
    return int(text)
