"""Typed words that stand next to each other in an item raise it.

A known-item query is often a piece of what its item writes. In the demo rows, "grønne projekter"
is what one Teknisk Udvalg item is about ("orienteret om Grønne Projekter 2019"), while two larger
Teknik- og Miljøudvalget items hold both words apart ("anlægsprojekter … veje og grønne områder",
the compound part "projekter" in "anlægsprojekter"), each more times: by the words alone they
came first.
"""

from __future__ import annotations

from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService


def test_pairs_of_neighbouring_typed_words() -> None:
    pairs = ast.neighbour_pairs(ast.parse("hinnerup fjernvarme"))
    assert pairs == [ast.Phrase("hinnerup fjernvarme", slop=ast.NEIGHBOUR_SLOP)]


def test_stop_words_keep_their_neighbours_neighbours() -> None:
    """The index leaves stop words out without a gap, so "mulighederne for en bypark" writes
    its two words next to each other."""
    texts = [p.text for p in ast.neighbour_pairs(ast.parse("mulighederne for en bypark i byen"))]
    assert texts == ["mulighederne bypark", "bypark byen"]


def test_no_pairs_across_a_field_a_phrase_an_operator_or_a_wildcard() -> None:
    assert ast.neighbour_pairs(ast.parse("budget")) == []
    assert ast.neighbour_pairs(ast.parse("vej ELLER sti")) == []
    assert [p.text for p in ast.neighbour_pairs(ast.parse('skole titel:budget "sociale medier" vej'))] == []
    assert [p.text for p in ast.neighbour_pairs(ast.parse("skole budg* vej plan"))] == ["vej plan"]


def test_the_item_holding_the_words_together_comes_first(demo: SearchService) -> None:
    results = demo.search(SearchRequest(q="grønne projekter")).results
    assert "<mark>Grønne</mark> <mark>Projekter</mark>" in results[0]["snippet"]
    apart = [r for r in results if r["title"].startswith("Status på anlægsprojekter")]
    assert apart and results.index(apart[0]) > 0


def test_the_raise_ranks_and_never_filters(demo: SearchService) -> None:
    """Items holding the words apart are all still found: the pairs raise, they are no requirement."""
    together = demo.search(SearchRequest(q="grønne projekter"))
    literal = demo.search(SearchRequest(q="grønne projekter", literal=True))
    assert together.total == literal.total > 3
