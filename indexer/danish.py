"""Danish text analysis: one readable Whoosh pipeline of small filters.

normalise (NFC) → tokenise → lower-case → stop words → Snowball stem →
fold æ/ø/å ↔ ae/oe/aa.  Every filter is a plain Whoosh ``Filter`` so each can
be tested word by word, and ``danish_analyzer()`` composes them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

# Words: letters and digits, keeping inner hyphens/periods of things like "12.3" or "1.2".
WORD_PATTERN = r"\w+(?:[.,/-]\w+)*"

DANISH_STOP_WORDS = frozenset(Stemmer.Stemmer("danish").stemWords([]) or []) | frozenset(
    """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min
    havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil
    blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også under
    have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad bliver
    hendes været thi jer sådan
    """.split()
)

FOLDS = {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "u", "é": "e", "è": "e"}
_FOLD_TABLE = str.maketrans(FOLDS)


def fold(text: str) -> str:
    """Fold Danish letters to their two-letter spelling: Århus → aarhus, Grenå → grenaa."""
    return text.translate(_FOLD_TABLE)


class NormaliseFilter(Filter):
    """Unicode NFC, so a decomposed å (a + ring) is the same letter as å."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = unicodedata.normalize("NFC", t.text)
            yield t


class DanishStemFilter(Filter):
    """Snowball Danish via PyStemmer (C), cached; leaves numbers and short words alone."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("danish")
        self._stemmer.maxCacheSize = 200_000

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self._stemmer.stemWord
        for t in tokens:
            if not t.stopped and len(t.text) > 2 and not t.text[0].isdigit():
                t.text = stem(t.text)
            yield t

    def __getstate__(self) -> dict[str, object]:
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]


class FoldFilter(Filter):
    """æ→ae, ø→oe, å→aa, after stemming so Snowball still sees real Danish."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


@lru_cache(maxsize=None)
def danish_analyzer():  # type: ignore[no-untyped-def]
    """The analyzer for stemmed text fields (title, body, decision, attachments)."""
    return tokenizer() | NormaliseFilter() | LowercaseFilter() | StopFilter(stoplist=DANISH_STOP_WORDS, minsize=1) | DanishStemFilter() | FoldFilter()


@lru_cache(maxsize=None)
def exact_analyzer():  # type: ignore[no-untyped-def]
    """Unstemmed, unstopped, unfolded: exact forms, phrases, and the spelling vocabulary
    (did-you-mean and autocomplete must offer real Danish spellings, not folded ones)."""
    return tokenizer() | NormaliseFilter() | LowercaseFilter()


def analyse(text: str, analyzer=None) -> list[str]:  # type: ignore[no-untyped-def]
    """The terms ``text`` becomes in the index: handy in tests and debugging."""
    analyzer = analyzer or danish_analyzer()
    return [t.text for t in analyzer(text)]
