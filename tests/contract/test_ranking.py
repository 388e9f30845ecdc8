"""How a raised clause scores, and what a body abbreviation does, the same on every engine.

``Prefer(required, optional)`` (Whoosh's AndMaybe) matches what ``required`` matches; an
item that also matches ``optional`` as a whole scores the two scores added, any other item
its required score alone. Each engine is held to that rule over real exports, so both rank
a body abbreviation's raised items alike (the engine parity test measures the rest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.analysis.danish import DANISH_STOP_WORDS
from indexer.engines.base import SearchSpec
from indexer.search.query import Match, Node, Prefer, leaves, parse
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.engines import ENGINES
from tests.helpers import closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl

EVERYTHING = 10**6


def _scores(service: SearchService, node: Node) -> dict[str, float]:
    found = service.engine.search(SearchSpec(query=node, limit=EVERYTHING, with_facets=False))
    return {hit.item.id: float(hit.score or 0.0) for hit in found.hits}


@pytest.mark.parametrize(
    ("required", "optional", "weight"),
    [
        ("vej", "budget trafik", 1.0),  # many items match one word of the optional group, fewer both
        ("budget", "udvalg:kommunalbestyrelsen", 1.0),  # the raised body of an abbreviation
        ("budget", "udvalg:kommunalbestyrelsen ELLER KB", 10.0),  # ... weighted, as the search asks it
        ("vej", "budget ELLER skole", 1.0),
        ("trafik", '"kollektiv trafik"', 1.0),
    ],
)
def test_a_raised_clause_adds_its_score_only_where_it_matches_as_a_whole(
    browsed: SearchService, required: str, optional: str, weight: float
) -> None:
    required_node, optional_node = parse(required), parse(optional)
    assert required_node is not None and optional_node is not None
    alone = _scores(browsed, required_node)
    raised_by = _scores(browsed, optional_node)
    both = _scores(browsed, Prefer(required_node, optional_node, weight))
    assert set(both) == set(alone) and alone, "the optional part neither adds nor removes items"
    assert set(alone) & set(raised_by) and set(alone) - set(raised_by), "a real mix of raised and not"
    for item_id, score in both.items():
        expected = alone[item_id] + weight * raised_by.get(item_id, 0.0)
        assert score == pytest.approx(expected, rel=1e-6, abs=1e-6), item_id


@pytest.mark.parametrize(("abbreviation", "body"), [("KB", "Kommunalbestyrelsen"), ("TMU", "Teknik- og Miljøudvalget")])
def test_an_abbreviation_ranks_its_bodys_items_first_and_keeps_the_others(
    browsed: SearchService, abbreviation: str, body: str
) -> None:
    """Kalundborg's rows: an item is prepared in the Teknik- og Miljøudvalget and decided in the
    Kommunalbestyrelsen; "KB budget" must still find the committee's budget items."""
    ours = _raised_first(browsed, abbreviation, body)
    assert ours < len(browsed.search(SearchRequest(q="budget", per_page=100)).results), "the other bodies' items kept"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("teknik- og miljøudvalget", "Teknik- og Miljøudvalget"),
        ("Teknik og Miljøudvalgets", "Teknik- og Miljøudvalget"),  # genitive, no suspended hyphen
        ("økonomiudvalget", "Økonomiudvalget"),
        ("teknisk udvalgs", "Teknisk Udvalg"),
        ("miljøudvalget", "Teknik- og Miljøudvalget"),  # one part of the name, no other committee's
        ("teknikudvalgets", "Teknik- og Miljøudvalget"),
    ],
)
def test_a_committee_named_in_words_ranks_its_items_first_and_keeps_the_others(
    browsed: SearchService, name: str, body: str
) -> None:
    """As its abbreviation does: the rest of the query ("budget") is what is required, and the
    committee's items come first. Before, the name's words were required as any words: "teknisk
    udvalgs budget" found 14 of the 77 budget items, a Teknik- og Miljøudvalget item first, and
    "økonomiudvalget budget" 43, Kommunalbestyrelsen's decisions on "Økonomiudvalgets indstilling" first."""
    _raised_first(browsed, name, body, first=5)
    plain = browsed.search(SearchRequest(q="budget", per_page=100, every_treatment=True))
    named = browsed.search(SearchRequest(q=f"{name} budget", per_page=100, every_treatment=True))
    assert {r["committee"] for r in named.results} == {r["committee"] for r in plain.results}, "others kept"


