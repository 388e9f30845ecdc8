"""Did-you-mean and autocomplete draw only on open items' words.

The eDoc Fujitsu sample has a closed item titled "Anders' møgsag"; "møgsag" occurs
nowhere in open text, so no suggestion may ever offer it.
"""

from __future__ import annotations

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SAMPLES
from tests.helpers import quiet_ingest


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("closed-vocabulary-ix")
    quiet_ingest([SAMPLES / "edoc-fujitsu"], root)
    return SearchService(root)


def test_the_closed_item_is_in_the_index_as_a_stub(service: SearchService) -> None:
    stats = service.stats()
    assert stats["closed_items"] >= 1
    assert service.search(SearchRequest(q="møgsag")).total == 0


@pytest.mark.parametrize("typed", ["møgsagg", "mogsag", "møgsak", "moegsag"])
def test_did_you_mean_never_offers_a_closed_word(service: SearchService, typed: str) -> None:
    response = service.search(SearchRequest(q=typed))
    assert response.total == 0
    assert "møgsag" not in (response.suggestion or "")
    assert "møgsag" not in (service.did_you_mean(typed) or "")


@pytest.mark.parametrize("prefix", ["mø", "møg", "møgs", "anders"])
def test_autocomplete_never_offers_a_closed_word(service: SearchService, prefix: str) -> None:
    values = [s["value"].casefold() for s in service.suggest(prefix, limit=50)]
    assert not any("møgsag" in v for v in values), values


def test_autocomplete_still_offers_open_words_and_committees(service: SearchService) -> None:
    assert any(s["kind"] == "udvalg" and s["value"] == "Hennys testudvalg" for s in service.suggest("henn"))
    assert any(s["kind"] == "ord" for s in service.suggest("anl"))
