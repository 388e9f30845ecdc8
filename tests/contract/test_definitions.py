"""Abbreviations the open text defines, learnt per municipality by every engine.

Real sentences of the open-dataset rows (``data/digst/digst-demo.csv``) are written into
copies of the Norddjurs seed meeting, one municipality each: Kalundborg's text defines
"Danmarks Naturfredningsforening (DN)", another of its items writes the name only and a third
"DN Kalundborg" only; Syddjurs writes the name without defining it, and "DN" alone in another
item; a closed item and a closed section define "OSD" and "NFI", which nothing may learn, and
an open Syddjurs item writes "OSD" alone.  No municipality defines DN otherwise, so Kalundborg's
definition holds in Syddjurs too (``query.shared_definitions``); the closed definition nowhere.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.model import Access, Meeting, SectionKind
from indexer.search.query import ANYWHERE
from indexer.search.service import SearchRequest, SearchService
from tests.contract.engines import ENGINES
from tests.helpers import closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl

DEMO_CSV = Path(__file__).resolve().parents[2] / "data" / "digst" / "digst-demo.csv"
KALUNDBORG, SYDDJURS, NORDDJURS = "Kalundborg Kommune", "Syddjurs Kommune", "Norddjurs Kommune"
DN = "Danmarks Naturfredningsforening"


def _sentence(marker: str) -> str:
    """The sentence of the demo rows holding ``marker``, as written."""
    csv.field_size_limit(1 << 30)
    with DEMO_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = " ".join(row["indhold"].split())
            at = text.find(marker)
            if at >= 0:
                start = text.rfind(". ", 0, at) + 2 if text.rfind(". ", 0, at) >= 0 else 0
                end = text.find(". ", at + len(marker))
                return text[start : end + 1 if end >= 0 else len(text)]
    raise AssertionError(f"{marker!r} not in {DEMO_CSV}")


def _with_text(meeting: Meeting, title: str, text: str, closed_text: str | None = None) -> Meeting:
    item = meeting.items[0]
    item.title = title
    body = item.sections[0]
    body.text = text
    item.sections = [body]
    if closed_text is not None:
        item.sections.append(type(body)("Lukket bilag", closed_text, kind=SectionKind.BODY, access=Access.CLOSED))
    return meeting.finalise()


@pytest.fixture(scope="module", params=ENGINES)
def defined(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    tmp = tmp_path_factory.mktemp("definitions")
    location = request.param(tmp)
    seed = seed_meeting()

    def meeting(municipality: str, month: int) -> Meeting:
        return variant(seed, municipality=municipality, start=seed.start.replace(year=2023, month=month))

    defining = _sentence("Danmarks Naturfredningsforening (DN) har")
    # "· Danmarks Naturfredningsforening (DN) vurderer, at anlægget …": the name alone, up to where
    # the sentence goes on with "men DN ønsker …"
    vurderer = _sentence("Danmarks Naturfredningsforening (DN) vurderer").split(", men DN")[0] + "."
    meetings = [
        _with_text(meeting(KALUNDBORG, 1), "Fredning af overdrev", defining),
        # the same municipality's other item writes the name only
        _with_text(meeting(KALUNDBORG, 2), "Vandplaner", vurderer.replace(" (DN)", "")),
        # and another names neither, but writes of the water plans
        _with_text(meeting(KALUNDBORG, 7), "Vandløb", _sentence("vandplanernes retningslinjer")),
        # and a third writes the abbreviation only
        _with_text(meeting(KALUNDBORG, 8), "Kolonihaver", _sentence("bemærkninger fra DN Kalundborg")),
        # another municipality writes the name and never defines it, and the abbreviation alone elsewhere
        _with_text(meeting(SYDDJURS, 3), "Høringssvar om vandplaner", vurderer.replace(" (DN)", "")),
        _with_text(meeting(SYDDJURS, 9), "Fredningssag", _sentence("En fredningssag kan rejses af DN alene")),
        # a closed item defines OSD; an open item of the same municipality writes the name
        closed_copy(_with_text(meeting(NORDDJURS, 4), "Byudvikling", _sentence("(OSD)")), "OSDHEMMELIG"),
        _with_text(
            meeting(NORDDJURS, 5), "Kommuneplan", _sentence("(OSD)").replace(" (OSD)", "").replace(" (NFI)", "")
        ),
        # an open item whose closed section defines NFI
        _with_text(meeting(NORDDJURS, 6), "Grundvand", "Redegørelse for drikkevandet.", _sentence("(NFI)")),
        # another municipality writes the abbreviation the closed item defines, and never its name
        _with_text(
            meeting(SYDDJURS, 10),
            "Byudvikling og grundvand",
            _sentence("(OSD)")
            .replace("Områder med Særlige Drikkevandsinteresser (OSD)", "OSD")
            .replace("Nitrat Følsomme Indvindingsområder (NFI)", "nitratfølsomme områder"),
        ),
    ]
    summary = quiet_ingest([write_jsonl(tmp / "defined.jsonl", meetings)], location)
    assert summary.items_added == 10 and not summary.rejected
    service = SearchService(location)
    yield service
    service.close()


def _titles(service: SearchService, q: str, **filters: list[str]) -> list[tuple[str, str]]:
    """The items holding every word of ``q`` (those holding most of them, listed after a few
    whole answers, are left out: ``partial``)."""
    found = service.search(SearchRequest(q=q, per_page=50, **filters))  # type: ignore[arg-type]
    whole = found.results[: found.partial.whole] if found.partial else found.results
    return [(r["municipality"], r["title"]) for r in whole]


def test_each_municipality_learns_what_its_own_open_text_defines(defined: SearchService) -> None:
    assert defined.definition_table() == {KALUNDBORG: {"DN": [DN]}}, "closed items and sections teach nothing"
    assert defined.definition_table() is defined.definition_table(), "learnt once per index state"


def test_an_abbreviation_finds_its_full_name_where_a_municipality_defines_it(defined: SearchService) -> None:
    """Kalundborg defines DN and no municipality otherwise: the name is found in Syddjurs too."""
    for q in ("DN", "dn"):
        found = _titles(defined, q)
        assert sorted(found) == [
            (KALUNDBORG, "Fredning af overdrev"),
            (KALUNDBORG, "Kolonihaver"),
            (KALUNDBORG, "Vandplaner"),
            (SYDDJURS, "Fredningssag"),
            (SYDDJURS, "Høringssvar om vandplaner"),
        ], q


def test_beside_other_words_a_defined_abbreviation_raises_and_excludes_nothing_there(defined: SearchService) -> None:
    """In Kalundborg, which defines DN, "dn vandplaner" finds every item on the water plans, the
    one naming the Naturfredningsforening first; in Syddjurs, which does not, DN or its name is
    required (the shared definition adds the name, it relaxes nothing there)."""
    found = _titles(defined, "dn vandplaner")
    assert sorted(found[:2]) == [(KALUNDBORG, "Vandplaner"), (SYDDJURS, "Høringssvar om vandplaner")]
    assert found[2:] == [(KALUNDBORG, "Vandløb")], "raised by nothing, found in the defining municipality"


def test_another_municipalitys_definition_holds_where_none_conflicts(defined: SearchService) -> None:
    """Syddjurs defines no DN: Kalundborg's definition holds there, as an added alternative."""
    assert _titles(defined, "DN", municipality=[SYDDJURS]) == [
        (SYDDJURS, "Høringssvar om vandplaner"),
        (SYDDJURS, "Fredningssag"),
    ]
    assert _titles(defined, "dn vandplaner", municipality=[SYDDJURS]) == [(SYDDJURS, "Høringssvar om vandplaner")]
    assert _titles(defined, "dn fredningssag", municipality=[SYDDJURS]) == [(SYDDJURS, "Fredningssag")]


