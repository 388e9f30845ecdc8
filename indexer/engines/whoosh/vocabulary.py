""" "Mente du" from one index-wide word list instead of a walk of every segment's term table.

Whoosh's spelling corrector (``ReaderCorrector`` over the searcher's reader) walks,
for each word it corrects, every term of the field that shares the word's first
letter in every segment, merging the segments' sorted terms one key at a time, and
asks each merged word's edit distance: 57 ms at 100,000 items in 22 segments, more
at a million in 360.  Here each segment's words of the field and their frequencies
are read once, as arrays straight from the segment's term table (segments never
change, so this is kept per segment and outlives index states), and merged into one
sorted vocabulary per index state.  A correction then asks the edit distance only of
the words with that first letter and a length within the distance.

The answers are Whoosh's: the same words (every term of the field, also those only
closed or deleted documents hold, as Whoosh's reader lists them), the same
Damerau-Levenshtein function and the same collection frequencies ("Mente du" ranks
them, ``search/spelling.py``).  A word so long that a correction could be a word
longer than the vocabulary keeps goes to Whoosh's reader
(`tests/engines/whoosh/test_vocabulary.py` compares the two).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.support.levenshtein import distance

# Words longer than this (UTF-8 bytes) are left out of the array; a correction that
# might be one goes to Whoosh's corrector instead.
MAX_TERM_BYTES = 48
_UTF8_MAX = 4  # bytes one edit can add


@dataclass(frozen=True)
class SegmentWords:
    """One field's terms of one segment (sorted, as stored) and their frequencies."""

    keys: np.ndarray  # bytes, dtype S<n>, ascending
    frequencies: np.ndarray  # float64


def segment_words(terms_reader: Any, fieldname: str, prefix: bytes) -> SegmentWords | None:
    """One field's terms of a segment that start with ``prefix``, read from its term table in
    a few array operations: Whoosh's ordered hash keeps an array of every key's position in
    key order (two binary searches find the prefix's run), a key is the field's number
    (2 bytes) and the term, and the term info after it starts with a flag byte and the
    term's frequency (big-endian float).  None when the table is not laid out so."""
    tindex = getattr(terms_reader, "_tindex", None)
    buffer = getattr(getattr(terms_reader, "_dbfile", None), "_buffer", None)
    fieldmap = getattr(terms_reader, "_fieldmap", None)
    if tindex is None or buffer is None or fieldmap is None:
        return None
    typecode = tindex.extras.get("indextype")
    if typecode not in ("B", "H", "i", "I", "q"):
        return None
    number = fieldmap.get(fieldname)
    if number is None or not tindex.indexlen:
        return SegmentWords(np.zeros(0, dtype="S1"), np.zeros(0))
    index = np.frombuffer(
        buffer, dtype=np.dtype(typecode).newbyteorder(">"), count=tindex.indexlen, offset=tindex.indexbase
    )
    field = struct.pack(">H", number)
    low = _first_key_at_least(tindex, index, field + prefix)
    high = _first_key_at_least(tindex, index, field + prefix + b"\xff")  # UTF-8 never holds 0xff
    positions = index[low:high].astype(np.int64)
    data = np.frombuffer(buffer, dtype=np.uint8)
    term_lengths = _big_endian(data, positions, 4) - 2
    short = term_lengths <= MAX_TERM_BYTES
    positions, term_lengths = positions[short], term_lengths[short]
    frequencies = _gather(data, positions + 10 + term_lengths + 1, np.full(len(positions), 4))
    keys = _gather(data, positions + 10, term_lengths)
    return SegmentWords(
        keys.view(f"S{keys.shape[1]}").ravel() if keys.shape[1] else np.zeros(len(positions), dtype="S1"),
        frequencies.view(">f4").ravel().astype(np.float64) if len(positions) else np.zeros(0),
    )


def _first_key_at_least(tindex: Any, index: np.ndarray, key: bytes) -> int:
    """Whoosh's ``closest_key_pos``, returning the place in the index array."""
    low, high = 0, len(index)
    while low < high:
        middle = (low + high) // 2
        if tindex.key_at(int(index[middle])) < key:
            low = middle + 1
        else:
            high = middle
    return low


def _gather(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The byte runs ``data[start:start + length]`` as rows of a zero-padded matrix."""
    width = int(lengths.max()) if len(lengths) else 0
    if not width:
        return np.zeros((len(starts), 0), dtype=np.uint8)
    columns = np.arange(width)
    index = starts[:, None] + columns
    inside = columns < lengths[:, None]
    return np.where(inside, data[np.where(inside, index, 0)], 0).astype(np.uint8)


def _big_endian(data: np.ndarray, starts: np.ndarray, size: int) -> np.ndarray:
    value = np.zeros(len(starts), dtype=np.int64)
    for n in range(size):
        value = (value << 8) | data[starts + n]
    return value


class Vocabulary:
    """The terms of one field starting with one prefix, across the index's segments, with
    Whoosh's collection frequency (the sum of the segments' frequencies)."""

    def __init__(self, parts: list[SegmentWords]) -> None:
        keys = np.concatenate([p.keys for p in parts]) if parts else np.zeros(0, dtype="S1")
        frequencies = np.concatenate([p.frequencies for p in parts]) if parts else np.zeros(0)
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.frequencies = np.bincount(inverse.ravel(), weights=frequencies, minlength=len(self.keys))
        self.words: list[str] = [key.decode("utf-8") for key in self.keys.tolist()]
        self.lengths = np.fromiter((len(w) for w in self.words), dtype=np.int64, count=len(self.words))
        self.letters = _letter_counts(self.words)

    @staticmethod
    def answers(text: str, maxdist: int) -> bool:
        """Whether every word within ``maxdist`` edits of ``text`` is short enough to be here."""
        return len(text.encode("utf-8")) + maxdist * _UTF8_MAX <= MAX_TERM_BYTES

    def near(self, text: str, maxdist: int, prefix: int) -> list[tuple[str, float]]:
        """(word, collection frequency) of every word within ``maxdist`` edits sharing the
        first ``prefix`` letters.

        Only words that can be that near are measured: an edit changes the length by at
        most one and the letter counts by at most two (a substitution), so a word whose
        length or letter counts differ more cannot be within ``maxdist``."""
        start = text[:prefix].encode("utf-8")
        low, high = (0, len(self.keys)) if not start else np.searchsorted(self.keys, [start, start + b"\xff"])
        near = np.flatnonzero(np.abs(self.lengths[low:high] - len(text)) <= maxdist) + low
        if len(near):
            apart = np.abs(self.letters[near] - _letter_counts([text])[0]).sum(axis=1)
            near = near[apart <= 2 * maxdist]
        words, frequencies = self.words, self.frequencies
        return [
            (words[n], float(frequencies[n]))
            for n in near.tolist()
            if distance(words[n], text, limit=maxdist) <= maxdist
        ]


_BUCKETS = 32


def _letter_counts(words: list[str]) -> np.ndarray:
    """Each word's letters counted in 32 buckets (by code point): the difference between two
    words' counts is never more than between their letters, so it bounds the edits too."""
    if not words:
        return np.zeros((0, _BUCKETS), dtype=np.int16)
    points = np.array(words, dtype="U").view(np.uint32).reshape(len(words), -1)
    buckets = np.where(points != 0, points % _BUCKETS + 1, 0)  # 0: the padding after a word
    flat = (np.arange(len(words))[:, None] * (_BUCKETS + 1) + buckets).ravel()
    counts = np.bincount(flat, minlength=len(words) * (_BUCKETS + 1)).reshape(len(words), _BUCKETS + 1)
    return counts[:, 1:].astype(np.int16)
