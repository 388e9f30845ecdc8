"""eDoc Fujitsu "AgendaWeb" XML (namespace ``http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/``).

AgendaWeb writes a new rendering of a meeting into a timestamped folder each
time the agenda is published again (``…/2017-04-21 12.00.48/<guid>.xml``,
``…/2017-04-21 12.24.03/<guid>.xml``), each beside an ``Attachments`` folder.
Renderings of one meeting share its ``MeetingIdentifier``; the newest one
supersedes the others, so a folder holding several yields each meeting once.
Item ids come from the ``HandlingItem`` GUIDs, which survive re-rendering, so
re-ingesting is idempotent even when item numbers shift.

Access: ``OutputFilterIsPublic=false`` marks the unfiltered rendering, which
carries closed items flagged per item; so each item is open only when its own
``AccessIsPublic`` says so, and an attachment only when its item is open and
the attachment itself is ``Public``.  Closed items keep no text at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from indexer.attachments import attach_file
from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.formats import FormatError, IngestContext
from indexer.formats._xml import html_section, is_true, peek, read_xml
from indexer.model import Access, Attachment, Decision, Item, Meeting, MeetingKind, SectionKind
from indexer.municipalities import municipality_from_location
from indexer.sanitize import html_to_text

NAME = "edoc-fujitsu"
CLAIMS_SUBFOLDERS = True  # parse reads every AgendaWeb XML under the folder
NAMESPACE = "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"
NS = {"e": NAMESPACE}
UNRELEASED = {"beslutning ikke frigivet", ""}
FILE_SUFFIX = re.compile(r"\.(?:msg|docx?|pdf|txt|xlsx?|pptx?|rtf|odt|html?)$", re.IGNORECASE)
RENDERING_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T_](\d{2})[.:](\d{2})[.:](\d{2})")


def detect(path: Path) -> bool:
    """An AgendaWeb XML file, a rendering folder holding one, or a folder of rendering folders."""
    if path.is_file():
        return _is_agenda_xml(path)
    if not path.is_dir():
        return False
    if _has_agenda_xml(path):
        return True
    try:
        subfolders = [child for child in path.iterdir() if child.is_dir() and not child.name.startswith(".")]
    except OSError:
        return False
    renderings = [folder for folder in subfolders if _has_agenda_xml(folder)]
    others = [folder for folder in subfolders if folder not in renderings and any(folder.glob("*.xml"))]
    return bool(renderings) and not others


def _is_agenda_xml(path: Path) -> bool:
    return path.suffix.casefold() == ".xml" and NAMESPACE in peek(path) and "<Root" in peek(path, 512)


def _has_agenda_xml(folder: Path) -> bool:
    try:
        return any(_is_agenda_xml(child) for child in folder.iterdir() if child.is_file())
    except OSError:
        return False


@dataclass
class _Rendering:
    meeting: Meeting
    key: tuple[str, str]  # (meeting identifier, kind)
    stamp: datetime
    source: Path


def parse(path: Path, context: IngestContext) -> Iterator[Meeting]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*.xml") if _is_agenda_xml(p))
    if not files:
        raise FormatError(path, "no AgendaWeb XML found")
    renderings: list[_Rendering] = []
    failures: list[FormatError] = []
    for file in files:
        try:
            renderings.append(_rendering(file, context))
        except FormatError as exc:
            if len(files) == 1:
                raise
            failures.append(exc)
    if not renderings:
        raise failures[0]
    newest: dict[tuple[str, str], _Rendering] = {}
    for rendering in renderings:
        current = newest.get(rendering.key)
        if current is None or _rank(rendering) > _rank(current):
            newest[rendering.key] = rendering
    for rendering in renderings:
        winner = newest[rendering.key]
        if winner is not rendering:
            winner.meeting.warnings.append(f"{rendering.source}: older rendering, superseded by {winner.source}")
    for index, rendering in enumerate(newest.values()):
        if index == 0:
            rendering.meeting.warnings.extend(str(exc) for exc in failures)
        yield rendering.meeting


def _rank(rendering: _Rendering) -> tuple[datetime, int]:
    return rendering.stamp, len(rendering.meeting.items)


def _stamp(source: Path) -> datetime:
    """When the rendering was made: its folder's timestamp, else the file's mtime."""
    match = RENDERING_STAMP.search(source.parent.name)
    if match:
        try:
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            pass
    return datetime.fromtimestamp(source.stat().st_mtime)


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _rendering(source: Path, context: IngestContext) -> _Rendering:
    root = read_xml(source)
    if etree.QName(root).localname != "Root" or root.find("e:Committee", NS) is None:
        raise FormatError(source, "not an AgendaWeb agenda (no edoc:Committee)")
    committee_node = root.find("e:Committee", NS)
    meeting_node = committee_node.find("e:Meeting", NS) if committee_node is not None else None
    if meeting_node is None:
        raise FormatError(source, "no edoc:Meeting in edoc:Committee")
    committee = re.sub(r"\s+", " ", _text(committee_node, "e:Name")) or (context.committee or "")
    if not committee:
        raise FormatError(source, "no committee name")
    raw_date = _text(meeting_node, "e:MeetingDateTime")
    start = parse_danish_datetime(raw_date)
    output_type = _text(root, "e:OutputTypeEnumName").casefold()
    agenda_type = _text(meeting_node, "e:Agenda/e:Type").casefold()
    is_agenda = output_type == "agenda" or (not output_type and agenda_type == "dagsorden")
    meeting = Meeting(
        municipality=context.municipality or "",
        committee=committee,
        start=start,
        kind=MeetingKind.DAGSORDEN if is_agenda else MeetingKind.REFERAT,
        location=_text(meeting_node, "e:MeetingLocation") or None,
        source=str(source),
        source_format=NAME,
        access=Access.OPEN,
        native_id=_text(meeting_node, "e:MeetingIdentifier") or None,
    )
    if start is None:
        meeting.warnings.append(f"{source}: meeting date {raw_date!r} not understood")
    meeting.municipality = meeting.municipality or municipality_from_location(meeting.location)
    if not meeting.municipality:
        meeting.warnings.append(f"{source}: municipality not stated; give it with --municipality")
    for participant in meeting_node.iterfind("e:MeetingParticipants/e:MeetingParticipant", NS):
        name = re.sub(r"\s+", " ", _text(participant, "e:Name"))
        if not name:
            continue
        if is_true(_text(participant, "e:Participate")) is False:
            meeting.absentees.append(name)
        else:
            meeting.participants.append(name)
    elements = meeting_node.findall("e:Agenda/e:AgendaElements/e:AgendaElement", NS)
    if not elements:
        raise FormatError(source, "no agenda elements")
    elements.sort(key=lambda e: _int(_text(e, "e:SortOrder")))
    for element in elements:
        meeting.items.append(_item(element, meeting, source.parent, context))
    key = (meeting.native_id or f"{committee}|{raw_date}", meeting.kind.value)
    return _Rendering(meeting.finalise(), key, _stamp(source), source)


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 10**9


def _item(element: etree._Element, meeting: Meeting, folder: Path, context: IngestContext) -> Item:
    handling = element.find("e:HandlingItem", NS)
    public = is_true(_text(element, "e:AccessIsPublic")) is True
    access_name = _text(element, "e:AccessName").casefold()
    if "fortrolig" in access_name or "lukket" in access_name:
        public = False
    title = _text(handling, "e:Title")
    neutral = _text(handling, "e:NeutralTitle")
    item = Item(
        number=_text(handling, "e:SerialNo"),
        title=(title or neutral) if public else (neutral or "Lukket punkt"),
        access=Access.OPEN if public else Access.CLOSED,
        case_number=_text(handling, "e:CaseNumber") or None,
        source_key=_text(handling, "e:Identifier") or _text(element, "e:Identifier") or None,
    )
    if handling is None:
        meeting.warnings.append(f"{meeting.source}: agenda element {item.source_key} has no HandlingItem")
        return item
    if public:
        _read_presentations(handling, item, meeting)
        _read_handling_plan(handling, item, meeting)
    for node in handling.iterfind("e:Attachments/e:Attachment", NS):
        item.attachments.append(_attachment(node, item, folder, meeting, context))
    return item


def _read_presentations(handling: etree._Element, item: Item, meeting: Meeting) -> None:
    for presentation in handling.iterfind("e:CasePresentations/e:CasePresentation", NS):
        heading = _text(presentation, "e:Title")
        content = _text(presentation, "e:Content")
        is_decision = is_true(_text(presentation, "e:IsDecision")) is True
        section = html_section(heading, content, SectionKind.DECISION if is_decision else None, access=item.access)
        if section is None:
            continue
        item.sections.append(section)
        if is_decision:
            item.decisions.append(
                Decision(
                    body=meeting.committee,
                    date=meeting.meeting_date,
                    text=section.text,
                    heading=heading,
                    html=section.html,
                )
            )


def _read_handling_plan(handling: etree._Element, item: Item, meeting: Meeting) -> None:
    """The case's treatments: this meeting's released decision, and the others as history."""
    for step in handling.iterfind("e:HandlingPlan/e:Handling", NS):
        raw_decision = _text(step, "e:Decision")
        text = html_to_text(raw_decision) if "<" in raw_decision else raw_decision
        for absence in step.iterfind("e:HandlingAbsences/e:HandlingAbsence", NS):
            name = re.sub(r"\s+", " ", _text(absence, "e:Name"))
            if name and _text(step, "e:Placement").casefold() == "this":
                item.absentees.append(name)
        if text.casefold() in UNRELEASED:
            continue
        body = _text(step, "e:CommitteeName") or meeting.committee
        when = parse_danish_date(_text(step, "e:MeetingDate"))
        decision = Decision(body=body, date=when, text=text, heading=f"Beslutning i {body}")
        if _text(step, "e:Placement").casefold() == "this":
            if meeting.kind == MeetingKind.REFERAT and not item.decisions:
                item.decisions.append(decision)
        else:
            item.history.append(decision)


def _attachment(node: etree._Element, item: Item, folder: Path, meeting: Meeting, context: IngestContext) -> Attachment:
    public = item.is_open and _text(node, "e:AccessEnumName").casefold() == "public"
    neutral = f"Bilag {_text(node, 'e:AttachmentNumber')}".strip()
    # Titles are original file names; a closed one may name the closed matter.
    title = (FILE_SUFFIX.sub("", _text(node, "e:Title")).strip() or neutral) if public else neutral
    attachment = Attachment(
        number=_text(node, "e:AttachmentNumber"),
        title=title,
        access=Access.OPEN if public else Access.CLOSED,
        journal_number=_text(node, "e:DocumentNumber") or None,
        document_id=_text(node, "e:Identifier") or None,
    )
    if public:  # a closed attachment's file is never looked for, nor named in a warning
        attach_file(attachment, folder, _text(node, "e:Link") or None, meeting.warnings)
    return attachment
