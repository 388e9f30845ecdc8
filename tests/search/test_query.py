"""The query language parses into our AST: operators, fields, phrases, and never fails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.search.query import And, Match, Not, Or, Phrase, Word, expand_bodies, parse


def test_words_are_anded_and_operators_in_both_languages() -> None:
    assert parse("skole budget") == And((Word("skole"), Word("budget")))
    assert parse("skole OG budget") == parse("skole AND budget") == And((Word("skole"), Word("budget")))
    assert parse("skole ELLER budget") == parse("skole OR budget") == Or((Word("skole"), Word("budget")))
    assert parse("skole IKKE budget") == parse("skole NOT budget") == And((Word("skole"), Not(Word("budget"))))
    # Lower-case "og"/"and" are words; explicit operators bind tighter than a space.
    assert parse("børn og unge") == And((Word("børn"), Word("og"), Word("unge")))
    assert parse("a b OR c") == And((Word("a"), Or((Word("b"), Word("c")))))


def test_a_dangling_operator_is_dropped_not_searched_for() -> None:
    assert parse("skole AND") == Word("skole")
    assert parse("OR skole") == Word("skole")
    assert parse("skole AND OR") == Word("skole")
    assert parse("NOT") is None
    assert parse("") is None


def test_fields_phrases_and_groups() -> None:
    assert parse('"sociale medier"') == Phrase("sociale medier")
    assert parse('titel:"sociale medier"') == Phrase("sociale medier", "title")
    assert parse("titel:badebroer") == Word("badebroer", "title")
    assert parse("beslutning:lokaludvalg") == Word("lokaludvalg", "decision")
    assert parse("bilag:rygestop") == Word("rygestop", "attachments")
    assert parse("udvalg:økonomiudvalget") == Word("økonomiudvalget", "committee")
    assert parse("sag:81.00.00-A00-1-22") == Match("case", "81.00.00-a00-1-22")
    assert parse("emne:5") == Match("topic", "05")
    assert parse("titel:(skole budget)") == And((Word("skole", "title"), Word("budget", "title")))
    assert parse("(skole ELLER børn) budget") == And((Or((Word("skole"), Word("børn"))), Word("budget")))
    assert parse("ukendt:ord") == Word("ukendt:ord")


def test_an_abbreviation_names_its_body() -> None:
    committees = ["Økonomiudvalget", "Teknik- og Miljøudvalget"]
    expanded = expand_bodies(parse("ØU budget"), committees)
    assert expanded == And((Or((Word("ØU"), Match("committee", "Økonomiudvalget"))), Word("budget")))
    # A word that names no body, or a body's word inside quotes, is left as it is.
    assert expand_bodies(parse('"ØU budget"'), committees) == parse('"ØU budget"')
    assert expand_bodies(parse("budget"), committees) == Word("budget")
    # Alone, or asked for with udvalg:, the body is required too.
    assert expand_bodies(parse("ØU"), committees) == Or((Word("ØU"), Match("committee", "Økonomiudvalget")))
    required = expand_bodies(parse("udvalg:TMU badebroer"), committees)
    assert isinstance(required, And)
    assert Or((Word("TMU", "committee"), Match("committee", "Teknik- og Miljøudvalget"))) in required.children


@given(st.text(max_size=80))
def test_any_text_parses(text: str) -> None:
    parse(text)
    parse(text.replace("a", " AND ").replace("e", " IKKE ").replace("o", '"').replace("i", "("))
