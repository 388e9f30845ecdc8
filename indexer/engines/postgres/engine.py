"""The PostgreSQL engine: public items in, analysed terms stored, BM25F search and facets in SQL.

Writing: a batch of public documents (what the closed-content boundary let through) is
analysed in Python with our Danish pipeline (``indexer.fastterms``) and written in one
transaction: items, postings (term frequency, field length, positions), the document
frequencies and field lengths BM25F needs, and the open attachment files.  A killed
ingest loses only its open transaction; readers see a batch whole or not at all.

Reading: a query tree of field terms (``query.py``) becomes one SQL statement that
returns the total, every facet's counts and the page of hits with their stored fields and
matched terms; the terms' IDF and average field lengths come in a statement before it.
A read replica may answer the reads (``read_url``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from time import monotonic
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from indexer.analysis import ANALYSIS_VERSION, UNSTAMPED_ANALYSIS, fastterms
from indexer.analysis.bodies import DefinitionTable, RouteEvidence, RouteTable
from indexer.engines import redact
from indexer.engines.base import TIE_SCALE, EngineBusy, EngineError, EngineUnavailable, take_writer_lock
from indexer.engines.postgres import schema
from indexer.engines.postgres.query import (
    ANALYSIS,
    FIELD_NAMES,
    POSITION_FIELDS,
    TEXT_FIELDS,
    AllQ,
    Node,
    SqlBuilder,
    TermFacts,
    TermWeights,
    phrase_held,
    phrases_of,
    terms_of,
    weights_query,
    wildcards_of,
)
from indexer.engines.sourcedocs import add_source, source_record, without_document
from indexer.forget import TakeDown
from indexer.model import KIND_RANK, MeetingKind
from indexer.sanitize import printable
from indexer.versions import Indexed

log = logging.getLogger(__name__)

INGEST_LOCK = 7254812  # advisory lock: one writer at a time, a second one waits
# Advisory lock held by a whole ingest, harvest, forget or reindex, in a session of its own: a
# second one waits up to WRITER_WAIT_S, then fails clearly (``take_run_lock``).  A key of its
# own, not INGEST_LOCK: the run's batches take INGEST_LOCK in their transactions, on other
# connections of the same process, and would wait for ever on a session lock their own process
# holds on that key.  RUN_LOCK is only ever tried (never waited on in the server) and taken
# before INGEST_LOCK, never while holding it, so the two cannot deadlock.
RUN_LOCK = 7254813
WRITER_WAIT_S = 120.0  # as the embedded engine's WRITER_TIMEOUT_S
RUN_LOCK_POLL_S = 0.2
STORED_FIELDS = (
    "id",
    "meeting_id",
    "number",
    "position",
    "title",
    "decision",
    "body",
    "attachments_text",
    "attachment_titles",
    "committee",
    "municipality",
    "kind",
    "year",
    "date",
    "case_number",
    "case_key",
    "topic",
    "access",
    "doc",
)
FACETS = ("committee", "year", "topic", "municipality", "kind")
# The columns of the matches the facets count, in the order of their GROUPING() bits (first = highest).
FACET_COLUMNS = "committee, year, kind, muni, topics"
ALL_GROUPED = (1 << len(FACET_COLUMNS.split(", "))) - 1  # GROUPING() of the empty set: the total


# The columns a search statement's rows that are not hits leave empty (see ``Database.statement``).
NO_HIT = "NULL::smallint AS muni, NULL::bigint AS rank, NULL::jsonb AS stored, NULL::text[] AS matched"
NULLS = "NULL, NULL, NULL, NULL"


def _order(sort: str, alias: str = "") -> str:
    """The ORDER BY of a search's hits, over columns of ``m`` (qualified by ``alias``).

    Hits that score alike (equal cut to ``TIE_SCALE``: the plan's order of adding an item's
    rows shows in the last bit) go newest meeting first, then by id in code point order
    (``COLLATE "C"``: the database's collation may order text otherwise; Whoosh compares the
    id's number, ``base.id_order``): the items' own order, not the ``docno`` a batch happened
    to give them, so both engines rank equals alike.

    A date sort orders by the meeting's start (undated last when newest first, first when
    oldest first), then in either direction by meeting id, agenda position and id: a meeting's
    items in agenda order, as Whoosh orders them (``date_keys``)."""
    if sort in ("newest", "oldest"):
        return (
            f"coalesce({alias}date, '-infinity') {'DESC' if sort == 'newest' else 'ASC'}, "
            f'{alias}meeting_id COLLATE "C" ASC, {alias}position ASC, {alias}id COLLATE "C" ASC, {alias}docno ASC'
        )
    return (
        f"floor({alias}s * {TIE_SCALE!r}) DESC, coalesce({alias}date, '-infinity') DESC, "
        f'{alias}id COLLATE "C" ASC, {alias}docno ASC'
    )


def _grouped_by(column: str) -> int:
    """GROUPING(FACET_COLUMNS) of the grouping set of ``column`` alone: its bit clear, the others set."""
    columns = FACET_COLUMNS.split(", ")
    return ALL_GROUPED & ~(1 << (len(columns) - 1 - columns.index(column)))


@dataclass
class Filters:
    """What a search is restricted to, besides the query: open items only, always."""

    committee: list[str] = field(default_factory=list)
    municipality: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Hit:
    stored: dict[str, Any]
    score: float | None
    matched_terms: list[tuple[str, str]]


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    counts: dict[str, dict[str, int]]


# The tables that hold the items' content, or words of it: what ``compact`` rewrites.
CONTENT_TABLES = ("items", "postings", "term_stats", "field_stats", "attachments", "route_evidence")


@dataclass
class WriteSummary:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    archived: int = 0
    removed: int = 0
    pruned: list[str] = field(default_factory=list)  # archive names no item refers to any more


@dataclass(frozen=True)
class BuildSchema:
    """Where a rebuild writes (``schema``) and where the content it replaces is served from (``live``)."""

    schema: str
    live: str


# Given what the database holds of some meetings, the batch's documents and the item ids to remove.
Plan = Callable[[Callable[[list[str]], dict[str, list[Indexed]]]], tuple[list[dict[str, Any]], list[str]]]


def _jsonable(document: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in STORED_FIELDS:
        if name in document:
            value = document[name]
            out[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def _field_terms(text: str, fieldname: str) -> dict[str, list[int]]:
    kind = ANALYSIS[fieldname]
    if fastterms.supported(kind):
        return fastterms.term_positions(text, kind)
    return fastterms.analyzer_positions(text, fastterms.KINDS[kind].analyzer())


POOL_WAIT_S = 8.0


def writer_name() -> str:
    """The application name of a session holding the run lock: what a second writer is told
    (PostgreSQL keeps at most 63 bytes of it)."""
    return f"minutes-search writer, pid {os.getpid()} on {socket.gethostname()}"[:63]


def lock_session(url: str) -> psycopg.Connection:
    """A session of its own to hold the run lock in, named for a second writer to be told.  It is
    idle for the whole run, so a server that ends idle sessions (``idle_session_timeout``,
    PostgreSQL 14 and later) would end it and its lock without a word: this session opts out."""
    session = psycopg.connect(url, autocommit=True, application_name=writer_name())
    with contextlib.suppress(psycopg.errors.UndefinedObject):  # before PostgreSQL 14: no such ending
        session.execute("SET idle_session_timeout = 0")
    return session


BUSY = "another ingest is writing to this index{held}; try again when it has finished"


def take_lock(
    conn: psycopg.Connection,
    url: str,
    key: int,
    wait_s: float | None = None,
    *,
    shared: bool = False,
    xact: bool = False,
    busy: str = BUSY,
    waiting_for: str = "another ingest",
) -> None:
    """Take the advisory lock ``key`` on ``conn`` (for its session, or with ``xact`` for its
    transaction; ``shared`` or exclusive), trying every ``RUN_LOCK_POLL_S`` for up to ``wait_s``
    (``WRITER_WAIT_S`` when None), having said at once that it waits and for whom; then
    ``EngineBusy`` in one line (``busy``, its ``{held}`` the session that holds it), as
    ``base.take_writer_lock`` does for the embedded engine.  Every lock wait of the engine's
    writers and of ``db init`` goes through here: a wait in the server has no limit of its own
    (a reindex behind an older version's writer, or behind a stuck batch, waited for ever), and
    ``lock_timeout`` would end the session's transaction, not just the wait."""
    function = f"pg_try_advisory{'_xact' if xact else ''}_lock{'_shared' if shared else ''}"
    statement = sql.SQL("SELECT {}(%s)").format(sql.Identifier(function))

    def try_take() -> bool:
        row = conn.execute(statement, (key,)).fetchone()
        return bool(row and row[0])

    take_writer_lock(
        try_take,
        lambda: lock_holder(conn, key),
        lambda held: EngineBusy(f"{redact(url)}: {busy.format(held=held)}" if url else busy.format(held=held)),
        WRITER_WAIT_S if wait_s is None else wait_s,
        poll_s=RUN_LOCK_POLL_S,
        waiting_for=waiting_for,
    )


def take_run_lock(session: psycopg.Connection, url: str, wait_s: float | None = None) -> None:
    """Take ``RUN_LOCK`` at session level on ``session`` (autocommit): ``take_lock``."""
    take_lock(session, url, RUN_LOCK, wait_s)


def lock_holder(conn: psycopg.Connection, key: int) -> str:
    """ " (held by minutes-search writer, pid 1234 on host)", or the database session's pid
    when its name is not ours or not visible to this role; "" when it let go meanwhile.  An
    exclusive holder is named before a shared one (it is the one a shared taker waits for)."""
    row = conn.execute(
        "SELECT l.pid, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.pid <> pg_backend_pid() ORDER BY l.mode = 'ExclusiveLock' DESC LIMIT 1",
        (key,),
    ).fetchone()
    if row is None:
        return ""
    name = printable(str(row[1] or ""))
    return f" (held by {name})" if name.startswith("minutes-search") else f" (held by database session {row[0]})"


# How long a statement that needs a table's ACCESS EXCLUSIVE lock (optimize's VACUUM FULL, a
# migration's ALTER TABLE) waits for it at a time.  While it waits, every new reader of the table
# queues behind it: without a bound, one long transaction reading the table (a slow search, an
# open psql session, a pg_dump) stopped the searches for as long as it lasted.
TABLE_LOCK_WAIT = "200ms"


def table_holder(conn: psycopg.Connection, tables: Sequence[str] | None = None) -> str:
    """ " (held by database session 1234)" (or a session of ours by its name): the oldest
    transaction holding a lock on one of ``tables`` (None: any relation of the search path), the
    one a statement wanting them alone waits for; "" when none does.  A lookup on a connection
    that was idle ends the transaction it opened, so the caller's next ``transaction()`` is one
    of its own, not a savepoint in this one."""
    idle = conn.info.transaction_status == TransactionStatus.IDLE
    row = conn.execute(
        "SELECT l.pid, a.application_name FROM pg_locks l "
        "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid() "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND n.nspname = ANY(current_schemas(false)) AND (%(any)s OR c.relname = ANY(%(tables)s)) "
        "ORDER BY a.xact_start ASC NULLS LAST LIMIT 1",
        {"any": tables is None, "tables": list(tables or ())},
    ).fetchone()
    if idle and conn.info.transaction_status != TransactionStatus.IDLE:
        conn.rollback()
    if row is None:
        return ""
    name = printable(str(row[1] or ""))
    return f" (held by {name})" if name.startswith("minutes-search") else f" (held by database session {row[0]})"


def _runs(conn: psycopg.Connection, statement: sql.Composed) -> Callable[[], None]:
    """``statement`` on ``conn``, as an ``attempt`` of ``take_tables``."""

    def run() -> None:
        conn.execute(statement)

    return run


def take_tables(
    conn: psycopg.Connection,
    url: str,
    attempt: Callable[[], None],
    *,
    tables: Sequence[str] | None,
    busy: str,
    waiting_for: str,
    wait_s: float | None = None,
) -> None:
    """Run ``attempt`` (its statements waiting at most ``TABLE_LOCK_WAIT`` for each lock, as it
    sets: its transaction ended by the timeout, nothing of it kept) until it gets its locks,
    retrying every ``RUN_LOCK_POLL_S`` (the queued readers go on meanwhile) for up to ``wait_s``
    (``WRITER_WAIT_S`` when None), having said at once in one line whom it waits for; then
    ``EngineBusy`` in one line (``busy``, its ``{held}`` the oldest holder), as ``take_lock``."""

    def try_take() -> bool:
        try:
            attempt()
        except psycopg.errors.LockNotAvailable:
            if conn.info.transaction_status == TransactionStatus.INERROR:
                conn.rollback()
            return False
        return True

    take_writer_lock(
        try_take,
        lambda: table_holder(conn, tables),
        lambda held: EngineBusy(f"{redact(url)}: {busy.format(held=held)}" if url else busy.format(held=held)),
        WRITER_WAIT_S if wait_s is None else wait_s,
        poll_s=RUN_LOCK_POLL_S,
        waiting_for=waiting_for,
    )


class Database:
    """One per process: a pool of connections to the primary, and one to a replica for reads when given."""

    def __init__(
        self,
        url: str,
        read_url: str | None = None,
        max_connections: int = 8,
        build: BuildSchema | None = None,
    ) -> None:
        self.url = url
        self.read_url = read_url or url
        self.build = build
        # A rebuild's tables live in their own schema, found first on the search path; the
        # tables it does not rebuild (takedowns, sources, state, …) are the live ones.
        self._options = f"-c search_path={build.schema},{build.live}" if build else None
        with psycopg.connect(url) as conn:
            schema.check(conn, url)
        if read_url and read_url != url:
            with psycopg.connect(read_url) as conn:
                schema.check(conn, read_url)
        self._pool = ConnectionPool(
            self.read_url,
            min_size=1,
            max_size=max_connections,
            # a request waits this long for a connection; then the database is taken to be down
            # (a web request answers 503) rather than every page hanging for the default 30 s
            timeout=POOL_WAIT_S,
            open=True,
            kwargs={"autocommit": True, **({"options": self._options} if self._options else {})},
        )
        self._munis: dict[str, int] = {}
        self._lock = threading.Lock()
        self._levenshtein_function: sql.Composable | object | None = _UNKNOWN
        self._run: psycopg.Connection | None = None  # the session holding RUN_LOCK (``run_lock``)

    @contextlib.contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection]:
        """A pooled connection for reading; a database that does not answer (down, restarting, out
        of connections: the pool's wait ends) is ``EngineUnavailable``, whatever the engine's library."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise EngineUnavailable(f"{redact(self.read_url)}: the database does not answer ({reason})") from exc

    def _connect(self, autocommit: bool = False) -> psycopg.Connection:
        """A connection to the primary (into the rebuild's schema, for a rebuild)."""
        return psycopg.connect(self.url, autocommit=autocommit, options=self._options)

    @contextlib.contextmanager
    def run_lock(self, wait_s: float | None = None) -> Iterator[None]:
        """Hold the writers' run lock (``RUN_LOCK``) around a whole ingest, harvest or forget: on a
        connection of its own, so it is held whatever the batches' transactions do, and let go
        when the block ends or the process dies (the server ends a dead client's session and its
        locks).  Nested use in one process holds it once; a rebuild's database is inside the
        rebuild's own hold (``rebuild.Rebuild.begin``)."""
        if self.build is not None or self._run is not None:
            yield
            return
        session = lock_session(self.url)
        try:
            take_run_lock(session, self.url, wait_s)
            self._run = session
            try:
                yield
            finally:
                self._run = None
        finally:
            session.close()  # ends the session, and its lock with it

    def _writer_lock(self, conn: psycopg.Connection) -> None:
        """One writer at a time; a rebuild holds the lock for its whole run in a session of its own
        (its swap checks the schema version).
        Inside a run, the run lock must still be held: a session the server ended (a restart, an
        administrator's ``pg_terminate_backend``) let go of it, and another writer may be in."""
        if self.build is None:
            if self._run is not None:
                try:
                    self._run.execute("SELECT 1")
                except psycopg.Error:
                    raise EngineError(
                        f"{redact(self.url)}: the database ended the session holding this run's writers' lock; "
                        "stopped before the next batch wrote anything — run the command again"
                    ) from None
            take_lock(conn, self.url, INGEST_LOCK, xact=True)
            # Under the lock ``db init`` takes to migrate: a process that opened the database
            # before an upgrade (``schema.check`` ran then) stops here, one line, writing nothing.
            schema.check(conn, self.url)

    def close(self) -> None:
        self._pool.close()

    # -- writing -------------------------------------------------------------------

    def _muni_codes(self, conn: psycopg.Connection, names: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(names))
        rows = conn.execute("SELECT name, muni FROM municipalities WHERE name = ANY(%s)", (wanted,)).fetchall()
        codes = {str(n): int(m) for n, m in rows}
        for name in wanted:
            if name not in codes:
                row = conn.execute(
                    "INSERT INTO municipalities (muni, name) "
                    "SELECT coalesce(max(muni), 0) + 1, %s FROM municipalities RETURNING muni",
                    (name,),
                ).fetchone()
                assert row is not None
                codes[name] = int(row[0])
        return codes

    def write(
        self,
        documents: list[dict[str, Any]],
        files: dict[str, tuple[Path, str | None]] | None = None,
        plan: Plan | None = None,
        withheld: dict[str, list[dict[str, Any]]] | None = None,
    ) -> WriteSummary:
        """Write one batch in one transaction: new items added, changed ones replaced, the rest skipped.

        ``documents`` are public documents (stored fields plus the indexed-only ``exact``,
        ``committee_text`` and ``parts``); ``files`` maps an archive name to the open
        attachment's file and media type.  ``withheld`` (which ``plan`` may fill in): archive
        name of a whole-meeting document → where the items sit that a version read open from it
        but that are not published open; its copy is re-blanked like a closed item's.
        """
        summary = WriteSummary()
        with self._connect() as conn, conn.transaction():
            self._writer_lock(conn)
            # An empty database written before stamps: what this write adds is this analysis's
            # (a reindex has nothing to rebuild, so it would warn for ever).
            unstamped = conn.execute("SELECT analysis IS NULL FROM state WHERE muni = 0").fetchone()
            if unstamped and unstamped[0] and not conn.execute("SELECT EXISTS (SELECT 1 FROM items)").fetchone()[0]:  # type: ignore[index]
                conn.execute("UPDATE state SET analysis = %s WHERE muni = 0", (ANALYSIS_VERSION,))
            removed: list[str] = []
            released: set[str] = set()
            gone: dict[str, list[dict[str, Any]]] = {}  # documents open items were read from that now close
            if plan is not None:
                # The versions fold reads what is indexed under the ingest lock, in this transaction.
                documents, removed = plan(lambda meeting_ids: self._held(conn, meeting_ids))
            for name, records in (withheld or {}).items():
                gone.setdefault(name, []).extend(records)
            if removed:
                rows = conn.execute("SELECT muni, docno, id FROM items WHERE id = ANY(%s)", (removed,)).fetchall()
                if rows:
                    self._sources_of(conn, [(int(m), int(d)) for m, d, _ in rows], gone)
                    released |= self._delete(conn, [(int(m), int(d)) for m, d, _ in rows])
                    self._withdraw(conn, [str(i) for _, _, i in rows])
                summary.removed = len(rows)
            munis = self._muni_codes(conn, (d.get("municipality") or "Ukendt kommune" for d in documents))
            # Later documents of the same id in one batch win, as they would one batch later.
            latest: dict[str, dict[str, Any]] = {}
            for document in documents:
                previous = latest.get(document["id"])
                if previous is not None and _rank(document) < _rank(previous):
                    summary.skipped += 1
                    continue
                if previous is not None:
                    summary.skipped += 1  # counted once below as the surviving version
                latest[document["id"]] = document
            existing = {
                str(row[0]): (int(row[1]), int(row[2]), str(row[3]), row[4], row[5])
                for row in conn.execute(
                    "SELECT id, muni, docno, kind, stored->>'doc', stored->>'topic' FROM items WHERE id = ANY(%s)",
                    (list(latest),),
                ).fetchall()
            }
            replaced: list[tuple[int, int]] = []
            closing: list[tuple[int, int]] = []  # open items a closed version replaces
            fresh: list[dict[str, Any]] = []
            for doc_id, document in latest.items():
                old = existing.get(doc_id)
                if old is None:
                    fresh.append(document)
                    summary.added += 1
                    continue
                _, _, old_kind, old_doc, old_topic = old
                if _rank(document) < KIND_RANK.get(MeetingKind(old_kind), 0) or (
                    old_doc == document.get("doc") and (old_topic or "") == (document.get("topic") or "")
                ):
                    summary.skipped += 1
                    continue
                replaced.append((old[0], old[1]))
                if document.get("access") != "open":
                    closing.append((old[0], old[1]))
                fresh.append(document)
                summary.updated += 1
            if closing:
                self._sources_of(conn, closing, gone)
            if replaced:
                released |= self._delete(conn, replaced)
            if fresh:
                self._insert(conn, fresh, munis)
                # An item that comes back (a later version, --allow-forgotten) is served again.
                conn.execute("DELETE FROM withdrawn WHERE id = ANY(%s)", ([d["id"] for d in fresh],))
            if files:
                summary.archived = self._archive(conn, files, munis, fresh)
            released |= self._reblank(conn, gone)
            summary.pruned = self._prune(conn, released)
            conn.execute("UPDATE state SET generation = generation + 1 WHERE muni = 0")
        return summary

    def _held(self, conn: psycopg.Connection, meeting_ids: list[str]) -> dict[str, list[Indexed]]:
        """What the versions fold starts from.  In a rebuild, also every item the live content
        holds closed and the rebuild has not written yet: access only tightens, so a source that
        now opens an item an earlier version closed keeps it closed (as a version of rank 0, so
        it decides nothing else about the meeting)."""
        held = self._meeting_items(conn, meeting_ids)
        if self.build is None:
            return held
        rows = conn.execute(
            f"SELECT meeting_id, id FROM {self.build.live}.items WHERE meeting_id = ANY(%s) AND access <> 'open'",
            (meeting_ids,),
        ).fetchall()
        for meeting_id, item_id in rows:
            known = held.setdefault(str(meeting_id), [])
            if all(entry.id != item_id for entry in known):
                known.append(Indexed(str(item_id), 0, False))
        return held

    @staticmethod
    def _meeting_items(conn: psycopg.Connection, meeting_ids: list[str]) -> dict[str, list[Indexed]]:
        """What the database holds of these meetings' items: id, rank of the version, open or stub."""
        held: dict[str, list[Indexed]] = defaultdict(list)
        rows = conn.execute(
            "SELECT meeting_id, id, kind, access FROM items WHERE meeting_id = ANY(%s)", (meeting_ids,)
        ).fetchall()
        for meeting_id, item_id, kind, access in rows:
            held[str(meeting_id)].append(Indexed(str(item_id), _rank({"kind": kind}), access == "open"))
        return held

    @staticmethod
    def _archived_by(conn: psycopg.Connection, docs: list[tuple[int, int]]) -> set[str]:
        """The archive names (attachments, source documents) these items refer to."""
        names: set[str] = set()
        rows = conn.execute(
            "SELECT stored->>'doc' FROM items WHERE (muni, docno) IN (SELECT * FROM unnest(%s::smallint[], %s::bigint[]))",
            ([m for m, _ in docs], [d for _, d in docs]),
        ).fetchall()
        for (raw,) in rows:
            doc = json.loads(raw or "{}")
            for archived in [*doc.get("attachments", []), doc.get("source_document") or {}]:
                if archived.get("archive_name"):
                    names.add(str(archived["archive_name"]))
        return names

    @staticmethod
    def _sources_of(
        conn: psycopg.Connection, docs: list[tuple[int, int]], gone: dict[str, list[dict[str, Any]]]
    ) -> None:
        """Note where these items (about to close or go) sat in an archived whole-meeting document."""
        rows = conn.execute(
            "SELECT stored FROM items WHERE access = 'open' AND (muni, docno) IN "
            "(SELECT * FROM unnest(%s::smallint[], %s::bigint[]))",
            ([m for m, _ in docs], [d for _, d in docs]),
        ).fetchall()
        for (stored,) in rows:
            add_source(gone, stored)

    @staticmethod
    def _reblank(conn: psycopg.Connection, gone: dict[str, list[dict[str, Any]]]) -> set[str]:
        """The open items of a meeting still linked to an archived document whose other items closed,
        were withdrawn or forgotten (``gone``) get a copy with those pages blank too, under a new
        name; when none can be made (a DOCX, an item's page unknown) they link to no document.
        Returns the old names, to prune (in this transaction, as the embedded engine does)."""
        from indexer.attachments import file_hash
        from indexer.documents.publish import reblanked_copy

        done: set[str] = set()
        for name, records in gone.items():
            meeting_ids = sorted({str(r["meeting_id"]) for r in records})
            kept = []
            for muni, docno, stored in conn.execute(
                "SELECT muni, docno, stored FROM items WHERE access = 'open' AND meeting_id = ANY(%s)", (meeting_ids,)
            ).fetchall():
                found = source_record(stored)
                if found is not None and found[0] == name:
                    kept.append((int(muni), int(docno), stored, found[1]))
            if not kept:
                continue  # the last open item went: the file is pruned as it is
            done.add(name)
            row = conn.execute(
                "SELECT media_type, content FROM attachments WHERE name = %s LIMIT 1", (name,)
            ).fetchone()
            new_name: str | None = None
            if row is not None:
                copy: Path | None = None
                try:
                    # Read from memory: the archived bytes show the pages going, and no file may.
                    copy = reblanked_copy(bytes(row[1]), [k[3] for k in kept], records)
                    if copy is not None:
                        new_name = f"{file_hash(copy)}{Path(name).suffix}"
                        content = copy.read_bytes()
                        for muni in sorted({k[0] for k in kept}):
                            conn.execute(
                                "INSERT INTO attachments (muni, name, media_type, content) VALUES (%s, %s, %s, %s) "
                                "ON CONFLICT DO NOTHING",
                                (muni, new_name, row[0], content),
                            )
                finally:
                    if copy is not None:
                        copy.unlink(missing_ok=True)
            for muni, docno, stored, _ in kept:
                stored["doc"] = without_document(str(stored["doc"]), name, new_name)
                conn.execute(
                    "UPDATE items SET stored = %s WHERE muni = %s AND docno = %s", (Jsonb(stored), muni, docno)
                )
        return done

    @staticmethod
    def _referenced(conn: psycopg.Connection, names: set[str]) -> set[str]:
        """Which of these archive names (or content hashes) some stored item still refers to."""
        return {
            str(r[0])
            for r in conn.execute(
                "SELECT DISTINCT n FROM items i, unnest(%s::text[]) n WHERE strpos(i.stored->>'doc', n) > 0",
                (sorted(names),),
            ).fetchall()
        }

    def unreferenced(self, names: set[str]) -> set[str]:
        """The names no stored item refers to (files whose cached text must go)."""
        if not names:
            return set()
        with self._connect() as conn:
            return names - self._referenced(conn, names)

    @classmethod
    def _prune(cls, conn: psycopg.Connection, names: set[str]) -> list[str]:
        """Delete archived files no item refers to any more: a closed or withdrawn item's files go
        with it.  Returns their names (the writer's host drops their cached text)."""
        if not names:
            return []
        gone = sorted(names - cls._referenced(conn, names))
        if gone:
            conn.execute("DELETE FROM attachments WHERE name = ANY(%s)", (gone,))
        return gone

    @staticmethod
    def _count_routes(conn: psycopg.Connection, changes: list[tuple[int, dict[str, Any], int]]) -> None:
        """Count items (muni, stored fields, 1 in / -1 out) into their municipality's route
        evidence and learn its tables again, in the writing transaction (``bodies.RouteEvidence``).
        Evidence another version counted is recounted from the municipality's open items first
        (they are still in the table when counted out, not yet when counted in)."""
        if not changes:
            return
        munis = sorted({muni for muni, _, _ in changes})
        rows = conn.execute(
            "SELECT muni, evidence FROM route_evidence WHERE muni = ANY(%s) FOR UPDATE", (munis,)
        ).fetchall()
        evidence: dict[int, RouteEvidence] = {}
        for m, e in rows:
            evidence[int(m)] = RouteEvidence.from_json(e) or Database._recount_routes(conn, int(m))
        for muni, fields, sign in changes:
            evidence.setdefault(muni, RouteEvidence()).count_stored(fields, sign)
        for muni in munis:
            found = evidence.get(muni, RouteEvidence())
            conn.execute(
                "INSERT INTO route_evidence (muni, evidence, learnt, definitions) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (muni) DO UPDATE SET evidence = excluded.evidence, learnt = excluded.learnt, "
                "definitions = excluded.definitions",
                (muni, Jsonb(found.to_json()), Jsonb(found.learn()), Jsonb(found.learn_definitions())),
            )

    @staticmethod
    def _recount_routes(conn: psycopg.Connection, muni: int) -> RouteEvidence:
        """The evidence of a municipality's open items, read from their stored documents."""
        evidence = RouteEvidence()
        with conn.cursor(name="recount_routes") as cursor:
            cursor.execute(
                "SELECT stored->>'municipality', stored->>'committee', stored->>'doc' FROM items "
                "WHERE muni = %s AND access = 'open'",
                (muni,),
            )
            for name, committee, doc in cursor:
                evidence.count_stored({"access": "open", "municipality": name, "committee": committee, "doc": doc})
        return evidence

    @classmethod
    def _delete(cls, conn: psycopg.Connection, docs: list[tuple[int, int]]) -> set[str]:
        """Remove items and their postings, taking their terms and lengths out of the statistics.

        Returns the archive names they referred to (prune them once the batch is in)."""
        released = cls._archived_by(conn, docs)
        gone_open = conn.execute(
            "SELECT muni, stored->>'municipality', stored->>'committee', stored->>'doc' FROM items "
            "WHERE access = 'open' AND (muni, docno) IN (SELECT * FROM unnest(%s::smallint[], %s::bigint[]))",
            ([m for m, _ in docs], [d for _, d in docs]),
        ).fetchall()
        cls._count_routes(
            conn,
            [
                (int(m), {"access": "open", "municipality": name, "committee": committee, "doc": doc}, -1)
                for m, name, committee, doc in gone_open
            ],
        )
        munis = [m for m, _ in docs]
        docnos = [d for _, d in docs]
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS gone (muni smallint, docno bigint) ON COMMIT DELETE ROWS")
        conn.execute("INSERT INTO gone SELECT * FROM unnest(%s::smallint[], %s::bigint[])", (munis, docnos))
        conn.execute(
            """
            UPDATE term_stats t SET df = t.df - g.n, cf = t.cf - g.f
            FROM (SELECT p.muni, p.field, p.term, count(*) AS n, sum(p.tf) AS f
                  FROM postings p JOIN gone USING (muni, docno) GROUP BY 1, 2, 3) g
            WHERE t.muni = g.muni AND t.field = g.field AND t.term = g.term
            """
        )
        conn.execute("DELETE FROM term_stats WHERE df <= 0")
        conn.execute(
            """
            UPDATE field_stats f SET docs = f.docs - g.docs, total_length = f.total_length - g.total
            FROM (SELECT i.muni, (l.key)::smallint AS field, count(*) AS docs, sum((l.value)::float8) AS total
                  FROM items i JOIN gone USING (muni, docno), jsonb_each_text(i.lengths) l GROUP BY 1, 2) g
            WHERE f.muni = g.muni AND f.field = g.field
            """
        )
        conn.execute(
            """
            UPDATE field_stats f SET docs = f.docs - g.n
            FROM (SELECT muni, count(*) AS n FROM gone GROUP BY muni) g WHERE f.muni = g.muni AND f.field = 0
            """
        )
        conn.execute("DELETE FROM postings p USING gone g WHERE p.muni = g.muni AND p.docno = g.docno")
        conn.execute("DELETE FROM items i USING gone g WHERE i.muni = g.muni AND i.docno = g.docno")
        return released

    @classmethod
    def _insert(cls, conn: psycopg.Connection, documents: list[dict[str, Any]], munis: dict[str, int]) -> None:
        docnos = [
            int(r[0])
            for r in conn.execute(
                "SELECT nextval('items_docno_seq') FROM generate_series(1, %s)", (len(documents),)
            ).fetchall()
        ]
        df: Counter[tuple[int, int, str]] = Counter()
        cf: Counter[tuple[int, int, str]] = Counter()
        field_docs: Counter[tuple[int, int]] = Counter()
        field_lengths: Counter[tuple[int, int]] = Counter()
        item_rows = []
        # Postings go to COPY grouped by (field, term): a term's rows of one batch then share a few
        # heap pages instead of taking one page each, so the positions a phrase reads (and any row
        # the visibility map does not cover yet) come from pages read once.
        posting_lines: dict[tuple[int, str], list[str]] = defaultdict(list)
        for docno, document in zip(docnos, documents, strict=True):
            muni = munis[document.get("municipality") or "Ukendt kommune"]
            field_docs[(muni, 0)] += 1
            lengths: dict[str, int] = {}
            if document.get("access") == "open":
                for fieldname, code in TEXT_FIELDS.items():
                    text = document.get(fieldname) or ""
                    if not text:
                        continue
                    terms = _field_terms(text, fieldname)
                    if not terms:
                        continue
                    length = sum(len(p) for p in terms.values())
                    lengths[str(code)] = length
                    field_docs[(muni, code)] += 1
                    field_lengths[(muni, code)] += length
                    keep_positions = fieldname in POSITION_FIELDS
                    # Postings go to COPY as text lines: a tuple per row through write_row cost a third of ingest.
                    for term, positions in terms.items():
                        count = len(positions)
                        listed = "{" + ",".join(map(str, positions)) + "}" if keep_positions else "\\N"
                        posting_lines[(code, term)].append(
                            f"{muni}\t{code}\t{_copy_text(term)}\t{docno}\t{count}\t{length}\t{listed}\n"
                        )
                        key = (muni, code, term)
                        df[key] += 1
                        cf[key] += count
            date_value = document.get("date")
            topics = [t for t in (document.get("topic") or "").split(",") if t]
            item_rows.append(
                (
                    muni,
                    docno,
                    document["id"],
                    document.get("meeting_id") or "",
                    document.get("access") or "closed",
                    document.get("kind") or "",
                    document.get("committee") or "",
                    document.get("year") or "",
                    date_value if isinstance(date_value, datetime) else None,
                    "year" if document.get("date_precision") == "year" else "day",
                    document.get("case_key") or "",
                    [t.lower() for t in topics],
                    _position(document),
                    Jsonb(_jsonable(document)),
                    Jsonb(lengths),
                )
            )
        cls._count_routes(
            conn,
            [(munis[d.get("municipality") or "Ukendt kommune"], d, 1) for d in documents if d.get("access") == "open"],
        )
        with conn.cursor().copy(
            "COPY items (muni, docno, id, meeting_id, access, kind, committee, year, date, date_precision, case_key, "
            "topics, position, stored, lengths) FROM STDIN"
        ) as copy:
            for row in item_rows:
                copy.write_row(row)
        with conn.cursor().copy("COPY postings (muni, field, term, docno, tf, len, positions) FROM STDIN") as copy:
            chunk: list[str] = []
            for field_term in sorted(posting_lines):
                chunk += posting_lines[field_term]
                if len(chunk) >= 50_000:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS new_df (muni smallint, field smallint, term text, df integer, cf float8) "
            "ON COMMIT DELETE ROWS"
        )
        with conn.cursor().copy("COPY new_df FROM STDIN") as copy:
            copy.write("".join(f"{m}\t{c}\t{_copy_text(t)}\t{n}\t{cf[(m, c, t)]}\n" for (m, c, t), n in df.items()))
        conn.execute(
            "INSERT INTO term_stats (muni, field, term, df, cf) SELECT muni, field, term, df, cf FROM new_df "
            "ON CONFLICT (field, term, muni) DO UPDATE SET df = term_stats.df + excluded.df, cf = term_stats.cf + excluded.cf"
        )
        for (muni, code), docs in field_docs.items():
            total = float(field_lengths[(muni, code)])
            conn.execute(
                "INSERT INTO field_stats (muni, field, docs, total_length) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (muni, field) DO UPDATE SET docs = field_stats.docs + excluded.docs, "
                "total_length = field_stats.total_length + excluded.total_length",
                (muni, code, docs, total),
            )

    @classmethod
    def close_titled_attachments(cls, conn: psycopg.Connection) -> tuple[int, int, list[str]]:
        """Close, in content written before round 32, every open attachment whose title marks it
        closed (``model.title_marks_closed``), as an ingest of the item without it would: the item
        is written again (in ``conn``'s transaction) without the attachment's entry in its stored
        document, its title and text (stored fields, postings, term and field statistics), its
        route evidence recounted, and its file pruned when no item refers to it any more.
        Returns (items written again, attachments closed, archive names pruned)."""
        from indexer.engines.postgres.index import PostgresIndex
        from indexer.model import title_marks_closed
        from indexer.normalise import INVISIBLE_SIGNS

        # No batch writes meanwhile: ``db init``'s transaction holds the writers' lock (``schema.init``).
        # Every title the rule closes holds one of these words once read as the rule reads it (no
        # soft or zero-width hyphen, NFKC where the database can spell what NFKC folds): only those
        # items' documents are read.
        utf8 = conn.execute("SHOW server_encoding").fetchone()[0] == "UTF8"  # type: ignore[index]
        text = "translate(stored->>'doc', %s, '')"
        rows = conn.execute(
            "SELECT muni, docno, stored FROM items WHERE access = 'open' "  # type: ignore[arg-type]
            f"AND {f'normalize({text}, NFKC)' if utf8 else text} ~* '(lukke|fortrolig|offentlig|undtaget)' "
            "ORDER BY muni, docno",
            (INVISIBLE_SIGNS,),
        ).fetchall()
        documents, docs, closed = [], [], 0
        for muni, docno, stored in rows:
            fields = dict(stored)
            doc = json.loads(fields.get("doc") or "{}")
            attachments = list(doc.get("attachments") or [])
            kept = [a for a in attachments if not title_marks_closed(a.get("title"))]
            if len(kept) == len(attachments):
                continue
            closed += len(attachments) - len(kept)
            doc["attachments"] = kept
            fields["doc"] = json.dumps(doc, ensure_ascii=False)
            fields["attachment_titles"] = "\n".join(str(a.get("title") or "") for a in kept)
            fields["attachments_text"] = _texts_kept(str(fields.get("attachments_text") or ""), attachments, kept)
            if isinstance(fields.get("date"), str):
                fields["date"] = datetime.fromisoformat(fields["date"])
            documents.append(PostgresIndex.derived(fields))
            docs.append((int(muni), int(docno)))
        if not docs:
            return 0, 0, []
        released = cls._delete(conn, docs)
        names = {str(n): int(m) for n, m in conn.execute("SELECT name, muni FROM municipalities").fetchall()}
        cls._insert(conn, documents, names)
        pruned = cls._prune(conn, released)
        conn.execute("UPDATE state SET generation = generation + 1 WHERE muni = 0")
        return len(docs), closed, pruned

    def _archive(
        self,
        conn: psycopg.Connection,
        files: dict[str, tuple[Path, str | None]],
        munis: dict[str, int],
        documents: list[dict[str, Any]],
    ) -> int:
        """Store the open attachment files the batch's items name, once per municipality and content."""
        wanted: set[tuple[int, str]] = set()
        for document in documents:
            if document.get("access") != "open":
                continue
            muni = munis[document.get("municipality") or "Ukendt kommune"]
            doc = json.loads(document.get("doc") or "{}")
            # Open attachments, and the open copy of the whole-meeting document the item was read from.
            for archived in [*doc.get("attachments", []), doc.get("source_document") or {}]:
                name = archived.get("archive_name")
                if name and name in files:
                    wanted.add((muni, name))
        if not wanted:
            return 0
        present = {
            (int(m), str(n))
            for m, n in conn.execute(
                "SELECT muni, name FROM attachments WHERE name = ANY(%s)", ([n for _, n in wanted],)
            ).fetchall()
        }
        stored = 0
        for muni, name in sorted(wanted - present):
            path, media_type = files[name]
            conn.execute(
                "INSERT INTO attachments (muni, name, media_type, content) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (muni, name, media_type, path.read_bytes()),
            )
            stored += 1
        return stored

    def delete_ids(self, ids: list[str]) -> int:
        """Remove items by id; returns how many were removed (their URLs answer 410 from now on)."""
        found, _ = self.forget(ids)
        return sum(n for _, n in found.values())

    def forget(self, ids: list[str]) -> tuple[dict[str, tuple[str, int]], list[str]]:
        """Take items, or every item of meetings, down by id in one transaction (``minutes forget``):
        rows, postings and statistics go, and archived files no other item refers to.

        Returns (id → ("item" | "meeting" | "unknown", items removed), archive names pruned)."""
        found: dict[str, tuple[str, int]] = {}
        pruned: list[str] = []
        with self._connect() as conn, conn.transaction():
            self._writer_lock(conn)
            docs: list[tuple[int, int]] = []
            item_ids: list[str] = []
            for wanted in dict.fromkeys(ids):
                kind = "item"
                rows = conn.execute("SELECT muni, docno, id FROM items WHERE id = %s", (wanted,)).fetchall()
                if not rows:
                    kind = "meeting"
                    rows = conn.execute("SELECT muni, docno, id FROM items WHERE meeting_id = %s", (wanted,)).fetchall()
                docs += [(int(m), int(d)) for m, d, _ in rows]
                item_ids += [str(i) for _, _, i in rows]
                found[wanted] = (kind if rows else "unknown", len(rows))
            if docs:
                gone: dict[str, list[dict[str, Any]]] = {}
                self._sources_of(conn, list(dict.fromkeys(docs)), gone)
                released = self._delete(conn, list(dict.fromkeys(docs)))
                pruned = self._prune(conn, released | self._reblank(conn, gone))
                meetings = [i for i, (kind, _) in found.items() if kind == "meeting"]  # the meeting's page too
                self._withdraw(conn, item_ids + meetings)
                conn.execute("UPDATE state SET generation = generation + 1 WHERE muni = 0")
        return found, pruned

    @staticmethod
    def _withdraw(conn: psycopg.Connection, item_ids: list[str]) -> None:
        """Remember the ids (never anything else) of items that were published and are gone."""
        if item_ids:
            conn.execute(
                "INSERT INTO withdrawn (id) SELECT unnest(%s::text[]) ON CONFLICT (id) DO NOTHING", (item_ids,)
            )

    def gone(self, item_id: str) -> bool:
        with self._pooled() as conn:
            return conn.execute("SELECT 1 FROM withdrawn WHERE id = %s", (item_id,)).fetchone() is not None

    def holds(self, item_id: str) -> bool:
        """An item, or a meeting with items, of this id is indexed."""
        with self._pooled() as conn:
            row = conn.execute("SELECT 1 FROM items WHERE id = %s OR meeting_id = %s LIMIT 1", (item_id, item_id))
            return row.fetchone() is not None

    def takedowns(self) -> TakedownTable:
        return TakedownTable(self.url)

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        with self._connect() as conn, conn.transaction():
            for source in sources:
                conn.execute(
                    "INSERT INTO sources (muni, source) VALUES (0, %s) ON CONFLICT DO NOTHING", (Jsonb(source),)
                )

    def drop_sources(self, paths: list[str]) -> None:
        """Forget recorded sources (``minutes reindex --drop-source``)."""
        with self._connect() as conn, conn.transaction():
            conn.execute("DELETE FROM sources WHERE source->>'path' = ANY(%s)", (paths,))

    def sources(self) -> list[dict[str, Any]]:
        with self._pooled() as conn:
            return [dict(r[0]) for r in conn.execute("SELECT source FROM sources ORDER BY source::text").fetchall()]

    def harvest_state(self, portal: str) -> dict[str, Any] | None:
        """What ``minutes harvest`` recorded for one portal, or None before its first run."""
        with self._pooled() as conn:
            row = conn.execute("SELECT state FROM harvest_state WHERE portal = %s", (portal,)).fetchone()
        return dict(row[0]) if row and isinstance(row[0], dict) else None

    def harvest_portals(self) -> list[str]:
        """The portals ``minutes harvest`` has recorded a state for."""
        with self._pooled() as conn:
            return [str(row[0]) for row in conn.execute("SELECT portal FROM harvest_state ORDER BY portal")]

    def save_harvest_state(self, portal: str, state: dict[str, Any]) -> None:
        with psycopg.connect(self.url) as conn, conn.transaction():
            conn.execute(
                "INSERT INTO harvest_state (portal, state) VALUES (%s, %s) "
                "ON CONFLICT (portal) DO UPDATE SET state = EXCLUDED.state, updated = now()",
                (portal, Jsonb(state)),
            )

    def vacuum(self) -> None:
        """Refresh the planner's statistics and the visibility map after a bulk ingest."""
        with self._connect(autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) items, postings, term_stats, field_stats")

    def compact(self) -> list[tuple[str, float]]:
        """Rewrite the content tables and their indexes (VACUUM FULL, then ANALYZE): the only way
        the bytes of removed rows — an item closed, withdrawn or forgotten, its postings, terms
        and archived files — leave the table files.  A plain VACUUM (the ingest's, autovacuum)
        only marks them free space to be overwritten some day.  Takes each table's ACCESS
        EXCLUSIVE lock while it is rewritten (searches of it wait) and needs room for a second
        copy of it.  That lock is waited for ``TABLE_LOCK_WAIT`` at a time (the searches queued
        behind the wait go on between tries), for up to ``WRITER_WAIT_S`` in all: behind a long
        transaction reading a table it waited for ever and stopped every search meanwhile; now
        ``EngineBusy`` names the holder and the tables rewritten before.  The write-ahead log keeps what it logged until it is recycled; its archive
        and any replica's, as long as they are kept.  Returns (table, seconds) per table."""
        timings: list[tuple[str, float]] = []
        deadline = monotonic() + WRITER_WAIT_S
        with self._connect(autocommit=True) as conn:
            # VACUUM runs in no transaction block, so no SET LOCAL: the session's setting, for
            # each lock the rewrite takes (the table's, its TOAST table's, its indexes').
            conn.execute(f"SET lock_timeout = '{TABLE_LOCK_WAIT}'")
            for table in CONTENT_TABLES:
                started = monotonic()
                done = ", ".join(t for t, _ in timings) or "none"
                statement = sql.SQL("VACUUM (FULL, ANALYZE) {}").format(sql.Identifier(table))
                take_tables(
                    conn,
                    self.url,
                    _runs(conn, statement),
                    tables=[table],
                    busy=(
                        f"a transaction reading the {table} table{{held}} kept optimize from rewriting it "
                        f"(rewritten before: {done}); run optimize again when it has finished"
                    ),
                    waiting_for=f"a transaction reading the {table} table",
                    wait_s=round(max(0.0, deadline - monotonic()), 1),  # said in the waiting line
                )
                timings.append((table, monotonic() - started))
            conn.execute("RESET lock_timeout")
        return timings

    # -- searching ------------------------------------------------------------------

    def _munis_of(self, conn: psycopg.Connection, names: list[str]) -> list[int]:
        """The codes of municipalities by name.  A code, once given, is never changed nor taken
        back (``_muni_codes`` only adds; a reindex keeps the table), so the ones found are kept."""
        if not names:
            return []
        missing = [n for n in names if n not in self._munis]
        if missing:
            rows = conn.execute("SELECT name, muni FROM municipalities WHERE name = ANY(%s)", (missing,)).fetchall()
            with self._lock:
                self._munis.update((str(n), int(m)) for n, m in rows)
        return [self._munis[n] for n in names if n in self._munis] or [-1]

    def search(
        self,
        tree: Node,
        filters: Filters,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 10,
        facets: bool = True,
        highlight: bool = True,
        facts: TermFacts | None = None,
    ) -> SearchResult:
        """Total, facet counts and one page of hits of ``tree`` among the open items passing ``filters``.

        Two statements: the terms' BM25F statistics, then one that answers the rest (total,
        facets, the page with its stored fields and matched terms), so the hits, their stored
        fields and the counts come from one snapshot.  ``facts``: what one request read of terms
        so far (``TermFacts``), used for the statistics it has and filled with those read."""
        with self._pooled() as conn:
            sql, params = self.statement(conn, tree, filters, sort, offset, limit, facets, highlight, facts)
            rows = conn.execute(sql, params).fetchall()  # type: ignore[arg-type]
        total = 0
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS} if facets else {}
        page: list[tuple[int, Hit]] = []
        scored = sort == "relevance" and not isinstance(tree, AllQ)
        for key, value, number, _, rank, stored, matched in rows:
            if key == "total":
                total = int(number)
            elif key == "hit":
                pairs = [str(m).split(":", 1) for m in matched or []]
                terms = [(FIELD_NAMES[int(code)], term) for code, term in pairs]
                page.append((int(rank), Hit(dict(stored), float(number) if scored else None, terms)))
            elif value not in (None, ""):
                counts[key][str(value)] = int(number)
        return SearchResult(total, [hit for _, hit in sorted(page, key=lambda r: r[0])], counts)

    def statement(
        self,
        conn: psycopg.Connection,
        tree: Node,
        filters: Filters,
        sort: str,
        offset: int,
        limit: int,
        facets: bool,
        highlight: bool = False,
        facts: TermFacts | None = None,
    ) -> tuple[str, list[Any]]:
        """The one statement of a search and its parameters: the total, the facet counts and the
        page's hits (``k`` = 'hit': docno, score, municipality, rank on the page, stored fields,
        and with ``highlight`` the query's (field code:term) pairs each holds).  The terms' BM25F
        statistics are read first, on ``conn``, unless ``facts`` has them (see ``search``)."""
        munis = self._munis_of(conn, filters.municipality)
        dry = SqlBuilder(munis or None)
        dry.build(tree)
        builder = SqlBuilder(munis or None, self._weights(conn, dry.scored, facts))
        matched = builder.build(tree)
        conditions = ["i.access = 'open'"]
        params = builder.params
        for column, values in (
            ("committee", filters.committee),
            ("kind", filters.kind),
            ("year", filters.year),
        ):
            chosen = [v for v in values if v]
            if chosen:
                conditions.append(f"i.{column} = ANY(%s)")
                params.append(chosen)
        if munis:
            conditions.append("i.muni = ANY(%s)")
            params.append(munis)
        topics = sorted({t.strip().lower() for t in filters.topic if t and t.strip()})
        if topics:
            conditions.append("i.topics && %s::text[]")
            params.append(topics)
        if filters.date_from or filters.date_to:
            # A meeting known only to its year is held when the range meets that year (base.Filters).
            by_day, by_year = ["i.date_precision <> 'year'"], ["i.date_precision = 'year'"]
            if filters.date_from:
                by_day.append("i.date >= %s")
                by_year.append("i.year >= %s")
            if filters.date_to:
                by_day.append("i.date <= %s")
                by_year.append("i.year <= %s")
            conditions.append(f"(({' AND '.join(by_day)}) OR ({' AND '.join(by_year)}))")
            for end, instant in ((filters.date_from, time.min), (filters.date_to, time.max)):
                if end:
                    params.append(datetime.combine(end, instant))
            for day in (filters.date_from, filters.date_to):
                if day:
                    params.append(f"{day.year:04d}")
        ctes = [
            *builder.ctes,
            f"m AS MATERIALIZED (SELECT i.muni, i.docno, q.s, i.committee, i.year, i.kind, i.topics, i.date "
            f"FROM {matched} q JOIN items i USING (muni, docno) WHERE {' AND '.join(conditions)})",
        ]
        if facets:
            # The total and every facet in one pass over the matches (one hash table per
            # grouping set); an item counts once under each of its topics, a municipality's
            # name is looked up once per municipality, not once per match.
            ctes.append(
                f"g AS (SELECT GROUPING({FACET_COLUMNS}) AS grouped, {FACET_COLUMNS}, count(*) AS n FROM m "
                f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in FACET_COLUMNS.split(', '))}, ()))"
            )
            parts = [
                f"SELECT 'total'::text AS k, NULL::text AS v, n::float8 AS n, {NO_HIT} FROM g WHERE grouped = {ALL_GROUPED}",
                f"SELECT 'committee', committee, n, {NULLS} FROM g WHERE grouped = {_grouped_by('committee')}",
                f"SELECT 'year', year, n, {NULLS} FROM g WHERE grouped = {_grouped_by('year')}",
                f"SELECT 'kind', kind, n, {NULLS} FROM g WHERE grouped = {_grouped_by('kind')}",
                f"SELECT 'municipality', x.name, n, {NULLS} FROM g JOIN municipalities x USING (muni) WHERE grouped = {_grouped_by('muni')}",
                f"SELECT 'topic', t, sum(n)::float8, {NULLS} FROM g, unnest(g.topics) t WHERE grouped = {_grouped_by('topics')} GROUP BY t",
            ]
        else:
            parts = [f"SELECT 'total'::text AS k, NULL::text AS v, count(*)::float8 AS n, {NO_HIT} FROM m"]
        # The page: its stored fields from the same snapshot as the matches (open items only, as
        # ``m`` is), ranked in the order asked, and the query's terms each hit holds (for snippets).
        pairs = sorted(set(terms_of(tree))) if highlight else []
        credited = []
        if pairs:
            credited.append(
                "SELECT p.field || ':' || p.term FROM postings p "
                "JOIN unnest(%s::smallint[], %s::text[]) w(field, term) USING (field, term) "
                "WHERE p.muni = h.muni AND p.docno = h.docno"
            )
            params += [[TEXT_FIELDS[f] for f, _ in pairs], [t for _, t in pairs]]
        for phrase in phrases_of(tree) if highlight else []:
            params.append([f"{TEXT_FIELDS[phrase.field]}:{w}" for w in phrase.words])
            credited.append(f"SELECT unnest(%s::text[]) WHERE {phrase_held(phrase, params, 'h.muni', 'h.docno')}")
        for code, pattern in sorted(set(wildcards_of(tree))) if highlight else []:
            params += [TEXT_FIELDS[code], pattern]
            credited.append(
                "SELECT p.field || ':' || p.term FROM postings p "
                "WHERE p.muni = h.muni AND p.docno = h.docno AND p.field = %s AND p.term LIKE %s"
            )
        matched = f"ARRAY({' UNION ALL '.join(credited)})" if credited else "NULL::text[]"
        if sort in ("newest", "oldest"):
            # Items of one start are ordered by meeting, position and id, which the matches do not
            # hold either: read for those dated like the page's last place or before it only.
            direction, bound, past = ("DESC", ">=", "-infinity") if sort == "newest" else ("ASC", "<=", "infinity")
            ranked = (
                "SELECT * FROM (SELECT m.muni, m.docno, m.s, m.date, x.id, x.meeting_id, x.position "
                "FROM m JOIN items x USING (muni, docno) "
                f"WHERE coalesce(m.date, '-infinity') {bound} coalesce((SELECT coalesce(date, '-infinity') FROM m "
                f"ORDER BY 1 {direction} OFFSET {max(0, int(offset) + int(limit) - 1)} LIMIT 1), '{past}')) r"
            )
        else:
            # Equals are ranked by id, which the matches (read from a covering index) do not hold:
            # it is looked up for those that may reach the page only, down to the score the
            # page's last place has, cut to TIE_SCALE (every item scoring alike with it).
            ranked = (
                "SELECT * FROM (SELECT m.muni, m.docno, m.s, m.date, x.id, NULL::text AS meeting_id, "
                "NULL::int AS position FROM m JOIN items x USING (muni, docno) "
                f"WHERE floor(m.s * {TIE_SCALE!r}) >= coalesce((SELECT floor(s * {TIE_SCALE!r}) FROM m "
                f"ORDER BY s DESC OFFSET {max(0, int(offset) + int(limit) - 1)} LIMIT 1), '-infinity')) r"
            )
        parts.append(
            f"(SELECT 'hit', h.docno::text, h.s, h.muni, row_number() OVER (ORDER BY {_order(sort, 'h.')}), i.stored, "
            f"{matched} FROM ({ranked} ORDER BY {_order(sort)} "
            f"LIMIT {int(limit)} OFFSET {int(offset)}) h "
            "JOIN items i ON i.muni = h.muni AND i.docno = h.docno AND i.access = 'open')"
        )
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
        return sql, params

    @staticmethod
    def _weights(conn: psycopg.Connection, scored: list[tuple[str, str]], facts: TermFacts | None) -> TermWeights:
        """IDF and average field length of each scored (field, term), in one statement: of those
        ``facts`` (what this request read before) does not hold yet, which it then does."""
        wanted = sorted(set(scored))
        known: TermFacts = facts if facts is not None else {}
        missing = [pair for pair in wanted if pair not in known]
        if missing:
            query, params = weights_query(missing)
            for code, term, idf, avg, held in conn.execute(query, params).fetchall():
                known[(FIELD_NAMES[int(code)], str(term))] = (float(idf), float(avg), bool(held))
        return {pair: known[pair][:2] for pair in wanted if pair in known}

    def iter_search(self, tree: Node, filters: Filters, sort: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """(total, stored fields) of the first ``limit`` hits, no facets or highlighting (exports, feeds)."""
        result = self.search(tree, filters, sort, 0, limit, facets=False, highlight=False)
        return result.total, [h.stored for h in result.hits]

    # -- items ------------------------------------------------------------------------

    def stored(self, item_id: str) -> dict[str, Any] | None:
        with self._pooled() as conn:
            row = conn.execute("SELECT stored FROM items WHERE id = %s LIMIT 1", (item_id,)).fetchone()
        return dict(row[0]) if row else None

    def meeting_documents(self, meeting_id: str) -> list[dict[str, Any]]:
        with self._pooled() as conn:
            rows = conn.execute("SELECT stored FROM items WHERE meeting_id = %s", (meeting_id,)).fetchall()
        return [dict(r[0]) for r in rows]

    def case_documents(self, case_key: str, limit: int = 200) -> list[dict[str, Any]]:
        """Open items of one case, oldest first."""
        with self._pooled() as conn:
            rows = conn.execute(
                "SELECT stored FROM items WHERE case_key = %s AND access = 'open' "
                "ORDER BY coalesce(date, '-infinity'), docno LIMIT %s",
                (case_key, limit),
            ).fetchall()
        return [dict(r[0]) for r in rows]

    def attachment(self, name: str) -> tuple[bytes, str | None] | None:
        """An archived open attachment's bytes and media type."""
        with self._pooled() as conn:
            row = conn.execute(
                "SELECT content, media_type FROM attachments WHERE name = %s LIMIT 1", (name,)
            ).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        with self._pooled() as conn:
            for (stored,) in conn.execute("SELECT stored FROM items ORDER BY muni, docno"):
                yield dict(stored)

    # -- vocabulary (open items only: closed items have no postings) ----------------------

    def has_terms(self, fieldname: str, terms: list[str]) -> set[str]:
        """Which of ``terms`` of a field open items hold (closed items have no statistics)."""
        if not terms:
            return set()
        with self._pooled() as conn:
            rows = conn.execute(
                "SELECT DISTINCT term FROM term_stats WHERE field = %s AND term = ANY(%s) AND df > 0",
                (TEXT_FIELDS[fieldname], sorted(set(terms))),
            ).fetchall()
        return {str(r[0]) for r in rows}

    def word_shares(self, fieldnames: Sequence[str], words: list[str]) -> dict[str, float]:
        """Each word's largest share of the open items holding it in one of ``fieldnames``, as
        analysed there (the least common of its terms; the statistics hold open items only, and
        field 0's documents are every open item, as the IDF reads them): one statement for all."""
        terms = {word: list(_field_terms(word, "body")) for word in dict.fromkeys(words)}
        wanted = sorted({term for found in terms.values() for term in found})
        found: dict[str, float] = {}
        if wanted:
            with self._pooled() as conn:
                rows = conn.execute(
                    "SELECT term, max(held) / greatest((SELECT sum(docs) FROM field_stats WHERE field = 0), 1) "
                    "FROM (SELECT term, sum(df)::float8 AS held FROM term_stats WHERE field = ANY(%s) "
                    "AND term = ANY(%s) GROUP BY field, term) f GROUP BY term",
                    ([TEXT_FIELDS[name] for name in fieldnames], wanted),
                ).fetchall()
            found = {str(term): float(share) for term, share in rows}
        return {word: min((found.get(t, 0.0) for t in found_terms), default=0.0) for word, found_terms in terms.items()}

    def prefix_terms(self, fieldname: str, prefix: str, limit: int = 400) -> list[tuple[int, str]]:
        """(document frequency, term) of terms starting with ``prefix``."""
        with self._pooled() as conn:
            rows = conn.execute(
                "SELECT sum(df)::int, term FROM term_stats WHERE field = %s AND term LIKE %s "
                "GROUP BY term ORDER BY term LIMIT %s",
                (TEXT_FIELDS[fieldname], _like_prefix(prefix), limit),
            ).fetchall()
        return [(int(n), str(t)) for n, t in rows]

    def near_terms(self, fieldname: str, word: str, maxdist: int = 2) -> list[tuple[str, float]]:
        """(term, collection frequency) of vocabulary words within ``maxdist`` edits of ``word``
        (neighbours swapped count one) sharing its first letter, ``word`` left out; by term.

        With fuzzystrmatch (migration 6) the server sends only the terms that pass a plain
        Levenshtein bound that no true candidate fails (``_swap_bound``), and the exact distance
        is computed here on those few; without it, on every term of the first letter and a length
        within ``maxdist`` (one log line says so, once).  The same list either way."""
        if not word:
            return []
        function = self._levenshtein()
        if function is not None and len(word) + maxdist <= LEVENSHTEIN_MAX_CHARS:
            bound, swapped = _swap_bound(word, maxdist)
            query = sql.SQL(
                "SELECT term, sum(cf) FROM term_stats WHERE field = %s AND term LIKE %s "
                "AND left(term, 1) = %s AND length(term) BETWEEN %s AND %s AND ({}(term, %s, %s) <= %s OR term = ANY(%s)) "
                "GROUP BY term HAVING sum(df) > 0"
            ).format(function)
            try:
                with self._pooled() as conn:
                    rows = conn.execute(
                        query, (*self._near_bounds(fieldname, word, maxdist), word, bound, bound, swapped)
                    ).fetchall()
                return self._near_exact(word, maxdist, rows)
            except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as error:
                self._levenshtein_function = None  # dropped since: today's path from now on
                log.warning("'Mente du' filters near words in Python: %s", str(error).splitlines()[0])
        with self._pooled() as conn:
            rows = conn.execute(
                "SELECT term, sum(cf) FROM term_stats WHERE field = %s AND term LIKE %s "
                "AND left(term, 1) = %s AND length(term) BETWEEN %s AND %s GROUP BY term HAVING sum(df) > 0",
                self._near_bounds(fieldname, word, maxdist),
            ).fetchall()
        return self._near_exact(word, maxdist, rows)

    @staticmethod
    def _near_bounds(fieldname: str, word: str, maxdist: int) -> tuple[int, str, str, int, int]:
        """The field, first letter (as a LIKE prefix and as ``left(term, 1)``, which the index of
        migration 7 reads with the length) and the lengths of a word's near terms."""
        return (TEXT_FIELDS[fieldname], _like_prefix(word[0]), word[0], len(word) - maxdist, len(word) + maxdist)

    @staticmethod
    def _near_exact(word: str, maxdist: int, rows: Iterable[tuple[Any, Any]]) -> list[tuple[str, float]]:
        return sorted(
            (str(term), float(cf))
            for term, cf in rows
            if term != word and _edit_distance(word, str(term), maxdist, swaps=True) <= maxdist
        )

    def _levenshtein(self) -> sql.Composable | None:
        """fuzzystrmatch's ``levenshtein_less_equal`` on the searched server, schema-qualified;
        None (and one log line) when the extension is not installed there."""
        if self._levenshtein_function is _UNKNOWN:
            with self._pooled() as conn:
                row = conn.execute(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'fuzzystrmatch'"
                ).fetchone()
            if row is None:
                self._levenshtein_function = None
                log.warning(
                    "fuzzystrmatch is not installed in the database: 'Mente du' filters near words in Python "
                    "(slow with a large vocabulary; `minutes db init` creates it where the server has it)"
                )
            else:
                self._levenshtein_function = sql.SQL("{}.levenshtein_less_equal").format(sql.Identifier(str(row[0])))
        return self._levenshtein_function if isinstance(self._levenshtein_function, sql.Composable) else None

    # -- statistics ----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._pooled() as conn:
            items, open_items, meetings, first, last = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE access = 'open'), count(DISTINCT meeting_id), "
                "min(date) FILTER (WHERE access = 'open'), max(date) FILTER (WHERE access = 'open') FROM items"
            ).fetchone() or (0, 0, 0, None, None)
            result = self.search(AllQ(), Filters(), "newest", 0, 0, facets=True, highlight=False)
        return {
            "items": int(items),
            "open_items": int(open_items),
            "closed_items": int(items) - int(open_items),
            "meetings": int(meetings),
            "first_meeting": first.date().isoformat() if first else None,
            "last_meeting": last.date().isoformat() if last else None,
            "counts": result.counts,
        }

    def route_table(self) -> RouteTable:
        """What the writes learnt: municipality → abbreviation → its bodies."""
        with self._pooled() as conn:
            rows = conn.execute(
                "SELECT m.name, r.learnt FROM route_evidence r JOIN municipalities m USING (muni) "
                "WHERE r.learnt <> '{}'::jsonb"
            ).fetchall()
        table: RouteTable = {}
        for _, learnt in rows:
            if isinstance(learnt, dict):
                table.update(learnt)
        return table

    def definition_table(self) -> DefinitionTable:
        """What the writes learnt the open text to define: municipality → abbreviation → full names."""
        with self._pooled() as conn:
            rows = conn.execute("SELECT definitions FROM route_evidence WHERE definitions <> '{}'::jsonb").fetchall()
        table: DefinitionTable = {}
        for (learnt,) in rows:
            if isinstance(learnt, dict):
                table.update(learnt)
        return table

    def analysis_version(self) -> int:
        """The analysis the content was written with (``state.analysis``; NULL before stamps)."""
        with self._pooled() as conn:
            row = conn.execute("SELECT analysis, EXISTS (SELECT 1 FROM items) FROM state WHERE muni = 0").fetchone()
        if row and row[0] is not None:
            return int(row[0])
        # Nothing in it was analysed by another analysis: an empty database is this one's.
        return ANALYSIS_VERSION if row and not row[1] else UNSTAMPED_ANALYSIS

    def generation(self) -> int:
        with self._pooled() as conn:
            row = conn.execute("SELECT generation FROM state WHERE muni = 0").fetchone()
        return int(row[0]) if row else 0

    def learnt(self, known: int | None) -> tuple[int, Learnt | None]:
        """The generation and, when it is not ``known``, what the writes learnt as of it, in one
        statement (one snapshot, one round trip): the route and definition tables and the names
        of the committees with open items, by municipality.  Each table's subquery runs only when
        it is sent."""
        with self._pooled() as conn:
            row = conn.execute(LEARNT_SQL, (known, known, known)).fetchone()
        assert row is not None
        generation, routes, definitions, pairs = row
        if pairs is None:
            return int(generation), None
        municipal: dict[str, list[str]] = {}
        for municipality, committee in pairs:
            municipal.setdefault(str(municipality), []).append(str(committee))
        route_table: RouteTable = {}
        for learnt in routes:
            if isinstance(learnt, dict):
                route_table.update(learnt)
        definition_table: DefinitionTable = {}
        for learnt in definitions:
            if isinstance(learnt, dict):
                definition_table.update(learnt)
        committees = sorted({name for names in municipal.values() for name in names})
        return int(generation), Learnt(int(generation), route_table, definition_table, committees, municipal)

    def size_bytes(self) -> int:
        with self._pooled() as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


