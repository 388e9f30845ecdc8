"""A name or loanword typed solid that the minutes write as two words is searched as they write it.

"streetfood", "firstagenda", "rema1000": the dictionary knows none of them, so no compound cut
finds "street food", "First Agenda" or "Rema 1000", and no item holds the word typed.  When the
query finds nothing and neither its "Mente du" nor its compounds written apart find anything, each
word no open item holds is cut where both sides are words open items hold, and the query is
searched so, as a correction is (``SearchResponse.corrected_from``).
"""

from __future__ import annotations

import io
from pathlib import Path

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService, _hyphens_apart
from tests.conftest import SAMPLES

BALLERUP_IT = SAMPLES / "publication" / "ballerup-it-udvalget-2013"


def test_a_word_no_item_holds_is_searched_as_the_two_words_the_minutes_write(demo: SearchService) -> None:
    assert demo.search(SearchRequest(q="streetfood", literal=True)).total == 0
    response = demo.search(SearchRequest(q="streetfood notat aarhus"))
    assert response.corrected_from == "streetfood notat aarhus"
    assert response.request.q == "street food notat aarhus"
    first = response.results[0]
    assert first["municipality"] == "Aarhus Kommune"
    assert demo.search(SearchRequest(q='"street food"')).results[0]["id"] == first["id"]


def test_a_name_then_a_number_is_cut_between_them(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="rema1000 beder"))
    assert response.request.q == "rema 1000 beder" and response.corrected_from == "rema1000 beder"
    assert response.results[0]["id"] == demo.search(SearchRequest(q='"rema 1000" beder')).results[0]["id"]


def test_what_the_index_holds_or_the_dictionary_cuts_is_left_to_the_search(demo: SearchService) -> None:
    # a word open items hold is no name written apart
    assert demo._apart_as_written("kalundborg budget") is None
    # a compound the dictionary cuts is written apart by its own rule (``ast.compounds_apart``)
    assert demo._apart_as_written("togstation") is None
    # sides no open item holds give nothing; nor do a short word or a number
    assert demo._apart_as_written("qwertyzxcvb") is None
    assert demo._apart_as_written("abc 2014 12345678") is None
    assert demo._apart_as_written("streetfood og rema1000") == "street food og rema 1000"


def test_a_correction_no_item_holds_whole_is_searched_as_its_two_words(demo: SearchService) -> None:
    """ "foretraederprocedure": æ typed as ae in a word the minutes write as two ("proceduren for
    foretræder"). Its "Mente du" puts the æ back, which finds nothing whole either; that correction
    is cut into the words open items hold, as the word typed with æ is."""
    typed = demo.search(SearchRequest(q="foretraederprocedure teknisk udvalg"))
    with_æ = demo.search(SearchRequest(q="foretræderprocedure teknisk udvalg"))
    assert with_æ.request.q == "foretræder procedure teknisk udvalg"
    assert typed.corrected_from == "foretraederprocedure teknisk udvalg"
    assert typed.request.q == with_æ.request.q
    assert [r["id"] for r in typed.results] == [r["id"] for r in with_æ.results]


def test_a_hyphenated_word_no_item_holds_is_searched_as_the_words_it_joins(tmp_path: Path) -> None:
    """Ballerup's IT-udvalg writes "Regler for indkøb af it-udstyr"; no item holds "it-indkøbsregler"
    whole, and one word has no words to drop.  The words the hyphen joins are searched, and their
    compound written apart ("it indkøbs regler"), said as a correction is; asked for literally, nothing.
    (Where that finds nothing either, the items holding most of "it indkøbsregler" are listed.)"""
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([BALLERUP_IT], root, workers=1, stream=io.StringIO()).items_added
    service = SearchService(root)
    assert service.search(SearchRequest(q="it-indkøbsregler", literal=True)).total == 0
    response = service.search(SearchRequest(q="it-indkøbsregler"))
    assert (response.corrected_from, response.request.q) == ("it-indkøbsregler", "it indkøbs regler")
    assert response.results[0]["title"] == "Regler for indkøb af it-udstyr"
    # a suspended compound's hyphen stands before a space: the query stays as typed
    assert _hyphens_apart(SearchRequest(q="bygge- og anlægsarbejder")) is None
    assert _hyphens_apart(SearchRequest(q="co2-neutral 2030")) == SearchRequest(q="co2 neutral 2030")
    assert _hyphens_apart(SearchRequest(q='"it-udstyr"')) is None  # a phrase is no plain words
    # a case's or a period's number is no words joined: a closed case number finds nothing
    assert _hyphens_apart(SearchRequest(q="EMN-2025-007940")) is None
    assert _hyphens_apart(SearchRequest(q="natura 2000 handleplaner 2016-2021")) is None


def test_a_compound_typed_with_a_hyphen_finds_what_it_typed_solid_finds(demo: SearchService) -> None:
    """People put a hyphen at a compound's seam ("anlægs-projekter", "naturfrednings-forening");
    the minutes write the word solid, or apart, or (a name) by its abbreviation.  A compound open
    items write solid and never hyphenated is searched solid, said as a correction is; one they do
    not write solid either ("skole-ferien") is looked for solid and apart: either way the page lists
    what the word typed solid lists, and no hit is said to lack the word it holds solid."""
    for hyphenated, solid, respelt in (
        ("igangsætte resterende anlægs-projekter", "igangsætte resterende anlægsprojekter", True),
        # Danmarks Naturfredningsforening: Kalundborg's item writes "DN"
        ("danmarks naturfrednings-forening kolonihaveområde", "danmarks naturfredningsforening kolonihaveområde", True),
        ("møder holdes ikke i skole-ferien", "møder holdes ikke i skoleferien", False),
    ):
        typed = demo.search(SearchRequest(q=hyphenated, every_treatment=True))
        written = demo.search(SearchRequest(q=solid, every_treatment=True))
        assert (typed.request.q, typed.corrected_from) == ((solid, hyphenated) if respelt else (hyphenated, None))
        assert typed.total == written.total > 0, hyphenated
        assert [r["id"] for r in typed.results] == [r["id"] for r in written.results], hyphenated
        word = next(w for w in hyphenated.split() if "-" in w)
        for typed_hit, written_hit in zip(typed.results, written.results, strict=True):
            lacks = [w.replace(word, word.replace("-", "")) for w in typed_hit.get("missing", [])]
            assert lacks == written_hit.get("missing", []), (hyphenated, typed_hit["title"])
    # one the minutes write hyphenated is searched as typed
    assert demo.search(SearchRequest(q="tæt-lav boliger")).corrected_from is None
