"""Search over the seed and a later meeting of the same case, for every engine: filters, facets,
syntax, snippets, suggestions, case history, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from indexer.topics import TOPIC_NAMES
from tests.helpers import Opened, quiet_ingest


@pytest.fixture(scope="module")
def service(seeded: str) -> Iterator[SearchService]:
    """Per engine: the seed, plus the same case at a later meeting of another committee."""
    service = SearchService(seeded)
    yield service
    service.close()


def test_inflected_and_folded_forms_find_the_seed(service: SearchService) -> None:
    for query in ["sociale medier", "medie", "arbejdspladser", "Områdeudvalget", "omraadeudvalget", "guiden"]:
        assert service.search(SearchRequest(q=query)).total >= 1, query


def test_filter_by_committee_and_date(service: SearchService) -> None:
    both = service.search(SearchRequest(q="sociale medier"))
    assert both.total == 2
    committees = {v["value"]: v["count"] for v in both.facets["committee"]}
    assert committees == {"Områdeudvalget for Administrationen": 1, "Økonomiudvalget": 1}
    only = service.search(SearchRequest(q="sociale medier", committee=["Økonomiudvalget"]))
    assert [r["committee"] for r in only.results] == ["Økonomiudvalget"]
    assert [v for v in only.facets["committee"] if v["selected"]] == [
        {"value": "Økonomiudvalget", "count": 1, "selected": True}
    ]
    dated = service.search(SearchRequest(q="sociale medier", date_from=date(2023, 1, 1)))
    assert [r["meeting_date"][:10] for r in dated.results] == ["2023-01-16"]
    upto = service.search(SearchRequest(q="", date_to=date(2022, 12, 5)))
    assert [r["meeting_date"][:10] for r in upto.results] == ["2022-12-05"]


def test_sort_newest_and_oldest(service: SearchService) -> None:
    newest = [r["meeting_date"][:10] for r in service.search(SearchRequest(q="guide", sort="newest")).results]
    oldest = [r["meeting_date"][:10] for r in service.search(SearchRequest(q="guide", sort="oldest")).results]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest) and newest != oldest


def test_danish_boolean_syntax_and_prefixes(service: SearchService) -> None:
    assert service.search(SearchRequest(q="sociale IKKE medier")).total == 0
    assert service.search(SearchRequest(q="vindmøller ELLER guiden")).total == 2
    assert service.search(SearchRequest(q="vindmøller OG guiden")).total == 0
    assert service.search(SearchRequest(q="titel:sociale")).total == 2
    assert service.search(SearchRequest(q="beslutning:lokaludvalg")).total == 2
    assert service.search(SearchRequest(q="udvalg:økonomiudvalget")).total == 1
    assert service.search(SearchRequest(q="sag:81.00.00-A00-1-22")).total == 2
    assert service.search(SearchRequest(q='"guide til arbejdspladser"')).total == 2


def test_a_pasted_case_number_finds_the_items_filed_under_it(service: SearchService) -> None:
    """Typed without ``sag:`` (pasted from a letter), as both engines read it: the items filed under it,
    which seldom write it in their text."""
    assert service.search(SearchRequest(q="81.00.00-A00-1-22")).total == 2
    assert service.search(SearchRequest(q="81.00.00-a00-1-22")).total == 2
    assert service.search(SearchRequest(q="81.00.00-A00-1-23")).total == 0


def test_filters_read_a_committee_and_a_topic_as_people_write_them(service: SearchService) -> None:
    """A committee in other case or spacing than the index's, a main group by its number or name:
    a hand-written link or API call found nothing (the filter is an exact value)."""
    committee = service.committees()[0]
    exact = service.search(SearchRequest(committee=[committee]))
    assert exact.total > 0
    typed = service.search(SearchRequest(committee=["  " + committee.upper().replace(" ", "  ")]))
    assert (typed.total, typed.request.committee) == (exact.total, [committee])
    code = next(f["value"] for f in service.search(SearchRequest()).facets["topic"] if f["value"].isdigit())
    topic = service.search(SearchRequest(topic=[code]))
    assert topic.total > 0
    for written in (str(int(code)), TOPIC_NAMES[code], TOPIC_NAMES[code].upper()):
        assert service.search(SearchRequest(topic=[written])).total == topic.total
    assert service.search(SearchRequest(topic=["no such group"])).total == 0


def test_suggestions_for_a_word_typed_without_danish_letters(service: SearchService) -> None:
    """ "moede" (a keyboard without ø) is completed as "møde": the index holds the Danish spelling."""
    assert "møde" in [s["value"] for s in service.suggest("møde")]
    assert [s["value"] for s in service.suggest("moede")] == [s["value"] for s in service.suggest("møde")]
    assert [s["value"] for s in service.suggest("oekonomis")] == [s["value"] for s in service.suggest("økonomis")]


def test_english_operators_and_a_dangling_one(service: SearchService) -> None:
    assert service.search(SearchRequest(q="sociale NOT medier")).total == 0
    assert service.search(SearchRequest(q="vindmøller OR guiden")).total == 2
    assert service.search(SearchRequest(q="vindmøller AND guiden")).total == 0
    # "AND" with nothing after it is not a word: no hit is found or highlighted for it.
    dangling = service.search(SearchRequest(q="sociale medier AND"))
    assert dangling.total == 2
    assert all("<mark>and" not in r["snippet"].lower() for r in dangling.results)


def test_a_committee_abbreviation_raises_that_body_and_excludes_no_other(service: SearchService) -> None:
    assert service.search(SearchRequest(q="sociale medier")).total == 2
    # the two items hold the same case text: one row, the other body's treatment listed under it
    raised = service.search(SearchRequest(q="ØU sociale medier"))
    assert [r["committee"] for r in raised.results] == ["Økonomiudvalget"]
    assert [t["committee"] for t in raised.results[0]["also_treated"]] == ["Områdeudvalget for Administrationen"]
    raised = service.search(SearchRequest(q="ØU sociale medier", every_treatment=True))
    assert [r["committee"] for r in raised.results] == ["Økonomiudvalget", "Områdeudvalget for Administrationen"]
    # Asked for with udvalg: (or by the name), the body is required.
    for query in ("udvalg:ØU sociale medier", "sociale medier udvalg:økonomiudvalget"):
        response = service.search(SearchRequest(q=query))
        assert [r["committee"] for r in response.results] == ["Økonomiudvalget"], query
    # Alone, the abbreviation searches for its body.
    assert [r["committee"] for r in service.search(SearchRequest(q="ØU")).results] == ["Økonomiudvalget"]


def test_a_prefix_searchs_snippets_mark_the_words_it_matched(service: SearchService) -> None:
    """ "lokalud*" marks "lokaludvalg" in the decision, as the word typed whole would: the PostgreSQL
    engine credited a hit with no term of a prefix, so its snippet marked nothing and showed the
    item's first lines instead of the passage that matched."""
    for query in ("lokalud*", "beslutning:lokalud*"):
        hits = service.search(SearchRequest(q=query)).results
        assert hits, query
        for hit in hits:
            assert "<mark>lokaludvalg" in hit["snippet"].lower(), (query, hit["snippet"])


