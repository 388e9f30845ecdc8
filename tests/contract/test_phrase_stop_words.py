"""A quoted phrase keeps its stop words, at its start and end as inside it.

The stemmed fields leave a stop word out but keep its place (a gap), so "kommissorium om guide"
is the stems of "kommissorium" and "guide" two places apart: inflected forms of its words match
("kommissoriet og guiden"), words side by side do not ("kommissorium guide"), and which word
stands between them is not asked (a position holds no sign of what was left out of it, and the
exact forms, which hold it, number their places over the joined text).  A
stop word at a phrase's edge leaves no gap to see, so there the phrase is required in the exact
forms too, as typed.  The seed writes "kommissorium og guide", "medier og tryghed", "guide om
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


def test_a_quoted_phrase_of_words_requires_them_side_by_side(service: SearchService) -> None:
    """The seed writes "kommissorium og guide" and "medier og tryghed": each of these found its
    two items when a stop word took no place."""
    assert total(service, '"kommissorium guide"') == 0
    assert total(service, '"medier tryghed"') == 0
    assert total(service, 'tekst:"kommissorium guide"') == 0
    assert total(service, '"sociale medier"') == 2
    # Unquoted, the same words are words.
    assert total(service, "kommissorium guide") == 2


def test_a_stop_word_inside_a_quoted_phrase_takes_its_place(service: SearchService) -> None:
    """The words around it are matched by their stems, one place apart per stop word: before,
    the phrase was required in the exact forms, and none of the first four found anything."""
    assert total(service, '"kommissoriet og guiden"') == 2
    assert total(service, '"kommissorier og guides"') == 2
    assert total(service, '"guides om socialt medie"') == 2
    assert total(service, 'tekst:"kommissoriet og guiden"') == 2
    assert total(service, '"medier og tryghed"') == 2
    assert total(service, '"medier i arbejdsrelaterede forhold"') == 2
    # Two stop words are two places: the seed has one there ("medier og tryghed for").
    assert total(service, '"medier og for tryghed"') == 0
    assert total(service, '"sociale for at medier"') == 0
    # Which word stands there is not asked: any word one place on from "kommissorium" is the
    # phrase's gap ("kommissorium og guide.  Guidens formål": three places on stands "Guidens").
    assert total(service, '"kommissorium om guide"') == 2
    assert total(service, '"kommissorium for at guide"') == 2
    # Unquoted, the same words are words: the stop word is not required.
    assert total(service, "kommissorium om guide") == 2


def test_a_rewritten_phrase_keeps_its_words_loose(service: SearchService) -> None:
    """A phrase a rewrite makes (not quoted) may have stop words between its words, as before
    when they took no place: "kommissorium guide" is "kommissorium og guide" in the seed."""
    for text in ("kommissorium om guide", "kommissorium guide", "medier tryghed", "medier og for tryghed"):
        loose = service.engine.search(SearchSpec(query=Phrase(text), limit=10, with_facets=False))
        assert loose.total == 2, text
    quoted = service.engine.search(SearchSpec(query=Phrase("kommissorium guide", quoted=True), limit=10))
    assert quoted.total == 0


def test_the_required_stop_word_adds_no_score(service: SearchService) -> None:
    """A quoted phrase scores as the same words loose: its words in their fields, the same on
    both engines; the exact forms a stop word at its edge is required in only keep the items
    (Whoosh's Require)."""

    def scores(node: Phrase) -> dict[str, float]:
        found = service.engine.search(SearchSpec(query=node, limit=10, with_facets=False))
        return {hit.item.id: float(hit.score or 0.0) for hit in found.hits}

    for text in ("medier og tryghed", "guide om sociale medier", "medier og"):
        quoted = scores(Phrase(text, quoted=True))
        loose = scores(Phrase(text))
        assert quoted and quoted.keys() == loose.keys(), text
        for item_id, score in quoted.items():
            assert score == pytest.approx(loose[item_id], rel=1e-6), (text, item_id)
