"""How a query uses the abbreviations the minutes define (``query.expand_definitions``), and a full
name typed the abbreviation that stands for it (``query.expand_full_names``)."""

from __future__ import annotations

from indexer.search.query import (
    ANYWHERE,
    And,
    Match,
    Not,
    Or,
    Phrase,
    Prefer,
    Word,
    expand_definitions,
    expand_full_names,
    full_name_index,
    parse,
    rewritten_words,
    shared_definitions,
    written_forms,
)
from indexer.search.service import SearchRequest, SearchService

TABLE = {"Kalundborg Kommune": {"DN": ["Danmarks Naturfredningsforening"]}}
NAME = And((Match("municipality", "Kalundborg Kommune"), Phrase("Danmarks Naturfredningsforening")))


def test_alone_the_abbreviation_or_its_full_name_is_asked_for() -> None:
    assert expand_definitions(parse("DN"), TABLE) == Or((Word("DN"), NAME))
    assert expand_definitions(parse("dn IKKE fredning"), TABLE) == And((Or((Word("dn"), NAME)), Not(Word("fredning"))))


def test_beside_other_words_it_raises_where_defined_and_stays_required_elsewhere() -> None:
    expanded = expand_definitions(parse("dn fredning"), TABLE)
    required = And((Word("fredning"), Or((Word("dn"), Match("municipality", "Kalundborg Kommune")))))
    assert expanded == Prefer(required, Or((Word("dn"), NAME)), 1.0)


def test_words_no_municipality_defines_are_left_as_typed() -> None:
    for q in ("lag fredning", "DK fredning", "titel:DN", '"DN fredning"', "dansk"):
        assert expand_definitions(parse(q), TABLE) == parse(q), q
    assert expand_definitions(parse("DN"), {}) == Word("DN")


# -- a full name typed also searches its abbreviation (``query.expand_full_names``) --------------

ROUTES = {"Favrskov Kommune": {"TMU": ["Teknik- og Miljøudvalget"], "BY": ["Byråd"], "ØK": ["Økonomiudvalget"]}}
NAMES = full_name_index(TABLE, ROUTES)
DN_IN_KALUNDBORG = And((Match("municipality", "Kalundborg Kommune"), Or((Phrase("DN"), Phrase("D-N")))))


def test_the_full_names_are_known_by_their_analysed_words() -> None:
    assert NAMES[("danmark", "naturfredningsforening")] == (("Kalundborg Kommune", "DN"),)
    assert NAMES[("teknik", "miljoeudvalg")] == (("Favrskov Kommune", "TMU"),)
    assert ("byraad",) not in NAMES, '"BY" is the word "by" as well: never searched for Byrådet'
    worded = full_name_index({"Favrskov Kommune": {"BO": ["budgetopfølgning"], "OB": ["overflade belægning"]}})
    assert worded == {("overflad", "belaegning"): (("Favrskov Kommune", "OB"),)}, '"bo" is a word'
    assert full_name_index({}, {}) == {}


def test_a_full_name_typed_is_its_words_or_its_abbreviation_where_the_municipality_uses_it() -> None:
    name = And((Word("danmarks"), Word("naturfredningsforening")))
    expanded = expand_full_names(parse("danmarks naturfredningsforening kolonihave"), NAMES)
    assert expanded == And((Or((name, DN_IN_KALUNDBORG)), Word("kolonihave")))
    # inflected, in capitals, or as a phrase: the same name
    assert expand_full_names(parse("Danmarks Naturfredningsforenings"), NAMES) == Or(
        (And((Word("Danmarks"), Word("Naturfredningsforenings"))), DN_IN_KALUNDBORG)
    )
    phrase = Phrase("danmarks naturfredningsforening", quoted=True)
    assert expand_full_names(parse('"danmarks naturfredningsforening"'), NAMES) == Or((phrase, DN_IN_KALUNDBORG))


def test_a_body_typed_in_full_is_also_its_route_abbreviation_in_any_written_form() -> None:
    expanded = expand_full_names(parse("teknik og miljøudvalget vej"), NAMES)
    forms = Or((Phrase("TMU"), Phrase("T-MU"), Phrase("TM-U")))
    typed = And((Word("teknik"), Word("og"), Word("miljøudvalget")))
    assert expanded == And((Or((typed, And((Match("municipality", "Favrskov Kommune"), forms)))), Word("vej")))
    assert written_forms("ØK") == ["ØK", "Ø-K"]


