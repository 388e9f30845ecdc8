"""Texts as word ids, tokenised once for the whole of ingest.

Ingest reads an item's words twice: the topic classifier (title, body, decision)
and the bulk writer (the same texts with headings, and their joins).  Both take
them from here: a text is split into lines, and each distinct line is tokenised
once (the analysis tokeniser's regex ``findall``) into the ids of its surface
words in one process-wide vocabulary, kept as packed bytes.  A text's ids are
then its lines' bytes joined (C loops: ``split``, ``map`` of dict lookups,
``join``).  A newline never belongs to a word, so the words of a text are its
lines' words in order, and a text joined from others by newlines (the writer's
body, the classifier's body) is tokenised by the lines they share: the writer
finds the lines the classifier already read, and minutes repeat many lines
(headings, standard sentences) from item to item.

Ids are valid for one ``generation``: when the vocabulary has grown past its limit it
starts over at the next ``check_limit`` (a classifier batch, a document of the writer), and tables keyed by ids (the writer's term codes, the classifier's
stems) are rebuilt when they see a new generation.
"""

from __future__ import annotations

import re

import numpy as np

from indexer.analysis.danish import WORD_PATTERN

_WORDS = re.compile(WORD_PATTERN)
ID_DTYPE = np.dtype(np.int32)
VOCABULARY_LIMIT = 1_000_000  # surface words before the vocabulary starts over
LINE_CACHE_LIMIT = 300_000  # distinct lines kept (a batch of 5,000 Greve items has ~75,000)


class Vocabulary(dict[str, int]):
    """Surface word → id, and ``words[id]``: ids are dense, in order of first sight."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.generation = 0
        self.lines: dict[str, bytes] = {}  # line → its words' ids, packed

    def reset(self) -> None:
        self.clear()
        self.words = []
        self.lines = {}
        self.generation += 1

    def __missing__(self, raw: str) -> int:
        found = self[raw] = len(self.words)
        self.words.append(raw)
        return found

    def _tokenise(self, lines: list[str]) -> list[bytes]:
        """The lines' ids, packed; the new lines tokenised and remembered."""
        cache = self.lines
        got = list(map(cache.get, lines))
        if None not in got:
            return got  # type: ignore[return-value]
        if len(cache) > LINE_CACHE_LIMIT:
            cache.clear()
        findall = _WORDS.findall
        lookup = self.__getitem__
        for at, ids in enumerate(got):
            if ids is None:
                line = lines[at]
                ids = cache.get(line)
                if ids is None:
                    words = findall(line)
                    ids = cache[line] = np.fromiter(map(lookup, words), dtype=ID_DTYPE, count=len(words)).tobytes()
                got[at] = ids
        return got  # type: ignore[return-value]

    def word_ids(self, text: str) -> np.ndarray:
        """The ids of the text's words, in order (the analysis tokeniser's words)."""
        if not text:
            return np.zeros(0, dtype=ID_DTYPE)
        return np.frombuffer(b"".join(self._tokenise(text.split("\n"))), dtype=ID_DTYPE)

    def many_word_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids of all the texts' words, one text after another; each text's number of words).
        The vocabulary may start over first."""
        self.check_limit()
        lines: list[str] = []
        counts: list[int] = []
        for text in texts:
            split = text.split("\n") if text else []
            lines += split
            counts.append(len(split))
        packed = self._tokenise(lines)
        ids = np.frombuffer(b"".join(packed), dtype=ID_DTYPE)
        ends = np.zeros(len(packed) + 1, dtype=np.int64)  # words before each line, and in all
        np.cumsum(np.fromiter(map(len, packed), dtype=np.int64, count=len(packed)) // ID_DTYPE.itemsize, out=ends[1:])
        text_ends = ends[np.cumsum(np.asarray(counts, dtype=np.int64))]
        return ids, np.diff(text_ends, prepend=0)

    def check_limit(self) -> None:
        """Start over when past the limit: only between uses of ids (``word_ids`` never does, so
        the ids of one document's texts stay comparable)."""
        if len(self.words) > VOCABULARY_LIMIT:
            self.reset()


VOCABULARY = Vocabulary()


def word_ids(text: str) -> np.ndarray:
    """The text's word ids in the process-wide vocabulary (see the module doc)."""
    return VOCABULARY.word_ids(text)


def many_word_ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``word_ids`` of many texts at once: (all ids in order, words per text)."""
    return VOCABULARY.many_word_ids(texts)
