"""A filter value or a field the search does not know is said so, never answered by silence.

The seed's committees are "Områdeudvalget for Administrationen" and, at its later meeting,
"Økonomiudvalget", which "ØU" abbreviates (typed in the query box, "ØU" finds its items)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.search.service import SearchRequest, SearchService


@pytest.fixture(scope="module")
def service(seeded: str) -> Iterator[SearchService]:
    service = SearchService(seeded)
    yield service
    service.close()


def test_a_committee_filter_given_as_its_abbreviation_filters_by_that_committee(service: SearchService) -> None:
    by_name = service.search(SearchRequest(q="sociale medier", committee=["Økonomiudvalget"]))
    by_abbreviation = service.search(SearchRequest(q="sociale medier", committee=["ØU"]))
    assert by_name.total == by_abbreviation.total == 1 and not by_name.notices
    assert by_abbreviation.request.committee == ["Økonomiudvalget"]
    assert by_abbreviation.notices == ["Udvalget «ØU» er læst som «Økonomiudvalget»."]


def test_a_committee_filter_naming_no_committee_finds_nothing_and_says_so(service: SearchService) -> None:
    response = service.search(SearchRequest(q="sociale medier", committee=["TMU"]))
    assert response.total == 0
    assert response.notices == ["Intet udvalg hedder «TMU», så intet er fundet i det."]


@pytest.mark.parametrize("topic", ["99", "xyz"])
def test_an_unknown_topic_is_said_so(service: SearchService, topic: str) -> None:
    response = service.search(SearchRequest(q="sociale medier", topic=[topic]))
    assert response.total == 0
    assert response.notices and response.notices[0].startswith(f"Emnet «{topic}» findes ikke")


def test_an_unknown_field_prefix_is_said_so(service: SearchService) -> None:
    response = service.search(SearchRequest(q="year:2022"))
    assert response.notices == [
        "«year:» er ikke et felt, så det er søgt som tekst. "
        "Felterne er titel:, beslutning:, tekst:, bilag:, udvalg:, sag:, emne: og kommune:."
    ]
    assert not service.search(SearchRequest(q="titel:sociale")).notices


def test_an_empty_committee_value_filters_nothing_out(service: SearchService) -> None:
    """``committee=`` (an empty value, as a form sends it) is no filter: reading the filters once
    failed on it (the fuzz suite's "committee=['']")."""
    assert service.search(SearchRequest(q="sociale medier", committee=[""])).total == 2
    assert service.search(SearchRequest(q="", committee=["", "Økonomiudvalget"])).total == 1
