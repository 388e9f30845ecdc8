"""Route abbreviations learnt from each municipality's own minutes, for every engine.

They are learnt when items are written and kept with the index: a search only reads them.

Norddjurs routes its cases "Sagsgang: OA", "KUU", …: the seed agenda, the Beslutningsprotokol
fixture (whose closed item's route "KUU, ØK" must teach nothing) and the seed's text again at
a Norddjurs "Klima- og Byudvalget" routed "KB".  Syddjurs has a body of the same name that no
route calls "KB".  No table of abbreviations names that body: only the routes do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.model import Access, Meeting
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED
from tests.contract.engines import ENGINES
from tests.helpers import NORDDJURS, closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl

DOCX = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "norddjurs" / "beslutningsprotokol.docx"
CLIMATE = "Klima- og Byudvalget"


@pytest.fixture(scope="module", params=ENGINES)
def routed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
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
    service = SearchService(location)
    yield service
    service.close()


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


def test_a_learnt_abbreviation_typed_in_lower_case_raises_as_in_capitals(routed: SearchService) -> None:
    upper = routed.search(SearchRequest(q="KB guide", per_page=50))
    lower = routed.search(SearchRequest(q="kb guide", per_page=50))
    assert [r["id"] for r in lower.results] == [r["id"] for r in upper.results]
    assert lower.total == upper.total >= 4 and lower.results[0]["committee"] == CLIMATE
    assert [r["committee"] for r in routed.search(SearchRequest(q="kb")).results] == [CLIMATE]


def test_the_learnt_table_survives_reopening(routed: SearchService) -> None:
    again = SearchService(routed.engine.location)
    try:
        assert again.route_table() == routed.route_table() != {}
        assert [r["committee"] for r in again.search(SearchRequest(q="KB")).results] == [CLIMATE]
    finally:
        again.close()


def _routed(meeting: Meeting, route: str | None, access: Access = Access.OPEN) -> Meeting:
    for item in meeting.items:
        item.route = route
        item.access = access
    return meeting.finalise()


def test_a_reimport_updates_what_was_learnt(location: str, tmp_path: Path) -> None:
    """Routed "KB", the Klima- og Byudvalget's items teach KB; the same meeting again without
    the route unlearns it; routed again, then closed by a newer version, it teaches nothing."""
    quiet_ingest([SEED], location, context=NORDDJURS)
    seed = seed_meeting()
    climate = variant(seed, committee=CLIMATE, start=seed.start.replace(year=2023, month=2))
    service = SearchService(location)
    try:
        assert "KB" not in service.route_table().get("Norddjurs Kommune", {})
        for step, (route, access, learnt) in enumerate(
            [
                ("KB", Access.OPEN, True),
                (None, Access.OPEN, False),
                ("KB", Access.OPEN, True),
                ("KB", Access.CLOSED, False),
            ]
        ):
            summary = quiet_ingest(
                [write_jsonl(tmp_path / f"v{step}.jsonl", [_routed(climate, route, access)])], location
            )
            assert summary.items_updated + summary.items_added >= 1 or access == Access.CLOSED
            table = service.route_table().get("Norddjurs Kommune", {})
            assert (table.get("KB") == [CLIMATE]) is learnt, (step, table)
            found = [r["committee"] for r in service.search(SearchRequest(q="KB guide", per_page=50)).results]
            if learnt:
                assert found[0] == CLIMATE, "the learnt body is raised"
        assert service.route_table().get("Norddjurs Kommune", {}).get("OA"), "the seed's own routes stay learnt"
        later = _routed(variant(climate, start=climate.start.replace(month=4)), "KB")
        quiet_ingest([write_jsonl(tmp_path / "later.jsonl", [later])], location)
        assert service.route_table()["Norddjurs Kommune"]["KB"] == [CLIMATE]
        assert service.engine.delete_meetings([later.id]) > 0
        assert "KB" not in service.route_table().get("Norddjurs Kommune", {}), "a deleted meeting counts out"
    finally:
        service.close()


def test_the_closed_items_route_is_not_published(routed: SearchService) -> None:
    assert routed.search(SearchRequest(q="ØKHEMMELIG")).total == 0
    assert all(item["route"] != "KUU, ØK" for item in map(routed.get_item, _ids(routed)) if item)


def _ids(service: SearchService) -> list[str]:
    return [r["id"] for r in service.search(SearchRequest(q="", per_page=100)).results]
