"""Character accuracy of OCR on a real sample page rasterised to an image-only PDF.

    .venv/bin/python benchmarks/ocr_accuracy.py

The scan (``tests/fixtures/documents/scanned/``, made by ``make_scan.py`` there from page 3
of the Syddjurs Acadre referat, 200 dpi grey) is read the way ingest reads it (pdftoppm at
300 dpi, Tesseract's Danish model) and compared with the text layer of the same page in the
original PDF.  Both sides are whitespace-normalised; accuracy = 1 − edit distance / reference
length, over all characters and over the Danish letters æ ø å alone.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from indexer.documents.extract import ocr_available, ocr_page, pdf_page_texts

ROOT = Path(__file__).resolve().parent.parent
SCAN = ROOT / "tests/fixtures/documents/scanned/syddjurs-puk-2013-referat-scan.pdf"
SOURCE = ROOT / "data/samples/acadre/syddjurs-puk-2013/Files_1863_3687982/Ekstraordinært PUK.pdf"
SOURCE_PAGE = 3


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_accuracy(reference: str, got: str) -> float:
    reference, got = normalise(reference), normalise(got)
    return 1 - edit_distance(reference, got) / max(1, len(reference))


def danish_letter_recall(reference: str, got: str) -> tuple[int, int]:
    letters = "æøåÆØÅ"
    want = sum(reference.count(ch) for ch in letters)
    found = sum(min(reference.count(ch), got.count(ch)) for ch in letters)
    return found, want


def main() -> None:
    if not ocr_available():
        print("OCR not available: install tesseract-ocr, tesseract-ocr-dan and poppler-utils")
        return
    reference = pdf_page_texts(SOURCE)[SOURCE_PAGE - 1]
    started = time.perf_counter()
    got = ocr_page(SCAN, 1)
    seconds = time.perf_counter() - started
    found, want = danish_letter_recall(reference, got)
    print(f"page: {SOURCE.name} p. {SOURCE_PAGE}, {len(normalise(reference))} characters")
    print(f"character accuracy: {character_accuracy(reference, got):.2%}")
    print(f"æ/ø/å found: {found} of {want}")
    print(f"OCR time: {seconds:.1f} s (wall clock)")


if __name__ == "__main__":
    main()
