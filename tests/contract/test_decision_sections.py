"""Text a source puts under its decision heading, beyond the decision itself, is searchable.

Open-dataset rows from Aarhus begin "### Beslutning": the decision record the parser makes holds
the first line ("sagens behandling udsat."), while the Beslutning section shown on the page
holds the whole case below it (here: SF's proposal of a fee for fighting rats). Before, only
the decision record was indexed, so nothing of the case could be found.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.engines.whoosh.index import beyond_decisions
from indexer.formats import IngestContext
from indexer.formats import digst as digst_format
from indexer.model import SectionKind
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import REPO
from tests.contract.engines import ENGINES
from tests.helpers import quiet_ingest

DEMO = REPO / "data" / "digst" / "digst-demo.csv"
ROWS = ("67563fc5", "37036f7f")  # the whole case under "Beslutning"; a decision the section repeats


def _rows(tmp: Path) -> Path:
    with DEMO.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        every = list(reader)
        fields = reader.fieldnames
    # the two rows with the rest of their meetings (a meeting's rows tell its committee and decisions)
    meetings = {r["identifikator"].split("_")[0] for r in every if r["identifikator"].split("_")[1].startswith(ROWS)}
    rows = [r for r in every if r["identifikator"].split("_")[0] in meetings]
    assert len(meetings) == 2 and fields
    path = tmp / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _items(path: Path) -> dict[str, object]:
    return {
        (item.source_key or "")[:8]: item
        for meeting in digst_format.parse(path, IngestContext())
        for item in meeting.items
    }


@pytest.fixture(scope="module", params=ENGINES)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    tmp = tmp_path_factory.mktemp("decisions")
    location = request.param(tmp)
    assert not quiet_ingest([_rows(tmp)], location).rejected
    service = SearchService(location)
    yield service
    service.close()


@pytest.mark.parametrize("q", ["gebyr rottebekæmpelse", "indføre gebyr på rotter", "aarhus stiftstidende"])
def test_the_case_under_the_decision_heading_is_found(service: SearchService, q: str) -> None:
    response = service.search(SearchRequest(q=q, literal=True))
    assert response.total == 1, q
    item = service.get_item(response.results[0]["id"])
    assert item is not None and item["decisions"][0]["text"] == "sagens behandling udsat."


def test_only_what_no_decision_holds_is_added(tmp_path: Path) -> None:
    items = _items(_rows(tmp_path))
    repeated = items["37036f7f"]  # its decision (the members' votes) stands first in its section
    extra = beyond_decisions(repeated.sections, repeated.decisions)  # type: ignore[attr-defined]
    assert extra == [
        "Redegørelse for mulighederne for at etablere en permanent eller midlertidig bypark "
        "ved sammenlægning af [adresse] og [adresse]."
    ]
    case = items["67563fc5"]
    (text,) = beyond_decisions(case.sections, case.decisions)  # type: ignore[attr-defined]
    assert "rottebekæmpelse" in text and "sagens behandling udsat" not in text
    # without a decision record the section is the decision text itself: nothing "beyond" it
    assert beyond_decisions(case.sections, []) == []  # type: ignore[attr-defined]
    assert all(s.kind == SectionKind.DECISION for s in case.sections)  # type: ignore[attr-defined]