def test_nonsense_queries_do_not_fail(service: SearchService) -> None:
    for query in ['"', "(((", "titel:", "OG ELLER IKKE", "*", "sag:", ")", "a" * 600]:
        response = service.search(SearchRequest(q=query))
        assert response.total >= 0


def test_snippet_is_highlighted_and_says_where_from(service: SearchService) -> None:
    hit = service.search(SearchRequest(q="lokaludvalg")).results[0]
    assert "<mark>" in hit["snippet"] and hit["snippet_field"] == "beslutning"
    hit = service.search(SearchRequest(q="personalepolitikken")).results[0]
    assert hit["snippet_field"] == "sagsfremstilling"


def test_result_shape_matches_the_api_contract(service: SearchService) -> None:
    response = service.search(SearchRequest(q="sociale medier")).to_dict()
    assert {"total", "results", "facets"} <= response.keys()
    hit = response["results"][0]
    for key in [
        "id",
        "title",
        "committee",
        "municipality",
        "meeting_date",
        "item_number",
        "case_number",
        "access",
        "snippet",
        "decision",
        "attachments",
    ]:
        assert key in hit
    assert hit["access"] == "open"
    assert {a["journal_number"] for a in hit["attachments"]} == {"142376/22", "142375/22"}
    assert set(response["facets"]) >= {"committee", "year"}


def test_case_history_and_similar(service: SearchService) -> None:
    hit = service.search(SearchRequest(q="sociale medier", committee=["Områdeudvalget for Administrationen"])).results[
        0
    ]
    history = service.case_history(hit["id"])
    assert [h["committee"] for h in history] == ["Økonomiudvalget"]
    similar = service.similar(hit["id"])
    assert similar and similar[0]["committee"] == "Økonomiudvalget"


def test_a_query_with_no_hits_shows_its_corrections_results(service: SearchService) -> None:
    response = service.search(SearchRequest(q="socale meddier"))
    assert response.corrected_from == "socale meddier"
    assert response.request.q == "sociale medier"  # the query that ran
    assert response.total == 2 and response.results
    assert response.to_dict()["query"] == "sociale medier"
    assert response.to_dict()["corrected_from"] == "socale meddier"


