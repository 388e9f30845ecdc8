"""The PostgreSQL schema as versioned migrations, applied only by ``minutes db init``.

Every table carries ``muni`` (a small municipality code), the distribution column for
Citus: one municipality's rows live on one shard, so its searches touch one worker,
and a national search fans out.  The small shared tables (``schema_version``,
``municipalities``) are reference tables, copied to every worker.

Tables
  municipalities  muni ↔ name                                   (reference)
  items           one row per item: facet columns, date and its precision, agenda position, stored text and document, per-field lengths
  postings        one row per (field, term, item): term frequency, field length, positions
  term_stats      document and collection frequency per (muni, field, term), open items only: IDF, vocabulary
  field_stats     per (muni, field): documents and summed length, for BM25F's average field length
  attachments     open attachment files by content hash (bytea), so every web server reaches them
  sources         what was ingested, for ``minutes reindex``
  state           a generation counter bumped by each committed batch (readers refresh caches on it), and
                  the text analysis the content was written with (``ANALYSIS_VERSION``; NULL: before stamps)
  harvest_state   per harvested portal: each meeting's validators and document hash (``minutes harvest``)
  withdrawn       ids of items once published, then withdrawn or taken down: their URLs answer 410 (ids only)
  takedowns       ``minutes forget``: id, kind, time and reason, never content; later ingests leave them out
  route_evidence  per municipality: its open items' route abbreviations and the abbreviations their text
                  defines (counts), and the tables learnt from them
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg.pq import TransactionStatus

from indexer.analysis import ANALYSIS_VERSION
from indexer.engines import redact

SCHEMA_VERSION_TABLE = "minutes_schema_version"
INIT_LOCK = 7254811  # advisory lock: one ``db init`` at a time; a reindex holds it shared until its swap
EXTENSION_SCHEMA = "minutes_ext"  # where migration 6 creates fuzzystrmatch


@dataclass
class Upgraded:
    """What a migration's ``upgrade`` changed in the content the database held."""

    said: str = ""  # one line for the operator ("" when nothing changed)
    pruned: list[str] = field(default_factory=list)  # archive names no item refers to any more


@dataclass(frozen=True)
class Migration:
    version: int
    what: str
    sql: str
    # Run after ``sql``, in the same transaction, on a database that held a schema before: a change
    # to the content SQL cannot make (the text analysis is Python's).  Never in a reindex's build
    # schema, which starts empty.
    upgrade: Callable[[psycopg.Connection], Upgraded] | None = None


