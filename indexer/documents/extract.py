"""Text of a whole-meeting document, page by page, with what is not content removed.

PDF text comes from pypdf's plain extraction (chosen on measured quality, see
``benchmarks/document_extraction.py`` and the README): it reads every sample in
reading order with exact Danish letters, tolerates the eDoc file's syntax errors
and is already a dependency.  DOCX is read with python-docx in body order
(paragraphs and table cells), split into pages at explicit page breaks.  Pages
without a text layer are scanned pages: they are rasterised with poppler's
``pdftoppm`` and read with Tesseract's Danish model when both are installed;
otherwise ``ScannedDocumentError`` says so, and nothing is read empty.

``clean_pages`` then drops running headers and footers (lines repeated at the
same place on most pages), page numbers, tables of contents, signature pages,
and joins words hyphenated at line ends.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis.lexicon import is_known

# A page with fewer letters than this in its text layer is taken for a scan.
MIN_PAGE_LETTERS = 25
OCR_TIMEOUT_S = 120
OCR_DPI = 300


class ScannedDocumentError(Exception):
    """Scanned pages and no OCR to read them: the file is kept for a later run."""


@dataclass
class Line:
    text: str
    page: int  # 1-based page of the source document


@dataclass
class DocumentText:
    pages: list[str]  # raw text of each page, as extracted
    lines: list[Line] = field(default_factory=list)  # cleaned content lines in reading order
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR
    # Pages whose lines were dropped as not content (table of contents, signature page).
    dropped_pages: set[int] = field(default_factory=set)


def read_document(path: Path) -> DocumentText:
    """Extract and clean a PDF or DOCX whole-meeting document."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        pages = docx_pages(path)
        ocr: list[int] = []
    else:
        pages, ocr = pdf_pages(path)
    # NFC: a PDF's text layer may write "å" as "a" and a ring; the profiles' patterns spell it composed.
    pages = [unicodedata.normalize("NFC", page).replace("\xa0", " ") for page in pages]
    text = DocumentText(pages=pages, ocr_pages=ocr)
    text.lines = clean_pages(pages, text.dropped_pages)
    return text


# --------------------------------------------------------------------------- PDF


def _pdf_reader(path: Path) -> object:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return pypdf.PdfReader(str(path), strict=False)


def _page_text(page: object) -> str:
    try:
        return page.extract_text() or ""  # type: ignore[attr-defined]
    except Exception:  # pypdf raises many kinds on broken content streams; keep the rest
        return ""


def _has_image(page: object) -> bool:
    """A page that draws an image: what a scanned page is, unlike a blank one."""
    try:
        resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
        xobjects = resources.get("/XObject") or {}
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:
        return False


def pdf_page_texts(path: Path, max_pages: int | None = None) -> list[str]:
    """The text layer of each page (pypdf, non-strict: damaged files are read as far as they go)."""
    reader = _pdf_reader(path)
    pages = reader.pages if max_pages is None else reader.pages[:max_pages]  # type: ignore[attr-defined]
    return [_page_text(page) for page in pages]


def is_scanned_page(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) < MIN_PAGE_LETTERS


def ocr_available() -> bool:
    """Tesseract with its Danish model, and pdftoppm to rasterise pages."""
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "dan" in out.stdout.split()


def pdf_pages(path: Path) -> tuple[list[str], list[int]]:
    """Page texts; scanned pages (an image and no text) OCR'd. Raises ScannedDocumentError when
    they cannot be read."""
    reader = _pdf_reader(path)
    pages: list[str] = []
    scanned: list[int] = []
    for number, page in enumerate(reader.pages, start=1):  # type: ignore[attr-defined]
        text = _page_text(page)
        pages.append(text)
        if is_scanned_page(text) and _has_image(page):
            scanned.append(number)
    if not scanned:
        return pages, []
    if not ocr_available():
        if sum(not is_scanned_page(t) for t in pages) < len(pages) / 2:
            raise ScannedDocumentError(
                f"scanned — OCR not available ({len(scanned)} of {len(pages)} pages are images without text; "
                "install tesseract-ocr, tesseract-ocr-dan and poppler-utils and ingest it again)"
            )
        return pages, []  # a picture among text pages; the text is read, the picture is not
    read: list[int] = []
    for number in scanned:
        try:
            pages[number - 1] = ocr_page(path, number)
            read.append(number)
        except (OSError, subprocess.SubprocessError):
            continue  # a page the rasteriser cannot draw stays as it is
    return pages, read


