"""The open-dataset CSV, read from the real public sample."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, digst, iter_inputs
from indexer.model import Access, Meeting, MeetingKind, SectionKind
from tests.conftest import CORPUS_CSV, DATA

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def meetings() -> list[Meeting]:
    return list(digst.parse(CORPUS_CSV, IngestContext()))


def _meeting(meetings: list[Meeting], document_prefix: str) -> Meeting:
    (found,) = [m for m in meetings if (m.native_id or "").startswith(document_prefix)]
    return found


def test_detects_the_dataset_csv_only(tmp_path: Path) -> None:
    assert digst.detect(CORPUS_CSV)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", "utf-8")
    assert not digst.detect(other)


def test_rows_are_grouped_into_meetings_by_document(meetings: list[Meeting]) -> None:
    with CORPUS_CSV.open(encoding="utf-8", newline="") as fh:
        csv.field_size_limit(2**31 - 1)
        documents = Counter(row["identifikator"].split("_")[0] for row in csv.DictReader(fh))
    assert {m.native_id: len(m.items) for m in meetings} == dict(documents)
    assert len({item.id for m in meetings for item in m.items}) == sum(documents.values())


def test_coverage_of_committee_date_title_municipality(meetings: list[Meeting]) -> None:
    items = [(m, item) for m in meetings for item in m.items]
    total = len(items)
    with_committee = sum(1 for m, _ in items if m.committee)
    printed_date = sum(1 for m, _ in items if m.start and not any("skabt" in w for w in m.warnings))
    with_title = sum(1 for _, item in items if item.title)
    with_municipality = sum(1 for m, _ in items if m.municipality)
    assert with_committee / total >= 0.95
    # Two Kalundborg agendas (40 rows) print no meeting date at all; they get the year from 'skabt'.
    assert printed_date / total >= 0.90
    assert all(m.start is not None for m, _ in items)
    # Rows printing nothing but their decision get no title: a decision does not name the case.
    decision_only = sum(
        1 for _, item in items if not any(s.kind.value == "body" and s.text.strip() for s in item.sections)
    )
    assert with_title >= total - decision_only
    assert with_municipality / total >= 0.95
    assert {m.municipality for m in meetings} == {"Aarhus Kommune", "Favrskov Kommune", "Kalundborg Kommune"}
    referat_items = [item for m, item in items if m.kind == MeetingKind.REFERAT]
    # Some items of a referat have no decision of this meeting ("Beslutning ikke frigivet").
    assert sum(1 for item in referat_items if item.decisions) / len(referat_items) >= 0.90


def test_aarhus_sagens_forloeb_gives_committee_date_decision_and_history(meetings: list[Meeting]) -> None:
    meeting = _meeting(meetings, "024dcac7")
    assert (meeting.municipality, meeting.committee, meeting.meeting_date) == (
        "Aarhus Kommune",
        "Teknisk Udvalg",
        date(2014, 9, 1),
    )
    assert meeting.kind == MeetingKind.REFERAT
    bypark = next(i for i in meeting.items if i.title == "En mulig bypark i [adresse]")
    assert bypark.access == Access.OPEN
    (decision,) = bypark.decisions
    assert (decision.body, decision.date) == ("Teknisk Udvalg", date(2014, 9, 1))
    assert decision.text.startswith("Ella Olsen, Maya Lassen")
    assert [(h.body, h.date) for h in bypark.history][:3] == [
        ("Borgmesterens Afdelings påtegning", date(2014, 5, 22)),
        ("Magistraten", date(2014, 5, 26)),
        ("Aarhus Byråd", date(2014, 6, 11)),
    ]
    assert [s.heading for s in bypark.sections if s.kind == SectionKind.RECOMMENDATION] == ["INDSTILLING"]
    assert any(s.heading == "RESUMÉ" for s in bypark.sections)
    assert all("Sagens forløb" not in s.text for s in bypark.sections)


def test_favrskov_header_gives_committee_date_number_and_case(meetings: list[Meeting]) -> None:
    meeting = _meeting(meetings, "94933cfd")
    assert (meeting.municipality, meeting.committee, meeting.meeting_date) == (
        "Favrskov Kommune",
        "Byråd",
        date(2017, 4, 24),
    )
    item = next(i for i in meeting.items if i.number == "53")
    assert item.title == "Regnskab for anlægsarbejder over 2 mio. kr. i 2016"
    assert item.case_number == "710-2017-7322"
    assert item.access == Access.OPEN
    # The Økonomiudvalget recommendation is an earlier body's: history, not the council's decision.
    assert item.decisions == []
    assert [(h.body, h.date) for h in item.history] == [("Økonomiudvalget", date(2017, 4, 18))]
    assert "Indstilles godkendt." in item.history[0].text
    assert [(a.title, a.document_id) for a in item.attachments] == [
        ("Notat: Regnskab for anlægsarbejder over 2 mio. kr. i 2016", "710-2017-49223")
    ]


def test_kalundborg_moede_entries(meetings: list[Meeting]) -> None:
    meeting = _meeting(meetings, "3beea684")
    assert (meeting.municipality, meeting.committee, meeting.meeting_date) == (
        "Kalundborg Kommune",
        "Kommunalbestyrelsen",
        date(2014, 11, 26),
    )
    item = next(i for i in meeting.items if i.title == "Landdistriktspolitik 2014-2017")
    assert (item.number, item.case_number) == ("7", "326-2011-961")
    assert item.decisions[0].text == "Kommunalbestyrelsen vedtog at godkende Økonomiudvalgets indstilling."
    assert [h.body for h in item.history] == ["Direktionen", "Økonomiudvalget"]
    assert [i.number for i in meeting.items] == sorted((i.number for i in meeting.items), key=int)


def test_pseudonymised_placeholders_stay(meetings: list[Meeting]) -> None:
    assert any("[adresse]" in item.title for m in meetings for item in m.items)


def test_closed_marker_makes_the_item_closed(tmp_path: Path) -> None:
    # The public sample has no closed item, so one is written in the dataset's own layout.
    path = tmp_path / "closed.csv"
    text = (
        "Køb af ejendom\nSagsfremstilling\n12.                 Køb af ejendom - Lukket\n  \nSAGENS INDHOLD\n"
        "Fortroligt.\n  \nTeknik- og Miljøudvalget, 16. april 2015:\nGodkendt.\n"
    )
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["identifikator", "indhold", "skabt"])
        writer.writerow(["doc-1_item-1", text, "2015"])
    (meeting,) = digst.parse(path, IngestContext(municipality="Favrskov Kommune"))
    (item,) = meeting.items
    assert (item.number, item.title, item.access) == ("12", "Køb af ejendom", Access.CLOSED)
    assert all(s.access == Access.CLOSED for s in item.sections)
    assert (meeting.committee, meeting.meeting_date) == ("Teknik- og Miljøudvalget", date(2015, 4, 16))


def test_broken_or_foreign_csv_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("navn,alder\nAnna,3\n", "utf-8")
    with pytest.raises(FormatError) as err:
        list(digst.parse(path, IngestContext()))
    assert str(path) in str(err.value)


def test_bundled_demo_inputs_are_found_with_their_formats() -> None:
    found = {p.relative_to(REPO).as_posix(): (m.NAME if m else None) for p, m in iter_inputs([REPO / "data"])}
    assert found["data/digst/digst-demo.csv"] == "digst"
    assert found["data/seed/000_a44bcb30204f6ae6.txt"] == "agenda-text"
    demo = list(digst.parse(REPO / "data" / "digst" / "digst-demo.csv", IngestContext()))
    assert sum(len(m.items) for m in demo) >= 250
    assert {m.municipality for m in demo} == {"Aarhus Kommune", "Favrskov Kommune", "Kalundborg Kommune"}
    assert len({m.meeting_date.year for m in demo if m.meeting_date}) >= 4


TITLE_ABBREVIATION_END = re.compile(r"\b(nr|pkt|jf|tidl|ca|kr|stk)\.$|\b(den|af|d\.) \d{1,2}\.$", re.IGNORECASE)


@pytest.mark.parametrize("source", [CORPUS_CSV, DATA / "digst" / "digst-demo.csv"], ids=["corpus", "demo"])
def test_titles_are_never_a_decision_or_a_fragment(source: Path) -> None:
    """Rows without a title line: the title comes from the summary or the case text, whole
    sentences, never cut at "nr.", "jf.", a date or an ordinal, never the decision."""
    items = [item for meeting in digst.parse(source, IngestContext()) for item in meeting.items]
    decisions = {
        re.sub(r"\s+", " ", s.text).strip()
        for item in items
        for s in item.sections
        if s.kind.value in ("decision", "recommendation")
    }
    for item in items:
        title = item.title
        assert not TITLE_ABBREVIATION_END.search(title), title
        assert title.casefold().rstrip(".") not in {"intet", "udsat", "ingen", "ingen bemærkninger", "tidl"}, title
        if title:
            assert not any(d.startswith(title.rstrip("…")) for d in decisions if len(d) < 300), title
    for item in items:
        if not item.title:  # only a row that holds nothing but its decision goes untitled
            assert not any(s.kind.value == "body" and len(s.text.strip()) >= 12 for s in item.sections), item


def test_sentences_do_not_end_at_abbreviations_dates_or_ordinals() -> None:
    text = (
        "Udvalget blev orienteret om lokalplan nr. 1025 jf. Planloven den 10. Marts og pkt. 3 i notat af 3. "
        "December 2016. Næste sætning."
    )
    assert digst._sentences(text)[0].endswith("December 2016.")


def test_meetings_known_only_by_year_keep_apart_and_every_item_is_indexed(tmp_path: Path) -> None:
    """The dataset dates many documents by year alone.  Two meetings of one committee in one year
    are still two meetings: neither is a newer version of the other, so none of their items is
    withdrawn, and every item of the file is in the index."""
    from indexer.engines.whoosh.index import MinutesIndex
    from tests.helpers import quiet_ingest

    source = DATA / "digst" / "digst-demo.csv"
    demo = list(digst.parse(source, IngestContext()))
    by_year = Counter((m.municipality, m.committee, m.start) for m in demo if m.date_precision == "year")
    assert max(by_year.values()) >= 2, "the demo holds two meetings of one committee known by one year"
    assert len({m.id for m in demo}) == len(demo)
    root = tmp_path / "index"
    MinutesIndex.create(root)
    quiet_ingest([source], root)
    assert MinutesIndex.open(root).doc_count() == sum(len(m.items) for m in demo)


DEMO_CSV = DATA / "digst" / "digst-demo.csv"
# (file, the row's own access marker, what a closed row would print in its place)
CLOSED_WORDINGS = [
    # Favrskov: the PDF text ends the numbered title with " - Åbent".
    (CORPUS_CSV, "Salg af offentlig vej til [adresse] - Åbent", "Salg af offentlig vej til [adresse] - Lukket sag"),
    (CORPUS_CSV, "Salg af offentlig vej til [adresse] - Åbent", "Salg af offentlig vej til [adresse] - LUKKET PUNKT."),
    (
        CORPUS_CSV,
        "Salg af offentlig vej til [adresse] - Åbent",
        "Salg af offentlig vej til [adresse] - Lukket sag (personsag)",
    ),
    (CORPUS_CSV, "Salg af offentlig vej til [adresse] - Åbent", "Salg af offentlig vej til [adresse] (lukket)"),
    # Favrskov, the title wrapped so that the access stands on a line of its own.
    (CORPUS_CSV, "Skanderborg Kommune - \nÅbent", "Skanderborg Kommune - \nLukket sag"),
    # Kalundborg Markdown: the access as a bold line under the title, or glued to the title.
    (DEMO_CSV, "\n**Åbent**\n\nSagsnr.: 326-2016-15218", "\n**Lukket sag**\n\nSagsnr.: 326-2016-15218"),
    (DEMO_CSV, "\n**Åbent**\n\nSagsnr.: 326-2016-15218", "\nLukket punkt (personsag)\n\nSagsnr.: 326-2016-15218"),
    (DEMO_CSV, "batteribank på [adresse]**Åbent**", "batteribank på [adresse]**Lukket**"),
    # Not a wording the reader knows, but it says closed where the access stands: closed.
    (
        DEMO_CSV,
        "\n**Åbent**\n\nSagsnr.: 326-2016-15218",
        "\n**Lukket sag, jf. styrelseslovens § 10**\n\nSagsnr.: 326-2016-15218",
    ),
]


def _one_row(source: Path, marker: str, tmp_path: Path, replacement: str | None = None) -> list[Meeting]:
    """The real row printing ``marker``, alone in a CSV of the dataset's columns, its marker replaced."""
    with source.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        row = next(r for r in reader if marker in r["indhold"])
    if replacement is not None:
        row = dict(row, indhold=row["indhold"].replace(marker, replacement))
    path = tmp_path / "row.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)
    return list(digst.parse(path, IngestContext()))


