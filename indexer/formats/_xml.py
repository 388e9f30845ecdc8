"""Shared pieces for the ESDH XML exports (Publication, Acadre, SBSYS).

One hardened parser (no entity expansion, no network, no DTDs), cheap
peeking for ``detect``, and the small decisions every XML format makes the
same way: what counts as "true", how an HTML body becomes a Section, how a
section caption tells a recommendation from a body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from lxml import etree

from indexer.formats import FormatError, IngestContext, read_input
from indexer.model import COPENHAGEN, Access, Meeting, Section, SectionKind
from indexer.municipalities import municipality_from_location
from indexer.sanitize import html_to_text, sanitize_html
from indexer.sidecar import load_sidecar

PEEK_BYTES = 4096
UTF8_BOM = b"\xef\xbb\xbf"

# Characters XML 1.0 forbids (eDoc and friends emit form feeds, as raw bytes or &#xC;).
_BAD_CHAR_REFS = re.compile(rb"&#(?:x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-9]|2[0-9]|3[01]));")
_BAD_RAW_CHARS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


# Byte order marks and the first bytes of "<?xml" in the wide encodings, longest first.
_WIDE = [
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
]
_DECLARED_ENCODING = re.compile(rb"^(<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']")


def _wide_encoding(data: bytes) -> str | None:
    """The UTF-16/32 encoding a document's byte order mark or first bytes show, or None."""
    for start, encoding in _WIDE:
        if data.startswith(start):
            return encoding
    return None


def as_utf8(path: Path, data: bytes) -> bytes:
    """A UTF-16 or UTF-32 document re-encoded as UTF-8 (its declaration saying so); other
    documents unchanged.  Done before anything strips NUL bytes, which would corrupt it."""
    encoding = _wide_encoding(data)
    if encoding is None:
        return data
    try:
        text = data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"not valid {encoding.upper()} text (byte {exc.start})") from exc
    return _DECLARED_ENCODING.sub(rb"\1", text.encode("utf-8"), count=1)


def read_xml(path: Path, root_tag: str | None = None) -> etree._Element:
    """Parse ``path`` safely; anything unreadable, or a document whose root is not
    ``root_tag``, becomes a FormatError naming it."""
    data = _BAD_RAW_CHARS.sub(b"", _BAD_CHAR_REFS.sub(b"", as_utf8(path, read_input(path))))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FormatError(path, f"malformed XML: {str(exc).splitlines()[0][:160]}") from exc
    if root is None:
        raise FormatError(path, "no XML document element")
    if root_tag is not None and root.tag != root_tag:
        raise FormatError(path, f"expected a <{root_tag}> document, found <{root.tag}>")
    return root


def export_files(folder: Path, is_export: Callable[[Path], bool]) -> list[Path]:
    """The files of ``folder`` that ``is_export`` claims, in name order."""
    try:
        return [child for child in sorted(folder.iterdir()) if is_export(child)]
    except OSError:
        return []


def parse_export(
    path: Path,
    find_files: Callable[[Path], list[Path]],
    parse_file: Callable[[Path], Iterator[Meeting]],
    what: str,
) -> Iterator[Meeting]:
    """The shared ``parse`` of the XML formats: the file itself, or every export file in a folder."""
    files = find_files(path) if path.is_dir() else [path]
    if not files:
        raise FormatError(path, f"no {what} XML file in this folder")
    for file in files:
        yield from parse_file(file)


def peek(path: Path, size: int = PEEK_BYTES) -> str:
    """The first bytes of a file as text (BOM dropped), for detectors."""
    try:
        with path.open("rb") as fh:
            head = fh.read(size)
    except OSError:
        return ""
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    encoding = _wide_encoding(head)
    if encoding is not None:  # two or four bytes a character: as many characters as UTF-8 gives
        width = 4 if "32" in encoding else 2
        try:
            with path.open("rb") as fh:
                head = fh.read(size * width)
        except OSError:
            return ""
        return head[: len(head) // width * width].decode(encoding, errors="replace").removeprefix("\ufeff")
    return head.decode("utf-8", errors="replace")


_ROOT_TAG = re.compile(r"<([A-Za-z_\u00c0-\u024f][\w.\-\u00c0-\u024f]*)[\s>/]")


def root_tag(head: str) -> str | None:
    """Name of the document element in a peeked head (skipping prolog, comments, doctype)."""
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.DOTALL)
    match = _ROOT_TAG.search(text)
    return match.group(1) if match else None


