"""The signs minutes write for words: "%" is "procent" (as "pct." already was), "§" is "paragraf".

An item writes "40 %" and "serviceloven § 101"; a citizen types "40 procent" or "paragraf 101".
The analysis reads each sign as its word (analysis 11), in the stemmed fields, the exact forms and
phrases alike, on every engine; the Snowball baseline keeps its plain words.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.analysis import fastterms
from indexer.analysis.danish import analyse, danish_analyzer, exact_analyzer, snowball_analyzer
from indexer.search.service import SearchRequest, SearchService
from tests.contract.engines import ENGINES
from tests.helpers import quiet_ingest, seed_meeting, variant, write_jsonl

TEXT = "Målet er at nedbringe pesticidforbruget med 40 % inden 2025, jf. serviceloven § 101 og §17."


def test_a_sign_is_read_as_its_word() -> None:
    assert analyse("40 % og 5%, § 101 og §17") == ["40", "procent", "5", "procent", "paragraf", "101", "paragraf", "17"]
    assert analyse("40 %", exact_analyzer()) == ["40", "procent"] == analyse("40 pct.")
    assert "procent" not in analyse(TEXT, snowball_analyzer()) and "%" not in analyse(TEXT, snowball_analyzer())
    # the cached indexing path records the same terms at the same positions as the analyzers
    for kind in ("danish", "exact", "parts"):
        assert fastterms.term_positions(TEXT, kind) == fastterms.analyzer_positions(
            TEXT, fastterms.KINDS[kind].analyzer()
        )
    assert fastterms.term_positions(TEXT, "danish")["procent"] == [
        t.pos for t in danish_analyzer()(TEXT, positions=True) if t.text == "procent"
    ]


@pytest.fixture(scope="module", params=ENGINES)
def signs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SearchService, str]]:
    tmp = tmp_path_factory.mktemp("signs")
    location = request.param(tmp)
    seed = seed_meeting()
    written = variant(seed, start=seed.start.replace(year=2025))
    written.items[0].sections[0].text += " " + TEXT
    written.finalise()
    assert not quiet_ingest([write_jsonl(tmp / "m.jsonl", [seed, written])], location).rejected
    service = SearchService(location)
    yield service, written.items[0].id
    service.close()


@pytest.mark.parametrize(
    "typed", ['"40 procent"', '"40 pct."', "40 procent pesticidforbruget", '"paragraf 101"', '"§ 17"']
)
def test_every_engine_finds_the_sign_typed_as_its_word(signs: tuple[SearchService, str], typed: str) -> None:
    service, item = signs
    response = service.search(SearchRequest(q=typed))
    assert response.corrected_from is None and [hit["id"] for hit in response.results] == [item]
