"""eDoc (KMD/Fujitsu eDoc 4) ``eDocAgendaPublishing.xml`` exports.

One folder per meeting (named by its date) holding the XML and the PDFs it
names.  The XML has no item sections: each item's ``FullText`` is the printed
page as plain text with headings inline (Sammendrag, Sagsfremstilling,
Indstilling, "<Udvalg>s beslutning den …"), so sections are recovered from a
list of the headings eDoc prints.  Items come in no particular order and are
sorted by number.  Attachments carry their own extracted ``FullText``; the PDF
is still resolved so a missing file is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from indexer.attachments import attach_file
from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.formats import FormatError, IngestContext
from indexer.formats._xml import peek, read_xml, root_tag, text_of
from indexer.model import (
    Access,
    Attachment,
    Decision,
    Item,
    Meeting,
    MeetingKind,
    Section,
    SectionKind,
    number_by_titles,
)
from indexer.municipalities import municipality_from_location

NAME = "edoc"
MAIN_FILE = "edocagendapublishing.xml"
PUBLISHED = "skal publiceres"

# Headings eDoc prints on their own line inside an item's FullText.
KNOWN_HEADINGS = {
    "sammendrag": SectionKind.BODY,
    "resumé": SectionKind.BODY,
    "resume": SectionKind.BODY,
    "baggrund": SectionKind.BODY,
    "sagsfremstilling": SectionKind.BODY,
    "økonomiske konsekvenser og finansiering": SectionKind.BODY,
    "økonomiske konsekvenser": SectionKind.BODY,
    "økonomi": SectionKind.BODY,
    "lovgrundlag": SectionKind.BODY,
    "retsgrundlag": SectionKind.BODY,
    "høring": SectionKind.BODY,
    "kommunikation": SectionKind.BODY,
    "tidsplan": SectionKind.BODY,
    "bilag": SectionKind.BODY,
    "beslutningen træffes af": SectionKind.BODY,
    "indstilling": SectionKind.RECOMMENDATION,
}
_DECISION_LINE = re.compile(
    r"^(?P<body>.+?)s? beslutning den (?P<date>\d{1,2}\.\d{1,2}\.\d{4})(?:\s+Punkt\s+\S+)?\s*$", re.IGNORECASE
)
_EARLIER_LINE = re.compile(r"^(?P<body>[A-ZÆØÅ][^\n]+?) den (?P<date>\d{1,2}\.\s*\w+ \d{4})\s+Punkt\s+\S+\s*$")
_ABSENT_LINE = re.compile(r"^Følgende deltog ikke i behandlingen af punktet:?\s*$", re.IGNORECASE)
_CASE_NUMBER = re.compile(r"^Sagsnr\.:\s*(?P<value>\S+)", re.MULTILINE)
_DOC_NUMBER = re.compile(r"^Dok\.nr\.:\s*(?P<value>\S+)", re.MULTILINE)
_ENCLOSURE_LINE = re.compile(r"^(?P<journal>\d{4}\s*[-–]\s*\d+)\s+-\s+(?P<title>.+?)\s*$", re.MULTILINE)


def detect(path: Path) -> bool:
    """The export's XML file itself, or a meeting folder that holds one."""
    if path.is_dir():
        return _main_file(path) is not None
    if path.name.casefold() == MAIN_FILE:
        return True
    if path.suffix.casefold() != ".xml":
        return False
    head = peek(path)
    return root_tag(head) == "Meeting" and "<MeetingAgendaTypes" in head and "<MeetingDate>" in head


def _main_file(folder: Path) -> Path | None:
    try:
        for child in folder.iterdir():
            if child.name.casefold() == MAIN_FILE and child.is_file():
                return child
    except OSError:
        return None
    return None


def parse(path: Path, context: IngestContext) -> Iterator[Meeting]:
    source = _main_file(path) if path.is_dir() else path
    if source is None:
        raise FormatError(path, f"no {MAIN_FILE} in folder")
    root = read_xml(source)
    if root.tag != "Meeting":
        raise FormatError(source, f"not an eDoc agenda export (root <{root.tag}>)")
    yield _meeting(root, source, context)


