"""A misspelling some item also holds: a few hits for what was typed, many for its correction.

The corpus rows say "lokalplan" in many items; one more meeting's item says "lokalpaln", as a
caseworker's slip would. A search for "lokalpaln" finds that one item: it keeps it and offers
"Mente du: lokalplan" — the correction's results are shown only when the typed words find
nothing. A rare name is such a word too ("Risskov", "Sejerø", "SAPA"): showing the correction's
results turned them into common words on the relevance benchmark's dev part and helped no query.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.engines import ENGINES
from tests.helpers import quiet_ingest, seed_meeting, variant, write_jsonl


@pytest.fixture(scope="module", params=ENGINES)
def slipped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    tmp = tmp_path_factory.mktemp("typos")
    location = request.param(tmp)
    seed = seed_meeting()
    slip = variant(seed, start=seed.start.replace(year=2024))
    slip.items[0].sections[0].text += " Sagen afventer den nye lokalpaln for området."
    slip.finalise()
    name = variant(seed, start=seed.start.replace(year=2023))
    name.items[0].sections[0].text += " Kommunen tilslutter sig systemet SAPA."
    name.finalise()
    assert not quiet_ingest([CORPUS_CSV, write_jsonl(tmp / "slip.jsonl", [slip, name])], location).rejected
    service = SearchService(location)
    yield service
    service.close()


def test_a_few_hits_for_a_misspelling_keep_their_results_and_offer_the_correction(slipped: SearchService) -> None:
    typed = slipped.search(SearchRequest(q="lokalpaln", literal=True))
    assert typed.total == 1 and typed.suggestion == "lokalplan"
    assert slipped.search(SearchRequest(q="lokalplan")).total >= 10 * typed.total
    response = slipped.search(SearchRequest(q="lokalpaln"))
    assert response.corrected_from is None and response.request.q == "lokalpaln"
    assert [h["id"] for h in response.results] == [h["id"] for h in typed.results]
    assert response.suggestion == "lokalplan", "offered, not imposed"
    assert response.to_dict()["typed_total"] is None


def test_a_rare_name_keeps_its_items_however_common_its_neighbour(slipped: SearchService) -> None:
    """A system's name, "sapa", is no Danish word form and two edits from "samt", which many rows
    hold: its items stay, and no correction is offered (no slip people make turns "samt" into it)."""
    typed = slipped.search(SearchRequest(q="sapa", literal=True))
    assert 1 <= typed.total <= 3 and typed.suggestion is None
    assert slipped.search(SearchRequest(q="samt")).total >= 10 * typed.total
    response = slipped.search(SearchRequest(q="sapa"))
    assert response.corrected_from is None and response.request.q == "sapa"
    assert [h["id"] for h in response.results] == [h["id"] for h in typed.results]


@pytest.mark.parametrize(("word", "near"), [("samtale", "samle"), ("sjette", "støtte"), ("skaffe", "skabe")])
def test_a_real_word_with_few_hits_keeps_its_own_results(slipped: SearchService, word: str, near: str) -> None:
    """Rare Danish word forms next to frequent ones (two edits away): never "corrected"."""
    response = slipped.search(SearchRequest(q=word))
    assert 0 < response.total <= 3
    assert slipped.search(SearchRequest(q=near)).total >= 10 * response.total
    assert response.corrected_from is None and response.suggestion is None


def test_the_cli_offers_the_correction_beside_the_typed_words_results(
    slipped: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "lokalpaln", "--index", str(slipped.engine.location)]) == 0
    out = capsys.readouterr().out
    assert "Mente du: lokalplan" in out and "Viser resultater for" not in out


def test_no_hits_at_all_show_the_corrections_results(tmp_path: Path) -> None:
    """The other side of the rule: a slip no item holds finds nothing, so the correction's results show."""
    location = str(tmp_path / "index")
    seed = seed_meeting()
    right = variant(seed, start=seed.start.replace(year=2025))
    right.items[0].sections[0].text += " Sagen afventer den nye lokalplan for området."
    assert not quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [right.finalise()])], location).rejected
    service = SearchService(location)
    try:
        response = service.search(SearchRequest(q="lokalpaln"))
        assert response.corrected_from == "lokalpaln" and response.request.q == "lokalplan"
        assert response.typed_total == 0 and response.total >= 1
    finally:
        service.close()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("vetser", "vester"),  # one swap from a street name, not "viser", two edits and far more frequent
        ("rottre", "rotter"),  # not "rette"
        ("mediar", "medier"),  # not "medio"
        ("bolug", "bolig"),  # a neighbouring key, not "bilag"
        ("røggsa", "røggassen"),  # through the stem: "røggas" is written only inflected
        ("vandoplannd", "vandoplandet"),  # through the stem and the compound parts
        ("frdeeriksbjerg", "frederiksbjerg"),  # written only inside "Frederiksbjergprocessen"
    ],
)
def test_every_engine_corrects_a_slip_alike(slipped: SearchService, typed: str, shown: str) -> None:
    """The engines list near words; the service ranks them (``search/spelling.py``): the same
    correction, and its results shown, on every engine."""
    response = slipped.search(SearchRequest(q=typed))
    assert response.corrected_from == typed and response.request.q == shown and response.total > 0


def test_every_engine_offers_a_name_typed_without_æøå_as_written(slipped: SearchService) -> None:
    response = slipped.search(SearchRequest(q="aarby"))
    assert response.total > 0 and response.suggestion == "årby"
