"""How a query uses the abbreviations the minutes define (``query.expand_definitions``)."""

from __future__ import annotations

from indexer.search.query import And, Match, Not, Or, Phrase, Prefer, Word, expand_definitions, parse

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
