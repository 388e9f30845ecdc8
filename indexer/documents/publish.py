"""The copy of a whole-meeting document that may be shown beside its items.

A document with no closed page is published as it is.  A PDF with closed pages
(a closed item, a "Lukket referat" part, a table of contents naming closed
items) is rewritten with those pages blank, so page numbers still match the
items' ``#page=N`` links; a DOCX has no fixed pages and is then not published.
Only the page content of open pages is copied: no outline, no metadata.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

CACHE_ENV = "MINUTES_DOCUMENT_CACHE"


def cache_dir() -> Path:
    folder = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "minutes-search-documents")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def publishable_copy(
    path: Path, closed_pages: set[int], page_count: int, dropped_pages: set[int] | None = None
) -> Path | None:
    """The file to publish, or None when nothing of it may be shown.

    ``dropped_pages`` (table of contents, signature page) are blanked too when
    anything is closed: a table of contents names the closed items."""
    if not closed_pages:
        return path
    blank = closed_pages | (dropped_pages or set())
    if path.suffix.lower() != ".pdf" or len(blank) >= page_count:
        return None
    digest = hashlib.sha256(path.read_bytes())
    digest.update(repr(sorted(blank)).encode())
    target = cache_dir() / f"{digest.hexdigest()[:32]}.pdf"
    if target.exists():
        return target
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        writer = pypdf.PdfWriter()
        for number, page in enumerate(reader.pages, start=1):
            if number in blank:
                width, height = _page_size(page)
                writer.add_blank_page(width=width, height=height)
            else:
                writer.add_page(page)
        with tmp.open("wb") as fh:
            writer.write(fh)
    except Exception:  # pypdf raises many kinds on a damaged file
        # A copy that cannot be made safely is not made: the items are read, the document is not shown.
        tmp.unlink(missing_ok=True)
        return None
    tmp.replace(target)
    return target


def _page_size(page: object) -> tuple[float, float]:
    """A page's size in points; A4 when the file's page box is missing or damaged."""
    try:
        box = page.mediabox  # type: ignore[attr-defined]
        return float(box.width), float(box.height)
    except Exception:
        return 595.0, 842.0
