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