def ocr_page(path: Path, number: int) -> str:
    """Rasterise one page and read it with Tesseract's Danish model."""
    with tempfile.TemporaryDirectory(prefix="minutes-ocr-") as tmp:
        stem = Path(tmp) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(OCR_DPI),
                "-gray",
                "-f",
                str(number),
                "-l",
                str(number),
                "-png",
                str(path),
                str(stem),
            ],
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            check=True,
        )
        images = sorted(Path(tmp).glob("page*.png"))
        if not images:
            return ""
        out = subprocess.run(
            ["tesseract", str(images[0]), "stdout", "-l", "dan", "--psm", "4"],
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            check=True,
            # One thread: pages are read one after another, and ingest already runs a process per core.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        return out.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_pages(path: Path) -> list[str]:
    """Paragraphs and table cells in body order; a new page at each explicit page break."""
    import docx

    document = docx.Document(str(path))
    pages: list[list[str]] = [[]]

    def paragraph_text(element: object) -> tuple[str, bool]:
        parts: list[str] = []
        brk = False
        for node in element.iter():  # type: ignore[attr-defined]
            tag = node.tag
            if tag == f"{_W}t":
                parts.append(node.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag == f"{_W}br":
                if node.get(f"{_W}type") == "page":
                    brk = True
                else:
                    parts.append("\n")
        return "".join(parts), brk

    def table_lines(table: object) -> list[str]:
        out: list[str] = []
        for row in table.findall(f"{_W}tr"):  # type: ignore[attr-defined]
            cells = []
            for cell in row.findall(f"{_W}tc"):
                cell_lines: list[str] = []
                for child in cell:
                    if child.tag == f"{_W}p":
                        cell_lines.extend(paragraph_text(child)[0].split("\n"))
                    elif child.tag == f"{_W}tbl":
                        cell_lines.extend(table_lines(child))
                cells.append([t for t in cell_lines if t.strip()])
            # A row of label and value reads as one line ("Sagsnr.: 12/27845").
            if len(cells) == 2 and len(cells[0]) == 1 and cells[0][0].strip().endswith(":"):
                out.append(f"{cells[0][0].strip()} {' '.join(cells[1]).strip()}")
            elif cells and all(len(c) <= 1 for c in cells):
                out.append("\t".join(c[0] if c else "" for c in cells))  # one row, one line
            else:
                for cell_lines in cells:
                    out.extend(cell_lines)
        return out

    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            text, brk = paragraph_text(block)
            pages[-1].extend(text.split("\n"))
            # A section break (sectPr in the paragraph's properties) starts a new page too.
            if brk or block.find(f"{_W}pPr/{_W}sectPr") is not None:
                pages.append([])
        elif block.tag == f"{_W}tbl":
            pages[-1].extend(table_lines(block))
    return ["\n".join(lines) for lines in pages]


# --------------------------------------------------------------------------- cleaning

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:side|page)\s*\d+(?:\s*(?:af|of|/)\s*\d+)?|\d+\s*(?:af|of|/)\s*\d+|-?\s*\d{1,3}\s*-?)\s*$", re.IGNORECASE
)
_TOC_HEADING = re.compile(r"^\s*(indholdsfortegnelse|indhold)\s*$", re.IGNORECASE)
_TOC_LEADER = re.compile(r"(?:\.{4,}|…{2,}|\s\.\s\.\s\.)\s*\d{1,3}\s*$")
_TOC_ENTRY = re.compile(r"(?:\s|\.)\d{1,3}\s*$")
_TOC_FURNITURE = re.compile(
    r"^\s*(?:punkt(?: nr\.?)?\s*(?:side)?|side|åbent? (?:referat|dagsorden)|lukket (?:referat|dagsorden)|åbne punkter|lukkede punkter)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^\s*(underskriftsside|underskrifter|underskriftsblad)\s*$", re.IGNORECASE)
