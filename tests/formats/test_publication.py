"""Publication XML (eDagsorden/AGMAN) on the real Ballerup, Region H and Aarhus exports."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from indexer.formats import FormatError, IngestContext, iter_inputs, publication
from indexer.model import Access, Meeting, MeetingKind, SectionKind
from tests.conftest import SAMPLES, published

PUBLICATIONS = SAMPLES / "publication"
BALLERUP = PUBLICATIONS / "ballerup-it-udvalget-2013"
REGION_H = PUBLICATIONS / "regionh-forretningsudvalget-2012"
AARHUS = PUBLICATIONS / "aarhus-moedesystemgruppen-2016"


def parse_one(path: Path, municipality: str = "Ballerup") -> Meeting:
    meetings = list(publication.parse(path, IngestContext(municipality=municipality)))
    assert len(meetings) == 1
    return meetings[0]


def test_detects_manifest_file_and_export_folder() -> None:
    assert publication.detect(BALLERUP / "Publication32.xml")
    assert publication.detect(BALLERUP)
    assert publication.detect(AARHUS)
    assert not publication.detect(BALLERUP / "Enclosures")
    assert not publication.detect(BALLERUP / "Enclosures" / "1.pdf")
    assert not publication.detect(SAMPLES / "acadre" / "syddjurs-puk-2013")


def test_walking_the_samples_claims_each_export_once() -> None:
    found = [(path, module.NAME if module else None) for path, module in iter_inputs([PUBLICATIONS])]
    assert sorted(found) == sorted((folder, "publication") for folder in (AARHUS, BALLERUP, REGION_H))


def test_ballerup_final_is_a_dagsorden_with_five_items() -> None:
    meeting = parse_one(BALLERUP)
    assert meeting.committee == "KMB IT-udvalget"
    assert meeting.municipality == "Ballerup Kommune"
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert not meeting.draft
    assert meeting.start is not None
    assert meeting.start.replace(tzinfo=None) == datetime(2013, 5, 15, 16, 30)
    assert meeting.start.utcoffset() == timedelta(hours=2)  # Copenhagen summer time
    assert str(meeting.start.tzinfo) == "Europe/Copenhagen"
    assert meeting.location == "Mødecenter A, Lokale 3 på Ballerup Rådhus"
    assert meeting.access == Access.OPEN
    assert len(meeting.participants) == 11
    assert [item.title for item in meeting.items] == [
        "Meddelelser",
        "Oplæg til standard it-arbejdsplads for Kommunalbestyrelsens medlemmer i 2014-2018",
        "Indførelse af systemet SAPA (Sagsoverblik/Partskontakt)",
        "Regler for indkøb af it-udstyr",
        "Status på eDagsorden",
    ]
    assert [item.number for item in meeting.items] == ["1", "2", "3", "4", "5"]
    assert all(item.access == Access.OPEN for item in meeting.items)
    assert meeting.warnings == []


def test_ballerup_sections_are_clean_text_with_sanitised_html() -> None:
    item = parse_one(BALLERUP).items[1]
    headings = [section.heading for section in item.sections]
    assert headings[:3] == ["Tidligere behandling", "Sammendrag", "Baggrund"]
    assert "Beslutning" not in headings  # empty feedback field of a dagsorden
    assert item.decisions == []
    by_heading = {section.heading: section for section in item.sections}
    assert by_heading["Indstilling"].kind == SectionKind.RECOMMENDATION
    assert by_heading["Tidligere behandling"].kind == SectionKind.HISTORY
    summary = by_heading["Sammendrag"]
    assert "tiltrædelsen af en ny kommunalbestyrelse" in summary.text  # &aelig; decoded
    assert "&aelig;" not in summary.text and "<" not in summary.text
    assert summary.html is not None and "<p>" in summary.html
    assert "style=" not in by_heading["Indstilling"].html  # type: ignore[operator]


def test_ballerup_enclosure_is_resolved_and_its_pdf_text_extracted() -> None:
    meeting = parse_one(BALLERUP)
    attachments = {item.number: item.attachments for item in meeting.items}
    assert [len(attachments[n]) for n in "12345"] == [0, 0, 1, 0, 0]
    letter = attachments["3"][0]
    assert letter.title == "Brev fra KL til Kommunalbestyrelsen vedr Monopolbrud"
    assert letter.access == Access.OPEN
    assert letter.document_id == "7"
    assert letter.file is not None and Path(letter.file).name == "1.pdf"
    letter = published(parse_one(BALLERUP)).items[2].attachments[0]
    assert letter.text_status == "extracted"
    assert letter.text is not None and "Tilslutning til monopolbruddet" in letter.text
    assert letter.media_type == "application/pdf"


def test_region_h_draft_is_marked_and_never_a_referat() -> None:
    meeting = parse_one(REGION_H, municipality="Region Hovedstaden")
    assert meeting.draft
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert any("draft" in warning for warning in meeting.warnings)
    assert meeting.committee == "Forretningsudvalget"
    assert meeting.start is not None and meeting.start.isoformat() == "2012-09-25T15:30:00+02:00"
    assert len(meeting.items) == 4
    assert meeting.items[3].title.startswith("Anmodning fra Hans Toft (C)")
    # Feedback fields of a draft ("FORRETNINGSUDVALGETS BESLUTNING") are unapproved: not read.
    assert all(not item.decisions and not item.history for item in meeting.items)
    assert all("BESLUTNING" not in s.heading for item in meeting.items for s in item.sections)
    assert [len(item.attachments) for item in meeting.items] == [6, 1, 2, 5]


def test_region_h_missing_enclosure_files_are_warnings_naming_the_file() -> None:
    meeting = parse_one(REGION_H, municipality="Region Hovedstaden")
    missing = [w for w in meeting.warnings if "attachment file not found" in w]
    assert len(missing) == 10  # 1, 2 and 14 are on disk; 12 is withheld and never looked up
    assert any(w.startswith(str(REGION_H / "Enclosures" / "3.pdf")) for w in missing)
    statuses = {a.number: a.text_status for a in published(meeting).items[0].attachments}
    assert statuses["1"] == "empty"  # the region's placeholder PDF has no text
    assert statuses["3"] == "missing"


def test_withheld_enclosure_title_makes_it_closed() -> None:
    item = parse_one(REGION_H, municipality="Region Hovedstaden").items[3]
    withheld = [a for a in item.attachments if not a.is_open]
    assert [(a.number, a.title) for a in withheld] == [("3", "Bilag")]  # its title is not kept
    assert withheld[0].file is None and withheld[0].text is None


def test_aarhus_variant_with_sub_items_and_whole_meeting_referat() -> None:
    meeting = parse_one(AARHUS, municipality="Aarhus")
    assert meeting.committee == "Mødesystemgruppen"
    assert meeting.kind == MeetingKind.REFERAT
    assert meeting.meeting_date == date(2016, 10, 6)
    assert meeting.start is not None and meeting.start.hour == 13
    assert meeting.native_id == "MDR-2016-02836"
    numbers = [item.number for item in meeting.items]
    assert numbers[:10] == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "3"]
    assert meeting.items[1].title == "Status siden sidst"
    assert meeting.items[3].title == "Besøg af First Agenda"  # trailing space trimmed
    assert len(meeting.items) == 12
    assert meeting.warnings == []


def test_aarhus_closed_referat_is_closed_and_carries_nothing() -> None:
    meeting = parse_one(AARHUS, municipality="Aarhus")
    entries = {item.title: item for item in meeting.items if item.number == "0"}
    closed = entries["Lukket referat"]
    assert closed.access == Access.CLOSED
    assert closed.attachments == [] and closed.sections == [] and closed.decisions == []
    opened = entries["Åbent referat"]
    assert opened.access == Access.OPEN
    [pdf] = next(i for i in published(meeting).items if i.id == opened.id).attachments
    assert pdf.access == Access.OPEN
    assert pdf.file is not None  # file name on disk is NFD, the XML spells it NFC
    assert pdf.text is not None and "Status på antal af brugere" in pdf.text
    assert closed.id != opened.id


def test_parsing_twice_gives_identical_ids() -> None:
    for folder in (BALLERUP, REGION_H, AARHUS):
        first, second = parse_one(folder), parse_one(folder)
        assert first.id == second.id
        assert [item.id for item in first.items] == [item.id for item in second.items]
        assert len({item.id for item in first.items}) == len(first.items)
        assert first.to_dict() == second.to_dict()


def test_truncated_publication_is_a_format_error_naming_the_file(tmp_path: Path) -> None:
    data = (BALLERUP / "Publication32.xml").read_bytes()
    broken = tmp_path / "Publication32.xml"
    broken.write_bytes(data[: len(data) // 2])
    assert publication.detect(broken)
    with pytest.raises(FormatError) as caught:
        list(publication.parse(broken, IngestContext(municipality="Ballerup")))
    assert caught.value.path == str(broken)
    assert "malformed XML" in caught.value.problem


def _edited_copy(tmp_path: Path, edit: object) -> Path:
    """A copy of the Ballerup export with ``edit(root)`` applied to its XML."""
    target = tmp_path / "ballerup"
    shutil.copytree(BALLERUP, target)
    xml = target / "Publication32.xml"
    xml.chmod(0o644)
    tree = etree.parse(str(xml))
    edit(tree.getroot())  # type: ignore[operator]
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    return target


def test_closed_item_keeps_number_and_title_only(tmp_path: Path) -> None:
    def close_item_3(root: etree._Element) -> None:
        item = root.xpath("//Items/Item[Number='3']")[0]
        item.find("IsPublic").text = "False"

    meeting = parse_one(_edited_copy(tmp_path, close_item_3))
    item = meeting.items[2]
    assert (item.number, item.title, item.access) == (
        "3",
        "Indførelse af systemet SAPA (Sagsoverblik/Partskontakt)",
        Access.CLOSED,
    )
    assert item.sections == [] and item.attachments == [] and item.case_number is None


def test_protected_enclosure_is_closed_and_not_read(tmp_path: Path) -> None:
    def protect(root: etree._Element) -> None:
        enclosure = root.xpath("//Items/Item[Number='3']/Enclosures/Enclosure")[0]
        etree.SubElement(enclosure, "IsProtected").text = "True"

    [letter] = parse_one(_edited_copy(tmp_path, protect)).items[2].attachments
    assert letter.access == Access.CLOSED
    assert letter.file is None and letter.text is None


def test_item_history_goes_to_history_not_decisions(tmp_path: Path) -> None:
    def add_history(root: etree._Element) -> None:
        item = root.xpath("//Items/Item[Number='2']")[0]
        history = etree.SubElement(etree.SubElement(item, "ItemHistory"), "ItemField")
        etree.SubElement(history, "Caption").text = "Beslutning"
        etree.SubElement(history, "Content").text = "<p>Udvalget godkendte pilottesten.</p>"
        details = etree.SubElement(history, "MeetingDetails")
        etree.SubElement(details, "CommitteeName").text = "KMB IT-udvalget"
        etree.SubElement(details, "MeetingDueDate").text = "05-12-2012 16:30:00"

    item = parse_one(_edited_copy(tmp_path, add_history)).items[1]
    assert item.decisions == []
    [earlier] = item.history
    assert earlier.body == "KMB IT-udvalget"
    assert earlier.date == date(2012, 12, 5)
    assert earlier.text == "Udvalget godkendte pilottesten."


def test_referat_feedback_fields_become_decisions(tmp_path: Path) -> None:
    def make_referat(root: etree._Element) -> None:
        root.find("PublicationTypeAsValue").text = "3"
        root.find("PublicationTypeAsEnum").text = "Referat"
        field = root.xpath("//Items/Item[Number='4']/Fields/ItemField[Caption='Beslutning']")[0]
        field.find("Content").text = "<p>Godkendt som indstillet.</p>"

    meeting = parse_one(_edited_copy(tmp_path, make_referat))
    assert meeting.kind == MeetingKind.REFERAT
    [decision] = meeting.items[3].decisions
    assert decision.text == "Godkendt som indstillet."
    assert decision.body == "KMB IT-udvalget"
    assert decision.date == date(2013, 5, 15)
    # dagsorden and referat of one meeting share item ids, so the referat supersedes
    assert [i.id for i in meeting.items] == [i.id for i in parse_one(BALLERUP).items]


def test_another_bodys_feedback_field_is_history_in_a_referat(tmp_path: Path) -> None:
    target = tmp_path / "regionh"
    shutil.copytree(REGION_H, target)
    xml = target / "Publication553.xml"
    xml.chmod(0o644)
    tree = etree.parse(str(xml))
    root = tree.getroot()
    root.find("PublicationTypeAsValue").text = "3"
    root.find("PublicationTypeAsEnum").text = "Referat"
    item = root.xpath("//Items/Item[Number='2']")[0]
    for field in item.findall("Fields/ItemField"):
        if field.findtext("Caption") == "FORRETNINGSUDVALGETS BESLUTNING":
            field.find("Content").text = "<p>Anbefalet.</p>"
        if field.findtext("Caption") == "REGIONSRÅDETS BESLUTNING":
            field.find("Content").text = "<p>Godkendt.</p>"
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)

    meeting = parse_one(target, municipality="Region Hovedstaden")
    assert not meeting.draft and meeting.kind == MeetingKind.REFERAT
    decided = meeting.items[1]
    assert [(d.body, d.text) for d in decided.decisions] == [("Forretningsudvalget", "Anbefalet.")]
    assert [(h.body, h.text) for h in decided.history] == [("Regionsrådet", "Godkendt.")]


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hemmelig-adgangskode", "utf-8")
    data = (BALLERUP / "Publication32.xml").read_text("utf-8-sig")
    data = data.replace(
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Publication [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
    )
    data = data.replace("<Name><![CDATA[KMB IT-udvalget]]></Name>", "<Name>KMB &leak; IT-udvalget</Name>", 1)
    crafted = tmp_path / "Publication32.xml"
    crafted.write_text(data, "utf-8")
    assert publication.detect(crafted)
    try:
        meetings = list(publication.parse(crafted, IngestContext(municipality="Ballerup")))
    except FormatError:
        return  # refusing the document is fine too
    assert "hemmelig" not in str(meetings[0].to_dict())
