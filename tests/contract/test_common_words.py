"""How common a typed word is, as every engine tells it: words most items hold only raise.

``Engine.word_shares`` is the largest share of the open items holding a word (as analysed) in their
title, decision or running text.  The search leaves such a word unrequired beside rarer ones
("letbane i kommunen" finds the items about the light rail first, whether or not they write "kommunen").  Both engines
give the same shares, a word only a closed item holds counts for nothing, and the same query ranks
the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.engines import ENGINES
from tests.helpers import closed_copy, quiet_ingest, seed_meeting, write_jsonl

SECRET = "hemmeligordet"


@pytest.fixture(scope="module", params=ENGINES)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    tmp = tmp_path_factory.mktemp("common")
    location = request.param(tmp)
    closed = write_jsonl(tmp / "closed.jsonl", [closed_copy(seed_meeting(), SECRET)])
    assert quiet_ingest([CORPUS_CSV, closed], location).items_added
    service = SearchService(location)
    yield service
    service.close()


def test_a_words_share_of_the_open_items(corpus: SearchService) -> None:
    shares = corpus.engine.word_shares(["kommunen", "letbane", SECRET, "ordsomingenskriver"])
    stats = corpus.engine.stats()
    assert stats.closed_items > 0 and stats.items == stats.open_items + stats.closed_items
    holding = max(
        corpus.search(SearchRequest(q=f"{field}:kommunen", literal=True, per_page=1)).total
        for field in ("titel", "beslutning", "tekst")
    )
    # of every item the index holds, closed ones too, as the IDF counts them: the same on every engine
    assert shares["kommunen"] == pytest.approx(holding / stats.items, rel=1e-9) and shares["kommunen"] > 0.25
    assert 0 < shares["letbane"] < 0.05
    assert shares[SECRET] == 0.0 and shares["ordsomingenskriver"] == 0.0  # a closed item's word is no one's


def test_with_parts_a_words_share_counts_the_compounds_it_is_a_part_of(corpus: SearchService) -> None:
    """As a search of "vand" finds it: written whole, or as a part ("spildevand", "grundvandet")."""
    words = ["vand", "letbane", SECRET]
    whole, parts = corpus.engine.word_shares(words), corpus.engine.word_shares(words, parts=True)
    everything = corpus.search(SearchRequest(q="", per_page=1)).total
    found = corpus.search(SearchRequest(q="vand", literal=True, per_page=1)).total
    assert whole["vand"] < parts["vand"] <= found / everything
    assert parts["letbane"] >= whole["letbane"] > 0
    assert parts[SECRET] == 0.0


def test_a_common_word_beside_a_rare_one_only_raises(corpus: SearchService) -> None:
    alone = corpus.search(SearchRequest(q="letbane", per_page=100))
    beside = corpus.search(SearchRequest(q="letbane i kommunen", per_page=100))
    assert alone.total >= 1 and beside.results[0]["id"] == alone.results[0]["id"]
    assert {hit["id"] for hit in alone.results} <= {hit["id"] for hit in beside.results}


def test_after_the_few_holding_the_rare_words_no_item_is_listed_for_a_common_word_alone(corpus: SearchService) -> None:
    """Eight items hold "letbane"; "kommunen" was not required of them, so the items holding only
    "kommunen" (167 of them) do not follow as near answers.  Beside a second rare word the items
    holding one of the two follow, as without "kommunen", and the answer says what it counted."""
    alone = corpus.search(SearchRequest(q="letbane", per_page=100))
    beside = corpus.search(SearchRequest(q="letbane i kommunen", per_page=100))
    assert beside.partial is None and {hit["id"] for hit in beside.results} == {hit["id"] for hit in alone.results}
    two = corpus.search(SearchRequest(q="letbane havn i kommunen", per_page=100))
    assert two.partial is not None and (two.partial.words, two.partial.optional) == (("letbane", "havn"), ("kommunen",))
    assert two.partial.whole >= 1 and two.total > two.partial.whole
    plain = corpus.search(SearchRequest(q="letbane havn", per_page=100))
    assert {hit["id"] for hit in two.results} == {hit["id"] for hit in plain.results}
