"""Whole-index evaluation of the common query shapes with numpy.

Whoosh walks a query one document at a time in Python: for a one-word query it
steps seven field matchers in lock step for every matching item, then again to
count the matches for the total and the facets.  Most queries people type are
words combined with AND/OR (each word asked of every text field, with field
boosts).  For those this module reads each term's posting list as arrays from the
array codec's memory map (``engines/whoosh/codec.py``) and computes the match set and Whoosh's own BM25F score
for every document at once; the top hits are then a partial sort.  Scores and
order are the same as Whoosh's (tests compare the two on real queries).

Phrases are the AND of their words, kept where the positions line up (compared
as arrays, ``engines/whoosh/phrases.py``); Whoosh scores them the same way.  Anything else (prefixes, wildcards, ranges, NOT)
returns ``None`` and is left to Whoosh.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.query import And, AndMaybe, AndNot, Or, Phrase, Query, Require, Term
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from indexer.engines.base import BM25_B, BM25_K1, IDF_CAPPED_BY, TIE_SCALE
from indexer.engines.whoosh.codec import MinutesTermsReader
from indexer.engines.whoosh.normalize import SubtreeKey, SubtreeKeys
from indexer.engines.whoosh.phrases import GappedPhrase, phrase_bounds, phrase_postings

# The phrase queries evaluated here: Whoosh's, and ours whose words stand at their own distances.
PHRASES = (Phrase, GappedPhrase)

# Field lengths are stored as one byte each; this is Whoosh's own decoding table.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


DEFAULT_POSTINGS_CACHE_MB = 256
_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_WEIGHTS = np.zeros(0, dtype=np.float32)


# One matched term of an evaluation: (field, term, the documents it matched), for highlighting.
TermDocs = tuple[str, bytes, np.ndarray]
# A node already evaluated in this query: its matches, scores and matched terms.
Evaluated = tuple[np.ndarray, np.ndarray, list[TermDocs]]


@dataclass
class _Seen:
    """The nodes of one query evaluated so far, keyed by a hash computed once a subtree."""

    keys: SubtreeKeys = field(default_factory=SubtreeKeys)
    done: dict[SubtreeKey, Evaluated] = field(default_factory=dict)


class MinutesBM25F(BM25F):
    """Whoosh's BM25F with the idf of a compound part capped by the word's own
    (``IDF_CAPPED_BY``): the searcher's ``idf``, which Whoosh's scorers and ours read; B and K1
    are every engine's (``BM25_B``, ``BM25_K1``)."""

    def __init__(self, B: float = BM25_B, K1: float = BM25_K1, **field_B: float) -> None:
        super().__init__(B=B, K1=K1, **field_B)

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        idf = float(super().idf(searcher, fieldname, text))
        capping = IDF_CAPPED_BY.get(fieldname)
        return min(idf, float(searcher.idf(capping, text))) if capping is not None else idf