@dataclass(frozen=True)
class Learnt:
    """What the writes learnt, as of one generation of the database."""

    generation: int
    routes: RouteTable
    definitions: DefinitionTable
    committees: list[str]
    municipal_committees: dict[str, list[str]]  # municipality → its committees with open items


# ``Database.learnt``: the generation (0 before the first write), and the tables only when it is
# not the one the caller holds (an uncorrelated subquery in a CASE branch not taken is never run).
LEARNT_SQL = """
SELECT s.generation,
    CASE WHEN s.generation IS DISTINCT FROM %s THEN
        (SELECT coalesce(jsonb_agg(r.learnt), '[]'::jsonb) FROM route_evidence r
         JOIN municipalities m USING (muni) WHERE r.learnt <> '{}'::jsonb) END,
    CASE WHEN s.generation IS DISTINCT FROM %s THEN
        (SELECT coalesce(jsonb_agg(definitions), '[]'::jsonb) FROM route_evidence
         WHERE definitions <> '{}'::jsonb) END,
    CASE WHEN s.generation IS DISTINCT FROM %s THEN
        (SELECT coalesce(jsonb_agg(jsonb_build_array(m.name, p.committee)), '[]'::jsonb)
         FROM (SELECT DISTINCT muni, committee FROM items WHERE access = 'open' AND committee <> '') p
         JOIN municipalities m USING (muni)) END
FROM (SELECT coalesce((SELECT generation FROM state WHERE muni = 0), 0) AS generation) s
"""


