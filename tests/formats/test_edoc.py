"""eDoc eDocAgendaPublishing.xml: the Ballerup referat of 4 December 2012."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, edoc
from indexer.model import COPENHAGEN, Access, Meeting, MeetingKind, SectionKind
from tests.conftest import SAMPLES

FOLDER = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012" / "04-12-2012 13:00:00"
XML = FOLDER / "eDocAgendaPublishing.xml"


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    meetings = list(edoc.parse(FOLDER, IngestContext()))
    assert len(meetings) == 1
    return meetings[0]


def test_detects_the_file_and_its_folder_but_not_its_pdfs() -> None:
    assert edoc.detect(XML)
    assert edoc.detect(FOLDER)
    assert not edoc.detect(FOLDER.parent)
    assert not edoc.detect(FOLDER / "1533095.PDF")


def test_meeting_metadata(meeting: Meeting) -> None:
    assert meeting.committee == "Sundheds- og Forebyggelsesudvalget"
    assert meeting.start == datetime(2012, 12, 4, 13, 0, tzinfo=COPENHAGEN)
    assert meeting.kind == MeetingKind.REFERAT
    assert meeting.municipality == "Ballerup Kommune"  # read from "på Ballerup Rådhus"
    assert meeting.location is not None and "Ballerup Rådhus" in meeting.location
    assert "Lolan Ottesen (A) - formand" in meeting.participants
    assert meeting.source_format == "edoc"


def test_items_are_sorted_by_number_with_titles(meeting: Meeting) -> None:
    assert [item.number for item in meeting.items] == [str(n) for n in range(1, 9)]
    titles = {item.number: item.title for item in meeting.items}
    assert titles["1"] == "Meddelelser"
    assert titles["2"] == "Bygningsvedligeholdelse 2013 - anlægsbevilling"
    assert titles["8"] == "Evaluering af rygestopkurser"
    assert all(item.access == Access.OPEN for item in meeting.items)
    assert meeting.items[1].case_number == "2012-28504"


def test_sections_and_decision_are_split_from_plain_text(meeting: Meeting) -> None:
    item = meeting.items[1]
    headings = [s.heading for s in item.sections]
    assert headings[:3] == ["Sammendrag", "Baggrund", "Sagsfremstilling"]
    recommendation = next(s for s in item.sections if s.kind == SectionKind.RECOMMENDATION)
    assert recommendation.heading == "Indstilling"
    assert "Center for Ejendomme indstiller" in recommendation.text
    assert len(item.decisions) == 1
    decision = item.decisions[0]
    assert decision.body == "Sundheds- og Forebyggelsesudvalget"
    assert decision.date == date(2012, 12, 4)
    assert decision.text == "Indstillingen godkendt"
    solvej = meeting.items[6]
    assert "Gruppen af unge i Ballerup Kommune" in solvej.decisions[0].text
    # "Kommunalbestyrelsen den 30. januar 2012 Punkt 5" is an earlier treatment, not this decision
    assert [(h.body, h.date) for h in meeting.items[2].history] == [("Kommunalbestyrelsen", date(2012, 1, 30))]


def test_attachments_with_their_own_text_and_missing_files_warned(meeting: Meeting) -> None:
    attachments = [a for item in meeting.items for a in item.attachments]
    assert len(attachments) == 10
    assert sum(1 for a in attachments if a.text) == 9  # 1537646.PDF: no text, no file
    assert all(a.access == Access.OPEN for a in attachments)
    solvej = meeting.items[6].attachments[0]
    assert solvej.title == "Aktivitetscenter Solvej 6 - Projektbeskrivelse"
    assert solvej.file is not None and solvej.file.endswith("1533095.PDF")
    assert solvej.journal_number == "2012-196186"
    assert "Projektleder: Birgit Elleby Jørgensen" in (solvej.text or "")
    missing = [w for w in meeting.warnings if "1537646.PDF" in w]
    assert missing and "not found" in missing[0]


def test_ids_are_stable_across_parses(meeting: Meeting) -> None:
    again = next(iter(edoc.parse(XML, IngestContext())))
    assert again.id == meeting.id
    assert [i.id for i in again.items] == [i.id for i in meeting.items]
    assert len({i.id for i in meeting.items}) == 8


def test_municipality_from_context_wins() -> None:
    m = next(iter(edoc.parse(XML, IngestContext(municipality="Ballerup"))))
    assert m.municipality == "Ballerup Kommune"  # the same spelling as read from the town hall


def test_unpublished_item_and_closed_agenda_are_closed(tmp_path: Path) -> None:
    text = XML.read_bytes().replace(
        b"<AgendaType>\xc3\x85ben dagsorden</AgendaType>", b"<AgendaType>Lukket dagsorden</AgendaType>", 1
    )
    target = tmp_path / "eDocAgendaPublishing.xml"
    target.write_bytes(text)
    m = next(iter(edoc.parse(tmp_path, IngestContext(extract_text=False))))
    assert all(item.access == Access.CLOSED for item in m.items)
    assert all(a.access == Access.CLOSED for item in m.items for a in item.attachments)
    assert all(not item.sections and not item.decisions for item in m.items)


def test_truncated_export_raises_format_error(tmp_path: Path) -> None:
    target = tmp_path / "eDocAgendaPublishing.xml"
    target.write_bytes(XML.read_bytes()[:20000])
    assert edoc.detect(target)
    with pytest.raises(FormatError) as info:
        list(edoc.parse(target, IngestContext()))
    assert str(target) in str(info.value)


def test_walking_the_parent_claims_the_export_once() -> None:
    from indexer.formats import iter_inputs

    found = list(iter_inputs([FOLDER.parent]))
    assert [(path, module.NAME if module else None) for path, module in found] == [(FOLDER, "edoc")]


def test_a_closed_attachment_of_an_open_item_is_bilag_n_and_keeps_nothing_of_its_titles(tmp_path: Path) -> None:
    """eDoc gave a closed attachment of an open item (not to be published, or titled closed) its
    real title in the model, and its NeutralTitle when the item was closed: the title reworded
    ("Bygningsliste og prioriteringssystem"), which names the closed matter as well.  A closed
    attachment keeps its number and is called "Bilag" (``model.Attachment``: its titles print no
    number); the open ones keep their titles and numbers."""
    from lxml import etree

    from indexer.formats._xml import read_xml

    folder = tmp_path / "edoc"
    folder.mkdir()
    root = read_xml(XML)
    path = "MeetingAgendaTypes/MeetingAgendaType/MeetingAgendaItems/MeetingAgendaItem"
    holders = [e for e in root.findall(path) if e.findall("Document/Attachments/Attachment")]
    pair = next(e for e in holders if len(e.findall("Document/Attachments/Attachment")) == 2)
    other = next(e for e in holders if e is not pair)
    unpublished = pair.find("Document/Attachments/Attachment")
    unpublished.find("PublishingType").text = "SKAL IKKE PUBLICERES"  # type: ignore[union-attr]
    unpublished.find("NeutralTitle").text = "Personalesag qzvneutral"  # type: ignore[union-attr]
    unpublished.find("Title").text = "Personalesag qzvtitel"  # type: ignore[union-attr]
    other.find("Document/Attachments/Attachment/Title").text = "Notat (lukket) qzvlukket"  # type: ignore[union-attr]
    (folder / XML.name).write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    before = {i.number: i for i in next(iter(edoc.parse(FOLDER, IngestContext(extract_text=False)))).items}
    after = {i.number: i for i in next(iter(edoc.parse(folder, IngestContext(extract_text=False)))).items}
    closed, kept = after[pair.findtext("AgendaItemNumber")].attachments
    assert (closed.title, closed.access, closed.number) == ("Bilag", Access.CLOSED, "1")
    control = before[pair.findtext("AgendaItemNumber")].attachments[1]
    assert (kept.title, kept.number, kept.access) == (control.title, control.number, Access.OPEN)
    titled = after[other.findtext("AgendaItemNumber")].attachments[0]
    assert (titled.title, titled.access, titled.number) == ("Bilag", Access.CLOSED, "1")
    assert not any(word in repr(after) for word in ("qzvneutral", "qzvtitel", "qzvlukket"))
