"""One word searched in another inflection than the item about it writes it.

The unstemmed ``exact`` field rewards the form as typed; it must not outweigh the stemmed
fields, or an item naming the typed form once beats the item about the word that writes it in
the plural throughout. In the demo rows, "decentraliseringsaftale" (singular) is the subject of
the item on carrying surpluses over ("decentraliseringsaftaler", "decentraliseringsaftalerne",
ten times) and is named once, in the singular, in a director's appointment: with the exact form
weighing as much as the body, the appointment came first.
"""

from __future__ import annotations

from indexer.engines.base import HELPER_FIELDS, TEXT_FIELDS
from indexer.search.service import SearchRequest, SearchService


def test_the_item_about_a_word_beats_one_naming_the_typed_form_once(demo: SearchService) -> None:
    ranked = [r["title"] for r in demo.search(SearchRequest(q="decentraliseringsaftale")).results]
    about = "Overførsel af overskud eller underskud fra 2014 til 2015 (drift)"
    passing = "Ansættelse af ny direktør for Teknik og Kultur"
    assert about in ranked and passing in ranked
    assert ranked.index(about) < ranked.index(passing)


def test_the_typed_form_still_counts(demo: SearchService) -> None:
    """The exact field keeps a weight: "decentraliseringsaftaler" as typed finds the item about it first."""
    ranked = [r["title"] for r in demo.search(SearchRequest(q="decentraliseringsaftalerne")).results]
    assert ranked[0] == "Overførsel af overskud eller underskud fra 2014 til 2015 (drift)"
    assert 0 < HELPER_FIELDS["exact"] < TEXT_FIELDS["body"]


def test_a_misspelt_inflected_form_is_corrected_through_its_base(demo: SearchService) -> None:
    """ "tilbagekøbsklasulerne": a letter missing and an ending the demo rows never write with the
    word ("tilbagekøbsklausuler" only) — three edits from every word, two from the base's."""
    response = demo.search(SearchRequest(q="tilbagekøbsklasulerne"))
    assert response.corrected_from == "tilbagekøbsklasulerne"
    assert response.request.q.startswith("tilbagekøbsklausul") and response.typed_total == 0
    titles = [r["title"] for r in response.results]
    assert "Frikøb af tilbagekøbsklausuler Nye retningslinier" in titles
    # a correct inflection is never "corrected" this way: it finds its items itself
    assert demo.search(SearchRequest(q="tilbagekøbsklausulerne")).corrected_from is None
