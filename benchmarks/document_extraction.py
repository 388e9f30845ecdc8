"""Which PDF text extractor reads whole-meeting minutes best: measured on the samples.

    .venv/bin/python benchmarks/document_extraction.py

Two of the sample meetings exist both as a referat PDF and as a structured export
whose fields hold the same text (Ballerup eDoc, Syddjurs Acadre).  For each
extractor the script reads the PDF and measures, over the export's words (item
titles, section texts, decisions), how many come out *in the same order*
(difflib's matching blocks over word sequences: reading order and exact letters
both count), and the time taken.  Extractors that are not installed are listed
as such.  Only permissive licences or a subprocess are considered (no AGPL).
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from indexer.formats import IngestContext, acadre, edoc

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
PAIRS = [
    (
        "Ballerup eDoc",
        SAMPLES / "edoc/ballerup-sundhedsudvalget-2012/04-12-2012 13:00:00/1552814.PDF",
        SAMPLES / "edoc/ballerup-sundhedsudvalget-2012/04-12-2012 13:00:00",
        edoc,
    ),
    (
        "Syddjurs Acadre",
        SAMPLES / "acadre/syddjurs-puk-2013/Files_1863_3687982/Ekstraordinært PUK.pdf",
        SAMPLES / "acadre/syddjurs-puk-2013",
        acadre,
    ),
]
WORD = re.compile(r"\w+", re.UNICODE)


def _pypdf(path: Path, mode: str) -> list[str]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return [page.extract_text(extraction_mode=mode) or "" for page in reader.pages]


def _pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(e.get_text() for e in page if isinstance(e, LTTextContainer)) for page in extract_pages(str(path))]


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _pdftotext(path: Path, layout: bool) -> list[str]:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    out = subprocess.run(args, capture_output=True, check=False, timeout=60).stdout.decode("utf-8", "replace")
    return out.split("\f")


EXTRACTORS: dict[str, Callable[[Path], list[str]]] = {
    "pypdf (plain)": lambda p: _pypdf(p, "plain"),
    "pypdf (layout)": lambda p: _pypdf(p, "layout"),
    "pdfminer.six": _pdfminer,
    "pdfplumber": _pdfplumber,
    "pdftotext (raw order)": lambda p: _pdftotext(p, False),
    "pdftotext -layout": lambda p: _pdftotext(p, True),
}


def reference_words(folder: Path, module: object) -> list[str]:
    words: list[str] = []
    for meeting in module.parse(folder, IngestContext(extract_text=False)):  # type: ignore[attr-defined]
        for item in meeting.items:
            if not item.is_open:
                continue
            words += WORD.findall(item.title)
            for section in item.sections:
                if section.kind != "decision":
                    words += WORD.findall(section.text)
            for decision in item.decisions:
                words += WORD.findall(decision.text)
    return words


def in_order_recall(reference: list[str], text: str) -> float:
    got = WORD.findall(text)
    matcher = difflib.SequenceMatcher(None, reference, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(1, len(reference))


def main() -> None:
    print(f"{'extractor':24} " + " ".join(f"{name:>22}" for name, *_ in PAIRS) + f" {'pages/s':>8}")
    for label, extract in EXTRACTORS.items():
        cells = []
        pages = 0
        seconds = 0.0
        for _name, pdf, folder, module in PAIRS:
            try:
                started = time.perf_counter()
                texts = extract(pdf)
                seconds += time.perf_counter() - started
            except ImportError:
                cells.append("not installed")
                continue
            except (OSError, subprocess.SubprocessError) as exc:
                cells.append(f"failed: {type(exc).__name__}")
                continue
            if label.startswith("pdftotext") and shutil.which("pdftotext") is None:
                cells.append("not installed")
                continue
            pages += len(texts)
            recall = in_order_recall(reference_words(folder, module), "\n".join(texts))
            cells.append(f"{recall:.1%}")
        speed = f"{pages / seconds:.0f}" if seconds and pages else "–"
        print(f"{label:24} " + " ".join(f"{c:>22}" for c in cells) + f" {speed:>8}")


if __name__ == "__main__":
    main()
