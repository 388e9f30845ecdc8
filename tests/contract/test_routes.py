"""Route abbreviations learnt from each municipality's own minutes, for every engine.

Norddjurs routes its cases "Sagsgang: OA", "KUU", …: the seed agenda, the Beslutningsprotokol
fixture (whose closed item's route "KUU, ØK" must teach nothing) and the seed's text again at
a Norddjurs "Klima- og Byudvalget" routed "KB".  Syddjurs has a body of the same name that no
route calls "KB".  No table of abbreviations names that body: only the routes do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED
from tests.contract.engines import ENGINES
from tests.helpers import NORDDJURS, closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl

DOCX = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "norddjurs" / "beslutningsprotokol.docx"
CLIMATE = "Klima- og Byudvalget"


@pytest.fixture(scope="module", params=ENGINES)
def routed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    tmp = tmp_path_factory.mktemp("routes")
    location = request.param(tmp)
    quiet_ingest([SEED], location, context=NORDDJURS)
    assert not quiet_ingest([DOCX], location).rejected
    seed = seed_meeting()
    ours = variant(seed, committee=CLIMATE, start=seed.start.replace(year=2023, month=2))
    theirs = variant(seed, municipality="Syddjurs Kommune", committee=CLIMATE, start=seed.start.replace(year=2023))
    finance = variant(seed, committee="Økonomiudvalget", start=seed.start.replace(year=2023, month=3))
    secret = closed_copy(variant(seed, committee="Økonomiudvalget", start=seed.start.replace(year=2024)), "ØKHEMMELIG")
    for meeting, route in ((ours, "KB"), (theirs, None), (finance, None), (secret, "KUU, ØK")):
        for item in meeting.items:
            item.route = route
        meeting.finalise()
    summary = quiet_ingest([write_jsonl(tmp / "more.jsonl", [ours, theirs, finance, secret])], location)
    assert summary.items_added >= 4 and not summary.rejected
    return SearchService(location)


def test_each_municipality_learns_what_its_own_routes_call_its_bodies(routed: SearchService) -> None:
    table = routed.route_table()
    assert table["Norddjurs Kommune"] == {
        "OA": ["Områdeudvalget for Administrationen"],
        "KUU": ["Kultur- og Udviklingsudvalget"],
        "KB": [CLIMATE],
    }, "BUU names no body met here; the closed item's ØK teaches nothing"
    assert "Syddjurs Kommune" not in table
    assert routed.route_table() is table, "learnt once per index state"


def test_a_learnt_abbreviation_raises_that_municipalitys_body_only(routed: SearchService) -> None:
    plain = routed.search(SearchRequest(q="guide", per_page=50))
    raised = routed.search(SearchRequest(q="KB guide", per_page=50))
    assert raised.total == plain.total >= 4, "nothing is excluded"
    first = raised.results[0]
    assert (first["committee"], first["municipality"]) == (CLIMATE, "Norddjurs Kommune")
    before = {r["id"]: r["score"] for r in plain.results}
    for result in raised.results[1:]:
        assert result["score"] == pytest.approx(before[result["id"]]), "no other body is raised"
    alone = routed.search(SearchRequest(q="KB"))
    assert [(r["committee"], r["municipality"]) for r in alone.results] == [(CLIMATE, "Norddjurs Kommune")]


def test_the_closed_items_route_is_not_published(routed: SearchService) -> None:
    assert routed.search(SearchRequest(q="ØKHEMMELIG")).total == 0
    assert all(item["route"] != "KUU, ØK" for item in map(routed.get_item, _ids(routed)) if item)


def _ids(service: SearchService) -> list[str]:
    return [r["id"] for r in service.search(SearchRequest(q="", per_page=100)).results]