def test_words_that_are_no_full_name_are_left_as_typed() -> None:
    for q in ("byrådet budget", "naturfredningsforening", "danmarks titel:naturfredningsforening", "danmark* natur"):
        assert expand_full_names(parse(q), NAMES) == parse(q), q
    assert expand_full_names(parse("danmarks naturfredningsforening"), {}) == parse("danmarks naturfredningsforening")


def _titles(demo: SearchService, q: str) -> list[str]:
    """The items holding every word of ``q`` (not those holding most of them, listed after a few)."""
    found = demo.search(SearchRequest(q=q, per_page=50))
    return [r["title"] for r in found.results[: found.partial.whole if found.partial else None]]


def test_on_the_demo_rows_a_full_name_finds_the_items_writing_only_its_abbreviation(demo: SearchService) -> None:
    """Kalundborg's minutes define "Danmarks Naturfredningsforening (DN)"; its lokalplan for a
    kolonihaveområde writes only "bemærkninger fra DN Kalundborg"."""
    kolonihaver = "Forslag til lokalplan nr. 558 for et kolonihaveområde ved [adresse]"
    assert _titles(demo, "danmarks naturfredningsforening kolonihaveområde") == [kolonihaver]
    named = _titles(demo, "danmarks naturfredningsforening")
    assert kolonihaver in named
    assert named.index(kolonihaver) >= 4, "below the items writing the name (4 Kalundborg and Favrskov items)"
    assert "[adresse] for område omkring Tømmerup Banke og Rakkerbanke" in named[:4]


def test_on_the_demo_rows_a_body_typed_in_full_finds_the_items_its_route_abbreviation_names(
    demo: SearchService,
) -> None:
    """Favrskov's byråd item on parking at the new hall in Hadsten names the Teknik- og
    Miljøudvalget only as "TM-U" on its route ("Forventet sagsgang · TM-U, KF-U, ØK, BY")."""
    found = _titles(demo, "teknik- og miljøudvalget parkeringspladser hadsten")
    assert found == ["Anlægsbevilling til etablering af parkeringspladser ved ny hal i Hadsten"]
    assert _titles(demo, "teknik- og miljøudvalget parkeringspladser hadsten IKKE TM-U") == []


# -- definitions of national bodies hold across municipalities (``query.shared_definitions``) -------

KKR = "Kommunekontaktrådet"
OSD = "Områder med Særlige Drikkevandsinteresser"
LEARNT = {
    "Aarhus Kommune": {"OSD": [OSD]},
    "Ballerup Kommune": {"KKR": [KKR]},
    "Favrskov Kommune": {"DN": ["Danmarks Naturfredningsforening"]},
    "Kalundborg Kommune": {"DN": ["Danmarks Naturfredningsforening"], "DSR": ["Den Samlede Rejse"]},
}


def test_a_definition_no_municipality_contradicts_holds_everywhere() -> None:
    shared = shared_definitions(LEARNT, ROUTES, ["Teknik- og Miljøudvalget", "Byråd"])
    assert shared[ANYWHERE] == {
        "DN": ["Danmarks Naturfredningsforening"],
        "DSR": ["Den Samlede Rejse"],
        "KKR": [KKR],
        "OSD": [OSD],
    }
    assert {m: v for m, v in shared.items() if m != ANYWHERE} == LEARNT, "each municipality's own kept as learnt"
    # inflection and case aside, two municipalities writing the name differently agree
    agreeing = {"Aarhus Kommune": {"KKR": ["kommunekontaktrådets"]}, "Ballerup Kommune": {"KKR": [KKR]}}
    assert shared_definitions(agreeing)[ANYWHERE] == {"KKR": ["kommunekontaktrådets", KKR]}


def test_a_conflict_a_route_a_committee_or_a_word_shares_nothing() -> None:
    conflict = {**LEARNT, "Aarhus Kommune": {"DSR": ["Dansk Sygeplejeråd"]}}
    assert "DSR" not in shared_definitions(conflict)[ANYWHERE], "two meanings: each stays its municipality's"
    committee = {"Aarhus Kommune": {"TMU": ["Teknik- og Miljøudvalget"], "KU": ["Kulturudvalget"]}}
    assert shared_definitions(committee, ROUTES, ["Teknik- og Miljøudvalget"]) == committee, "TU differs by place"
    routed = {"Aarhus Kommune": {"TMU": ["Trafik Miljø Udvikling"]}}
    assert shared_definitions(routed, ROUTES) == routed, "Favrskov's routes write TMU for a committee"
    worded = {"Favrskov Kommune": {"BO": ["budgetopfølgning"]}}
    assert shared_definitions(worded) == worded, '"bo" is a word'
    assert shared_definitions({}) == {}


