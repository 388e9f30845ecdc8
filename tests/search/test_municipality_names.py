"""A municipality named in words is held by the items filed under it, not only by those writing it.

Known-item queries name the municipality ("rottegebyr aarhus", "navngive ny vej favrskov 2017"),
whose minutes seldom write its name: the items are filed under it.  On the demo's open-dataset rows.
"""

from __future__ import annotations

import pytest

from indexer.cli import main
from indexer.engines.base import SearchSpec
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService
from webui import create_app


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("rottegebyr aarhus", [(1, 1, "Aarhus Kommune")]),
        ("Århus budget", [(0, 0, "Aarhus Kommune")]),  # the older spelling
        ("favrskovs styrelsesvedtægt", [(0, 0, "Favrskov Kommune")]),  # the genitive
        ("høje taastrup kommune skole", [(0, 2, "Høje-Taastrup Kommune")]),  # a name of two words
        ("københavns kommune", [(0, 1, "Københavns Kommune")]),
        ("lyngby-taarbæk", [(0, 0, "Lyngby-Taarbæk Kommune")]),
        ("vejen til skolen", []),  # a name that is a Danish word too ("the road") ...
        ("vejen kommune", [(0, 1, "Vejen Kommune")]),  # ... names the municipality with "kommune"
        ("hadsten", []),  # a town, no municipality
    ],
)
def test_the_words_that_name_a_municipality(query: str, named: list[tuple[int, int, str]]) -> None:
    node = ast.parse(query)
    children = node.children if isinstance(node, ast.And) else (node,)
    assert ast.municipality_runs(children) == named


def test_the_items_filed_under_a_municipality_hold_its_name(
    demo: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    """Favrskov's "Navngivning af ny vej" never writes "Favrskov" (nor "navngive": it is found
    among the items holding most of the words).  Before, only the items writing "favrskov" held
    the word: the item came third, after two that do."""
    query = "navngive ny vej favrskov 2017"
    response = demo.search(SearchRequest(q=query))
    first = response.results[0]
    assert first["title"].startswith("Navngivning af ny vej") and first["municipality"] == "Favrskov Kommune"
    assert first["id"] not in _writing(demo, "favrskov"), "the item does not write the name"
    # the municipality is held by every item listed after it, and not counted among the words
    assert response.partial is not None and response.partial.places == ("favrskov",)
    assert "favrskov" not in response.partial.words
    # filed under Favrskov it holds the name, and held at a meeting of 2017 the year: the one whole answer
    assert "favrskov" not in first.get("missing", ()), "filed under Favrskov, it holds the name"
    # an item of another municipality that does not write the name lacks it
    assert all("favrskov" in hit["missing"] for hit in response.results if hit["municipality"] != "Favrskov Kommune")
    # the page, the API and the CLI list the same first item
    client = create_app({"INDEX_DIR": str(demo.engine.location), "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["results"][0]["id"] == first["id"]
    assert main(["search", query, "--index", str(demo.engine.location)]) == 0
    assert first["title"] in capsys.readouterr().out


def test_a_compound_no_item_writes_is_searched_apart_beside_a_municipality(demo: SearchService) -> None:
    """No item writes "rottegebyr": it runs as its two words beside the municipality, which stays
    as typed, and Aarhus's item on a fee for fighting rats (which writes "Aarhus" once, in a
    newspaper's name) comes first.  Before, "Mente du" made it "rettegebyr" (a court fee)."""
    response = demo.search(SearchRequest(q="rottegebyr aarhus"))
    assert (response.corrected_from, response.request.q) == ("rottegebyr aarhus", "rotte gebyr aarhus")
    first = demo.get_item(response.results[0]["id"])
    assert first is not None and first["municipality"] == "Aarhus Kommune"
    assert "rottebekæmpelse - indførelse af gebyr" in str(first["sections"])


def test_a_municipality_named_alone_lists_its_items_those_writing_it_first(demo: SearchService) -> None:
    writing = _writing(demo, "kalundborg")
    named = demo.search(SearchRequest(q="kalundborg", per_page=100))
    assert named.total > len(writing) > 5
    assert all(hit["municipality"] == "Kalundborg Kommune" for hit in named.results)
    assert {hit["id"] for hit in named.results[:5]} <= writing


def test_the_items_holding_most_words_are_the_named_municipalitys_first(demo: SearchService) -> None:
    """One item holds all of "cykelsti skole favrskov"; the list goes on with the items holding
    fewer of the words, Favrskov's before any other's: a user naming Favrskov wants no item of
    Kalundborg's.  Before, the municipality was left out as any word: Kalundborg's items writing
    "cykelsti" and "skole" came fourth, sixth and seventh.  Over thousands of items of other
    municipalities it mattered more: "kraftig regn klimatilpasning kalundborg" lost its answer to
    ten items holding the three other words."""
    elsewhere = {
        hit["id"]
        for hit in demo.search(SearchRequest(q="cykelsti skole", per_page=100)).results
        if hit["municipality"] == "Kalundborg Kommune" and not hit.get("missing")
    }
    assert len(elsewhere) >= 3, "Kalundborg's items holding both other words"
    response = demo.search(SearchRequest(q="cykelsti skole favrskov", per_page=10))
    assert response.partial is not None and response.partial.whole == 1
    assert response.partial.places == ("favrskov",) and response.partial.words == ("cykelsti", "skole")
    assert len(response.results) == 10
    assert all(hit["municipality"] == "Favrskov Kommune" for hit in response.results)
    assert not elsewhere & {hit["id"] for hit in response.results}
    # the whole answer holds the municipality too; those after it hold it and one of the other words
    assert response.partial.line("cykelsti skole favrskov") == (
        "Kun 1 resultat indeholder alle ordene «cykelsti», «skole» og «favrskov»; derefter resultater med "
        "mindst 1 af ordene «cykelsti» og «skole». Alle hører under «favrskov» eller nævner det."
    )


def test_the_tries_leave_a_named_municipality_out_after_those_keeping_it(demo: SearchService) -> None:
    """No item holds all of "kloak regnvand aarhus", and Aarhus has one item holding either
    word: it comes first, and after it the items of others holding both, each lacking "aarhus".
    The line counts the municipality again, as a word some of the items lack."""
    response = demo.search(SearchRequest(q="kloak regnvand aarhus", per_page=10))
    first, *rest = response.results
    assert first["municipality"] == "Aarhus Kommune" and "aarhus" not in first["missing"]
    assert rest and all(hit["municipality"] != "Aarhus Kommune" and hit["missing"] == ["aarhus"] for hit in rest)
    assert response.partial is not None and response.partial.places == ()
    assert (response.partial.least, response.partial.typed) == (2, 3)
    assert response.partial.line("kloak regnvand aarhus").endswith("mindst 2 af de 3 ord.")


def _writing(service: SearchService, word: str) -> set[str]:
    """The items whose text holds ``word``, asked of the engine as a plain word."""
    found = service.engine.search(SearchSpec(query=ast.Word(word), limit=10_000, with_facets=False))
    return {hit.item.id for hit in found.hits}
