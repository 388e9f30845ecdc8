"""A committee named in words raises its items, as its abbreviation does, and the notices say so.

On real rows: the demo's open-dataset rows (Teknisk Udvalg, Teknik- og Miljøudvalget,
Økonomiudvalget …) and a Fujitsu eDoc export of "Hennys testudvalg", whose items never write
their committee's name.  (Every engine ranks them alike: tests/contract/test_ranking.py.)
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from indexer.cli import ingest, main
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.query import committee_names
from indexer.search.service import Partial, SearchRequest, SearchService
from tests.conftest import DATA, REPO, SAMPLES
from webui import create_app


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """A Whoosh index of the demo rows and the Fujitsu sample; tests must not write to it."""
    root = tmp_path_factory.mktemp("named") / "ix"
    MinutesIndex.create(root, profile="danish")
    inputs = [DATA / "digst" / "digst-demo.csv", SAMPLES / "edoc-fujitsu"]
    assert ingest(inputs, root, workers=1, stream=io.StringIO()).items_added
    return SearchService(root)


def _committees(service: SearchService, query: str) -> list[str]:
    return [hit["committee"] for hit in service.search(SearchRequest(q=query, per_page=100)).results]


def test_a_committee_named_beside_a_subject_puts_its_item_first_and_keeps_the_others(named: SearchService) -> None:
    """Økonomiudvalget's item on pulling down Hovedgaden 60 first; the other bodies' items on
    demolitions follow, as without the name.  Before, the name was a word required as any: 6
    items held both words, Kommunalbestyrelsen's first, then 58 holding one of them."""
    subject = named.search(SearchRequest(q="nedrivning", per_page=100))
    raised = named.search(SearchRequest(q="økonomiudvalgets nedrivning", per_page=100))
    assert raised.total == subject.total >= 5
    assert {hit["id"] for hit in raised.results} == {hit["id"] for hit in subject.results}
    first = raised.results[0]
    assert first["committee"] == "Økonomiudvalget" and "nedrivning af ejendommen" in first["title"]
    assert subject.results[0]["committee"] != "Økonomiudvalget", "the name is what put it first"
    assert len(set(_committees(named, "økonomiudvalgets nedrivning"))) >= 3, "other bodies' items kept"
    # The abbreviation does the same.
    assert _committees(named, "ØU nedrivning")[0] == "Økonomiudvalget"