def test_the_export_of_a_query_with_no_hits_lists_its_corrections_results(service: SearchService) -> None:
    """The CSV export lists what the page lists, in its order: the correction's items, as the page
    shows them, not nothing; asked for literally, nothing, as the page shows."""
    page = service.search(SearchRequest(q="socale meddier", per_page=100))
    assert page.corrected_from == "socale meddier" and page.total == 2
    total, exported = service.iter_summaries(SearchRequest(q="socale meddier"), 100)
    listed = [i for h in page.results for i in (h["id"], *(t["id"] for t in h.get("also_treated", [])))]
    assert (total, [e["id"] for e in exported]) == (page.total, listed)
    newest = service.search(SearchRequest(q="socale meddier", sort="newest", per_page=100, every_treatment=True))
    _, exported = service.iter_summaries(SearchRequest(q="socale meddier", sort="newest"), 100)
    assert [e["id"] for e in exported] == [h["id"] for h in newest.results]
    assert service.iter_summaries(SearchRequest(q="socale meddier", literal=True), 100) == (0, [])
    assert service.iter_summaries(SearchRequest(q="xqzvvk"), 100) == (0, [])  # no correction: nothing


def test_literal_search_keeps_the_typed_words_and_offers_the_correction(service: SearchService) -> None:
    response = service.search(SearchRequest(q="socale meddier", literal=True))
    assert response.total == 0 and response.corrected_from is None
    assert response.suggestion == "sociale medier"


def test_no_correction_when_nothing_is_close(service: SearchService) -> None:
    response = service.search(SearchRequest(q="xqzvvk"))
    assert response.total == 0 and response.corrected_from is None and response.suggestion is None


def test_cli_says_which_query_ran(service: SearchService, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "socale", "meddier", "--index", str(service.engine.location)]) == 0
    out = capsys.readouterr().out
    assert "Viser resultater for «sociale medier». Ingen for «socale meddier»" in out
    assert main(["search", "socale", "meddier", "--literal", "--index", str(service.engine.location)]) == 0
    out = capsys.readouterr().out
    assert "Mente du: sociale medier" in out and "Viser resultater" not in out


