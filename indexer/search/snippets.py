"""Highlighted snippets: the best passages of a field around the words that matched.

Whoosh's highlighter runs every word of the stored text through the whole
analysis chain again for each hit.  Here each word is looked up in the same
word → term cache the indexer fills (``fastterms``), so a snippet costs one
regex pass over the text.  Output is HTML-escaped text with ``<mark>`` around
matches — the only markup a snippet carries.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass

from indexer.analysis import fastterms

SCAN_CHARS = 60_000  # passages come from the first part of very long attachment texts


@dataclass
class _Passage:
    start: int
    end: int
    marks: list[tuple[int, int]]
    preferred: int = 0  # marks of preferred words


def _matching_spans(
    text: str, stemmed: Collection[str], exact: Collection[str], parts: frozenset[str] | set[str]
) -> list[tuple[int, int]]:
    """Where the words that match are.  Whether a word matches depends on the word alone,
    so each distinct word is analysed once (a long text repeats most of its words) and
    the text is then scanned for those words only."""
    return [(start, end) for start, end, _ in _spans(text, stemmed, exact, parts, ())]


def _spans(
    text: str,
    stemmed: Collection[str],
    exact: Collection[str],
    parts: frozenset[str] | set[str],
    prefer: Collection[str],
) -> list[tuple[int, int, bool]]:
    """The matching words' spans, each with whether the word is one of ``prefer`` (its term or
    its lower-cased form)."""
    scanned = text[:SCAN_CHARS]
    matching = {
        word
        for word in set(fastterms.words(scanned))
        if (
            (exact and word.lower() in exact)
            or (stemmed and fastterms.term_of(word, "danish") in stemmed)
            or (parts and not parts.isdisjoint(fastterms.term_of(word, "parts") or ()))
        )
    }
    if not matching:
        return []
    preferred = {
        word for word in matching if prefer and (word.lower() in prefer or fastterms.term_of(word, "danish") in prefer)
    }
    spans = [(*span, word in preferred) for word in matching for span in _occurrences(scanned, word)]
    spans.sort()
    return spans


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """Where ``word`` stands as a whole word as the analyzers cut words
    (``\\w+(?:[.,/-]\\w+)*``): not inside a longer word, nor joined to one by a '.',
    ',', '/' or '-' between word characters.  ``str.find`` and a look at the characters
    around each find: no regular expression to compile for each hit's words."""
    out = []
    size, end = len(word), len(text)
    at = text.find(word)
    while at >= 0:
        after = at + size
        if not (
            (at and (_is_word(text[at - 1]) or (text[at - 1] in _JOINERS and at > 1 and _is_word(text[at - 2]))))
            or (
                after < end
                and (
                    _is_word(text[after]) or (text[after] in _JOINERS and after + 1 < end and _is_word(text[after + 1]))
                )
            )
        ):
            out.append((at, after))
        at = text.find(word, at + 1)
    return out


_JOINERS = ".,/-"


def _is_word(char: str) -> bool:
    """A character ``\\w`` matches: alphanumeric in Unicode, or the underscore."""
    return char.isalnum() or char == "_"


def _passages(spans: list[tuple[int, int, bool]], length: int, maxchars: int, surround: int) -> list[_Passage]:
    passages: list[_Passage] = []
    i = 0
    while i < len(spans):
        start = max(0, spans[i][0] - surround)
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] + surround - start <= maxchars:
            j += 1
        chosen = spans[i : j + 1]
        marks = [(a, b) for a, b, _ in chosen]
        passages.append(_Passage(start, min(length, spans[j][1] + surround), marks, sum(p for *_, p in chosen)))
        i = j + 1
    return passages


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen to whole words so a passage never starts or ends mid-word."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def highlight(
    text: str,
    stemmed: Collection[str],
    exact: Collection[str] = (),
    parts: frozenset[str] | set[str] = frozenset(),
    top: int = 2,
    maxchars: int = 240,
    surround: int = 70,
    prefer: Collection[str] = (),
    only_preferred: bool = False,
) -> str:
    """Up to ``top`` passages of ``text`` with matching words marked, or "" when none match.

    A word matches when its index term is in ``stemmed`` (the Danish-analysed
    terms the query matched in this field), its lower-cased form is in ``exact``,
    or one of its compound parts is in ``parts``.  Passages holding a matching word
    whose term or lower-cased form is in ``prefer`` come first (what a rewrite matched:
    "DN" for "Danmarks Naturfredningsforening"), and with ``only_preferred`` only they
    are shown ("" when there are none).
    """
    spans = _spans(text, stemmed, exact, parts, prefer)
    if not spans:
        return ""
    passages = _passages(spans, len(text), maxchars, surround)
    if only_preferred and not any(p.preferred for p in passages):
        return ""
    ranked = sorted(passages, key=lambda p: (-min(p.preferred, 1), -len(p.marks), p.start))
    best = sorted(ranked[:top], key=lambda p: p.start)
    pieces = []
    for passage in best:
        start, end = _snap(text, passage.start, passage.end)
        out, cursor = [], start
        for mark_start, mark_end in passage.marks:
            out.append(html.escape(text[cursor:mark_start], quote=False))
            out.append(f"<mark>{html.escape(text[mark_start:mark_end], quote=False)}</mark>")
            cursor = mark_end
        out.append(html.escape(text[cursor:end], quote=False))
        pieces.append(" ".join("".join(out).split()))
    return " … ".join(pieces)