def _close_titled_attachments(conn: psycopg.Connection) -> Upgraded:
    """Migration 12 (see ``Database.close_titled_attachments``)."""
    from indexer.engines.postgres.engine import Database

    items, attachments, pruned = Database.close_titled_attachments(conn)
    said = f"closed {attachments} attachment(s) titled closed, in {items} item(s)" if items else ""
    return Upgraded(said, pruned)


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "tables for items, postings, statistics, attachments and sources",
        """
        CREATE TABLE municipalities (
            muni smallint PRIMARY KEY,
            name text NOT NULL UNIQUE
        );
        CREATE SEQUENCE items_docno_seq;
        CREATE TABLE items (
            muni smallint NOT NULL,
            docno bigint NOT NULL DEFAULT nextval('items_docno_seq'),
            id text NOT NULL,
            meeting_id text NOT NULL,
            access text NOT NULL,
            kind text NOT NULL,
            committee text NOT NULL,
            year text NOT NULL,
            date timestamp,
            case_key text NOT NULL DEFAULT '',
            topics text[] NOT NULL DEFAULT '{}',
            stored jsonb NOT NULL,
            lengths jsonb NOT NULL DEFAULT '{}',
            PRIMARY KEY (muni, docno)
        );
        CREATE INDEX items_id ON items (id);
        CREATE INDEX items_meeting ON items (meeting_id);
        CREATE INDEX items_case ON items (case_key) WHERE case_key <> '';
        CREATE INDEX items_date ON items (muni, date);
        CREATE TABLE postings (
            muni smallint NOT NULL,
            field smallint NOT NULL,
            term text NOT NULL,
            docno bigint NOT NULL,
            tf real NOT NULL,
            len real NOT NULL,
            positions integer[],
            PRIMARY KEY (field, term, muni, docno)
        );
        ALTER TABLE postings ALTER COLUMN term SET STORAGE MAIN;
        CREATE INDEX postings_doc ON postings (muni, docno);
        CREATE TABLE term_stats (
            muni smallint NOT NULL,
            field smallint NOT NULL,
            term text NOT NULL,
            df integer NOT NULL,
            cf double precision NOT NULL,
            PRIMARY KEY (field, term, muni)
        );
        CREATE INDEX term_stats_prefix ON term_stats (field, term text_pattern_ops);
        CREATE TABLE field_stats (
            muni smallint NOT NULL,
            field smallint NOT NULL,
            docs bigint NOT NULL,
            total_length double precision NOT NULL,
            PRIMARY KEY (muni, field)
        );
        CREATE TABLE attachments (
            muni smallint NOT NULL,
            name text NOT NULL,
            media_type text,
            content bytea NOT NULL,
            PRIMARY KEY (muni, name)
        );
        CREATE INDEX attachments_name ON attachments (name);
        CREATE TABLE sources (
            muni smallint NOT NULL DEFAULT 0,
            source jsonb NOT NULL,
            PRIMARY KEY (muni, source)
        );
        CREATE TABLE state (
            muni smallint NOT NULL DEFAULT 0 PRIMARY KEY,
            generation bigint NOT NULL,
            profile text NOT NULL DEFAULT 'danish'
        );
        INSERT INTO state (muni, generation) VALUES (0, 0);
        """,
    ),
    Migration(
        2,
        "harvest state: per portal, what `minutes harvest` knows of each meeting",
        """
        CREATE TABLE harvest_state (
            portal text PRIMARY KEY,
            state jsonb NOT NULL,
            updated timestamptz NOT NULL DEFAULT now()
        );
        """,
    ),
    Migration(
        3,
        "ids of withdrawn items (410 Gone) and take-downs (minutes forget)",
        """
        CREATE TABLE withdrawn (
            id text PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE takedowns (
            id text PRIMARY KEY,
            kind text NOT NULL,
            at text NOT NULL,
            reason text NOT NULL,
            items_removed integer NOT NULL DEFAULT 0
        );
        """,
    ),
    Migration(
        4,
        "route abbreviations learnt from the open items' routes, per municipality",
        """
        CREATE TABLE route_evidence (
            muni smallint PRIMARY KEY,
            evidence jsonb NOT NULL,
            learnt jsonb NOT NULL DEFAULT '{}'
        );
        """,
    ),
    Migration(
        5,
        "abbreviations the open items' text defines, learnt per municipality beside the routes",
        """
        ALTER TABLE route_evidence ADD COLUMN definitions jsonb NOT NULL DEFAULT '{}';
        """,
    ),
    Migration(
        6,
        'fuzzystrmatch, when the server has it: "Mente du" filters its candidates on the server',
        # Optional: a server without the contrib modules, or a role that may not create the
        # extension, keeps the schema version and filters in Python (``Database.near_terms``).
        # The extension gets a schema of its own, so a reindex's build schema (which replays
        # this) never holds it and the swap never moves or drops it.
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'fuzzystrmatch')
               AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'fuzzystrmatch') THEN
                BEGIN
                    CREATE SCHEMA IF NOT EXISTS {EXTENSION_SCHEMA};
                    CREATE EXTENSION fuzzystrmatch SCHEMA {EXTENSION_SCHEMA};
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'fuzzystrmatch not created (%): near words are filtered by the client', SQLERRM;
                END;
            END IF;
        END
        $$;
        """,
    ),
    Migration(
        7,
        'an index on each term\'s first letter and length, the terms "Mente du" reads',
        # The near words of a typed word share its first letter and a length within two: this
        # reads those and no more (on the text_pattern_ops index alone, every term of the letter).
        """
        CREATE INDEX term_stats_near ON term_stats (field, left(term, 1), length(term));
        """,
    ),
    Migration(
        8,
        "searches read postings and the open items' facets from indexes alone",
        # A term's postings are scored from tf and len: with them in the primary key's index the
        # search reads a term's postings from a few index pages instead of a heap page per posting
        # (positions make the rows wide and scatter a term's rows over the table).  The partial
        # index holds what the facets and filters read of an open item, so joining the matches to
        # their items reads no heap either.  Both are only as good as the visibility map: an
        # ingest ends with VACUUM, and autovacuum keeps it after writes.  Rebuilding the primary
        # key takes as long as an index build on the postings (13 s for 7.3M rows here).
        """
        ALTER TABLE postings DROP CONSTRAINT postings_pkey;
        ALTER TABLE postings ADD CONSTRAINT postings_pkey PRIMARY KEY (field, term, muni, docno) INCLUDE (tf, len);
        CREATE INDEX items_open_facets ON items (muni, docno) INCLUDE (committee, year, kind, date, topics)
            WHERE access = 'open';
        """,
    ),
    Migration(
        9,
        "the text analysis the content was written with (NULL: before analyses were stamped)",
        # Set by ``init`` on a database holding no items, and by each reindex's swap; an ingest
        # leaves it (it adds new text, it does not re-analyse the old).
        """
        ALTER TABLE state ADD COLUMN analysis integer;
        """,
    ),
    Migration(
        10,
        "each item's agenda position as a column: date sorts order a meeting's items by it",
        # Date sorts and browsing order a meeting start's items by meeting id, agenda position
        # and id; the position was read from each candidate's stored document (detoasting it).
        # Items written before hold it in their stored document only: it is copied from there.
        # Not by UPDATE, which would leave a dead version of every row (the heap twice its size
        # for good, index-only scans reading the heap until a vacuum): the type change USING it
        # rewrites the table once, and ``init`` vacuums it after (``REWRITES_ITEMS``).  No index:
        # the matches are read whole for the total and facets anyway (``m``), and joining those
        # near the page to their rows read 0.7 ms of heap on 10,000 items where an index-only
        # scan of (muni, docno) INCLUDE (meeting_id, position, id) read 0.8 ms.
        """
        ALTER TABLE items ADD COLUMN position integer;
        ALTER TABLE items ALTER COLUMN position TYPE integer USING coalesce((stored->>'position')::int, 0),
            ALTER COLUMN position SET DEFAULT 0, ALTER COLUMN position SET NOT NULL;
        """,
    ),
    Migration(
        11,
        "each item's date precision as a column: a date filter holds a meeting known only to its year by that year",
        # 'year' when the source gave only the meeting's year (its date is then 1 January, for
        # sorting): a date range holds it when the range meets that year (engines.base.Filters).
        # Adding a column with a constant default rewrites nothing; the few year-only items are
        # found among those dated 1 January at midnight and marked from their stored document.
        """
        ALTER TABLE items ADD COLUMN date_precision text NOT NULL DEFAULT 'day';
        UPDATE items SET date_precision = 'year'
            WHERE date IS NOT NULL AND extract(month FROM date) = 1 AND extract(day FROM date) = 1
              AND date::time = '00:00' AND (stored->>'doc')::jsonb #>> '{meeting,date_precision}' = 'year';
        """,
    ),
    Migration(
        12,
        'attachments titled closed ("Bilag 2 (lukket) - …") closed in the content written before',
        # Round 32 closed an attachment whose title marks it closed (``model.title_marks_closed``)
        # as it is read; what was written before still published such an attachment: its title,
        # its text in the search, its file.  Each item holding one is written again without it.
        "",
        upgrade=_close_titled_attachments,
    ),
]
ANALYSIS_MIGRATION = 9
# Migrations that rewrite the items table: an upgrade by them ends with a vacuum of it (below).
REWRITES_ITEMS = frozenset({10})

LATEST = MIGRATIONS[-1].version

# Tables distributed by municipality under Citus, and the shared reference tables.
DISTRIBUTED = ("items", "postings", "term_stats", "field_stats", "attachments", "sources", "route_evidence")
REFERENCE = ("municipalities", "state", "harvest_state", "withdrawn", "takedowns", SCHEMA_VERSION_TABLE)


class SchemaError(RuntimeError):
    """The database is not initialised, or is older/newer than this program (one line for the user)."""


def current_version(conn: psycopg.Connection) -> int | None:
    """The applied schema version, or None for a database ``minutes db init`` never touched."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (SCHEMA_VERSION_TABLE,)).fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute(f"SELECT max(version) FROM {SCHEMA_VERSION_TABLE}").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def check(conn: psycopg.Connection, where: str) -> None:
    """Refuse to work on a database whose schema is missing or not this program's."""
    version = current_version(conn)
    if version is None:
        raise SchemaError(f"{where}: the database is not initialised; run: minutes db init --index {where}")
    if version < LATEST:
        raise SchemaError(
            f"{where}: the database schema is version {version}, this program needs {LATEST}; "
            f"run: minutes db init --index {where}"
        )
    if version > LATEST:
        raise SchemaError(f"{where}: the database schema ({version}) is newer than this program ({LATEST}); upgrade it")


