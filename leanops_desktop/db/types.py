"""Column types that behave the same on PostgreSQL and SQLite.

* :class:`GUID`: native ``uuid`` on PostgreSQL, 36-character text on SQLite.
* :class:`UTCDateTime`: ``timestamptz`` on PostgreSQL; on SQLite ISO text in UTC
  (``YYYY-MM-DD HH:MM:SS.ffffff``) that sorts as it reads. Always returns aware UTC datetimes.
* :data:`JSONB`: ``jsonb`` on PostgreSQL, JSON text on SQLite.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, TypeDecorator
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeEngine

JSONB = JSON().with_variant(postgresql.JSONB(), "postgresql")

#: SQLite expression for "now" in the stored format (UTC, microseconds).
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"


class utcnow(FunctionElement[datetime]):  # noqa: N801 - reads like SQL's now()
    """The database's current time in the stored form: ``now()`` or its SQLite equivalent."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(utcnow, "postgresql")
def _utcnow_postgresql(element: utcnow, compiler: SQLCompiler, **kw: Any) -> str:
    return "now()"


@compiles(utcnow, "sqlite")
def _utcnow_sqlite(element: utcnow, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({SQLITE_NOW})"


class GUID(TypeDecorator[uuid.UUID]):
    """A UUID: ``uuid`` on PostgreSQL, ``CHAR(36)`` text on SQLite."""

    impl = String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        return dialect.type_descriptor(String(36))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        as_uuid = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return as_uuid if dialect.name == "postgresql" else str(as_uuid)

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(str(value))


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: pass a timezone-aware datetime")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.strftime("%Y-%m-%d %H:%M:%S.%f")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
