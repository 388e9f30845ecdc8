"""The FirstAgenda portal's JSON API documents, read from 189 real responses (Greve, 2022–2025).

Figures asserted here were counted in the raw documents (captions starting "Lukket: ",
``Bilag`` entries, ``Moede`` fields), not taken from the parser's output.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.formats import FormatError, IngestContext, detect_format, firstagenda
from indexer.model import COPENHAGEN, Access, Meeting, MeetingKind, SectionKind
from tests.conftest import REPO

GREVE = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
DOCUMENTS = sorted(GREVE.glob("*.json"))


def _doc(prefix: str) -> Path:
    [path] = [p for p in DOCUMENTS if p.name.startswith(prefix)]
    return path


@cache
def _parse(path: Path) -> Meeting:
    [meeting] = firstagenda.parse(path, IngestContext())
    return meeting


BYRAAD = _doc("Byråd 2022-2025_2023-06-19")
SOCIAL = _doc("Social- og Handicapudvalget_2024-01-08")
OEKONOMI = _doc("Økonomiudvalget_2024-04-10")


def test_all_189_documents_are_detected_and_read() -> None:
    assert len(DOCUMENTS) == 189
    items = closed = attachments = 0
    for path in DOCUMENTS:
        module = detect_format(path)
        assert module is not None and module.NAME == "firstagenda", path.name
        meeting = _parse(path)
        assert meeting.municipality == "Greve Kommune", path.name
        assert meeting.committee and meeting.start is not None and meeting.items, path.name
        raw = json.loads(path.read_text("utf-8"))
        assert [i.number for i in meeting.items] == [p["Number"] for p in raw["Dagsordenpunkter"]]
        items += len(meeting.items)
        closed += sum(1 for i in meeting.items if i.access == Access.CLOSED)
        attachments += sum(len(i.attachments) for i in meeting.items)
    # 4,570 references in all, of which those of closed items are never kept.
    assert (items, closed) == (2991, 216)
    assert attachments == 4570 - sum(
        len(p["Bilag"])
        for path in DOCUMENTS
        for p in json.loads(path.read_text("utf-8"))["Dagsordenpunkter"]
        if p["Caption"].startswith("Lukket: ")
    )


def test_byraad_19_june_2023() -> None:
    meeting = _parse(BYRAAD)
    assert meeting.committee == "Byråd"  # "Byråd 2022-2025": the election term is not part of the body
    assert meeting.start == datetime(2023, 6, 19, 17, 0, tzinfo=COPENHAGEN)
    assert meeting.location == "Byrådssalen"
    assert meeting.kind == MeetingKind.REFERAT  # Moede.Afsluttet is true
    assert meeting.native_id == "55490cd5-c0a9-465c-9b10-4c85da773fc4"
    assert len(meeting.items) == 41
    assert len(meeting.participants) == 21 and "Anne Marie Lyduch" in meeting.participants
    assert meeting.absentees == []  # nobody Absent or cancelled in Moede …
    first = meeting.items[0]
    assert (first.number, first.title, first.case_number) == ("1", "Godkendelse af dagsorden", "21-014420")
    assert first.decisions[0].text.startswith("Dagsorden blev godkendt")
    assert first.absentees == ["Anne Marie Lyduch"]  # … but the decision says "Ikke til stede"
    assert [i.number for i in meeting.items if i.access == Access.CLOSED] == ["4", "5"]
    stu = meeting.items[39]
    assert (stu.number, stu.title, stu.case_number) == (
        "40",
        "Orientering om eksternt tilsyn med STU Greve",
        "23-002807",
    )
    assert [(h.body, h.date) for h in stu.history] == [
        ("Skole-, Børne- og Ungeudvalget", date(2023, 5, 23)),
        ("Økonomiudvalget", date(2023, 6, 12)),
    ]
    assert [(a.title, a.url) for a in stu.attachments] == [
        (
            "Tilsynsrapport STU Greve 2022 Greve rapport",
            "https://dagsordener.greve.dk/vis/pdf/bilag/76c6b505-ff18-483c-bd72-dba38f4fbe07",
        )
    ]
    # A paragraph the author styled as <h4> stays text, not a heading.
    assert all(len(s.heading) <= firstagenda.MAX_HEADING_CHARS for s in stu.sections)
    assert "Særligt Tilrettelagt Ungdomsuddannelse" in stu.sections[-1].text
    assert sum(len(i.attachments) for i in meeting.items) == 64


def test_social_og_handicapudvalget_8_january_2024() -> None:
    meeting = _parse(SOCIAL)
    assert meeting.committee == "Social- og Handicapudvalget"
    assert meeting.start == datetime(2024, 1, 8, 17, 0, tzinfo=COPENHAGEN)
    assert meeting.location == "Mødelokale 4+5"
    assert meeting.participants == [
        "Maria Witthøft",
        "John T. Olsen",
        "Claus Jensen",
        "Linda Heegaard",
        "Anne Marie Lyduch",
    ]
    assert meeting.absentees == ["Linda Heegaard"]  # ParticipationCancelled: afbud
    assert len(meeting.items) == 8
    assert all(i.access == Access.OPEN for i in meeting.items)
    plan = meeting.items[2]
    assert plan.title == "Handleplan på det specialiserede voksenområde, status 3/2023"
    assert plan.case_number == "23-004340"
    assert [(s.heading, s.kind) for s in plan.sections] == [
        ("Beslutning", SectionKind.DECISION),
        ("Sagsprocedure", SectionKind.BODY),
        ("Resume", SectionKind.BODY),
        ("Indstilling", SectionKind.RECOMMENDATION),
        ("Sagsbeskrivelse", SectionKind.BODY),
        ("Økonomiske konsekvenser", SectionKind.BODY),
        ("Tidsplan", SectionKind.BODY),
    ]
    assert plan.decisions[0].text.startswith("1. Orientering blev taget til efterretning.")
    assert (plan.decisions[0].body, plan.decisions[0].date) == ("Social- og Handicapudvalget", date(2024, 1, 8))
    assert "hjemløsereform" in plan.sections[4].text
    assert [a.title for a in plan.attachments] == ["Aktivitetstal 2023 BO3", "Handleplan - status 3 2023"]
    assert [a.document_id for a in plan.attachments] == [
        "8c2223a2-ac4b-4a46-8f71-f0612a16cc51",
        "6e7ee68b-fc6e-46c8-97c8-258a4d8fab1f",
    ]
    assert plan.absentees == ["Linda Heegaard"]


def test_oekonomiudvalget_10_april_2024_closed_items_are_stubs() -> None:
    meeting = _parse(OEKONOMI)
    assert meeting.committee == "Økonomiudvalget"
    assert meeting.start == datetime(2024, 4, 10, 8, 0, tzinfo=COPENHAGEN)
    assert meeting.location == "Biblioteket"
    assert len(meeting.items) == 27
    assert [i.number for i in meeting.items] == [str(n) for n in range(1, 28)]
    closed = [i for i in meeting.items if i.access == Access.CLOSED]
    assert [i.number for i in closed] == ["3", "4", "5", "6"]
    for item in closed:
        assert item.title == "Lukket punkt"
        assert item.case_number is None
        assert not (item.sections or item.decisions or item.history or item.attachments or item.absentees)
    texts = json.dumps([i.__dict__ for i in closed], default=str)
    assert "Plejecenter" not in texts and "grundkøbsaftalen" not in texts
    ledelse = meeting.items[1]
    assert (ledelse.title, ledelse.case_number) == ("Ledelse i Greve Kommune", "24-003410")
    assert [s.heading for s in ledelse.sections] == ["Beslutning", "Fremstilling"]
    assert sum(len(i.attachments) for i in meeting.items) == 49


def test_ids_are_stable_and_unique_across_the_corpus() -> None:
    ids = [i.id for path in DOCUMENTS for i in _parse(path).items]
    assert len(ids) == len(set(ids)) == 2991
    [again] = firstagenda.parse(OEKONOMI, IngestContext())
    assert [i.id for i in again.items] == [i.id for i in _parse(OEKONOMI).items]


def test_municipality_from_harvest_host_command_line_or_manifest(tmp_path: Path) -> None:
    harvested = IngestContext(municipality="Greve", extras={"base_url": "http://127.0.0.1:8123"})
    [meeting] = firstagenda.parse(SOCIAL, harvested)
    assert meeting.municipality == "Greve Kommune"
    assert meeting.items[2].attachments[0].url == (
        "http://127.0.0.1:8123/vis/pdf/bilag/8c2223a2-ac4b-4a46-8f71-f0612a16cc51"
    )
    assert firstagenda.municipality_from_host("https://dagsordener.greve.dk/") == "Greve Kommune"
    assert firstagenda.municipality_from_host("https://dagsordener.lyngby-taarbaek.dk") == "Lyngby-Taarbaek Kommune"
    assert firstagenda.municipality_from_host("http://127.0.0.1:8123") == ""
    # A copy whose links name no portal takes the municipality from minutes.json.
    raw = json.loads(SOCIAL.read_text("utf-8"))
    for point in raw["Dagsordenpunkter"]:
        for field in point["Felter"]:
            field["Link"] = ""
    target = tmp_path / "moede.json"
    target.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    [bare] = firstagenda.parse(target, IngestContext())
    assert bare.municipality == "" and any("--municipality" in w for w in bare.warnings)
    assert bare.items[2].attachments[0].url == "/vis/pdf/bilag/8c2223a2-ac4b-4a46-8f71-f0612a16cc51"
    (tmp_path / "minutes.json").write_text('{"municipality": "Greve Kommune"}', "utf-8")
    [manifest] = firstagenda.parse(target, IngestContext())
    assert manifest.municipality == "Greve Kommune"
    assert manifest.id == _parse(SOCIAL).id


def test_attachment_without_pdf_version_has_no_link(tmp_path: Path) -> None:
    raw = json.loads(SOCIAL.read_text("utf-8"))
    raw["Dagsordenpunkter"][2]["Bilag"][0]["HarPdfVersion"] = "false"
    target = tmp_path / "moede.json"
    target.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    [meeting] = firstagenda.parse(target, IngestContext())
    first, second = meeting.items[2].attachments
    assert (first.title, first.url) == ("Aktivitetstal 2023 BO3", None)
    assert second.url and second.url.endswith("/vis/pdf/bilag/6e7ee68b-fc6e-46c8-97c8-258a4d8fab1f")


def test_unconcluded_meeting_is_a_dagsorden() -> None:
    [path] = [p for p in DOCUMENTS if "Svar til Byrådet" in p.name and "2024-12-31" in p.name]
    meeting = _parse(path)
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert meeting.committee == "Spørgsmål / Svar til Byrådet"  # the portal's sort dot and term dropped


@pytest.mark.parametrize("cut", [10, 300, 5000])
def test_truncated_document_is_a_format_error_naming_the_file(tmp_path: Path, cut: int) -> None:
    target = tmp_path / "truncated.json"
    target.write_bytes(SOCIAL.read_bytes()[:cut])
    with pytest.raises(FormatError) as info:
        list(firstagenda.parse(target, IngestContext()))
    assert str(target) in str(info.value)


def test_document_without_committee_or_date_is_a_format_error(tmp_path: Path) -> None:
    raw = json.loads(SOCIAL.read_text("utf-8"))
    raw["Moede"]["Dato"] = None
    raw["Moede"]["MeetingBeginUtc"] = None
    target = tmp_path / "undated.json"
    target.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    with pytest.raises(FormatError, match=r"Moede\.Dato"):
        list(firstagenda.parse(target, IngestContext()))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            found += _paths(child, (*prefix, index))
    return found


SOCIAL_RAW = json.loads(SOCIAL.read_text("utf-8"))
SOCIAL_PATHS = [p for p in _paths(SOCIAL_RAW) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.lists(st.sampled_from(SOCIAL_PATHS), min_size=1, max_size=3), value=JSON_VALUES)
def test_any_field_of_a_real_document_replaced_by_any_json_gives_a_meeting_or_a_format_error(
    tmp_path: Path, where: list[tuple], value: object
) -> None:
    document = copy.deepcopy(SOCIAL_RAW)
    for path in where:
        node = document
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = copy.deepcopy(value)  # one value at two paths must not nest in itself
        except (KeyError, IndexError, TypeError):
            continue
    target = tmp_path / "damaged.json"
    target.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    try:
        meetings = list(firstagenda.parse(target, IngestContext()))
    except FormatError as exc:
        assert str(target) in str(exc)
        return
    for meeting in meetings:
        assert meeting.committee and meeting.start is not None and meeting.items
        for item in meeting.items:
            if item.access == Access.CLOSED:
                assert item.title == "Lukket punkt" and not (item.sections or item.attachments)
