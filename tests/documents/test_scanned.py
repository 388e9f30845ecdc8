"""Scanned minutes: a real sample page rasterised to an image-only PDF is read by OCR
(Tesseract's Danish model) into its item; without OCR the file is named and rejected,
never read as empty, and stays among the recorded sources for a later run."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from indexer.cli import ingest
from indexer.documents import extract
from indexer.formats import FormatError, IngestContext
from indexer.formats.document import detect, parse

from .conftest import FIXTURES, SYDDJURS_PDF

SCAN = FIXTURES / "scanned/syddjurs-puk-2013-referat-scan.pdf"
CONTEXT = IngestContext(extract_text=False, committee="Udvalget for plan, udvikling og kultur (PUK)")


def needs_ocr() -> None:
    if not extract.ocr_available():
        if os.environ.get("CI"):
            pytest.fail("CI installs tesseract-ocr, tesseract-ocr-dan and poppler-utils: OCR must be available")
        pytest.skip("tesseract with the Danish model is not installed here")


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_the_fixture_is_image_only() -> None:
    assert all(extract.is_scanned_page(text) for text in extract.pdf_page_texts(SCAN))


def test_a_scanned_page_is_read_by_ocr_into_its_item() -> None:
    needs_ocr()
    (meeting,) = list(parse(SCAN, CONTEXT))
    assert meeting.source_format == "document-acadre"
    (item,) = meeting.items
    assert (item.number, item.title, item.case_number) == (
        "715",
        "Kulturkommune 2017. Politiske fokusområder",
        "12/27845",
    )
    assert [s.heading for s in item.sections][:2] == ["Resumé", "Sagsfremstilling"]
    assert any("OCR" in w for w in meeting.warnings)
    # Character accuracy against the text layer of the same page of the original PDF.
    reference = re.sub(r"\s+", " ", extract.pdf_page_texts(SYDDJURS_PDF)[2]).strip()
    got = re.sub(r"\s+", " ", extract.ocr_page(SCAN, 1)).strip()
    accuracy = 1 - edit_distance(reference, got) / len(reference)
    assert accuracy >= 0.97, f"character accuracy {accuracy:.2%}"
    assert got.count("ø") + got.count("å") + got.count("æ") >= 30


def test_without_ocr_the_scan_is_reported_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "ocr_available", lambda: False)
    assert detect(tmp_path / "x.pdf") is False
    named = tmp_path / "referat-scan.pdf"
    named.write_bytes(SCAN.read_bytes())
    assert detect(named)  # an image-only PDF named as minutes is taken as one
    with pytest.raises(FormatError) as error:
        list(parse(named, CONTEXT))
    assert "scanned — OCR not available" in str(error.value) and "referat-scan.pdf" in str(error.value)
    index = tmp_path / "index"
    summary = ingest([named], index, CONTEXT, workers=1, stream=io.StringIO())
    assert summary.items_added == 0
    assert len(summary.rejected) == 1 and "scanned — OCR not available" in summary.rejected[0]
    # Not recorded as a source: it gave nothing, and every later reindex would fail on it until
    # OCR is installed.  Once it is, the scan is ingested again by name.
    sources = json.loads((index / "sources.json").read_text("utf-8"))
    assert [s["path"] for s in sources] == []
