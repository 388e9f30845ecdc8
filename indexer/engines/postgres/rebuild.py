"""``minutes reindex`` on a database: build the new content beside the live one, then swap it in.

Why a second schema and not one long transaction: a rebuild of a national archive runs for
hours, and a transaction that long holds back vacuum on every table, keeps every replaced row
twice until it ends, and loses all of the work to one dropped connection.  Here every batch
commits on its own, into tables nobody reads, and only the swap is one transaction.

1. ``begin``: take the writers' run lock (``engine.take_run_lock``: a running ingest, harvest,
   forget or reindex makes it wait, then fail in one line; theirs wait for it likewise) and the
   writers' lock for the whole run (a write outside any run waits; a killed reindex lets go of
   both with its connection) and the ``db init`` lock shared (no migration changes the live
   tables under the build); each of the three waits at most ``engine.WRITER_WAIT_S``, then fails
   in one line naming the holder (``engine.take_lock``).  Create the schema ``minutes_rebuild``
   by replaying every migration in it — exactly what ``db init`` does on an empty database, so
   the build tables, indexes and sequence have the live ones' shape and names whatever the
   schema version — and keep the tables a rebuild refills (``REBUILT``); the rest (sources,
   take-downs, harvest state, municipalities, the generation counter) stay the live ones.
   ``withdrawn`` starts as a copy: an item that comes back is taken out of it as on ingest.
   Under Citus the build tables are distributed like the live ones.
2. The ingest writes through a ``Database`` whose search path puts the build schema first.
   The versions fold also sees every item the live content holds closed (``Database._held``),
   and ``keep_closed`` carries over the closed stubs of meetings the rebuild did not read at
   all: access only tightens, also across a reindex.
3. ``swap``: in one transaction, move the live tables (and their sequence) into
   ``minutes_previous``, the build tables into the live schema, bump the generation and stamp
   the content with this program's ``ANALYSIS_VERSION`` (every term was analysed again).
   Readers see the old content until that commit and the new one after; a statement waiting
   on the swap's locks resolves the table names again and reads the new tables.  The swap
   waits at most ``LOCK_WAIT`` for each lock and retries, so it never holds readers up long
   nor deadlocks one (a reader's deadlock check would run only after a second of waiting).
4. ``abandon`` (a failed or interrupted build) drops the build schema; a killed one leaves it
   behind and the next ``begin`` drops it.  The live tables are never touched before the swap.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from indexer.analysis import ANALYSIS_VERSION
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import (
    INGEST_LOCK,
    BuildSchema,
    Database,
    lock_session,
    take_lock,
    take_run_lock,
)
from indexer.workers import raise_if_stopped

BUILD = "minutes_rebuild"
PREVIOUS = "minutes_previous"
# The tables a rebuild refills; the others are shared by the old and the new content.
REBUILT = ("items", "postings", "term_stats", "field_stats", "attachments", "route_evidence", "withdrawn")
LOCK_WAIT = "200ms"
SWAP_ATTEMPTS = 100
INIT_BUSY = "minutes db init is upgrading this database{held}; try again when it has finished"


class ReindexFailed(RuntimeError):
    """The rebuild did not complete; the live content was left as it was (one line for the user)."""


@dataclass
class Rebuild:
    """One rebuild in progress: its lock session, and where it writes."""

    url: str
    live: str  # the schema serving the content now (``public`` unless the database says otherwise)
    session: psycopg.Connection

    @classmethod
    def begin(cls, url: str) -> Rebuild:
        session = lock_session(url)
        try:
            take_run_lock(session, url)  # an ingest, harvest, forget or reindex running: wait, then fail clearly
            # A writer of an older version takes only the writers' lock, batch by batch (and an older
            # reindex holds it for its whole run); a batch may be stuck: wait as for the run lock.
            take_lock(session, url, INGEST_LOCK)
            take_lock(
                session,
                url,
                schema.INIT_LOCK,
                shared=True,
                busy=INIT_BUSY,
                waiting_for="minutes db init",
            )
            schema.check(session, url)
            row = session.execute(
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = to_regclass('items')"
            ).fetchone()
            live = str(row[0]) if row else "public"
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", live) or live in (BUILD, PREVIOUS):
                raise ReindexFailed(f"the live tables are in schema {live!r}, which a reindex cannot swap")
            rebuild = cls(url, live, session)
            rebuild._drop_leftovers()
            rebuild._create()
            return rebuild
        except BaseException:
            session.close()
            raise

    def _drop_leftovers(self) -> None:
        """A reindex that was killed leaves its build (or, after the swap, the old tables) behind."""
        for name in (BUILD, PREVIOUS):
            self.session.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))

    def _create(self) -> None:
        with self.session.transaction():
            self.session.execute(f"CREATE SCHEMA {BUILD}")
            self.session.execute(f"SET LOCAL search_path TO {BUILD}")
            for migration in schema.MIGRATIONS:
                if migration.sql:  # an ``upgrade`` changes content, and the build holds none yet
                    self.session.execute(migration.sql)  # type: ignore[arg-type]
            tables = [
                str(r[0])
                for r in self.session.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (BUILD,)
                ).fetchall()
            ]
            for table in tables:
                if table not in REBUILT:
                    self.session.execute(f"DROP TABLE {BUILD}.{table}")
            self.session.execute(f"INSERT INTO {BUILD}.withdrawn SELECT * FROM {self.live}.withdrawn")
            if self._distributed():
                for table in REBUILT:
                    if table in schema.REFERENCE:
                        self.session.execute("SELECT create_reference_table(%s)", (f"{BUILD}.{table}",))
                    else:
                        self.session.execute(
                            "SELECT create_distributed_table(%s, 'muni', colocate_with => %s)",
                            (f"{BUILD}.{table}", f"{self.live}.items"),
                        )

    def _distributed(self) -> bool:
        """Whether the live tables are Citus tables (then the build's must be too)."""
        if self.session.execute("SELECT to_regclass('pg_dist_partition') IS NOT NULL").fetchone() != (True,):
            return False
        row = self.session.execute(
            "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass(%s)", (f"{self.live}.items",)
        ).fetchone()
        return row is not None

    def database(self) -> Database:
        """The engine's writer and reader over the build tables (the live ones for everything else)."""
        return Database(self.url, build=BuildSchema(BUILD, self.live))

    def keep_closed(self) -> int:
        """Carry the closed stubs of meetings the rebuild did not read into the new content: they
        are the record that those items were closed, so a later ingest keeps them closed.
        Returns how many."""
        with self.session.transaction():
            rows = self.session.execute(
                f"""
                WITH kept AS (
                    INSERT INTO {BUILD}.items (muni, id, meeting_id, access, kind, committee, year, date,
                                              date_precision, case_key, topics, position, stored, lengths)
                    SELECT o.muni, o.id, o.meeting_id, o.access, o.kind, o.committee, o.year, o.date,
                           o.date_precision, o.case_key, o.topics, o.position, o.stored, '{{}}'::jsonb
                    FROM {self.live}.items o
                    WHERE o.access <> 'open'
                      AND NOT EXISTS (SELECT 1 FROM {BUILD}.items n WHERE n.meeting_id = o.meeting_id)
                      AND NOT EXISTS (SELECT 1 FROM {BUILD}.items n WHERE n.id = o.id)
                    RETURNING muni
                )
                SELECT muni, count(*) FROM kept GROUP BY muni
                """
            ).fetchall()
            for muni, count in rows:
                # Every item counts in field 0's documents (the engine's _insert does the same).
                self.session.execute(
                    f"INSERT INTO {BUILD}.field_stats (muni, field, docs, total_length) VALUES (%s, 0, %s, 0) "
                    "ON CONFLICT (muni, field) DO UPDATE SET docs = field_stats.docs + excluded.docs",
                    (muni, count),
                )
        return sum(int(n) for _, n in rows)

    def swap(self) -> list[str]:
        """Make the build live in one transaction; returns the archive names the new content no
        longer holds (the caller drops their cached text)."""
        raise_if_stopped()  # a Ctrl-C a finaliser swallowed still stops it here, before the swap
        for attempt in range(SWAP_ATTEMPTS):
            try:
                gone = self._swap_once()
                break
            except psycopg.errors.LockNotAvailable:
                if attempt == SWAP_ATTEMPTS - 1:
                    raise ReindexFailed("readers held the tables too long to swap them") from None
                time.sleep(min(0.05 * (attempt + 1), 1.0))
        self.session.execute(f"DROP SCHEMA IF EXISTS {PREVIOUS} CASCADE")
        self.session.execute(f"DROP SCHEMA IF EXISTS {BUILD} CASCADE")
        return gone

    def _swap_once(self) -> list[str]:
        live = self.live
        with self.session.transaction():
            self.session.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            schema.check(self.session, self.url)
            sequences = [
                str(r[0])
                for r in self.session.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind = 'S'",
                    (BUILD,),
                ).fetchall()
            ]
            self.session.execute(f"CREATE SCHEMA {PREVIOUS}")
            for table in REBUILT:
                self.session.execute(f"ALTER TABLE {live}.{table} SET SCHEMA {PREVIOUS}")
            for sequence in sequences:  # those no table owns (items_docno_seq) move on their own
                self.session.execute(f"ALTER SEQUENCE IF EXISTS {live}.{sequence} SET SCHEMA {PREVIOUS}")
            for table in REBUILT:
                self.session.execute(f"ALTER TABLE {BUILD}.{table} SET SCHEMA {live}")
            for sequence in sequences:
                self.session.execute(f"ALTER SEQUENCE IF EXISTS {BUILD}.{sequence} SET SCHEMA {live}")
            self.session.execute(
                f"UPDATE {live}.state SET generation = generation + 1, analysis = %s WHERE muni = 0",
                (ANALYSIS_VERSION,),
            )
            return [
                str(r[0])
                for r in self.session.execute(
                    f"SELECT name FROM {PREVIOUS}.attachments EXCEPT SELECT name FROM {live}.attachments"
                ).fetchall()
            ]

    def abandon(self) -> None:
        """Drop what was built; the live content was never touched."""
        with contextlib.suppress(psycopg.Error):  # else the next reindex drops it
            self.session.execute(f"DROP SCHEMA IF EXISTS {BUILD} CASCADE")

    def close(self) -> None:
        self.session.close()  # lets go of the locks
