"""``base.Engine`` over PostgreSQL: what ``open_engine("postgresql://…")`` returns.

The query AST is turned into field terms by the embedded engine's own translator
(``QueryTranslator`` over the schema alone: the same multifield expansion over our
Danish analyzers, the same boosts), read as the engine's tree (``query.from_whoosh``)
and answered by the database (``engine.Database``).  Archive files live in the
``attachments`` table, so every web server on every host reads the same archive.
Reads go to a streaming replica when one is given (``read_url`` or
``MINUTES_READ_REPLICA``); ingest always writes to the primary.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from indexer.analysis.bodies import DefinitionTable, RouteTable
from indexer.engines import redact
from indexer.engines.base import (
    CLOSED_TITLE,
    FACETS,
    Archive,
    Engine,
    EngineMissing,
    EngineStats,
    Hit,
    SearchResult,
    SearchSpec,
    StoredItem,
    WriteSummary,
)
from indexer.engines.base import Filters as SpecFilters
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database, Filters, Learnt
from indexer.engines.postgres.index import PostgresIndex, text_cache_root
from indexer.engines.postgres.query import AllQ, TermFacts, from_whoosh
from indexer.engines.whoosh.engine import LOGICAL_FIELD, SHARE_FIELDS, WORD_SHARES_KEPT, QueryTranslator
from indexer.engines.whoosh.index import build_schema
from indexer.model import Meeting

# Stored fields whose text snippets are cut from.
TEXT_STORED = ("title", "decision", "body", "attachments_text")


class DatabaseArchive(Archive):
    """Attachment files in the database: named at ingest, stored with their batch, read by name."""

    def __init__(self, database: Database, pending: PostgresIndex) -> None:
        self.database = database
        self.pending = pending

    def store(self, source: Path) -> tuple[str, bool]:
        from indexer.engines.whoosh.index import IngestSummary

        summary = IngestSummary()
        name = self.pending._archive(str(source), summary)
        if name is None:
            raise OSError(summary.warnings[-1] if summary.warnings else f"{source}: cannot be read")
        return name, True

    def open(self, name: str) -> BinaryIO | None:
        if not self.NAME.fullmatch(name or ""):
            return None
        found = self.database.attachment(name)
        return io.BytesIO(found[0]) if found else None


class PostgresEngine(Engine):
    """One database (and optionally a read replica): see the module doc."""

    def __init__(
        self,
        location: str,
        read_url: str | None = None,
        max_connections: int = 8,
        database: Database | None = None,
    ) -> None:
        self.location = location
        self.database = database or Database(
            location,
            read_url=read_url or os.environ.get("MINUTES_READ_REPLICA") or None,
            max_connections=max_connections,
        )
        self.ingest = PostgresIndex(self.database)
        self.translator = QueryTranslator(build_schema("danish"))  # the schema only: no index
        self._cached: Learnt | None = None  # the learnt tables of the last generation read
        self._request = threading.local()  # this thread's request (``reading``)
        # (generation, (word, with parts) -> share): ``word_shares`` of the generation last read
        self._shares: tuple[int, dict[tuple[str, bool], float]] = (-1, {})

    @classmethod
    def open(cls, location: str, **options: Any) -> PostgresEngine:
        try:
            return cls(location, **options)
        except schema.SchemaError as exc:
            raise EngineMissing(str(exc)) from exc

    @classmethod
    def open_or_create(cls, location: str, **options: Any) -> PostgresEngine:
        # Schema changes are ``minutes db init``'s alone: never made implicitly.
        return cls.open(location, **options)

    def close(self) -> None:
        self.database.close()

    # -- writing -----------------------------------------------------------------------

    def writing(self) -> Any:
        return self.ingest.ingest_lock()  # the run lock, as an ingest holds it

    def write(self, meetings: Sequence[Meeting]) -> WriteSummary:
        # One transaction for the whole batch, through the closed-content boundary.
        return self.ingest.add_meetings(meetings, batch_size=max(1, sum(len(m.items) for m in meetings)))

    def finish(self) -> None:
        self.database.vacuum()

    def delete_items(self, item_ids: Sequence[str]) -> int:
        return self.database.delete_ids(list(item_ids))

    def delete_meetings(self, meeting_ids: Sequence[str]) -> int:
        ids = [s["id"] for m in meeting_ids for s in self.database.meeting_documents(m)]
        return self.database.delete_ids(ids) if ids else 0

    def gone(self, item_id: str) -> bool:
        return self.database.gone(item_id)

    def takedowns(self) -> Any:
        """``minutes forget``'s records, in the database (shared by every host)."""
        return self.database.takedowns()

    def rebuild(self, build: Callable[[Engine], WriteSummary]) -> WriteSummary:
        """Build into a schema of its own and swap it in in one transaction (``rebuild.py``):
        readers keep the old content until then, and nothing changes when ``build`` raises."""
        from indexer.engines.postgres.rebuild import Rebuild

        rebuild = Rebuild.begin(self.location)
        try:
            fresh = PostgresEngine(self.location, database=rebuild.database())
            try:
                summary = build(fresh)
            finally:
                fresh.close()
            rebuild.keep_closed()
            self.ingest.drop_cached_text(set(rebuild.swap()))
            return summary
        except BaseException:
            rebuild.abandon()
            raise
        finally:
            rebuild.close()

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        self.database.record_sources(sources)

    def sources(self) -> list[dict[str, Any]]:
        return self.database.sources()

    @property
    def archive(self) -> Archive:
        return DatabaseArchive(self.database, self.ingest)

    @property
    def text_cache_dir(self) -> Path | None:
        return text_cache_root()

    # -- reading -------------------------------------------------------------------------

    def search(self, spec: SearchSpec) -> SearchResult:
        tree = from_whoosh(self.translator.translate(spec.query)) if spec.query is not None else AllQ()
        sort = spec.sort if spec.sort in ("newest", "oldest") or spec.query is not None else "newest"
        if spec.query is None and sort == "relevance":
            sort = "newest"
        found = self.database.search(
            tree,
            _filters(spec.filters),
            sort,
            spec.offset,
            spec.limit,
            facets=spec.with_facets,
            highlight=spec.query is not None,
            facts=self._facts(),
        )
        hits = [Hit(_stored_item(h.stored), h.score, _by_field(h.matched_terms)) for h in found.hits]
        facets = {name: found.counts.get(name, {}) for name in FACETS} if spec.with_facets else {}
        return SearchResult(found.total, hits, facets)

    def item(self, item_id: str) -> StoredItem | None:
        stored = self.database.stored(item_id)
        return _stored_item(stored) if stored else None

    def meeting_items(self, meeting_id: str) -> list[StoredItem]:
        return [_stored_item(s) for s in self.database.meeting_documents(meeting_id)]

    def case_items(self, key: str, limit: int = 200) -> list[StoredItem]:
        return [_stored_item(s) for s in self.database.case_documents(key, limit)] if key else []

    def has_word(self, word: str, fieldname: str = "exact") -> bool:
        return bool(self.has_words([word], fieldname))

    def has_words(self, words: Sequence[str], fieldname: str = "exact") -> set[str]:
        """In a request, a word its searches already looked up is answered from what they read
        (the statistics statement says whether open items hold each term); the rest in one statement."""
        facts = self._facts() or {}
        held = {w for w in words if facts.get((fieldname, w), (0.0, 0.0, False))[2]}
        rest = [w for w in dict.fromkeys(words) if (fieldname, w) not in facts]
        return held | self.database.has_terms(fieldname, rest)

    def word_shares(self, words: Sequence[str], parts: bool = False) -> dict[str, float]:
        """Kept per database generation (every item page's "Lignende sager" asks the shares of
        all its words, mostly the same few thousand); a write makes a new generation, which
        starts a new cache.  Only the words not yet read are asked, in one statement."""
        generation = self._learnt().generation
        kept, known = self._shares
        if kept != generation or len(known) > WORD_SHARES_KEPT:
            known = {}
            self._shares = (generation, known)
        wanted = list(dict.fromkeys(words))
        missing = [word for word in wanted if (word, parts) not in known]
        if missing:
            fresh = self.database.word_shares(SHARE_FIELDS + (("parts",) if parts else ()), missing)
            known.update(((word, parts), share) for word, share in fresh.items())
            return {word: known[word, parts] if (word, parts) in known else fresh[word] for word in wanted}
        return {word: known[word, parts] for word in wanted}

    def near_words(self, word: str, maxdist: int = 2, fieldname: str = "exact") -> list[tuple[str, float]]:
        return self.database.near_terms(fieldname, word, maxdist)

    def completions(self, prefix: str, limit: int = 400) -> list[tuple[str, int]]:
        return [(w, n) for n, w in self.database.prefix_terms("exact", prefix, limit)]

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One request's reads: the generation is read once, at the first that needs it (with
        the learnt tables, when they changed, in the same statement), and the tables of that
        generation serve the rest of the request, its "Mente du" and correction included; what
        its searches read of terms (IDF, average length, whether open items hold them) is not
        read again by its later searches and word checks.  Nested requests (a correction
        searched inside a search) keep the outer one's."""
        if getattr(self._request, "open", False):
            yield
            return
        self._request.open, self._request.learnt, self._request.facts = True, None, {}
        try:
            yield
        finally:
            self._request.open, self._request.learnt, self._request.facts = False, None, None

    def _facts(self) -> TermFacts | None:
        """What this thread's request has read of terms (``Database.search``), None outside one."""
        return getattr(self._request, "facts", None)  # type: ignore[no-any-return]

    def _learnt(self) -> Learnt:
        """The learnt tables of the database's generation now, or, inside ``reading``, of the
        generation the request first read; kept per generation, so read again only when a write
        committed since (one round trip either way)."""
        pinned = getattr(self._request, "learnt", None)
        if pinned is not None:
            return pinned  # type: ignore[no-any-return]
        cached = self._cached
        generation, fresh = self.database.learnt(cached.generation if cached else None)
        if fresh is not None:
            cached = self._cached = fresh
        assert cached is not None and cached.generation == generation
        if getattr(self._request, "open", False):
            self._request.learnt = cached
        return cached

    def committees(self) -> list[str]:
        """The committees with open items, kept per database generation (every query resolves
        body names against them)."""
        return self._learnt().committees

    def committees_of(self, municipalities: Sequence[str]) -> list[str]:
        """As ``committees``, read in the same statement (``Database.learnt``)."""
        found = self._learnt().municipal_committees
        return sorted({name for municipality in municipalities for name in found.get(municipality, ())})

    def route_table(self) -> RouteTable:
        """What the writes learnt (``Database.learnt``), read once per database generation."""
        return self._learnt().routes

    def definition_table(self) -> DefinitionTable:
        """What the writes learnt the open text to define (``Database.learnt``), read once per
        database generation."""
        return self._learnt().definitions

    def analysis_version(self) -> int:
        return self.database.analysis_version()

    def shown_location(self) -> str:
        return redact(self.location)

    def stats(self) -> EngineStats:
        found = self.database.stats()
        counts = found["counts"]
        return EngineStats(
            location=redact(self.location),
            items=found["items"],
            open_items=found["open_items"],
            closed_items=found["closed_items"],
            meetings=found["meetings"],
            first_meeting=found["first_meeting"],
            last_meeting=found["last_meeting"],
            facets={name: dict(sorted(counts.get(name, {}).items(), key=lambda kv: -kv[1])) for name in FACETS},
        )

    def last_changed(self) -> datetime | None:
        return None

    def iter_items(self) -> Iterator[StoredItem]:
        for stored in self.database.iter_stored():
            yield _stored_item(stored)


def _filters(filters: SpecFilters) -> Filters:
    return Filters(
        committee=list(filters.committee),
        municipality=list(filters.municipality),
        kind=list(filters.kind),
        year=list(filters.year),
        topic=list(filters.topic),
        date_from=filters.date_from if isinstance(filters.date_from, date) else None,
        date_to=filters.date_to if isinstance(filters.date_to, date) else None,
    )


def _stored_item(fields: dict[str, Any]) -> StoredItem:
    is_open = fields.get("access") == "open"
    return StoredItem(
        id=fields.get("id", ""),
        meeting_id=fields.get("meeting_id", ""),
        number=fields.get("number", "") or "",
        position=int(fields.get("position") or 0),
        access="open" if is_open else "closed",
        title=fields.get("title", "") if is_open else CLOSED_TITLE,
        case_key=fields.get("case_key", "") if is_open else "",
        doc_json=str(fields.get("doc") or "{}"),
        texts={LOGICAL_FIELD[name]: fields.get(name) or "" for name in TEXT_STORED} if is_open else {},
    )


def _by_field(matched: list[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for fieldname, term in matched:
        out.setdefault(LOGICAL_FIELD.get(fieldname, fieldname), set()).add(term)
    return out