class TakedownTable:
    """The take-downs of a database (``minutes forget``), with the interface of the folder's
    ``forgotten.json`` (``indexer.forget.Registry``): every writer and web server shares them."""

    def __init__(self, url: str) -> None:
        self.url = url

    def entries(self) -> list[TakeDown]:
        with psycopg.connect(self.url) as conn:
            rows = conn.execute("SELECT id, kind, at, reason, items_removed FROM takedowns ORDER BY at, id").fetchall()
        return [TakeDown(str(i), str(k), str(a), str(r), int(n)) for i, k, a, r, n in rows]

    def ids(self) -> frozenset[str]:
        return frozenset(entry.id for entry in self.entries())

    def add(self, entries: list[TakeDown]) -> None:
        with psycopg.connect(self.url) as conn, conn.transaction():
            for e in entries:
                conn.execute(
                    """INSERT INTO takedowns (id, kind, at, reason, items_removed) VALUES (%s, %s, %s, %s, %s)
                       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, at = EXCLUDED.at,
                       reason = EXCLUDED.reason, items_removed = EXCLUDED.items_removed""",
                    (e.id, e.kind, e.at, e.reason, e.items_removed),
                )

    def remove(self, ids: set[str]) -> list[TakeDown]:
        with psycopg.connect(self.url) as conn, conn.transaction():
            rows = conn.execute(
                "DELETE FROM takedowns WHERE id = ANY(%s) RETURNING id, kind, at, reason, items_removed", (sorted(ids),)
            ).fetchall()
        return [TakeDown(str(i), str(k), str(a), str(r), int(n)) for i, k, a, r, n in rows]


