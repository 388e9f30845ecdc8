""" "Mente du" never corrects into a word the search does not search.

A stop word ("nu", "det", "ikke", "hvor") is left out of every search: a correction into one
searches only what is left — nothing of the word — and, for a query of that word alone, showed
every item holding some other word ("null" showed the results of «nu»: 45 unrelated items).  A
typed word whose likeliest correction is a stop word is kept as typed.  Nor is a correction the
search reads as the very terms typed offered ("Kjeldsens" → "kjeldsen": both are searched as the
one term, and its "results" are the same items)."""

from __future__ import annotations

import pytest

from indexer.search.service import SearchRequest, SearchService, analysed_terms


@pytest.mark.parametrize("typed", ["null", "dett", "ikek", "hvorr"])
def test_no_correction_into_a_stop_word(demo: SearchService, typed: str) -> None:
    response = demo.search(SearchRequest(q=typed))
    assert response.corrected_from is None and response.request.q == typed
    assert response.suggestion is None
    assert demo.did_you_mean(typed) is None


def test_no_correction_that_searches_the_same_terms(demo: SearchService) -> None:
    assert analysed_terms("Kjeldsens") == analysed_terms("kjeldsen")
    response = demo.search(SearchRequest(q="Kjeldsens"))
    assert response.total and response.suggestion is None


def test_a_slip_of_a_searched_word_is_still_corrected(demo: SearchService) -> None:
    assert demo.search(SearchRequest(q="lokalpaln")).request.q == "lokalplan"