def test_a_full_name_typed_also_finds_its_abbreviation_where_the_municipality_defines_it(
    defined: SearchService,
) -> None:
    """The name "danmarks naturfredningsforening" finds Kalundborg's item writing "DN Kalundborg" only,
    below the items writing the name, and Syddjurs's item writing "DN" (Kalundborg's definition is
    shared); and the name beside another word finds what writes both or DN and it."""
    for q in (
        "danmarks naturfredningsforening",
        "Danmarks Naturfredningsforening",
        '"danmarks naturfredningsforening"',
    ):
        found = _titles(defined, q)
        assert sorted(found[:3]) == [
            (KALUNDBORG, "Fredning af overdrev"),
            (KALUNDBORG, "Vandplaner"),
            (SYDDJURS, "Høringssvar om vandplaner"),
        ], q
        assert sorted(found[3:]) == [(KALUNDBORG, "Kolonihaver"), (SYDDJURS, "Fredningssag")], (
            "the abbreviation alone is raised less than the name"
        )
    assert _titles(defined, "danmarks naturfredningsforening kolonihaver") == [(KALUNDBORG, "Kolonihaver")]
    assert _titles(defined, "danmarks naturfredningsforening fredningssag") == [(SYDDJURS, "Fredningssag")]


def test_what_a_closed_item_or_section_defines_is_never_learnt(defined: SearchService) -> None:
    assert _titles(defined, "OSD") == [(SYDDJURS, "Byudvikling og grundvand")], "the word as typed only"
    assert _titles(defined, "NFI") == []
    assert defined.search(SearchRequest(q="OSDHEMMELIG")).total == 0
    # nor does its full name typed search the abbreviation: only the open item writing the name
    assert not any("drikkevandsinteres" in terms for terms in defined.full_names())
    assert _titles(defined, "områder med særlige drikkevandsinteresser") == [(NORDDJURS, "Kommuneplan")]


