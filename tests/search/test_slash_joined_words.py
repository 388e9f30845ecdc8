"""Words joined by a slash are the words: "skole/dagtilbud" finds what "skole dagtilbud" finds.

Minutes write "drift/anlæg", "overskud/underskud", "og/eller", and the index reads each piece
of such a word as a part of it; a query word so joined was one term no item held unless it
wrote that very pair, and found nothing. A number's slash ("12/27845") stays whole."""

from __future__ import annotations

import pytest

from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService


def ids(service: SearchService, q: str) -> list[str]:
    return [hit["id"] for hit in service.search(SearchRequest(q=q, per_page=100)).results]


@pytest.mark.parametrize("joined", ["skole/dagtilbud", "budget/regnskab", "vand/spildevand", "drift/anlæg"])
def test_a_slash_joined_query_word_searches_the_words(demo: SearchService, joined: str) -> None:
    found = ids(demo, joined)
    assert found and found == ids(demo, joined.replace("/", " "))


def test_an_item_writing_the_pair_is_found_by_it_and_by_the_pair_reversed(demo: SearchService) -> None:
    written = ids(demo, '"overskud/underskud"')
    assert written and set(written) <= set(ids(demo, "overskud/underskud"))
    assert set(written) <= set(ids(demo, "underskud/overskud"))


def test_a_numbers_slash_stays() -> None:
    assert ast.parse("12/27845") == ast.parse("12/27845")
    assert ast.parse("skole/vej") == ast.parse("skole vej")
    assert not isinstance(ast.parse("12/27845"), ast.And)
