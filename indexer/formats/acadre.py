"""Acadre MM exports: manifest ``XML_<pubid>.xml`` plus ``Files_<pubid>_<docID>/``.

The manifest lists the documents produced for one agenda (dagsorden, referat);
only those marked ``publish=1`` are read.  Each names its agenda file
(``<xmlFusionID>.xml``, whose extension case varies on disk) inside its files
folder, where the enclosures also live.  Both files use a generic
``table/fields/field`` shape: in the manifest the *attribute name* is the key
(``<field publish="1"/>``), in the agenda file ``<field name="key">value</field>``.

Decisions made here:

* Item numbers are Acadre's running ``sort`` numbers (715, …), kept as printed.
* Sections ("bullets") named "Beslutning i <udvalg> den dd-mm-yyyy" are decisions:
  in a referat the one dated on this meeting's day is this item's decision, the
  others are repeated history of earlier meetings.
* Access is open only where the export says "Åben" (publication, item,
  enclosure); anything else is closed.  Closed items keep number and title only;
  closed enclosures keep their metadata but their files are never opened.
* Legacy Word ``.DOC`` enclosures keep their metadata with text_status "legacy-doc".
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
    is_true,
    parse_export,
    peek,
    read_xml,
    root_tag,
)
from indexer.model import Access, Attachment, Decision, Item, Meeting, MeetingKind, number_by_titles

NAME = "acadre"

MANIFEST_NAME = re.compile(r"^XML_[\w-]+\.xml$", re.IGNORECASE)
DECISION_HEADING = re.compile(r"^\s*beslutning\b", re.IGNORECASE)
REFERAT_TYPE = "2"


def detect(path: Path) -> bool:
    if path.is_dir():
        return bool(_manifests(path))
    return _is_manifest(path)


def _is_manifest(path: Path) -> bool:
    if not MANIFEST_NAME.match(path.name) or not path.is_file():
        return False
    head = peek(path)
    return root_tag(head) == "root" and "<table" in head and ("producedAgenda" in head or 'name="agenda"' in head)


def _manifests(folder: Path) -> list[Path]:
    return export_files(folder, _is_manifest)


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    return parse_export(
        path, _manifests, lambda manifest: _parse_manifest(manifest, context), "Acadre manifest (XML_<id>.xml)"
    )


# --- the generic table/fields/field shape ---------------------------------------------------------


def _keyed_by_attribute(fields: etree._Element | None) -> dict[str, str]:
    """Manifest style: ``<field publish="1"/>`` — the attribute name is the key."""
    values: dict[str, str] = {}
    if fields is None:
        return values
    for field in fields.findall("field"):
        for key, value in field.attrib.items():
            values.setdefault(str(key), str(value).strip())
    return values


def _keyed_by_name(table: etree._Element | None) -> dict[str, str]:
    """Agenda-file style: ``<field name="key">value</field>`` of a table's own fields."""
    values: dict[str, str] = {}
    if table is None:
        return values
    for field in table.findall("fields/field"):
        key = field.get("name")
        if key:
            values.setdefault(key, (field.text or "").strip())
    return values


def _table(parent: etree._Element | None, name: str) -> etree._Element | None:
    if parent is None:
        return None
    found = parent.xpath(".//table[@name=$name]", name=name)
    return found[0] if found else None


def _child_tables(parent: etree._Element, name: str) -> list[etree._Element]:
    return [table for table in parent.findall("table") if table.get("name") == name]


# --- manifest ---------------------------------------------------------------------------------------


def _parse_manifest(manifest: Path, context: IngestContext) -> Iterator[Meeting]:
    root = read_xml(manifest)
    if root.tag != "root":
        raise FormatError(manifest, f"expected an Acadre <root> manifest, found <{root.tag}>")
    agenda = _keyed_by_attribute(_fields_of(root, "agenda"))
    committee = _keyed_by_attribute(_fields_of(root, "committee"))
    meeting = _keyed_by_attribute(_fields_of(root, "meeting"))
    produced_table = _table(root, "producedAgenda")
    produced = [_keyed_by_attribute(f) for f in produced_table.findall("fields")] if produced_table is not None else []
    published = [p for p in produced if p.get("publish") == "1"]
    if not published:
        raise FormatError(manifest, "manifest lists no published agenda (publish=1)")
    pub_id = agenda.get("sysid") or manifest.stem.split("_", 1)[-1]
    for document in published:
        folder_name = document.get("filesfolder") or f"Files_{pub_id}_{document.get('docID', '')}"
        folder = resolve_file_folder(manifest.parent, folder_name)
        xml_name = document.get("xmlfilename") or f"{document.get('xmlFusionID', '')}.xml"
        agenda_file = resolve_file(folder, xml_name) if folder is not None else None
        if agenda_file is None:
            raise FormatError(manifest, f"agenda file {folder_name}/{xml_name} not found")
        yield _parse_agenda(agenda_file, manifest, document, agenda, committee, meeting, context)


def _fields_of(root: etree._Element, table_name: str) -> etree._Element | None:
    table = _table(root, table_name)
    return table.find("fields") if table is not None else None


def resolve_file_folder(base: Path, name: str) -> Path | None:
    """The files folder, matched case-insensitively, never outside ``base``."""
    direct = base / name
    try:
        if direct.is_dir() and direct.resolve().parent == base.resolve():
            return direct
    except OSError:  # a name no file system takes (over 255 bytes) is no folder of the export
        return None
    try:
        for child in base.iterdir():
            if child.is_dir() and child.name.casefold() == name.casefold():
                return child
    except OSError:
        return None
    return None