@dataclass
class InitReport:
    before: int | None
    after: int
    applied: list[int]
    citus: bool = False
    said: list[str] = field(default_factory=list)  # what the migrations changed in the content
    pruned: list[str] = field(default_factory=list)  # archive names they left unreferenced


TABLES_BUSY = (
    "a transaction using this database's tables{held} kept db init from altering them: nothing was changed; "
    "run db init again when it has finished"
)
INIT_BUSY = "a reindex or another minutes db init holds this database{held}; run db init again when it has finished"


def init(conn: psycopg.Connection, citus: bool = False, where: str = "") -> InitReport:
    """Create or upgrade the schema (idempotent); with ``citus``, distribute the tables.
    ``where`` (the database's URL) opens the one line of a wait that ran out."""
    from indexer.engines.postgres.engine import TABLE_LOCK_WAIT, take_tables

    before: int | None = None
    applied: list[int] = []
    upgraded: list[Upgraded] = []
    undated = 0

    def attempt() -> None:
        nonlocal before, applied, upgraded, undated
        with conn.transaction():
            # A migration's ALTER TABLE waits for the table's ACCESS EXCLUSIVE lock, and every new
            # reader queues behind that wait: it waits this long at a time (``take_tables``).
            conn.execute(f"SET LOCAL lock_timeout = '{TABLE_LOCK_WAIT}'")
            before, applied, upgraded, undated = _migrate(conn, where)

    take_tables(
        conn,
        where,
        attempt,
        tables=None,
        busy=TABLES_BUSY,
        waiting_for="a transaction using the tables the migrations alter",
    )
    if before is not None and REWRITES_ITEMS & set(applied) and conn.info.transaction_status == TransactionStatus.IDLE:
        # A rewritten table has no visibility map: the searches' index-only scans would read
        # the heap for every match until autovacuum came by (no dead rows call it soon).
        vacuum_items(conn)
    report = InitReport(before, LATEST, applied)
    report.said = [u.said for u in upgraded if u.said]
    if undated:
        report.said.append(
            f"{undated} meeting(s) written before 2026-12-04 are dated 1 January, and nothing stored tells whether "
            "that is their day or all their source gave (the year alone, then kept apart by the source's own id): "
            f"run `minutes reindex{f' --index {redact(where)}' if where else ''}` to read them again"
        )
    report.pruned = [name for u in upgraded for name in u.pruned]
    if citus:
        distribute(conn)
        report.citus = True
    return report


