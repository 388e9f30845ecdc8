"""FirstAgenda Publication pages (Aarhus, 2025) and the portal's JSON agenda document."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, firstagenda
from indexer.model import COPENHAGEN, Access, Meeting, MeetingKind, SectionKind
from tests.conftest import REPO, SAMPLES

FOLDER = SAMPLES / "firstagenda" / "aarhus-2025"
PAGES = REPO / "tests" / "fixtures" / "firstagenda-pages"  # a portal's pages that are not minutes
MINUTES = FOLDER / "example_minutes.html"
AGENDA = FOLDER / "example_agenda.html"
API_DOCUMENT = next(
    (REPO / "tests" / "fixtures" / "firstagenda-api" / "greve").glob("Økonomiudvalget_2024-04-10*.json")
)


@pytest.fixture(scope="module")
def minutes() -> Meeting:
    return next(iter(firstagenda.parse(MINUTES, IngestContext())))


@pytest.fixture(scope="module")
def agenda() -> Meeting:
    return next(iter(firstagenda.parse(AGENDA, IngestContext())))


def test_detects_meeting_pages_and_agenda_json_only() -> None:
    assert firstagenda.detect(MINUTES)
    assert firstagenda.detect(AGENDA)
    assert firstagenda.detect(API_DOCUMENT)
    assert not firstagenda.detect(PAGES / "example_listings.html")  # the front page lists meetings
    assert not firstagenda.detect(PAGES / "example_scrolled.html")
    assert not firstagenda.detect(PAGES / "byraadsarkivet-cases.json")  # a case list, not a meeting
    assert not firstagenda.detect(FOLDER / "dagsbil.pdf")


def test_minutes_metadata(minutes: Meeting) -> None:
    assert minutes.committee == "Teknisk Udvalg"
    assert minutes.municipality == "Aarhus Kommune"
    assert minutes.start == datetime(2025, 10, 1, 15, 45, tzinfo=COPENHAGEN)
    assert minutes.kind == MeetingKind.REFERAT
    assert minutes.location == "Udvalgsværelse 398"


def test_minutes_items_sections_decisions_history(minutes: Meeting) -> None:
    assert [item.number for item in minutes.items] == ["1", "2", "3", "4", "5", "6"]
    assert minutes.items[0].title == "Referat fra sidste udvalgsmøde"
    assert minutes.items[1].title == "Udviklingsplan Aarhus Ø - endelig vedtagelse"
    assert minutes.items[4].title == "Eventuelt"
    assert all(item.access == Access.OPEN for item in minutes.items)
    lokalplan = minutes.items[2]
    assert lokalplan.case_number == "EMN-2025-008468"
    assert "udsætte sagens behandling" in lokalplan.decisions[0].text
    assert lokalplan.decisions[0].body == "Teknisk Udvalg"
    kinds = {s.heading: s.kind for s in lokalplan.sections}
    assert kinds["Beslutningspunkter"] == SectionKind.RECOMMENDATION
    assert "Resume" in kinds
    assert [(h.body, h.date) for h in lokalplan.history] == [
        ("Magistraten", date(2025, 8, 19)),
        ("Aarhus Byråd", date(2025, 8, 27)),
        ("Teknisk Udvalg", date(2025, 9, 22)),
    ]
    assert lokalplan.history[-1].text == "Sagen blev udsat."


def test_attachments_are_absolute_portal_links(minutes: Meeting) -> None:
    attachments = minutes.items[2].attachments
    assert len(attachments) == 11
    assert sum(len(item.attachments) for item in minutes.items) == 69
    first = attachments[1]
    assert first.title.startswith("Bilag 1: Forslag til lokalplan nr. 1221")
    assert first.url == (
        "https://dagsordener.aarhus.dk/vis/pdf/bilag/ac2ed77e-4fd0-4d3f-8d66-d107066a22cc/?redirectDirectlyToPdf=false"
    )
    assert first.document_id == "ac2ed77e-4fd0-4d3f-8d66-d107066a22cc"
    assert all(a.access == Access.OPEN for item in minutes.items for a in item.attachments)


def test_agenda_page(agenda: Meeting) -> None:
    assert agenda.committee == "Aarhus Byråd"
    assert agenda.kind == MeetingKind.DAGSORDEN
    assert agenda.start == datetime(2025, 10, 8, 16, 0, tzinfo=COPENHAGEN)
    assert agenda.location == "Byrådssalen"
    assert len(agenda.items) == 33
    assert agenda.items[1].title == "Forslag til budget 2026-2029"
    assert agenda.items[19].title == "Økonomiteknisk justering af cykelmidler"
    assert all(not item.decisions for item in agenda.items)
    assert len(agenda.items[6].attachments) == 159


def test_ids_are_stable(minutes: Meeting) -> None:
    again = next(iter(firstagenda.parse(MINUTES, IngestContext())))
    assert again.id == minutes.id
    assert [i.id for i in again.items] == [i.id for i in minutes.items]
    assert len({i.id for i in minutes.items}) == 6


@pytest.mark.parametrize("with_meta", [True, False])
def test_windows_1252_page_decodes_danish_letters(tmp_path: Path, with_meta: bool) -> None:
    page = AGENDA.read_text("utf-8")
    if with_meta:
        page = page.replace("<head>", '<head><meta charset="windows-1252">', 1)
    target = tmp_path / "agenda-cp1252.html"
    target.write_bytes(page.encode("cp1252", errors="replace"))
    meeting = next(iter(firstagenda.parse(target, IngestContext())))
    assert meeting.committee == "Aarhus Byråd"
    assert meeting.items[19].title == "Økonomiteknisk justering af cykelmidler"
    assert any("æ" in item.title for item in meeting.items)


def test_utf8_page_without_charset_decodes_danish_letters(agenda: Meeting) -> None:
    assert b"charset" not in AGENDA.read_bytes()[:4096]
    assert agenda.items[20].title.startswith("Lokalplan 1246 Åbyhøj Idrætscenter")


def test_closed_item_keeps_only_its_number(tmp_path: Path) -> None:
    page = MINUTES.read_text("utf-8").replace(">Eventuelt</h2>", ">Lukket punkt</h2>", 1)
    target = tmp_path / "closed.html"
    target.write_text(page, "utf-8")
    meeting = next(iter(firstagenda.parse(target, IngestContext())))
    closed = meeting.items[4]
    assert closed.access == Access.CLOSED
    assert closed.title == "Lukket punkt"
    assert not closed.sections and not closed.decisions and not closed.attachments


def test_truncated_page_raises_format_error(tmp_path: Path) -> None:
    target = tmp_path / "truncated.html"
    target.write_bytes(MINUTES.read_bytes()[:9000])
    with pytest.raises(FormatError) as info:
        list(firstagenda.parse(target, IngestContext()))
    assert str(target) in str(info.value)