# --- agenda file ------------------------------------------------------------------------------------


def _parse_agenda(
    path: Path,
    manifest: Path,
    document: dict[str, str],
    manifest_agenda: dict[str, str],
    manifest_committee: dict[str, str],
    manifest_meeting: dict[str, str],
    context: IngestContext,
) -> Meeting:
    root = read_xml(path)
    if root.tag != "root":
        raise FormatError(path, f"expected an Acadre <root> agenda, found <{root.tag}>")
    warnings: list[str] = []
    agenda = _keyed_by_name(_table(root, "agenda"))
    committee_table = _table(root, "committee")
    meeting_table = _table(root, "meeting")
    committee_fields = _keyed_by_name(committee_table)
    meeting_fields = _keyed_by_name(meeting_table)

    kind_name = (agenda.get("name") or manifest_agenda.get("name") or "").casefold()
    is_referat = document.get("type") == REFERAT_TYPE or kind_name.startswith("referat")
    kind = MeetingKind.REFERAT if is_referat else MeetingKind.DAGSORDEN

    given = fallbacks(manifest, context, warnings)
    start = parse_danish_datetime(meeting_fields.get("date") or manifest_meeting.get("date")) or given.start()
    if start is None:
        warnings.append(f"{path}: meeting date missing")

    committee = committee_fields.get("name") or manifest_committee.get("name") or given.committee or ""
    if not committee:
        raise FormatError(path, "no committee name in the agenda; pass one explicitly")
    municipality = given.municipality

    access_marks = [document.get("access"), agenda.get("accessname")]
    opened = [is_true(mark) for mark in access_marks if mark]
    access = Access.OPEN if opened and all(flag is True for flag in opened) else Access.CLOSED

    meeting = Meeting(
        municipality=municipality,
        committee=re.sub(r"\s+", " ", committee).strip(),
        start=start,
        kind=kind,
        location=meeting_fields.get("location") or None,
        source=str(manifest),
        source_format=NAME,
        access=access,
        native_id=f"{manifest_agenda.get('sysid', '')}:{document.get('xmlFusionID', '')}",
        warnings=warnings,
    )
    if meeting_table is not None:
        for members in _child_tables(meeting_table, "meetmember"):
            for member in _child_tables(members, "member"):
                fields = _keyed_by_name(member)
                name = re.sub(r"\s+", " ", fields.get("name", "")).strip()
                if name:
                    (meeting.absentees if fields.get("absent") == "1" else meeting.participants).append(name)

    parents = root.xpath(".//table[@name='agendaitemparents']")
    parents.sort(key=lambda table: _sort_key(_keyed_by_name(table).get("sort", "")))
    for parent in parents:
        meeting.items.append(_item(parent, meeting, path.parent, context))
    return meeting.finalise()


def _sort_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 30, value)


def _item(parent: etree._Element, meeting: Meeting, folder: Path, context: IngestContext) -> Item:
    number = _keyed_by_name(parent).get("sort", "")
    item_tables = _child_tables(parent, "agendaitem")
    item_table = item_tables[0] if item_tables else None
    fields = _keyed_by_name(item_table)
    title = re.sub(r"\s+", " ", fields.get("name", "")).strip()
    is_open = meeting.access == Access.OPEN and is_true(fields.get("accessname")) is True
    item = Item(number=number, title=title, access=Access.OPEN if is_open else Access.CLOSED)
    if not is_open or item_table is None:
        return item  # closed: number and title only
    item.case_number = fields.get("caseno") or None
    bullets = sorted(
        _child_tables(item_table, "bullet"), key=lambda b: _sort_key(_keyed_by_name(b).get("bulletsortorder", ""))
    )
    for bullet in bullets:
        values = _keyed_by_name(bullet)
        heading = values.get("bulletname", "")
        section = html_section(heading, values.get("bulletcontent", ""), access=item.access)
        if section is None:
            continue
        if DECISION_HEADING.match(heading):
            decided_on = parse_danish_date(heading)
            decision = Decision(
                body=decision_body(heading, meeting.committee),
                date=decided_on or (meeting.meeting_date if meeting.kind == MeetingKind.REFERAT else None),
                text=section.text,
                heading=section.heading,
                html=section.html,
            )
            this_meeting = meeting.kind == MeetingKind.REFERAT and decision.date == meeting.meeting_date
            (item.decisions if this_meeting else item.history).append(decision)
            continue
        item.sections.append(section)
    enclosures = sorted(
        _child_tables(item_table, "enclosure"), key=lambda e: _sort_key(_keyed_by_name(e).get("sort", ""))
    )
    positional: list[Attachment] = []  # enclosures with no sort number of their own
    for position, enclosure in enumerate(enclosures, start=1):
        values = _keyed_by_name(enclosure)
        enclosure_open = is_true(values.get("accessname")) is True
        attachment = Attachment(
            number=values.get("sort") or str(position),
            title=re.sub(r"\s+", " ", values.get("name") or values.get("filename", "")).strip(),
            access=Access.OPEN if enclosure_open else Access.CLOSED,
            journal_number=values.get("fileno") or None,
            document_id=values.get("fusionID") or values.get("sysid") or None,
        )
        if enclosure_open:
            attach_file(attachment, folder, values.get("filename") or None, meeting.warnings)
        item.attachments.append(attachment)
        if not values.get("sort"):
            positional.append(attachment)
    number_by_titles(item.attachments, positional)
    return item
