"""eDagsorden / Agenda Management ``<Publication>`` XML, including the Aarhus variant.

An export is a folder ``PublicationNN/`` holding ``PublicationNN.xml`` (UTF-8 with
BOM, values in CDATA, HTML bodies with named entities) and ``Enclosures/N.pdf``;
Aarhus writes ``publication.xml`` with the enclosure files beside it.

Decisions made here:

* Kind: ``PublicationTypeAsValue`` 1 (Final) is a dagsorden, 2 and 3 are referater.
  0 (Draft/Kladde) is ingested as a *dagsorden* with ``draft=True`` and a warning;
  its feedback fields ("Beslutning") are not read at all, because a draft's
  decision text is unapproved and must never surface as a published referat.
* Access: the publication is open unless ``IsPublic`` says otherwise; an item is
  open only when its ``IsPublic`` says true (missing → closed); an enclosure is
  open only when its item is open, it is not ``IsProtected``, its own
  ``IsPublic`` (when present) is true and its title does not announce it as
  withheld ("Ikke offentliggjort …").  Closed items keep number and title only;
  closed enclosures keep their metadata but their files are never opened.
* Feedback fields (``IsFeedback``) are this meeting's decisions in a referat when
  they are the committee's own ("Beslutning", "FORRETNINGSUDVALGETS BESLUTNING" in
  the Forretningsudvalg); another body's field, and any text in a dagsorden's
  fields, stems from other meetings and goes to history, as does ``ItemHistory``.
* Item ids key on the printed number; the Aarhus whole-meeting entries
  ("Åbent referat"/"Lukket referat", number 0) key on their caption.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from indexer.attachments import attach_file, resolve_file
from indexer.dates import parse_danish_date, parse_danish_datetime
from indexer.formats import FormatError, IngestContext
from indexer.formats._xml import (
    decision_body,
    export_files,
    fallbacks,
    html_section,
    is_placeholder,
    is_true,
    parse_export,
    peek,
    plain_section,
    read_xml,
    root_tag,
    text_of,
    tidy_committee,
)
from indexer.model import (
    Access,
    Attachment,
    Decision,
    Item,
    Meeting,
    MeetingKind,
    Section,
    normalise_key,
    number_by_titles,
)
from indexer.sanitize import html_to_text, sanitize_html

NAME = "publication"

ROOT = "Publication"
DRAFT_VALUES = {"0"}
DAGSORDEN_VALUES = {"1"}
WITHHELD_TITLE = re.compile(r"^\s*(ikke\s+offentliggjort|lukket\s+bilag|fortroligt?)\b", re.IGNORECASE)


def detect(path: Path) -> bool:
    if path.is_dir():
        return bool(_publication_files(path))
    return path.suffix.lower() == ".xml" and root_tag(peek(path)) == ROOT


def _publication_files(folder: Path) -> list[Path]:
    return export_files(
        folder, lambda child: child.is_file() and child.suffix.lower() == ".xml" and root_tag(peek(child)) == ROOT
    )


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    return parse_export(path, _publication_files, lambda file: _parse_file(file, context), "<Publication>")


def _parse_file(path: Path, context: IngestContext) -> Iterator[Meeting]:
    root = read_xml(path, ROOT)
    agendas = root.findall("Agendas/Agenda")
    if not agendas:
        raise FormatError(path, "publication has no Agendas/Agenda")
    for agenda in agendas:
        yield _meeting(path, root, agenda, context)


def _meeting(path: Path, root: etree._Element, agenda: etree._Element, context: IngestContext) -> Meeting:
    warnings: list[str] = []
    type_value = text_of(agenda, "PublicationTypeAsValue") or text_of(root, "PublicationTypeAsValue")
    type_name = (text_of(agenda, "PublicationTypeAsEnum") or text_of(root, "PublicationTypeAsEnum")).casefold()
    draft = type_value in DRAFT_VALUES or type_name in {"draft", "kladde"}
    if draft or type_value in DAGSORDEN_VALUES or type_name == "final":
        kind = MeetingKind.DAGSORDEN
    elif type_value.isdigit():
        kind = MeetingKind.REFERAT
    else:
        kind = MeetingKind.DAGSORDEN
        warnings.append(f"{path}: publication type {type_value or 'missing'!r} unknown; read as dagsorden")
    if draft:
        warnings.append(f"{path}: draft publication (Kladde): read as a dagsorden, decision fields ignored")

    meeting_el = agenda.find("Meeting")
    given = fallbacks(path, context, warnings, location=text_of(meeting_el, "Where"))
    start = parse_danish_datetime(text_of(meeting_el, "When")) or given.start()
    if start is None:
        warnings.append(f"{path}: meeting date missing")

    committee = tidy_committee(text_of(agenda, "Committee/Name")) or given.committee or text_of(agenda, "Name")
    if not committee:
        raise FormatError(path, "no committee name in the publication; pass one explicitly")
    municipality = given.municipality

    meeting_public = is_true(text_of(agenda, "IsPublic") or None)
    access = Access.CLOSED if meeting_public is False else Access.OPEN

    meeting = Meeting(
        municipality=municipality,
        committee=committee,
        start=start,
        kind=kind,
        location=text_of(meeting_el, "Where") or None,
        source=str(path),
        source_format=NAME,
        access=access,
        draft=draft,
        native_id=agenda.get("ID"),
        warnings=warnings,
    )
    _members(meeting, meeting_el)
    folder = path.parent
    for item_el in agenda.findall("Items/Item"):
        meeting.items.append(_item(item_el, meeting, folder, context))
    return meeting.finalise()


def _members(meeting: Meeting, meeting_el: etree._Element | None) -> None:
    if meeting_el is None:
        return
    for member in meeting_el.findall("Members/MeetingMember"):
        name = text_of(member, "Name")
        if not name:
            continue
        status = text_of(member, "ParticipationStatusAsValue") or text_of(member, "Participate")
        # 1 and 4 mean taking part, 0 or nothing means not yet decided; the rest are Afbud/Fravær.
        if status in {"", "0", "1", "4"}:
            meeting.participants.append(name)
        else:
            meeting.absentees.append(name)


def _item(item_el: etree._Element, meeting: Meeting, folder: Path, context: IngestContext) -> Item:
    number = text_of(item_el, "Number")
    title = re.sub(r"\s+", " ", text_of(item_el, "Caption")).strip()
    open_item = meeting.access == Access.OPEN and is_true(text_of(item_el, "IsPublic") or None) is True
    item = Item(
        number=number,
        title=title,
        access=Access.OPEN if open_item else Access.CLOSED,
        source_key=f"0:{title}" if number in {"", "0"} else None,
    )
    if not open_item:
        return item  # closed: number and title only
    item.case_number = text_of(item_el, "Case/Number") or None
    fields = sorted(item_el.findall("Fields/ItemField"), key=_field_order)
    for field in fields:
        caption = text_of(field, "Caption")
        content = field.findtext("Content") or ""
        if is_placeholder(html_to_text(content)):
            continue
        if is_true(text_of(field, "IsFeedback") or None):
            _feedback(item, meeting, caption, content)
            continue
        section = _section(caption, content, item.access)
        if section is not None:
            item.sections.append(section)
    for history in item_el.findall("ItemHistory/ItemField"):
        content = history.findtext("Content") or ""
        text = html_to_text(content)
        if is_placeholder(text):
            continue
        caption = text_of(history, "Caption")
        body = text_of(history, "MeetingDetails/CommitteeName") or decision_body(caption, "")
        item.history.append(
            Decision(
                body=tidy_committee(body),
                date=parse_danish_date(text_of(history, "MeetingDetails/MeetingDueDate")),
                text=text,
                heading=caption,
                html=sanitize_html(content),
            )
        )
    _enclosures(item, item_el, meeting, folder, context)
    return item


def _field_order(field: etree._Element) -> int:
    index = text_of(field, "Index")
    return int(index) if index.isdigit() else 0


def _section(caption: str, content: str, access: Access) -> Section | None:
    if "<" in content:
        return html_section(caption, content, access=access)
    return plain_section(caption, content, access=access)


def _feedback(item: Item, meeting: Meeting, caption: str, content: str) -> None:
    """A Beslutning field: this committee's decision in a referat, history otherwise."""
    if meeting.draft:
        return
    text = html_to_text(content) if "<" in content else content.strip()
    html = sanitize_html(content) if "<" in content else None
    body = decision_body(caption, meeting.committee)
    if meeting.kind == MeetingKind.REFERAT and normalise_key(body) == normalise_key(meeting.committee):
        item.decisions.append(
            Decision(
                body=body,
                date=meeting.meeting_date,
                text=text,
                heading=caption,
                html=html,
            )
        )
    else:
        # A dagsorden cannot hold this meeting's decision, and another body's field
        # ("REGIONSRÅDETS BESLUTNING" in the Forretningsudvalg's referat) is not it either.
        item.history.append(
            Decision(
                body=body,
                date=parse_danish_date(text[:40]),
                text=text,
                heading=caption,
                html=html,
            )
        )


