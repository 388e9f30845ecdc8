"""Phrase matching over position arrays, vectorised.

A phrase matches a document where each next word occurs within ``slop``
positions after the previous one (Whoosh's rule: ``1 <= next - previous <= slop``),
or, for a ``GappedPhrase``, within its own bounds for each word: the index keeps
a stop word's place, so "kommissorium om guide" is "kommissori" and "guid" two
positions apart, exactly.
Per segment: the documents holding every word are intersected first; then the
positions of just those postings are gathered into one array per word, each
position tagged with its candidate's number (``candidate * span + position``,
with ``span`` larger than any position plus the slop, so tags of different
documents never come within the slop of each other), and each step keeps the
next word's positions that have a previous end in range — one ``searchsorted``
per word instead of a Python loop per candidate.

An exact phrase (each word at one distance from the previous, what quotes ask for) skips the candidates: each word's
positions of every posting become keys ``document << shift | position - k`` (k
the word's place in the phrase), already ascending; two ascending key arrays are
merged by one stable sort (timsort merges the two runs in linear time) and the
phrase survives where a key appears twice.  "teknisk udvalg" over 76 % of 100,000
items was a third of the time of intersecting and gathering candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq

from indexer.engines.whoosh.codec import TermArrays

# How far each next word may stand from the previous one: (lowest, highest) distance in positions.
Bounds = tuple[tuple[int, int], ...]


class GappedPhrase(wq.Phrase):
    """A phrase whose words stand at their own distances: word n stands ``bounds[n - 1]`` =
    (lowest, highest) positions after word n - 1.  The analysis keeps a stop word's place in
    the stemmed fields, so a phrase's distances come from its own text ("kommissorium om
    guide": 2, 2); Whoosh's ``Phrase`` knows one ``slop`` for every word, from 1."""

    def __init__(
        self,
        fieldname: str,
        words: list[str],
        slop: int = 1,
        boost: float = 1.0,
        char_ranges: list[tuple[int, int]] | None = None,
        degrade: bool = False,
        bounds: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(fieldname, words, slop=slop, boost=boost, char_ranges=char_ranges, degrade=degrade)
        self.bounds: Bounds = tuple(bounds) if bounds is not None else ((1, slop),) * (len(words) - 1)
        assert len(self.bounds) == max(len(words) - 1, 0)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.bounds == getattr(other, "bounds", None)

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(self.bounds)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.fieldname!r}, {self.words!r}, bounds={self.bounds}, boost={self.boost:f})"
        )

    def normalize(self) -> Any:
        """As Whoosh's: one word is its term; else a copy (never the shared query itself)."""
        if len(self.words) < 2:
            return super().normalize()
        return GappedPhrase(
            self.fieldname,
            list(self.words),
            self.slop,
            self.boost,
            self.char_ranges,
            self.degrade,
            bounds=self.bounds,
        )

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """Whoosh's own evaluation (what the whole-index one, ``bulkmatch``, leaves to it): the
        matcher of the AND of the words (so scored as Whoosh scores a phrase), kept to the
        documents where the positions line up.  Whoosh's span queries chained pair by pair gave
        wrong answers under a NOT, so the documents are found here from the postings."""
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        terms = []
        for word in self.words:
            btext = field.to_bytes(word)
            if (fieldname, btext) not in reader:
                return matching.NullMatcher()
            terms.append(btext)
        found = self._documents(searcher, terms)
        if not found:
            return matching.NullMatcher()
        words = wq.And([wq.Term(fieldname, btext) for btext in terms]).matcher(searcher, context)
        kept = matching.FilterMatcher(words, found)
        return matching.WrappingMatcher(kept, boost=self.boost) if self.boost != 1.0 else kept

    def _documents(self, searcher: Any, terms: list[bytes]) -> set[int]:
        """The documents (as ``searcher`` numbers them) where every word stands at its bounds
        from the previous one."""
        held: list[dict[int, list[int]]] = []
        for btext in terms:
            postings = searcher.postings(self.fieldname, btext)
            places: dict[int, list[int]] = {}
            while postings.is_active():
                places[postings.id()] = list(postings.value_as("positions"))
                postings.next()
            held.append(places)
        found = set()
        for doc in set(held[0]).intersection(*held[1:]):
            ends = set(held[0][doc])
            for places, (low, high) in zip(held[1:], self.bounds, strict=True):
                ends = {p for p in places[doc] if any(low <= p - end <= high for end in ends)}
                if not ends:
                    break
            if ends:
                found.add(doc)
        return found


def phrase_bounds(query: wq.Phrase) -> Bounds:
    """Each next word's (lowest, highest) distance from the previous one."""
    if isinstance(query, GappedPhrase):
        return query.bounds
    return ((1, int(query.slop)),) * (len(query.words) - 1)


