"""Every real export, read whole: committee, date, type, items with their titles and
access, attachments per item, and one attachment's extracted text where the export
ships the file.  Expected values were read off the source files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.formats import IngestContext, detect_format, iter_inputs
from indexer.model import Access, Meeting, MeetingKind
from tests.conftest import SAMPLES, published

OPEN, CLOSED = Access.OPEN, Access.CLOSED


@dataclass(frozen=True)
class Expected:
    path: str
    municipality: str | None  # given on the command line; None when the export names it
    committee: str
    start: str  # ISO 8601, Europe/Copenhagen
    kind: MeetingKind
    items: list[tuple[str, str, Access, int]]  # number, title, access, attachments
    # (item number, attachment number, words in its extracted text), or why there is none
    text: tuple[str, str, str] | str


SAMPLE_TABLE = [
    Expected(
        "publication/ballerup-it-udvalget-2013",
        "Ballerup",
        "KMB IT-udvalget",
        "2013-05-15T16:30:00+02:00",
        MeetingKind.DAGSORDEN,
        [
            ("1", "Meddelelser", OPEN, 0),
            ("2", "Oplæg til standard it-arbejdsplads for Kommunalbestyrelsens medlemmer i 2014-2018", OPEN, 0),
            ("3", "Indførelse af systemet SAPA (Sagsoverblik/Partskontakt)", OPEN, 1),
            ("4", "Regler for indkøb af it-udstyr", OPEN, 0),
            ("5", "Status på eDagsorden", OPEN, 0),
        ],
        ("3", "1", "Tilslutning til monopolbruddet"),
    ),
    Expected(
        "publication/regionh-forretningsudvalget-2012",
        "Region Hovedstaden",
        "Forretningsudvalget",
        "2012-09-25T15:30:00+02:00",
        MeetingKind.DAGSORDEN,  # a Draft: read as a dagsorden, never a referat
        [
            ("1", "2. behandling af forslag til styrelsesvedtægt – nedsættelse af stående udvalg", OPEN, 6),
            ("2", "Anvendelse af beløb til hospitalsudstyr og patientnære arealer", OPEN, 1),
            ("3", "Særpublikation og konference om infrastruktur og vækst", OPEN, 2),
            (
                "4",
                "Anmodning fra Hans Toft (C) om offentliggørelse af beslutning truffet af Movias bestyrelse",
                OPEN,
                5,
            ),
        ],
        "the region's enclosures are identical placeholder PDFs without text",
    ),
    Expected(
        "publication/aarhus-moedesystemgruppen-2016",
        "Aarhus",
        "Mødesystemgruppen",
        "2016-10-06T13:00:00+02:00",
        MeetingKind.REFERAT,
        [
            ("1", "First Agenda", OPEN, 0),
            ("1.1", "Status siden sidst", OPEN, 0),
            ("1.2", "Status på udviklingsønsker", OPEN, 0),
            ("1.3", "Besøg af First Agenda", OPEN, 0),
            ("1.4", "Plan for resten af året", OPEN, 0),
            ("2", "GetOrganized", OPEN, 0),
            ("2.1", "Status siden sidst", OPEN, 0),
            ("2.2", "Plan for resten af året", OPEN, 0),
            ("2.3", "Status over udviklingsønsker", OPEN, 0),
            ("3", "Eventuelt", OPEN, 0),
            ("0", "Lukket referat", CLOSED, 0),
            ("0", "Åbent referat", OPEN, 1),
        ],
        ("0", "1", "Status på antal af brugere"),
    ),
    Expected(
        "acadre/syddjurs-puk-2013",
        "Syddjurs",
        "Udvalget for plan, udvikling og kultur (PUK)",
        "2013-06-20T10:30:00+02:00",
        MeetingKind.REFERAT,
        [("715", "Kulturkommune 2017. Politiske fokusområder", OPEN, 3)],
        ("715", "1", "har sat fokus på kulturområdet"),
    ),
    Expected(
        "edoc/ballerup-sundhedsudvalget-2012/04-12-2012 13:00:00",
        None,
        "Sundheds- og Forebyggelsesudvalget",
        "2012-12-04T13:00:00+01:00",
        MeetingKind.REFERAT,
        [
            ("1", "Meddelelser", OPEN, 3),
            ("2", "Bygningsvedligeholdelse 2013 - anlægsbevilling", OPEN, 1),
            ("3", "Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013", OPEN, 1),
            ("4", "Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013", OPEN, 1),
            ("5", "KL's opfølgningsproces vedrørende det nære sundhedsvæsen", OPEN, 2),
            ("6", "Prioritering af midler til kronisk syge borgere og hverdagsrehabilitering for ældre", OPEN, 1),
            ("7", "Etablering af aktivitetscenter på Solvej 6 i Ballerup", OPEN, 1),
            ("8", "Evaluering af rygestopkurser", OPEN, 0),
        ],
        ("7", "1", "Projektleder: Birgit Elleby Jørgensen"),
    ),
    Expected(
        "edoc-fujitsu/Hennys testudvalg",
        "Middelfart",
        "Hennys testudvalg",
        "2017-05-02T10:00:00+02:00",
        MeetingKind.DAGSORDEN,
        [
            ("1", "test", OPEN, 4),
            ("2", "test tabel", OPEN, 0),
            ("3", "Fejloprettet", OPEN, 0),
            ("4", "Fejloprettet", OPEN, 0),
            ("5", "Anders' møgsag", CLOSED, 8),
            ("6", "Lukket punkt", CLOSED, 0),
        ],
        ("1", "1", "Trekantområdets Brandvæsen"),
    ),
    Expected(
        "firstagenda/aarhus-2025/example_minutes.html",
        None,
        "Teknisk Udvalg",
        "2025-10-01T15:45:00+02:00",
        MeetingKind.REFERAT,
        [
            ("1", "Referat fra sidste udvalgsmøde", OPEN, 1),
            ("2", "Udviklingsplan Aarhus Ø - endelig vedtagelse", OPEN, 30),
            (
                "3",
                "Lokalplan 1221 (tillæg 2 til lokalplan 411) – Erhvervsområde ved Kattrup, "
                "Hasselager-Kolt, med tillæg 1 - Endelig",
                OPEN,
                11,
            ),
            ("4", "Forvaltningen orienterer", OPEN, 0),
            ("5", "Eventuelt", OPEN, 0),
            ("6", "Måltal for busfremkommelighed, jf. budgetforlig 2023", OPEN, 27),
        ],
        "the page links its bilag on the portal; no bilag file is in the sample",
    ),
]


def _read(expected: Expected) -> Meeting:
    path = SAMPLES / expected.path
    module = detect_format(path)
    if module is None:  # a committee folder: the export inside it
        [(path, module)] = [(p, m) for p, m in iter_inputs([path]) if m is not None]
    assert module is not None
    meetings = list(module.parse(path, IngestContext(municipality=expected.municipality)))
    assert len(meetings) == 1
    return meetings[0]


@pytest.fixture(scope="module", params=SAMPLE_TABLE, ids=lambda e: e.path.split("/")[1])
def sample(request: pytest.FixtureRequest) -> tuple[Expected, Meeting]:
    expected: Expected = request.param
    return expected, _read(expected)


def test_meeting_committee_date_and_type(sample: tuple[Expected, Meeting]) -> None:
    expected, meeting = sample
    assert meeting.committee == expected.committee
    assert meeting.start is not None and meeting.start.isoformat() == expected.start
    assert str(meeting.start.tzinfo) == "Europe/Copenhagen"
    assert meeting.kind == expected.kind
    assert meeting.municipality.endswith(("Kommune", "Hovedstaden"))


def test_items_titles_access_and_attachment_counts(sample: tuple[Expected, Meeting]) -> None:
    expected, meeting = sample
    got = [(i.number, i.title, i.access, len(i.attachments)) for i in meeting.items]
    assert got == expected.items


def test_one_attachment_text_where_the_file_is_shipped(sample: tuple[Expected, Meeting]) -> None:
    expected, meeting = sample
    if isinstance(expected.text, str):
        # No bilag text to read: then no open bilag may claim any.
        assert not any(a.text for item in meeting.items for a in item.attachments), expected.text
        return
    number, attachment, words = expected.text
    item = next(i for i in published(meeting).items if i.number == number and i.access == Access.OPEN)
    found = next(a for a in item.attachments if a.number == attachment)
    assert found.text_status == "extracted" and found.access == Access.OPEN
    assert words in (found.text or "")


def test_closed_items_carry_no_text_at_all(sample: tuple[Expected, Meeting]) -> None:
    _, meeting = sample
    for item in meeting.items:
        if item.access == Access.CLOSED:
            assert not item.sections and not item.decisions and not item.history
            assert all(a.access == Access.CLOSED and a.text is None for a in item.attachments)


def test_firstagenda_agenda_page_all_33_items() -> None:
    [meeting] = detect_format(SAMPLES / "firstagenda/aarhus-2025/example_agenda.html").parse(  # type: ignore[union-attr]
        SAMPLES / "firstagenda/aarhus-2025/example_agenda.html", IngestContext()
    )
    assert (meeting.committee, meeting.start.isoformat() if meeting.start else None, meeting.kind) == (
        "Aarhus Byråd",
        "2025-10-08T16:00:00+02:00",
        MeetingKind.DAGSORDEN,
    )
    assert [i.number for i in meeting.items] == [str(n) for n in range(1, 34)]
    assert meeting.items[0].title == "Godkendelse af dagsorden"
    assert meeting.items[-1].title == "Forslag fra V, KF, LA og DD om afledte konsekvenser af lukning af Vesterbro Torv"
    assert all(i.access == Access.OPEN for i in meeting.items)
    assert sum(len(i.attachments) for i in meeting.items) == 636  # the page's bilag links, counted in the source


def _sample_paths() -> list[Path]:
    return [SAMPLES / e.path for e in SAMPLE_TABLE]


def test_the_table_covers_every_sample_export() -> None:
    """A new sample added to the shared folder must get its row here."""
    claimed = {p for p, m in iter_inputs([SAMPLES]) if m is not None}
    covered = set()
    # The Aarhus referat PDF is a whole-meeting document, read item by item in tests/documents/.
    whole_meeting_pdf = SAMPLES / "firstagenda/aarhus-2025/Aarhus_Byråd-Aarhus_Byråd_den_27._august_2025.pdf"
    for path in [*_sample_paths(), SAMPLES / "firstagenda/aarhus-2025/example_agenda.html", whole_meeting_pdf]:
        covered |= {p for p, m in iter_inputs([path]) if m is not None}
    assert claimed == covered


# Every bundled source whose attachments carry a number: the real samples, the open dataset's
# demo and test extracts, the SBSYS fixture and the Greve portal documents.
_NUMBERED_SOURCES = [
    SAMPLES,
    SAMPLES.parent / "digst",
    SAMPLES.parents[1] / "tests" / "fixtures" / "corpus",
    SAMPLES.parents[1] / "tests" / "formats" / "fixtures",
    SAMPLES.parents[1] / "tests" / "fixtures" / "firstagenda-api" / "greve",
]


def test_no_attachment_is_numbered_against_the_number_its_title_prints() -> None:
    """Formats that number attachments by their place (the whole-meeting PDF's printed list, the
    open dataset, eDoc, SBSYS, and Acadre and Publication where an enclosure has no number) called
    Aarhus's unnumbered "Indstilling" bilag 1 and its "Bilag 1: Beslutningsforslag" bilag 2 (12
    items of the Aarhus council PDF; 4 of the open dataset's demo, where "Bilag 2-Asfaltarbejder …"
    was bilag 1).  Where the titles print the numbering, the number is the printed one or none."""
    from indexer.model import printed_attachment_number

    wrong: list[str] = []
    formats: set[str] = set()
    for path, module in iter_inputs(_NUMBERED_SOURCES):
        if module is None:
            continue
        for meeting in module.parse(path, IngestContext(municipality="Aarhus", extract_text=False)):
            for item in meeting.items:
                for attachment in item.attachments:
                    formats.add(module.NAME)
                    printed = printed_attachment_number(attachment.title)
                    if printed and printed != attachment.number:
                        wrong.append(f"{path.name} {item.number}: {attachment.number!r} {attachment.title!r}")
    assert formats >= {"acadre", "digst", "document", "edoc", "edoc-fujitsu", "firstagenda", "publication", "sbsys"}
    assert wrong == []


def _one_meeting(path: Path, municipality: str) -> Meeting:
    module = detect_format(path)
    assert module is not None, path
    [meeting] = module.parse(path, IngestContext(municipality=municipality, extract_text=False))
    return meeting


def test_the_whole_meeting_pdf_numbers_attachments_as_it_prints_them() -> None:
    from indexer.model import printed_attachment_number

    meeting = _one_meeting(
        SAMPLES / "firstagenda" / "aarhus-2025" / "Aarhus_Byråd-Aarhus_Byråd_den_27._august_2025.pdf", "Aarhus"
    )
    numbered = {i.number: [(a.number, a.title.split(":")[0]) for a in i.attachments] for i in meeting.items}
    assert numbered["5"] == [("", "Indstilling"), ("1", "Bilag 1"), ("2", "Bilag 2"), ("3", "Bilag 3")]
    unprinted = [
        i for i in meeting.items if i.attachments and not any(printed_attachment_number(a.title) for a in i.attachments)
    ]
    assert unprinted, "the sample has items whose list prints no numbers"
    for item in unprinted:  # those keep the list's order as their numbers
        assert [a.number for a in item.attachments] == [str(n) for n in range(1, len(item.attachments) + 1)]


def test_a_title_naming_another_cases_bilag_does_not_renumber_the_sources_list() -> None:
    """Region Hovedstaden's enclosure numbered 4 is titled "Bilag 3 til sag nr. 3 …" (a bilag of
    another meeting's case): read as the item's own numbering, the page dropped the source's
    numbers 1–5 of the item's attachments and called this one bilag 3."""
    from webui.viewmodels import attachment_views

    meeting = _one_meeting(SAMPLES / "publication" / "regionh-forretningsudvalget-2012", "Region Hovedstaden")
    [item] = [i for i in meeting.items if i.number == "4"]
    views = attachment_views([{"number": a.number, "title": a.title} for a in item.attachments])
    assert [v["number"] for v in views] == ["1", "2", "3", "4", "5"]
    assert views[0]["label"].startswith("Bilag 1: Mail fra Hans Toft")