@pytest.mark.parametrize("value", ["teknikudvalget", "miljøudvalget", "Teknikudvalgets", "miljoeudvalget"])
def test_an_udvalg_value_naming_one_part_of_a_committee_requires_that_committee(
    browsed: SearchService, value: str
) -> None:
    """``udvalg:teknikudvalget`` is Teknik- og Miljøudvalget, as "teknikudvalget" in free text is: the
    name writes "Teknik-" with a suspended hyphen, so the field's words alone held no such compound and
    the filter found nothing (issue 16's suspended compounds, in the committee field)."""
    everything = {v["value"]: v["count"] for v in browsed.search(SearchRequest(q="")).facets["committee"]}
    body = "Teknik- og Miljøudvalget"
    named = browsed.search(SearchRequest(q=f"udvalg:{value}", per_page=100, every_treatment=True))
    assert named.total == everything[body] and {r["committee"] for r in named.results} == {body}
    # still a requirement beside other words: only the committee's budget items
    budget = browsed.search(SearchRequest(q=f"budget udvalg:{value}", per_page=100, every_treatment=True))
    assert budget.total > 0 and {r["committee"] for r in budget.results} == {body}
    # a conjunct no committee's name coordinates names nothing
    assert browsed.search(SearchRequest(q="udvalg:planudvalget")).total == 0


def test_a_committee_s_other_name_names_that_committee_and_a_person_names_no_body(browsed: SearchService) -> None:
    """ "Økonomiudvalget" and "Magistraten" are one body's two names; "borgmester" and
    "overborgmester" one office's. Each group once brought in every council's items as well:
    ``udvalg:økonomiudvalget`` listed 41 council items beside the committee's 3, and "borgmester"
    matched every council item whether it wrote the word or not."""
    everything = {v["value"]: v["count"] for v in browsed.search(SearchRequest(q="")).facets["committee"]}
    for value in ("økonomiudvalget", "Økonomiudvalget", "magistraten"):
        named = browsed.search(SearchRequest(q=f"udvalg:{value}", per_page=100, every_treatment=True))
        assert named.total == everything["Økonomiudvalget"], value
        assert {r["committee"] for r in named.results} == {"Økonomiudvalget"}, value
    office = browsed.search(SearchRequest(q="borgmester", per_page=100, every_treatment=True))
    written = browsed.search(SearchRequest(q="borgmester ELLER overborgmester", per_page=100, every_treatment=True))
    assert office.total == written.total > 0
    assert {r["id"] for r in office.results} == {r["id"] for r in written.results}
    assert browsed.search(SearchRequest(q="udvalg:borgmester")).total == 0


def test_autocomplete_offers_a_committee_for_its_abbreviation_and_no_stop_word(browsed: SearchService) -> None:
    """ "TMU" typed in the box is Teknik- og Miljøudvalget, as its search is; "bygge- og" completed
    to "bygge- også" and "bygge- og/eller", words no search looks for."""
    assert browsed.suggest("TMU")[0] == {"value": "Teknik- og Miljøudvalget", "kind": "udvalg"}
    assert browsed.suggest("kb")[0] == {"value": "Kommunalbestyrelsen", "kind": "udvalg"}
    for prefix in ("og", "bygge- og", "det", "ud"):
        offered = [s["value"].split()[-1].casefold() for s in browsed.suggest(prefix) if s["kind"] == "ord"]
        assert not [w for w in offered if all(part in DANISH_STOP_WORDS for part in w.split("/"))], prefix
    assert [s["value"] for s in browsed.suggest("vej")], "words are still offered"


def test_emne_reads_a_word_of_a_groups_name(browsed: SearchService) -> None:
    """ "emne:trafik" found nothing: only a whole name or the start of one was read ("emne:veje"),
    while "trafik" is a word of two groups' names (Veje og trafik, Forsyning og kollektiv trafik).
    A word of one name is that group; of several, any of them."""

    def total(query: str) -> int:
        return browsed.search(SearchRequest(q=query)).total

    assert total("emne:trafik") == total("emne:05 ELLER emne:13") > max(total("emne:05"), total("emne:13")) > 0
    assert total("emne:vejene") == total("emne:veje") == total("emne:05")
    assert total("emne:zqxingen") == 0


