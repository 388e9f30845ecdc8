"""Queries typed as questions, and slips in longer queries, over the demo rows.

A question names its subject with its other words: "hvilke cykelstier bygges i 2017" is about the
cycle paths of 2017 (the demo's "Anlægsbevilling cykelstiprojekter 2017" writes neither "hvilke"
nor "bygges").  A slip in one word of a longer query ("hvem bestemmer valgfag i folkeskolne") is
corrected, and when the correction's words do not all stand together either, the items holding
most of the *correction's* words are shown: leaving the misspelt word out instead loses what the
query is about.
"""

from __future__ import annotations

from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService


def test_question_words_are_left_out_of_a_query_of_other_words() -> None:
    assert ast.parse("hvem bestemmer valgfag") == ast.And((ast.Word("bestemmer"), ast.Word("valgfag")))
    assert ast.parse("Hvornår holder byrådet møder") == ast.And(
        (ast.Word("holder"), ast.Word("byrådet"), ast.Word("møder"))
    )
    # Alone, quoted or in a field, a question word is what was asked for.
    assert ast.parse("hvem") == ast.Word("hvem")
    assert ast.parse('"hvem betaler"') == ast.Phrase("hvem betaler")
    assert ast.parse("titel:hvordan budget") == ast.And((ast.Word("hvordan", "title"), ast.Word("budget")))


def test_a_question_finds_the_item_about_its_subject(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="hvilke cykelstier bygges i 2017"))
    assert response.results[0]["title"] == "Anlægsbevilling cykelstiprojekter 2017"
    assert response.partial is not None and response.results[0]["missing"] == ["bygges"]


def test_a_slip_in_a_longer_query_keeps_the_corrected_word(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="hvem bestemmer valgfag i folkeskolne"))
    assert response.corrected_from == "hvem bestemmer valgfag i folkeskolne"
    assert response.request.q == "hvem bestemmer valgfag i folkeskolen"
    assert response.partial is not None and response.typed_total == 0
    assert response.results[0]["title"].startswith("Delegering af beslutningskompetence vedrørende valgfag")
    # The exports list the same items in the same order.
    total, rows = demo.iter_summaries(SearchRequest(q="hvem bestemmer valgfag i folkeskolne"), limit=50)
    page = demo.search(SearchRequest(q="hvem bestemmer valgfag i folkeskolne", per_page=50))
    assert total == page.total and [r["id"] for r in rows] == [r["id"] for r in page.results]


def test_a_correction_two_edits_away_is_not_searched_in_place_of_the_typed_words(demo: SearchService) -> None:
    """ "skoleelever" is a compound the dictionary does not hold; its correction "skoleleder" is
    another word.  The items holding most of the typed words are shown, as typed."""
    response = demo.search(SearchRequest(q="kørsel af skoleelever regler"))
    assert response.corrected_from is None and response.request.q == "kørsel af skoleelever regler"
    assert response.partial is not None
    assert response.results[0]["title"] == "Retningslinier befordring af elever i folkeskolen"
