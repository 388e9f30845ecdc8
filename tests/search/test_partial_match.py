"""A query no item holds every word of shows the items holding most of them, and says so.

Known-item queries often hold one word their item does not write: the full name of what it
abbreviates ("naturstyrelsen" for "NST"), or one word more than it says.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.cli import main
from indexer.search import query as ast
from indexer.search.service import MIN_ITEMS_FOR_COMMON, Partial, SearchRequest, SearchService
from tests.conftest import SEED
from tests.helpers import NORDDJURS, quiet_ingest
from webui import create_app


def _words(node: ast.Node) -> list[set[str]]:
    """The words each alternative of a relaxed query requires."""
    assert isinstance(node, ast.Or)
    return [
        {leaf.text for leaf in ast.leaves(option) if isinstance(leaf, ast.Word | ast.Phrase)}
        for option in node.children
    ]


def _unraised(node: ast.Node) -> ast.Node:
    """A relaxed query without the raise of the compounds each choice leaves out (``_parts_raise``,
    tested on its own below): the words each choice requires, and its scaling."""
    if isinstance(node, ast.Prefer) and node.weight == ast.PARTS_RAISE:
        return _unraised(node.required)
    if isinstance(node, ast.And | ast.Or):
        return type(node)(tuple(_unraised(child) for child in node.children))
    if isinstance(node, ast.Scaled):
        return ast.Scaled(_unraised(node.child), node.factor)
    return node


def test_all_but_one_word_then_fewer_down_to_half() -> None:
    tries = list(ast.relaxations(ast.parse("a b c d")))
    assert [(least, typed) for least, typed, _ in tries] == [(3, 4), (2, 4)]
    assert _words(tries[0][2]) == [{"a", "b", "c"}, {"a", "b", "d"}, {"a", "c", "d"}, {"b", "c", "d"}]
    assert len(_words(tries[1][2])) == 6
    assert [(least, typed) for least, typed, _ in ast.relaxations(ast.parse("vand vej"))] == [(1, 2)]


def test_below_the_half_only_when_asked() -> None:
    """The tries below half the words (``below_half``), for a query no item holds half of."""
    tries = list(ast.relaxations(ast.parse("a b c d e"), below_half=True))
    assert [(least, typed) for least, typed, _ in tries] == [(2, 5), (1, 5)]
    assert _words(tries[1][2]) == [{"a"}, {"b"}, {"c"}, {"d"}, {"e"}]
    # two words: half is one, nothing below it
    assert list(ast.relaxations(ast.parse("vand vej"), below_half=True)) == []


def test_on_the_demo_rows_a_query_no_item_holds_half_of_lists_the_items_holding_most(demo: SearchService) -> None:
    """ "byrådet sagde nej til SF sommerbypark": the item ("Forslag SF: Etablering af sommerbypark",
    which "kunne ikke tiltræde") holds two of the five counted words, and no item holds three, so
    the tries down to half found nothing and the page was empty.  When nothing is found, or only a few
    (``FEW_HITS``), the tries go on below the half, as far as the first that adds any."""
    response = demo.search(SearchRequest(q="byrådet sagde nej til SF sommerbypark"))
    assert response.partial is not None and (response.partial.least, response.partial.typed) == (2, 5)
    assert response.partial.whole == 0 and response.total > 0
    first = response.results[0]
    assert first["title"] == "Forslag SF: Etablering af sommerbypark"
    assert set(first["missing"]) == {"byrådet", "sagde", "nej"}
    # items holding half the words come first; a list of only a few goes on below the half,
    # as far as the first try that adds any, and the line counts down to it
    query = "sagde nej til SF sommerbypark"
    half = demo.search(SearchRequest(q=query, per_page=100))
    assert half.partial is not None and half.partial.least == 1 and half.partial.typed == 4
    assert half.partial.line(query).endswith("Viser resultater med mindst 1 af de 4 ord.")
    assert half.results[0]["title"] == "Forslag SF: Etablering af sommerbypark"
    holding = [4 - len(hit["missing"]) for hit in half.results]
    assert holding[0] == 2 and holding[-1] == 1 and half.total == len(half.results) >= 10
    ids = [hit["id"] for hit in half.results]
    assert len(ids) == len(set(ids))
    # more than a few holding half the words go no further
    full = demo.search(SearchRequest(q="mindre vej og park udgift 2016"))
    assert full.partial is not None and full.partial.least >= full.partial.typed / 2


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
    """The item writes "NST", never "Naturstyrelsen": no item held all three words.  The items holding
    two come first; the list goes on to those holding one."""
    response = demo.search(SearchRequest(q="naturstyrelsen fredning rakkerbanke"))
    assert response.partial == Partial(1, 3, words=("naturstyrelsen", "fredning", "rakkerbanke"))
    assert response.results[0]["title"] == "[adresse] for område omkring Tømmerup Banke og Rakkerbanke"
    assert response.results[0]["missing"] == ["naturstyrelsen"]  # the item writes "NST"
    # (the API's form of the line, on both engines: tests/contract/test_search.py)
    # Searched literally the words must all be there, as typed.
    literal = demo.search(SearchRequest(q="naturstyrelsen fredning rakkerbanke", literal=True))
    assert (literal.total, literal.partial) == (0, None)


def test_on_the_demo_rows_a_page_of_whole_answers_or_of_a_correction_is_not_followed(demo: SearchService) -> None:
    whole = demo.search(SearchRequest(q="lokalplan forslag"))
    assert whole.total >= 10 and whole.partial is None
    corrected = demo.search(SearchRequest(q="lokalpaln forslag"))
    assert (corrected.corrected_from, corrected.request.q) == ("lokalpaln forslag", "lokalplan forslag")
    assert corrected.total >= 10 and corrected.partial is None


def test_on_the_demo_rows_a_correction_finding_a_few_lists_what_the_words_typed_right_list(
    demo: SearchService,
) -> None:
    """ "natturgas ledning" runs as "naturgas ledning", which two items hold whole ("Ny
    naturgasledning til … via Hasselager"): the items holding one of the two words follow, as they
    follow the words typed right; the line above them speaks of the corrected words."""
    right = demo.search(SearchRequest(q="naturgas ledning"))
    slipped = demo.search(SearchRequest(q="natturgas ledning"))
    assert (slipped.corrected_from, slipped.request.q, slipped.typed_total) == (
        "natturgas ledning",
        "naturgas ledning",
        0,
    )
    assert slipped.partial == right.partial == Partial(1, 2, whole=2, words=("naturgas", "ledning"))
    assert slipped.total == right.total > 10
    assert [hit["id"] for hit in slipped.results] == [hit["id"] for hit in right.results]
    # then first an item writing "naturgas", rarer than "ledning" (vandledning, fjernvarmeledning …)
    assert slipped.results[2].get("missing") == ["ledning"]
    # its next pages (``response.request``: the correction, not literal) and exports list the same
    second = demo.search(replace(slipped.request, page=2))
    assert second.corrected_from is None and second.total == slipped.total
    assert [hit["id"] for hit in second.results] == [
        hit["id"] for hit in demo.search(SearchRequest(q="naturgas ledning", page=2)).results
    ]
    assert demo.iter_summaries(SearchRequest(q="natturgas ledning"), 100) == demo.iter_summaries(
        SearchRequest(q="naturgas ledning"), 100
    )
    # the user can still insist on the words as typed
    literal = demo.search(SearchRequest(q="natturgas ledning", literal=True))
    assert (literal.total, literal.corrected_from, literal.partial) == (0, None, None)


def test_on_the_demo_rows_a_few_whole_answers_are_followed_by_those_holding_most_words(demo: SearchService) -> None:
    """One item holds both words: it comes first, then the items holding one of them, each saying
    which it lacks; the pages run on through both as one list."""
    response = demo.search(SearchRequest(q="fredning rakkerbanke"))
    assert response.partial == Partial(1, 2, whole=1, words=("fredning", "rakkerbanke"))
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
    assert (
        "Kun 1 resultat indeholder alle ord i «fredning rakkerbanke»; derefter resultater med mindst 1 af de 2 ord."
        in out
    )
    assert "   mangler: rakkerbanke" in out


def test_on_the_demo_rows_each_hit_says_which_typed_words_it_lacks(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="kommunernes landsforening økonomiaftale"))
    assert response.partial is not None and response.partial.whole == 0  # no item holds all three
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


# -- common words: what the few whole answers did not require, the rest neither count nor try ----------------


def test_a_word_the_whole_query_did_not_require_is_neither_counted_nor_tried() -> None:
    """ "mågerne i kommunen" required only "mågerne" ("kommunen" only raised): nothing is left to
    drop.  Beside two rarer words it raises each try as it raised the whole query."""
    kommunen = ast.Word("kommunen")
    assert list(ast.relaxations(ast.parse("mågerne i kommunen"), optional=[kommunen])) == []
    (least, typed, node) = next(ast.relaxations(ast.parse("fredning rakkerbanke i kommunen"), optional=[kommunen]))
    assert (least, typed) == (1, 2)
    assert _unraised(node) == ast.And(
        (
            # each try in the order typed, the stop word in its place
            ast.Or((ast.And((ast.Word("fredning"), ast.Word("i"))), ast.And((ast.Word("rakkerbanke"), ast.Word("i"))))),
            kommunen,
        )
    )


def test_a_committee_named_beside_the_words_stands_beside_every_try() -> None:
    """ "teknisk udvalgs seminar februar" required only "seminar februar": the name's words are
    neither counted nor dropped, and stand beside each try, outside its scaling (the search reads
    them as the committee again, whose items each try raises whatever words they lack)."""
    name = [ast.Word("teknisk"), ast.Word("udvalgs")]
    share = {"seminar": 0.001, "februar": 0.2}.get
    tries = list(
        ast.relaxations(ast.parse("teknisk udvalgs seminar februar"), share=lambda w: share(w.text), beside=name)
    )
    assert [(least, typed) for least, typed, _ in tries] == [(1, 2)]
    node = tries[0][2]
    assert isinstance(node, ast.And) and list(node.children[1:]) == name
    # an item lacking the rare "seminar" is scaled down, the committee's raise beside it is not
    assert node.children[0] == ast.Or((ast.Word("seminar"), ast.Scaled(ast.Word("februar"), 0.001 / 0.2)))
    assert list(ast.relaxations(ast.parse("teknisk udvalgs seminar"), beside=name)) == []


def test_a_choice_of_common_words_and_stop_words_alone_is_not_tried() -> None:
    """Common words typed alone stay required together; dropping one would leave the other, which
    most items hold.  A rarer word beside them is still tried."""
    common = {"kommunen", "forslag"}.__contains__
    assert list(ast.relaxations(ast.parse("kommunen om forslag"), common=common)) == []
    tries = list(ast.relaxations(ast.parse("mågerne kommunen forslag"), common=common))
    assert [(least, typed) for least, typed, _ in tries] == [(2, 3)]
    assert _words(tries[0][2]) == [{"mågerne", "kommunen"}, {"mågerne", "forslag"}]


def test_on_the_demo_rows_a_common_word_does_not_list_every_item_after_the_rare_ones(demo: SearchService) -> None:
    """One item is about the gulls; "kommunen", which most items hold, was not required of it.  The
    list went on with nearly every other item of the index, each lacking "mågerne" and holding
    "kommunen" (133 of them); now it is what "mågerne" finds, and says nothing of a part."""
    typed = demo.search(SearchRequest(q="mågerne i kommunen", per_page=100))
    alone = demo.search(SearchRequest(q="mågerne", per_page=100))
    assert typed.partial is None and typed.total == alone.total == 1
    assert [hit["id"] for hit in typed.results] == [hit["id"] for hit in alone.results]
    assert all("missing" not in hit for hit in typed.results)


def test_on_the_demo_rows_common_words_typed_alone_are_not_tried_one_at_a_time(demo: SearchService) -> None:
    """Five items of one committee hold both "forslag" and "kommunen"; either word alone is held
    by many of its items, which were listed after the five."""
    response = demo.search(SearchRequest(q="forslag kommunen", committee=["Kommunalbestyrelsen"], per_page=100))
    assert response.partial is None and response.total == 5
    assert all("missing" not in hit for hit in response.results)


def test_on_the_demo_rows_the_rare_words_are_still_tried_and_the_line_names_them(
    demo: SearchService, capsys: pytest.CaptureFixture[str]
) -> None:
    """One item holds "fredning" and "rakkerbanke"; the items holding one of them follow, as they
    do without "kommunen", which only raises.  The line counts what was required, and says why
    "kommunen" was not: "alle ord" would claim the search asked for it."""
    response = demo.search(SearchRequest(q="fredning rakkerbanke i kommunen", per_page=100))
    assert response.partial == Partial(1, 2, whole=1, words=("fredning", "rakkerbanke"), optional=("kommunen",))
    without = demo.search(SearchRequest(q="fredning rakkerbanke", per_page=100))
    assert {hit["id"] for hit in response.results} == {hit["id"] for hit in without.results}
    first, *rest = response.results
    assert "missing" not in first and rest
    assert all({"fredning", "rakkerbanke"} - set(hit["missing"]) for hit in rest), "each holds a rare word"
    line = (
        "Kun 1 resultat indeholder både «fredning» og «rakkerbanke»; derefter resultater med mindst 1 af dem."
        " «kommunen» står i så mange punkter, at det ikke kræves."
    )
    assert response.partial.line(response.request.q) == line
    # the page, the API and the CLI say the same
    client = create_app({"INDEX_DIR": str(demo.engine.location), "TESTING": True}).test_client()
    page = client.get("/?q=fredning+rakkerbanke+i+kommunen").get_data(as_text=True)
    assert line in page
    data = client.get("/api/search?q=fredning+rakkerbanke+i+kommunen").get_json()
    assert data["partial"] == {
        "least": 1,
        "typed": 2,
        "whole": 1,
        "words": ["fredning", "rakkerbanke"],
        "optional": ["kommunen"],
        "bodies": [],
        "places": [],
        "among": False,
    }
    assert main(["search", "fredning rakkerbanke i kommunen", "--index", str(demo.engine.location)]) == 0
    assert line in capsys.readouterr().out


# -- which words an item lacks: a frequent one costs little, a rare one much ---------------------------


def test_each_choice_scores_times_the_shares_of_the_words_it_lacks() -> None:
    """A choice of words is scaled by how many items hold the words it leaves out, relative to
    the tier's likeliest: lacking "nye" (a fifth of the items hold it) keeps the engine's score,
    lacking "administrationsbygning" (one item in eighty) is worth a sixteenth of it."""
    shares = {"kalundborg": 0.125, "forsynings": 0.034, "nye": 0.2, "administrationsbygning": 0.0125}
    words = [ast.Word(word) for word in shares]
    least, typed, node = next(
        ast.relaxations(ast.parse("kalundborg forsynings nye administrationsbygning"), share=lambda w: shares[w.text])
    )
    node = _unraised(node)
    assert (least, typed) == (3, 4)
    assert isinstance(node, ast.Or)
    lacking_nye, lacking_rare = ast.And((words[0], words[1], words[3])), ast.And(tuple(words[:3]))
    assert lacking_nye in node.children  # the likeliest: not scaled
    assert ast.Scaled(lacking_rare, 0.0125 / 0.2) in node.children
    # Without shares every choice scores as the engine scores it.
    assert all(isinstance(option, ast.And) for option in next(ast.relaxations(ast.parse("a b c d")))[2].children)


def test_a_word_the_text_never_writes_whole_or_a_phrase_is_rarest_and_a_wildcard_costs_nothing() -> None:
    """The engines' shares count a word as the text writes it whole: a compound found only by its
    parts, or a word written otherwise, says 0, yet it is rare, not absent; a quoted phrase is
    rarer than its words; how many items hold a wildcard's words is not known."""
    shares = {"kørsel": 0.005, "skoleelever": 0.0, "regler": 0.05}
    tries = ast.relaxations(
        ast.parse('kørsel skoleelever regler "sociale medier" budg*'), share=lambda w: shares.get(w.text)
    )
    _, _, node = next(tries)
    node = _unraised(node)
    assert isinstance(node, ast.Or)
    factors = {
        frozenset(leaf.text for leaf in ast.leaves(option)): option.factor if isinstance(option, ast.Scaled) else 1.0
        for option in node.children
    }
    everything = {"kørsel", "skoleelever", "regler", "sociale medier", "budg*"}
    assert factors[frozenset(everything - {"budg*"})] == 1.0
    assert factors[frozenset(everything - {"skoleelever"})] == ast.RAREST_SHARE
    assert factors[frozenset(everything - {"sociale medier"})] == ast.RAREST_SHARE
    assert factors[frozenset(everything - {"regler"})] == 0.05


def test_on_the_demo_rows_an_item_lacking_a_frequent_word_comes_before_one_lacking_a_rare_one(
    demo: SearchService,
) -> None:
    """ "nedrivning af byhuse": one item holds both words.  Of the rest, the one holding the rare
    "byhuse" comes before the fifteen holding "nedrivning" (ten items of 290 write it), though the
    engine scores their titles on "nedrivning" higher than it scores that item on "byhuse"."""
    response = demo.search(SearchRequest(q="nedrivning af byhuse", per_page=50))
    assert response.partial == Partial(1, 2, whole=1, words=("nedrivning", "byhuse"))
    whole, rare, *frequent = response.results
    assert "missing" not in whole and rare["missing"] == ["nedrivning"]
    assert len(frequent) == 15 and all(hit["missing"] == ["byhuse"] for hit in frequent)
    by_rare = demo.search(SearchRequest(q="byhuse", literal=True)).results
    by_frequent = demo.search(SearchRequest(q="nedrivning", literal=True)).results
    [rare_score] = [hit["score"] for hit in by_rare if hit["id"] == rare["id"]]
    [frequent_score] = [hit["score"] for hit in by_frequent if hit["id"] == frequent[0]["id"]]
    assert frequent_score > rare_score


def test_on_the_demo_rows_a_word_held_as_a_part_is_as_frequent_as_the_search_finds_it(demo: SearchService) -> None:
    """ "systemmobning spildevand": one item writes "systemmobning", three write "spildevand"
    whole, and more write it in a compound ("Spildevandsplan" in two titles), where the search of
    the word finds it too.  An item lacking "spildevand" is as likely as that count says, so the
    one holding the rare word comes first, though the engine scores the plans' titles higher."""
    response = demo.search(SearchRequest(q="systemmobning spildevand", per_page=20))
    assert response.partial == Partial(1, 2, whole=0, words=("systemmobning", "spildevand"))
    first, *rest = response.results
    assert first["missing"] == ["spildevand"] and all(hit["missing"] == ["systemmobning"] for hit in rest)
    by_frequent = demo.search(SearchRequest(q="spildevand", literal=True)).results
    [by_rare] = demo.search(SearchRequest(q="systemmobning", literal=True)).results
    assert by_rare["id"] == first["id"] and by_frequent[0]["score"] > by_rare["score"]
    assert "spildevandsplan" in by_frequent[0]["title"].lower()
    whole, parts = demo.engine.word_shares(["spildevand"]), demo.engine.word_shares(["spildevand"], parts=True)
    assert parts["spildevand"] > whole["spildevand"]


def test_on_the_demo_rows_a_short_list_goes_on_to_the_items_holding_fewer_words(demo: SearchService) -> None:
    """One item holds all five words and four hold four of them: the list goes on to the items
    holding three, where the 2017 grant for the same buildings is, and the line counts down to
    three.  Each item is listed once, in the order of how many words it holds, on the page, page
    by page and in the export."""
    query = "prioriteret udvendigt vedligehold kommunale ejendomme"
    response = demo.search(SearchRequest(q=query, per_page=100))
    assert response.partial == Partial(3, 5, whole=1, words=tuple(query.split()))
    assert response.partial.line(query) == (
        f"Kun 1 resultat indeholder alle ord i «{query}»; derefter resultater med mindst 3 af de 5 ord."
    )
    missing = [len(hit.get("missing", [])) for hit in response.results]
    assert missing == sorted(missing) and missing[0] == 0 and set(missing) == {0, 1, 2}
    grant = "Beslutning om anlægsbevilling til vedligeholdelse af kommunale ejendomme 2017"
    titles = [hit["title"] for hit in response.results]
    assert grant in titles[:10]
    ids = [hit["id"] for hit in response.results]
    assert len(ids) == len(set(ids)) == response.total
    paged = [demo.search(SearchRequest(q=query, per_page=4, page=n)) for n in (1, 2, 3)]
    assert [hit["id"] for page in paged for hit in page.results] == ids[:12]
    total, summaries = demo.iter_summaries(SearchRequest(q=query), 1000)
    assert (total, [summary["id"] for summary in summaries]) == (response.total, ids)


def test_what_a_scaled_choice_gains_for_neighbours_typed_together_is_scaled_with_it() -> None:
    """The raise for typed neighbours standing together goes inside each choice's scaling: added
    outside, it would outweigh the little a rare choice's items score and order them by it alone."""
    a, b, c = ast.Word("a"), ast.Word("b"), ast.Word("c")
    pair = ast.Phrase("a b")
    choices = ast.Or((ast.And((a, b)), ast.Scaled(ast.And((a, c)), 0.1)))
    assert ast.raise_neighbours(ast.And((choices, ast.Not(c))), [pair]) == ast.And(
        (
            ast.Or(
                (
                    ast.Prefer(ast.And((a, b)), pair, ast.NEIGHBOUR_WEIGHT),
                    ast.Scaled(ast.Prefer(ast.And((a, c)), pair, ast.NEIGHBOUR_WEIGHT), 0.1),
                )
            ),
            ast.Not(c),
        )
    )
    plain = ast.And((a, b))
    assert ast.raise_neighbours(plain, [pair]) == ast.Prefer(plain, pair, ast.NEIGHBOUR_WEIGHT)


# -- a compound a choice leaves out, written as its words -----------------------------------------------


def test_a_choice_leaving_out_a_compound_is_raised_where_its_words_are_written() -> None:
    """Of "vejvedligeholdelseskontrakt pankas" the choice of "pankas" alone gains in the items that
    also hold the compound's words ("kontrakterne med Pankas A/S om vejvedligeholdelse"), at the
    cuts where both sides are words of four letters or more (a three-letter side such as "tog" of
    "togstation" is as often another word's form: "tog forbehold")."""
    _, _, node = next(ast.relaxations(ast.parse("vejvedligeholdelseskontrakt pankas")))
    assert isinstance(node, ast.Or)
    raised = [option for option in node.children if isinstance(option, ast.Prefer)]
    assert [option.required for option in raised] == [ast.Word("pankas")]
    apart = ast.And((ast.Word("vejvedligeholdelses"), ast.Word("kontrakt")))
    assert raised[0].weight == ast.PARTS_RAISE and apart in [
        raised[0].optional,
        *getattr(raised[0].optional, "children", ()),
    ]
    # nothing to raise by: a simple word left out, or a compound with a three-letter side
    assert not any(isinstance(o, ast.Prefer) for o in next(ast.relaxations(ast.parse("pankas kontrakt")))[2].children)
    assert not any(
        isinstance(o, ast.Prefer) for o in next(ast.relaxations(ast.parse("togstation kalundborg")))[2].children
    )


def test_on_the_demo_rows_the_item_writing_a_compounds_words_comes_first_among_those_holding_the_rest(
    demo: SearchService,
) -> None:
    """No item writes "vejvedligeholdelseskontrakt"; of the four naming Pankas the evaluation of
    the partnering contract writes "kontrakterne med Pankas A/S om vejvedligeholdelse"."""
    results = demo.search(SearchRequest(q="vejvedligeholdelseskontrakt pankas")).results
    assert results[0]["title"] == "Evaluering af partneringskontrakt med [adresse]"
    assert len(results) == 4


def test_a_query_of_more_words_than_are_tried_in_every_combination_keeps_its_rarest() -> None:
    """Seven counted words are more than ``MAX_RELAXED_WORDS``: the commonest are left out (the
    rarest kept, in the order typed), so the tries with fewer words stay few."""
    node = ast.parse("nedrivning gamle sfo-bygninger høng skole thors hammer")
    counted = list(ast.droppable_words(node))
    shares = {"nedrivning": 0.01, "gamle": 0.05, "sfo-bygninger": 0.0, "høng": 0.02, "skole": 0.2}
    kept, left_out = ast.without_commonest(node, counted, lambda word: shares.get(word.text, 0.001))
    assert [word.text for word in left_out] == ["skole"]
    assert [word.text for word in ast.droppable_words(kept)] == [
        "nedrivning", "gamle", "sfo-bygninger", "høng", "thors", "hammer"
    ]  # fmt: skip
    six = ast.parse("nedrivning gamle høng skole thors hammer")
    assert ast.without_commonest(six, list(ast.droppable_words(six)), lambda word: 0.5) == (six, [])


def test_on_the_demo_rows_a_long_question_no_item_holds_half_of_is_not_left_without_answers(
    demo: SearchService,
) -> None:
    """No demo item holds half of these nine words (seven counted); before, a query of more counted
    words than are tried in every combination listed nothing at all."""
    query = "nedrivning af de gamle SFO-bygninger ved Høng skole og Thors Hammer"
    response = demo.search(SearchRequest(q=query))
    assert response.total > 0
    assert response.results[0]["title"].startswith(
        "Ansøgning om anlægsbevilling til nedrivning af tidligere SFO-bygninger"
    )
    assert response.partial is not None and response.partial.typed == ast.MAX_RELAXED_WORDS
    assert "står i så mange punkter" in response.partial.line(query)


@pytest.fixture(scope="module")
def seed_alone(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """An index of one item: the seed (Norddjurs: "Sociale medier i arbejdsmæssig sammenhæng")."""
    root = tmp_path_factory.mktemp("seed-alone") / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    return SearchService(root)


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        ("ansatte sociale medier", ["ansatte"]),
        ("sociale medier cykelsti", ["cykelsti"]),
        ("hvordan skal ansatte bruge sociale medier", ["ansatte"]),
    ],
)
def test_in_an_index_of_one_item_its_words_are_not_common(
    seed_alone: SearchService, query: str, missing: list[str]
) -> None:
    """In an index of one item every word it holds is held by all its items; before, those words
    were common ones (not required beside rarer), so a query of them and one word the item lacks
    required that word alone and listed nothing.  Below ``MIN_ITEMS_FOR_COMMON`` items no word is
    common: the item holding most of the words is shown, the word it lacks named."""
    assert seed_alone.engine.stats().open_items == 1 < MIN_ITEMS_FOR_COMMON
    response = seed_alone.search(SearchRequest(q=query))
    assert response.total == 1 and response.partial is not None
    assert response.results[0]["title"] == "Sociale medier i arbejdsmæssig sammenhæng"
    assert response.results[0]["missing"] == missing