def _meeting(root: etree._Element, source: Path, context: IngestContext) -> Meeting:
    committee = text_of(root, "Committee") or (context.committee or "")
    raw_date = text_of(root, "MeetingDate")
    start = parse_danish_datetime(raw_date)
    if start is None and context.meeting_date is not None:
        start = parse_danish_datetime(context.meeting_date.isoformat())
    state = text_of(root, "MeetingState").casefold()
    kind = MeetingKind.REFERAT if state.startswith("referat") and "ikke" not in state else MeetingKind.DAGSORDEN
    meeting = Meeting(
        municipality=context.municipality or "",
        committee=committee,
        start=start,
        kind=kind,
        source=str(source),
        source_format=NAME,
        access=Access.OPEN,
    )
    if not committee:
        raise FormatError(source, "no committee in <Committee>")
    if start is None:
        meeting.warnings.append(f"{source}: meeting date {raw_date!r} not understood")

    items: list[Item] = []
    for agenda in root.findall("MeetingAgendaTypes/MeetingAgendaType"):
        agenda_type = text_of(agenda, "AgendaType")
        open_agenda = "lukket" not in agenda_type.casefold() and bool(agenda_type)
        full_text = text_of(agenda, "FullText")
        if open_agenda and full_text:
            _read_front_page(full_text, meeting)
        for element in agenda.findall("MeetingAgendaItems/MeetingAgendaItem"):
            items.append(_item(element, open_agenda, source.parent, meeting, context))
    if not items:
        raise FormatError(source, "no agenda items")
    items.sort(key=lambda item: _number_key(item.number))
    meeting.items = items
    if not meeting.municipality:
        meeting.municipality = municipality_from_location(meeting.location)
        if not meeting.municipality:
            meeting.warnings.append(f"{source}: municipality not stated; give it with --municipality")
    return meeting.finalise()


