"""Who may sign in and as what: sign-in (SQLite users or PostgreSQL logins), password hashes
and the administration of accounts."""