def _migrate(conn: psycopg.Connection, where: str) -> tuple[int | None, list[int], list[Upgraded], int]:
    """The migrations ``init`` applies, in its transaction: (version before, versions applied,
    what their upgrades changed, year-only meetings written before)."""
    from indexer.engines.postgres.engine import INGEST_LOCK, take_lock

    # Migrations to apply (read again under the locks): no batch writes meanwhile, and each
    # batch reads the schema version under this lock (``Database._writer_lock``), so a writer
    # that opened the database before this upgrade stops at its next batch rather than write
    # by its own version's rules.  Taken before the ``db init`` lock, in a reindex's order.
    if (current_version(conn) or 0) < LATEST:
        take_lock(conn, where, INGEST_LOCK, xact=True)
    # One initialiser at a time: a second ``db init`` waits, then finds nothing to do.  A
    # reindex holds the lock shared until its swap (hours).  Both waits are bounded (``take_lock``).
    take_lock(conn, where, INIT_LOCK, xact=True, busy=INIT_BUSY, waiting_for="a reindex or another minutes db init")
    before = current_version(conn)
    if before is None:
        conn.execute(
            f"CREATE TABLE {SCHEMA_VERSION_TABLE} (version integer PRIMARY KEY, "
            "what text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
    applied = []
    upgraded: list[Upgraded] = []
    for migration in MIGRATIONS:
        if before is not None and migration.version <= before:
            continue
        if migration.sql:
            conn.execute(migration.sql)  # type: ignore[arg-type]
        if migration.upgrade is not None and before is not None:
            upgraded.append(migration.upgrade(conn))
        conn.execute(
            f"INSERT INTO {SCHEMA_VERSION_TABLE} (version, what) VALUES (%s, %s)",
            (migration.version, migration.what),
        )
        applied.append(migration.version)
    undated = undated_year_meetings(conn) if before is not None else 0
    if ANALYSIS_MIGRATION in applied:
        # Nothing written yet (a new database, or one upgraded before its first ingest): what
        # gets written is this analysis's.  A database holding items keeps NULL, "older".
        conn.execute(
            "UPDATE state SET analysis = %s WHERE muni = 0 AND NOT EXISTS (SELECT 1 FROM items)",
            (ANALYSIS_VERSION,),
        )
    return before, applied, upgraded, undated


def undated_year_meetings(conn: psycopg.Connection) -> int:
    """Meetings whose items were written before a date known only to its year kept its precision
    (2026-12-04: their stored documents name none) and are dated 1 January at midnight, as such a
    meeting then was.  Nothing stored tells them from a meeting held that day: the source's own id,
    which now keeps two year-only meetings of a committee apart (and so makes their items' ids), was
    not stored either, so no migration can make them what an ingest makes; a reindex reads them
    again.  The JSON is read only for items dated 1 January."""
    row = conn.execute(
        "SELECT count(DISTINCT meeting_id) FROM items WHERE date_precision = 'day' AND date IS NOT NULL "
        "AND extract(month FROM date) = 1 AND extract(day FROM date) = 1 AND date::time = '00:00' "
        "AND NOT jsonb_exists((stored->>'doc')::jsonb -> 'meeting', 'date_precision')"
    ).fetchone()
    return int(row[0]) if row else 0


def vacuum_items(conn: psycopg.Connection) -> None:
    """VACUUM (ANALYZE) the items table (outside a transaction, as VACUUM must run)."""
    autocommit = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute("VACUUM (ANALYZE) items")
    finally:
        conn.autocommit = autocommit


def distribute(conn: psycopg.Connection) -> None:
    """Make the tables Citus tables: distributed by ``muni``, co-located; shared ones as reference tables.

    Idempotent: tables Citus already knows are left alone.  Needs the ``citus`` extension
    (preloaded on the coordinator and every worker, workers added with citus_add_node).
    """
    available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'citus'").fetchone()
    if not available:
        raise SchemaError("--citus: the citus extension is not installed on this server")
    with conn.transaction():
        conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
        known = {
            str(row[0]) for row in conn.execute("SELECT logicalrelid::regclass::text FROM pg_dist_partition").fetchall()
        }
        for table in REFERENCE:
            if table not in known:
                conn.execute("SELECT create_reference_table(%s)", (table,))
        for table in DISTRIBUTED:
            if table not in known:
                colocate = "items" if table != "items" else "default"
                conn.execute(
                    "SELECT create_distributed_table(%s, 'muni', colocate_with => %s)",
                    (table, colocate),
                )
