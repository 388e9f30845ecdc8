"""A quoted phrase keeps its stop words, at its start and end as inside it.

The stemmed fields leave stop words out without a gap, so there "og guide" is the word "guide"
alone; the exact forms hold every word at its place, and a phrase with a stop word at either
edge is searched there, as typed. The seed writes "kommissorium og guide", "medier og tryghed"
and "guide om sociale medier", never "guide og"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.search.service import SearchRequest, SearchService


@pytest.fixture(scope="module")
def service(seeded: str) -> Iterator[SearchService]:
    service = SearchService(seeded)
    yield service
    service.close()


def total(service: SearchService, q: str) -> int:
    return service.search(SearchRequest(q=q, literal=True)).total


def test_a_stop_word_at_a_phrases_edge_must_be_written_there(service: SearchService) -> None:
    assert total(service, '"guide"') == 2
    assert total(service, '"guide og"') == 0  # was every item holding "guide"
    assert total(service, '"og guide"') == 2
    assert total(service, '"medier og"') == 2
    assert total(service, '"til og fra sociale"') == 0  # was every item holding "sociale"
    assert total(service, '"guide om sociale"') == 2


def test_a_stop_word_inside_a_phrase_still_counts(service: SearchService) -> None:
    assert total(service, '"medier og tryghed"') == 2
    assert total(service, '"kommissorium og guide"') == 2