def test_a_closed_definition_holds_in_no_other_municipality(defined: SearchService) -> None:
    """The closed Norddjurs item defines OSD; Syddjurs writes "OSD" and no definition: neither the
    name typed finds Syddjurs's "OSD" nor "OSD" Norddjurs's name, in any municipality."""
    assert "OSD" not in defined.definitions_in_use().get(ANYWHERE, {})
    assert _titles(defined, "OSD", municipality=[NORDDJURS]) == []
    # No item holds both (the search then shows those holding one of them, ``partial`` set).
    both = defined.search(SearchRequest(q="osd kommuneplan"))
    assert both.partial is not None and defined.search(SearchRequest(q="osd kommuneplan", literal=True)).total == 0
    assert _titles(defined, "områder med særlige drikkevandsinteresser", municipality=[SYDDJURS]) == []
    assert defined.definitions_in_use()[ANYWHERE] == {"DN": [DN]}, "the check can fail: the open one is shared"


def test_the_learnt_definitions_survive_reopening(defined: SearchService) -> None:
    again = SearchService(defined.engine.location)
    try:
        assert again.definition_table() == {KALUNDBORG: {"DN": [DN]}}
    finally:
        again.close()


def _stored_evidence(location: str) -> str:
    """Everything the engine keeps of what it learnt: Whoosh's routes.json files, or the
    PostgreSQL route_evidence rows (evidence, learnt routes, learnt definitions)."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location) as conn:
            rows = conn.execute("SELECT evidence::text, learnt::text, definitions::text FROM route_evidence").fetchall()
        return "\n".join(" ".join(row) for row in rows)
    return "\n".join(p.read_text("utf-8") for p in Path(location).rglob("routes.json"))


def test_no_closed_definition_reaches_what_the_engine_keeps(defined: SearchService) -> None:
    kept = _stored_evidence(str(defined.engine.location))
    assert DN in kept, "the check can fail: the open definition is kept"
    for closed in ("OSD", "NFI", "Særlige Drikkevandsinteresser", "Indvindingsområder", "OSDHEMMELIG"):
        assert closed not in kept, closed


def _snippet(service: SearchService, q: str, title: str) -> str:
    found = service.search(SearchRequest(q=q, per_page=50)).results
    return next(r["snippet"] for r in found if r["title"] == title)


def test_the_snippet_shows_the_abbreviation_or_the_name_the_item_matched_through(defined: SearchService) -> None:
    """Kalundborg's "Kolonihaver" writes only "bemærkninger fra DN Kalundborg"; its title alone was
    shown for the name typed beside "kolonihaver".  Syddjurs's "Høringssvar om vandplaner" writes
    the name only: "dn" shows it, through the shared definition."""
    snippet = _snippet(defined, "danmarks naturfredningsforening kolonihaver", "Kolonihaver")
    assert "<mark>DN</mark> Kalundborg" in snippet
    snippet = _snippet(defined, "dn vandplaner", "Høringssvar om vandplaner")
    assert "<mark>Danmarks</mark> <mark>Naturfredningsforening</mark>" in snippet
    assert "<mark>DN</mark>" not in _snippet(defined, "kolonihaver", "Kolonihaver"), "nothing rewritten: as before"
