"""Snippets mark the words that matched, in their own spelling, and carry no other markup."""

from __future__ import annotations

from indexer.analysis.danish import stem_term
from indexer.search.snippets import highlight
from tests.helpers import seed_meeting


def seed_body() -> str:
    return "\n".join(s.text for s in seed_meeting().items[0].sections)


def test_inflected_forms_are_marked_as_written() -> None:
    snippet = highlight(seed_body(), {stem_term("arbejdsplads")})
    assert "<mark>arbejdspladser</mark>" in snippet
    assert snippet.count("<mark>") >= 1 and len(snippet) < 700


def test_exact_and_compound_part_matches() -> None:
    assert "<mark>personalepolitikken</mark>" in highlight(seed_body(), set(), parts={stem_term("politik")})
    assert "<mark>Kommissorium</mark>" in highlight(seed_body(), set(), exact={"kommissorium"})


def test_no_match_gives_nothing_and_text_is_escaped() -> None:
    assert highlight(seed_body(), {stem_term("vindmølle")}) == ""
    hostile = "<script>alert(1)</script> lokalplan & <b>vej</b>"
    snippet = highlight(hostile, {stem_term("vej")})
    assert "<script>" not in snippet and "&lt;b&gt;<mark>vej</mark>&lt;/b&gt;" in snippet


def _spans_word_by_word(text: str, stemmed: set[str], exact: set[str], parts: set[str]) -> list[tuple[int, int]]:
    """The plain way: every word of the text analysed and tested where it stands."""
    from indexer.analysis import fastterms
    from indexer.search.snippets import SCAN_CHARS

    spans = []
    for match in fastterms.iter_words(text[:SCAN_CHARS]):
        word = match.group()
        if (
            (exact and word.lower() in exact)
            or (stemmed and fastterms.term_of(word, "danish") in stemmed)
            or (parts and not parts.isdisjoint(fastterms.term_of(word, "parts") or ()))
        ):
            spans.append((match.start(), match.end()))
    return spans


def test_matching_words_are_found_where_the_analyzers_cut_words() -> None:
    """Spans are found by analysing each distinct word once and scanning for those words:
    the same spans as analysing every word where it stands, over the corpus rows' texts
    (dates, amounts, 'x.y', 'a-b' and 'a/b' joins included) and words drawn from them."""
    import random

    from indexer.analysis import fastterms
    from indexer.formats import IngestContext
    from indexer.formats.digst import parse
    from indexer.search.snippets import _matching_spans
    from tests.conftest import CORPUS_CSV

    rng = random.Random(3)
    texts = [s.text for m in parse(CORPUS_CSV, IngestContext()) for i in m.items for s in i.sections][:300]
    texts.append("Budget-forslag 2024/25: budget,budget.budget budget- -budget x.budget budget_2 5.000 kr. budgettet")
    compared = 0
    for text in texts:
        words = fastterms.words(text) or ["budget"]
        chosen = [rng.choice(words) for _ in range(3)] + ["budget", "vej"]
        stemmed = {fastterms.term_of(w, "danish") for w in chosen[:2]} - {None}
        exact = {chosen[2].lower()}
        parts = set(fastterms.term_of(chosen[3], "parts") or ())
        for args in ((stemmed, set(), set()), (set(), exact, set()), (set(), set(), parts), (stemmed, exact, parts)):
            expected = _spans_word_by_word(text, *args)
            assert _matching_spans(text, *args) == expected, (text[:80], args)
            compared += bool(expected)
    assert compared > 500
