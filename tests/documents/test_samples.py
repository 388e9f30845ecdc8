"""Each whole-meeting sample splits into the right items (titles, case numbers,
decisions, access, pages), and page furniture stays out of the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents.extract import Line, clean_pages, join_hyphenation, read_document
from indexer.documents.profiles import PROFILES
from indexer.formats import FormatError, IngestContext, available_formats, detect_format, iter_inputs
from indexer.formats.document import detect, parse
from indexer.model import Access, Meeting, MeetingKind

from .conftest import (
    AARHUS_PDF,
    BALLERUP_DIR,
    BALLERUP_PDF,
    NORDDJURS_DOCX,
    SAMPLES,
    SBSYS_PDF,
    SYDDJURS_DOCX,
    SYDDJURS_PDF,
)


def read(path: Path, **context: object) -> Meeting:
    meetings = list(parse(path, IngestContext(extract_text=False, **context)))  # type: ignore[arg-type]
    assert len(meetings) == 1
    return meetings[0]


def all_text(meeting: Meeting) -> str:
    parts = []
    for item in meeting.items:
        parts.append(item.title)
        parts += [s.text for s in item.sections]
        parts += [d.text for d in item.decisions + item.history]
    return "\n".join(parts)


def test_aarhus_firstagenda_referat() -> None:
    meeting = read(AARHUS_PDF)
    assert meeting.source_format == "document-firstagenda"
    assert (meeting.municipality, meeting.committee) == ("Aarhus Kommune", "Aarhus Byråd")
    assert meeting.start is not None and meeting.start.isoformat() == "2025-08-27T16:00:00+02:00"
    assert meeting.kind == MeetingKind.REFERAT and meeting.location == "Byrådssalen"
    assert [i.number for i in meeting.items] == [str(n) for n in range(1, 22)]
    first, second = meeting.items[0], meeting.items[1]
    assert (first.title, first.case_number, first.source_page) == ("Godkendelse af dagsorden", "EMN-2023-009832", 3)
    assert first.decisions[0].text.startswith("Godkendt.")
    assert second.title == "Svar på forslag fra DD om principbeslutning om at sikre Havnens Perles fremtid på Aarhus Ø"
    assert second.case_number == "EMN-2025-003383" and second.source_page == 4
    assert second.decisions[0].text.startswith("Fremsendes til Teknisk Udvalg til behandling")
    # Sagsforløb: earlier decisions, with their bodies and dates; their absentee is not this meeting's.
    assert [(h.body, h.date and h.date.isoformat()) for h in second.history] == [
        ("Aarhus Byråd", "2025-03-26"),
        ("Aarhus Byråd", "2025-04-09"),
        ("Magistraten", "2025-08-19"),
    ]
    assert second.absentees == []
    assert [a.title for a in second.attachments][:2] == ["Indstilling", "Bilag 1: Beslutningsforslag"]
    assert meeting.items[9].title.startswith("Lokalplan 1221 (tillæg 2 til lokalplan 411) – Erhvervsområde ved Kattrup")
    assert [i.source_page for i in meeting.items][-3:] == [26, 27, 28]
    closed = meeting.items[20]
    assert closed.access == Access.CLOSED and closed.title == "Lukket punkt"
    assert not closed.sections and not closed.decisions and closed.case_number is None
    assert all(i.access == Access.OPEN for i in meeting.items[:20])
    assert "Køb af landbrugsejendom" not in all_text(meeting)
    # The table of contents (page 2) is not in any item.
    assert "....." not in all_text(meeting)


def test_ballerup_edoc_referat_with_syntax_errors() -> None:
    meeting = read(BALLERUP_PDF)
    assert meeting.source_format == "document-edoc"
    assert (meeting.municipality, meeting.committee) == ("Ballerup Kommune", "Sundheds- og Forebyggelsesudvalget")
    assert meeting.start is not None and meeting.start.isoformat() == "2012-12-04T13:00:00+01:00"
    assert [(i.number, i.case_number, i.source_page) for i in meeting.items] == [
        ("1", "2011-29298", 3),
        ("2", "2012-28504", 3),
        ("3", "2012-31114", 6),
        ("4", "2012-31673", 7),
        ("5", "2011-29939", 9),
        ("6", "2012-21786", 10),
        ("7", "2012-28505", 12),
        ("8", "2010-3082", 14),
    ]
    assert (
        meeting.items[5].title == "Prioritering af midler til kronisk syge borgere og hverdagsrehabilitering for ældre"
    )
    text = all_text(meeting)
    # The running header ("Åbent referat", "Dato: 04.12.2012", "Side N") is gone from the text.
    assert "Dato: 04.12.2012" not in text and "Side 4" not in text and "Åbent referat" not in text
    assert "Dok.nr.:" not in text
    # Hyphenation at a line end: a dictionary word is joined, a real compound keeps its hyphen.
    assert "ikke-planlagte" in text


def test_syddjurs_acadre_pdf_and_its_docx_read_alike() -> None:
    pdf, docx = read(SYDDJURS_PDF), read(SYDDJURS_DOCX)
    for meeting in (pdf, docx):
        assert meeting.committee == "Udvalget for plan, udvikling og kultur (PUK)"
        assert meeting.start is not None and meeting.start.isoformat() == "2013-06-20T10:30:00+02:00"
        (item,) = meeting.items
        assert (item.number, item.title, item.case_number) == (
            "715",
            "Kulturkommune 2017. Politiske fokusområder",
            "12/27845",
        )
        assert [d.date.isoformat() for d in item.decisions if d.date] == ["2013-06-20"]
        assert [h.date.isoformat() for h in item.history if h.date] == ["2013-04-10", "2013-04-24"]
        assert [(a.number, a.journal_number) for a in item.attachments] == [
            ("1", "222359/12"),
            ("2", "73288/09"),
            ("3", "58688/13"),
        ]
        text = all_text(meeting)
        assert "Underskriftsside" not in text and "Indholdsfortegnelse" not in text
    assert pdf.items[0].source_page == 3
    assert pdf.items[0].decisions[0].text.split() == docx.items[0].decisions[0].text.split()


def test_sbsys_hierarchical_items() -> None:
    meeting = read(SBSYS_PDF)
    assert meeting.committee == "Mødesystemgruppen" and meeting.absentees == ["Tilde"]
    assert [i.number for i in meeting.items] == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "3"]
    assert [i.title for i in meeting.items][:2] == ["First Agenda", "Status siden sidst"]
    assert meeting.items[1].decisions[0].text.startswith("Alle skal have indhold.")
    assert [s.heading for s in meeting.items[2].sections] == ["Oplæg"]
    assert not meeting.items[2].decisions  # "Referat:" left empty is no decision
    assert [i.source_page for i in meeting.items] == [1, 1, 2, 2, 2, 3, 3, 3, 4, 4]


def test_norddjurs_beslutningsprotokol_fixture() -> None:
    meeting = read(NORDDJURS_DOCX)
    assert meeting.source_format == "document-norddjurs"
    assert (meeting.municipality, meeting.committee) == ("Norddjurs Kommune", "Kultur- og Udviklingsudvalget")
    assert meeting.absentees == ["Kurt Johansen (V)"]
    assert [(i.number, i.title, i.case_number, i.route, i.access) for i in meeting.items] == [
        ("1", "Godkendelse af dagsorden", "13/5984", "KUU", Access.OPEN),
        ("2", "Tilskud til Museum Østjylland 2023", "22/14377", "BUU", Access.OPEN),
        ("3", "Lukket punkt", None, None, Access.CLOSED),
        ("4", "Orientering om biblioteksbetjening i Allingåbro", "21/3390", "KUU", Access.OPEN),
    ]
    # A decision heading without a date is this meeting's decision.
    assert [d.date.isoformat() for d in meeting.items[3].decisions if d.date] == ["2022-12-05"]
    assert meeting.items[1].absentees == ["Kurt Johansen (V)"]
    assert "gravhøjsparcellen" not in all_text(meeting)
    # A DOCX with a closed item is not published beside the items.
    assert meeting.document is not None and meeting.document.access == Access.CLOSED


def test_family_is_detected_and_can_be_forced() -> None:
    assert {f"document-{n}" for n in PROFILES} <= set(available_formats())
    forced = list(available_formats()["document-edoc"].parse(BALLERUP_PDF, IngestContext(extract_text=False)))
    assert forced[0].source_format == "document-edoc" and len(forced[0].items) == 8
    with pytest.raises(FormatError, match="no items found with the firstagenda"):
        list(available_formats()["document-firstagenda"].parse(BALLERUP_PDF, IngestContext(extract_text=False)))


def test_attachments_are_not_whole_meeting_documents() -> None:
    assert detect(AARHUS_PDF) and detect(BALLERUP_PDF) and detect(SYDDJURS_DOCX)
    for attachment in (
        SAMPLES / "firstagenda/aarhus-2025/dagsbil.pdf",
        BALLERUP_DIR / "1548227.PDF",
        SAMPLES / "publication/ballerup-it-udvalget-2013/Enclosures/1.pdf",
        SYDDJURS_PDF.parent / "Opsamlingsnotat. Temamøde 20.09.2012.pdf",
    ):
        assert not detect(attachment), attachment
        assert detect_format(attachment) is None


def test_walking_the_samples_reads_each_meeting_once() -> None:
    """Export folders claim their PDFs (the referat PDFs inside them included); only a loose
    whole-meeting PDF outside any export is read as a document."""
    inputs = list(iter_inputs([SAMPLES]))
    documents = [p for p, m in inputs if m is not None and m.NAME == "document"]
    assert documents == [AARHUS_PDF]
    assert not any(p.suffix.lower() in {".pdf", ".docx"} for p, m in inputs if m is None or m.NAME != "document")


def test_undated_document_takes_committee_and_date_from_the_command_line(tmp_path: Path) -> None:
    """SBSYS prints no municipality: it comes from the command line, as for other inputs."""
    meeting = read(SBSYS_PDF, municipality="Aarhus")
    assert meeting.municipality == "Aarhus Kommune"


def test_cleaning_drops_running_lines_page_numbers_and_toc() -> None:
    pages = [
        f"Økonomiudvalget\nReferat\nSide {n}\n{body}\n{n} af 4"
        for n, body in enumerate(
            ["Indholdsfortegnelse\n1. Budget ........ 2", "1. Budget\nTeksten fortsæt-", "ter her.", "Slut."], start=1
        )
    ]
    lines = clean_pages(pages)
    assert [(ln.text, ln.page) for ln in lines] == [
        ("1. Budget", 2),
        ("Teksten fortsætter", 2),
        ("her.", 3),
        ("Slut.", 4),
    ]
    assert join_hyphenation([Line("p-", 1), Line("huse i byen", 1)])[0].text == "p-huse"


def test_a_document_that_cannot_be_split_is_rejected_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as error:
        list(parse(SAMPLES / "firstagenda/aarhus-2025/dagsbil.pdf", IngestContext()))
    assert "dagsbil.pdf" in str(error.value) and "no layout profile" in str(error.value)


def test_extraction_reads_every_page_of_the_damaged_edoc_file() -> None:
    text = read_document(BALLERUP_PDF)
    assert len(text.pages) == 15 and all(p.strip() for p in text.pages)


def test_pdf_lines_are_reflowed_into_paragraphs_and_lists_stay_lists() -> None:
    meeting = read(AARHUS_PDF)
    body = next(s.text for s in meeting.items[19].sections if s.heading == "BESLUTNINGSFORSLAG FRA SF OG ALT")
    first = body.split("\n")[0]
    assert "forurenede vandområder. Vi ønsker at ændre dette. Aarhusbugten skal ikke bare overleve" in first
    listed = next(s.text for s in meeting.items[19].sections if s.heading.startswith("SF Aarhus og Alternativet"))
    assert listed.startswith("- At Aarhus Kommune arbejder aktivt")
    # A DOCX's lines are its paragraphs: the Syddjurs time plan stays one line a date.
    docx = read(SYDDJURS_DOCX)
    resume = next(s.text for s in docx.items[0].sections if s.heading == "Resumé")
    assert "\nJuni 2012: Kultur-kick: www.kulturkommune.dk går i luften\n" in resume


def test_aarhus_absence_line_in_this_meetings_decision_is_the_items_absentee() -> None:
    """The Aarhus referat prints "X deltog ikke i sagens behandling." only under Magistraten's earlier
    decisions (kept there, not this meeting's).  Put under item 1's own "Beslutninger", the same real
    line names the item's absentee."""
    from indexer.documents.splitter import build_item, split_lines

    lines = read_document(AARHUS_PDF).lines
    absent = next(ln for ln in lines if ln.text.endswith("deltog ikke i sagens behandling."))
    decided = next(i for i, ln in enumerate(lines) if ln.text == "Godkendt.")
    planted = [*lines[: decided + 1], Line(absent.text, lines[decided].page), *lines[decided + 1 :]]
    profile = PROFILES["firstagenda"]
    parts = split_lines(planted, profile, Access.OPEN)
    first, second = (build_item(raw, profile, "Aarhus Byråd", None) for raw in parts.items[:2])
    assert first.absentees == ["Jesper Kjeldsen"]
    assert first.decisions[0].text.startswith("Godkendt.")
    assert second.absentees == [] and "Jesper Kjeldsen deltog ikke" in second.history[-1].text


def test_without_a_printed_cover_committee_date_and_municipality_come_from_minutes_json_or_the_command_line(
    tmp_path: Path,
) -> None:
    """The real Syddjurs DOCX with its cover table (committee, date, place) taken out."""
    import datetime as dt
    import json

    import docx

    document = docx.Document(str(SYDDJURS_DOCX))
    cover = document.tables[0]
    cover._element.getparent().remove(cover._element)
    folder = tmp_path / "uden-forside"
    folder.mkdir()
    target = folder / "Ekstraordinært PUK.docx"
    document.save(str(target))

    bare = read(target)
    assert (bare.committee, bare.start) == ("", None)
    assert any("no committee printed" in w for w in bare.warnings)
    assert any("no meeting date printed" in w for w in bare.warnings)
    assert bare.items[0].case_number == "12/27845"  # the items are read all the same

    (folder / "minutes.json").write_text(
        json.dumps(
            {
                "municipality": "Syddjurs",
                "committee": "Udvalget for plan, udvikling og kultur (PUK)",
                "meeting_date": "2013-06-20T10:30",
            }
        ),
        "utf-8",
    )
    manifest = read(target)
    assert manifest.municipality == "Syddjurs Kommune"
    assert manifest.committee == "Udvalget for plan, udvikling og kultur (PUK)"
    assert manifest.start is not None and manifest.start.isoformat() == "2013-06-20T10:30:00+02:00"
    assert manifest.id == read(SYDDJURS_PDF, municipality="Syddjurs").id  # the printed referat's meeting

    given = read(target, committee="Økonomiudvalget", meeting_date=dt.date(2013, 6, 21))  # the command line wins
    assert (given.committee, given.start and given.start.date()) == ("Økonomiudvalget", dt.date(2013, 6, 21))