@pytest.mark.parametrize(("source", "marker", "closed"), CLOSED_WORDINGS)
def test_every_closed_wording_closes_the_row(tmp_path: Path, source: Path, marker: str, closed: str) -> None:
    """A row said closed in a wording other than "- Lukket" or a "Lukket punkt" line ("Lukket sag",
    "- Lukket sag", "**Lukket**", "(lukket)", a reason in brackets) was indexed open, its title shown
    with the marker in it.  Real rows of each layout, their "Åbent" replaced: the row is closed, and
    the marker is not part of its title."""
    [[opened]] = [m.items for m in _one_row(source, marker, tmp_path)]
    assert opened.access == Access.OPEN  # the real row as printed: the check below can fail
    [[item]] = [m.items for m in _one_row(source, marker, tmp_path, closed)]
    assert item.access == Access.CLOSED
    assert all(s.access == Access.CLOSED for s in item.sections)
    assert "lukket" not in item.title.casefold()
    assert item.title == opened.title.removesuffix(" -")


def test_a_title_or_text_that_merely_says_lukket_stays_open(tmp_path: Path) -> None:
    """Only the access's place closes a row: a road "holdes lukket" in the case text, or a title that
    begins with the word, is no marker."""
    marker = "Salg af offentlig vej til [adresse] - Åbent"
    [[item]] = [
        m.items
        for m in _one_row(
            CORPUS_CSV,
            marker,
            tmp_path,
            "Lukket vej til [adresse] - Åbent  \n  \n  \nSAGENS INDHOLD \nVejen holdes lukket. \n",
        )
    ]
    assert item.access == Access.OPEN
