"""One case's same-text treatments are one row of a page, the others listed under it.

Aarhus puts "Udviklingsplan Aarhus Ø - endelig vedtagelse" before its Teknisk Udvalg (1 October
2025) and then its Byråd (8 October 2025) with the same case text; the bundled FirstAgenda pages
hold both meetings.  A search lists the case once, with the other treatment under it.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.cli import ingest, main
from indexer.engines.base import StoredItem
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from indexer.search.treatments import CaseText, fold_treatments
from tests.conftest import SAMPLES

AARHUS = SAMPLES / "firstagenda" / "aarhus-2025"
CASE = "Udviklingsplan Aarhus Ø - endelig vedtagelse"


@pytest.fixture(scope="module")
def aarhus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("treatments") / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([AARHUS], root, workers=1, stream=io.StringIO()).items_added
    return root


def _treatments(service: SearchService) -> list[StoredItem]:
    rows = service.iter_summaries(SearchRequest(q=f'titel:"{CASE}"'), limit=10)[1]
    with service.engine.reading():
        items = [service.engine.item(row["id"]) for row in rows]
    return [i for i in items if i is not None]


def test_the_case_is_one_row_with_its_other_treatment_under_it(aarhus: Path) -> None:
    service = SearchService(aarhus)
    response = service.search(SearchRequest(q="udviklingsplan aarhus ø"))
    rows = [r for r in response.results if r["title"] == CASE]
    assert len(rows) == 1
    (row,) = rows
    assert row["committee"] == "Aarhus Byråd"
    (other,) = row["also_treated"]
    assert other["committee"] == "Teknisk Udvalg" and other["meeting_date"].startswith("2025-10-01")
    assert other["decision"].startswith("Et flertal i udvalget kunne tiltræde indstillingen")
    # the count is of items, as the facets count them; the exports list every treatment
    assert response.total == len(response.results) + 1
    total, summaries = service.iter_summaries(SearchRequest(q="udviklingsplan aarhus ø"), limit=50)
    assert total == response.total and [s["title"] for s in summaries].count(CASE) == 2


def test_each_treatment_is_kept_apart_where_the_case_text_differs(aarhus: Path) -> None:
    service = SearchService(aarhus)
    first, second = (CaseText.of(item) for item in _treatments(service))
    assert first is not None and second is not None and first.same_case(second)
    # another municipality's, another case number's, or another text is another case
    assert not first.same_case(replace(second, municipality="Favrskov Kommune"))
    assert not first.same_case(replace(second, case_key="emn-2025-000001"))
    assert first.same_case(replace(second, case_key=""))  # a case number one of them lacks says nothing
    half = frozenset(sorted(second.words)[: len(second.words) // 2])
    assert not first.same_case(replace(second, words=half))
    # a few words apart (the open dataset's replaced names) is still the same text
    assert first.same_case(replace(second, words=second.words - set(sorted(second.words)[:3]) | {"x1", "x2"}))


def test_a_short_text_or_a_closed_item_is_no_evidence(aarhus: Path) -> None:
    service = SearchService(aarhus)
    item = _treatments(service)[0]
    assert CaseText.of(replace(item, texts={**item.texts, "body": "Dagsordenen godkendes."})) is None
    assert CaseText.of(replace(item, access="closed")) is None
    short = replace(item, id="b", texts={**item.texts, "body": "Dagsordenen godkendes."})
    rows = [{"id": i.id, "title": i.title, "municipality": "Aarhus Kommune"} for i in (item, short)]
    assert fold_treatments(rows, {i.id: i for i in (item, short)}) == rows


def test_the_cli_lists_the_other_treatment_under_the_row(aarhus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "udviklingsplan aarhus ø", "--index", str(aarhus)]) == 0
    out = capsys.readouterr().out
    assert out.count(CASE) == 1
    assert "også behandlet: Teknisk Udvalg · 2025-10-01" in out
    # --every-treatment: each treatment a hit of its own
    assert main(["search", "udviklingsplan aarhus ø", "--index", str(aarhus), "--every-treatment"]) == 0
    out = capsys.readouterr().out
    assert out.count(CASE) == 2 and "også behandlet" not in out