def _enclosures(item: Item, item_el: etree._Element, meeting: Meeting, folder: Path, context: IngestContext) -> None:
    seen: set[str] = set()
    positional: list[Attachment] = []  # enclosures with no <Number> of their own
    for position, enclosure in enumerate(item_el.findall("Enclosures/Enclosure"), start=1):
        native_id = enclosure.get("ID")
        key = native_id or f"#{position}"
        if key in seen:
            continue
        seen.add(key)
        file_name = text_of(enclosure, "FileName")
        title = re.sub(r"\s+", " ", text_of(enclosure, "Name") or Path(file_name).stem).strip()
        own_public = is_true(text_of(enclosure, "IsPublic") or None)
        protected = is_true(text_of(enclosure, "IsProtected") or None)
        is_open = item.is_open and protected is not True and own_public is not False
        is_open = is_open and not WITHHELD_TITLE.match(title)
        journal = text_of(enclosure, "Case/Number") or None
        download = text_of(enclosure, "DownloadUrl")
        attachment = Attachment(
            number=text_of(enclosure, "Number") or str(position),
            title=title,
            access=Access.OPEN if is_open else Access.CLOSED,
            journal_number=journal,
            document_id=native_id,
            url=download if download.startswith(("http://", "https://")) else None,
        )
        if is_open:
            relative = text_of(enclosure, "InstantiationFilePathRelative")
            reference = _first_present(folder, [relative, file_name]) or relative or file_name
            attach_file(attachment, folder, reference or None, meeting.warnings)
        item.attachments.append(attachment)
        if not text_of(enclosure, "Number"):
            positional.append(attachment)
    number_by_titles(item.attachments, positional)


def _first_present(folder: Path, references: list[str]) -> str | None:
    for reference in references:
        if reference and resolve_file(folder, reference) is not None:
            return reference
    return None
