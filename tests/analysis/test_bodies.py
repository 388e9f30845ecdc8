"""Committee abbreviations, learnt initials and council synonyms."""

from __future__ import annotations

import re

import pytest

from indexer.analysis.bodies import (
    expand_body_query,
    initials,
    known_abbreviation,
    learn_abbreviations,
    resolve_abbreviation,
    route_abbreviations,
)
from tests.conftest import CORPUS_CSV, SEED


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
