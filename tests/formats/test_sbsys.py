"""SBSYS <Dagsorden> XML on our own fixture in the documented shape (no public sample exists)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, iter_inputs, sbsys
from indexer.model import Access, Meeting, MeetingKind, SectionKind
from tests.conftest import published

FIXTURES = Path(__file__).parent / "fixtures" / "sbsys"
EXPORT = FIXTURES / "teknik-miljoe-2018"
AGENDA = EXPORT / "Dagsorden.xml"


def parse_one(path: Path = EXPORT) -> Meeting:
    meetings = list(sbsys.parse(path, IngestContext(municipality="Eksempelby")))
    assert len(meetings) == 1
    return meetings[0]


def test_detects_file_and_folder() -> None:
    assert sbsys.detect(AGENDA)
    assert sbsys.detect(EXPORT)
    assert not sbsys.detect(EXPORT / "Bilag")
    assert not sbsys.detect(EXPORT / "Bilag" / "20114.docx")


def test_walking_claims_the_export_once_without_its_bilag() -> None:
    found = [(path, module.NAME if module else None) for path, module in iter_inputs([FIXTURES])]
    assert found == [(EXPORT, "sbsys")]


def test_preview_xml_is_ignored(tmp_path: Path) -> None:
    preview = tmp_path / "preview.xml"
    preview.write_bytes(AGENDA.read_bytes())
    assert not sbsys.detect(preview)
    assert not sbsys.detect(tmp_path)


def test_meeting_from_danish_long_date_and_time() -> None:
    meeting = parse_one()
    assert meeting.committee == "Teknik- og Miljøudvalget"
    assert meeting.kind == MeetingKind.REFERAT
    assert meeting.access == Access.OPEN
    assert meeting.start is not None and meeting.start.isoformat() == "2018-08-27T16:00:00+02:00"
    assert str(meeting.start.tzinfo) == "Europe/Copenhagen"
    assert meeting.location == "Mødelokale 2, Rådhuset"
    assert meeting.native_id == "9021"


def test_items_across_groups_and_tillaeg_blocks() -> None:
    meeting = parse_one()
    assert [(i.number, i.title) for i in meeting.items] == [
        ("1", "Godkendelse af dagsorden"),
        ("2", "Trafiksikkerhedsplan 2019-2022"),
        ("3", "Orientering om vintertjeneste"),
        ("4", "Salg af kommunal grund, matr. nr. 7b"),
        ("5", "Tillæg: Busstoppested ved Møllevej"),
    ]
    # Item 3 has no Åbent attribute: open because it sits in "Åbne dagsordenspunkter".
    assert [i.access for i in meeting.items] == [Access.OPEN] * 3 + [Access.CLOSED, Access.OPEN]


def test_sections_named_by_element_with_clean_text_and_safe_html() -> None:
    item = parse_one().items[1]
    assert item.case_number == "05.01.00-P20-3-18"
    assert [s.heading for s in item.sections] == ["Sagsfremstilling", "Økonomiske konsekvenser", "Indstilling"]
    case, economy, recommendation = item.sections
    assert "Planen bygger på borgernes henvendelser" in case.text  # entity decoded, line wrap a space
    assert "Der lægges særlig vægt på skoleveje." in case.text
    assert case.html is not None
    assert "<script" not in case.html and "onclick" not in case.html and "style=" not in case.html
    assert economy.text == "Anlægsudgiften anslås til 2,4 mio. kr."  # inline XHTML body
    assert economy.html is not None and "<b>2,4 mio. kr.</b>" in economy.html
    assert recommendation.kind == SectionKind.RECOMMENDATION
    [decision] = item.decisions
    assert decision.text == "Indstillingen blev godkendt."
    assert decision.body == "Teknik- og Miljøudvalget"
    assert decision.date == date(2018, 8, 27)


def test_open_closed_and_web_bilag() -> None:
    meeting = parse_one()
    open_bilag, closed_bilag, web_bilag, unmarked = meeting.items[1].attachments
    assert open_bilag.title == "Udkast til trafiksikkerhedsplan"
    assert open_bilag.access == Access.OPEN
    assert open_bilag.file is not None and Path(open_bilag.file).name == "20114.docx"  # "bilag\20114.DOCX"
    assert open_bilag.text is None  # parsing resolves files; the boundary reads the open ones
    public_bilag = published(meeting).items[1].attachments[0]
    assert public_bilag.text is not None and "cykelsti langs Møllevej" in public_bilag.text
    assert closed_bilag.access == Access.CLOSED  # MaaPubliceres="false"
    assert closed_bilag.file is None and closed_bilag.text is None
    assert web_bilag.access == Access.OPEN and web_bilag.url == "https://dagsorden.example.dk/bilag/20116.pdf"
    assert unmarked.access == Access.CLOSED  # no MaaPubliceres: default deny
    assert all("ekspropriation" not in (a.text or "") for item in meeting.items for a in item.attachments)


def test_closed_item_keeps_number_and_title_only() -> None:
    closed = parse_one().items[3]
    assert closed.access == Access.CLOSED
    assert closed.sections == [] and closed.decisions == [] and closed.attachments == []


def test_missing_bilag_file_is_a_warning_naming_it() -> None:
    meeting = parse_one()
    [route] = meeting.items[2].attachments
    assert route.text_status == "missing"
    assert [w for w in meeting.warnings if "findes-ikke.pdf" in w and "not found" in w]
    assert len(meeting.items[2].decisions) == 1  # the meeting carries on


def test_dagsorden_keeps_beslutning_as_history_only(tmp_path: Path) -> None:
    copy = tmp_path / "Dagsorden.xml"
    copy.write_text(AGENDA.read_text("utf-8").replace('Dagsordentype="Referat"', 'Dagsordentype="Dagsorden"'), "utf-8")
    meeting = parse_one(copy)
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert all(not item.decisions for item in meeting.items)
    assert meeting.items[0].history[0].text == "Godkendt."


def test_closed_publication_closes_every_item(tmp_path: Path) -> None:
    copy = tmp_path / "Dagsorden.xml"
    copy.write_text(AGENDA.read_text("utf-8").replace('Åben="true"', 'Åben="false"', 1), "utf-8")
    meeting = parse_one(copy)
    assert meeting.access == Access.CLOSED
    assert all(item.access == Access.CLOSED and not item.sections for item in meeting.items)


def test_parsing_twice_gives_identical_ids() -> None:
    first, second = parse_one(), parse_one(AGENDA)
    assert first.id == second.id
    assert [i.id for i in first.items] == [i.id for i in second.items]
    assert len({i.id for i in first.items}) == 5
    assert first.to_dict() == second.to_dict()


def test_truncated_file_is_a_format_error_naming_it(tmp_path: Path) -> None:
    shutil.copytree(EXPORT, tmp_path / "export")
    broken = tmp_path / "export" / "Dagsorden.xml"
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    assert sbsys.detect(broken)
    with pytest.raises(FormatError) as caught:
        list(sbsys.parse(tmp_path / "export", IngestContext(municipality="Eksempelby")))
    assert caught.value.path == str(broken)


def test_municipality_from_minutes_json_beside_the_export(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    [unnamed] = sbsys.parse(export, IngestContext())
    assert unnamed.municipality == ""
    assert any("municipality not named" in w for w in unnamed.warnings)
    (export / "minutes.json").write_text('{"municipality": "Ishøj"}', "utf-8")
    [named] = sbsys.parse(export, IngestContext())
    assert named.municipality == "Ishøj Kommune"
    assert not any("municipality not named" in w for w in named.warnings)
    [overridden] = sbsys.parse(export, IngestContext(municipality="Eksempelby"))
    assert overridden.municipality == "Eksempelby"  # the command line wins
    assert overridden.id == parse_one().id