def test_a_shared_definition_adds_its_name_everywhere_and_relaxes_only_where_defined() -> None:
    table = shared_definitions(LEARNT)
    name = Phrase(KKR)
    assert expand_definitions(parse("kkr"), table) == Or((Word("kkr"), name))
    required = And((Word("rammeaftale"), Or((Word("kkr"), name, Match("municipality", "Ballerup Kommune")))))
    assert expand_definitions(parse("kkr rammeaftale"), table) == Prefer(required, Or((Word("kkr"), name)), 1.0)
    forms = Or((Phrase("KKR"), Phrase("K-KR"), Phrase("KK-R")))
    typed = expand_full_names(parse("kommunekontaktrådet"), full_name_index(table, ROUTES))
    assert typed == Or((Word("kommunekontaktrådet"), forms)), "the abbreviation in every municipality, once"


def test_on_the_demo_rows_a_national_body_is_found_where_its_municipality_does_not_define_it(
    demo: SearchService,
) -> None:
    """Aarhus defines "Områder med Særlige Drikkevandsinteresser (OSD)"; Favrskov's høringssvar on
    the water plans writes the name and defines nothing."""
    answer = "Godkendelse af høringssvar til vandområdeplanerne 2015-2021"
    assert demo.definitions_in_use()[ANYWHERE]["OSD"] == [OSD]
    assert answer in _titles(demo, "osd vandområdeplaner")
    assert answer in _titles(demo, "OSD")
    assert _titles(demo, "osd vandområdeplaner IKKE drikkevandsinteresser") == [], "found through the name only"


# -- the snippet shows why an item matched through an abbreviation or its full name ---------------


def _snippets(demo: SearchService, q: str) -> dict[str, str]:
    return {r["title"]: r["snippet"] for r in demo.search(SearchRequest(q=q, per_page=50)).results}


def test_the_rewritten_words_are_the_alternatives_a_rewrite_made_with_what_was_typed() -> None:
    typed = parse("danmarks naturfredningsforening kolonihave")
    assert rewritten_words(typed, expand_full_names(typed, NAMES)) == [
        "danmarks",
        "naturfredningsforening",
        "DN",
        "D-N",
    ]
    typed = parse("dn fredning")
    assert rewritten_words(typed, expand_definitions(typed, TABLE)) == ["dn", "Danmarks Naturfredningsforening"]
    assert rewritten_words(parse("dn ELLER fredning"), parse("dn ELLER fredning")) == [], "nothing rewritten"


def test_on_the_demo_rows_a_full_name_shows_the_sentence_writing_its_abbreviation(demo: SearchService) -> None:
    """The lokalplan for a kolonihaveområde writes only "bemærkninger fra DN Kalundborg"; its decision
    names the kolonihaveområde, which alone was shown before."""
    kolonihaver = "Forslag til lokalplan nr. 558 for et kolonihaveområde ved [adresse]"
    snippet = _snippets(demo, "danmarks naturfredningsforening kolonihaveområde")[kolonihaver]
    assert "bemærkninger fra <mark>DN</mark> Kalundborg" in snippet
    assert "<mark>kolonihaveområde</mark>" in snippet, "the other word's passage beside it"
    # typed alone, the abbreviation shows it too (Kalundborg defines DN)
    assert "<mark>DN</mark> Kalundborg" in _snippets(demo, "danmarks naturfredningsforening")[kolonihaver]
    # and without the rewrite nothing prefers it: the decision's kolonihaveområde, as before
    assert "<mark>DN</mark>" not in _snippets(demo, "kolonihaveområde")[kolonihaver]


def test_on_the_demo_rows_an_abbreviation_shows_the_sentence_writing_its_full_name(demo: SearchService) -> None:
    """Favrskov's lokalplan for Dannebrogspladsen names "Danmarks Naturfredningsforening" and never DN."""
    title = "Forslag til Lokalplan 367 - Dannebrogspladsen i Ulstrup og Kommuneplantillæg"
    snippet = _snippets(demo, "dn dannebrogspladsen")[title]
    assert "<mark>Danmarks</mark> <mark>Naturfredningsforening</mark>" in snippet
    assert "<mark>Dannebrogspladsen</mark>" in snippet


def test_on_the_demo_rows_a_body_typed_in_full_shows_its_route_line(demo: SearchService) -> None:
    title = "Anlægsbevilling til etablering af parkeringspladser ved ny hal i Hadsten"
    snippet = _snippets(demo, "teknik- og miljøudvalget parkeringspladser hadsten")[title]
    assert "sagsgang · <mark>TM-U</mark>, KF-U" in snippet
