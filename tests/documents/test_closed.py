"""Closed parts of whole-meeting documents: what marks them, and that their text goes no further.

The lines are the real Ballerup referat's, with closed parts marked the ways real documents
mark them ("Lukket referat", "for lukkede døre") and a distinctive word planted in what follows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.documents.extract import Line, read_document
from indexer.documents.profiles import PROFILES
from indexer.documents.splitter import build_item, split_lines
from indexer.formats import IngestContext
from indexer.formats.document import parse
from indexer.model import Access

from .conftest import BALLERUP_PDF, SBSYS_PDF, SYDDJURS_PDF

SECRET = "hemmeligordzyx"


def ballerup_lines() -> list[Line]:
    return read_document(BALLERUP_PDF).lines


def heading_index(lines: list[Line], number: str) -> int:
    return next(i for i, ln in enumerate(lines) if ln.text.startswith(f"{number}. "))


def planted(lines: list[Line], marker: str, before: str) -> list[Line]:
    """The lines with ``marker`` put before item ``before`` and the secret in every later line."""
    at = heading_index(lines, before)
    page = lines[at].page
    later = [
        Line(f"{ln.text} {SECRET}", ln.page) if not ln.text.startswith(("7. ", "8. ")) else ln for ln in lines[at:]
    ]
    return [*lines[:at], Line(marker, page), *later]


def split_all(lines: list[Line]) -> tuple[list[object], set[int]]:
    profile = PROFILES["edoc"]
    parts = split_lines(lines, profile, Access.OPEN)
    items = [build_item(raw, profile, "Sundheds- og Forebyggelsesudvalget", None) for raw in parts.items]
    return items, parts.closed_pages


def text_of(items: list[object]) -> str:
    return repr([vars(i) for i in items])


def test_a_lukket_referat_part_closes_the_items_after_it() -> None:
    items, closed_pages = split_all(planted(ballerup_lines(), "Lukket referat", "7"))
    assert [(i.number, i.access) for i in items] == [  # type: ignore[attr-defined]
        *[(str(n), Access.OPEN) for n in range(1, 7)],
        ("7", Access.CLOSED),
        ("8", Access.CLOSED),
    ]
    assert SECRET not in text_of(items)
    assert {12, 13, 14, 15} <= closed_pages


def test_for_lukkede_doere_closes_the_item_it_stands_in_and_the_rest() -> None:
    lines = ballerup_lines()
    at = heading_index(lines, "5") + 3
    marked = [*lines[:at], Line("Behandlet for lukkede døre", lines[at].page)]
    marked += [Line(f"{ln.text} {SECRET}", ln.page) for ln in lines[at:]]
    items, _ = split_all(marked)
    assert [i.access for i in items][:4] == [Access.OPEN] * 4  # type: ignore[attr-defined]
    assert all(i.access == Access.CLOSED for i in items[4:])  # type: ignore[attr-defined]
    assert SECRET not in text_of(items)


def test_a_document_whose_access_cannot_be_told_is_closed(tmp_path: Path) -> None:
    # The SBSYS referat says nothing of access inside; its file name ("… - åbent.pdf") does.
    unnamed = tmp_path / "referat.pdf"
    shutil.copyfile(SBSYS_PDF, unnamed)
    (meeting,) = list(parse(unnamed, IngestContext(extract_text=False)))
    assert meeting.access == Access.CLOSED
    assert all(i.access == Access.CLOSED and not i.sections for i in meeting.items)
    assert meeting.document is not None and meeting.document.access == Access.CLOSED
    assert any("cannot be told" in w for w in meeting.warnings)
    # A name that says closed wins over the family's own marks.
    closed = tmp_path / "referat - åbent og lukket.pdf"
    shutil.copyfile(SBSYS_PDF, closed)
    (meeting,) = list(parse(closed, IngestContext(extract_text=False)))
    assert meeting.access == Access.CLOSED
    (meeting,) = list(parse(SBSYS_PDF, IngestContext(extract_text=False)))
    assert meeting.access == Access.OPEN


def test_a_closed_page_without_a_page_box_is_still_blanked(tmp_path: Path) -> None:
    """The Aarhus referat with its closed page's /MediaBox deleted (found by the parser fuzzer: pypdf
    then raises ValueError): the copy is made with that page blank at A4, never with its text."""
    import os

    import pypdf
    from pypdf.generic import NameObject

    from .conftest import AARHUS_PDF

    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(str(AARHUS_PDF)).pages:
        writer.add_page(page)
    del writer.pages[27][NameObject("/MediaBox")]
    damaged = tmp_path / AARHUS_PDF.name
    with damaged.open("wb") as fh:
        writer.write(fh)
    from indexer.documents.publish import write_copy

    os.environ["MINUTES_DOCUMENT_CACHE"] = str(tmp_path / "cache")
    try:
        (meeting,) = list(parse(damaged, IngestContext(extract_text=False)))
        assert len(meeting.items) == 21 and meeting.items[20].access == Access.CLOSED
        assert meeting.document is not None and meeting.document.pending is not None
        written = write_copy(meeting.document.pending)  # as the index writes it
    finally:
        del os.environ["MINUTES_DOCUMENT_CACHE"]
    assert written is not None
    copy = pypdf.PdfReader(written)
    assert len(copy.pages) == 28
    assert not copy.pages[27].extract_text().strip()
    assert [float(copy.pages[27].mediabox.width), float(copy.pages[27].mediabox.height)] == [595.0, 842.0]
    assert not any("landbrugsejendom" in page.extract_text() for page in copy.pages)


def syddjurs_items_with_bilag_line(line: str) -> list[object]:
    """The Syddjurs referat's items, its second printed attachment line replaced by ``line``."""
    lines = read_document(SYDDJURS_PDF).lines
    at = next(i for i, ln in enumerate(lines) if ln.text.startswith("2 Åben Politik for Kultur"))
    lines = [*lines[:at], Line(line, lines[at].page), *lines[at + 1 :]]
    profile = PROFILES["acadre"]
    parts = split_lines(lines, profile, Access.OPEN)
    return [build_item(raw, profile, "Udvalget for Plan, Udvikling og Kultur", None) for raw in parts.items]


def test_a_closed_attachment_line_keeps_only_its_number_in_the_items_text() -> None:
    items = syddjurs_items_with_bilag_line(f"2 Lukket Politik for Kultur {SECRET} 73288/09")
    texts = [s.text for item in items for s in item.sections]  # type: ignore[attr-defined]
    assert not any(SECRET in t for t in texts)
    assert any("Bilag 2 (lukket)" in t for t in texts)
    assert any("Opsamlingsnotat" in t for t in texts)  # the open lines beside it stay
    titles = [a.title for item in items for a in item.attachments]  # type: ignore[attr-defined]
    assert not any(SECRET in t for t in titles)


def test_an_attachment_line_whose_title_marks_it_closed_is_kept_out_of_the_text_too() -> None:
    items = syddjurs_items_with_bilag_line(f"2 Åben Fortroligt notat om {SECRET} 73288/09")
    texts = [s.text for item in items for s in item.sections]  # type: ignore[attr-defined]
    assert not any(SECRET in t for t in texts)
    assert any("Bilag 2 (lukket)" in t for t in texts)
