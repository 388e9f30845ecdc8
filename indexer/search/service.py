"""SearchService: the one search used by the CLI, the JSON API and the HTML views.

It parses Danish query syntax (words, "phrases", AND/OR/NOT and OG/ELLER/IKKE,
``titel:``/``beslutning:``/``udvalg:``/``sag:``/``emne:`` prefixes), applies
filters, counts facets over the result set, highlights snippets and sorts.
It returns plain dicts and dataclasses and knows nothing of HTTP or terminals.
Every query runs under an ``access:open`` filter: closed items are stubs
without text in the index, and are never returned, counted or suggested.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.qparser import (
    FieldAliasPlugin,
    MultifieldParser,
    OperatorsPlugin,
    QueryParser,
)
from whoosh.query import DateRange, Every, Or, Phrase, Query, Term

from indexer.analysis.bodies import BODY_SYNONYMS, KNOWN_BODIES, resolve_abbreviation
from indexer.analysis.compounds import split_compound
from indexer.analysis.danish import fold
from indexer.analysis.lexicon import is_known
from indexer.engines.whoosh.bulkmatch import (
    DEFAULT_POSTINGS_CACHE_MB,
    BulkMatcher,
    Evaluation,
    PostingsCache,
    numeric_column,
    top_documents,
)
from indexer.engines.whoosh.columns import load_columns
from indexer.engines.whoosh.index import CLOSED_TITLE, MinutesIndex, case_key
from indexer.municipalities import canonical_municipality
from indexer.search.snippets import highlight
from indexer.topics import TOPIC_NAMES, public_topics

SEARCH_FIELDS = ["title", "decision", "body", "attachment_titles", "attachments_text", "exact"]
# The field weights of BM25F, applied once, at query time (the postings hold plain term
# frequencies).  Chosen on the development queries: the unstemmed ``exact`` field at 1.0
# (1.5 before) gave dev MRR 0.956 against 0.941; other changes moved nothing or lost.
FIELD_BOOSTS = {
    "title": 3.0,
    "decision": 2.0,
    "body": 1.0,
    "attachment_titles": 1.0,
    "attachments_text": 0.5,
    "exact": 1.0,
    "parts": 1.0,
}
FIELD_ALIASES = {
    "title": ["titel", "overskrift"],
    "decision": ["beslutning", "besluttet"],
    "committee_text": ["udvalg", "committee"],
    "case_key": ["sag", "sagsnr", "case"],
    "topic": ["emne"],
    "attachments_text": ["bilag", "attachment"],
    "body": ["tekst", "sagsfremstilling"],
    "municipality": ["kommune"],
}
PHRASE_FIELDS = {"title", "decision", "body", "exact"}
SNIPPET_FIELDS = [
    ("decision", "beslutning"),
    ("title", "titel"),
    ("body", "sagsfremstilling"),
    ("attachments_text", "bilag"),
]
FACETS = ["committee", "year", "topic", "municipality", "kind"]
SORTS = ("relevance", "newest", "oldest")
MAX_PAGE = 1000


class QueryError(ValueError):
    """A query the parser cannot make sense of; the message is for the user."""


@dataclass
class SearchRequest:
    q: str = ""
    committee: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    municipality: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    # Search for exactly what was typed, even when it finds nothing and "Mente du" would.
    literal: bool = False

    def normalised(self) -> SearchRequest:
        self.q = (self.q or "").strip()[:500]
        self.sort = self.sort if self.sort in SORTS else "relevance"
        self.page = min(max(1, int(self.page or 1)), MAX_PAGE)
        self.per_page = min(max(1, int(self.per_page or 10)), 100)
        # Stored under the official name ("Aarhus" → "Aarhus Kommune"), so filter by it too.
        self.municipality = [canonical_municipality(m) for m in self.municipality if m and m.strip()]
        return self

    def selected(self) -> dict[str, list[str]]:
        return {
            "committee": self.committee,
            "year": self.year,
            "topic": self.topic,
            "municipality": self.municipality,
            "kind": self.kind,
        }


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    suggestion: str | None = None
    error: str | None = None
    # Set when the typed query found nothing and these are the results of its suggestion:
    # the query as typed (``request.q`` is the one that ran).
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "pages": self.pages,
            "sort": self.request.sort,
            "suggestion": self.suggestion,
            "corrected_from": self.corrected_from,
            "error": self.error,
            "results": self.results,
            "facets": self.facets,
        }


def default_attachment_url(item_id: str, index: int, attachment: dict[str, Any], archive: Path) -> str | None:
    if attachment.get("archive_name"):
        name = attachment["archive_name"]
        return str(archive / name[:2] / name)
    return attachment.get("source_url")


class SearchService:
    """Opened once per process; per-thread searchers are refreshed after commits."""

    def __init__(
        self,
        index_dir: Path | str,
        attachment_url: Callable[[str, int, dict[str, Any]], str | None] | None = None,
        bulk_matching: bool = True,
        postings_cache_mb: float | None = None,
    ) -> None:
        """``bulk_matching=False`` leaves every query to Whoosh's matchers (for comparison).
        ``postings_cache_mb`` bounds the decoded posting lists kept for repeated words
        (default ``MINUTES_POSTINGS_CACHE_MB`` or 256; 0 turns the cache off)."""
        self.index = MinutesIndex.open(Path(index_dir))
        self.bulk_matching = bulk_matching
        if postings_cache_mb is None:
            postings_cache_mb = float(os.environ.get("MINUTES_POSTINGS_CACHE_MB") or DEFAULT_POSTINGS_CACHE_MB)
        self.postings_cache = PostingsCache(postings_cache_mb)
        self._target = self._live_target()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._contexts: dict[tuple[Any, ...], _SearcherContext] = {}
        self._generation = 0
        self.attachment_url = attachment_url or (
            lambda item_id, n, a: default_attachment_url(item_id, n, a, self.index.archive_dir)
        )
        self._parser = self._build_parser(SEARCH_FIELDS + (["parts"] if "parts" in self.index.ix.schema else []))

    # -- plumbing ------------------------------------------------------------

    def _live_target(self) -> str:
        live = MinutesIndex.live_dir(self.index.root)
        return os.readlink(live) if live.is_symlink() else str(live)

    def _build_parser(self, fields: list[str]) -> QueryParser:
        parser = MultifieldParser(
            fields, self.index.ix.schema, fieldboosts={f: FIELD_BOOSTS.get(f, 1.0) for f in fields}
        )
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.replace_plugin(
            OperatorsPlugin(
                And=r"(?<=\s)(AND|OG)(?=\s)",
                Or=r"(?<=\s)(OR|ELLER)(?=\s)",
                AndNot=r"(?<=\s)(ANDNOT)(?=\s)",
                AndMaybe=r"(?<=\s)(ANDMAYBE)(?=\s)",
                Not=r"(^|(?<=(\s|[()])))(NOT|IKKE)(?=\s)",
                Require=r"(^|(?<=\s))(REQUIRE)(?=\s)",
            )
        )
        return parser

    def searcher(self) -> Any:
        """This thread's searcher, refreshed when a commit or a reindex happened."""
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
            current = self.index.ix.searcher()
            local.searcher, local.generation = current, self._generation
        elif not current.up_to_date():
            current = current.refresh()
            local.searcher = current
        return current

    @staticmethod
    def open_filter() -> Query:
        return Term("access", "open")

    # -- query building --------------------------------------------------------

    def parse_query(self, text: str) -> Query:
        text = (text or "").strip()
        if not text:
            return Every()
        text = self._rewrite_prefixes(text)
        text = self._expand_bodies(text)
        try:
            query = self._parser.parse(text)
        except Exception as exc:  # the parser is lenient; this is belt and braces
            raise QueryError(f"Søgningen kunne ikke forstås: {exc}") from exc
        return _restrict_phrases(query).normalize()

    @staticmethod
    def _rewrite_prefixes(text: str) -> str:
        """Prefixes whose field wants a normalised value: sag:12/27845, emne:81."""

        def case_repl(match: re.Match[str]) -> str:
            value = match.group(2).strip('"')
            return f"{match.group(1)}:'{case_key(value)}'" if value else match.group(0)

        text = re.sub(r"\b(sag|sagsnr|case):(\"[^\"]+\"|\S+)", case_repl, text, flags=re.IGNORECASE)

        def topic_repl(match: re.Match[str]) -> str:
            code = topic_code(match.group(2).strip('"'))
            return f"topic:{code}" if code else match.group(0)

        text = re.sub(r"\b(topic|emne):(\"[^\"]+\"|\S+)", topic_repl, text, flags=re.IGNORECASE)
        return text

    def _committee_names(self) -> list[str]:
        """Committee names in the index, refreshed when the index changed."""
        searcher = self.searcher()
        cached = getattr(self, "_committee_cache", None)
        if cached is None or cached[0] is not searcher:
            cached = (searcher, self.committees())
            self._committee_cache = cached
        return cached[1]

    def _expand_bodies(self, text: str) -> str:
        """Let a body be named any way minutes name it: TMU, ØU, KB, byrådet ≡ kommunalbestyrelsen.

        A free-text abbreviation (upper case) or council word, and any ``udvalg:`` value,
        becomes an OR of the word itself, its synonyms, and the committees of this index
        it names, so "TMU vintertjeneste" finds the Teknik- og Miljøudvalget's items.
        Text inside double quotes is left alone.
        """
        committees = self._committee_names()
        pieces = re.split(r'("[^"]*")', text)
        for n, piece in enumerate(pieces):
            if not piece.startswith('"'):
                pieces[n] = _BODY_TOKEN.sub(lambda m: _body_alternatives(m, committees), piece)
        return "".join(pieces)

    # -- searching -------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        request = request.normalised()
        try:
            query = self.parse_query(request.q)
        except QueryError as exc:
            return SearchResponse(request, 0, [], {}, error=str(exc))
        searcher = self.searcher()
        context = self._context(searcher)
        start = (request.page - 1) * request.per_page
        limit = request.page * request.per_page
        by_date = request.sort in ("newest", "oldest") or not request.q
        evaluation: Evaluation | None = None
        if self.bulk_matching and request.q:
            evaluation = BulkMatcher(searcher, context.length_bytes, self.postings_cache).evaluate(query)
        if self.bulk_matching and (evaluation is not None or not request.q):
            # Word queries and browsing: match set, order and counts for the whole index at once.
            allowed_mask = context.allowed_mask(searcher, request)
            matching_mask = allowed_mask if evaluation is None else evaluation.matched & allowed_mask
            matching_docs = np.flatnonzero(matching_mask)
            total = len(matching_docs)
            counts = context.counts_of_mask(matching_mask, matching_docs)
            if by_date:
                page = context.by_date(searcher, matching_docs, limit, newest_first=request.sort != "oldest")
            else:
                assert evaluation is not None
                page = top_documents(matching_docs, evaluation.scores, limit)
            hits = [
                self._result(
                    searcher.stored_fields(int(docnum)),
                    float(evaluation.scores[docnum]) if evaluation is not None and not by_date else None,
                    evaluation.matched_terms(int(docnum)) if evaluation is not None else [],
                    highlight_terms=bool(request.q),
                )
                for docnum in page[start:limit]
            ]
        else:
            allowed = context.allowed(searcher, request)
            sortedby = "date" if by_date else None
            reverse = by_date and request.sort != "oldest"
            results = searcher.search(
                query, filter=allowed, limit=limit, sortedby=sortedby, reverse=reverse, terms=True
            )
            # Totals and facet counts come from the unscored set of matching documents:
            # scoring every match only to count it is what makes naive faceting slow.
            matching = (
                allowed if isinstance(query, Every) else [d for d in searcher.docs_for_query(query) if d in allowed]
            )
            total = len(matching)
            counts = context.counts(matching)
            hits = [
                self._result(
                    hit.fields(),
                    hit.score if sortedby is None else None,  # a sorted hit's "score" is its sort key
                    hit.matched_terms() if hit.results.has_matched_terms() else [],
                    highlight_terms=bool(request.q),
                )
                for hit in results[start:limit]
            ]
        return self.with_suggestion(SearchResponse(request, total, hits, self._facets(counts, request)))

    def _context(self, searcher: Any) -> _SearcherContext:
        """Caches for one state of the index (open documents, facet columns), shared by
        all threads' searchers of that state and rebuilt after each commit."""
        key = tuple(
            (leaf.segment().segment_id(), leaf.doc_count(), leaf.doc_count_all())
            for leaf, _ in searcher.reader().leaf_readers()
        )
        with self._lock:
            context = self._contexts.get(key)
        if context is None:
            context = _SearcherContext(searcher, self.open_filter())
            with self._lock:
                self._contexts = {key: context}  # only the newest state is kept
        return context

    def iter_summaries(self, request: SearchRequest, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """(total, item summaries) of the whole result set in the request's order, up to ``limit``.

        For exports and feeds: one search, no facets, no highlighting, so a large
        CSV costs one query rather than one highlighted page of hits per hundred rows.
        Raises QueryError for a query that cannot be parsed.
        """
        request = request.normalised()
        query = self.parse_query(request.q)
        sortedby: Any = None
        reverse = False
        if request.sort in ("newest", "oldest") or not request.q:
            sortedby = "date"
            reverse = request.sort != "oldest"
        searcher = self.searcher()
        allowed = self._context(searcher).allowed(searcher, request)
        results = searcher.search(query, filter=allowed, limit=max(1, limit), sortedby=sortedby, reverse=reverse)
        return len(results), [self.item_summary(json.loads(hit["doc"])) for hit in results]

    def _facets(self, all_counts: dict[str, dict[str, int]], request: SearchRequest) -> dict[str, list[dict[str, Any]]]:
        selected = request.selected()
        out: dict[str, list[dict[str, Any]]] = {}
        for name in FACETS:
            counts = all_counts.get(name, {})
            chosen = {v.lower() if name == "topic" else v for v in selected.get(name, [])}
            values: list[dict[str, Any]] = [
                {"value": str(value), "count": int(count), "selected": str(value) in chosen}
                for value, count in counts.items()
                if value not in (None, "", b"")
            ]
            for value in chosen:  # a selected value with no hits still shows, so it can be removed
                if not any(v["value"] == value for v in values):
                    values.append({"value": value, "count": 0, "selected": True})
            if name == "year":
                values.sort(key=lambda v: v["value"], reverse=True)
            else:
                values.sort(key=lambda v: (-v["count"], v["value"]))
            out[name] = values
        return out

    def _result(
        self,
        stored: dict[str, Any],
        score: float | None,
        matched_terms: Iterable[tuple[str, Any]],
        highlight_terms: bool,
    ) -> dict[str, Any]:
        """One hit from its stored fields, its score and the (field, term) pairs it matched."""
        doc = json.loads(stored["doc"])
        snippet, snippet_field = "", ""
        if highlight_terms:
            snippet, snippet_field = self._snippet(stored, matched_terms)
        if not snippet:
            lead = _first_lines(stored.get("decision") or stored.get("body") or "", 240)
            snippet = _escape(lead)
            snippet_field = "beslutning" if stored.get("decision") else "sagsfremstilling"
        result = self.item_summary(doc)
        result.update(
            snippet=snippet,
            snippet_field=snippet_field,
            score=round(float(score), 4) if highlight_terms and score is not None else None,
        )
        return result

    @staticmethod
    def _snippet(stored: dict[str, Any], matched_terms: Iterable[tuple[str, Any]]) -> tuple[str, str]:
        """(highlighted passage, the field it is from): the first field, in the order
        decision, title, body, attachments, whose own terms matched; else the first
        that shows an exact-form or compound-part match."""
        by_field: dict[str, set[str]] = {}
        for fieldname, term in matched_terms:
            text = term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)
            by_field.setdefault(fieldname, set()).add(text)
        exact, parts = by_field.get("exact", set()), by_field.get("parts", set())
        for own_terms_only in (True, False):
            for fieldname, label in SNIPPET_FIELDS:
                stemmed = by_field.get(fieldname, set())
                if own_terms_only and not stemmed:
                    continue
                stored_text = stored.get(fieldname) or ""
                text = highlight(stored_text, stemmed, exact, parts) if stored_text else ""
                if text:
                    return text, label
        return "", ""

    def item_summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The shape every listing uses (CLI --json, /api/search, feeds, CSV)."""
        meeting = doc.get("meeting", {})
        decisions = doc.get("decisions") or []
        decision_text = "\n".join(d.get("text", "") for d in decisions).strip()
        if not decision_text:
            decision_text = "\n".join(s["text"] for s in doc.get("sections", []) if s.get("kind") == "decision").strip()
        return {
            "id": doc["id"],
            "title": doc.get("title", ""),
            "committee": meeting.get("committee", ""),
            "municipality": meeting.get("municipality", ""),
            "meeting_id": meeting.get("id", ""),
            "meeting_date": meeting.get("start"),
            "date_precision": meeting.get("date_precision", "day"),
            "type": meeting.get("kind"),
            "item_number": doc.get("number", ""),
            "case_number": doc.get("case_number"),
            "access": doc.get("access", "closed"),
            "decision": _first_lines(decision_text, 400),
            "attachments": [self._attachment(doc["id"], n, a) for n, a in enumerate(doc.get("attachments", []))],
            "topics": public_topics(doc.get("topics")),
        }

    def _attachment(self, item_id: str, n: int, attachment: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": attachment.get("number"),
            "title": attachment.get("title"),
            "access": "open",
            "journal_number": attachment.get("journal_number"),
            "document_id": attachment.get("document_id"),
            "url": self.attachment_url(item_id, n, attachment),
            "media_type": attachment.get("media_type"),
            "text_status": attachment.get("text_status"),
        }

    # -- items -----------------------------------------------------------------

    def _stored(self, item_id: str) -> dict[str, Any] | None:
        searcher = self.searcher()
        docnum = searcher.document_number(id=item_id)
        if docnum is None:
            return None
        return dict(searcher.stored_fields(docnum)) | {"_docnum": docnum}

    def get_item(self, item_id: str) -> dict[str, Any] | None:
        """The full public item, or None when unknown or closed."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return None
        doc = json.loads(stored["doc"])
        item = self.item_summary(doc)
        item.update(
            sections=doc.get("sections", []),
            decisions=doc.get("decisions", []),
            history=doc.get("history", []),
            absentees=doc.get("absentees", []),
            route=doc.get("route"),
            location=doc.get("meeting", {}).get("location"),
            attachments=[self._attachment(item_id, n, a) for n, a in enumerate(doc.get("attachments", []))],
            source_document=self._source_document(doc.get("source_document")),
        )
        return item

    @staticmethod
    def _source_document(source: dict[str, Any] | None) -> dict[str, Any] | None:
        """An item read from a whole-meeting document: its title, the page the item starts on, and
        whether the (open) document can be shown."""
        if not source:
            return None
        return {
            "title": source.get("title"),
            "page": source.get("page"),
            "media_type": source.get("media_type"),
            "available": bool(source.get("archive_name") or source.get("source_url")),
        }

    def source_document_file(self, item_id: str) -> tuple[Path | None, str | None, dict[str, Any] | None]:
        """(archived path, source URL, metadata) of the whole-meeting document an open item was read from."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return None, None, None
        source = json.loads(stored["doc"]).get("source_document")
        if not source:
            return None, None, None
        path = self.index.archive_path(source["archive_name"]) if source.get("archive_name") else None
        return path, source.get("source_url"), source

    def attachment_file(self, item_id: str, index: int) -> tuple[Path | None, str | None, dict[str, Any] | None]:
        """(archived path, source URL, metadata) of an open attachment of an open item."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return None, None, None
        attachments = json.loads(stored["doc"]).get("attachments", [])
        if not 0 <= index < len(attachments):
            return None, None, None
        attachment = attachments[index]
        path = self.index.archive_path(attachment.get("archive_name") or "")
        return path, attachment.get("source_url"), attachment

    def meeting_items(self, meeting_id: str) -> list[dict[str, Any]]:
        """All items of a meeting in agenda order; closed ones as neutral stubs."""
        searcher = self.searcher()
        items = []
        for fields in searcher.documents(meeting_id=meeting_id):
            closed = fields.get("access") != "open"
            items.append(
                {
                    "id": None if closed else fields["id"],
                    "number": fields.get("number", ""),
                    "title": CLOSED_TITLE if closed else fields.get("title", ""),
                    "access": "closed" if closed else "open",
                    "position": fields.get("position", 0),
                }
            )
        items.sort(key=lambda i: (i["position"], _number_key(i["number"])))
        return items

    def case_history(self, item_id: str) -> list[dict[str, Any]]:
        """Every other open item with the same case number, oldest first."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open" or not stored.get("case_key"):
            return []
        searcher = self.searcher()
        results = searcher.search(
            Term("case_key", stored["case_key"]), filter=self._context(searcher).open_docs, limit=200, sortedby="date"
        )
        return [self.item_summary(json.loads(hit["doc"])) for hit in results if hit["id"] != item_id]

    def similar(self, item_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """ "Lignende sager": items that share the subject, or nothing.

        The item's most distinctive words (Bo1 over title, decision and body: words every
        item says, like "udvalget" or "indstilling", weigh nothing) are asked as one query;
        a candidate must share several of them, and the same case, topic and committee
        raise it.  An item with no close neighbour shows none rather than noise.
        """
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return []
        searcher = self.searcher()
        text = "\n".join([stored.get("title", "")] * 2 + [stored.get("decision", ""), stored.get("body", "")])
        key_terms = searcher.key_terms_from_text("body", text, numterms=SIMILAR_KEY_TERMS, normalize=True)
        if not key_terms:
            return []
        query = Or([Term("body", word, boost=weight) for word, weight in key_terms])
        open_docs = self._context(searcher).open_docs
        hits = searcher.search(query, limit=limit * 4 + 1, filter=open_docs, terms=True)
        # The item matches its own words best: a neighbour must reach a share of that.
        own = next((hit.score for hit in hits if hit["id"] == item_id), None)
        if not own:
            return []
        topics = set(filter(None, (stored.get("topic") or "").split(",")))
        ranked: list[tuple[float, dict[str, Any]]] = []
        for hit in hits:
            if hit["id"] == item_id:
                continue
            shared = len({term for _, term in hit.matched_terms()})
            same_case = bool(stored.get("case_key")) and hit.get("case_key") == stored.get("case_key")
            same_topic = bool(topics & set(filter(None, (hit.get("topic") or "").split(","))))
            if not same_case and (shared < SIMILAR_MIN_SHARED or hit.score < SIMILAR_MIN_SHARE * own):
                continue
            factor = 1.0 + 1.0 * same_case + 0.5 * same_topic + 0.25 * (hit.get("committee") == stored.get("committee"))
            ranked.append((hit.score * factor, hit.fields()))
        ranked.sort(key=lambda pair: -pair[0])
        return [self.item_summary(json.loads(fields["doc"])) for _, fields in ranked[:limit]]

    # -- vocabulary ------------------------------------------------------------

    def _has_open_hit(self, fieldname: str, term: str) -> bool:
        searcher = self.searcher()
        open_docs = self._context(searcher).open_docs
        return any(doc in open_docs for doc in searcher.docs_for_query(Term(fieldname, term)))

    def did_you_mean(self, text: str, misspelt_only: bool = False) -> str | None:
        """ "Mente du": a corrected query built from the open index's own words.

        With ``misspelt_only`` (the query found something, through its stems) a word is
        only corrected when it is no Danish word form at all ("budgett"), so a correct
        inflection that merely is not written in the index is never "corrected".
        """
        words = re.findall(r"\w+", text.lower())
        if not words or len(words) > 8:
            return None
        changed = False
        out = []
        for word in words:
            if len(word) < 4 or self._has_open_hit("exact", word) or (misspelt_only and _is_word_form(word)):
                out.append(word)
                continue
            candidates = self._corrections(word)
            if candidates:
                out.append(candidates[0])
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def _corrections(self, word: str) -> list[str]:
        """Open words within two edits of ``word``, best first."""
        # Suggestions share the first letter: the vocabulary is walked from that
        # letter only (a whole-vocabulary walk costs seconds on a large index).
        suggested = self.searcher().corrector("exact").suggest(word, limit=5, maxdist=2, prefix=1)
        return [c for c in suggested if self._has_open_hit("exact", c)]

    def with_suggestion(self, response: SearchResponse) -> SearchResponse:
        """ "Mente du" for a response; when the typed words found nothing and the
        correction finds something, the correction's response (``corrected_from`` set)."""
        request = response.request
        if request.q and response.total and _plain_words(request.q):
            response.suggestion = self.did_you_mean(request.q, misspelt_only=True)
        elif request.q and not response.total:
            response.suggestion = self.did_you_mean(request.q)
            if response.suggestion and not request.literal and _plain_words(request.q):
                # Nothing for what was typed, something for the correction: show that,
                # and say so (the user can still insist on the typed words).
                corrected = self.search(replace(request, q=response.suggestion, literal=True))
                if corrected.total:
                    corrected.corrected_from = request.q
                    corrected.suggestion = None
                    return corrected
        return response

    def suggest(self, prefix: str, limit: int = 8) -> list[dict[str, str]]:
        """Autocomplete: committee names and words from open items, most frequent first."""
        prefix = (prefix or "").strip().lower()
        if len(prefix) < 2:
            return []
        searcher = self.searcher()
        out: list[dict[str, str]] = []
        folded = fold(prefix)
        committees = self.committees()
        for name in committees:
            if fold(name.lower()).startswith(folded) or any(fold(w).startswith(folded) for w in name.lower().split()):
                out.append({"value": name, "kind": "udvalg"})
        words: list[tuple[int, str]] = []
        reader = searcher.reader()
        last = prefix.split()[-1]
        for term in reader.expand_prefix("exact", last):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            if len(word) < 3 or word.isdigit():
                continue
            words.append((reader.doc_frequency("exact", word), word))
            if len(words) > 400:
                break
        head = prefix[: len(prefix) - len(last)]
        for _, word in sorted(words, reverse=True):
            if len(out) >= limit:
                break
            if self._has_open_hit("exact", word):
                out.append({"value": head + word, "kind": "ord"})
        return out[:limit]

    def committees(self) -> list[str]:
        """Names of the committees that have open items."""
        context = self._context(self.searcher())
        counts = context.counts_of_mask(context.open_mask, np.flatnonzero(context.open_mask))
        return sorted(counts.get("committee", {}))

    def stats(self) -> dict[str, Any]:
        """What the index holds, from its columns and term lists (no stored document is read)."""
        searcher = self.searcher()
        context = self._context(searcher)
        reader = searcher.reader()
        live = set(searcher.docs_for_query(Every()))
        meetings = 0
        for term in reader.lexicon("meeting_id"):
            meeting_id = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            if any(doc in live for doc in searcher.docs_for_query(Term("meeting_id", meeting_id))):
                meetings += 1
        dates = sorted(d for d in (reader.column_reader("date")[doc] for doc in context.open_docs) if d)
        counts = context.counts(context.open_docs)
        return {
            "index": str(self.index.root),
            "items": len(live),
            "open_items": len(context.open_docs),
            "closed_items": len(live) - len(context.open_docs),
            "meetings": meetings,
            "first_meeting": dates[0].date().isoformat() if dates else None,
            "last_meeting": dates[-1].date().isoformat() if dates else None,
            "facets": {name: dict(sorted(counts.get(name, {}).items(), key=lambda kv: -kv[1])) for name in FACETS},
        }


