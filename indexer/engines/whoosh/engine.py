"""The embedded engine: ``base.Engine`` over a Whoosh index folder.

Queries arrive as our AST (``indexer.search.query``) and are translated here,
leaf by leaf, with the schema's own analyzers: a word becomes a boosted Or over
the text fields (as Whoosh's multifield parser makes it), a phrase a Phrase per
phrase field. Word queries are then matched and scored over whole posting lists
(``bulkmatch``); what bulk matching does not cover falls back to Whoosh's
matchers. Filters and facets come from numpy columns kept per index state.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import re
import threading
import time as time_module
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from functools import partial
from heapq import heapify, heappush, heapreplace
from pathlib import Path
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TermsCollector, TopCollector
from whoosh.qparser import MultifieldParser

from indexer.analysis import fastterms
from indexer.analysis.bodies import DefinitionTable, RouteTable
from indexer.analysis.danish import DANISH_STOP_WORDS
from indexer.engines.base import (
    CLOSED_TITLE,
    FACETS,
    HELPER_FIELDS,
    TEXT_FIELDS,
    TIE_SCALE,
    Engine,
    EngineStats,
    Filters,
    Hit,
    SearchResult,
    SearchSpec,
    StoredItem,
    WriteSummary,
)
from indexer.engines.whoosh.bulkmatch import (
    DEFAULT_POSTINGS_CACHE_MB,
    BulkMatcher,
    Evaluation,
    MinutesBM25F,
    PostingsCache,
    numeric_column,
    top_documents,
)
from indexer.engines.whoosh.codec import MinutesTermsReader
from indexer.engines.whoosh.columns import load_columns
from indexer.engines.whoosh.columns import supported as columns_supported
from indexer.engines.whoosh.index import ID_ORDER, JOINED_TEXTS, MEETING_ORDER, POSITION_ORDER, MinutesIndex, rebuild
from indexer.engines.whoosh.normalize import normalized
from indexer.engines.whoosh.phrases import GappedPhrase
from indexer.engines.whoosh.vocabulary import Vocabulary, segment_words
from indexer.gone import Gone
from indexer.model import Meeting
from indexer.search import query as ast

# Logical field (base.TEXT_FIELDS) -> schema field.
SCHEMA_FIELD = {
    "title": "title",
    "decision": "decision",
    "body": "body",
    "attachment_titles": "attachment_titles",
    "attachments": "attachments_text",
    "committee": "committee_text",
    "meeting": "meeting_text",
}
LOGICAL_FIELD = {v: k for k, v in SCHEMA_FIELD.items()} | {"exact": "exact", "parts": "parts", "title_parts": "parts"}
VALUE_SCHEMA_FIELD = {"committee": "committee", "case": "case_key", "topic": "topic", "municipality": "municipality"}
# Unfielded words search these, with these boosts (the unstemmed ``exact`` field
# catches exact forms; ``parts``, when the schema has it, compound parts).
SEARCH_FIELDS = ["title", "decision", "body", "attachment_titles", "attachments_text", "exact"]
FIELD_BOOSTS = {SCHEMA_FIELD[k]: v for k, v in TEXT_FIELDS.items()} | HELPER_FIELDS
PHRASE_FIELDS = ("title", "decision", "body", "exact")
# The fields whose text the ``exact`` field holds (a phrase's stop word at its edge is required there).
EXACT_SOURCES = JOINED_TEXTS["exact"]
# How many more words a phrase a rewrite makes may have between two of its words than its text
# has (``QueryTranslator._gapped``): the index keeps a stop word's place, and such a phrase
# ("ekspropriation erstatning" for "ekspropriationserstatning", two typed neighbours) was
# matched across stop words when they took no place ("ekspropriation og erstatning").  A place
# does not say whether a stop word or another word stood there, so this lets one word of any kind
# in.  Dev (1,843): 1 lets one stop word in, and loses "råstofferne i dette område" for
# "råstofområdet" (two) and two raises across two; 2 lets those in, and "tog til Roskilde
# Station" for "togstation" and "veje og grønne områder" for "vejområdet" with them (7 down, 1 up;
# with 1: 3 down, 1 up).
LOOSE_GAP = 1
# How common a word is: the largest share of the open items holding it in one of these (``word_shares``).
SHARE_FIELDS = ("title", "decision", "body")
TEXT_STORED = ("title", "decision", "body", "attachments_text")


# A folder's modification time younger than this may be shared by a later change (see _still_current).
FOLDER_TIME_WINDOW_NS = 200_000_000
# Word shares kept per index state (a few MB at most); beyond it the cache starts over.
WORD_SHARES_KEPT = 100_000


class WhooshEngine(Engine):
    """One index folder; per-thread searchers, refreshed after commits and reindex swaps."""

    def __init__(self, index: MinutesIndex, bulk_matching: bool = True, postings_cache_mb: float | None = None) -> None:
        """``bulk_matching=False`` leaves every query to Whoosh's matchers (for comparison).
        ``postings_cache_mb`` bounds the decoded posting lists kept for repeated words
        (default ``MINUTES_POSTINGS_CACHE_MB`` or 256; 0 turns the cache off)."""
        self.index = index
        self.location = str(index.root)
        self.bulk_matching = bulk_matching
        if postings_cache_mb is None:
            postings_cache_mb = float(os.environ.get("MINUTES_POSTINGS_CACHE_MB") or DEFAULT_POSTINGS_CACHE_MB)
        self.postings_cache = PostingsCache(postings_cache_mb)
        self._target = self._live_target()
        self._gone = Gone(index.root)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._contexts: dict[tuple[Any, ...], _SearcherContext] = {}
        self._generation = 0
        self._translator: QueryTranslator | None = None
        self._translator_generation: int = -1

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, location: str, **options: Any) -> WhooshEngine:
        return cls(MinutesIndex.open(Path(location)), **options)

    @classmethod
    def open_or_create(cls, location: str, **options: Any) -> WhooshEngine:
        return cls(MinutesIndex.open_or_create(Path(location)), **options)

    @classmethod
    def exists(cls, location: str) -> bool:
        return MinutesIndex.exists(Path(location))

    def _live_target(self) -> str:
        live = MinutesIndex.live_dir(self.index.root)
        return os.readlink(live) if live.is_symlink() else str(live)

    def gone(self, item_id: str) -> bool:
        return item_id in self._gone.ids()

    def last_changed(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(MinutesIndex.live_dir(self.index.root).stat().st_mtime, tz=UTC)
        except OSError:
            return None

    def refresh(self) -> None:
        self._target = ""  # the next searcher() re-opens

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One request's reads from one state of the index: the thread's searcher is looked at
        once, at the first read, and kept until the request ends (``searcher`` otherwise looks at
        the index folder at every read, some fifty times a search).  Nested, the outer one holds."""
        local = self._local
        if getattr(local, "reading", False):
            yield
            return
        local.reading, local.pinned = True, None
        try:
            yield
        finally:
            local.reading, local.pinned = False, None

    def searcher(self) -> Any:
        """This thread's searcher, refreshed when a commit or a reindex happened (inside
        ``reading``, the one the request first read).

        A commit in another process may delete the table of contents a refresh is
        about to read (the newest one a moment ago); the next attempt finds the newer one.
        """
        local = self._local
        pinned = getattr(local, "pinned", None)
        if pinned is not None:
            return pinned
        for attempt in range(5):
            try:
                current = self._current_searcher()
                if getattr(local, "reading", False):
                    local.pinned = current
                return current
            except FileNotFoundError:
                if attempt == 4:
                    raise
                time_module.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def _current_searcher(self) -> Any:
        target = self._live_target()
        if target != self._target:
            with self._lock:
                if target != self._target:
                    self.index.refresh()
                    self._target = target
                    self._generation += 1
        local = self._local
        current: Any = getattr(local, "searcher", None)
        if current is None or getattr(local, "generation", -1) != self._generation:
            if current is not None:
                current.close()
            current = self._opened(self.index.ix.searcher(weighting=MinutesBM25F()))
            local.searcher, local.generation, local.checked = current, self._generation, None
        elif not self._still_current(local, current):
            current = self._opened(current.refresh())
            local.searcher, local.checked = current, None
        return current

    def _opened(self, searcher: Any) -> Any:
        """The searcher with every segment file it will read already open.

        Whoosh opens a segment's stored fields, length, date and order columns, and our caches
        read its facet columns, at first use; a merge committed after this searcher listed
        its segments deletes their files (an open file stays readable), so a first use
        later in a request would find them gone.  Whoosh reads a missing column as "no
        such column" (lengths of 0, no dates, no facet codes), so whatever was found
        missing is trusted only while this searcher's state is still the newest: a state
        is deleted only after a newer one is committed.  Raises FileNotFoundError for
        ``searcher()`` to retry on the newer state."""
        schema = searcher.schema
        scorable = [(name, f"_{name}_len") for name in schema.scorable_names()]
        date_column = schema["date"].column_type if "date" in schema else None
        order_columns = [(name, schema[name].column_type) for name in ORDER_COLUMNS if name in schema]
        missing = False
        for leaf, _ in searcher.reader().leaf_readers():
            if leaf.doc_count_all():
                try:
                    leaf.stored_fields(0)
                except TypeError as error:  # Whoosh found no stored-fields file: the segment is gone
                    raise FileNotFoundError(f"segment {leaf.segment().segment_id()} was merged away") from error
                opened = getattr(leaf._perdoc, "_readers", {})
                for name, column in scorable:
                    leaf.doc_field_length(0, name)
                    missing = missing or (column not in opened and bool(leaf.field_length(name)))
                if date_column is not None:
                    if leaf.has_column("date"):
                        leaf._perdoc.column_reader("date", date_column)  # opened here, read when sorted by
                    else:
                        missing = True
                for name, column_type in order_columns:
                    if leaf.has_column(name):
                        leaf._perdoc.column_reader(name, column_type)  # opened here, read when hits are ordered
                    else:
                        missing = True
        if missing:
            self._check_newest(searcher)
        self._context(searcher)
        return searcher

    def _check_newest(self, searcher: Any) -> None:
        """Raise FileNotFoundError when a newer state was committed than ``searcher``'s: the
        files it found missing may have been its merged-away segments'."""
        generation = searcher.reader().generation()
        if generation is not None and self.index.ix.latest_generation() != generation:
            raise FileNotFoundError(f"index state {generation} was replaced while its files were opened")

    def _still_current(self, local: Any, current: Any) -> bool:
        """Whoosh's ``up_to_date``, asked only when the index folder may have changed.

        ``up_to_date`` lists the folder (every segment's files: hundreds at 100,000 items,
        thousands at a million) and it was asked several times per search.  A commit adds
        a table of contents to the folder, which changes its modification time; so while
        the time is what it was when this searcher was last found current, nothing was
        committed.  Folder times are coarse (a clock tick of a few ms), so a time is
        trusted only once it is older than ``FOLDER_TIME_WINDOW_NS``: a commit after that
        check is stamped with a later time."""
        try:
            changed = os.stat(self.index.ix.storage.folder).st_mtime_ns
        except (AttributeError, OSError):
            return bool(current.up_to_date())
        if getattr(local, "checked", None) == (id(current), changed):
            return True
        if not current.up_to_date():
            return False
        local.checked = (id(current), changed) if time_module.time_ns() - changed > FOLDER_TIME_WINDOW_NS else None
        return True

    def _context(self, searcher: Any) -> _SearcherContext:
        """Caches for one state of the index (open documents, facet columns), shared by
        all threads' searchers of that state and rebuilt after each commit."""
        known = getattr(self._local, "context", None)
        if known is not None and known[0] is searcher:  # a searcher sees one state: asked often per search
            return known[1]  # type: ignore[no-any-return]
        key = tuple(
            (leaf.segment().segment_id(), leaf.doc_count(), leaf.doc_count_all())
            for leaf, _ in searcher.reader().leaf_readers()
        )
        with self._lock:
            context = self._contexts.get(key)
        if context is None:
            context = _SearcherContext(searcher, partial(self._check_newest, searcher))
            with self._lock:
                self._contexts = {key: context}  # only the newest state is kept
        self._local.context = (searcher, context)
        return context

    # -- writing -----------------------------------------------------------------

    def writing(self) -> Any:
        return self.index.ingest_lock()

    def write(self, meetings: Sequence[Meeting]) -> WriteSummary:
        return self.index.add_meetings(meetings, batch_size=max(1, sum(len(m.items) for m in meetings)), merge=False)

    def finish(self) -> None:
        self.index.merge_segments()

    def delete_items(self, item_ids: Sequence[str]) -> int:
        return self.index.delete("id", item_ids)

    def delete_meetings(self, meeting_ids: Sequence[str]) -> int:
        return self.index.delete("meeting_id", meeting_ids)

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        self.index.record_sources(sources)

    def sources(self) -> list[dict[str, Any]]:
        return self.index.sources()

    @property
    def archive(self) -> Any:
        return self.index.archive

    @property
    def text_cache_dir(self) -> Path | None:
        return self.index.text_cache_dir

    def rebuild(self, build: Callable[[Engine], WriteSummary]) -> WriteSummary:
        """Build a fresh generation with ``build`` and swap it in; readers keep the old one until then."""
        return rebuild(self.index.root, lambda fresh: build(WhooshEngine(fresh, bulk_matching=self.bulk_matching)))

    # -- translating the AST -----------------------------------------------------------

    def translator(self) -> QueryTranslator:
        """The AST translator over this index's schema, built once per index generation
        from the searcher's schema (``ix.schema`` would re-read the table of contents
        from disk, which a concurrent commit may delete)."""
        searcher = self.searcher()
        translator = self._translator
        if translator is None or self._translator_generation != self._generation:
            translator = QueryTranslator(searcher.schema)
            self._translator, self._translator_generation = translator, self._generation
        return translator

    def translate(self, node: ast.Node | None) -> wq.Query:
        """The Whoosh query for an AST (Every for None), normalised."""
        return self.translator().translate(node)

    # -- searching -----------------------------------------------------------------

    def search(self, spec: SearchSpec) -> SearchResult:
        query = self.translate(spec.query)
        searcher = self.searcher()
        context = self._context(searcher)
        start, limit = spec.offset, spec.offset + spec.limit
        by_date = spec.sort in ("newest", "oldest") or spec.query is None
        newest_first = spec.sort != "oldest"
        evaluation: Evaluation | None = None
        if self.bulk_matching and spec.query is not None:
            evaluation = BulkMatcher(searcher, context.length_bytes, self.postings_cache).evaluate(query)
        date_keys = context.date_keys(searcher, newest_first) if by_date else ()
        if self.bulk_matching and (evaluation is not None or spec.query is None):
            # Word queries and browsing: match set, order and counts for the whole index at once.
            allowed_mask = context.allowed_mask(searcher, spec.filters)
            matching_mask = allowed_mask if evaluation is None else evaluation.matched & allowed_mask
            matching_docs = np.flatnonzero(matching_mask)
            total = len(matching_docs)
            counts = context.counts_of_mask(matching_mask, matching_docs) if spec.with_facets else {}
            if by_date:
                page = context.by_date(matching_docs, limit, date_keys)
            else:
                assert evaluation is not None
                page = top_documents(matching_docs, evaluation.scores, limit, context.tie_keys(searcher))
            # Lazy hits only inside a request: outside one, the next read may close this searcher.
            lazy = spec.lazy and getattr(self._local, "reading", False)
            hits: list[Hit] = []
            for docnum in page[start:limit]:
                score = float(evaluation.scores[docnum]) if evaluation is not None and not by_date else None
                matched = _by_field(evaluation.matched_terms(int(docnum))) if evaluation is not None else {}
                if lazy:
                    hits.append(_LazyHit(searcher, int(docnum), score, matched))
                else:
                    hits.append(Hit(_stored_item(searcher.stored_fields(int(docnum))), score, matched))
            return SearchResult(total, hits, counts)
        allowed = context.allowed(searcher, spec.filters)
        sortedby = "date" if by_date else None
        if by_date:
            results = _collected(
                searcher, query, allowed, spec.query is not None, _DatedCollector(max(1, limit), date_keys)
            )
        else:
            results = _top_with_ties(searcher, query, allowed, max(1, limit), True, context.tie_keys(searcher))
        # Totals and facet counts come from the unscored set of matching documents:
        # scoring every match only to count it is what makes naive faceting slow.
        matching = (
            allowed if isinstance(query, wq.Every) else [d for d in searcher.docs_for_query(query) if d in allowed]
        )
        hits = [
            Hit(
                _stored_item(hit.fields()),
                hit.score if sortedby is None else None,  # a sorted hit's "score" is its sort key
                _by_field(hit.matched_terms()) if hit.results.has_matched_terms() else {},
            )
            for hit in results[start:limit]
        ]
        return SearchResult(len(matching), hits, context.counts(matching) if spec.with_facets else {})

    def same_case(self, hits: Sequence[Hit], key: str) -> list[bool]:
        """Lazy hits by their document numbers among the case's (one term's postings), their
        items left unread; the others by their items' case keys."""
        cases: dict[int, set[int]] = {}  # per searcher: the documents whose case_key is key
        found: list[bool] = []
        for hit in hits:
            if not key:
                found.append(False)
            elif isinstance(hit, _LazyHit) and not hit.read:
                members = cases.get(id(hit.searcher))
                if members is None:
                    members = cases[id(hit.searcher)] = set(hit.searcher.docs_for_query(wq.Term("case_key", key)))
                found.append(hit.docnum in members)
            else:
                found.append(hit.item.case_key == key)
        return found

    # -- items -----------------------------------------------------------------------

    def _docnum(self, item_id: str) -> int | None:
        number = self.searcher().document_number(id=item_id)
        return None if number is None else int(number)

    def item(self, item_id: str) -> StoredItem | None:
        number = self._docnum(item_id)
        return None if number is None else _stored_item(self.searcher().stored_fields(number))

    def meeting_items(self, meeting_id: str) -> list[StoredItem]:
        return [_stored_item(fields) for fields in self.searcher().documents(meeting_id=meeting_id)]

    def case_items(self, key: str, limit: int = 200) -> list[StoredItem]:
        if not key:
            return []
        searcher = self.searcher()
        open_docs = self._context(searcher).open_docs
        results = searcher.search(wq.Term("case_key", key), filter=open_docs, limit=limit, sortedby="date")
        return [_stored_item(hit.fields()) for hit in results]

    def iter_items(self) -> Iterator[StoredItem]:
        for fields in self.index.iter_stored():
            yield _stored_item(fields)

    # -- vocabulary ------------------------------------------------------------------

    def has_word(self, word: str, fieldname: str = "exact") -> bool:
        """Whether an open item holds ``word`` (in the unstemmed ``exact`` field, or another):
        the word's postings segment by segment against the open set, up to the first."""
        searcher = self.searcher()
        if fieldname not in searcher.schema:  # a profile without the field (no compound parts) holds none
            return False
        context = self._context(searcher)
        field = searcher.schema[fieldname]
        term = field.to_bytes(word)
        for leaf, offset in searcher.reader().leaf_readers():
            terms = getattr(leaf, "_terms", None)
            if not isinstance(terms, MinutesTermsReader):  # an older format: Whoosh's matchers
                open_docs = context.open_docs
                return any(doc in open_docs for doc in searcher.docs_for_query(wq.Term(fieldname, word)))
            arrays = terms.term_arrays(fieldname, term, field.format.field_boost)
            if arrays is not None and context.open_mask[arrays.ids + offset].any():
                return True
        return False

    def word_shares(self, words: Sequence[str], parts: bool = False) -> dict[str, float]:
        """Each word's terms (as "body" indexes it) looked up segment by segment against the open set,
        over every item the index holds, closed ones too, as the IDF counts them and PostgreSQL's
        statistics do: so both engines draw the line of ``COMMON_SHARE`` at the same word."""
        searcher = self.searcher()
        context = self._context(searcher)
        leaves = list(searcher.reader().leaf_readers())
        if not all(isinstance(getattr(leaf, "_terms", None), MinutesTermsReader) for leaf, _ in leaves):
            return super().word_shares(words, parts)  # an older format: Whoosh's matchers
        fieldnames = SHARE_FIELDS + (("parts",) if parts and "parts" in searcher.schema else ())
        everything = max(1, searcher.doc_count())
        analyzer = searcher.schema["body"].analyzer
        known = context.word_shares
        if len(known) > WORD_SHARES_KEPT:
            known.clear()
        shares: dict[str, float] = {}
        for word in dict.fromkeys(words):
            if (word, parts) in known:  # read for an earlier request of this generation
                shares[word] = known[word, parts]
                continue
            held = []
            for term in fastterms.analyzer_positions(word, analyzer):
                counts = [0]
                for fieldname in fieldnames:
                    field = searcher.schema[fieldname]
                    count = 0
                    for leaf, offset in leaves:
                        arrays = leaf._terms.term_arrays(fieldname, field.to_bytes(term), field.format.field_boost)
                        if arrays is not None:
                            count += int(context.open_mask[arrays.ids + offset].sum())
                    counts.append(count)
                held.append(max(counts))
            shares[word] = known[word, parts] = min(held, default=0) / everything
        return shares

    def near_words(self, word: str, maxdist: int = 2, fieldname: str = "exact") -> list[tuple[str, float]]:
        searcher = self.searcher()
        vocabulary = (
            self.vocabulary(searcher, word[:1], fieldname) if word and Vocabulary.answers(word, maxdist) else None
        )
        if vocabulary is not None:
            found = vocabulary.near(word, maxdist, 1)
        else:
            reader = searcher.reader()
            found = [
                (w, float(reader.frequency(fieldname, w)))
                for w in reader.terms_within(fieldname, word, maxdist, prefix=1)
            ]
        return [(w, f) for w, f in found if w != word and self.has_word(w, fieldname)]

    def vocabulary(self, searcher: Any, prefix: str, fieldname: str = "exact") -> Vocabulary | None:
        """The words of ``fieldname`` starting with ``prefix`` across the index, with their
        frequencies, read once per index state (``vocabulary.py``); None for segments not
        written by our codec."""
        context = self._context(searcher)
        found = context.vocabularies.get((fieldname, prefix))
        if found is None:
            parts = []
            start = prefix.encode("utf-8")
            for leaf, _ in searcher.reader().leaf_readers():
                terms = getattr(leaf, "_terms", None)
                words = segment_words(terms, fieldname, start) if isinstance(terms, MinutesTermsReader) else None
                if words is None:
                    return None
                parts.append(words)
            found = context.vocabularies[(fieldname, prefix)] = Vocabulary(parts)
        return found

    def completions(self, prefix: str, limit: int = 400) -> list[tuple[str, int]]:
        reader = self.searcher().reader()
        words: list[tuple[str, int]] = []
        for term in reader.expand_prefix("exact", prefix):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            words.append((word, reader.doc_frequency("exact", word)))
            if len(words) >= limit:
                break
        return words

    def committees(self) -> list[str]:
        context = self._context(self.searcher())
        if context.committees is None:  # asked on every search (to rewrite body names): once per index state
            counts = context.counts_of_mask(context.open_mask, np.flatnonzero(context.open_mask))
            context.committees = sorted(counts.get("committee", {}))
        return context.committees

    def committees_of(self, municipalities: Sequence[str]) -> list[str]:
        context = self._context(self.searcher())
        if context.municipal_committees is None:  # once per index state
            context.municipal_committees = context.committees_by_municipality()
        found = context.municipal_committees
        return sorted({name for municipality in municipalities for name in found.get(municipality, ())})

    def route_table(self) -> RouteTable:
        """Read what the ingest learnt for this index state (``routes.py``); nothing when it
        saved none for it (the next write recounts), and that is not remembered."""
        searcher = self.searcher()
        context = self._context(searcher)
        if context.routes is None:
            table = self.index.route_table(searcher.reader().generation())
            if table is None:
                return {}
            context.routes = table
        return context.routes

    def definition_table(self) -> DefinitionTable:
        """Read the abbreviations the ingest learnt the open text to define, for this index state
        (``routes.py``); nothing when it saved none for it."""
        searcher = self.searcher()
        context = self._context(searcher)
        if context.definitions is None:
            table = self.index.definition_table(searcher.reader().generation())
            if table is None:
                return {}
            context.definitions = table
        return context.definitions

    def analysis_version(self) -> int:
        return self.index.analysis_version()

    def stats(self) -> EngineStats:
        """From the columns and term lists (no stored document is read)."""
        searcher = self.searcher()
        context = self._context(searcher)
        reader = searcher.reader()
        live = set(searcher.docs_for_query(wq.Every()))
        meetings = 0
        for term in reader.lexicon("meeting_id"):
            meeting_id = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            if any(doc in live for doc in searcher.docs_for_query(wq.Term("meeting_id", meeting_id))):
                meetings += 1
        dates = sorted(d for d in (reader.column_reader("date")[doc] for doc in context.open_docs) if d)
        counts = context.counts(context.open_docs)
        return EngineStats(
            location=self.location,
            items=len(live),
            open_items=len(context.open_docs),
            closed_items=len(live) - len(context.open_docs),
            meetings=meetings,
            first_meeting=dates[0].date().isoformat() if dates else None,
            last_meeting=dates[-1].date().isoformat() if dates else None,
            facets={name: dict(sorted(counts.get(name, {}).items(), key=lambda kv: -kv[1])) for name in FACETS},
        )


