"""A quoted phrase keeps its stop words, at its start and end as inside it.

The stemmed fields leave stop words out without a gap, so there "og guide" is the word "guide"
alone and "kommissorium om guide" is "kommissorium guide"; the exact forms hold every word at its
place, and a quoted phrase holding a stop word (or any phrase with one at its edge) is searched
there too, as typed. The seed writes "kommissorium og guide", "medier og tryghed", "guide om
sociale medier" and "sociale medier i arbejdsrelaterede forhold", never "guide og"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.engines.base import SearchSpec
from indexer.search.query import Phrase
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


def test_a_stop_word_inside_a_quoted_phrase_must_be_written_there(service: SearchService) -> None:
    """Another stop word, or none, in its place is not the phrase ("plan for vandløb" is not
    "plan om vandløb"): each of these found the seed's two items before."""
    assert total(service, '"kommissorium om guide"') == 0  # the seed: "kommissorium og guide"
    assert total(service, '"guide og sociale medier"') == 0  # "guide om sociale medier"
    assert total(service, '"medier i tryghed"') == 0  # "medier og tryghed"
    assert total(service, '"medier i arbejdsrelaterede forhold"') == 2
    # In a field too (the exact forms hold the text fields' words).
    assert total(service, 'tekst:"kommissorium og guide"') == 2
    assert total(service, 'tekst:"kommissorium om guide"') == 0
    # Unquoted, the same words are words: the stop word is not required.
    assert total(service, "kommissorium om guide") == 2


def test_a_rewritten_phrase_keeps_its_words_loose(service: SearchService) -> None:
    """A phrase a rewrite makes (not quoted) is matched by the stemmed fields as before."""
    loose = service.engine.search(SearchSpec(query=Phrase("kommissorium om guide"), limit=10, with_facets=False))
    assert loose.total == 2


def test_the_required_stop_word_adds_no_score(service: SearchService) -> None:
    """The exact forms only keep the items (Whoosh's Require): an item scores as the phrase's
    words in their fields, the same on both engines."""

    def scores(node: Phrase) -> dict[str, float]:
        found = service.engine.search(SearchSpec(query=node, limit=10, with_facets=False))
        return {hit.item.id: float(hit.score or 0.0) for hit in found.hits}

    quoted = scores(Phrase("medier og tryghed", quoted=True))
    loose = scores(Phrase("medier og tryghed"))
    assert quoted and quoted.keys() == loose.keys()
    for item_id, score in quoted.items():
        assert score == pytest.approx(loose[item_id], rel=1e-6), item_id
