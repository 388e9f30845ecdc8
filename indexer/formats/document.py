"""Whole-meeting minutes documents: a referat, dagsorden or beslutningsprotokol as one
PDF or DOCX (scanned pages read by OCR), split into items by ``indexer.documents``.

``document`` detects the layout family; ``document-<family>`` (``document-edoc``,
``document-firstagenda`` …) forces one, for ``--format``.  Detection reads the
text of the first pages and needs a family's signature to match, so a PDF that
is an attachment (a budget, a map) is not taken for minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.documents.extract import docx_pages, is_scanned_page, pdf_page_texts
from indexer.documents.profiles import PROFILES, detect_profile
from indexer.documents.read import read_meeting
from indexer.formats import IngestContext
from indexer.model import Meeting

NAME = "document"
SUFFIXES = {".pdf", ".docx"}
DETECT_PAGES = 4
# A scan is taken for minutes by its name only (its text is not known before OCR).
MINUTES_NAME = re.compile(r"referat|dagsorden|beslutningsprotokol|protokol", re.IGNORECASE)


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        return False
    try:
        if path.suffix.lower() == ".docx":
            pages = docx_pages(path)[:DETECT_PAGES]
        else:
            pages = pdf_page_texts(path, DETECT_PAGES)
    except Exception:  # damaged (cut short, not a PDF at all): claimed, so that parse names the problem
        return True
    if pages and all(is_scanned_page(p) for p in pages):
        return bool(MINUTES_NAME.search(path.stem))
    return detect_profile("\n".join(pages)) is not None


def parse(path: Path, context: IngestContext) -> Iterator[Meeting]:
    yield read_meeting(path, context)


@dataclass(frozen=True)
class FamilyFormat:
    """``document-<family>``: the same reader with the layout profile chosen by hand."""

    NAME: str
    profile: str

    def detect(self, path: Path) -> bool:
        """Never chosen by detection (``document`` detects); only by ``--format``."""
        return False

    def parse(self, path: Path, context: IngestContext) -> Iterator[Meeting]:
        yield read_meeting(path, context, self.profile)


VARIANTS = [FamilyFormat(f"document-{name}", name) for name in PROFILES]
