"""Topics as a user meets them: the ``emne:``/``topic:`` prefix, the facet and the JSON shape."""

from __future__ import annotations

import pytest

from indexer.search.service import SearchRequest, SearchService, topic_code
from tests.conftest import SAMPLES
from tests.helpers import quiet_ingest

TOPIC_KEYS = {"code", "name", "source", "confidence"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("topics-ix")
    quiet_ingest([SAMPLES / "firstagenda", SAMPLES / "edoc"], root)
    return SearchService(root)


@pytest.mark.parametrize(
    ("value", "code"),
    [("05", "05"), ("5", "05"), ("05.01.08", "05"), ("Veje og trafik", "05"), ("veje", "05"),
     ("personale", "81"), ("Sundhed", "29"), ("99", None), ("og", None), ("xyz", None)],
)  # fmt: skip
def test_topic_code_of_prefix_values(value: str, code: str | None) -> None:
    assert topic_code(value) == code


def test_topic_prefix_by_code_name_and_short_code_agree_with_the_facet(service: SearchService) -> None:
    facet = {f["value"]: f["count"] for f in service.search(SearchRequest()).facets["topic"]}
    assert facet.get("13", 0) >= 2, facet
    by_filter = {r["id"] for r in service.search(SearchRequest(topic=["13"], per_page=100)).results}
    assert len(by_filter) == facet["13"]
    for query in ("emne:13", "topic:13", 'emne:"Forsyning og kollektiv trafik"', "EMNE:13"):
        response = service.search(SearchRequest(q=query, per_page=100))
        assert response.error is None
        assert {r["id"] for r in response.results} == by_filter, query


def test_topic_prefix_combines_with_words(service: SearchService) -> None:
    hits = service.search(SearchRequest(q="emne:13 metro")).results
    assert [h["title"] for h in hits] == ["Svar på forslag fra RV om Aarhus City Metro"]
    assert service.search(SearchRequest(q="emne:29 metro")).total == 0


def test_results_and_items_carry_topics_in_one_shape(service: SearchService) -> None:
    results = service.search(SearchRequest(q="rygestopkurser")).results
    assert results and results[0]["topics"]
    for topic in results[0]["topics"]:
        assert set(topic) == TOPIC_KEYS, topic  # no null extras when no finer KLE number is known
        assert topic["source"] in ("case-number", "text", "kle-file")
        assert 0 <= topic["confidence"] <= 1
    assert results[0]["topics"][0]["code"] == "29"
    item = service.get_item(results[0]["id"])
    assert item is not None and item["topics"] == results[0]["topics"]