def gather(arrays: TermArrays, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position) of every position of the given postings, in posting order;
    ``owner`` is the index into ``postings``."""
    assert arrays.counts is not None and arrays.values is not None
    counts = arrays.counts[postings]
    starts = arrays.starts()[postings]
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(postings), dtype=np.int64), counts)
    first_of_owner = np.cumsum(counts) - counts
    index = np.repeat(starts - first_of_owner, counts) + np.arange(total, dtype=np.int64)
    return owner, arrays.values[index].astype(np.int64)


def phrase_candidates(words: list[TermArrays]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Documents (segment numbers) holding every word, and each word's posting index of them."""
    candidates = words[0].ids
    at = [np.arange(len(candidates))]
    for arrays in words[1:]:
        candidates, keep, found = np.intersect1d(candidates, arrays.ids, assume_unique=True, return_indices=True)
        at = [a[keep] for a in at] + [found]
    return candidates, at


def phrase_hits(words: list[TermArrays], at: list[np.ndarray], bounds: Bounds) -> np.ndarray:
    """For each candidate (``at`` as from ``phrase_candidates``): does the phrase occur?"""
    count = len(at[0])
    if not count:
        return np.zeros(0, dtype=bool)
    gathered = [gather(arrays, index) for arrays, index in zip(words, at, strict=True)]
    widest = max((high for _, high in bounds), default=1)
    span = max((int(positions.max()) for _, positions in gathered if len(positions)), default=0) + widest + 2
    owner, positions = gathered[0]
    ends = owner * span + positions  # ascending: owners in order, positions ascending within each
    for (owner, positions), (low, high) in zip(gathered[1:], bounds, strict=True):
        following = owner * span + positions
        if not len(ends) or not len(following):
            return np.zeros(count, dtype=bool)
        lowest = np.searchsorted(ends, following - high, side="left")
        inside = lowest < len(ends)
        nearest = ends[np.minimum(lowest, len(ends) - 1)]
        ends = following[inside & (nearest <= following - low)]
    hits = np.zeros(count, dtype=bool)
    hits[ends // span] = True
    return hits


def phrase_postings(words: list[TermArrays], bounds: Bounds) -> tuple[np.ndarray, list[np.ndarray]]:
    """Documents (segment numbers, ascending) where the phrase occurs, and each word's
    posting index of them."""
    if len(words) > 1 and all(low == high for low, high in bounds) and _key_shift(words, bounds) is not None:
        return exact_phrase(words, [high for _, high in bounds])
    return candidate_phrase(words, bounds)


def candidate_phrase(words: list[TermArrays], bounds: Bounds) -> tuple[np.ndarray, list[np.ndarray]]:
    """``phrase_postings`` by intersecting the documents first, for any bounds."""
    candidates, at = phrase_candidates(words)
    if not len(candidates):
        return candidates, at
    hits = phrase_hits(words, at, bounds)
    return candidates[hits], [index[hits] for index in at]


def _key_shift(words: list[TermArrays], bounds: Bounds) -> int | None:
    """The bits a key keeps for the position (every position of the stored width, plus
    the last word's distance from the first), or None when the keys would not fit in 63 bits."""
    if any(arrays.values is None or arrays.counts is None or not len(arrays.ids) for arrays in words):
        return None
    widest = max(arrays.values.dtype.itemsize for arrays in words if arrays.values is not None)
    shift = 8 * widest + (sum(high for _, high in bounds) + 1).bit_length()
    highest = max(int(arrays.ids[-1]) for arrays in words)
    return shift if shift + highest.bit_length() < 63 else None


def exact_phrase(words: list[TermArrays], gaps: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """``phrase_postings`` for one distance a word: each next word exactly ``gaps[n - 1]``
    positions after the previous one (1 where the text between them holds no stop word)."""
    shift = _key_shift(words, tuple((gap, gap) for gap in gaps))
    assert shift is not None
    ends: np.ndarray | None = None
    for n, arrays in enumerate(words):
        assert arrays.counts is not None and arrays.values is not None
        keys = np.repeat(arrays.ids << shift, arrays.counts)
        keys += arrays.values
        if ends is None:
            ends = keys
            continue
        ends += gaps[n - 1]  # where the next word must be
        merged = np.concatenate((ends, keys))
        merged.sort(kind="stable")  # two ascending runs: one linear merge
        ends = merged[1:][merged[1:] == merged[:-1]]  # keys are unique within each array
        if not len(ends):
            break
    assert ends is not None
    docs = ends >> shift
    if len(docs):
        first = np.empty(len(docs), dtype=bool)
        first[0] = True
        np.not_equal(docs[1:], docs[:-1], out=first[1:])
        docs = docs[first]
    return docs, [np.searchsorted(arrays.ids, docs) for arrays in words]
