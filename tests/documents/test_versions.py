"""A dagsorden document and a referat of the same meeting are one meeting, and the usual
version rules hold between them: the referat supersedes the dagsorden, a dagsorden read after
the referat changes nothing — whether each comes as a PDF, a DOCX or a structured export.

The dagsorden is the real Syddjurs DOCX as it stood before the meeting: its cover says
"Dagsorden" and this meeting's decision ("Beslutning … den 20-06-2013") is not yet written.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from indexer.formats import IngestContext
from indexer.formats.document import parse
from indexer.model import MeetingKind
from indexer.search.service import SearchRequest, SearchService
from tests.helpers import quiet_ingest

from .conftest import SYDDJURS_DIR, SYDDJURS_DOCX, SYDDJURS_PDF

DECISION = '"Punktet blev drøftet"'  # this meeting's decision, in the referat only


@pytest.fixture()
def dagsorden(tmp_path: Path) -> Path:
    document = docx.Document(str(SYDDJURS_DOCX))
    [cover] = [c for t in document.tables for r in t.rows for c in r.cells if c.text == "Referat"][:1]
    cover.paragraphs[0].runs[0].text = "Dagsorden"
    for run in cover.paragraphs[0].runs[1:]:
        run.text = ""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.strip().endswith("den 20-06-2013"))
    end = next(i for i, p in enumerate(paragraphs) if p.text.strip() == "Bilag")
    for paragraph in paragraphs[start:end]:
        paragraph._element.getparent().remove(paragraph._element)
    target = tmp_path / "dagsorden" / "Ekstraordinært PUK.docx"
    target.parent.mkdir()
    document.save(str(target))
    return target


def test_the_dagsorden_is_the_same_meeting_and_item_without_the_decision(dagsorden: Path) -> None:
    context = IngestContext(extract_text=False)
    [agenda] = list(parse(dagsorden, context))
    [minutes] = list(parse(SYDDJURS_PDF, context))
    assert (agenda.kind, minutes.kind) == (MeetingKind.DAGSORDEN, MeetingKind.REFERAT)
    assert agenda.id == minutes.id and [i.id for i in agenda.items] == [i.id for i in minutes.items]
    assert not agenda.items[0].decisions and minutes.items[0].decisions
    assert [h.date for h in agenda.items[0].history] == [h.date for h in minutes.items[0].history]


def _state(root: Path) -> tuple[int, list[str], int]:
    service = SearchService(root)
    everything = service.search(SearchRequest(q="Kulturkommune"))
    kinds = sorted({str(h["type"]) for h in everything.results})
    return everything.total, kinds, service.search(SearchRequest(q=DECISION)).total


@pytest.mark.parametrize(
    "order",
    [
        ["dagsorden", "referat-pdf"],
        ["referat-pdf", "dagsorden"],
        ["dagsorden", "export"],
        ["export", "dagsorden"],
        ["dagsorden", "referat-pdf", "dagsorden"],
    ],
)
def test_referat_wins_over_the_dagsorden_in_either_order(dagsorden: Path, tmp_path: Path, order: list[str]) -> None:
    sources = {"dagsorden": dagsorden, "referat-pdf": SYDDJURS_PDF, "export": SYDDJURS_DIR}
    root = tmp_path / "ix"
    for name in order:
        summary = quiet_ingest([sources[name]], root, context=IngestContext(extract_text=False))
        assert not summary.rejected, summary.rejected
    assert _state(root) == (1, ["referat"], 1)


def test_the_dagsorden_alone_is_a_dagsorden(dagsorden: Path, tmp_path: Path) -> None:
    quiet_ingest([dagsorden], tmp_path / "ix", context=IngestContext(extract_text=False))
    assert _state(tmp_path / "ix") == (1, ["dagsorden"], 0)
