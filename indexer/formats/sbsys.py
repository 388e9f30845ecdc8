"""SBSYS ``<Dagsorden>`` XML, with Danish element and attribute names.

Shape (attributes on ``Dagsorden``, ``Møde``, ``Dagsordenpunkt`` and ``Bilag``)::

    <Dagsorden DagsordenID Åben Dagsordentype="Dagsorden|Referat" Tillægsdagsorden>
      <Møde MødeID UdvalgID Udvalg Mødedato="27. august 2018" Mødetid="16:00" Mødested …/>
      <Dagsordenpunkter>                          (several blocks when there are tillæg)
        [<Gruppe navn="Åbne dagsordenspunkter"> | <Gruppe navn="Lukkede dagsordenspunkter">]
          <Dagsordenpunkt DagsordenpunktID Nummer Åbent>
            <Overskrift>…</Overskrift>
            <Indhold><Sagsfremstilling>HTML</Sagsfremstilling> …</Indhold>
            <Bilagsliste><Bilag BilagID Navn BilagUrl MaaPubliceres/></Bilagsliste>

Section titles are the element names inside ``Indhold`` (``_`` read as a space); the
bodies are HTML, either escaped/CDATA text or inline elements.

Decisions made here:

* Access: the publication is open only with ``Åben="true"``; an item is open when
  ``Åbent="true"``, or, lacking the attribute, when it sits in a group named
  "Åbne …"; a bilag is open only with ``MaaPubliceres="true"`` on an open item.
  Anything else is closed.  Closed items keep number and title only; closed
  bilag keep their metadata, their files are never opened.
* ``Beslutning`` sections are this meeting's decisions in a referat; in a
  dagsorden they can only repeat earlier decisions and go to history.
* ``BilagUrl`` that is a web address becomes the attachment's URL; otherwise it is
  a path inside the export folder.  ``preview.xml`` is never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from indexer.attachments import attach_file
from indexer.dates import parse_danish_datetime
from indexer.formats import FormatError, IngestContext
from indexer.formats._xml import (
    export_files,
    fallbacks,
    html_section,
    is_placeholder,
    is_true,
    parse_export,
    peek,
    read_xml,
    root_tag,
    tidy_committee,
)
from indexer.model import Access, Attachment, Decision, Item, Meeting, MeetingKind, Section, number_by_titles

NAME = "sbsys"

ROOT = "Dagsorden"
SKIPPED_FILES = {"preview.xml"}
DECISION = re.compile(r"^beslutning\b", re.IGNORECASE)


def detect(path: Path) -> bool:
    if path.is_dir():
        return bool(_agenda_files(path))
    return _is_agenda_file(path)


def _is_agenda_file(path: Path) -> bool:
    return (
        path.suffix.lower() == ".xml"
        and path.name.casefold() not in SKIPPED_FILES
        and path.is_file()
        and root_tag(peek(path)) == ROOT
    )


def _agenda_files(folder: Path) -> list[Path]:
    return export_files(folder, _is_agenda_file)


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    return parse_export(path, _agenda_files, lambda file: _parse_file(file, context), "SBSYS <Dagsorden>")


def _parse_file(path: Path, context: IngestContext) -> Iterator[Meeting]:
    root = read_xml(path, ROOT)
    warnings: list[str] = []
    meeting_el = root.find("Møde")
    if meeting_el is None:
        raise FormatError(path, "no <Møde> element")

    type_name = (root.get("Dagsordentype") or "").strip().casefold()
    kind = MeetingKind.REFERAT if type_name.startswith("referat") else MeetingKind.DAGSORDEN
    if type_name not in {"dagsorden", "referat"}:
        warnings.append(f"{path}: Dagsordentype {type_name or 'missing'!r} unknown; read as {kind.value}")

    given = fallbacks(path, context, warnings)
    when = f"{meeting_el.get('Mødedato', '')} {meeting_el.get('Mødetid', '')}".strip()
    start = parse_danish_datetime(when) or given.start()
    if start is None:
        warnings.append(f"{path}: meeting date missing")

    committee = tidy_committee(meeting_el.get("Udvalg") or "") or given.committee or ""
    if not committee:
        raise FormatError(path, "no committee name (Møde/@Udvalg); pass one explicitly")
    municipality = given.municipality

    meeting = Meeting(
        municipality=municipality,
        committee=committee,
        start=start,
        kind=kind,
        location=(meeting_el.get("Mødested") or "").strip() or None,
        source=str(path),
        source_format=NAME,
        access=Access.OPEN if is_true(root.get("Åben")) is True else Access.CLOSED,
        native_id=root.get("DagsordenID"),
        warnings=warnings,
    )
    for block in root.findall("Dagsordenpunkter"):
        for point in block.iter("Dagsordenpunkt"):
            meeting.items.append(_item(point, meeting, path.parent, context))
    yield meeting.finalise()


def _group_is_open(point: etree._Element) -> bool | None:
    for ancestor in point.iterancestors("Gruppe"):
        name = (ancestor.get("navn") or ancestor.get("Navn") or "").casefold()
        if name.startswith(("åbne", "åben", "aabne")):
            return True
        if name.startswith("lukke"):
            return False
    return None


def _item(point: etree._Element, meeting: Meeting, folder: Path, context: IngestContext) -> Item:
    number = (point.get("Nummer") or "").strip()
    title = re.sub(r"\s+", " ", point.findtext("Overskrift") or "").strip()
    own = is_true(point.get("Åbent"))
    group = _group_is_open(point)
    is_open = meeting.access == Access.OPEN and own is not False and group is not False and (own or group) is True
    item = Item(
        number=number,
        title=title,
        access=Access.OPEN if is_open else Access.CLOSED,
        source_key=None if number else point.get("DagsordenpunktID"),
    )
    if not is_open:
        return item  # closed: number and title only
    item.case_number = (point.get("Sagsnummer") or point.findtext("Sagsnummer") or "").strip() or None
    content = point.find("Indhold")
    for element in content if content is not None else []:
        if not isinstance(element.tag, str):
            continue
        heading = (element.get("navn") or element.get("Navn") or element.tag.replace("_", " ")).strip()
        section = html_section(heading, _inner_html(element), access=item.access)
        if section is None or is_placeholder(section.text):
            continue
        if DECISION.match(heading):
            _decision(item, meeting, section)
        else:
            item.sections.append(section)
    for position, bilag in enumerate(point.iterfind("Bilagsliste/Bilag"), start=1):
        item.attachments.append(_attachment(bilag, position, item, meeting, folder, context))
    number_by_titles(item.attachments, item.attachments)  # <Bilag> has no number of its own
    return item


def _inner_html(element: etree._Element) -> str:
    """Body HTML whether written as CDATA/escaped text or as inline child elements."""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _decision(item: Item, meeting: Meeting, section: Section) -> None:
    decision = Decision(
        body=meeting.committee,
        date=meeting.meeting_date if meeting.kind == MeetingKind.REFERAT else None,
        text=section.text,
        heading=section.heading,
        html=section.html,
    )
    (item.decisions if meeting.kind == MeetingKind.REFERAT else item.history).append(decision)


def _attachment(
    bilag: etree._Element, position: int, item: Item, meeting: Meeting, folder: Path, context: IngestContext
) -> Attachment:
    reference = (bilag.get("BilagUrl") or "").strip()
    is_open = item.is_open and is_true(bilag.get("MaaPubliceres")) is True
    is_web = reference.startswith(("http://", "https://"))
    attachment = Attachment(
        number=str(position),
        title=re.sub(r"\s+", " ", bilag.get("Navn") or Path(reference).stem).strip(),
        access=Access.OPEN if is_open else Access.CLOSED,
        document_id=bilag.get("BilagID"),
        url=reference if is_web else None,
    )
    if is_open and not is_web:
        attach_file(attachment, folder, reference or None, meeting.warnings)
    return attachment