def _texts_kept(joined: str, attachments: list[dict[str, Any]], kept: list[dict[str, Any]]) -> str:
    """An item's ``attachments_text`` without the entries of the attachments not ``kept``.  The
    index joined one entry per attachment with text, in their order: its title, a line break and
    its text, the entries parted by a blank line.  Each entry is found by its title after the
    one before; where a title's heading is not found exactly once in that order (an attachment's
    text repeats the next one's title, two titles alike), none of the text is kept: what is
    withheld cannot be told apart, and the open attachments' text is searchable again after a reindex."""
    texted = [a for a in attachments if a.get("has_text")]
    starts: list[int] = []
    for number, attachment in enumerate(texted):
        head = f"{attachment.get('title') or ''}\n"
        if number == 0:
            if not joined.startswith(head):
                return ""
            starts.append(0)
            continue
        marker = f"\n\n{head}"
        found = joined.find(marker, starts[-1] + 1)
        if found < 0 or joined.count(marker) != 1:
            return ""
        starts.append(found + 2)
    if not texted:
        return ""
    ends = [start - 2 for start in starts[1:]] + [len(joined)]
    keep = {id(a) for a in kept}
    entries = [joined[s:e] for a, s, e in zip(texted, starts, ends, strict=True) if id(a) in keep]
    return "\n\n".join(entries)


