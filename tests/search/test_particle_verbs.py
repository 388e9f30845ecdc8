"""A verb typed with its particle apart, as people say it, finds the minutes naming the act.

Danish puts a verb's particle after the verb, often past its object: "lægge to lejligheder sammen",
"rive byhuset ned", "træde ud af fællesskabet".  Minutes name the act with the verb written as one
word or with its noun: "sammenlægning af lejligheder", "nedrive eksisterende byhus", "først kan
udtræde af fællesskabet".  The search looks for both: the two words as typed, and the verb they
make written as one, whose nouns the index already gives as its family.
"""

from __future__ import annotations

from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService


def joined(text: str) -> ast.Node | None:
    return ast.join_particle_verbs(ast.parse(text))


def one_word(verb: str, particle: str, joined_form: str) -> ast.Or:
    return ast.Or((ast.And((ast.Word(verb), ast.Word(particle))), ast.Word(joined_form)))


def test_a_particle_after_the_verb_makes_the_verb_written_as_one_word() -> None:
    assert joined("lægge to lejligheder sammen") == ast.And(
        (one_word("lægge", "sammen", "sammenlægge"), ast.Word("to"), ast.Word("lejligheder"))
    )
    assert joined("rive byhus ned") == ast.And((one_word("rive", "ned", "nedrive"), ast.Word("byhus")))
    # past tense and participle: the form written as one word is the dictionary's too
    assert joined("revet ned") == one_word("revet", "ned", "nedrevet")
    assert joined("lagde skolerne sammen") == ast.And(
        (one_word("lagde", "sammen", "sammenlagde"), ast.Word("skolerne"))
    )
    # a particle before a preposition is still a particle: "træde ud af"
    assert joined("træde ud af fællesskabet") == ast.And(
        (one_word("træde", "ud", "udtræde"), ast.Word("af"), ast.Word("fællesskabet"))
    )
    # "igennem" is "gennem" in front of its verb
    assert joined("føre planen igennem") == ast.And((one_word("føre", "igennem", "gennemføre"), ast.Word("planen")))


def test_words_that_make_no_verb_with_a_particle_stay_as_typed() -> None:
    # no verb before the particle, and a noun that is no verb form
    assert joined("lejligheder sammen") == ast.parse("lejligheder sammen")
    # a preposition before the word it governs is no particle: "tage stilling til" is no "tiltage"
    assert joined("tage stilling til budgettet") == ast.parse("tage stilling til budgettet")
    # a definite noun is no verb form, though "skole" is a verb too: no "omskolen"
    assert joined("bygge skolen om") == ast.And((one_word("bygge", "om", "ombygge"), ast.Word("skolen")))
    # too far apart, in a field, or quoted: as typed
    assert joined("rive det gamle røde byhus ned") == ast.parse("rive det gamle røde byhus ned")
    assert joined("titel:rive ned") == ast.parse("titel:rive ned")
    assert joined('"rive ned"') == ast.parse('"rive ned"')


def test_a_question_opened_by_a_modal_verb_leaves_it_out() -> None:
    assert ast.parse("må man lægge to lejligheder sammen") == ast.parse("man lægge to lejligheder sammen")
    assert ast.parse("kan kommunerne træde ud") == ast.parse("kommunerne træde ud")
    # alone it is what was asked for
    assert ast.parse("må") == ast.Word("må")


def test_lægge_sammen_finds_the_rules_for_sammenlægning(demo: SearchService) -> None:
    """The item writes "Sammenlægning af lejligheder uanset størrelse tillades" and never the verb
    apart; before, the items holding "lægge", "lejligheder" and "sammen" anywhere came first."""
    for q in ("lægge lejligheder sammen", "må man lægge to lejligheder sammen"):
        response = demo.search(SearchRequest(q=q))
        assert response.results[0]["title"] == "Nye retningslinjer for ændring af nedlægning af boliger", q


def test_træde_ud_finds_the_item_writing_udtræde(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="kan kommunerne træde ud af kara noveren"))
    # the one item writing "udtræde" holds every word: an answer, not one of the near ones
    first = response.results[0]
    assert first["title"] == "Ændring af [adresse] vedtægter" and "missing" not in first
    assert "udtræde" in first["snippet"]


def test_a_page_lists_each_item_once_when_a_particle_verb_is_relaxed(demo: SearchService) -> None:
    """The items a whole query found are left out of its relaxed tiers by the same rewrite."""
    for q in ("rive byhus ned", "rive thors hamer ned", "kan kommunerne træde ud af kara noveren"):
        ids = [r["id"] for r in demo.search(SearchRequest(q=q, per_page=50)).results]
        assert len(ids) == len(set(ids)), q


def test_the_items_holding_most_of_the_words_are_asked_in_the_order_typed() -> None:
    """A try with fewer words keeps the typed order, stop words in their places: its particle
    still stands after its verb ("rive … ned" of "rive byhus ned og bygge lejligheder")."""
    typed = ast.parse("rive byhus ned og bygge lejligheder")
    (_, _, tried), *_ = ast.relaxations(typed)
    assert isinstance(tried, ast.Or)
    first = tried.children[0]
    assert first == ast.And(tuple(ast.Word(w) for w in ("rive", "byhus", "ned", "og", "bygge")))
    assert ast.Word("nedrive") in ast.leaves(ast.join_particle_verbs(first))
