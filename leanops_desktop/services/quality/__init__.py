"""Quality and planned time: scrap reports, the downtime reason tree, the shift calendar and
ideal cycle times (migration 0014). On PostgreSQL each write is one call of a database
function that checks the same rules; on SQLite the services check them here."""
