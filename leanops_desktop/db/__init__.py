"""Database layer: ORM schema, engine and sessions, migrations, triggers, change feed."""
