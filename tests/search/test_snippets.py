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
