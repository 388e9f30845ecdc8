"""A stop word left out of a field keeps its place: the next word's position counts it.

Whoosh's StopFilter renumbers the words after a stop word by default, so "affaldsplan og
godkendelse" was "affaldsplan" at 0 and "godkend" at 1, the same as "affaldsplan godkendelse",
and a quoted phrase of the two found both.  Now every analysis kind numbers a word by its place
in the text (``StopFilter(renumber=False)``), and the fast path (``fastterms``) the same, word
for word.
"""

from __future__ import annotations

import pytest

from indexer.analysis import danish, fastterms
from tests.conftest import SEED

# Stop words inside, at the start, at the end and several in a row; a suspended compound (its
# conjunct takes the parts of the word it completes, at its own place).
TEXTS = [
    "Affaldsplan og godkendelse af kommissorium om guiden",
    "og så blev det godkendt af udvalget for at sikre bygge- og anlægsarbejder",
    "Kommissorium for arbejdsgruppen og guiden er vedlagt som bilag og",
    "Der er nedsat en arbejdsgruppe, som har udarbejdet kommissorium og guide.",
]


def positions(text: str, analyzer: object) -> dict[str, list[int]]:
    return fastterms.analyzer_positions(text, analyzer)


def test_a_stop_word_keeps_its_place_in_the_stemmed_fields() -> None:
    found = positions(TEXTS[0], danish.danish_analyzer())
    assert found == {"affaldsplan": [0], "godkend": [2], "kommissori": [4], "guid": [6]}
    # The same words side by side stand side by side.
    assert positions("affaldsplan godkendelse", danish.danish_analyzer()) == {"affaldsplan": [0], "godkend": [1]}


def test_a_text_opening_with_stop_words_counts_them() -> None:
    """Whoosh numbered from the first word kept; the place of a word is its place in the text."""
    found = positions("og det er godkendt", danish.danish_analyzer())
    assert found == {"godkend": [3]}


def test_the_query_analysis_numbers_a_phrase_as_the_index_does() -> None:
    """A quoted phrase's words are looked up at the distances its own text gives them."""
    tokens = danish.danish_analyzer()("kommissorium om guide", mode="query", positions=True)
    assert [(t.text, t.pos) for t in tokens] == [("kommissori", 0), ("guid", 2)]


def test_the_compound_parts_keep_the_gap_too() -> None:
    found = positions("bygge- og anlægsarbejder", danish.compound_analyzer())
    assert found["byggearbejd"] == [0]
    assert found["anlaeg"] == [2]  # folded, as every term is


@pytest.mark.parametrize("kind", sorted(fastterms.KINDS))
@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_path_gives_the_analyzers_positions(kind: str, text: str) -> None:
    analyzer = fastterms.KINDS[kind].analyzer()
    assert fastterms.term_positions(text, kind) == positions(text, analyzer)


@pytest.mark.parametrize("kind", sorted(fastterms.KINDS))
def test_the_fast_path_gives_the_analyzers_positions_on_the_seed(kind: str) -> None:
    text = SEED.read_text("utf-8")
    fast = fastterms.term_positions(text, kind)
    assert fast == positions(text, fastterms.KINDS[kind].analyzer())
    # A name stands at its place among the text's words, stop words counted.
    words = fastterms.words(text)
    if kind in ("danish", "exact"):
        name = "grejs" if kind == "danish" else "grejsen"
        assert fast[name] == [n for n, word in enumerate(words) if word == "Grejsen"]