# The words and phrases a translator keeps translated (``QueryTranslator._leaf``): the typed words
# of the last few hundred searches, with their rewrites.
TRANSLATED_LEAVES = 4096


class QueryTranslator:
    """Our query AST → a Whoosh query over one schema, leaf by leaf with the schema's analyzers:
    a word becomes a boosted Or over the text fields (as Whoosh's multifield parser makes it),
    a phrase a Phrase per phrase field. Needs the schema only, not an index."""

    def __init__(self, schema: Any) -> None:
        self.fields = tuple(SEARCH_FIELDS + [f for f in ("parts", "title_parts") if f in schema])
        self.parser = MultifieldParser(list(self.fields), schema, fieldboosts={f: FIELD_BOOSTS[f] for f in self.fields})
        # Each word and phrase as translated by an earlier query over this schema: the analysis and
        # Whoosh's parser cost most of a translation (a phrase ~0.8 ms), and the tries of a page ask
        # the same words again.  A Whoosh query is never changed once built, so it may be shared.
        self._leaves: LRUCache[ast.Node, wq.Query] = LRUCache(maxsize=TRANSLATED_LEAVES)
        self._leaves_lock = threading.Lock()

    def translate(self, node: ast.Node | None) -> wq.Query:
        if node is None:
            return wq.Every()
        return normalized(self._translate(node, {}, {}))

    def _translate(
        self, node: ast.Node, leaves: dict[ast.Node, wq.Query], done: dict[int, tuple[ast.Node, wq.Query]]
    ) -> wq.Query:
        """``leaves``: the words and phrases translated so far in this query — one asked again (a
        query holding most of the typed words repeats each in many combinations) is looked up once;
        ``done``: each node object translated so far (the combinations share their clauses' objects),
        by identity, kept alive so that no id is reused.  A Whoosh query is never changed once built,
        so the same one may stand in several places."""
        found = done.get(id(node))
        if found is not None:
            return found[1]
        query = self._translated(node, leaves, done)
        done[id(node)] = (node, query)
        return query

    def _translated(
        self, node: ast.Node, leaves: dict[ast.Node, wq.Query], done: dict[int, tuple[ast.Node, wq.Query]]
    ) -> wq.Query:
        parser = self.parser
        if isinstance(node, ast.Word | ast.Phrase):
            found = leaves.get(node)
            if found is None:
                found = leaves[node] = self._leaf(node)
            return found
        if isinstance(node, ast.Match):
            if node.field == "committee":
                # Scored as the words of the name in the analysed committee field, as the judged
                # queries were measured; matched as the exact name, which weighs nothing: a
                # longer name holds the same words ("Klima-, Teknik- og Miljøudvalget").
                found = parser.term_query("committee_text", node.value, wq.Term)
                if found is None:
                    return wq.Term("committee", node.value)
                return wq.And([found, wq.Term("committee", node.value, boost=0.0)])
            return wq.Term(VALUE_SCHEMA_FIELD[node.field], node.value)
        if isinstance(node, ast.And):
            # Whoosh matches And(a, Not(b)) as AndNot(a, b); said so here, bulk matching covers it.
            positive = [self._translate(c, leaves, done) for c in node.children if not isinstance(c, ast.Not)]
            negative = [self._translate(c.child, leaves, done) for c in node.children if isinstance(c, ast.Not)]
            if not positive or not negative:
                return wq.And([self._translate(c, leaves, done) for c in node.children])
            kept = positive[0] if len(positive) == 1 else wq.And(positive)
            return wq.AndNot(kept, negative[0] if len(negative) == 1 else wq.Or(negative))
        if isinstance(node, ast.Or):
            return wq.Or([self._translate(c, leaves, done) for c in node.children])
        if isinstance(node, ast.Not):
            return wq.Not(self._translate(node.child, leaves, done))
        if isinstance(node, ast.Scaled):  # as a Prefer's weight: normalised into the clause's own boost
            return wq.Or([self._translate(node.child, leaves, done)], boost=node.factor)
        optional = self._translate(node.optional, leaves, done)
        if node.weight != 1.0:
            optional = wq.Or([optional], boost=node.weight)  # normalised into the clause's own boost
        return wq.AndMaybe(self._translate(node.required, leaves, done), optional)

    def _leaf(self, node: ast.Word | ast.Phrase) -> wq.Query:
        """A word's or phrase's Whoosh query, as an earlier query over this schema built it."""
        with self._leaves_lock:
            found = self._leaves.get(node)
        if found is None:
            found = self._word(node) if isinstance(node, ast.Word) else self._phrase(node)
            with self._leaves_lock:
                self._leaves[node] = found
        return found

    def _word(self, node: ast.Word) -> wq.Query:
        fields = [SCHEMA_FIELD[node.field]] if node.field else list(self.fields)
        wildcard = "*" in node.text or "?" in node.text
        if wildcard:  # a prefix matches a title's compounds whole, in the title field itself
            fields = [f for f in fields if f != "title_parts"]
        # As Whoosh's parser does it: a wildcard is lower-cased by the field's filters, not split.
        termclass, tokenize = (wq.Wildcard, False) if wildcard else (wq.Term, True)
        alternatives = [
            self.parser.term_query(
                f,
                node.text,
                termclass,
                boost=FIELD_BOOSTS.get(f, 1.0) if not node.field else 1.0,
                tokenize=tokenize,
                removestops=not wildcard,
            )
            for f in fields
        ]
        kept = [q for q in alternatives if q is not None]
        if not kept:
            return wq.NullQuery
        return kept[0] if node.field else wq.Or(kept)

    def _phrase(self, node: ast.Phrase) -> wq.Query:
        """A phrase in its field, or in each phrase field: compound parts and the attachment
        fields (whose text ``exact`` holds as well) would only cost position checks.

        The stemmed fields leave a stop word out but keep its place, so each word stands at its
        distance in the typed text (``_gapped``): a quoted "affaldsplan godkendelse" is two words
        side by side (not "affaldsplan og godkendelse"), and "kommissorium om guide" the stems of
        "kommissorium" and "guide" with one word between them, whatever word stands there (a
        position holds no sign of what was left out of it; "kommissorium og guide" and
        "kommissoriet for guiden" match, "kommissorium guide" does not).  Which word is not asked
        of the exact forms either: their positions count the joined text (title, body, decision,
        attachments), so a stemmed match's gap cannot be looked up there.  A phrase a rewrite
        makes (``ast.Phrase.quoted`` False) stays loose: up to ``LOOSE_GAP`` more words may stand
        between its words, as its stop words did before (``_gapped``).  A phrase with a stop word at its start or end, where no gap shows it ("og
        fra skole" was "skole"), is required in the exact forms as well, as typed; scored by the
        phrase fields alone (a title holding the words still weighs as a title)."""
        text = node.text.replace('"', " ")
        slop = f"~{node.slop}" if node.slop != 1 else ""
        words = re.findall(r"\w+", text.lower())
        edge = len(words) > 1 and (words[0] in DANISH_STOP_WORDS or words[-1] in DANISH_STOP_WORDS)
        if node.field:
            schema = self.parser.schema
            if schema is None or SCHEMA_FIELD[node.field] not in schema:
                return wq.NullQuery  # an index written before the field was (the meeting's date)
            parsed = self._gapped(self.parser.parse(f'{SCHEMA_FIELD[node.field]}:"{text}"{slop}'), text, node)
            if edge and SCHEMA_FIELD[node.field] in EXACT_SOURCES:
                return wq.Require(parsed, self.parser.parse(f'exact:"{text}"{slop}'))
            return parsed
        parsed = self.parser.parse(f'"{text}"{slop}')
        if isinstance(parsed, wq.Or) and all(isinstance(q, wq.Phrase) for q in parsed.subqueries):
            kept = [q for q in parsed.subqueries if getattr(q, "fieldname", None) in PHRASE_FIELDS]
            parsed = wq.Or(kept, boost=parsed.boost) if kept else parsed
        parsed = self._gapped(parsed, text, node)
        if edge:
            return wq.Require(parsed, self.parser.parse(f'exact:"{text}"{slop}'))
        return parsed

    def _gapped(self, parsed: wq.Query, text: str, node: ast.Phrase) -> wq.Query:
        """Each phrase of ``parsed`` (a phrase, or an Or of one per field) in a field that leaves
        stop words out, as a ``GappedPhrase`` whose words stand at their distances in ``text``
        (the field's analyzer numbers them with their stop words, as the index does): within
        ``slop`` - 1 more of that when quoted, anywhere from next to each other to ``LOOSE_GAP``
        more when not.  The exact forms hold every word, so their phrase is Whoosh's as it was."""
        if isinstance(parsed, wq.Or):
            return wq.Or([self._gapped(q, text, node) for q in parsed.subqueries], boost=parsed.boost)
        schema = self.parser.schema
        if not isinstance(parsed, wq.Phrase) or schema is None or parsed.fieldname == "exact":
            return parsed
        analyzer = schema[parsed.fieldname].analyzer
        if analyzer is None:
            return parsed
        tokens = analyzer(text, mode="query", positions=True)
        places = [(t.text, t.pos) for t in tokens]
        if [word for word, _ in places] != list(parsed.words):
            return parsed  # not the words the parser found: left as Whoosh's phrase
        distances = [b - a for (_, a), (_, b) in itertools.pairwise(places)]
        extra = node.slop - 1
        bounds = [(d, d + extra) for d in distances] if node.quoted else [(1, d + extra + LOOSE_GAP) for d in distances]
        return GappedPhrase(
            parsed.fieldname, list(parsed.words), node.slop, parsed.boost, parsed.char_ranges, bounds=bounds
        )