_COMMITTEE_PREFIX = ("udvalg", "committee")
_OPERATORS = frozenset({"AND", "OR", "NOT", "OG", "ELLER", "IKKE", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO"})
_BODY_TOKEN = re.compile(r"(?<![\w:'])(?:(udvalg|committee):)?([^\W\d_]+(?:-[^\W\d_]+)*)(?![\w:'])", re.IGNORECASE)


def _body_alternatives(match: re.Match[str], committees: list[str]) -> str:
    """The parser text for one word that may name a body, or the word unchanged."""
    prefix, word = match.group(1), match.group(2)
    in_committee = bool(prefix)
    synonyms = [s for group in BODY_SYNONYMS if word.casefold() in group for s in sorted(group)]
    names: list[str] = []
    if (word.isupper() and word not in _OPERATORS) or (in_committee and len(word) <= 5):
        names = resolve_abbreviation(word.upper(), committees)
    if synonyms:
        bodies = [b for b in KNOWN_BODIES if b.abbreviations[0] in ("KB", "BR")]
        names += [c for c in committees if any(b.matches(c) for b in bodies)]
    names = [n for n in dict.fromkeys(names) if n in committees and "'" not in n]
    if not names and not synonyms:
        return match.group(0)
    field_prefix = f"{prefix}:" if prefix else ""
    words = [word, *(s for s in synonyms if s != word.casefold())]
    options = [f"{field_prefix}{w}" for w in words] + [f"committee:'{n}'" for n in names]
    return "(" + " OR ".join(options) + ")"


def topic_code(value: str) -> str | None:
    """The KLE main-group code an ``emne:`` value names: "05", "5", "05.01.08" or "Veje og trafik"."""
    value = value.strip()
    digits = re.match(r"^(\d{1,2})(?:\.\d{2})*$", value)
    if digits:
        code = digits.group(1).zfill(2)
        return code if code in TOPIC_NAMES else None
    wanted = fold(value.casefold())
    if len(wanted) < 3:
        return None
    for code, name in TOPIC_NAMES.items():
        if fold(name.casefold()) == wanted:
            return code
    starts = [code for code, name in TOPIC_NAMES.items() if fold(name.casefold()).startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


def _restrict_phrases(query: Query) -> Query:
    """Phrases only where word order means something and is cheap to check.

    The multifield parser asks every field for the phrase; compound parts and the
    attachment fields (whose text the unstemmed ``exact`` field holds as well)
    only cost position checks there.  A phrase the user put in one field
    (``bilag:"…"``) is left as it is.
    """
    if isinstance(query, Or) and len(query.subqueries) > 1 and all(isinstance(q, Phrase) for q in query.subqueries):
        kept = [q for q in query.subqueries if getattr(q, "fieldname", None) in PHRASE_FIELDS]
        return Or(kept, boost=query.boost) if kept else query
    return query.apply(_restrict_phrases)


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

    def __init__(self, searcher: Any, open_filter: Query) -> None:
        reader = searcher.reader()
        self.doc_count = reader.doc_count_all()
        self._open_docs: set[int] | None = None
        columns = load_columns(reader, self.COLUMN_FACETS)
        if columns is not None:  # read from what the segments persisted
            self.open_mask = columns.open_mask
            self.column_codes: dict[str, tuple[list[Any], np.ndarray]] = {
                name: found for name, found in columns.facets.items() if reader.has_column(name)
            }
            self.topic_arrays: dict[str, np.ndarray] = columns.topics
        else:  # an index without persisted columns: rebuilt through Whoosh, document by document
            self._open_docs = set(searcher.docs_for_query(open_filter))
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
                    members = np.fromiter(searcher.docs_for_query(Term("topic", code)), np.int64)
                    self.topic_arrays[code] = members[self.open_mask[members]]
        self.length_bytes: dict[str, np.ndarray] = {}  # field lengths, filled by BulkMatcher
        self._dates: np.ndarray | None = None  # meeting dates as sortable integers, read when first sorted by
        self._cache: dict[tuple[Any, ...], set[int]] = {}
        self._mask_cache: dict[tuple[Any, ...], np.ndarray] = {}

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
            return set(searcher.docs_for_query(Or([Term(name, v) for v in values])))
        distinct, codes = self.column_codes[name]
        wanted = set(values)
        wanted_codes = [code for code, value in enumerate(distinct) if value in wanted]
        return set(np.flatnonzero(np.isin(codes, wanted_codes)).tolist())

    def allowed(self, searcher: Any, request: SearchRequest) -> set[int]:
        """Open documents that pass the request's filters."""
        result = self.open_docs
        for name, values in (
            ("committee", request.committee),
            ("municipality", request.municipality),
            ("kind", request.kind),
            ("year", request.year),
        ):
            chosen = tuple(sorted(v for v in values if v))
            if chosen:
                values_set = self._cached((name, chosen), partial(self._values, searcher, name, list(chosen)))
                result = result & values_set
        topics = tuple(sorted({t.strip().lower() for t in request.topic if t and t.strip()}))
        if topics:
            result = result & self._cached(("topic", topics), partial(self._topic_docs, topics))
        if request.date_from or request.date_to:
            start = datetime.combine(request.date_from, time.min) if request.date_from else None
            end = datetime.combine(request.date_to, time.max) if request.date_to else None
            key = ("date", start, end)
            result = result & self._cached(key, lambda: set(searcher.docs_for_query(DateRange("date", start, end))))
        return result

    def _topic_docs(self, topics: tuple[str, ...]) -> set[int]:
        arrays = [self.topic_arrays[t] for t in topics if t in self.topic_arrays]
        return set(np.concatenate(arrays).tolist()) if arrays else set()

    def allowed_mask(self, searcher: Any, request: SearchRequest) -> np.ndarray:
        """``allowed()`` as a boolean per document; cached, bounded, never changed in place."""
        key = (
            tuple(sorted(request.committee)),
            tuple(sorted(request.municipality)),
            tuple(sorted(request.kind)),
            tuple(sorted(request.year)),
            tuple(sorted(request.topic)),
            request.date_from,
            request.date_to,
        )
        if not any(key):
            return self.open_mask
        mask = self._mask_cache.get(key)
        if mask is None:
            allowed = self.allowed(searcher, request)
            mask = np.zeros(self.doc_count, dtype=bool)
            mask[np.fromiter(allowed, np.int64, len(allowed))] = True
            mask.flags.writeable = False
            if len(self._mask_cache) > 64:
                self._mask_cache.clear()
            self._mask_cache[key] = mask
        return mask

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

    def by_date(self, searcher: Any, docs: np.ndarray, count: int, newest_first: bool) -> np.ndarray:
        """The first ``count`` of ``docs`` in meeting-date order; newest first is the exact
        reverse of oldest first (ties by document number, descending), as Whoosh sorts."""
        if self._dates is None:
            self._dates = _date_column(searcher.reader(), self.doc_count)
        if count <= 0 or not len(docs):
            return docs[:0]
        keys = self._dates[docs]
        ties = docs
        if newest_first:
            keys, ties = -keys, -docs
        if len(docs) > count:
            threshold = np.partition(keys, count - 1)[count - 1]
            keep = keys <= threshold
            docs, keys, ties = docs[keep], keys[keep], ties[keep]
        return docs[np.lexsort((ties, keys))][:count]

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


# "Lignende sager": distinctive words asked for, and how many a neighbour must share.
SIMILAR_KEY_TERMS = 12
SIMILAR_MIN_SHARED = 3
# ... and the share of the item's own score a neighbour must reach.  Read off the demo:
# neighbours on one subject (local plans, health) score 0.18-0.26 of it, unrelated
# items that share a few general words ("sociale", "medarbejdere") 0.12 and less.
SIMILAR_MIN_SHARE = 0.15

# A query of words only (no operators, prefixes or phrases): its correction means the same.
_PLAIN_WORDS = re.compile(r"[^\W\d_]+(?:[\s-]+[^\W\d_]+)*")


def _plain_words(query: str) -> bool:
    return bool(_PLAIN_WORDS.fullmatch(query)) and not any(word in _OPERATORS for word in query.split())


def _is_word_form(word: str) -> bool:
    """A Danish word form the dictionary lists, or a compound of known words."""
    return is_known(word) or bool(split_compound(word))


def _first_lines(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number_key(number: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", number or "")
    return tuple(int(p) for p in parts) if parts else (10**9,)


def parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


__all__ = ["QueryError", "SearchRequest", "SearchResponse", "SearchService", "parse_iso_date"]
