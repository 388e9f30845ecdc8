"""A closed attachment's file is never looked for, so no warning names it.

A closed attachment's file name can be as sensitive as its text ("Personalesag
<name>.docx").  eDoc, eDoc Fujitsu and JSON Lines resolved the files of closed
attachments (and of attachments of closed items) like open ones, and a file that
was missing or outside the export printed its name in an ingest warning:
"…/Personalesag <name>.PDF: attachment file not found", "attachment file
'C:\\sager\\Personalesag <name>.docx' is outside the file's folder; ignored".

Copies of the real samples are edited in tmp_path: closed attachments point at
missing files (and, in JSON Lines, at paths outside the file's folder) whose names
hold a distinctive word.  An open attachment points at a missing file with its own
word, so the warnings are shown to be on.  Then the parsed attachments, the
warnings, the ingest's printed output and its log are searched.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
from lxml import etree

from indexer.cli import ingest
from indexer.formats import IngestContext, edoc, edoc_fujitsu, iter_inputs, jsonl
from indexer.formats._xml import read_xml
from indexer.model import Access, Meeting
from tests.conftest import SAMPLES

EDOC = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012"
FUJITSU = SAMPLES / "edoc-fujitsu" / "Hennys testudvalg"
FUJITSU_NS = {"e": "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"}

CLOSED_NAMES = ["qzvnavnedocbilag", "qzvnavnedocpunkt", "qzvnavnfujitsu", "qzvnavnjsonude", "qzvnavnjsonpunkt"]
OPEN_NAMES = ["qzvnavnedocaaben", "qzvnavnfujaaben", "qzvnavnjsonaaben"]


def plant_edoc(tmp: Path) -> Path:
    """A closed attachment of an open item, and an item no longer to be published, whose
    files are named after the closed matter and missing; an open attachment's file missing too."""
    folder = shutil.copytree(EDOC, tmp / "edoc")
    xml = next(folder.rglob("eDocAgendaPublishing.xml"))
    root = read_xml(xml)
    items = [
        element
        for element in root.iterfind("MeetingAgendaTypes/MeetingAgendaType/MeetingAgendaItems/MeetingAgendaItem")
        if len(element.findall("Document/Attachments/Attachment")) >= 2
    ]
    opened, closed = items[0], items[1]
    first, second = opened.findall("Document/Attachments/Attachment")[:2]
    first.find("PublishingType").text = "SKAL IKKE PUBLICERES"  # type: ignore[union-attr]
    first.find("PDFDocument").text = "Personalesag qzvnavnedocbilag.PDF"  # type: ignore[union-attr]
    second.find("PDFDocument").text = "Referat qzvnavnedocaaben.PDF"  # type: ignore[union-attr]
    closed.find("Document/PublishingType").text = "SKAL IKKE PUBLICERES"  # type: ignore[union-attr]
    for attachment in closed.iterfind("Document/Attachments/Attachment"):
        attachment.find("PDFDocument").text = "Afskedigelse qzvnavnedocpunkt.PDF"  # type: ignore[union-attr]
    xml.write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    return folder


def plant_fujitsu(tmp: Path) -> Path:
    """Each item's first attachment made internal (closed) and linked to a missing file named
    after the closed matter; its second, still public, linked to a missing file."""
    root = shutil.copytree(FUJITSU, tmp / "fujitsu" / FUJITSU.name)
    for xml in root.rglob("*.xml"):
        tree = etree.parse(str(xml))
        for attachments in tree.iterfind(".//e:Attachments", FUJITSU_NS):
            nodes = attachments.findall("e:Attachment", FUJITSU_NS)
            if len(nodes) < 2:
                continue
            nodes[0].find("e:AccessEnumName", FUJITSU_NS).text = "Internal"  # type: ignore[union-attr]
            nodes[0].find("e:Link", FUJITSU_NS).text = "\\Attachments\\Personalesag qzvnavnfujitsu.pdf"  # type: ignore[union-attr]
            nodes[1].find("e:Link", FUJITSU_NS).text = "\\Attachments\\Referat qzvnavnfujaaben.pdf"  # type: ignore[union-attr]
        tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    return root


def plant_jsonl(tmp: Path) -> Path:
    """Closed attachments outside the file's folder (a relative and a Windows path), an open
    attachment of a closed item, and an open attachment whose file is outside."""
    folder = tmp / "jsonl"
    folder.mkdir()
    meeting = {
        "municipality": "Favrskov Kommune",
        "committee": "Økonomiudvalget",
        "start": "2024-04-02T16:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": "1",
                "title": "Budget",
                "access": "open",
                "sections": [{"heading": "Sagsfremstilling", "text": "Budgettet for kommunen."}],
                "attachments": [
                    {"number": "1", "title": "Notat", "access": "closed", "file": "../Notat qzvnavnjsonude.pdf"},
                    {"number": "2", "title": "Notat", "access": "closed", "file": "C:\\sager\\qzvnavnjsonude.docx"},
                    {"number": "3", "title": "Budget", "access": "open", "file": "../Budget qzvnavnjsonaaben.pdf"},
                ],
            },
            {
                "number": "2",
                "title": "Lukket sag",
                "access": "closed",
                "attachments": [
                    {
                        "number": "1",
                        "title": "x",
                        "access": "open",
                        "file": "C:\\sager\\Personalesag qzvnavnjsonpunkt.docx",
                    }
                ],
            },
        ],
    }
    path = folder / "moede.jsonl"
    path.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    return path


PLANTERS = [(plant_edoc, edoc), (plant_fujitsu, edoc_fujitsu), (plant_jsonl, jsonl)]


def _parse(module, source: Path) -> list[Meeting]:  # type: ignore[no-untyped-def]
    """The edited export read as the ingest finds it, by the format under test."""
    context = IngestContext(municipality="Testkommune", extract_text=False)
    found = [path for path, fmt in iter_inputs([source]) if fmt is module]
    assert found, f"{module.NAME} input not found under {source}"
    return [meeting for path in found for meeting in module.parse(path, context)]


@pytest.mark.parametrize(("plant", "module"), PLANTERS, ids=["edoc", "edoc-fujitsu", "jsonl"])
def test_closed_attachments_are_not_resolved_and_no_warning_names_them(tmp_path: Path, plant, module) -> None:  # type: ignore[no-untyped-def]
    meetings = _parse(module, plant(tmp_path))
    warnings = "\n".join(w for m in meetings for w in m.warnings)
    assert any(word in warnings for word in OPEN_NAMES), "the open attachment's missing file is warned about"
    assert not [word for word in CLOSED_NAMES if word in warnings], warnings
    closed = [
        a
        for m in meetings
        for item in m.items
        for a in item.attachments
        if not (m.access == Access.OPEN and item.is_open and a.is_open)
    ]
    assert closed, "the sample has closed attachments after the edit"
    assert all(a.file is None for a in closed), "a closed attachment's file was looked for"


def test_the_ingest_prints_and_logs_no_closed_file_name(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """What an operator sees (the printed warnings) and what the log keeps of the whole ingest."""
    inputs = [plant(tmp_path) for plant, _ in PLANTERS]
    stream = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        summary = ingest(inputs, tmp_path / "ix", IngestContext(municipality="Testkommune"), workers=1, stream=stream)
    written = "\n".join([stream.getvalue(), *summary.warnings, caplog.text])
    assert all(word in written for word in OPEN_NAMES), "open attachments' missing files are warned about"
    assert not [word for word in CLOSED_NAMES if word in written]
