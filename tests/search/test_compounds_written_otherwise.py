"""A compound searched for where the minutes write it otherwise, or write its words otherwise.

In the demo rows: an item about expropriation for a cycle path writes "ekspropriationserstatninger",
another writes "ekspropriation og erstatning" (a phrase of the two words too, since the index leaves
"og" out without a gap); a director's appointment writes "stillingen som direktør", no item writes
"direktørstilling"; a climate item writes "CO2-neutralitet", one token.
"""

from __future__ import annotations

from indexer.analysis.compounds import compound_cuts
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService


def test_the_item_writing_the_compound_beats_one_holding_its_words_side_by_side(demo: SearchService) -> None:
    results = demo.search(SearchRequest(q="ekspropriationserstatning")).results
    assert results[0]["title"].startswith("Ekspropriation til cykelstiforbindelse")
    assert len(results) > 1  # the words written apart are still found, below it
    assert ast.SOLID_RAISE > 0


def test_a_lone_compound_is_written_as_its_two_words_when_it_finds_nothing() -> None:
    assert ast.compounds_apart("direktørstilling") == "direktør stilling"
    assert ast.compounds_apart("vindmølleparken") == "vindmølle parken"  # the longest modifier first
    # beside words that are not required: stop words, a part's name, words most items hold
    assert ast.compounds_apart("beslutning om direktørstilling") == "beslutning om direktør stilling"
    common = {"kommunen"}.__contains__
    assert ast.compounds_apart("direktørstilling i kommunen", common) == "direktør stilling i kommunen"
    # Not a simple word, an abbreviation, a number, nor a compound beside other words
    # (there the items holding most of the words are shown: ``relaxations``).
    for text in ("budget", "TMU", "2030", "direktørstilling teknik", '"direktørstilling"'):
        assert ast.compounds_apart(text) is None, text


def test_a_compound_no_item_writes_shows_the_items_holding_its_words(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="direktørstilling"))
    assert (response.corrected_from, response.request.q, response.typed_total) == (
        "direktørstilling",
        "direktør stilling",
        0,
    )
    assert response.results[0]["title"] == "Ansættelse af ny direktør for Teknik og Kultur"
    # Insisting on the word as typed finds nothing, and says nothing else.
    literal = demo.search(SearchRequest(q="direktørstilling", literal=True))
    assert literal.total == 0 and literal.corrected_from is None


def test_the_export_lists_what_the_page_shows_instead(demo: SearchService) -> None:
    page = demo.search(SearchRequest(q="direktørstilling", per_page=50))
    total, rows = demo.iter_summaries(SearchRequest(q="direktørstilling"), limit=50)
    assert total == page.total and [r["id"] for r in rows] == [r["id"] for r in page.results]


def test_a_compound_with_digits_typed_solid_finds_it_hyphenated(demo: SearchService) -> None:
    solid = demo.search(SearchRequest(q="co2neutralitet"))
    assert solid.total >= 1 and solid.corrected_from is None
    assert all("CO2-neutrali" in r["snippet"].replace("<mark>", "") for r in solid.results)
    # and its two words find it too (the hyphenated word's pieces are parts)
    apart = demo.search(SearchRequest(q="co2 neutralitet", literal=True))
    assert {r["id"] for r in solid.results} <= {r["id"] for r in apart.results}


def test_a_compound_whose_modifier_is_a_compound_is_looked_for_written_apart(demo: SearchService) -> None:
    """ "landsbyfornyelsespulje": no item writes it, one titled "Landsbyfornyelse - Pulje til
    Landsbyfornyelse 2014" writes its two words side by side; its modifier is a compound of known
    words (landsby·fornyelse), so the query is also that phrase.  And its part "fornyelse" finds
    the item, where the split once read lands·byfornyelse."""
    assert ("landsbyfornyelses", "pulje") in compound_cuts("landsbyfornyelsespulje")
    title = "Landsbyfornyelse - Pulje til Landsbyfornyelse 2014"
    assert [r["title"] for r in demo.search(SearchRequest(q="landsbyfornyelsespulje")).results] == [title]
    assert demo.search(SearchRequest(q="fornyelse")).results[0]["title"] == title


def test_a_compound_typed_without_danish_letters_is_found_where_its_words_are_written_apart(
    demo: SearchService,
) -> None:
    """No item writes "direktørstilling", and none "direktorstilling": the plain letter is respelt
    to the word whose parts the items hold, and that is searched as its two words."""
    response = demo.search(SearchRequest(q="direktorstilling"))
    assert (response.corrected_from, response.request.q) == ("direktorstilling", "direktør stilling")
    assert response.results[0]["title"] == "Ansættelse af ny direktør for Teknik og Kultur"
    # a respelling whose parts no item holds is no correction
    assert demo.search(SearchRequest(q="direktorbilxyz")).total == 0


def test_a_compound_typed_solid_finds_it_hyphenated(demo: SearchService) -> None:
    """ "fliskedel": the heating plant's item writes it solid, the biogas plan "et flis-kedel
    anlæg", one token in the index; both are found, the item writing it as typed first, and the
    plan first where the query's other word is one it writes ("maskinhal")."""
    plan = "Forslag til lokalplan nr. 376 - Udvidelse af [adresse] og tillæg nr. 25 til Kommuneplan 13"
    titles = [r["title"] for r in demo.search(SearchRequest(q="fliskedel")).results]
    assert plan in titles and titles[0] != plan
    assert demo.search(SearchRequest(q="fliskedel maskinhal")).results[0]["title"] == plan
    # written apart, the hyphenated form is one more way of writing it: a phrase and the hyphen
    rewritten = ast.split_compounds_too(ast.Word("fliskedel"), ast.Word("fliskedel"))
    assert ast.Word("flis-kedel") in ast.leaves(rewritten) and ast.Phrase("flis kedel") in ast.leaves(rewritten)