def test_no_item_with_every_word_shows_those_with_most_and_says_so(
    browsed: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    """The item writes "NST", never "Naturstyrelsen"; the Trækstien item names Naturstyrelsen and the
    "fredede" path (a form of "frede", whose noun is "fredning"), never Rakkerbanke.  (Not on the
    seed's two items: every word they hold is one most of the items hold, and a choice of such words
    alone is not tried.)  Those two holding two of the three words come first; the list, of only a
    few, goes on to the items holding one."""
    query = "naturstyrelsen fredning rakkerbanke"
    response = browsed.search(SearchRequest(q=query, per_page=100))
    assert response.partial is not None and (response.partial.least, response.partial.typed) == (1, 3)
    assert response.total >= 10 and response.corrected_from is None and response.suggestion is None
    assert response.to_dict()["partial"] == {
        "least": 1,
        "typed": 3,
        "whole": 0,
        "words": ["naturstyrelsen", "fredning", "rakkerbanke"],
        "optional": [],
        "bodies": [],
        "places": [],
        "among": False,
    }
    missing = [hit["missing"] for hit in response.results]
    assert missing[:2] == [["naturstyrelsen"], ["rakkerbanke"]]
    assert all(len(words) == 2 for words in missing[2:]) and len(missing) == response.total
    # Asked for literally, or with every word required in so many words, nothing is relaxed.
    assert browsed.search(SearchRequest(q=query, literal=True)).total == 0
    assert browsed.search(SearchRequest(q=" OG ".join(query.split()))).total == 0
    assert main(["search", *query.split(), "--index", str(browsed.engine.location)]) == 0
    out = capsys.readouterr().out
    assert f"Ingen resultater indeholder alle ord i «{query}». Viser resultater med mindst 1 af de 3 ord." in out
    assert "   mangler: naturstyrelsen" in out


def test_autocomplete(service: SearchService) -> None:
    values = [s["value"] for s in service.suggest("Øko")]
    assert "Økonomiudvalget" in values
    assert any(v.startswith("guide") for v in (s["value"] for s in service.suggest("guid")))


def test_cli_search_json(service: SearchService, capsys: pytest.CaptureFixture[str]) -> None:

    assert (
        main(
            [
                "search",
                "sociale",
                "medier",
                "--index",
                str(service.engine.location),
                "--json",
                "--committee",
                "Økonomiudvalget",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["results"][0]["committee"] == "Økonomiudvalget"
    assert main(["search", "--index", str(service.engine.location), "--from", "2023-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1


def test_stats(service: SearchService) -> None:
    stats = service.stats()
    assert stats["open_items"] == 2 and stats["meetings"] == 2
    assert stats["first_meeting"] == "2022-12-05"


def test_empty_query_lists_newest_first(service: SearchService) -> None:
    dates = [r["meeting_date"] for r in service.search(SearchRequest()).results]
    assert dates == sorted(dates, reverse=True)


def test_municipality_filter_takes_any_spelling(service: SearchService) -> None:
    for spelling in ["Norddjurs", "norddjurs kommune", "Norddjurs Kommune"]:
        response = service.search(SearchRequest(q="", municipality=[spelling]))
        assert response.total == 2, spelling
        assert [v["value"] for v in response.facets["municipality"] if v["selected"]] == ["Norddjurs Kommune"]


def _ingest_bodies(location: str, tmp_path: Path, items: list[tuple[str, str]]) -> None:
    """One open meeting of open items, each a (title, case text), ingested into ``location``."""

    def item(n: int, title: str, text: str) -> dict[str, object]:
        body = {"heading": "Sagsfremstilling", "text": text, "kind": "body", "access": "open"}
        return {"number": str(n), "title": title, "access": "open", "sections": [body]}

    meeting = {"municipality": "Norddjurs Kommune", "committee": "Teknik- og Miljøudvalget"}
    meeting |= {"start": "2024-03-04T16:00:00+01:00", "kind": "referat", "access": "open"}
    meeting["items"] = [item(n, title, text) for n, (title, text) in enumerate(items, 1)]
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", encoding="utf-8")
    quiet_ingest([path], location)


def test_one_distinctive_word_ranks_the_item_about_it_first(location: str, tmp_path: Path, opened: Opened) -> None:
    """A known-item query of one word: the item whose title names it and whose case text
    repeats it ranks above long items that mention it once."""

    filler = " ".join(["Udvalget drøftede sagen og tog orienteringen til efterretning."] * 30)
    items = [
        ("Budget 2024", f"{filler} Et forslag om nye vindmøller ved kysten indgår. {filler}"),
        ("Vindmøller ved Kattegat", "Vindmøllerne ved Kattegat: placering af tre vindmøller og støj."),
        ("Lokalplan for erhverv", f"{filler} Området ligger ved de eksisterende vindmøller. {filler}"),
    ]
    _ingest_bodies(location, tmp_path, items)
    response = opened.service(location).search(SearchRequest(q="vindmøller"))
    assert response.total == 3
    assert response.results[0]["title"] == "Vindmøller ved Kattegat"


def test_a_short_item_about_the_word_outranks_a_long_one_writing_it_more_often(
    location: str, tmp_path: Path, opened: Opened
) -> None:
    """BM25F's length normalisation in full (``BM25_B`` = 1): the 40-word item proposing "solceller"
    once comes before the 160-word one writing it three times among much else; at Whoosh's default
    0.75 the long item came first.  The same on every engine."""

    def words(n: int, offset: int) -> str:
        # distinct filler words, so no word but the searched one is shared by chance
        return " ".join(f"emne{offset + i}" for i in range(n))

    items = [
        ("Forslag fra udvalget", f"Solceller på rådhusets tag. {words(37, 0)}"),
        ("Orientering fra direktionen", " ".join(f"{words(52, 100 + 60 * k)} solceller" for k in range(3))),
        ("Meddelelser til udvalget", words(100, 1000)),
    ]
    _ingest_bodies(location, tmp_path, items)
    response = opened.service(location).search(SearchRequest(q="solceller"))
    assert [r["title"] for r in response.results] == ["Forslag fra udvalget", "Orientering fra direktionen"]


def test_of_the_items_holding_most_words_those_lacking_a_frequent_word_come_first(browsed: SearchService) -> None:
    """After the few items holding both "nedrivning" and "byhuse", those holding "byhuse" come before
    the many holding "nedrivning", whose titles the engine scores higher (each item is scaled by the
    share of the items holding the word it lacks), the same on every engine."""
    response = browsed.search(SearchRequest(q="nedrivning af byhuse", per_page=50))
    assert response.partial is not None and (response.partial.least, response.partial.typed) == (1, 2)
    missing = [hit["missing"] for hit in response.results[response.partial.whole :]]
    rare = missing.count(["nedrivning"])
    assert 0 < rare < len(missing) and missing == [["nedrivning"]] * rare + [["byhuse"]] * (len(missing) - rare)
