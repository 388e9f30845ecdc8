"""The search service over the PostgreSQL engine.

Queries are parsed and rewritten exactly as for the embedded engine (abbreviations,
bodies, field prefixes, our Danish analysis of every word, field boosts); the parsed
tree of field terms is then answered by the database.  Snippets, item summaries and
pages are the shared code's.  Reads go to ``read_url`` (a streaming replica) when given.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

from indexer.engines.base import Hit, StoredItem
from indexer.engines.postgres.engine import Database, Filters
from indexer.engines.postgres.query import AllQ, OrQ, TermQ, from_whoosh
from indexer.engines.whoosh.engine import LOGICAL_FIELD, QueryTranslator
from indexer.engines.whoosh.index import CLOSED_TITLE, build_schema
from indexer.search import service as shared
from indexer.search.service import SearchRequest, SearchResponse, SearchService


class PostgresSearchService(SearchService):
    """``SearchService`` with every read answered by PostgreSQL."""

    engine: Database  # type: ignore[assignment]  # the database itself, not the engine interface

    def __init__(
        self,
        url: str,
        attachment_url: Callable[[str, int, dict[str, Any]], str | None] | None = None,
        read_url: str | None = None,
        max_connections: int = 8,
    ) -> None:
        self.engine = Database(url, read_url=read_url, max_connections=max_connections)
        self.location = url
        self.bulk_matching = False
        self._lock = threading.Lock()
        # Our query AST is turned into the Whoosh query tree (schema only, no index) that
        # ``from_whoosh`` reads; ``PostgresEngine`` (adapter.py) is the engine-interface path.
        self._translator = QueryTranslator(build_schema("danish"))
        self._committees: tuple[int, list[str]] | None = None
        # Without the web UI's route (which serves the archived bytes) only the source is a link.
        self.attachment_url = attachment_url or (lambda item_id, n, a: a.get("source_url"))

    def parse_query(self, text: str) -> Any:
        """The Whoosh query tree of our parsed and rewritten query (see ``from_whoosh``)."""
        return self._translator.translate(self.query(text))

    def _result(self, stored: Any, score: Any, matched_terms: Any = (), highlight_terms: bool = True) -> dict[str, Any]:  # type: ignore[override]
        """A hit from stored fields and (field, term) pairs, through the shared listing code."""
        by_field: dict[str, set[str]] = {}
        for fieldname, term in matched_terms or ():
            text = term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)
            by_field.setdefault(LOGICAL_FIELD.get(fieldname, fieldname), set()).add(text)
        return super()._result(Hit(_stored_item(stored), score, by_field), highlight_terms)

    def _open_item(self, item_id: str) -> StoredItem | None:
        stored = self._stored(item_id)
        return _stored_item(stored) if stored is not None and stored.get("access") == "open" else None

    def close(self) -> None:
        self.engine.close()

    # -- searching -------------------------------------------------------------------

    def _committee_names(self) -> list[str]:
        generation = self.engine.generation()
        cached = self._committees
        if cached is None or cached[0] != generation:
            cached = self._committees = (generation, self.committees())
        return cached[1]

    @staticmethod
    def _filters(request: SearchRequest) -> Filters:  # type: ignore[override]
        return Filters(
            committee=list(request.committee),
            municipality=list(request.municipality),
            kind=list(request.kind),
            year=list(request.year),
            topic=list(request.topic),
            date_from=request.date_from,
            date_to=request.date_to,
        )

    def search(self, request: SearchRequest) -> SearchResponse:
        request = request.normalised()
        node = self.query(request.q)
        if request.q and node is None:
            return SearchResponse(request, 0, [], {}, error=shared.NOTHING_TO_SEARCH)
        tree = from_whoosh(self._translator.translate(node)) if node is not None else AllQ()
        sort = request.sort if request.sort in ("newest", "oldest") or not request.q else "relevance"
        if not request.q and sort == "relevance":
            sort = "newest"
        start = (request.page - 1) * request.per_page
        result = self.engine.search(tree, self._filters(request), sort, start, request.per_page)
        hits = [
            self._result(hit.stored, hit.score, hit.matched_terms, highlight_terms=bool(request.q))
            for hit in result.hits
        ]
        return self.with_suggestion(SearchResponse(request, result.total, hits, self._facets(result.counts, request)))

    def iter_summaries(self, request: SearchRequest, limit: int) -> tuple[int, list[dict[str, Any]]]:
        request = request.normalised()
        query = self.parse_query(request.q)
        tree = from_whoosh(query) if request.q else AllQ()
        sort = request.sort if request.sort in ("newest", "oldest") or not request.q else "relevance"
        if not request.q and sort == "relevance":
            sort = "newest"
        total, stored = self.engine.iter_search(tree, self._filters(request), sort, max(1, limit))
        return total, [self.item_summary(json.loads(s["doc"])) for s in stored]

    # -- items ------------------------------------------------------------------------

    def _stored(self, item_id: str) -> dict[str, Any] | None:
        return self.engine.stored(item_id)

    def attachment_file(self, item_id: str, index: int) -> tuple[Any, str | None, dict[str, Any] | None]:
        """No file path here: the bytes are in the database (``attachment_bytes``)."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return None, None, None
        attachments = json.loads(stored["doc"]).get("attachments", [])
        if not 0 <= index < len(attachments):
            return None, None, None
        attachment = attachments[index]
        return None, attachment.get("source_url"), attachment

    def attachment_bytes(self, item_id: str, index: int) -> tuple[bytes, str | None] | None:
        """The archived bytes of an open attachment of an open item, from the database."""
        _, _, attachment = self.attachment_file(item_id, index)
        name = (attachment or {}).get("archive_name") or ""
        if not re.fullmatch(r"[0-9a-f]{64}(\.[a-z0-9]{1,8})?", name):
            return None
        return self.engine.attachment(name)

    def source_document_file(self, item_id: str) -> tuple[Any, str | None, dict[str, Any] | None]:
        """No file path here: the bytes are in the database (``source_document_bytes``)."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return None, None, None
        source = json.loads(stored["doc"]).get("source_document")
        if not source:
            return None, None, None
        return None, source.get("source_url"), source

    def source_document_bytes(self, item_id: str) -> tuple[bytes, str | None] | None:
        """The archived open copy of the whole-meeting document an open item was read from."""
        _, _, source = self.source_document_file(item_id)
        name = (source or {}).get("archive_name") or ""
        if not re.fullmatch(r"[0-9a-f]{64}(\.[a-z0-9]{1,8})?", name):
            return None
        return self.engine.attachment(name)

    def meeting_items(self, meeting_id: str) -> list[dict[str, Any]]:
        items = []
        for fields in self.engine.meeting_documents(meeting_id):
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
        items.sort(key=lambda i: (i["position"], shared._number_key(i["number"])))
        return items

    def case_history(self, item_id: str) -> list[dict[str, Any]]:
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open" or not stored.get("case_key"):
            return []
        return [
            self.item_summary(json.loads(s["doc"]))
            for s in self.engine.case_documents(stored["case_key"])
            if s["id"] != item_id
        ]

    def similar(self, item_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """ "Lignende sager": the item's most telling body terms (tf·idf), asked as one OR query."""
        stored = self._stored(item_id)
        if stored is None or stored.get("access") != "open":
            return []
        terms = self.engine.key_terms(item_id, "body", 10)
        if not terms:
            return []
        tree = OrQ([TermQ("body", t) for t in terms])
        result = self.engine.search(tree, Filters(), "relevance", 0, limit + 1, facets=False, highlight=False)
        return [self.item_summary(json.loads(h.stored["doc"])) for h in result.hits if h.stored["id"] != item_id][
            :limit
        ]

    # -- vocabulary ---------------------------------------------------------------------

    def _has_open_hit(self, fieldname: str, term: str) -> bool:
        return self.engine.has_term(fieldname, term)

    def _corrections(self, word: str) -> list[str]:
        return list(self.engine.similar_terms("exact", word, maxdist=2, limit=5))

    def suggest(self, prefix: str, limit: int = 8) -> list[dict[str, str]]:
        prefix = (prefix or "").strip().lower()
        if len(prefix) < 2:
            return []
        out: list[dict[str, str]] = []
        folded = shared.fold(prefix)
        for name in self.committees():
            if shared.fold(name.lower()).startswith(folded) or any(
                shared.fold(w).startswith(folded) for w in name.lower().split()
            ):
                out.append({"value": name, "kind": "udvalg"})
        last = prefix.split()[-1]
        head = prefix[: len(prefix) - len(last)]
        words = [(n, w) for n, w in self.engine.prefix_terms("exact", last) if len(w) >= 3 and not w.isdigit()]
        for _, word in sorted(words, reverse=True):
            if len(out) >= limit:
                break
            out.append({"value": head + word, "kind": "ord"})
        return out[:limit]

    def committees(self) -> list[str]:
        result = self.engine.search(AllQ(), Filters(), "newest", 0, 0, facets=True, highlight=False)
        return sorted(result.counts.get("committee", {}))

    def stats(self) -> dict[str, Any]:
        found = self.engine.stats()
        counts = found.pop("counts")
        found["index"] = _redact(self.location)
        found["facets"] = {
            name: dict(sorted(counts.get(name, {}).items(), key=lambda kv: -kv[1])) for name in shared.FACETS
        }
        return found


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
        doc=json.loads(fields.get("doc") or "{}"),
        texts={LOGICAL_FIELD[n]: fields.get(n) or "" for n in ("title", "decision", "body", "attachments_text")}
        if is_open
        else {},
    )


def _redact(url: str) -> str:
    """A database URL without its password, for printing."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
