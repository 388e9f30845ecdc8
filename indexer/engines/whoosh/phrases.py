"""Phrase matching over position arrays, vectorised.

A phrase matches a document where each next word occurs within ``slop``
positions after the previous one (Whoosh's rule: ``1 <= next - previous <= slop``).
Per segment: the documents holding every word are intersected first; then the
positions of just those postings are gathered into one array per word, each
position tagged with its candidate's number (``candidate * span + position``,
with ``span`` larger than any position plus the slop, so tags of different
documents never come within the slop of each other), and each step keeps the
next word's positions that have a previous end in range — one ``searchsorted``
per word instead of a Python loop per candidate.

An exact phrase (slop 1, what quotes ask for) skips the candidates: each word's
positions of every posting become keys ``document << shift | position - k`` (k
the word's place in the phrase), already ascending; two ascending key arrays are
merged by one stable sort (timsort merges the two runs in linear time) and the
phrase survives where a key appears twice.  "teknisk udvalg" over 76 % of 100,000
items was a third of the time of intersecting and gathering candidates.
"""

from __future__ import annotations

import numpy as np

from indexer.engines.whoosh.codec import TermArrays


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


def phrase_hits(words: list[TermArrays], at: list[np.ndarray], slop: int) -> np.ndarray:
    """For each candidate (``at`` as from ``phrase_candidates``): does the phrase occur?"""
    count = len(at[0])
    if not count:
        return np.zeros(0, dtype=bool)
    gathered = [gather(arrays, index) for arrays, index in zip(words, at, strict=True)]
    span = max((int(positions.max()) for _, positions in gathered if len(positions)), default=0) + slop + 2
    owner, positions = gathered[0]
    ends = owner * span + positions  # ascending: owners in order, positions ascending within each
    for owner, positions in gathered[1:]:
        following = owner * span + positions
        if not len(ends) or not len(following):
            return np.zeros(count, dtype=bool)
        lowest = np.searchsorted(ends, following - slop, side="left")
        inside = lowest < len(ends)
        nearest = ends[np.minimum(lowest, len(ends) - 1)]
        ends = following[inside & (nearest <= following - 1)]
    hits = np.zeros(count, dtype=bool)
    hits[ends // span] = True
    return hits


def phrase_postings(words: list[TermArrays], slop: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Documents (segment numbers, ascending) where the phrase occurs, and each word's
    posting index of them."""
    if slop == 1 and len(words) > 1 and _key_shift(words) is not None:
        return exact_phrase(words)
    return candidate_phrase(words, slop)


def candidate_phrase(words: list[TermArrays], slop: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """``phrase_postings`` by intersecting the documents first, for any slop."""
    candidates, at = phrase_candidates(words)
    if not len(candidates):
        return candidates, at
    hits = phrase_hits(words, at, slop)
    return candidates[hits], [index[hits] for index in at]


def _key_shift(words: list[TermArrays]) -> int | None:
    """The bits a key keeps for the position (every position of the stored width, plus
    the word's place), or None when the keys would not fit in 63 bits."""
    if any(arrays.values is None or arrays.counts is None or not len(arrays.ids) for arrays in words):
        return None
    widest = max(arrays.values.dtype.itemsize for arrays in words if arrays.values is not None)
    shift = 8 * widest + len(words).bit_length()
    highest = max(int(arrays.ids[-1]) for arrays in words)
    return shift if shift + highest.bit_length() < 63 else None


def exact_phrase(words: list[TermArrays]) -> tuple[np.ndarray, list[np.ndarray]]:
    """``phrase_postings`` for slop 1: each next word exactly one position after the previous one."""
    shift = _key_shift(words)
    assert shift is not None
    ends: np.ndarray | None = None
    for arrays in words:
        assert arrays.counts is not None and arrays.values is not None
        keys = np.repeat(arrays.ids << shift, arrays.counts)
        keys += arrays.values
        if ends is None:
            ends = keys
            continue
        ends += 1  # where the next word must be
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