_HYPHEN_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"^([a-zæøå]\w*)(.*)$", re.DOTALL)
HEAD_LINES = 6
FOOT_LINES = 4


def _shape(line: str) -> str:
    """A line with its digits masked: "Side 3" and "Side 4" are one running footer."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip())).casefold()


def running_lines(pages: list[list[str]]) -> set[tuple[str, int]]:
    """(shape, position) of lines repeated at the same place at the top or bottom of most pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[tuple[str, int]] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        seen = set()
        for pos, line in enumerate(content[:HEAD_LINES]):
            seen.add((_shape(line), pos))
        for pos, line in enumerate(reversed(content[-FOOT_LINES:])):
            seen.add((_shape(line), -1 - pos))
        counts.update(seen)
    need = max(3, int(len(pages) * 0.5 + 0.999))
    return {key for key, n in counts.items() if n >= need}


def clean_pages(raw_pages: list[str], dropped_pages: set[int] | None = None) -> list[Line]:
    """Content lines in reading order, with page furniture removed."""
    pages = [[ln.rstrip() for ln in text.replace("\r", "").replace("\xa0", " ").split("\n")] for text in raw_pages]
    running = running_lines(pages)
    out: list[Line] = []
    in_toc = False
    for number, lines in enumerate(pages, start=1):
        content = [ln for ln in lines if ln.strip()]
        kept: list[str] = []
        for pos, line in enumerate(content):
            shape = _shape(line)
            from_end = pos - len(content)
            if (shape, pos) in running or (shape, from_end) in running:
                continue
            if (pos < HEAD_LINES or from_end >= -FOOT_LINES) and _PAGE_NUMBER.match(line):
                continue
            kept.append(line.strip())
        page_lines: list[str] = []
        for index, line in enumerate(kept):
            if _TOC_HEADING.match(line):
                in_toc = True  # to the end of the page (a table of contents fills its own page)
                if dropped_pages is not None:
                    dropped_pages.add(number)
                continue
            if in_toc:
                if (
                    _TOC_ENTRY.search(line)
                    or _TOC_FURNITURE.match(line)
                    or (
                        index + 1 < len(kept)
                        and _TOC_ENTRY.search(kept[index + 1])
                        and not _TOC_ENTRY.search(line)
                        and not re.match(r"^\s*\d+\.", kept[index + 1])
                    )
                ):
                    continue
                in_toc = False  # the first line that is no entry ends the table of contents
            if _TOC_LEADER.search(line):
                continue
            if _SIGNATURE.match(line):
                if dropped_pages is not None:
                    dropped_pages.add(number)
                break  # the signature page holds names and lines only
            page_lines.append(line)
        in_toc = False
        out.extend(Line(text, number) for text in page_lines)
    return join_hyphenation(out)


def join_hyphenation(lines: list[Line]) -> list[Line]:
    """Join a word split at a line end: "bygningsvedlige-" + "holdelse"; keep real compounds' hyphens."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _HYPHEN_END.search(line.text)
        if match and i + 1 < len(lines):
            following = _WORD_START.match(lines[i + 1].text)
            if following:
                head, tail_word, rest = match.group(1), following.group(1), following.group(2)
                joined = head + tail_word
                word = re.sub(r"\W+$", "", joined.casefold())
                glue = "" if is_known(word) and not head.isupper() else "-"
                text = line.text[: match.start(1)] + head + glue + tail_word
                rest = rest.lstrip()
                out.append(Line(text, line.page))
                if rest:
                    lines[i + 1] = Line(rest, lines[i + 1].page)
                    i += 1
                else:
                    i += 2
                continue
        out.append(line)
        i += 1
    return out
