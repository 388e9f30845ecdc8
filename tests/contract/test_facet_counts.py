"""A facet's count is what clicking it lists: a facet filter narrows the list, it never widens it.

A query whose words all stand together in fewer than a page of items is followed by the items
holding most of them (near answers). Within a facet filter even fewer hold every word; were the
near answers decided there, the filtered list would hold items the unfiltered one never listed,
and "Teknisk Udvalg (7)" would list 36."""

from __future__ import annotations

import pytest

from indexer.engines.base import FACETS
from indexer.search.service import SearchRequest, SearchService

# many whole answers; a few whole answers followed by near ones; none whole, only near ones
QUERIES = ("lokalplan vej", "skole dagtilbud", "budget regnskab vej", "kommunalbestyrelsen godkender lokalplan")
FILTER = {"committee": "committee", "year": "year", "topic": "topic", "municipality": "municipality", "kind": "kind"}


@pytest.mark.parametrize("query", QUERIES)
def test_each_facet_count_is_what_clicking_it_lists(browsed: SearchService, query: str) -> None:
    page = browsed.search(SearchRequest(q=query))
    assert page.total
    for facet in FACETS:
        for value in page.facets[facet]:
            clicked = browsed.search(SearchRequest(q=query, **{FILTER[facet]: [value["value"]]}))
            assert (facet, value["value"], clicked.total) == (facet, value["value"], value["count"])
            # and the export of the clicked page lists the same
            assert (
                browsed.iter_summaries(SearchRequest(q=query, **{FILTER[facet]: [value["value"]]}), 1000)[0]
                == (value["count"])
            )


def test_a_second_facet_narrows_the_first(browsed: SearchService) -> None:
    first = browsed.search(SearchRequest(q="skole dagtilbud", kind=["referat"]))
    for value in first.facets["year"]:
        both = browsed.search(SearchRequest(q="skole dagtilbud", kind=["referat"], year=[value["value"]]))
        assert both.total == value["count"]