def test_a_committee_named_in_words_is_not_counted_nor_said_to_be_missing(
    named: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    """No item holds both "budgetopfølgning" and "vindmøller": the items holding one follow, the
    committee's first.  Before, "miljøudvalget" was one of the words counted and listed missing
    ("Ingen resultater indeholder alle ordene «miljøudvalget», «budgetopfølgning» og
    «vindmøller»"), and "teknik-" was said to be too common to require."""
    query = "teknik- og miljøudvalget budgetopfølgning vindmøller"
    response = named.search(SearchRequest(q=query, per_page=100))
    assert response.partial == Partial(
        1, 2, whole=0, words=("budgetopfølgning", "vindmøller"), bodies=("teknik- og miljøudvalget",)
    )
    line = (
        "Ingen resultater indeholder både «budgetopfølgning» og «vindmøller». Viser resultater med mindst 1 af dem."
        " «teknik- og miljøudvalget» kræves ikke: udvalgets punkter vises først."
    )
    assert response.partial.line(query) == line
    assert all(set(hit["missing"]) < {"budgetopfølgning", "vindmøller"} for hit in response.results)
    committees = [hit["committee"] for hit in response.results]
    ours = committees.count("Teknik- og Miljøudvalget")
    assert ours and committees[:ours] == ["Teknik- og Miljøudvalget"] * ours
    assert "Teknisk Udvalg" in committees, "the item on vindmøller of another body is kept"
    # the page, the API and the CLI say the same
    client = create_app({"INDEX_DIR": str(named.engine.location), "TESTING": True}).test_client()
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert line in page and "<s>teknik" not in page and "<s>miljøudvalget" not in page
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["partial"]["bodies"] == ["teknik- og miljøudvalget"]
    assert data["partial"]["words"] == ["budgetopfølgning", "vindmøller"]
    assert all("miljøudvalget" not in hit["missing"] for hit in data["results"])
    assert main(["search", query, "--index", str(named.engine.location)]) == 0
    out = capsys.readouterr().out
    assert line in out and "mangler: miljøudvalget" not in out and "mangler: teknik" not in out


def test_a_committee_named_in_words_finds_a_missed_item_through_its_body(named: SearchService) -> None:
    """The item writes "TU-seminariet den 20. - 21. februar": no item holds both "seminar" and
    "februar", and the Teknisk Udvalg items holding one come first, it among them.  Before, the
    name's words were counted: one Teknik- og Miljøudvalget item holding "teknisk" and "februar"."""
    response = named.search(SearchRequest(q="teknisk udvalgs seminar februar"))
    assert response.partial is not None and response.partial.bodies == ("teknisk udvalgs",)
    assert response.results[0]["title"] == "Opfølgning af TU-seminariet den 20. - 21. februar"
    assert all(hit["committee"] == "Teknisk Udvalg" for hit in response.results[:5])


def test_mente_du_leaves_a_committee_name_as_typed(named: SearchService) -> None:
    """ "Hennys testudvalg" is the index's own name: "hennys", no Danish word, is no slip of
    "hensyn" there, though it is alone.  Before, the items never writing the name were not found
    and "Mente du: hensyn testudvalg fejloprettet" was offered."""
    assert named.did_you_mean("hennys fejloprettet") == "hensyn fejloprettet"
    assert named.did_you_mean("hennys testudvalg fejloprettet") is None
    response = named.search(SearchRequest(q="hennys testudvalg fejloprettet"))
    assert response.total == 2 and response.suggestion is None and response.corrected_from is None
    assert {hit["committee"] for hit in response.results} == {"Hennys testudvalg"}
    # Alone, the name lists the committee's items.
    alone = named.search(SearchRequest(q="hennys testudvalg"))
    assert alone.total >= 4 and {hit["committee"] for hit in alone.results} == {"Hennys testudvalg"}


@pytest.fixture(scope="module")
def with_ktmu(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """The demo rows (Kalundborg's and Favrskov's Teknik- og Miljøudvalget) and Greve's
    Klima-, Teknik- og Miljøudvalget, whose minutes abbreviate it KTMU."""
    root = tmp_path_factory.mktemp("ktmu") / "ix"
    MinutesIndex.create(root, profile="danish")
    greve = sorted((REPO / "tests" / "fixtures" / "firstagenda-api" / "greve").glob("Klima-, Teknik-*.json"))
    assert ingest([DATA / "digst" / "digst-demo.csv", *greve[:6]], root, workers=1, stream=io.StringIO()).items_added
    return SearchService(root)


def test_tmu_raises_the_teknik_og_miljoudvalget_not_a_longer_body_ending_in_its_name(with_ktmu: SearchService) -> None:
    """Before, the known pattern of TMU ("teknik- og miljøudvalg") was found inside "Klima-,
    Teknik- og Miljøudvalget", so "TMU budgetopfølgning" raised Greve's budget follow-ups over
    the Teknik- og Miljøudvalget's own."""
    plain = with_ktmu.search(SearchRequest(q="budgetopfølgning", per_page=100))
    raised = with_ktmu.search(SearchRequest(q="TMU budgetopfølgning", per_page=100))
    committees = [hit["committee"] for hit in raised.results]
    assert "Klima-, Teknik- og Miljøudvalget" in committees and "Teknik- og Miljøudvalget" in committees
    assert committees[:5] == ["Teknik- og Miljøudvalget"] * 5, "the body's budget follow-ups first"
    before = {hit["id"]: hit["score"] for hit in plain.results}
    raises: dict[str, list[float]] = {}
    for hit in raised.results:
        raises.setdefault(hit["committee"], []).append(hit["score"] - before[hit["id"]])
    # The longer body's items rise only where they write "TMU" (one of Greve's does, for the
    # committee's former name), as any word of a query raises: never by the body's clause.
    assert max(raises["Klima-, Teknik- og Miljøudvalget"]) < min(raises["Teknik- og Miljøudvalget"]) / 2
    assert sorted(raises["Klima-, Teknik- og Miljøudvalget"])[-2] == pytest.approx(0.0, abs=1e-6)
    # Its own abbreviation names it.
    assert _committees(with_ktmu, "KTMU budgetopfølgning")[0] == "Klima-, Teknik- og Miljøudvalget"


def test_a_committee_is_named_without_the_body_abbreviation_that_leads_its_name(tmp_path: Path) -> None:
    """Ballerup's "KMB IT-udvalget" (KMB: Kommunalbestyrelsen) is called the IT-udvalget; its
    "Meddelelser" items never write the name.  Typed "it udvalget" or "it-udvalget", the name
    raises its item above the Sundheds- og Forebyggelsesudvalget's "Meddelelser"."""
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    inputs = [
        SAMPLES / "publication" / "ballerup-it-udvalget-2013",
        SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012",
    ]
    assert ingest(inputs, root, workers=1, stream=io.StringIO()).items_added
    service = SearchService(root)
    plain = [(h["title"], h["committee"]) for h in service.search(SearchRequest(q="meddelelser")).results]
    assert ("Meddelelser", "Sundheds- og Forebyggelsesudvalget") in plain
    for typed in ("it udvalget meddelelser", "it-udvalget meddelelser", "meddelelser i IT-udvalget"):
        first = service.search(SearchRequest(q=typed)).results[0]
        assert (first["title"], first["committee"]) == ("Meddelelser", "KMB IT-udvalget"), typed
    names = committee_names(["KMB IT-udvalget", "Teknisk Udvalg"])
    assert names.exact[("it",)] == ("KMB IT-udvalget",)
    # a leading word in capitals that leaves no body's name is part of the name
    assert len(committee_names(["DN Vestsjælland"]).exact) == 1
