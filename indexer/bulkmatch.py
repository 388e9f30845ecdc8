"""Whole-index evaluation of the common query shapes with numpy.

Whoosh walks a query one document at a time in Python: for a one-word query it
steps seven field matchers in lock step for every matching item, then again to
count the matches for the total and the facets.  Most queries people type are
words combined with AND/OR (each word asked of every text field, with field
boosts).  For those this module reads each term's posting list in bulk, block by
block, into numpy arrays and computes the match set and Whoosh's own BM25F score
for every document at once; the top hits are then a partial sort.  Scores and
order are the same as Whoosh's (tests compare the two on real queries).

Anything else (phrases, prefixes, wildcards, ranges, NOT) returns ``None`` and
is left to Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query import And, AndNot, Or, Query, Term
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

# Field lengths are stored as one byte each; this is Whoosh's own decoding table.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass
class Evaluation:
    """The match set (a boolean per document), every document's score, and for the
    top hits' highlighting, which (field, term) pairs each document matched."""

    matched: np.ndarray
    scores: np.ndarray
    term_docs: list[tuple[str, bytes, np.ndarray]] = field(default_factory=list)

    def matched_terms(self, docnum: int) -> list[tuple[str, bytes]]:
        found = []
        for fieldname, text, docs in self.term_docs:
            position = int(np.searchsorted(docs, docnum))
            if position < len(docs) and docs[position] == docnum:
                found.append((fieldname, text))
        return found


class BulkMatcher:
    """Evaluates word queries for one searcher (one index state) over all its documents."""

    def __init__(self, searcher: Any, length_cache: dict[str, np.ndarray] | None = None) -> None:
        """``length_cache`` may be shared by the matchers of every thread's searcher of
        the same index state (a searcher's files are not shared between threads)."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.doc_count = self.reader.doc_count_all()
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        weighting = searcher.weighting
        self.weighting = weighting if type(weighting) is BM25F else None
        self._lengths = length_cache if length_cache is not None else {}

    def supports(self, query: Query) -> bool:
        if self.weighting is None:
            return False
        if isinstance(query, Term):
            return isinstance(query.text, str)
        if isinstance(query, And | Or) and type(query) in (And, Or):
            if isinstance(query, Or) and (getattr(query, "scale", None) or getattr(query, "minmatch", 0)):
                return False
            return bool(query.subqueries) and all(self.supports(q) for q in query.subqueries)
        if type(query) is AndNot:
            return self.supports(query.a) and self.supports(query.b)
        return False

    def evaluate(self, query: Query) -> Evaluation | None:
        """The match set and scores of ``query``, or None when it is not a word query."""
        if not self.supports(query):
            return None
        term_docs: list[tuple[str, bytes, np.ndarray]] = []
        matched, scores = self._evaluate(query, term_docs)
        return Evaluation(matched, scores, term_docs)

    # -- evaluation ---------------------------------------------------------

    def _evaluate(self, query: Any, term_docs: list[tuple[str, bytes, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(query, Term):
            return self._term(query, term_docs)
        if type(query) is AndNot:
            matched, scores = self._evaluate(query.a, term_docs)
            excluded, _ = self._evaluate(query.b, [])
            matched &= ~excluded
        else:
            parts = [self._evaluate(q, term_docs) for q in query.subqueries]
            matched, scores = parts[0]  # fresh arrays of this evaluation: changed in place
            for sub_matched, sub_scores in parts[1:]:
                if isinstance(query, And):
                    matched &= sub_matched
                else:
                    matched |= sub_matched
                scores += sub_scores
        if query.boost != 1.0:
            scores *= query.boost
        return matched, scores

    def _term(self, query: Term, term_docs: list[tuple[str, bytes, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        matched = np.zeros(self.doc_count, dtype=bool)
        scores = np.zeros(self.doc_count, dtype=np.float64)
        fieldname, text = query.fieldname, query.text
        schema = self.searcher.schema
        if fieldname not in schema:
            return matched, scores
        docs, weights = self._postings(fieldname, text)
        if not len(docs):
            return matched, scores
        matched[docs] = True
        if schema[fieldname].scorable:
            weighting = self.weighting
            assert weighting is not None
            B = weighting._field_B.get(fieldname, weighting.B)
            K1 = weighting.K1
            idf = self.searcher.idf(fieldname, text)
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            lengths = _LENGTH_OF_BYTE[self._length_bytes(fieldname)[docs]]
            term_scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))
        else:
            term_scores = weights
        scores[docs] = term_scores * query.boost
        term_docs.append((fieldname, schema[fieldname].to_bytes(text), docs))
        return matched, scores

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (whole index) and weights of one term, deleted documents
        included: callers intersect with the open, live documents."""
        btext = self.searcher.schema[fieldname].to_bytes(text)
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            if (fieldname, btext) not in leaf:
                continue
            format_ = leaf.schema[fieldname].format
            matcher = leaf._terms.matcher(fieldname, btext, format_)
            if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
                ids, weights = _read_blocks(matcher)
            else:  # inlined or other postings: the matcher's own interface
                pairs = []
                while matcher.is_active():
                    pairs.append((matcher.id(), matcher.weight()))
                    matcher.next()
                ids = np.array([p[0] for p in pairs], dtype=np.int64)
                weights = np.array([p[1] for p in pairs], dtype=np.float64)
            id_parts.append(ids + offset)
            weight_parts.append(weights)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def _length_bytes(self, fieldname: str) -> np.ndarray:
        """Every document's length of one field as Whoosh stores it (one byte each)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            raw = np.zeros(self.doc_count, dtype=np.uint8)
            for leaf, offset in self.leaves:
                column = leaf._perdoc._cached_reader(f"_{fieldname}_len", _lengths_column())
                if column is not None:
                    count = leaf.doc_count_all()
                    raw[offset : offset + count] = _column_bytes(column, count)
            self._lengths[fieldname] = lengths = raw
        return lengths


def _lengths_column() -> Any:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return LENGTHS_COLUMN


def _column_bytes(column: Any, count: int) -> np.ndarray:
    """A one-byte-per-document column read in one go (the Python reader goes
    document by document: seconds for a million documents)."""
    if getattr(column, "_typecode", None) == "B" and getattr(column, "_fixedlen", None) == 1:
        stored = min(column._count, count)
        out = np.zeros(count, dtype=np.uint8)
        if stored:
            out[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
        return out
    return np.fromiter((b or 0 for b in column), dtype=np.uint8, count=count)


def _read_blocks(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """All postings of one term in one segment, a block at a time (each block holds
    up to 128 postings: delta-coded ids and weights)."""
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        data: Any = matcher._data
        deltas, weights, _values = data
        count = len(deltas)
        id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_blocks.append(np.ones(count, dtype=np.float64))
        elif isinstance(weights, float | int):
            weight_blocks.append(np.full(count, float(weights), dtype=np.float64))
        else:
            # Whoosh scores with the weights as stored (single precision)
            weight_blocks.append(np.asarray(weights, dtype=np.float32).astype(np.float64))
        matcher._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def top_documents(candidates: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` best of ``candidates`` by score, ties to the lower document
    number (Whoosh's order)."""
    if count <= 0 or not len(candidates):
        return candidates[:0]
    candidate_scores = scores[candidates]
    if len(candidates) > count:
        # Keep everything that scores at least the count-th best, ties included.
        threshold = np.partition(candidate_scores, len(candidates) - count)[len(candidates) - count]
        keep = candidate_scores >= threshold
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    order = np.lexsort((candidates, -candidate_scores))
    return candidates[order][:count]
