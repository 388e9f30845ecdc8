"""A query no item holds every word of shows the items holding most of them, and says so.

Known-item queries often hold one word their item does not write: the full name of what it
abbreviates ("naturstyrelsen" for "NST"), or one word more than it says.
"""

from __future__ import annotations

import pytest

from indexer.cli import main
from indexer.search import query as ast
from indexer.search.service import Partial, SearchRequest, SearchService


def _words(node: ast.Node) -> list[set[str]]:
    """The words each alternative of a relaxed query requires."""
    assert isinstance(node, ast.Or)
    return [
        {leaf.text for leaf in ast.leaves(option) if isinstance(leaf, ast.Word | ast.Phrase)}
        for option in node.children
    ]


def test_all_but_one_word_then_fewer_down_to_half() -> None:
    tries = list(ast.relaxations(ast.parse("a b c d")))
    assert [(least, typed) for least, typed, _ in tries] == [(3, 4), (2, 4)]
    assert _words(tries[0][2]) == [{"a", "b", "c"}, {"a", "b", "d"}, {"a", "c", "d"}, {"b", "c", "d"}]
    assert len(_words(tries[1][2])) == 6
    assert [(least, typed) for least, typed, _ in ast.relaxations(ast.parse("vand vej"))] == [(1, 2)]


def test_fields_filters_and_excluded_words_stay_required_and_stop_words_do_not_count() -> None:
    tries = list(ast.relaxations(ast.parse('bilag:rygestop kursus "stop nu" IKKE budget og skole')))
    (least, typed, node) = tries[0]
    assert (least, typed) == (2, 3)  # kursus, "stop nu", skole: "og" is a stop word
    for option in node.children:
        assert isinstance(option, ast.And)
        assert ast.Word("rygestop", "attachments") in option.children
        assert ast.Not(ast.Word("budget")) in option.children


@pytest.mark.parametrize("query", ["vindmølle", "vand OR vej", "a b c d e f g", '"hele sætningen her"'])
def test_what_is_not_relaxed(query: str) -> None:
    """One word, a query with OR (it said what it wanted), more than six words, one phrase."""
    assert list(ast.relaxations(ast.parse(query))) == []


def test_on_the_demo_rows_an_abbreviation_written_out_finds_the_item_holding_the_rest(demo: SearchService) -> None:
    """The item writes "NST", never "Naturstyrelsen": no item held all three words."""
    response = demo.search(SearchRequest(q="naturstyrelsen fredning rakkerbanke"))
    assert response.partial == Partial(2, 3)
    assert response.results[0]["title"] == "[adresse] for område omkring Tømmerup Banke og Rakkerbanke"
    assert response.to_dict()["partial"] == {"least": 2, "typed": 3, "whole": 0}
    assert response.results[0]["missing"] == ["naturstyrelsen"]  # the item writes "NST"
    # Searched literally the words must all be there, as typed.
    literal = demo.search(SearchRequest(q="naturstyrelsen fredning rakkerbanke", literal=True))
    assert (literal.total, literal.partial) == (0, None)


def test_on_the_demo_rows_a_page_of_whole_answers_or_a_correction_is_not_followed(demo: SearchService) -> None:
    whole = demo.search(SearchRequest(q="lokalplan forslag"))
    assert whole.total >= 10 and whole.partial is None
    corrected = demo.search(SearchRequest(q="natturgas ledning"))
    assert corrected.corrected_from == "natturgas ledning" and corrected.partial is None


def test_on_the_demo_rows_a_few_whole_answers_are_followed_by_those_holding_most_words(demo: SearchService) -> None:
    """One item holds both words: it comes first, then the items holding one of them, each saying
    which it lacks; the pages run on through both as one list."""
    response = demo.search(SearchRequest(q="fredning rakkerbanke"))
    assert response.partial == Partial(1, 2, whole=1)
    first, *rest = response.results
    assert first["title"] == "[adresse] for område omkring Tømmerup Banke og Rakkerbanke" and "missing" not in first
    assert rest and all(len(hit["missing"]) == 1 for hit in rest)
    assert response.total == 1 + len(rest)
    paged = [demo.search(SearchRequest(q="fredning rakkerbanke", per_page=1, page=n)) for n in (1, 2, 3)]
    assert [p.results[0]["id"] for p in paged] == [hit["id"] for hit in response.results][:3]
    assert {p.total for p in paged} == {response.total}
    assert demo.search(SearchRequest(q="fredning rakkerbanke", literal=True)).total == 1


def test_the_cli_says_how_many_hold_every_word(demo: SearchService, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "fredning", "rakkerbanke", "--index", str(demo.engine.location)]) == 0
    out = capsys.readouterr().out
    assert "Kun 1 indeholder alle ord; derefter resultater med mindst 1 af de 2 ord." in out
    assert "   mangler: rakkerbanke" in out


def test_on_the_demo_rows_each_hit_says_which_typed_words_it_lacks(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="kommunernes landsforening økonomiaftale"))
    assert response.partial == Partial(2, 3)  # no item holds all three
    for hit in response.results:
        assert len(hit["missing"]) == 1 and hit["missing"][0] in {"kommunernes", "landsforening", "økonomiaftale"}
    assert "missing" not in demo.search(SearchRequest(q="lokalplan forslag")).results[0]


def test_on_the_demo_rows_an_item_found_whole_is_not_listed_again_among_those_holding_most_words(
    demo: SearchService,
) -> None:
    """A word typed with its hyphen ("e-dagsorden") also finds the items writing it solid:
    the items holding most of the words, listed after the whole answers, leave out exactly those,
    on the page and in the export, so no item is listed twice."""
    request = SearchRequest(q="oversigt i e-dagsorden", per_page=100)
    response = demo.search(request)
    ids = [hit["id"] for hit in response.results]
    assert response.partial is not None and response.partial.whole >= 1
    assert len(ids) == len(set(ids)) == response.total
    total, summaries = demo.iter_summaries(request, 1000)
    assert (total, [summary["id"] for summary in summaries]) == (response.total, ids)
