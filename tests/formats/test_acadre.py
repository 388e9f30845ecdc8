"""Acadre MM on the real Syddjurs PUK export (manifest + Files_ folder)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, acadre, iter_inputs
from indexer.model import Access, Meeting, MeetingKind, SectionKind
from tests.conftest import SAMPLES, published

EXPORT = SAMPLES / "acadre" / "syddjurs-puk-2013"
MANIFEST = EXPORT / "XML_1863.xml"
FILES = EXPORT / "Files_1863_3687982"


def parse_one(path: Path = EXPORT) -> Meeting:
    meetings = list(acadre.parse(path, IngestContext(municipality="Syddjurs")))
    assert len(meetings) == 1  # the dagsorden (publish=0) is not published
    return meetings[0]


def test_detects_manifest_and_export_folder_but_not_the_agenda_file() -> None:
    assert acadre.detect(MANIFEST)
    assert acadre.detect(EXPORT)
    assert not acadre.detect(FILES / "3687981.XML")
    assert not acadre.detect(FILES)
    assert not acadre.detect(SAMPLES / "publication" / "ballerup-it-udvalget-2013")


def test_walking_claims_the_export_once_without_its_files() -> None:
    found = [(path, module.NAME if module else None) for path, module in iter_inputs([SAMPLES / "acadre"])]
    assert found == [(EXPORT, "acadre")]


def test_meeting_metadata() -> None:
    meeting = parse_one()
    assert meeting.committee == "Udvalget for plan, udvikling og kultur (PUK)"
    assert meeting.municipality == "Syddjurs Kommune"  # given as "Syddjurs"
    assert meeting.kind == MeetingKind.REFERAT
    assert meeting.access == Access.OPEN
    assert meeting.start is not None and meeting.start.isoformat() == "2013-06-20T10:30:00+02:00"
    assert str(meeting.start.tzinfo) == "Europe/Copenhagen"
    assert meeting.location == "Kaløvig Kursuscenter"
    assert "Niels Viderø (A)" in meeting.participants and len(meeting.participants) == 5
    assert "Jesper Mathiesen (A)" in meeting.participants  # doubled space collapsed
    assert meeting.absentees == []
    assert meeting.source_format == "acadre"


def test_single_item_with_running_number_and_case() -> None:
    [item] = parse_one().items
    assert item.number == "715"
    assert item.title == "Kulturkommune 2017. Politiske fokusområder"
    assert item.case_number == "12/27845"
    assert item.access == Access.OPEN


def test_ten_bullets_become_sections_decision_and_history() -> None:
    [item] = parse_one().items
    # 10 bullets: 5 with body text, 2 empty (Lovgrundlag, Bilag), 3 decisions.
    assert [s.heading for s in item.sections] == [
        "Resumé",
        "Sagsfremstilling",
        "Økonomi og organisatoriske konsekvenser",
        "Indstilling",
        "Supplerende Sagsfremstilling",
    ]
    assert item.sections[3].kind == SectionKind.RECOMMENDATION
    assert item.sections[2].text == "Ingen."
    [decision] = item.decisions
    assert decision.date == date(2013, 6, 20)
    assert decision.body == "Udvalget for plan, udvikling og kultur (PUK)"
    assert decision.text.startswith("Punktet blev drøftet.")  # Word line wraps read as spaces
    assert [h.date for h in item.history] == [date(2013, 4, 10), date(2013, 4, 24)]
    assert item.history[1].text.startswith("Punktet genoptages.")


def test_three_enclosures_with_journal_numbers_and_text() -> None:
    meeting = published(parse_one())
    [item] = meeting.items
    assert [(a.number, a.journal_number) for a in item.attachments] == [
        ("1", "222359/12"),
        ("2", "73288/09"),
        ("3", "58688/13"),
    ]
    assert all(a.access == Access.OPEN for a in item.attachments)
    note, policy, plan = item.attachments
    assert note.title == "Opsamlingsnotat. Temamøde 20.09.2012"
    assert note.document_id == "3525829"
    assert note.file is not None and Path(note.file).name == "3525829E1.DOCX"
    assert note.text is not None and "har sat fokus på kulturområdet" in note.text
    assert plan.text is not None and re.search(r"KULTURKOMMUNE 2017\s*-\s*Arbejdsoplæg", plan.text)
    # Legacy Word: metadata kept, no text, a warning naming the file.
    assert policy.title.startswith("Politik for Kultur og Fritid")
    assert policy.text_status == "legacy-doc" and policy.text is None
    assert policy.file is not None and policy.file.endswith("2531342E2.DOC")
    assert any("2531342E2.DOC" in w for w in meeting.warnings)


def test_parsing_twice_gives_identical_ids() -> None:
    first, second = parse_one(), parse_one(MANIFEST)
    assert first.id == second.id
    assert [i.id for i in first.items] == [i.id for i in second.items]
    assert first.to_dict() == second.to_dict()


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    return target


def test_truncated_manifest_is_a_format_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "XML_1863.xml"
    data = MANIFEST.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError) as caught:
        list(acadre.parse(broken, IngestContext(municipality="Syddjurs")))
    assert caught.value.path == str(broken)


def test_truncated_agenda_file_is_a_format_error_naming_it(tmp_path: Path) -> None:
    export = _copy(tmp_path)
    agenda = export / "Files_1863_3687982" / "3687981.XML"
    data = agenda.read_bytes()
    agenda.write_bytes(data[: len(data) // 3])
    with pytest.raises(FormatError) as caught:
        list(acadre.parse(export, IngestContext(municipality="Syddjurs")))
    assert caught.value.path == str(agenda)
    assert "malformed XML" in caught.value.problem


def test_a_files_folder_name_no_file_system_takes_is_a_format_error_naming_the_manifest(tmp_path: Path) -> None:
    export = _copy(tmp_path)
    manifest = export / "XML_1863.xml"
    long_name = "Files_" + "9" * 300  # over 255 bytes: the OS refuses to even look it up
    manifest.write_bytes(
        manifest.read_bytes().replace(b'filesfolder="Files_1863_3687982"', f'filesfolder="{long_name}"'.encode())
    )
    with pytest.raises(FormatError) as caught:
        list(acadre.parse(export, IngestContext(municipality="Syddjurs")))
    assert caught.value.path == str(manifest)
    assert "not found" in caught.value.problem


def test_missing_enclosure_file_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    export = _copy(tmp_path)
    (export / "Files_1863_3687982" / "3525829E1.DOCX").unlink()
    meeting = published(parse_one(export))
    note = meeting.items[0].attachments[0]
    assert note.text_status == "missing" and note.text is None
    assert any("3525829E1.DOCX" in w and "not found" in w for w in meeting.warnings)
    assert meeting.items[0].attachments[2].text_status == "extracted"


def test_closed_item_and_enclosure(tmp_path: Path) -> None:
    export = _copy(tmp_path)
    agenda = export / "Files_1863_3687982" / "3687981.XML"
    text = agenda.read_text("utf-8")
    # Close the second enclosure only.
    closed_enclosure = text.replace(
        '<field name="accessname">Åben</field><field name="fusionID">2531342</field>',
        '<field name="accessname">Lukket</field><field name="fusionID">2531342</field>',
    )
    assert closed_enclosure != text
    agenda.write_text(closed_enclosure, "utf-8")
    [item] = parse_one(export).items
    policy = item.attachments[1]
    assert policy.access == Access.CLOSED and policy.file is None and policy.text is None
    assert item.attachments[0].access == Access.OPEN

    # Now close the item: number and title only.
    closed_item = closed_enclosure.replace(
        '<field name="publishlevel">2</field><field name="accessname">Åben</field>',
        '<field name="publishlevel">2</field><field name="accessname">Lukket</field>',
    )
    assert closed_item != closed_enclosure
    agenda.write_text(closed_item, "utf-8")
    [item] = parse_one(export).items
    assert (item.number, item.title, item.access) == (
        "715",
        "Kulturkommune 2017. Politiske fokusområder",
        Access.CLOSED,
    )
    assert item.sections == [] and item.decisions == [] and item.history == [] and item.attachments == []
    assert item.case_number is None