def text_of(element: etree._Element | None, path: str | None = None) -> str:
    """Stripped text of ``element`` (or of its child at ``path``); '' when absent."""
    if element is None:
        return ""
    target = element.find(path) if path else element
    if target is None or target.text is None:
        return ""
    return target.text.strip()


def is_true(value: str | None) -> bool | None:
    """'true'/'1'/'ja'/'åben' → True, 'false'/'0'/'nej'/'lukket' → False, else None (unknown)."""
    if value is None:
        return None
    folded = value.strip().casefold()
    if folded in {"true", "1", "ja", "yes", "åben", "åbent", "aaben", "aabent", "open", "public"}:
        return True
    if folded in {"false", "0", "nej", "no", "lukket", "closed", "protected"}:
        return False
    return None


def tidy_committee(name: str) -> str:
    """All-capitals names ("FORRETNINGSUDVALGET") read as ordinary names."""
    name = re.sub(r"\s+", " ", name).strip()
    if name.isupper() and len(name) > 3:
        return name[:1] + name[1:].lower()
    return name


def section_kind(heading: str) -> SectionKind:
    folded = heading.casefold()
    if "indstilling" in folded:
        return SectionKind.RECOMMENDATION
    if "tidligere" in folded or "sagens forløb" in folded:
        return SectionKind.HISTORY
    return SectionKind.BODY


def html_section(heading: str, raw_html: str, kind: SectionKind | None = None, *, access: Access) -> Section | None:
    """A Section from an HTML body, or None when the body has no text.

    ``access`` is the item's unless the source marks the section itself: there is no default."""
    text = html_to_text(raw_html or "")
    if not text:
        return None
    heading = re.sub(r"\s+", " ", heading).strip()
    return Section(
        heading=heading,
        text=text,
        html=sanitize_html(raw_html),
        kind=kind or section_kind(heading),
        access=access,
    )


def plain_section(heading: str, raw_text: str, kind: SectionKind | None = None, *, access: Access) -> Section | None:
    """A Section from plain (multi-line) text, or None when empty."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in (raw_text or "").splitlines()]
    text = "\n".join(lines).strip()
    if not text:
        return None
    heading = re.sub(r"\s+", " ", heading).strip()
    return Section(heading=heading, text=text, html=None, kind=kind or section_kind(heading), access=access)


def decision_body(heading: str, fallback: str) -> str:
    """Who decided, from a caption: "Beslutning i Økonomiudvalget den …" → "Økonomiudvalget",
    "FORRETNINGSUDVALGETS BESLUTNING" → "Forretningsudvalget"; else ``fallback``."""
    clean = re.sub(r"\s+", " ", heading).strip()
    match = re.match(r"(?i)beslutning\s+(?:i|på|fra)\s+(?P<body>.+?)(?:\s+den\s+.*)?$", clean)
    if match:
        return match.group("body").strip()
    match = re.match(r"(?i)(?P<body>\S+?)s\s+beslutning$", clean)
    if match:
        return tidy_committee(match.group("body"))
    return fallback


def is_placeholder(text: str) -> bool:
    """Generator filler such as "Tomt indhold" that carries no content."""
    return text.strip().casefold().rstrip(".") in {"", "tomt indhold"}


@dataclass
class Fallbacks:
    """What the command line or a ``minutes.json`` beside the export says, for what the XML lacks.

    ESDH exports never name their municipality, so it always comes from here."""

    municipality: str
    committee: str | None
    meeting_date: date | None

    def start(self) -> datetime | None:
        if self.meeting_date is None:
            return None
        return datetime.combine(self.meeting_date, time(0, 0), tzinfo=COPENHAGEN)


def fallbacks(path: Path, context: IngestContext, warnings: list[str], location: str | None = None) -> Fallbacks:
    """What the sidecar or the command line gives; a municipality neither names is the one whose
    town hall the meeting's ``location`` names (``municipality_from_location``)."""
    meta = load_sidecar(path, context, warnings)
    municipality = str(meta.get("municipality") or "") or municipality_from_location(location)
    if not municipality:
        warnings.append(f"{path}: municipality not named in the export; pass it explicitly")
    day = meta.get("meeting_date")
    return Fallbacks(
        municipality=municipality,
        committee=str(meta["committee"]) if meta.get("committee") else None,
        meeting_date=day if isinstance(day, date) else None,
    )
