"""Alembic environment: runs with a connection handed in by leanops_desktop.db.migrate."""

from __future__ import annotations

from alembic import context

from leanops_desktop.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Emit the SQL script (``leanops db sql``) without a database."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},  # keep % signs in function bodies as written
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
