"""A misspelling some item also holds: a few hits for what was typed, many for its correction.

The corpus rows say "lokalplan" in many items; one more meeting's item says "lokalpaln", as a
caseworker's slip would. A search for "lokalpaln" finds that one item, so it is no search
with no hits; it shows the correction's results all the same, and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.engines import ENGINES
from tests.helpers import quiet_ingest, seed_meeting, variant, write_jsonl


@pytest.fixture(scope="module", params=ENGINES)
def slipped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    tmp = tmp_path_factory.mktemp("typos")
    location = request.param(tmp)
    seed = seed_meeting()
    slip = variant(seed, start=seed.start.replace(year=2024))
    slip.items[0].sections[0].text += " Sagen afventer den nye lokalpaln for området."
    slip.finalise()
    assert not quiet_ingest([CORPUS_CSV, write_jsonl(tmp / "slip.jsonl", [slip])], location).rejected
    return SearchService(location)


def test_a_few_hits_for_a_misspelling_show_the_corrections_results(slipped: SearchService) -> None:
    typed = slipped.search(SearchRequest(q="lokalpaln", literal=True))
    assert typed.total == 1 and typed.suggestion == "lokalplan"
    response = slipped.search(SearchRequest(q="lokalpaln"))
    assert response.corrected_from == "lokalpaln" and response.request.q == "lokalplan"
    assert response.typed_total == 1 and response.total >= 10 * typed.total
    assert response.to_dict()["typed_total"] == 1 and response.suggestion is None


@pytest.mark.parametrize(("word", "near"), [("samtale", "samle"), ("sjette", "støtte"), ("skaffe", "skabe")])
def test_a_real_word_with_few_hits_keeps_its_own_results(slipped: SearchService, word: str, near: str) -> None:
    """Rare Danish word forms next to frequent ones (two edits away): never "corrected"."""
    response = slipped.search(SearchRequest(q=word))
    assert 0 < response.total <= 3
    assert slipped.search(SearchRequest(q=near)).total >= 10 * response.total
    assert response.corrected_from is None and response.suggestion is None


def test_the_cli_says_how_many_the_typed_words_found(
    slipped: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "lokalpaln", "--index", str(slipped.engine.location)]) == 0
    assert "Viser resultater for «lokalplan». Kun 1 for «lokalpaln»" in capsys.readouterr().out


def test_the_correction_is_only_for_many_times_as_many(tmp_path: Path) -> None:
    """The same slip where the right word is hardly more frequent: the typed words' results stay."""
    location = str(tmp_path / "index")
    seed = seed_meeting()
    slip = variant(seed, start=seed.start.replace(year=2024))
    slip.items[0].sections[0].text += " Sagen afventer den nye lokalpaln for området."
    right = variant(seed, start=seed.start.replace(year=2025))
    right.items[0].sections[0].text += " Sagen afventer den nye lokalplan for området."
    assert not quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [slip.finalise(), right.finalise()])], location).rejected
    service = SearchService(location)
    try:
        response = service.search(SearchRequest(q="lokalpaln"))
        assert response.total == 1 and response.corrected_from is None
        assert response.suggestion == "lokalplan", "offered, not imposed"
    finally:
        service.close()
