"""Plain-text agenda items (.txt, .md), as committee portals let one copy them out.

One file holds one meeting; it may hold several items.  The layout, one
paragraph per line group::

    3. Sociale medier i arbejdsmæssig sammenhæng     <- title, optional "<nr>. " prefix
    Åben Sag                                         <- or "Lukket Sag": starts an item
    Sagsgang
    OA                                               <- the route
    Sagsfremstilling
    …
    Indstilling
    …
    Beslutning i Områdeudvalget for Administrationen den 05-12-2022
    …
    Fraværende:
    <one name a line, or comma separated>
    Bilag:
    <rows "1 - | Åben | title | (journal no.) | (H) |" then "| document id |", or
     plain lines "1 - Åben - title (journal no.) document id">

Separator convention: items simply follow one another; every item starts
with its title line directly followed by an "Åben Sag"/"Lukket Sag" line.  A
line of dashes, equals signs or a form feed between items is ignored.

The access line is read leniently where it closes and strictly where it opens,
so that an unclear line never publishes closed text:

* closed: "Lukket" or "Lukkede", alone or with sag/punkt/dagsordenspunkt, in any
  case, with end punctuation or a parenthesised reason ("Lukket Sag.",
  "LUKKET PUNKT:", "Lukket sag (personsag)"); and any other short line that
  begins with the word "Lukket"/"Lukkede" ("Lukket sag, jf. § 10"; with a
  capital, so wrapped prose is not meant) -- a line that says closed but cannot
  be read is closed, never text of the item above;
* open: "Åben" or "Åbent" with sag/punkt/dagsordenspunkt, the same
  punctuation and reason; a bare "Åben" (a table cell copied onto its own line,
  say) starts nothing, and an access line that mentions "lukk" anywhere
  ("Åben sag (lukket bilag)") is closed.

A file with no such marker but a "Beslutning i … den …" line is read as one
item whose title is the first line; its access is then unknown, so it is
treated as closed (and a warning says so).

Committee, meeting date and municipality come from the sidecar (command line
or ``minutes.json``) and otherwise from the "Beslutning i <body> den <date>"
line; the municipality is never guessed.  A meeting with a decision is a
referat, else a dagsorden.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from indexer.attachments import attach_file, resolve_file
from indexer.dates import parse_danish_date
from indexer.formats import FormatError, IngestContext, decode_text, read_input
from indexer.model import (
    Access,
    Attachment,
    Decision,
    Item,
    Meeting,
    MeetingKind,
    Section,
    SectionKind,
    title_marks_closed,
)
from indexer.sidecar import load_sidecar, sidecar_start

NAME = "agenda-text"

SUFFIXES = {".txt", ".md"}
PEEK_BYTES = 64 * 1024

# The access line that starts an item (see the module docstring): decoration such as "**", "_" or a
# bullet around it, end punctuation and a parenthesised reason are allowed.
_MARKER_DECOR = r"[\s*_•-]*"
_MARKER_TAIL = r"\s*(?:\((?P<reason>[^()]*)\))?\s*[.:;!]?" + _MARKER_DECOR + "$"
_OPEN_MARKER = re.compile(
    "^" + _MARKER_DECOR + r"(?:åben|åbent)\s+(?:sag|punkt|dagsordenspunkt)" + _MARKER_TAIL, re.IGNORECASE
)
_CLOSED_MARKER = re.compile(
    "^"
    + _MARKER_DECOR
    + r"(?:lukket|lukkede)(?:\s+(?:sag|sager|punkt|punkter|dagsordenspunkt|dagsordenspunkter))?"
    + _MARKER_TAIL,
    re.IGNORECASE,
)
# Any other short line that opens with the word: it says closed, so it is read as closed.  Written
# with a capital: a line of hard-wrapped prose ("lukket for trafik i juli.") does not start an item.
_CLOSED_LEAD = re.compile("^" + _MARKER_DECOR + r"(?:Lukket|Lukkede|LUKKET|LUKKEDE)\b")
MAX_MARKER_CHARS = 80
_DECISION_LINE = re.compile(r"^beslutning\s+i\s+(?P<body>.+?)\s+den\s+(?P<date>.+?)\s*:?$", re.IGNORECASE)
_DECISION_ANYWHERE = re.compile(r"(?im)^[#*\s]*beslutning\s+i\s+.+?\s+den\s+\d")
_NUMBERED_TITLE = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)\.?\s+(?P<title>\S.*)$")
_SEPARATOR = re.compile(r"^(?:[-=_*~]{3,}|\f)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")

# Headings the portals print; any other short line without end punctuation
# that directly follows a paragraph is also taken as a heading.
KNOWN_HEADINGS = {
    "sagsgang", "sagsfremstilling", "indstilling", "beslutning", "baggrund", "resumé", "resume",
    "økonomiske konsekvenser", "økonomi", "lovgrundlag", "høring", "vurdering", "tidsplan",
    "kommunikation", "beslutningstema", "sagens indhold", "sagsbeskrivelse", "bilag", "fraværende",
    "sammenhæng til andre politikker/strategier og fagområder", "administrationens vurdering",
    "supplerende sagsfremstilling", "miljøvurdering", "personalemæssige konsekvenser",
}  # fmt: skip


@dataclass
class _RawItem:
    title_line: str
    access: Access
    lines: list[str] = field(default_factory=list)


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        return False
    with path.open("rb") as fh:
        head = fh.read(PEEK_BYTES)
    text = decode_text(head, errors="replace")  # a wide character may be cut at the end
    lines = [_strip_markup(line) for line in text.splitlines()]
    if any(_OPEN_MARKER.match(line) or _CLOSED_MARKER.match(line) for line in lines):
        return True
    return bool(_DECISION_ANYWHERE.search(text))


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    yield from _read(path, context)


def _read(path: Path, context: IngestContext, listed: list[str] | None = None) -> Iterator[Meeting]:
    """The meetings of a text agenda; with ``listed``, the attachments' titles as printed, closed
    ones too, are added to it (``referenced_files``: a closed attachment's title is not kept)."""
    text = decode_text(read_input(path))
    if "\x00" in text:
        raise FormatError(path, "binary file, not a text agenda")
    warnings: list[str] = []
    meta = load_sidecar(path, context, warnings)
    lines = [_strip_markup(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    raw_items = _split_items(lines)
    if not raw_items:
        if not _DECISION_ANYWHERE.search(text):
            raise FormatError(path, "no agenda item found (no 'Åben Sag'/'Lukket Sag' marker or decision line)")
        content = [line for line in lines if line]
        raw_items = [_RawItem(content[0], Access.CLOSED, content[1:])]
        warnings.append(f"{path}: no 'Åben Sag'/'Lukket Sag' marker; item treated as closed")
    items = [_build_item(raw, path, warnings, listed) for raw in raw_items]
    for item in items:
        for attachment in item.attachments:
            if not attachment.is_open:
                continue  # a closed attachment's file is never looked for (see referenced_files)
            # A file of the printed name beside the text is used; its absence is normal.
            found = _attachment_file(path.parent, attachment.title)
            if found is not None:
                attach_file(attachment, path.parent, found.name, warnings)

    committee = meta.get("committee") or ""
    start = sidecar_start(meta)
    own = _meeting_decision(items)
    if not committee and own is not None:
        committee = own[0]
    if start is None and own is not None and own[1] is not None:
        start = datetime(own[1].year, own[1].month, own[1].day)
    _assign_decisions(items, committee)
    if not committee:
        warnings.append(f"{path}: committee unknown (no decision line, no manifest or --committee)")
    if start is None:
        warnings.append(f"{path}: meeting date unknown (no decision line, no manifest or --date)")

    kind = meta.get("kind")
    if not isinstance(kind, MeetingKind):
        kind = MeetingKind.REFERAT if any(item.decisions for item in items) else MeetingKind.DAGSORDEN
    meeting = Meeting(
        municipality=meta.get("municipality", ""),
        committee=committee,
        start=start,
        kind=kind,
        items=items,
        location=meta.get("location"),
        source=str(path),
        source_format=NAME,
        access=Access.OPEN,  # text copied from a public portal page; each item says Åben/Lukket Sag
        partial=True,  # one copied item (or a few) of the meeting: never withdraws the others
        warnings=warnings,
    )
    yield meeting.finalise()


def _attachment_file(folder: Path, title: str) -> Path | None:
    """The file beside the text named as the attachment is printed, with or without a suffix."""
    found = resolve_file(folder, title)
    if found is not None or not title.strip() or "/" in title or "\\" in title:
        return found
    wanted = unicodedata.normalize("NFC", title.strip()).casefold()
    try:
        matches = sorted(
            child
            for child in folder.iterdir()
            if child.is_file() and unicodedata.normalize("NFC", child.stem).casefold() == wanted
        )
    except OSError:
        return None
    return matches[0] if matches else None


def referenced_files(path: Path) -> set[Path]:
    """The files beside ``path`` that it names as attachments, open or closed: read with it (an
    open one) or not at all (a closed one), never as inputs of their own."""
    listed: list[str] = []
    try:
        for _ in _read(path, IngestContext(extract_text=False), listed):
            pass
    except (FormatError, OSError, ValueError):
        return set()
    found = (_attachment_file(path.parent, title) for title in listed)
    return {file.resolve() for file in found if file is not None}


def _strip_markup(line: str) -> str:
    """Plain line: no markdown heading hashes, emphasis stars or stray spaces."""
    line = line.replace("\xa0", " ").strip()
    if line.startswith("#"):
        line = line.lstrip("#").strip()
    if line.startswith("**") and line.endswith("**") and len(line) > 4:
        line = line[2:-2].strip()
    return re.sub(r"[ \t]+", " ", line)


def marker_access(line: str) -> Access | None:
    """The access an item's access line states, or None when the line is no access line.

    Closed wins whenever the line says "lukk…": a closed marker in any wording, and a short line
    that begins with "Lukket"/"Lukkede" but is not one of the known wordings (default deny: it
    starts a closed item rather than being appended to the open item above it)."""
    if len(line) > MAX_MARKER_CHARS:
        return None
    if _CLOSED_MARKER.match(line) or _CLOSED_LEAD.match(line):
        return Access.CLOSED
    if _OPEN_MARKER.match(line):
        return Access.CLOSED if "lukk" in line.casefold() else Access.OPEN
    return None


def _split_items(lines: list[str]) -> list[_RawItem]:
    """Cut the file where a title line is followed by an access marker."""
    content = [(i, line) for i, line in enumerate(lines) if line and not _SEPARATOR.match(line)]
    starts: list[tuple[int, Access]] = []
    for pos, (_, line) in enumerate(content):
        access = marker_access(line)
        if access is not None and pos > 0:
            starts.append((pos - 1, access))
    items: list[_RawItem] = []
    for n, (pos, access) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(content)
        body_first = content[pos + 2][0] if pos + 2 < len(content) else len(lines)
        body_last = content[end - 1][0] + 1 if end - 1 > pos + 1 else body_first
        items.append(_RawItem(content[pos][1], access, lines[body_first:body_last]))
    return items


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks; table rows stay separate lines."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line or _SEPARATOR.match(line):
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
    paragraphs: list[str] = []
    for block in blocks:
        if not block:
            continue
        if any(line.startswith("|") or line.count("|") >= 2 for line in block):
            paragraphs.extend(block)
        elif len(block) > 1 and all(_looks_like_heading(line) for line in block[:1]) and _is_known(block[0]):
            paragraphs.append(block[0])
            paragraphs.append(" ".join(block[1:]))
        else:
            paragraphs.append(" ".join(block))
    return paragraphs


def _is_known(line: str) -> bool:
    return line.rstrip(":").strip().casefold() in KNOWN_HEADINGS


def _looks_like_heading(line: str) -> bool:
    text = line.rstrip(":").strip()
    if not text or len(text) > 80 or text[-1] in ".,;!?)" or "|" in text:
        return False
    return text[0].isupper() and len(text.split()) <= 8 and not re.search(r"\d", text)


def _build_item(raw: _RawItem, path: Path, warnings: list[str], listed: list[str] | None = None) -> Item:
    number = ""
    title = raw.title_line
    numbered = _NUMBERED_TITLE.match(title)
    if numbered:
        number, title = numbered["number"], numbered["title"].strip()
    item = Item(number=number, title=title, access=raw.access)
    paragraphs = _paragraphs(raw.lines)

    heading: str | None = None
    kind = SectionKind.BODY
    decision: Decision | None = None
    mode = "text"  # text | route | absentees | attachments
    buffer: list[str] = []
    attachment_rows: list[str] = []

    def flush() -> None:
        nonlocal buffer
        body = "\n\n".join(buffer).strip()
        buffer = []
        if decision is not None:
            decision.text = body
            item.decisions.append(decision)
            item.sections.append(
                Section(heading=decision.heading, text=body, kind=SectionKind.DECISION, access=item.access)
            )
        elif heading is not None and body:
            item.sections.append(Section(heading=heading, text=body, kind=kind, access=item.access))
        elif heading is None and body:
            item.sections.append(Section(heading="", text=body, kind=SectionKind.BODY, access=item.access))

    previous_was_heading = True
    for para in paragraphs:
        bare = para.rstrip(":").strip()
        folded = bare.casefold()
        decision_match = _DECISION_LINE.match(bare)
        is_heading = decision_match is not None or _is_known(bare)
        if not is_heading and mode == "text" and not previous_was_heading and _looks_like_heading(para):
            is_heading = True
        if mode == "absentees" and not (decision_match or _is_known(bare)):
            item.absentees.extend(_names(para))
            continue
        if mode == "attachments" and not (decision_match or _is_known(bare)):
            attachment_rows.append(para)
            continue
        if mode == "route" and not is_heading:
            item.route = para.strip()
            mode = "text"
            previous_was_heading = False
            continue
        if is_heading:
            if mode == "text":
                flush()
            heading, kind, decision, mode = bare, SectionKind.BODY, None, "text"
            if decision_match:
                heading, kind = bare, SectionKind.DECISION
                decision = Decision(
                    body=decision_match["body"].strip(),
                    date=parse_danish_date(decision_match["date"]),
                    text="",
                    heading=bare,
                )
            elif folded == "sagsgang":
                mode = "route"
            elif folded == "fraværende":
                mode = "absentees"
                inline = para.split(":", 1)[1].strip() if ":" in para else ""
                if inline:
                    item.absentees.extend(_names(inline))
            elif folded == "bilag":
                mode = "attachments"
            elif folded.startswith("indstilling"):
                kind = SectionKind.RECOMMENDATION
            elif folded.startswith("beslutning"):
                kind = SectionKind.DECISION
            previous_was_heading = True
            continue
        buffer.append(para)
        previous_was_heading = False
    if mode == "text" or decision is not None:
        flush()
    item.attachments = _attachments(attachment_rows, item.access, path, warnings, listed)
    if item.access == Access.CLOSED:
        for section in item.sections:
            section.access = Access.CLOSED
    return item


def _names(text: str) -> list[str]:
    parts = re.split(r",\s*|\s+og\s+", text.strip().rstrip("."))
    return [p.strip() for p in parts if p.strip() and p.strip().casefold() != "ingen"]


_ROW_START = re.compile(r"^(?P<number>\d{1,3})\s*-?$")
_PLAIN_ROW = re.compile(
    r"^(?P<number>\d{1,3})\s*[-.]\s*(?:(?P<access>åben|åbent|lukket)\s*[-|]?\s*)?(?P<title>.+?)"
    r"(?:\s*\((?P<journal>[^()]*\d[^()]*)\))?(?:\s*\((?P<flag>[A-ZÆØÅ]{1,3})\))?(?:\s+(?P<docid>\d{4,}))?$",
    re.IGNORECASE,
)


def _attachments(
    rows: list[str], item_access: Access, path: Path, warnings: list[str], listed: list[str] | None = None
) -> list[Attachment]:
    """Read the Bilag block: markdown-ish table rows or plain lines.  Each title as printed is added
    to ``listed`` when given (a closed attachment's is not kept on it)."""
    if not rows:
        return []
    if any("|" in row for row in rows):
        return _table_attachments(rows, item_access, path, warnings, listed)
    found = []
    for row in rows:
        match = _PLAIN_ROW.match(row.strip().lstrip("-• ").strip())
        if not match:
            # The line is quoted only where it may be read: a closed item's, or one that says
            # "lukket" or is marked closed otherwise ("Fortroligt …"), may name the closed matter.
            quoted = item_access == Access.OPEN and "lukk" not in row.casefold() and not title_marks_closed(row)
            warnings.append(f"{path}: attachment line not understood" + (f": {row[:80]!r}" if quoted else ""))
            continue
        if listed is not None:
            listed.append(match["title"].strip(" -|"))
        found.append(
            Attachment(
                number=match["number"],
                title=match["title"].strip(" -|"),
                access=_attachment_access(match["access"], item_access),
                journal_number=match["journal"],
                document_id=match["docid"],
            )
        )
    return found


def _table_attachments(
    rows: list[str], item_access: Access, path: Path, warnings: list[str], listed: list[str] | None = None
) -> list[Attachment]:
    """Cells are read in order: "<nr> -", access, title, "(journal)", "(flag)", then the document id,
    which the portals print on the following row."""
    cells: list[str] = []
    for row in rows:
        if _TABLE_RULE.match(row.strip()):
            continue
        cells.extend(cell.strip() for cell in row.strip().strip("|").split("|") if cell.strip())
    rows_read: list[_TableRow] = []
    for cell in cells:
        start = _ROW_START.match(cell)
        if start:
            rows_read.append(_TableRow(start["number"]))
            continue
        if not rows_read:
            continue  # header debris such as "-"
        current = rows_read[-1]
        lowered = cell.casefold()
        if lowered in ("åben", "åbent", "lukket"):
            current.marker = lowered
        elif re.fullmatch(r"\d{4,}", cell):
            current.document_id = cell
        elif re.fullmatch(r"\(([^()]*\d[^()]*)\)", cell):
            current.journal_number = cell[1:-1].strip()
        elif re.fullmatch(r"\([A-ZÆØÅ]{1,3}\)", cell):
            continue  # a flag such as (H): how the document is filed
        else:
            current.title.append(cell)
    found = []
    for entry in rows_read:
        # Built once all its cells are read: the access cell comes before the title, and a closed
        # attachment keeps no title (``model.Attachment``), so one made closed first stayed closed.
        if not entry.title:
            warnings.append(f"{path}: attachment {entry.number} has no title")
        elif listed is not None:
            listed.append(" ".join(entry.title))
        found.append(
            Attachment(
                number=entry.number,
                title=" ".join(entry.title) or f"Bilag {entry.number}",
                access=_attachment_access(entry.marker, item_access),
                journal_number=entry.journal_number,
                document_id=entry.document_id,
            )
        )
    return found


@dataclass
class _TableRow:
    """One attachment's cells as read from a table, before its access is known."""

    number: str
    marker: str | None = None
    title: list[str] = field(default_factory=list)
    journal_number: str | None = None
    document_id: str | None = None


def _attachment_access(marker: str | None, item_access: Access) -> Access:
    if item_access == Access.CLOSED or marker is None:
        return Access.CLOSED
    return Access.OPEN if marker.casefold() in ("åben", "åbent") else Access.CLOSED


def _meeting_decision(items: list[Item]) -> tuple[str, date | None] | None:
    """The body and date most items end with: the meeting these minutes record."""
    votes: Counter[tuple[str, date | None]] = Counter()
    for item in items:
        if item.decisions:
            last = item.decisions[-1]
            votes[(last.body, last.date)] += 1
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], kv[0][1] or date.min))[0]


def _assign_decisions(items: list[Item], committee: str) -> None:
    """Decisions by other bodies than this meeting's are history, not this item's decision."""
    if not committee:
        return
    key = committee.casefold()
    for item in items:
        own = [d for d in item.decisions if d.body.casefold() == key]
        if not own or len(own) == len(item.decisions):
            continue
        item.history.extend(d for d in item.decisions if d.body.casefold() != key)
        item.decisions = own
        for section in item.sections:
            if section.kind == SectionKind.DECISION and not any(section.heading == d.heading for d in own):
                section.kind = SectionKind.HISTORY
