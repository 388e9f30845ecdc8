"""The plain-text agenda format, read from the real seed item."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, agenda_text, iter_inputs
from indexer.model import Access, MeetingKind, SectionKind
from indexer.sidecar import load_sidecar
from tests.conftest import SEED

DECISION_HEADING = "Beslutning i Områdeudvalget for Administrationen den 05-12-2022"


def _one(path: Path, context: IngestContext | None = None):
    meetings = list(agenda_text.parse(path, context or IngestContext()))
    assert len(meetings) == 1
    return meetings[0]


def test_detects_the_seed() -> None:
    assert agenda_text.detect(SEED)


def test_seed_field_by_field() -> None:
    meeting = _one(SEED)
    assert meeting.committee == "Områdeudvalget for Administrationen"
    assert meeting.meeting_date == date(2022, 12, 5)
    assert meeting.municipality == ""  # not in the text, and never guessed
    assert meeting.kind == MeetingKind.REFERAT
    assert meeting.warnings == []
    (item,) = meeting.items
    assert item.title == "Sociale medier i arbejdsmæssig sammenhæng"
    assert item.number == ""
    assert item.access == Access.OPEN
    assert item.route == "OA"
    assert [(s.heading, s.kind) for s in item.sections] == [
        ("Sagsfremstilling", SectionKind.BODY),
        ("Sammenhæng til andre politikker/strategier og fagområder", SectionKind.BODY),
        ("Økonomiske konsekvenser", SectionKind.BODY),
        ("Indstilling", SectionKind.RECOMMENDATION),
        (DECISION_HEADING, SectionKind.DECISION),
    ]
    sections = {s.heading: s.text for s in item.sections}
    assert sections["Sagsfremstilling"].startswith("På mødet den 12. september besluttede områdeudvalget")
    assert sections["Sagsfremstilling"].endswith("er vedlagt som bilag.")
    assert sections["Økonomiske konsekvenser"] == "Ingen økonomiske konsekvenser."
    assert sections["Indstilling"].startswith("Formanden indstiller, at områdeudvalget har en dialog")
    (decision,) = item.decisions
    assert decision.body == "Områdeudvalget for Administrationen"
    assert decision.date == date(2022, 12, 5)
    assert decision.heading == DECISION_HEADING
    assert decision.text.startswith("Områdeudvalget for administrationen anerkender arbejdet med guiden")
    assert decision.text.endswith("hvordan guiden kan bruges lokalt.")
    assert sections[DECISION_HEADING] == decision.text
    assert "Fraværende" not in decision.text and "Bilag" not in decision.text
    assert item.history == []
    assert item.absentees == [
        "Marie-Louise Eskerod Ifversen",
        "Trine Grejsen",
        "Helle Kirkegård",
        "Jannie Sjørup Simonsen",
        "Karina Lervig Petersen",
    ]
    first, second = item.attachments
    assert (first.number, first.access, first.journal_number, first.document_id) == (
        "1",
        Access.OPEN,
        "142376/22",
        "3378411",
    )
    assert first.title == "Sociale medier i arbejdsmæssig sammenhæng - en guide til arbejdspladser.PDF"
    assert (second.number, second.access, second.journal_number, second.document_id) == (
        "2",
        Access.OPEN,
        "142375/22",
        "3378410",
    )
    assert second.title == "Kommissorium-hovedudvalget arbejdsgruppe-sociale medier"


def test_ids_are_stable_across_parses() -> None:
    assert _one(SEED).items[0].id == _one(SEED).items[0].id


def _seed_text() -> str:
    return SEED.read_text("utf-8")


def test_several_items_in_one_file_with_numbers_and_a_closed_item(tmp_path: Path) -> None:
    closed = (
        "4. Personalesag\n\nLukket Sag\n\nSagsfremstilling\n\nFortrolige oplysninger om en medarbejder.\n\n"
        "Beslutning i Områdeudvalget for Administrationen den 05-12-2022\n\nGodkendt.\n"
    )
    seed = _seed_text().replace(
        "Sociale medier i arbejdsmæssig sammenhæng\n", "3. Sociale medier i arbejdsmæssig sammenhæng\n", 1
    )
    path = tmp_path / "meeting.txt"
    path.write_text(seed + "\n\n" + closed, "utf-8")
    meeting = _one(path)
    assert [(i.number, i.title, i.access) for i in meeting.items] == [
        ("3", "Sociale medier i arbejdsmæssig sammenhæng", Access.OPEN),
        ("4", "Personalesag", Access.CLOSED),
    ]
    first, second = meeting.items
    assert len(first.attachments) == 2  # the next item's title did not leak into the Bilag block
    assert all(s.access == Access.CLOSED for s in second.sections)
    assert second.decisions[0].text == "Godkendt."
    assert first.id != second.id
    assert meeting.committee == "Områdeudvalget for Administrationen"


def test_closed_item_needs_no_body(tmp_path: Path) -> None:
    path = tmp_path / "closed.txt"
    path.write_text("Salg af grund\n\nLukket Sag\n", "utf-8")
    meeting = _one(path, IngestContext(committee="Økonomiudvalget", meeting_date=date(2023, 1, 9)))
    (item,) = meeting.items
    assert (item.title, item.access, item.sections) == ("Salg af grund", Access.CLOSED, [])
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert meeting.meeting_date == date(2023, 1, 9)


def test_manifest_supplies_municipality_and_context_wins(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "minutes.json").write_text(
        json.dumps({"municipality": "Norddjurs Kommune", "committee": "Hovedudvalget", "meeting_date": "2022-12-06"}),
        "utf-8",
    )
    meeting = _one(tmp_path / SEED.name)
    assert (meeting.municipality, meeting.committee, meeting.meeting_date) == (
        "Norddjurs Kommune",
        "Hovedudvalget",
        date(2022, 12, 6),
    )
    # The only decision printed stays the item's decision even when the manifest names the body differently.
    assert meeting.items[0].decisions[0].body == "Områdeudvalget for Administrationen"
    ctx = IngestContext(municipality="Syddjurs Kommune", meeting_date=date(2022, 12, 5))
    meeting = _one(tmp_path / SEED.name, ctx)
    assert (meeting.municipality, meeting.committee, meeting.meeting_date) == (
        "Syddjurs Kommune",
        "Hovedudvalget",
        date(2022, 12, 5),
    )


def test_bundled_seed_manifest_names_the_municipality() -> None:
    repo_seed = Path(__file__).resolve().parents[2] / "data" / "seed" / SEED.name
    assert repo_seed.read_bytes() == SEED.read_bytes()
    assert _one(repo_seed).municipality == "Norddjurs Kommune"


def test_broken_manifest_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "minutes.json").write_text("{not json", "utf-8")
    warnings: list[str] = []
    assert load_sidecar(tmp_path / SEED.name, None, warnings) == {}
    assert "minutes.json" in warnings[0]
    meeting = _one(tmp_path / SEED.name)
    assert any("minutes.json" in w for w in meeting.warnings)


def test_unknown_text_is_not_detected_and_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Indkøbsliste\n\nmælk, brød\n", "utf-8")
    assert not agenda_text.detect(path)
    with pytest.raises(FormatError) as err:
        list(agenda_text.parse(path, IngestContext()))
    assert str(path) in str(err.value)
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01PK\x03\x04" * 20)
    with pytest.raises(FormatError) as err:
        list(agenda_text.parse(binary, IngestContext()))
    assert str(binary) in str(err.value)


CLOSED_WORDINGS = [
    "Lukket Sag",
    "Lukket Sag.",
    "Lukket sag:",
    "LUKKET PUNKT",
    "Lukket",
    "Lukkede punkter",
    "Lukket dagsordenspunkt",
    "Lukket sag (personsag)",
    "**Lukket sag**",
    # Not a wording the reader knows, but it says closed: read as closed, never appended above.
    "Lukket sag, jf. styrelseslovens § 10",
    "Lukket - personalesag",
    # An open wording that also says "lukket" is closed.
    "Åben sag (lukket bilag)",
]


@pytest.mark.parametrize("marker", CLOSED_WORDINGS)
def test_every_closed_wording_starts_a_closed_item(tmp_path: Path, marker: str) -> None:
    """Portals and people copying from them write the access line in many ways.  A closed item
    whose line was not recognised used to be appended to the open item above it — its title and
    text searchable and shown with that item.  Any line that says "Lukket" in the access line's
    place starts a closed item instead."""
    closed = (
        f"Afskedigelse af medarbejder\n\n{marker}\n\nSagsfremstilling\n\n"
        "Medarbejderen afskediges af fortrolige grunde.\n\n"
        "Beslutning i Områdeudvalget for Administrationen den 05-12-2022\n\nGodkendt.\n"
    )
    path = tmp_path / "meeting.txt"
    path.write_text(_seed_text() + "\n\n" + closed, "utf-8")
    first, second = _one(path).items
    assert (first.title, first.access) == ("Sociale medier i arbejdsmæssig sammenhæng", Access.OPEN)
    assert (second.title, second.access) == ("Afskedigelse af medarbejder", Access.CLOSED)
    assert all(s.access == Access.CLOSED for s in second.sections)
    open_text = " ".join([first.title, *(s.text for s in first.sections), *(a.title for a in first.attachments)])
    assert "fortrolige" not in open_text and "Afskedigelse" not in open_text
    assert len(first.attachments) == 2  # the open item's own Bilag block is intact


@pytest.mark.parametrize("marker", ["Åben Sag.", "ÅBENT PUNKT", "Åben dagsordenspunkt:", "Åbent punkt (orientering)"])
def test_open_wordings_start_an_open_item(tmp_path: Path, marker: str) -> None:
    """The open wordings are read with the same punctuation, case and reason, so an open item
    after a closed one is not swallowed by it."""
    closed = "Personalesag\n\nLukket Sag\n\nSagsfremstilling\n\nFortrolige oplysninger.\n\n"
    seed = _seed_text().replace("Åben Sag\n", f"{marker}\n", 1)
    path = tmp_path / "meeting.txt"
    path.write_text(closed + seed, "utf-8")
    first, second = _one(path).items
    assert (first.title, first.access) == ("Personalesag", Access.CLOSED)
    assert (second.title, second.access) == ("Sociale medier i arbejdsmæssig sammenhæng", Access.OPEN)
    assert second.decisions[0].text.startswith("Områdeudvalget for administrationen anerkender")


def test_a_bare_aaben_line_inside_a_closed_item_opens_nothing(tmp_path: Path) -> None:
    """A bare "Åben" is what a Bilag table copied one cell a line writes for an attachment; read
    as an access line it would cut a closed item and publish its rest as an open item.  Only
    "Åben"/"Åbent" with sag, punkt or dagsordenspunkt opens."""
    closed = (
        "Personalesag\n\nLukket Sag\n\nSagsfremstilling\n\nFortrolige oplysninger.\n\n"
        "Bilag:\n\n1 -\n\nÅben\n\nNotat om medarbejderen\n\n(142377/22)\n"
    )
    path = tmp_path / "meeting.txt"
    path.write_text(_seed_text() + "\n\n" + closed, "utf-8")
    items = _one(path).items
    assert [(i.title, i.access) for i in items] == [
        ("Sociale medier i arbejdsmæssig sammenhæng", Access.OPEN),
        ("Personalesag", Access.CLOSED),
    ]
    assert not any("medarbejderen" in a.title for a in items[0].attachments)


def test_closed_attachments_are_not_looked_for_nor_quoted_but_never_inputs(tmp_path: Path) -> None:
    """A closed Bilag row's title can name the closed matter, and so can the file beside the text
    that it names: the file is not attached (its name goes nowhere), a row of a closed item that
    cannot be read is not quoted in the warning, and the file is still no input of its own."""
    rows = "| 3 - | Lukket | Personalesag Jensen | (142377/22) | (H) |\n| 3378412 | | | | |\n"
    closed = (
        "Afskedigelse\n\nLukket Sag\n\nSagsfremstilling\n\nFortroligt.\n\n"
        "Bilag:\n\n1 - Lukket - Notat om Jensen (142378/22) 3378413\n\nbilag uden nummer om Jensen\n"
    )
    text = _seed_text().rstrip("\n") + "\n" + rows + "\n\n" + closed
    path = tmp_path / "meeting.txt"
    path.write_text(text, "utf-8")
    beside = tmp_path / "Personalesag Jensen.txt"
    beside.write_text("Fortrolig tekst om Jensen\n", "utf-8")
    (tmp_path / "Notat om Jensen.txt").write_text("Fortroligt notat om Jensen\n", "utf-8")
    meeting = _one(path)
    opened, shut = meeting.items
    personal = next(a for a in opened.attachments if a.number == "3")
    assert (personal.title, personal.access, personal.file, personal.journal_number) == (
        "Bilag",
        Access.CLOSED,
        None,
        None,
    )
    assert shut.attachments and all(a.file is None for a in shut.attachments)
    assert any("attachment line not understood" in w for w in meeting.warnings)
    assert not [w for w in meeting.warnings if "Jensen" in w]
    inputs = [p.name for p, fmt in iter_inputs([tmp_path]) if fmt is not None or p.suffix == ".txt"]
    assert inputs == ["meeting.txt"]


def test_wrapped_prose_that_says_lukket_starts_no_item(tmp_path: Path) -> None:
    """Only the access line's wordings and lines beginning "Lukket" with a capital start an item:
    a hard-wrapped paragraph whose line begins "lukket" stays text of its item."""
    seed = _seed_text().replace(
        "Ingen økonomiske konsekvenser.\n",
        "Ingen økonomiske konsekvenser, men vejen holdes\nlukket for trafik i juli.\n",
        1,
    )
    path = tmp_path / "meeting.txt"
    path.write_text(seed, "utf-8")
    (item,) = _one(path).items
    assert item.access == Access.OPEN
    sections = {s.heading: s.text for s in item.sections}
    assert sections["Økonomiske konsekvenser"].endswith("lukket for trafik i juli.")


def test_an_attachment_line_not_understood_is_not_quoted_when_its_title_marks_it_closed(tmp_path: Path) -> None:
    """A Bilag line of an open item that cannot be read was quoted in the warning unless it said
    "lukk"; one marked closed in another wording ("Fortroligt …", "… - ikke offentligt",
    ``model.title_marks_closed``) was quoted, naming the closed matter in the ingest report."""
    opened = (
        "Orientering om sociale medier\n\nÅben Sag\n\nSagsfremstilling\n\nTil orientering.\n\n"
        "Bilag:\n\n1 - Åben - Notat om retningslinjer (142378/22) 3378413\n\n"
        "Fortroligt notat om qzvfortroligjensen\n\nbilag uden nummer om qzvaabenkontrol\n"
    )
    path = tmp_path / "meeting.txt"
    path.write_text(_seed_text().rstrip("\n") + "\n\n" + opened, "utf-8")
    meeting = _one(path)
    item = meeting.items[-1]
    assert item.access == Access.OPEN and [a.title for a in item.attachments] == ["Notat om retningslinjer"]
    lines = [w for w in meeting.warnings if "attachment line not understood" in w]
    assert len(lines) == 2 and any("qzvaabenkontrol" in w for w in lines)
    assert not [w for w in meeting.warnings if "qzvfortroligjensen" in w]