class PostingsCache:
    """Decoded posting lists (document numbers and weights) of recently asked terms.

    Decoding a block costs more than scoring it, and the words people search
    repeat: a council's archive sees "budget" and "lokalplan" all day.  Segments
    never change once written, so an entry keyed by segment is never stale; a
    merged or deleted segment's entries simply stop being asked for and age out.
    Bounded by bytes, least recently used out first, shared by every thread.
    """

    def __init__(self, max_mb: float = DEFAULT_POSTINGS_CACHE_MB) -> None:
        self.max_bytes = int(max_mb * 1024 * 1024)
        # cachetools' LRU weighs each entry by its arrays' bytes; it is not thread-safe, hence the lock
        self._entries: LRUCache[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = LRUCache(
            maxsize=max(1, self.max_bytes), getsizeof=_entry_bytes
        )
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self.hits += 1
            return found

    def put(self, key: tuple[Any, ...], ids: np.ndarray, weights: np.ndarray) -> None:
        if _entry_bytes((ids, weights)) > self.max_bytes // 4:  # one huge list never empties the cache
            return
        ids.flags.writeable = weights.flags.writeable = False
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (ids, weights)

    @property
    def size_bytes(self) -> int:
        return int(self._entries.currsize)


def _entry_bytes(entry: tuple[np.ndarray, np.ndarray]) -> int:
    return int(entry[0].nbytes + entry[1].nbytes + 100)  # the arrays and the entry itself


@dataclass
class Postings:
    """One term's postings across the whole index, in document order."""

    term: bytes
    docs: np.ndarray
    weights: np.ndarray


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

    def __init__(
        self,
        searcher: Any,
        length_cache: dict[str, np.ndarray] | None = None,
        postings_cache: PostingsCache | None = None,
    ) -> None:
        """``length_cache`` may be shared by the matchers of every thread's searcher of
        the same index state (a searcher's files are not shared between threads),
        ``postings_cache`` by all of them."""
        self.postings_cache = postings_cache if postings_cache and postings_cache.max_bytes > 0 else None
        self.searcher = searcher
        self.reader = searcher.reader()
        self.doc_count = self.reader.doc_count_all()
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        weighting = searcher.weighting
        self.weighting = weighting if type(weighting) in (BM25F, MinutesBM25F) else None
        self._lengths = length_cache if length_cache is not None else {}
        # The idf of each term this evaluation read in full, from the postings it read: Whoosh's
        # ``searcher.idf`` would look the term up in every segment a second time.
        self._idf: dict[tuple[str, str], float] = {}
        self._parent_doc_count = searcher.get_parent().doc_count_all()
        # Every segment must hold array postings (an older format goes to Whoosh's matchers).
        self.arrays = all(
            isinstance(getattr(leaf, "_terms", None), MinutesTermsReader)
            for leaf, _ in self.leaves
            if leaf.segment() is not None
        )

    def supports(self, query: Query) -> bool:
        if self.weighting is None or not self.arrays:
            return False
        if isinstance(query, Term):
            return isinstance(query.text, str)
        if isinstance(query, Phrase) and type(query) in PHRASES:
            schema = self.searcher.schema
            if query.fieldname not in schema:
                return False
            format_ = schema[query.fieldname].format
            return bool(format_) and format_.supports("positions") and all(isinstance(w, str) for w in query.words)
        if isinstance(query, And | Or) and type(query) in (And, Or):
            if isinstance(query, Or) and (getattr(query, "scale", None) or getattr(query, "minmatch", 0)):
                return False
            return bool(query.subqueries) and all(self.supports(q) for q in query.subqueries)
        if isinstance(query, AndNot | AndMaybe | Require) and type(query) in (AndNot, AndMaybe, Require):
            return self.supports(query.a) and self.supports(query.b)
        return False

    def evaluate(self, query: Query) -> Evaluation | None:
        """The match set and scores of ``query``, or None when it is not a word query."""
        if not self.supports(query):
            return None
        term_docs: list[tuple[str, bytes, np.ndarray]] = []
        matched, scores = self._evaluate(query, term_docs, _Seen())
        return Evaluation(matched, scores, term_docs)

    # -- evaluation ---------------------------------------------------------

    def _evaluate(self, query: Any, term_docs: list[TermDocs], seen: _Seen) -> tuple[np.ndarray, np.ndarray]:
        """The match set and scores of one node, its matched terms appended to ``term_docs``.
        A node met again in the same query (equal, as Whoosh compares queries: a query holding
        most of the typed words repeats each word in many combinations) is evaluated once."""
        if isinstance(query, Term):
            return self._term(query, term_docs)
        key = seen.keys.key(query)
        again = seen.done.get(key)
        if again is not None:
            term_docs.extend(again[2])
            return again[0].copy(), again[1].copy()
        first_term = len(term_docs)
        matched, scores = self._evaluate_new(query, term_docs, seen)
        seen.done[key] = (matched.copy(), scores.copy(), term_docs[first_term:])
        return matched, scores

    def _evaluate_new(self, query: Any, term_docs: list[TermDocs], seen: _Seen) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(query, Phrase) and type(query) in PHRASES:
            return self._phrase(query, term_docs)
        first_term = len(term_docs)
        if type(query) is AndNot:
            matched, scores = self._evaluate(query.a, term_docs, seen)
            excluded, _ = self._evaluate(query.b, [], seen)
            matched &= ~excluded
        elif type(query) is Require:
            # Whoosh's Require: the matches of both, scored by ``a`` alone (a phrase with a stop
            # word at its edge: held in the exact forms, scored by the phrase fields).
            matched, scores = self._evaluate(query.a, term_docs, seen)
            required, _ = self._evaluate(query.b, term_docs, seen)
            matched &= required
        elif type(query) is AndMaybe:
            # Whoosh's AndMaybe: the matches of ``a``, scored a + b where b matches too.
            matched, scores = self._evaluate(query.a, term_docs, seen)
            optional_matched, optional_scores = self._evaluate(query.b, term_docs, seen)
            scores += np.where(optional_matched, optional_scores, 0.0)
        elif isinstance(query, Or):
            # A word asked of every field is an OR of terms: each term's postings are added
            # into one pair of arrays instead of a pair of whole-index arrays per term.
            matched = np.zeros(self.doc_count, dtype=bool)
            scores = np.zeros(self.doc_count, dtype=np.float64)
            for sub in query.subqueries:
                if isinstance(sub, Term):
                    self._add_term(sub, matched, scores, term_docs)
                else:
                    sub_matched, sub_scores = self._evaluate(sub, term_docs, seen)
                    matched |= sub_matched
                    scores += sub_scores
        else:
            parts = [self._evaluate(q, term_docs, seen) for q in query.subqueries]
            matched, scores = parts[0]  # fresh arrays of this evaluation: changed in place
            for sub_matched, sub_scores in parts[1:]:
                if isinstance(query, And):
                    matched &= sub_matched
                else:
                    matched |= sub_matched
                scores += sub_scores
        if not isinstance(query, Or):
            # A document that matches only some words of an And (or is excluded by an AndNot)
            # scores nothing: as in Whoosh's matchers, an Or above it adds only what matched.
            scores[~matched] = 0.0
            # Nor are its words matched terms there (highlighting): "budget" is no match of
            # "(budget skole) ELLER vej" in an item without "skole", as Whoosh reports it.
            for n in range(first_term, len(term_docs)):
                fieldname, text, docs = term_docs[n]
                term_docs[n] = (fieldname, text, docs[matched[docs]])
        if query.boost != 1.0:
            scores *= query.boost
        return matched, scores

    def _term(self, query: Term, term_docs: list[tuple[str, bytes, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        matched = np.zeros(self.doc_count, dtype=bool)
        scores = np.zeros(self.doc_count, dtype=np.float64)
        self._add_term(query, matched, scores, term_docs)
        return matched, scores

    def _add_term(
        self,
        query: Term,
        matched: np.ndarray,
        scores: np.ndarray,
        term_docs: list[tuple[str, bytes, np.ndarray]],
    ) -> None:
        """Mark one term's documents and add its scores (a document appears once per term)."""
        if query.fieldname not in self.searcher.schema:
            return
        postings = self._postings(query.fieldname, query.text)
        if not len(postings.docs):
            return
        matched[postings.docs] = True
        scores[postings.docs] += self._term_scores(query.fieldname, query.text, postings) * query.boost
        term_docs.append((query.fieldname, postings.term, postings.docs))

    def _phrase(self, query: Phrase, term_docs: list[tuple[str, bytes, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh scores a phrase as the AND of its words in that field; it matches where
        each next word follows the previous one within ``slop`` positions.  Segment by
        segment: intersect the words' documents, then compare position arrays."""
        matched = np.zeros(self.doc_count, dtype=bool)
        scores = np.zeros(self.doc_count, dtype=np.float64)
        fieldname = query.fieldname
        if fieldname not in self.searcher.schema or not query.words:
            return matched, scores
        field = self.searcher.schema[fieldname]
        terms = [field.to_bytes(word) for word in query.words]
        doc_parts: list[np.ndarray] = []
        weight_parts: list[list[np.ndarray]] = [[] for _ in terms]
        frequencies = [0] * len(terms)
        for leaf, offset in self.leaves:
            if leaf.segment() is None:
                continue
            # Every word is looked up in every segment, also where another is missing: the
            # document frequencies found make the idf without more lookups.  A word's
            # postings are read only where every word of the phrase occurs.
            infos = []
            for n, term in enumerate(terms):
                info = leaf._terms.term_info_or_none(fieldname, term)
                if info is not None:
                    frequencies[n] += info.doc_frequency()
                infos.append(info)
            if any(info is None or not info.doc_frequency() for info in infos):
                continue
            words = [
                leaf._terms.arrays_of(info, field.format.field_boost, with_values=True)
                for info in infos
                if info is not None
            ]
            found, at = phrase_postings(words, phrase_bounds(query))
            if not len(found):
                continue
            doc_parts.append(found + offset)
            for n, (arrays, index) in enumerate(zip(words, at, strict=True)):
                weight_parts[n].append(arrays.weights[index])
        if not doc_parts:
            return matched, scores
        for word, frequency in zip(query.words, frequencies, strict=True):
            self._idf[(fieldname, word)] = self._idf_of(frequency)
        docs = np.concatenate(doc_parts)
        matched[docs] = True
        total = np.zeros(len(docs), dtype=np.float64)
        for word, term, parts in zip(query.words, terms, weight_parts, strict=True):
            total += self._term_scores(fieldname, word, Postings(term, docs, np.concatenate(parts)))
            term_docs.append((fieldname, term, docs))
        scores[docs] = total * query.boost
        return matched, scores

    def _term_scores(self, fieldname: str, text: str, postings: Postings) -> np.ndarray:
        """Whoosh's BM25F score of one term for each of its postings."""
        weights = postings.weights
        if not self.searcher.schema[fieldname].scorable:
            return weights
        weighting = self.weighting
        assert weighting is not None
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        idf = self._idf.get((fieldname, text))
        if idf is None:
            idf = self.searcher.idf(fieldname, text)
        capping = IDF_CAPPED_BY.get(fieldname) if isinstance(weighting, MinutesBM25F) else None
        if capping is not None:
            idf = min(idf, self.searcher.idf(capping, text))
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        lengths = _LENGTH_OF_BYTE[self._length_bytes(fieldname)[postings.docs]]
        result: np.ndarray = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))
        return result

    def _idf_of(self, doc_frequency: int) -> float:
        """Whoosh's idf (``WeightingModel.idf``) from a term's document frequency: the
        number of its postings, deleted documents included, as Whoosh counts it."""
        return math.log(self._parent_doc_count / (doc_frequency + 1)) + 1

    def _postings(self, fieldname: str, text: str) -> Postings:
        """Document numbers (whole index) and weights of one term; deleted documents
        included: callers intersect with the open, live documents."""
        field = self.searcher.schema[fieldname]
        term = field.to_bytes(text)
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        cache = self.postings_cache
        for leaf, offset in self.leaves:
            if leaf.segment() is None:
                continue
            if cache is None:  # as read: no narrowing for the cache and widening back
                arrays = leaf._terms.term_arrays(fieldname, term, field.format.field_boost)
                if arrays is not None and len(arrays.ids):
                    id_parts.append(arrays.ids + offset)
                    weight_parts.append(arrays.weights)
                continue
            key = (leaf.segment().segment_id(), fieldname, term)
            cached = cache.get(key)
            if cached is None:
                arrays = leaf._terms.term_arrays(fieldname, term, field.format.field_boost)
                if arrays is None:
                    cached = (_NO_IDS, _NO_WEIGHTS)
                else:
                    cached = (arrays.ids.astype(np.int32), arrays.weights.astype(np.float32))
                cache.put(key, *cached)  # absence is remembered too: it costs a lookup per segment
            if len(cached[0]):
                id_parts.append(cached[0].astype(np.int64) + offset)
                weight_parts.append(cached[1])
        if not id_parts:
            return Postings(term, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        docs = np.concatenate(id_parts).astype(np.int64, copy=False)
        self._idf[(fieldname, text)] = self._idf_of(len(docs))
        return Postings(term, docs, np.concatenate(weight_parts).astype(np.float64, copy=False))

    def _length_bytes(self, fieldname: str) -> np.ndarray:
        """Every document's length of one field as Whoosh stores it (one byte each)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            raw = np.zeros(self.doc_count, dtype=np.uint8)
            for leaf, offset in self.leaves:
                column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
                if column is not None:
                    count = leaf.doc_count_all()
                    raw[offset : offset + count] = numeric_column(column, count)
            self._lengths[fieldname] = lengths = raw
        return lengths


def numeric_column(column: Any, count: int) -> np.ndarray:
    """A fixed-width numeric column of one segment (field lengths, dates) read in one
    go as an array; Whoosh's reader goes document by document, seconds for a million.
    Documents past the stored end get the column's default, 0."""
    stored_as: dict[str, np.dtype[Any]] = {"B": np.dtype(np.uint8), "Q": np.dtype(">u8")}  # Whoosh packs big-endian
    dtype = stored_as.get(getattr(column, "_typecode", None) or "")
    if dtype is None or getattr(column, "_fixedlen", None) != dtype.itemsize:
        return np.fromiter((column.sort_key(n) or 0 for n in range(count)), dtype=np.int64, count=count)
    out = np.zeros(count, dtype=np.uint8 if dtype.itemsize == 1 else np.int64)
    stored = min(column._count, count)
    if stored:
        out[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored * dtype.itemsize), dtype=dtype)
    return out


def top_documents(
    candidates: np.ndarray, scores: np.ndarray, count: int, ties: tuple[np.ndarray, ...] = ()
) -> np.ndarray:
    """The ``count`` best of ``candidates`` by score; scores alike (equal to ``TIE_SCALE``,
    as every engine compares them) ordered by ``ties`` (whole-index key arrays, the first
    deciding first, lower first), then by document number (Whoosh's order)."""
    if count <= 0 or not len(candidates):
        return candidates[:0]
    candidate_scores = scores[candidates]
    if len(candidates) > count:
        # Keep what may reach the count-th best once cut to TIE_SCALE, ties included.
        threshold = np.partition(candidate_scores, len(candidates) - count)[len(candidates) - count]
        keep = candidate_scores >= threshold - 1 / TIE_SCALE
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    # np.lexsort sorts by its last key first: the score, then each tie key, the document last.
    alike = np.floor(candidate_scores * TIE_SCALE)
    order = np.lexsort((candidates, *(key[candidates] for key in reversed(ties)), -alike))
    return candidates[order][:count]
