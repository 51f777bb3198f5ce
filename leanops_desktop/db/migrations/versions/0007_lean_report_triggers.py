"""Fewer trigger calls per quantity report, and no change-feed rows for counter updates.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

A report fired eleven trigger calls on PostgreSQL: the link and count triggers, the rollup,
and the feed on ``performance_logs``; then, for the count's two updates, the guard and the
feed on ``jobs`` and the stamp, the guard and the feed on ``station_assignments``; then the
actor stamp and the feed on ``events_log``. Triggers were about 45% of a report's server CPU
(measured with ``perf``), and the feed alone, four rows and four notifications per report,
a quarter. Now:

* **One AFTER INSERT trigger on ``performance_logs``** (``leanops_log_written``) adds the
  log to its assignment's ``qty_done`` and its job's ``qty_reported``, to the 15-minute
  rollup, and writes its feed row, in one call. It replaces the count, rollup and feed
  triggers of that table; what it does is unchanged.
* **The link trigger runs only when it has work**: ``WHEN (NEW.assignment_id IS NULL)``
  (the report functions pass the assignment they locked).
* **Counter updates are not in the change feed.** An update of ``jobs`` that changes
  ``qty_reported``, or of ``station_assignments`` that changes ``qty_done``, is the count
  trigger's (the guards refuse anyone else), and its cause, the new log, is in the feed
  already: every view re-reads a log's job and assignments when it sees the log. Every
  other insert, update and delete of those tables is in the feed as before. This halves
  the feed's rows, and so the reads every open window makes per report.
* **The guards skip the owner's updates** in their ``WHEN`` clause instead of in their body
  (``current_user`` is the owner inside the count trigger), so the count's updates call no
  guard function. Inserts and everyone else's updates are checked as before.
* **One notification per transaction.** The feed notified with each row's sequence number;
  listeners never read the payload (they read the feed), and identical notifications of
  one transaction are sent once. An empty payload makes a report's wake-up a single one.
* **At most one notification per 10 ms.** PostgreSQL serializes the commits of all
  transactions that NOTIFY under one lock, held through the commit's WAL flush: with
  durable commits, 50 kiosks at 1,000 reports/s queued behind each other (p50 24-48 ms,
  measured; 2-3 ms with no notifications). ``leanops_wake()``, called by the feed triggers,
  notifies only when no transaction did in the last 10 ms; the time of the last one is kept
  in the sequence ``leanops_wake_clock`` (sequences are not transactional, so reading and
  setting it never waits on another transaction). A change whose notification was skipped
  commits moments after one that notified; listeners read the feed once more shortly after
  every update they get, and look at its newest number with every heartbeat, so such a
  change arrives with the next read (within about 60 ms), or at worst one heartbeat later.

SQLite gets the same feed rule: the ``jobs`` update feed skips ``qty_reported`` changes and
the ``station_assignments`` feed follows updates of the columns a person changes (station,
job, start) instead of every ``updated_at`` stamp, so a count update still stamps
``updated_at`` but is not in the feed.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OWNER = "leanops_owner"
_SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"
#: Milliseconds between two notifications at most (see the module docstring).
_WAKE_EVERY_MS = 10
_NOTIFY = "PERFORM public.leanops_wake();"
#: ``slot_sql('postgresql', ...)`` of migration 0005 (its 15-minute UTC slot).
_SLOT = """date_bin('15 minutes', NEW."timestamp", TIMESTAMPTZ '2000-01-01 00:00:00+00')"""


def _feed_function(notify: str) -> str:
    """``leanops_feed`` (0001, made SECURITY DEFINER by 0002) with the given notification."""
    return f"""
        CREATE OR REPLACE FUNCTION public.leanops_feed() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        DECLARE
            key text;
            new_seq bigint;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                key := OLD.id::text;
            ELSE
                key := NEW.id::text;
            END IF;
            INSERT INTO public.change_feed (table_name, row_key, op)
            VALUES (TG_TABLE_NAME, key, left(TG_OP, 1))
            RETURNING seq INTO new_seq;
            {notify}
            RETURN NULL;
        END
        $$
    """


def _pg_upgrade() -> None:
    _wake_function()
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_log_written() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {_SAFE_PATH} AS $$
        BEGIN
            UPDATE public.station_assignments
               SET qty_done = qty_done + NEW.qty_completed
             WHERE id = NEW.assignment_id;
            UPDATE public.jobs
               SET qty_reported = qty_reported + NEW.qty_completed
             WHERE id = NEW.job_id;
            INSERT INTO public.throughput_rollup AS r (slot_start, station_id, job_id, units)
            VALUES ({_SLOT}, coalesce(NEW.station_id, ''), coalesce(NEW.job_id, ''),
                    NEW.qty_completed)
            ON CONFLICT (slot_start, station_id, job_id)
            DO UPDATE SET units = r.units + EXCLUDED.units;
            INSERT INTO public.change_feed (table_name, row_key, op)
            VALUES ('performance_logs', NEW.id::text, 'I');
            {_NOTIFY}
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_log_written() OWNER TO {_OWNER}")
    op.execute("REVOKE ALL ON FUNCTION public.leanops_log_written() FROM PUBLIC")
    for trigger in ("count", "rollup", "feed", "link"):
        op.execute(f"DROP TRIGGER trg_performance_logs_{trigger} ON public.performance_logs")
    op.execute(
        "CREATE TRIGGER trg_performance_logs_link BEFORE INSERT ON public.performance_logs"
        " FOR EACH ROW WHEN (NEW.assignment_id IS NULL)"
        " EXECUTE FUNCTION public.leanops_count_log()"
    )
    op.execute(
        "CREATE TRIGGER trg_performance_logs_written AFTER INSERT ON public.performance_logs"
        " FOR EACH ROW EXECUTE FUNCTION public.leanops_log_written()"
    )
    for table, counter in (("jobs", "qty_reported"), ("station_assignments", "qty_done")):
        op.execute(f"DROP TRIGGER trg_{table}_feed ON public.{table}")
        op.execute(
            f"CREATE TRIGGER trg_{table}_feed AFTER INSERT OR DELETE ON public.{table}"
            " FOR EACH ROW EXECUTE FUNCTION public.leanops_feed()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_feed_update AFTER UPDATE ON public.{table}"
            f" FOR EACH ROW WHEN (OLD.{counter} IS NOT DISTINCT FROM NEW.{counter})"
            " EXECUTE FUNCTION public.leanops_feed()"
        )
    for table, trigger, function in (
        ("jobs", "trg_jobs_guard_count", "leanops_guard_job_count"),
        ("station_assignments", "trg_station_assignments_guard", "leanops_guard_assignment"),
    ):
        op.execute(f"DROP TRIGGER {trigger} ON public.{table}")
        op.execute(
            f"CREATE TRIGGER {trigger} BEFORE INSERT ON public.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION public.{function}()"
        )
        op.execute(
            f"CREATE TRIGGER {trigger}_update BEFORE UPDATE ON public.{table}"
            f" FOR EACH ROW WHEN (current_user <> '{_OWNER}')"
            f" EXECUTE FUNCTION public.{function}()"
        )
    op.execute(_feed_function(_NOTIFY))


def _wake_function() -> None:
    op.execute("CREATE SEQUENCE public.leanops_wake_clock MINVALUE 0 START 0")
    op.execute(f"ALTER SEQUENCE public.leanops_wake_clock OWNER TO {_OWNER}")
    op.execute("REVOKE ALL ON SEQUENCE public.leanops_wake_clock FROM PUBLIC")
    # Called by the feed triggers, which run as the owner.
    op.execute(
        f"""
        CREATE FUNCTION public.leanops_wake() RETURNS void
        LANGUAGE plpgsql {_SAFE_PATH} AS $$
        DECLARE
            now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
            last_ms bigint := coalesce(pg_sequence_last_value('public.leanops_wake_clock'), 0);
        BEGIN
            -- (A clock set back must not silence the notifications until it catches up.)
            IF now_ms - last_ms >= {_WAKE_EVERY_MS} OR now_ms < last_ms THEN
                PERFORM setval('public.leanops_wake_clock', now_ms);
                PERFORM pg_notify('leanops_changes', '');
            END IF;
        END
        $$
        """
    )
    op.execute(f"ALTER FUNCTION public.leanops_wake() OWNER TO {_OWNER}")
    op.execute("REVOKE ALL ON FUNCTION public.leanops_wake() FROM PUBLIC")
    # Supabase's default privileges give its API roles rights on every new sequence and
    # function; setting the clock ahead would silence the notifications.
    op.execute(
        """
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON SEQUENCE public.leanops_wake_clock FROM %I',
                                   api_role);
                    EXECUTE format('REVOKE ALL ON FUNCTION public.leanops_wake() FROM %I',
                                   api_role);
                END IF;
            END LOOP;
        END
        $$
        """
    )


def _pg_downgrade() -> None:
    op.execute(_feed_function("PERFORM pg_notify('leanops_changes', new_seq::text);"))
    for table, trigger, function in (
        ("jobs", "trg_jobs_guard_count", "leanops_guard_job_count"),
        ("station_assignments", "trg_station_assignments_guard", "leanops_guard_assignment"),
    ):
        op.execute(f"DROP TRIGGER {trigger}_update ON public.{table}")
        op.execute(f"DROP TRIGGER {trigger} ON public.{table}")
        op.execute(
            f"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON public.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION public.{function}()"
        )
    for table in ("jobs", "station_assignments"):
        op.execute(f"DROP TRIGGER trg_{table}_feed_update ON public.{table}")
        op.execute(f"DROP TRIGGER trg_{table}_feed ON public.{table}")
        op.execute(
            f"CREATE TRIGGER trg_{table}_feed AFTER INSERT OR UPDATE OR DELETE ON public.{table}"
            " FOR EACH ROW EXECUTE FUNCTION public.leanops_feed()"
        )
    op.execute("DROP TRIGGER trg_performance_logs_written ON public.performance_logs")
    op.execute("DROP TRIGGER trg_performance_logs_link ON public.performance_logs")
    op.execute("DROP FUNCTION public.leanops_log_written()")
    op.execute("DROP FUNCTION public.leanops_wake()")
    op.execute("DROP SEQUENCE public.leanops_wake_clock")
    for when, name, function in (
        ("BEFORE", "link", "leanops_count_log"),
        ("AFTER", "count", "leanops_count_log"),
        ("AFTER", "feed", "leanops_feed"),
        ("AFTER", "rollup", "leanops_rollup_log"),
    ):
        op.execute(
            f"CREATE TRIGGER trg_performance_logs_{name} {when} INSERT ON public.performance_logs"
            f" FOR EACH ROW EXECUTE FUNCTION public.{function}()"
        )


def _sqlite_feed(table: str, event: str, when: str = "") -> None:
    op.execute(f"DROP TRIGGER trg_{table}_feed_update")
    op.execute(
        f"CREATE TRIGGER trg_{table}_feed_update AFTER {event} ON {table} FOR EACH ROW{when}"
        " BEGIN INSERT INTO change_feed (table_name, row_key, op)"
        f" VALUES ('{table}', NEW.id, 'U'); END"
    )


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_upgrade()
        return
    _sqlite_feed("jobs", "UPDATE", " WHEN OLD.qty_reported IS NEW.qty_reported")
    # Not "UPDATE OF updated_at": the count's update is stamped too. The stamping update
    # itself changes only updated_at, so each change a person makes is in the feed once.
    _sqlite_feed("station_assignments", "UPDATE OF station_id, job_id, started_at")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_downgrade()
        return
    _sqlite_feed("jobs", "UPDATE")
    _sqlite_feed("station_assignments", "UPDATE OF updated_at")
