"""A word after IKKE leaves out every item holding it, the first one Whoosh reads too.

Whoosh's AND NOT kept the first item of its positive side when the negative side's first item
lay before it (``engines/whoosh/andnot.py``): on the demo rows "motorvejen råstoffer IKKE
rundkørslen" listed the one item holding all three, and the near answers of a search (the items
holding most of the words, without those already listed) listed an item a second time."""

from __future__ import annotations

import itertools

import pytest

from indexer.engines.base import SearchSpec
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService

WORDS = ["motorvejen", "råstoffer", "rundkørslen", "kalundborg", "budget", "skole", "vej", "lokalplan"]


@pytest.fixture(scope="module")
def whoosh_only(demo: SearchService) -> SearchService:
    """The demo index searched through Whoosh's own matchers (no bulk matching)."""
    return SearchService(demo.engine.location, bulk_matching=False)


def ids(service: SearchService, node: ast.Node) -> set[str]:
    found = service.engine.search(SearchSpec(query=node, limit=10_000, with_facets=False))
    return {hit.item.id for hit in found.hits}


def test_the_first_item_holding_the_excluded_word_is_left_out(whoosh_only: SearchService) -> None:
    response = whoosh_only.search(SearchRequest(q="motorvejen råstoffer IKKE rundkørslen", literal=True))
    assert response.total == 0  # the one item holding the first two holds "rundkørslen" too


@pytest.mark.parametrize("bulk", [False, True])
def test_and_not_is_the_difference_of_the_two(demo: SearchService, whoosh_only: SearchService, bulk: bool) -> None:
    service = demo if bulk else whoosh_only
    for kept, left_out in itertools.permutations(WORDS, 2):
        both = ast.And((ast.Word(kept), ast.Word("vej")))
        for positive in (ast.Word(kept), both):
            expected = ids(service, positive) - ids(service, ast.Word(left_out))
            assert ids(service, ast.And((positive, ast.Not(ast.Word(left_out))))) == expected, (kept, left_out)