class _LazyHit(Hit):
    """A hit whose item is read from its searcher at first use (``SearchSpec.lazy``): Whoosh
    keeps a document's stored fields as one compressed pickle, its whole text with them, and
    unpacking it was about half of what "Lignende sager" cost, for candidates mostly weighed
    by their matched terms alone and passed over."""

    def __init__(self, searcher: Any, docnum: int, score: float | None, matched: dict[str, set[str]]) -> None:
        self.searcher = searcher
        self.docnum = docnum
        self.score = score
        self.matched = matched
        self._item: StoredItem | None = None

    @property
    def read(self) -> bool:
        return self._item is not None

    @property  # type: ignore[override]
    def item(self) -> StoredItem:
        if self._item is None:
            self._item = _stored_item(self.searcher.stored_fields(self.docnum))
        return self._item

    @item.setter
    def item(self, value: StoredItem) -> None:
        self._item = value


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


def _by_field(matched_terms: Iterable[tuple[str, Any]]) -> dict[str, set[str]]:
    by_field: dict[str, set[str]] = {}
    for fieldname, term in matched_terms:
        text = term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)
        by_field.setdefault(LOGICAL_FIELD.get(fieldname, fieldname), set()).add(text)
    return by_field


class _SearcherContext:
    """What one searcher (one index generation) needs for fast filters and facets.

    The open documents are found once; the single-valued facet fields are read
    from their columns once into numpy codes, so a facet count is one bincount
    over the matching documents; topics (several per item) are kept as arrays of
    their open documents.  Filter sets and masks for requested values are cached,
    bounded.  Nothing here holds a Python object per document but ``open_docs``,
    the filter Whoosh's own searches take.
    """

    COLUMN_FACETS = ("committee", "year", "municipality", "kind")

    def __init__(self, searcher: Any, check_newest: Callable[[], None] = lambda: None) -> None:
        """``check_newest`` raises FileNotFoundError when the searcher's state was replaced:
        a segment of our codec without its facet codes may be one merged away meanwhile."""
        reader = searcher.reader()
        self.doc_count = reader.doc_count_all()
        self._open_docs: set[int] | None = None
        columns = load_columns(reader, self.COLUMN_FACETS)
        if columns is None and columns_supported(reader):
            check_newest()  # else a segment that really has no codes: rebuilt through Whoosh
        if columns is not None:  # read from what the segments persisted
            self.open_mask = columns.open_mask
            self.column_codes: dict[str, tuple[list[Any], np.ndarray]] = {
                name: found for name, found in columns.facets.items() if reader.has_column(name)
            }
            self.topic_arrays: dict[str, np.ndarray] = columns.topics
        else:  # an index without persisted columns: rebuilt through Whoosh, document by document
            self._open_docs = set(searcher.docs_for_query(wq.Term("access", "open")))
            self.open_mask = np.zeros(self.doc_count, dtype=bool)
            self.open_mask[np.fromiter(self._open_docs, np.int64, len(self._open_docs))] = True
            self.open_mask.flags.writeable = False
            self.column_codes = {}
            for name in self.COLUMN_FACETS:
                if reader.has_column(name):
                    distinct: dict[Any, int] = {}
                    codes = np.fromiter(
                        (distinct.setdefault(v, len(distinct)) for v in reader.column_reader(name)),
                        np.int32,
                        self.doc_count,
                    )
                    self.column_codes[name] = (list(distinct), codes)
            self.topic_arrays = {}
            if "topic" in reader.indexed_field_names():
                for term in reader.lexicon("topic"):
                    code = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                    members = np.fromiter(searcher.docs_for_query(wq.Term("topic", code)), np.int64)
                    self.topic_arrays[code] = members[self.open_mask[members]]
        self.length_bytes: dict[str, np.ndarray] = {}  # field lengths, filled by BulkMatcher
        self._dates: np.ndarray | None = None  # meeting dates as sortable integers, read when first sorted by
        self._tie_keys: tuple[np.ndarray, np.ndarray] | None = None  # read when hits are first ranked
        self._date_keys: dict[bool, tuple[np.ndarray, ...]] = {}  # read when first sorted by date
        self._cache: dict[tuple[Any, ...], set[int]] = {}
        self._mask_cache: dict[Filters, np.ndarray] = {}
        self.committees: list[str] | None = None
        self.municipal_committees: dict[str, list[str]] | None = None
        self.routes: RouteTable | None = None
        self.definitions: DefinitionTable | None = None
        self.vocabularies: dict[tuple[str, str], Vocabulary] = {}  # "Mente du"'s words by field and first letter
        # (word, with parts) -> share (``word_shares``): every item page's "Lignende sager" asks
        # those of all its words, mostly the same few thousand; bounded by WORD_SHARES_KEPT.
        self.word_shares: dict[tuple[str, bool], float] = {}

    @property
    def open_docs(self) -> set[int]:
        """The open, live documents as a set: the filter Whoosh's own searches take
        (made on first use; bulk matching needs only the mask)."""
        if self._open_docs is None:
            self._open_docs = set(np.flatnonzero(self.open_mask).tolist())
        return self._open_docs

    def _cached(self, key: tuple[Any, ...], build: Callable[[], set[int]]) -> set[int]:
        # The sets are shared and must never be changed in place: only & and | are used.
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 256:
                self._cache.clear()
            found = self._cache[key] = build()
        return found

    def _values(self, searcher: Any, name: str, values: list[str]) -> set[int]:
        if name not in self.column_codes:
            return set(searcher.docs_for_query(wq.Or([wq.Term(name, v) for v in values])))
        distinct, codes = self.column_codes[name]
        wanted = set(values)
        wanted_codes = [code for code, value in enumerate(distinct) if value in wanted]
        return set(np.flatnonzero(np.isin(codes, wanted_codes)).tolist())

    def allowed(self, searcher: Any, filters: Filters) -> set[int]:
        """Open documents that pass the filters."""
        result = self.open_docs
        for name, values in (
            ("committee", filters.committee),
            ("municipality", filters.municipality),
            ("kind", filters.kind),
            ("year", filters.year),
        ):
            chosen = tuple(sorted(v for v in values if v))
            if chosen:
                values_set = self._cached((name, chosen), partial(self._values, searcher, name, list(chosen)))
                result = result & values_set
        topics = tuple(sorted({t.strip().lower() for t in filters.topic if t and t.strip()}))
        if topics:
            result = result & self._cached(("topic", topics), partial(self._topic_docs, topics))
        if filters.date_from or filters.date_to:
            key = ("date", filters.date_from, filters.date_to)
            result = result & self._cached(key, partial(self._in_dates, searcher, filters.date_from, filters.date_to))
        return result

    @staticmethod
    def _in_dates(searcher: Any, date_from: date | None, date_to: date | None) -> set[int]:
        """The documents a date range holds (``base.Filters``): a meeting dated to the day by its
        date, one known only to its year when the range meets that year."""
        start = datetime.combine(date_from, time.min) if date_from else None
        end = datetime.combine(date_to, time.max) if date_to else None
        by_day = set(searcher.docs_for_query(wq.DateRange("date", start, end)))
        year_only = set(searcher.docs_for_query(wq.Term("date_precision", "year")))
        if not year_only:
            return by_day
        years = wq.TermRange(
            "year", f"{date_from.year:04d}" if date_from else None, f"{date_to.year:04d}" if date_to else None
        )
        return (by_day - year_only) | (year_only & set(searcher.docs_for_query(years)))

    def _topic_docs(self, topics: tuple[str, ...]) -> set[int]:
        arrays = [self.topic_arrays[t] for t in topics if t in self.topic_arrays]
        return set(np.concatenate(arrays).tolist()) if arrays else set()

    def allowed_mask(self, searcher: Any, filters: Filters) -> np.ndarray:
        """``allowed()`` as a boolean per document; cached, bounded, never changed in place."""
        if not filters:
            return self.open_mask
        mask = self._mask_cache.get(filters)
        if mask is None:
            allowed = self.allowed(searcher, filters)
            mask = np.zeros(self.doc_count, dtype=bool)
            mask[np.fromiter(allowed, np.int64, len(allowed))] = True
            mask.flags.writeable = False
            if len(self._mask_cache) > 64:
                self._mask_cache.clear()
            self._mask_cache[filters] = mask
        return mask

    def committees_by_municipality(self) -> dict[str, list[str]]:
        """Municipality → the committees with open items there, from the facet codes (the pairs of
        the open documents, each once); nothing when the index keeps no such codes."""
        if "committee" not in self.column_codes or "municipality" not in self.column_codes:
            return {}
        (committees, committee_codes), (municipalities, municipality_codes) = (
            self.column_codes["committee"],
            self.column_codes["municipality"],
        )
        docs = np.flatnonzero(self.open_mask)
        pairs = np.unique(municipality_codes[docs].astype(np.int64) * len(committees) + committee_codes[docs])
        found: dict[str, list[str]] = {}
        for pair in pairs.tolist():
            municipality, committee = municipalities[pair // len(committees)], committees[pair % len(committees)]
            if committee not in (None, "", b"") and municipality not in (None, b""):
                found.setdefault(str(municipality), []).append(str(committee))
        return found

    def counts_of_mask(self, mask: np.ndarray, docs: np.ndarray) -> dict[str, dict[str, int]]:
        """Facet counts of a match set given as a mask and its document numbers."""
        out: dict[str, dict[str, int]] = {}
        for name, (values, codes) in self.column_codes.items():
            tally = np.bincount(codes[docs], minlength=len(values))
            out[name] = {
                str(values[code]): int(n)
                for code, n in enumerate(tally.tolist())
                if n and values[code] not in (None, "", b"")
            }
        topic_counts = {code: int(np.count_nonzero(mask[members])) for code, members in self.topic_arrays.items()}
        out["topic"] = {code: n for code, n in topic_counts.items() if n}
        return out

    def date_keys(self, searcher: Any, newest_first: bool) -> tuple[np.ndarray, ...]:
        """Every document's keys in a date sort, lower first (the engine contract, ``base``):
        its meeting start (negated for newest first; undated last when newest first, first
        when oldest first), then its meeting's id, its agenda position and its own id as
        numbers, so a meeting's items come in agenda order, whatever document numbers a
        build gave them."""
        keys = self._date_keys.get(newest_first)
        if keys is None:
            reader = searcher.reader()
            dates = -self._meeting_dates(searcher) if newest_first else self._meeting_dates(searcher).copy()
            meetings = _order_column(reader, MEETING_ORDER, self.doc_count)
            positions = _order_column(reader, POSITION_ORDER, self.doc_count)
            ids = self.tie_keys(searcher)[1]
            for key in (dates, meetings, positions):
                key.flags.writeable = False
            keys = self._date_keys[newest_first] = (dates, meetings, positions, ids)
        return keys

    @staticmethod
    def by_date(docs: np.ndarray, count: int, keys: tuple[np.ndarray, ...]) -> np.ndarray:
        """The first ``count`` of ``docs`` in the order of ``date_keys`` (the first deciding
        first, lower first; then the document number): only those dated up to the
        ``count``-th are sorted in full."""
        if count <= 0 or not len(docs):
            return docs[:0]
        first = keys[0][docs]
        if len(docs) > count:
            threshold = np.partition(first, count - 1)[count - 1]
            docs = docs[first <= threshold]
        # np.lexsort sorts by its last key first: the date, then each later key, the document last.
        return docs[np.lexsort((docs, *(key[docs] for key in reversed(keys))))][:count]

    def _meeting_dates(self, searcher: Any) -> np.ndarray:
        """Every document's meeting date as a sortable integer, read once per index state."""
        if self._dates is None:
            self._dates = _date_column(searcher.reader(), self.doc_count)
        return self._dates

    def tie_keys(self, searcher: Any) -> tuple[np.ndarray, np.ndarray]:
        """Every document's keys among hits that score alike, lower first (``base.id_order``'s
        rule): its meeting date negated (newest first, undated last) and its id as a number.
        Both come from columns the segments hold, so the order is the items' own, the same
        whichever segment, and so document number, a build gave each item."""
        if self._tie_keys is None:
            newest_first = -self._meeting_dates(searcher)
            ids = _order_column(searcher.reader(), ID_ORDER, self.doc_count)
            newest_first.flags.writeable = ids.flags.writeable = False
            self._tie_keys = (newest_first, ids)
        return self._tie_keys

    def counts(self, docs: Iterable[int]) -> dict[str, dict[str, int]]:
        """Facet counts of a match set given as document numbers."""
        numbers = np.fromiter(docs, np.int64)
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[numbers] = True
        return self.counts_of_mask(mask, numbers)


def _date_column(reader: Any, doc_count: int) -> np.ndarray:
    """Every document's meeting date as the integer Whoosh sorts by (0 where none)."""
    dates = np.zeros(doc_count, dtype=np.int64)
    for leaf, offset in reader.leaf_readers():
        if leaf.segment() is not None and leaf.has_column("date"):
            count = leaf.doc_count_all()
            column = leaf._perdoc.column_reader("date", leaf.schema["date"].column_type)
            dates[offset : offset + count] = numeric_column(column, count)
    return dates


# Per-document unsigned 64-bit columns that order hits (``index.py``); opened with the date column.
ORDER_COLUMNS = (ID_ORDER, MEETING_ORDER, POSITION_ORDER)


def _order_column(reader: Any, name: str, doc_count: int) -> np.ndarray:
    """Every document's number in one of ``ORDER_COLUMNS`` (an id as the unsigned number
    ``base.id_order`` made of it, an agenda position; 0 where none)."""
    values = np.zeros(doc_count, dtype=np.uint64)
    for leaf, offset in reader.leaf_readers():
        if leaf.segment() is not None and leaf.has_column(name):
            count = leaf.doc_count_all()
            column = leaf._perdoc.column_reader(name, leaf.schema[name].column_type)
            # read as signed 64-bit integers, the same bits: viewed unsigned again, in id order
            values[offset : offset + count] = numeric_column(column, count).view(np.uint64)
    return values


class _TopWithTies(TopCollector):  # type: ignore[misc]
    """Whoosh's top-N collector with hits that score alike ranked as ``top_documents`` ranks
    them (``_SearcherContext.tie_keys``), for the queries Whoosh's matchers answer.  Whoosh
    keeps the lower document number of equals and skips blocks that cannot beat the N-th
    score, also those that could tie it; here a document that ties the N-th is compared by
    its keys, and ``minscore`` is never raised, so no block or matcher is skipped for it."""

    def __init__(self, limit: int, tie_keys: tuple[np.ndarray, ...]) -> None:
        super().__init__(limit=limit, usequality=False)
        self.tie_keys = tie_keys

    def _collect(self, global_docnum: int, score: float) -> float:
        # The heap's first item is the worst kept: a higher score (cut to TIE_SCALE) is better,
        # then lower keys, then a lower document number; the score itself rides along.
        alike = math.floor(score * TIE_SCALE)
        entry = (alike, *(-int(key[global_docnum]) for key in self.tie_keys), -global_docnum, score)
        items = self.items
        self.total += 1
        if len(items) < self.limit:
            heappush(items, entry)
        elif entry > items[0]:
            heapreplace(items, entry)
        else:
            return 0
        return 0 - score

    def remove(self, global_docnum: int) -> None:
        self.items = [entry for entry in self.items if entry[-2] != -global_docnum]
        heapify(self.items)

    def results(self) -> Any:
        ranked = sorted(self.items, reverse=True)
        return self._results([(entry[-1], -entry[-2]) for entry in ranked])


class _DatedCollector(TopCollector):  # type: ignore[misc]
    """The first ``limit`` matches in a date sort (``_SearcherContext.date_keys``), for the
    queries Whoosh's matchers answer: it keeps the matches' numbers, unscored, and orders
    them at the end as bulk matching does (``by_date``, one lexsort), not by document number
    as Whoosh's sorting collector breaks ties."""

    def __init__(self, limit: int, keys: tuple[np.ndarray, ...]) -> None:
        super().__init__(limit=limit, usequality=False)
        self.keys = keys
        self.docs: list[int] = []

    def collect(self, sub_docnum: int) -> int:
        self.docs.append(self.offset + sub_docnum)
        self.total += 1
        return 0

    def remove(self, global_docnum: int) -> None:
        self.docs = [doc for doc in self.docs if doc != global_docnum]

    def results(self) -> Any:
        page = _SearcherContext.by_date(np.array(self.docs, dtype=np.int64), self.limit, self.keys)
        return self._results([(0.0, int(doc)) for doc in page])


def _top_with_ties(
    searcher: Any, query: wq.Query, allowed: set[int], limit: int, terms: bool, tie_keys: tuple[np.ndarray, ...]
) -> Any:
    """``searcher.search(query, filter=allowed, limit=limit, terms=terms)`` with ties ranked by
    ``tie_keys``."""
    return _collected(searcher, query, allowed, terms, _TopWithTies(limit, tie_keys))


def _collected(searcher: Any, query: wq.Query, allowed: set[int], terms: bool, collector: Any) -> Any:
    """The results of ``collector`` over ``query``'s matches in ``allowed``, with the same
    collectors around it as Whoosh's ``Searcher.collector`` puts."""
    if terms:
        collector = TermsCollector(collector)
    collector = FilterCollector(collector, allowed)
    searcher.search_with_collector(query, collector)
    return collector.results()