def _raised_first(browsed: SearchService, body_words: str, body: str, first: int | None = None) -> int:
    """``body_words`` beside "budget" excludes nothing and raises each of the body's items, its
    items first (all of them, or the ``first`` few); alone it lists the body's items.  How many
    of the budget items are the body's."""
    # each item a row of its own: the ranking of items, no treatments of one case folded
    plain = browsed.search(SearchRequest(q="budget", per_page=100, every_treatment=True))
    raised = browsed.search(SearchRequest(q=f"{body_words} budget", per_page=100, every_treatment=True))
    assert raised.total == plain.total > 0, "nothing is excluded"
    committees = [r["committee"] for r in raised.results]
    ours = committees.count(body)
    leading = ours if first is None else min(ours, first)
    assert ours and committees[:leading] == [body] * leading, "the body's items first"
    before = {r["id"]: r["score"] for r in plain.results}
    for result in raised.results:
        if result["committee"] == body:
            assert result["score"] > before[result["id"]], "each of the body's items is raised"
    # Alone, the words search for the body: all its items (and any that mention it) first.
    everything = {v["value"]: v["count"] for v in browsed.search(SearchRequest(q="")).facets["committee"]}
    shown = min(everything[body], 100)
    alone = browsed.search(SearchRequest(q=body_words, per_page=shown, every_treatment=True))
    assert alone.total >= everything[body] and [r["committee"] for r in alone.results] == [body] * shown
    return ours


def test_a_word_of_a_committee_name_alone_stays_a_subject_word(browsed: SearchService) -> None:
    """ "miljø budget" is about the environment's budget: both words required, no body raised."""
    for query, words in (("miljø budget", "miljø OG budget"), ("udvalget budget", "udvalget OG budget")):
        typed = browsed.search(SearchRequest(q=query, per_page=100))
        required = browsed.search(SearchRequest(q=words, per_page=100))
        assert typed.total == required.total > 0, query
        assert [r["id"] for r in typed.results] == [r["id"] for r in required.results], query


@pytest.fixture(scope="module", params=ENGINES)
def two_kinds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    """Per engine, read-only: the corpus rows (Kalundborg's and Favrskov's Teknik- og
    Miljøudvalget), Norddjurs' seed meeting held by a Klima- og Miljøudvalget, and a closed
    meeting of a Klima- og Miljøudvalget in Kalundborg, which names no committee there."""
    tmp = tmp_path_factory.mktemp("two-kinds")
    location = request.param(tmp)
    climate = variant(seed_meeting(), committee="Klima- og Miljøudvalget")
    closed = variant(closed_copy(climate, "lukketordqvx"), municipality="Kalundborg Kommune")
    quiet_ingest([CORPUS_CSV, write_jsonl(tmp / "climate.jsonl", [climate, closed])], location)
    service = SearchService(location)
    yield service
    service.close()


def _bodies(service: SearchService, query: str, *municipalities: str) -> set[str]:
    """The committees a query raises, searched within ``municipalities``."""
    node = service.query(query, municipalities)
    return {leaf.value for leaf in leaves(node) if isinstance(leaf, Match) and leaf.field == "committee"}


