"""Committee abbreviations, learnt initials and council synonyms."""

from __future__ import annotations

import re

import pytest

from indexer.analysis.bodies import (
    RouteSeen,
    expand_body_query,
    fit,
    initials,
    known_abbreviation,
    learn_abbreviations,
    learn_route_abbreviations,
    resolve_abbreviation,
    route_abbreviations,
    route_codes,
)
from indexer.model import Access, Meeting
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import seed_meeting, variant


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Teknik- og Miljøudvalget", "TMU"),
        ("Økonomiudvalget", "ØU"),
        ("Børne- og Ungdomsudvalget", "BUU"),
        ("Kultur- og Udviklingsudvalget", "KUU"),
        ("Social- og Sundhedsudvalget", "SSU"),
        ("Teknisk Udvalg", "TU"),
        ("Sundheds- og Forebyggelsesudvalget", "SFU"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_seed_sagsgang_abbreviation_resolves_to_its_committee() -> None:
    """The seed's Sagsgang says "OA"; its decision line names the committee in full."""
    text = SEED.read_text(encoding="utf-8")
    sagsgang = re.search(r"Sagsgang\s+(\S+)", text)
    committee = re.search(r"Beslutning i (.+?) den \d", text)
    assert sagsgang and committee
    assert sagsgang.group(1) == "OA"
    assert resolve_abbreviation("OA", [committee.group(1), "Økonomiudvalget"]) == [committee.group(1)]


def test_learnt_table_uses_data_names_and_known_patterns() -> None:
    names = ["Teknik- og Miljøudvalget", "Økonomiudvalget", "Kommunalbestyrelsen", "Aarhus Byråd", "Teknisk Udvalg"]
    table = learn_abbreviations(names)
    assert table["TMU"] == ["Teknik- og Miljøudvalget"]
    assert table["ØU"] == ["Økonomiudvalget"]
    assert table["KB"] == ["Kommunalbestyrelsen"]
    assert table["BR"] == ["Aarhus Byråd"]
    assert table["TU"] == ["Teknisk Udvalg"]


def test_corpus_committee_names_are_learnt() -> None:
    """Committee names in the corpus's "Sagens forløb" lines give their initials."""
    text = CORPUS_CSV.read_text(encoding="utf-8")
    names = set(re.findall(r"\d{2}-\d{2}-\d{4} ((?:[A-ZÆØÅ][\w-]*(?: og| for)? ?)+)\n", text))
    table = learn_abbreviations(n.strip() for n in names)
    assert "Teknisk Udvalg" in names
    assert "Teknisk Udvalg" in table["TU"]


def test_known_abbreviation_is_case_insensitive() -> None:
    body = known_abbreviation("øu")
    assert body is not None and "Økonomiudvalget" in body.names
    assert known_abbreviation("XYZ") is None


def test_council_synonyms() -> None:
    assert expand_body_query("byrådet") == ["byrådet", "borgerrepræsentationen", "kommunalbestyrelsen"]
    assert "byråd" in expand_body_query("Kommunalbestyrelse")
    expanded = expand_body_query("byrådets budget 2024")
    assert expanded[0] == "byrådets budget 2024"
    assert "kommunalbestyrelsens budget 2024" in expanded


def test_abbreviation_expands_with_learnt_names() -> None:
    assert expand_body_query("TMU referat", ["Teknik- og Miljøudvalget"]) == [
        "TMU referat",
        "Teknik- og Miljøudvalget referat",
    ]
    # Known table works without data, too.
    assert "Kommunalbestyrelsen" in expand_body_query("KB")[1]


def test_plain_words_are_left_alone() -> None:
    assert expand_body_query("vindmøller ved Grenaa") == ["vindmøller ved Grenaa"]
    assert expand_body_query("  ") == []


def test_route_abbreviations_are_read_from_sagsgang_lines() -> None:
    assert route_abbreviations("Forventet sagsgang | TM-U, ØK, BY, høring, TM-U, ØK, BY |") == ["TM-U", "ØK", "BY"]
    assert route_abbreviations("Sagsgang: OA\nSagsfremstilling") == ["OA"]
    assert route_abbreviations("Sagsgang BUU Sagsfremstilling") == ["BUU"]
    assert route_abbreviations("ingen sagsgang her") == []


@pytest.mark.parametrize(
    "abbreviation, names, expected",
    [
        ("TM-U", ["Teknik- og Miljøudvalget", "Byråd"], ["Teknik- og Miljøudvalget"]),  # initials, hyphen or not
        ("ØK", ["Økonomiudvalget", "Byråd"], ["Økonomiudvalget"]),
        ("BY", ["Teknik- og Miljøudvalget", "Byråd"], ["Byråd"]),  # the first letters of the name
        ("KF-U", ["Kultur- og Fritidsudvalget"], ["Kultur- og Fritidsudvalget"]),
    ],
)
def test_route_abbreviations_resolve_against_the_committees(
    abbreviation: str, names: list[str], expected: list[str]
) -> None:
    assert [n for n in resolve_abbreviation(abbreviation, names) if n in names] == expected


def test_every_route_abbreviation_of_a_body_that_meets_resolves_to_it() -> None:
    """Over the real open-dataset rows: each route abbreviation naming a committee whose
    meetings are in the data resolves to that committee's name."""
    from collections import Counter

    from indexer.formats import IngestContext
    from indexer.formats.digst import parse

    committees: set[str] = set()
    routes: Counter[str] = Counter()
    for meeting in parse(CORPUS_CSV, IngestContext()):
        if meeting.municipality != "Favrskov Kommune":
            continue
        committees.add(meeting.committee)
        for item in meeting.items:
            routes.update(route_abbreviations(" ".join(s.text for s in item.sections)))
    resolved = {a: [n for n in resolve_abbreviation(a, committees) if n in committees] for a in routes}
    assert resolved["BY"] == ["Byråd"] and resolved["TM-U"] == ["Teknik- og Miljøudvalget"]
    assert routes["BY"] >= 40 and routes["TM-U"] >= 40


def test_route_fields_give_their_abbreviations() -> None:
    assert route_codes("TM-U, ØK, BY") == ["TMU", "ØK", "BY"]
    assert route_codes("TMU - ØK - KB") == ["TMU", "ØK", "KB"]
    assert route_codes("KUU") == ["KUU"]
    assert route_codes("Direktionen, Teknik- og Miljøudvalget, Økonomiudvalget") == []  # names in full
    assert route_codes("") == []


@pytest.mark.parametrize(
    "code, name, expected",
    [
        ("TMU", "Teknik- og Miljøudvalget", 0),
        ("KB", "Kommunalbestyrelsen", 0),  # the known table
        ("ØK", "Økonomiudvalget", 0),
        ("BY", "Byrådet", 1),  # the name's first letters
        ("KB", "Klima- og Byudvalget", 2),  # letters in order: needs the routes' evidence
        ("KB", "Byrådet", None),
        ("BY", "Teknik- og Miljøudvalget", None),
    ],
)
def test_how_an_abbreviation_fits_a_name(code: str, name: str, expected: int | None) -> None:
    assert fit(code, name) == expected


def _routes_seen(meetings: list[Meeting]) -> tuple[dict[str, list[str]], list[RouteSeen]]:
    committees: dict[str, list[str]] = {}
    seen: list[RouteSeen] = []
    for meeting in meetings:
        for item in meeting.items:
            if item.access != Access.OPEN:
                continue
            committees.setdefault(meeting.municipality, []).append(meeting.committee)
            texts = [s.text for s in item.sections]
            seen.append(RouteSeen.of_item(meeting.municipality, meeting.committee, item.route, texts))
    return committees, seen


def test_each_municipality_learns_its_own_route_abbreviations_from_its_minutes() -> None:
    """Favrskov's rows route "TM-U, ØK, BY"; Norddjurs's agenda "Sagsgang: OA" / "KUU"; a Norddjurs
    council meeting routed "KUU, KB".  Each learns what its own bodies are called, nothing more."""
    from indexer.formats import IngestContext
    from indexer.formats.digst import parse

    seed = seed_meeting()
    council = variant(seed, committee="Kommunalbestyrelsen", start=seed.start.replace(year=2023))
    for item in council.items:
        item.route = "KUU, KB"
    council.finalise()
    corpus = list(parse(CORPUS_CSV, IngestContext()))
    table = learn_route_abbreviations(*_routes_seen([*corpus, seed, council]))
    favrskov, norddjurs = table["Favrskov Kommune"], table["Norddjurs Kommune"]
    assert favrskov["BY"] == ["Byråd"] and favrskov["TMU"] == ["Teknik- og Miljøudvalget"]
    assert "ØK" not in favrskov, "Favrskov's Økonomiudvalget has no meetings here: nothing to name"
    assert "KB" not in favrskov and "BY" not in norddjurs
    assert norddjurs["KB"] == ["Kommunalbestyrelsen"]
    assert norddjurs["OA"] == ["Områdeudvalget for Administrationen"]
    assert "Kalundborg Kommune" not in table  # its routes name the bodies in full


def test_a_loose_fit_needs_the_bodys_own_items_on_the_route() -> None:
    seed = seed_meeting()
    climate = variant(seed, committee="Klima- og Byudvalget")
    for item in climate.items:
        item.route = "KB"
    climate.finalise()
    committees, seen = _routes_seen([seed, climate])
    assert learn_route_abbreviations(committees, seen)["Norddjurs Kommune"]["KB"] == ["Klima- og Byudvalget"]
    elsewhere = [RouteSeen(s.municipality, "Områdeudvalget for Administrationen", s.codes) for s in seen]
    assert "KB" not in learn_route_abbreviations(committees, elsewhere).get("Norddjurs Kommune", {})


@pytest.mark.parametrize(
    ("name", "abbreviation"),
    [
        # Greve's committees (tests/fixtures/firstagenda-api/greve/): its minutes write "(KTMU)"
        ("Klima-, Teknik- og Miljøudvalget", "TMU"),
        ("Skole-, Børne- og Ungeudvalget", "BUU"),
        ("Ældre-, Social- og Sundhedsudvalget", "SSU"),
    ],
)
def test_a_known_abbreviation_is_not_the_end_of_a_longer_bodys_name(name: str, abbreviation: str) -> None:
    # The known pattern stands at the end of another body's name: that body is abbreviated by
    # its own initials, never as the shorter body it ends in.
    table = learn_abbreviations([name])
    assert name not in table.get(abbreviation, []) and table[initials(name)] == [name]
    assert name not in resolve_abbreviation(abbreviation, [name])


def test_a_known_abbreviation_still_names_its_body_beside_the_longer_one() -> None:
    names = ["Klima-, Teknik- og Miljøudvalget", "Teknik- og Miljøudvalget", "Aarhus Byråd"]
    assert resolve_abbreviation("TMU", names) == ["Teknik- og Miljøudvalget"]
    assert resolve_abbreviation("KTMU", names) == ["Klima-, Teknik- og Miljøudvalget"]
    assert "Aarhus Byråd" in resolve_abbreviation("BR", names)  # a council's name after a town's is its own
