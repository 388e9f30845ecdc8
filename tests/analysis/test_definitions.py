"""Abbreviations the minutes define themselves, read word by word from the repository's own text."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from indexer.analysis.bodies import RouteEvidence, RouteSeen
from indexer.analysis.definitions import abbreviation_key, definitions, spells
from tests.conftest import CORPUS_CSV

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "digst" / "digst-demo.csv"
BALLERUP = REPO / "data" / "samples" / "edoc" / "ballerup-sundhedsudvalget-2012" / "04-12-2012 13:00:00"
SAMPLES = REPO / "data" / "samples"
AARHUS_HTML = REPO / "data" / "samples" / "firstagenda" / "aarhus-2025" / "example_agenda.html"


def _rows(path: Path) -> list[str]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["indhold"] for row in csv.DictReader(handle)]


def _passage(texts: list[str], marker: str, before: int = 160, after: int = 40) -> str:
    """The real text around a marker, as a row of the data holds it."""
    for text in texts:
        at = text.find(marker)
        if at >= 0:
            return text[max(0, at - before) : at + len(marker) + after]
    raise AssertionError(f"{marker!r} not in the data")


@pytest.fixture(scope="module")
def demo() -> list[str]:
    return _rows(DEMO_CSV)


@pytest.mark.parametrize(
    "marker, expected",
    [
        ("Danmarks Naturfredningsforening (DN) har", ("DN", "Danmarks Naturfredningsforening")),
        ("Drikkevandsinteresser (OSD)", ("OSD", "Områder med Særlige Drikkevandsinteresser")),
        ("Indvindingsområder (NFI)", ("NFI", "Nitrat Følsomme Indvindingsområder")),
        ("Landdistriktspuljen (LDP)", ("LDP", "Landdistriktspuljen")),
        ('"Den Samlede Rejse" (DSR)', ("DSR", "Den Samlede Rejse")),
        ("Classic Race Aarhus (CRAA)", ("CRAA", "Classic Race Aarhus")),
        ("POB(plet OB)", ("POB", "plet OB")),
        # the abbreviation as a compound's modifier: "… offentligt privat partnerskab (OPP-aftale)"
        ("partnerskab (OPP-aftale)", ("OPP", "offentligt privat partnerskab")),
    ],
)
def test_a_definition_in_the_demo_rows_is_learnt(demo: list[str], marker: str, expected: tuple[str, str]) -> None:
    assert expected in definitions(_passage(demo, marker))


@pytest.mark.parametrize(
    "marker",
    [
        "Bruno Olesen (SF)",  # a member's party: B O spells no SF
        "lokalplan 768 (Trige)",  # a place, not in capitals
        "notat (bilag 3)",  # a reference
        "105.300 kr. (2013)",  # a year
        "fast anlægsbevilling (KB)",  # the body that granted it, not the words' initials
        "Naturfredningsforenings Hovedbestyrelse (DN)",  # the name's D was pseudonymised away
        "sol og vind (VE-anlæg)",  # mostly lower case
        "Wind-Larsen (Skjød)",
        "Patrick Sørensen (Anders Mogensen)",
        "sikkerhedsmæssige foranstaltninger (ADK-anlæg)",  # a modifier the words before do not spell
        # the law's title skips content words ("visse offentlige og private anlægs"): a name may
        # skip small words only, or any run of ten words would spell a two- or three-letter key
        "anlægs virkning på miljøet (VVM)",
    ],
)
def test_no_definition_where_the_parenthesis_is_no_abbreviation_of_the_words(demo: list[str], marker: str) -> None:
    passage = _passage(demo, marker, after=0)
    found = [key for key, _ in definitions(passage)]
    inside = re.search(r"\(([^()]*)\)$", passage)
    assert inside is not None
    assert abbreviation_key(inside.group(1)) not in found, (passage, definitions(passage))


def test_the_format_samples_define_what_they_abbreviate() -> None:
    ballerup = (BALLERUP / "eDocAgendaPublishing.xml").read_text("utf-8")
    assert ("UUC", "Ungdomsuddannelsescenter") in definitions(_passage([ballerup], "(UUC)"))
    it_udvalget = (SAMPLES / "publication" / "ballerup-it-udvalget-2013" / "Publication32.xml").read_text("utf-8")
    assert ("SAPA", "Sagsoverblik/Partskontakt") in definitions(_passage([it_udvalget], "(Sagsoverblik/Partskontakt)"))
    aarhus = AARHUS_HTML.read_text("utf-8")
    assert ("UKH", "Ungdomskulturhuset") in definitions(_passage([aarhus], "Ungdomskulturhuset (UKH)"))


@pytest.mark.parametrize(
    "text, expected",
    [
        # Names as Danish minutes write them: a compound gives its parts' initials, a suspended
        # compound ("Teknik- og") its own, a part may give two more letters (Miljø·STyrelsen).
        ("sendt i høring hos Miljøstyrelsen (MST) og", ("MST", "Miljøstyrelsen")),
        ("ansøgt hos Lokal Aktionsgruppe (LAG) om tilskud", ("LAG", "Lokal Aktionsgruppe")),
        ("behandlet i Teknisk Udvalg (TU) den", ("TU", "Teknisk Udvalg")),
        ("sendes til Teknik- og Miljøudvalget (TM-U) med", ("TMU", "Teknik- og Miljøudvalget")),
        ("Klima-, Teknik- og Miljøudvalget (KTMU)", ("KTMU", "Klima-, Teknik- og Miljøudvalget")),
        ("i samarbejde med DN (Danmarks Naturfredningsforening) om", ("DN", "Danmarks Naturfredningsforening")),
        ("efter lov om Vurdering af Virkninger på Miljøet (VVM)", ("VVM", "Vurdering af Virkninger på Miljøet")),
        # small words give their letter or none, in lower case too
        ("efter reglerne om vurdering af virkninger på miljøet (VVM)", ("VVM", "vurdering af virkninger på miljøet")),
        # the abbreviation as a compound's modifier, the name before it
        ("en vurdering af virkninger på miljøet (VVM-redegørelse) for", ("VVM", "vurdering af virkninger på miljøet")),
        ("kræver et kommuneplantillæg (KPT-forslag) og", ("KPT", "kommuneplantillæg")),
        ("efter Lov om planlægning (LP-sag)", ("LP", "Lov om planlægning")),
        # the name inside the parenthesis: one word, or words parted by a slash
        ("drøftet i KKR (Kommunekontaktrådet) i juni", ("KKR", "Kommunekontaktrådet")),
        ("henvist til PPR (Pædagogisk/Psykologisk Rådgivning) med", ("PPR", "Pædagogisk/Psykologisk Rådgivning")),
        # the abbreviation announced, as formal prose writes it
        ("med Danmarks Naturfredningsforening (herefter DN) om", ("DN", "Danmarks Naturfredningsforening")),
        ("i Kommunekontaktrådet (i det følgende kaldet ”KKR”) er", ("KKR", "Kommunekontaktrådet")),
    ],
)
def test_names_spell_their_abbreviations(text: str, expected: tuple[str, str]) -> None:
    assert definitions(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "godkendt af Samrådet (SA)",  # one word's own letters: no second start
        "jf. Kommunernes Landsforening (KS)",  # Landsforening gives no letter, S starts no part
        "mødet den 4. marts (TU)",  # a date is no name
        "Byrådet (OK)",  # "OK" against one word
        "indstillingen (A) og (B)",  # one letter
        "behandlet (UDSAT)",  # a word in capitals the words before do not spell
        "stillet af SF (Socialdemokratiet)",  # one word inside gives one start only
        "stillet af Bruno Olesen (herefter SF)",  # announced, still spelt by the words before or not at all
        "godkendt af Samrådet (SA-møde)",  # a modifier spelt by one word's own letters
        "baseret på sol og vind (VE-anlæg)",  # the words before the modifier do not spell it
    ],
)
def test_no_definition_without_a_name_spelling_it(text: str) -> None:
    assert definitions(text) == []


@pytest.mark.parametrize(
    "token, key",
    [("DN", "DN"), ("TM-U", "TMU"), ("KaMiBe", "KAMIBE"), ("ÅMC", "ÅMC"), ("Trige", None), ("2013", None)],
)
def test_abbreviation_key(token: str, key: str | None) -> None:
    assert abbreviation_key(token) == key


def test_spelling_needs_every_content_word() -> None:
    assert spells("DN", ["Danmarks", "Naturfredningsforening"])
    assert not spells("DN", ["Danmarks", "Sportsfiskerforbund", "og", "Danmarks", "Naturfredningsforening"])
    assert spells("OSD", ["Områder", "med", "Særlige", "Drikkevandsinteresser"])


def test_a_closed_item_defines_nothing(demo: list[str]) -> None:
    """What an engine stores for a closed item is a stub: ``of_stored`` reads nothing from it,
    even were its text there; an open item's closed section is not in its document."""
    text = _passage(demo, "Danmarks Naturfredningsforening (DN) har")
    doc = '{"access": "open", "title": "Fredning", "sections": [{"text": %s}]}'
    opened = {"access": "open", "municipality": "Kalundborg Kommune", "committee": "Teknisk Udvalg"}
    seen = RouteSeen.of_stored({**opened, "doc": doc % json.dumps(text)})
    assert seen is not None and ("DN", "Danmarks Naturfredningsforening") in seen.definitions
    closed = {**opened, "access": "closed", "doc": doc % json.dumps(text)}
    assert RouteSeen.of_stored(closed) is None
    marked = json.dumps(
        {"access": "open", "title": "Fredning", "sections": [{"text": text, "access": "closed"}]}, ensure_ascii=False
    )
    assert RouteSeen.of_stored({**opened, "doc": marked}).definitions == ()  # type: ignore[union-attr]


def test_definitions_are_learnt_per_municipality_and_counted_out() -> None:
    text = _rows(CORPUS_CSV)
    passage = _passage(text, "Danmarks Naturfredningsforening (DN) har")
    evidence = RouteEvidence()
    defined = definitions(passage)
    evidence.count("Kalundborg Kommune", "Teknisk Udvalg", (), 1, defined)
    evidence.count("Kalundborg Kommune", "Teknisk Udvalg", (), 1, defined)
    evidence.count("Aarhus Kommune", "Byrådet", (), 1, [("DN", "Danmarks Naturfredningsforening")])
    table = evidence.learn_definitions()
    assert table["Kalundborg Kommune"]["DN"] == ["Danmarks Naturfredningsforening"]
    evidence.count("Aarhus Kommune", "Byrådet", (), -1, [("DN", "Danmarks Naturfredningsforening")])
    assert "Aarhus Kommune" not in evidence.learn_definitions()
    again = RouteEvidence.from_json(evidence.to_json())
    assert again is not None and again.learn_definitions() == evidence.learn_definitions()
    assert RouteEvidence.from_json({**evidence.to_json(), "version": 1}) is None, "older evidence is recounted"