def _rank(document: dict[str, Any]) -> int:
    try:
        return KIND_RANK.get(MeetingKind(document.get("kind") or "dagsorden"), 0)
    except ValueError:
        return 0


def _position(document: dict[str, Any]) -> int:
    """The item's agenda position, as the ``items.position`` column holds it (what date sorts
    order a meeting's items by; 0 when the document has none, as migration 10 fills it)."""
    return int(document.get("position") or 0)


def _copy_text(value: str) -> str:
    """A value for COPY's text format: backslash, tab and line breaks escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


_UNKNOWN = object()
LEVENSHTEIN_MAX_CHARS = 255  # fuzzystrmatch refuses longer strings


def _swap_bound(word: str, maxdist: int) -> tuple[int, list[str]]:
    """A plain Levenshtein bound, and the few words it does not cover, such that every term
    within ``maxdist`` edits of ``word`` with neighbours swapped counting one (``_edit_distance``
    with ``swaps``: optimal string alignment) is within the bound of ``word`` or is one of the words.

    Why no candidate is lost: an optimal alignment of ``word`` with such a term is ``s`` swaps
    of two neighbours and ``e`` other edits, ``s + e <= maxdist``, no letter edited twice.  Plain
    Levenshtein does each swap with two substitutions and the rest alike, so the term is within
    ``e + 2s`` of ``word``: within ``2 * maxdist - 1`` unless every edit is a swap (``s ==
    maxdist``, ``e == 0``); then the term is ``word`` with ``maxdist`` disjoint pairs of
    neighbours swapped, which is what the list holds.  (A bound of ``2 * maxdist`` alone would
    be safe too, and lets through many more words.)"""
    pairs = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
    swapped = set()
    for chosen in itertools.combinations(pairs, maxdist):
        if all(b - a >= 2 for a, b in itertools.pairwise(chosen)):
            letters = list(word)
            for i in chosen:
                letters[i], letters[i + 1] = letters[i + 1], letters[i]
            swapped.add("".join(letters))
    return max(2 * maxdist - 1, 0), sorted(swapped)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _edit_distance(a: str, b: str, limit: int, swaps: bool = False) -> int:
    """Levenshtein distance, stopping early once every path exceeds ``limit``; with ``swaps``
    two neighbouring letters swapped count one edit (optimal string alignment, as Whoosh's)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if swaps and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]