def test_a_part_of_a_name_is_read_among_the_filtered_municipalitys_committees(two_kinds: SearchService) -> None:
    """ "miljøudvalget" is part of two committees' names in the index, so a subject word there;
    within Kalundborg it is Teknik- og Miljøudvalget, within Norddjurs Klima- og Miljøudvalget.
    Before, the index's committees alone were asked: a filter changed nothing."""
    engine = two_kinds.engine
    assert engine.committees_of(["Norddjurs Kommune"]) == ["Klima- og Miljøudvalget"]
    # Kalundborg's closed meeting of a Klima- og Miljøudvalget names none there
    assert engine.committees_of(["Kalundborg Kommune"]) == [
        "Kommunalbestyrelsen",
        "Teknik- og Miljøudvalget",
        "Økonomiudvalget",
    ]
    assert engine.committees_of(["Favrskov Kommune", "Norddjurs Kommune"]) == [
        "Byråd",
        "Klima- og Miljøudvalget",
        "Teknik- og Miljøudvalget",
    ]
    assert engine.committees_of(["Ingen Kommune"]) == []
    assert _bodies(two_kinds, "miljøudvalget budget") == set()
    assert _bodies(two_kinds, "miljøudvalget budget", "Kalundborg Kommune") == {"Teknik- og Miljøudvalget"}
    assert _bodies(two_kinds, "miljøudvalget budget", "Norddjurs Kommune") == {"Klima- og Miljøudvalget"}
    assert _bodies(two_kinds, "miljøudvalget budget", "Kalundborg Kommune", "Norddjurs Kommune") == set()
    # the search: within Kalundborg the committee's items first, none left out for lacking the word
    within = SearchRequest(q="budget", municipality=["Kalundborg Kommune"], per_page=100)
    plain = two_kinds.search(within)
    raised = two_kinds.search(SearchRequest(**{**within.__dict__, "q": "miljøudvalget budget"}))
    assert raised.total == plain.total > 0
    assert raised.results[0]["committee"] == "Teknik- og Miljøudvalget"
    everywhere = two_kinds.search(SearchRequest(q="budget")).total
    assert two_kinds.search(SearchRequest(q="miljøudvalget budget")).total < everywhere, "a subject word, required"
    # within Norddjurs, the committee's one item on social media is found though it never writes the name
    social = two_kinds.search(SearchRequest(q="miljøudvalget sociale medier", municipality=["Norddjurs Kommune"]))
    assert [hit["committee"] for hit in social.results] == ["Klima- og Miljøudvalget"]
    assert social.partial is None, "the whole query found it"
    anywhere = two_kinds.search(SearchRequest(q="miljøudvalget sociale medier")).partial
    assert anywhere is not None and "miljøudvalget" in anywhere.words, "a word no item holds with the others"
    # and when not every word is found, the committee's name is no word the item lacks
    partial = two_kinds.search(
        SearchRequest(q="miljøudvalget sociale medier vindmøller", municipality=["Norddjurs Kommune"])
    ).partial
    assert partial is not None and partial.bodies == ("miljøudvalget",), partial
    assert partial.words == ("sociale", "medier", "vindmøller"), partial


def test_a_committee_names_words_without_its_body_word_stay_subject_words(browsed: SearchService) -> None:
    """ "teknik og miljø budget" is about the technical and environmental area's budget (Aarhus'
    magistrate department is called so): every word required, Teknik- og Miljøudvalget not raised.
    Before, the words were read as the committee: its items first, "teknik" and "miljø" not required."""
    typed = browsed.search(SearchRequest(q="teknik og miljø budget", per_page=100))
    required = browsed.search(SearchRequest(q="teknik budget miljø", per_page=100))  # apart: no name
    assert typed.total == required.total > 0
    assert {r["id"] for r in typed.results} == {r["id"] for r in required.results}


@pytest.mark.parametrize(
    ("word", "title"),
    [
        ("grundlag", "Administrationsgrundlag for flexboligtilladelser"),
        ("opgave", "Udbud af rengøringsopgaven i [adresse] 2015"),
    ],
)
def test_an_item_whose_title_is_a_compound_of_the_word_comes_first(
    browsed: SearchService, word: str, title: str
) -> None:
    """One distinctive word: the item whose title is built on it (its compound parts weigh as
    the title does) ranks above the many that mention the word in their text."""
    found = browsed.search(SearchRequest(q=word, per_page=5))
    assert found.total >= 20
    assert found.results[0]["title"] == title
    assert word not in title.casefold().split(), "the title holds the word only inside a compound"


def test_a_municipality_named_in_words_is_held_by_the_items_filed_under_it(browsed: SearchService) -> None:
    """ "favrskov budget": Favrskov's budget items, whether or not they write "Favrskov", and the
    items of others that write it; Favrskov's first."""
    named = browsed.search(SearchRequest(q="favrskov budget", per_page=100))
    budget = {hit["id"]: hit for hit in browsed.search(SearchRequest(q="budget", per_page=1000)).results}
    ours = {i for i, hit in budget.items() if hit["municipality"] == "Favrskov Kommune"}
    writing = {hit.item.id for hit in browsed.engine.search(SearchSpec(query=parse("favrskov"), limit=EVERYTHING)).hits}
    assert ours - writing, "some of Favrskov's budget items do not write its name"
    assert {hit["id"] for hit in named.results} == ours | (writing & set(budget))
    municipalities = [hit["municipality"] for hit in named.results]
    assert municipalities[: len(ours)] == ["Favrskov Kommune"] * len(ours), "the municipality's items first"
