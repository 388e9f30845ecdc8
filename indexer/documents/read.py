"""A whole-meeting document → one Meeting, through the detected (or forced) profile."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from indexer.dates import parse_danish_date
from indexer.documents.extract import DocumentText, ScannedDocumentError, read_document
from indexer.documents.profiles import PROFILES, Profile, detect_profile
from indexer.documents.publish import publication
from indexer.documents.splitter import build_item, split_lines
from indexer.formats import FormatError, IngestContext
from indexer.model import COPENHAGEN, Access, Meeting, MeetingDocument, MeetingKind, PendingCopy
from indexer.municipalities import mentioned_municipalities
from indexer.sidecar import load_sidecar

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# A file name that says the document is the public version, or that it holds closed content.
OPEN_NAME = re.compile(r"(?:^|[^a-zæøå])(?:åben|åbent|aaben|aabent|offentlig)(?:[^a-zæøå]|$)", re.IGNORECASE)
CLOSED_NAME = re.compile(r"lukket|fortrolig", re.IGNORECASE)
HEAD_PAGES = 3


def meeting_facts(text: DocumentText, profile: Profile) -> dict[str, str]:
    """Named groups of the profile's meeting patterns, searched in the first pages."""
    head = "\n".join("\n".join(ln.strip() for ln in page.split("\n") if ln.strip()) for page in text.pages[:HEAD_PAGES])
    facts: dict[str, str] = {}
    for pattern in profile.meeting:
        match = re.search(pattern, head, re.MULTILINE)
        if match:
            for key, value in match.groupdict().items():
                if value and key not in facts:
                    facts[key] = value.strip()
    return facts


def document_access(path: Path, text: DocumentText, profile: Profile) -> Access:
    """Open only when something tells: the family marks every closed item, an open-part
    marker is printed, or the file name says it is the public version. Default deny."""
    name = unicodedata.normalize("NFC", path.name)
    if CLOSED_NAME.search(name):
        return Access.CLOSED
    if profile.unmarked_open or OPEN_NAME.search(name):
        return Access.OPEN
    if profile.open_part:
        marker = re.compile(profile.open_part, re.IGNORECASE)
        if any(marker.match(ln.text) for ln in text.lines):
            return Access.OPEN
    return Access.CLOSED


def read_meeting(path: Path, context: IngestContext, profile_name: str | None = None) -> Meeting:
    try:
        text = read_document(path)
    except ScannedDocumentError as exc:
        raise FormatError(path, str(exc)) from exc
    except Exception as exc:  # pypdf, python-docx and zipfile raise many kinds on a damaged file
        problem = str(exc).splitlines()[0][:160] if str(exc).strip() else ""
        kind = "DOCX" if path.suffix.lower() == ".docx" else "PDF"
        raise FormatError(
            path, f"{kind} cannot be read ({type(exc).__name__}{': ' + problem if problem else ''})"
        ) from exc
    if not any(page.strip() for page in text.pages):
        raise FormatError(path, "no text in the document")
    if profile_name:
        profile = PROFILES[profile_name]
    else:
        found = detect_profile("\n".join(text.pages[: HEAD_PAGES + 2]))
        if found is None:
            raise FormatError(
                path,
                "no layout profile matches this document (known: "
                + ", ".join(f"document-{n}" for n in PROFILES)
                + "); use --format to choose one",
            )
        profile = found
    warnings: list[str] = []
    meta: dict[str, Any] = load_sidecar(path, context, warnings)
    facts = meeting_facts(text, profile)

    committee = facts.get("committee") or meta.get("committee") or ""
    day = parse_danish_date(facts["date"]) if facts.get("date") else None
    day = day or meta.get("meeting_date")
    start: datetime | None = None
    if isinstance(day, date):
        clock = time(0, 0)
        if facts.get("time"):
            hh, mm = re.split(r"[:.]", facts["time"])[:2]
            clock = time(int(hh), int(mm))
        elif isinstance(meta.get("start"), datetime) and meta["start"].date() == day:
            clock = meta["start"].timetz().replace(tzinfo=None)
        start = datetime.combine(day, clock, tzinfo=COPENHAGEN)
    municipality = facts.get("municipality") or ""
    if not municipality:
        named = mentioned_municipalities(committee)
        municipality = named[0] if named else meta.get("municipality", "")
    if not committee:
        warnings.append(f"{path}: no committee printed or given; use --committee or minutes.json")
    if start is None:
        warnings.append(f"{path}: no meeting date printed or given; use --date or minutes.json")

    access = document_access(path, text, profile)
    parts = split_lines(text.lines, profile, access)
    day = start.date() if start else None
    reflow = path.suffix.lower() == ".pdf"
    items = [build_item(raw, profile, committee, day, reflow) for raw in parts.items]
    if not items:
        raise FormatError(path, f"no items found with the {profile.name} layout profile")

    kind_text = (facts.get("kind") or "").casefold()
    if kind_text in {"referat", "beslutningsprotokol"} or re.search(r"referat|protokol", path.name, re.IGNORECASE):
        kind = MeetingKind.REFERAT
    elif kind_text == "dagsorden":
        kind = MeetingKind.DAGSORDEN
    elif isinstance(meta.get("kind"), MeetingKind):
        kind = meta["kind"]
    else:
        kind = MeetingKind.REFERAT if any(i.decisions for i in items) else MeetingKind.DAGSORDEN
    if profile.name == "norddjurs":
        kind = MeetingKind.REFERAT  # a Beslutningsprotokol is the record of decisions

    absentees = [n.strip(" ,.") for n in re.split(r",|\bog\b", facts.get("absent", "")) if n.strip(" ,.")]
    if access == Access.CLOSED:
        warnings.append(f"{path}: whether the document is public cannot be told; all its items are kept closed")
    closed_pages = set(parts.closed_pages)
    if access == Access.CLOSED:
        closed_pages = set(range(1, len(text.pages) + 1))
    # No copy is written here: the index writes it with the pages of items it withholds blank too.
    published = publication(path, closed_pages, len(text.pages), text.dropped_pages)
    document = MeetingDocument(
        number="",
        title=path.name,
        access=Access.OPEN if published else Access.CLOSED,
        file=published if isinstance(published, str) else None,
        pending=published if isinstance(published, PendingCopy) else None,
        media_type=MEDIA_TYPES.get(path.suffix.lower()),
        text_status="extracted",
    )
    if text.ocr_pages:
        warnings.append(f"{path}: pages {', '.join(map(str, text.ocr_pages))} read by OCR (Tesseract, Danish)")
    meeting = Meeting(
        municipality=municipality,
        committee=committee,
        start=start,
        kind=kind,
        items=items,
        location=facts.get("location") or meta.get("location"),
        absentees=absentees,
        source=str(path),
        source_format=f"document-{profile.name}",
        access=access,
        warnings=warnings,
        document=document,
    )
    return meeting.finalise()
