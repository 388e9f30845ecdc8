"""A compound the dictionary lacks, which a few items write whole: then the items writing its two words.

"landsbypulje" is written whole by two items of a large index, but the item asked about calls it
"Pulje til Landsbyfornyelse".  When no item writes a compound, the search already reads it as its
two words (``_instead_of_nothing``); when a few do, their items come first and the items holding
the two words follow, as a misspelling's correction follows the few items writing the slip
("Kun 2 resultater for «vandhandleplan»; derefter resultater for «vand handleplan»").  A compound
the dictionary lists is a word of its own ("økonomiaftalen"): an item writing "økonomi" and
"aftalen" apart seldom means it, so it is not read apart.  On the demo's open-dataset rows.
"""

from __future__ import annotations

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.search.conftest import DEMO


def test_the_few_writing_it_whole_come_first_then_those_writing_its_words(demo: SearchService) -> None:
    literal = demo.search(SearchRequest(q="vandhandleplan", literal=True))
    response = demo.search(SearchRequest(q="vandhandleplan"))
    whole = literal.total
    assert 0 < whole < 10 and response.typed_total == whole
    assert (response.also_corrected, response.corrected_from, response.suggestion) == ("vand handleplan", None, None)
    assert response.total == whole + response.corrected_total and response.corrected_total
    assert [hit["id"] for hit in response.results[:whole]] == [hit["id"] for hit in literal.results]
    assert all("correction" not in hit for hit in response.results[:whole])
    for hit in response.results[whole:]:
        assert hit["correction"] == "vand handleplan"
        assert "vandhandleplan" not in hit["title"].lower()
    # the other items hold both words: the parts search finds them by their words alone
    parts = demo.search(SearchRequest(q="vand handleplan", per_page=100))
    assert {hit["id"] for hit in response.results[whole:]} <= {hit["id"] for hit in parts.results}


def test_a_compound_the_dictionary_lists_is_not_read_apart(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="økonomiaftalen"))
    assert response.total > 0 and response.also_corrected is None
    assert response.total == demo.search(SearchRequest(q="økonomiaftalen", literal=True)).total


def test_a_literal_search_keeps_the_compound_whole(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="vandhandleplan", literal=True))
    assert response.also_corrected is None and all("correction" not in hit for hit in response.results)


def test_the_cli_says_what_follows(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "ix"
    assert main(["ingest", "--index", str(index), str(DEMO)]) == 0
    capsys.readouterr()
    assert main(["search", "--index", str(index), "vandhandleplan"]) == 0
    out = capsys.readouterr().out
    assert "Kun 2 for «vandhandleplan»; derefter resultater for «vand handleplan»" in out