def _number_key(number: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", number)
    return tuple(int(p) for p in parts) if parts else (10**9,)


def _read_front_page(full_text: str, meeting: Meeting) -> None:
    """Location, participants and absentees from the agenda's printed front page."""
    lines = [line.strip() for line in full_text.splitlines()]
    for index, line in enumerate(lines):
        if re.search(r"\bden \d{1,2}\. \w+ \d{4}", line) and index + 1 < len(lines):
            following = lines[index + 1]
            if following.startswith("i "):
                meeting.location = following[2:].strip()
            break
    meeting.participants = _block_after(lines, "tilstede")
    meeting.absentees = _block_after(lines, "afbud/fraværende")


def _block_after(lines: list[str], heading: str) -> list[str]:
    """The non-empty lines under ``heading`` up to the next blank-line-separated block."""
    try:
        start = next(i for i, line in enumerate(lines) if line.casefold() == heading)
    except StopIteration:
        return []
    block: list[str] = []
    for line in lines[start + 1 :]:
        if not line:
            if block:
                break
            continue
        if line.casefold() in {"sekretær", "afbud/fraværende", "indholdsfortegnelse"}:
            break
        block.append(line)
    return block


def _item(element: etree._Element, open_agenda: bool, folder: Path, meeting: Meeting, context: IngestContext) -> Item:
    document = element.find("Document")
    number = text_of(element, "AgendaItemNumber")
    title = text_of(document, "Title")
    neutral = text_of(document, "NeutralTitle")
    published = text_of(document, "PublishingType").casefold() == PUBLISHED
    access = Access.OPEN if open_agenda and published else Access.CLOSED
    full_text = text_of(element, "FullText")
    item = Item(
        number=number,
        title=(title or neutral) if access == Access.OPEN else (neutral or "Lukket punkt"),
        access=access,
        source_key=document.get("documentid") if document is not None else None,
    )
    case = _CASE_NUMBER.search(full_text)
    item.case_number = case.group("value") if case else None
    if access == Access.OPEN:
        _read_sections(full_text, item)
    journals = {
        _fold(m.group("title")): re.sub(r"\s+", "", m.group("journal")).replace("–", "-")
        for m in _ENCLOSURE_LINE.finditer(full_text)
    }
    nodes = document.findall("Attachments/Attachment") if document is not None else []
    for index, node in enumerate(nodes, start=1):
        item.attachments.append(_attachment(node, index, item, journals, folder, meeting, context))
    number_by_titles(item.attachments, item.attachments)  # eDoc numbers them by place only
    if (
        len(item.attachments) == 1
        and len(journals) == 1
        and item.attachments[0].is_open
        and item.attachments[0].journal_number is None
    ):
        item.attachments[0].journal_number = next(iter(journals.values()))  # titles differ in wording only
    return item


def _fold(value: str) -> str:
    return re.sub(r"[\W_]+", " ", value.replace("’", "'")).casefold().strip()


def _attachment(
    node: etree._Element,
    index: int,
    item: Item,
    journals: dict[str, str],
    folder: Path,
    meeting: Meeting,
    context: IngestContext,
) -> Attachment:
    title = text_of(node, "Title") or text_of(node, "NeutralTitle")
    published = text_of(node, "PublishingType").casefold() == PUBLISHED
    # A closed one keeps no title (``model.Attachment``): its NeutralTitle is the title reworded
    # ("Bygningsliste og prioriteringssystem"), naming the closed matter all the same.
    attachment = Attachment(
        number=str(index),
        title=title,
        access=Access.OPEN if item.is_open and published else Access.CLOSED,
        document_id=node.get("attachmentid"),
        journal_number=journals.get(_fold(title)),
    )
    if not attachment.is_open:
        # A closed attachment's file is never looked for: its name is not written to a warning
        # ("… attachment file not found"), and neither its file nor its text goes further.
        return attachment
    embedded = _clean_text(node.findtext("FullText") or "")
    attach_file(attachment, folder, text_of(node, "PDFDocument") or None, meeting.warnings)
    if embedded:
        attachment.text = embedded
        attachment.text_status = "extracted"
    return attachment


def _clean_text(text: str) -> str:
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class _Block:
    heading: str
    kind: SectionKind
    lines: list[str] = field(default_factory=list)
    decision: Decision | None = None
    earlier: Decision | None = None


def _read_sections(full_text: str, item: Item) -> None:
    """Split the item's printed text at the headings eDoc puts on their own lines."""
    lines = [line.rstrip() for line in full_text.splitlines()]
    blocks: list[_Block] = [_Block("", SectionKind.BODY)]
    absent_mode = False
    for raw in lines:
        line = raw.strip()
        if absent_mode:
            if line:
                item.absentees.append(line)
            continue
        if not blocks[0].lines and blocks[0].heading == "" and len(blocks) == 1 and _is_title_line(line, item):
            continue
        if _CASE_NUMBER.match(line) or _DOC_NUMBER.match(line):
            continue
        decision = _DECISION_LINE.match(line)
        if decision:
            body = decision.group("body").strip()
            blocks.append(
                _Block(
                    line,
                    SectionKind.DECISION,
                    decision=Decision(body=body, date=parse_danish_date(decision.group("date")), text="", heading=line),
                )
            )
            continue
        earlier = _EARLIER_LINE.match(line)
        if earlier and not blocks[-1].lines:
            item.history.append(
                Decision(
                    body=earlier.group("body").strip(),
                    date=parse_danish_date(earlier.group("date")),
                    text="",
                    heading=line,
                )
            )
            continue
        if _ABSENT_LINE.match(line):
            absent_mode = True
            continue
        known = KNOWN_HEADINGS.get(line.casefold())
        if known is not None:
            blocks.append(_Block(line, known))
            continue
        blocks[-1].lines.append(line)
    for block in blocks:
        text = _clean_text("\n".join(block.lines))
        if block.decision is not None:
            block.decision.text = text
            if text:
                item.decisions.append(block.decision)
        if not text:
            continue
        item.sections.append(Section(heading=block.heading, text=text, kind=block.kind, access=item.access))


def _is_title_line(line: str, item: Item) -> bool:
    return not line or bool(re.match(rf"^{re.escape(item.number)}\.\s", line))
