"""A verb and its nouns in -ning/-ing/-else/-ation meet in the compound-parts field, word by word.

Minutes write one act either way ("nedrivning af byhuse", "byhuset nedrives"); Snowball keeps
the verb and its -ning/-ing/-ation noun apart.  The main fields keep them apart still (many
such nouns are lexicalised: a ledning is no act of leading), and the lower-weighted parts field
holds the family, so a query for one finds the other below the items writing the typed form.
"""

from __future__ import annotations

import pytest

from indexer.analysis.danish import (
    compound_analyzer,
    index_parts,
    snowball_stem,
    stem_term,
    title_parts_analyzer,
    verb_partners,
)
from indexer.analysis.lexicon import is_verb, verb_family, verb_nouns


def parts_terms(text: str) -> list[str]:
    return [t.text for t in compound_analyzer()(text, mode="index")]


# Each row: a form of the verb as minutes write it, and a form of its noun.
VERB_AND_NOUN = [
    ("nedrevet", "nedrivningen"),  # -ning, a strong verb's participle
    ("nedrives", "nedrivning"),
    ("nedlægges", "nedlægningen"),  # -ning after a doubled consonant written once
    ("tilbygget", "tilbygningen"),
    ("ansøgt", "ansøgninger"),
    ("byggemodnet", "byggemodningen"),  # -ing after the stem's own n
    ("befordres", "befordringen"),  # -ing
    ("dispenseret", "dispensationen"),  # a loan verb's -ation
    ("eksproprieres", "ekspropriationer"),
]


@pytest.mark.parametrize(("verb_form", "noun_form"), VERB_AND_NOUN, ids=lambda form: form)
def test_a_verb_and_its_noun_meet_in_the_parts_field(verb_form: str, noun_form: str) -> None:
    assert stem_term(noun_form) in parts_terms(verb_form), parts_terms(verb_form)
    assert stem_term(verb_form) in parts_terms(noun_form), parts_terms(noun_form)


@pytest.mark.parametrize(("verb_form", "noun_form"), VERB_AND_NOUN, ids=lambda form: form)
def test_the_main_fields_keep_them_apart(verb_form: str, noun_form: str) -> None:
    """The family is an alternative, never the word: the typed form keeps its own term (and
    plain Snowball splits them, so this is no case the stemmer had solved)."""
    assert stem_term(verb_form) != stem_term(noun_form)
    assert snowball_stem(verb_form) != snowball_stem(noun_form)


def test_an_else_noun_brings_the_ning_noun_its_verb_already_meets() -> None:
    """ "nedlæggelse" and "nedlægge" share a term already (Snowball takes -else off): only the
    -ning noun is added, never the word's own term again."""
    assert stem_term("nedlæggelse") == stem_term("nedlægge")
    assert verb_partners("nedlæggelse") == ("nedlægning",)
    assert verb_partners("nedlægning") == ("nedlægge",)
    assert parts_terms("nedlæggelsen") == [stem_term("nedlægning")]
    # a verb whose only noun is in -else adds nothing: they are one term already
    assert verb_family("godkendelse") == ("godkende",) and stem_term("godkendt") == stem_term("godkendelse")
    assert parts_terms("godkendelsen godkendt") == []


def test_the_families_come_from_the_dictionary() -> None:
    assert verb_nouns("nedlægge") == ("nedlæggelse", "nedlægning")
    assert verb_nouns("dispensere") == ("dispensation",)
    assert verb_family("nedrivning") == ("nedrive",)
    assert verb_family("ansøge") == ("ansøgning",)
    assert verb_family("befordring") == ("befordre",)


@pytest.mark.parametrize("word", ["lige", "rige", "kongekrone", "skolegade"])
def test_a_word_in_e_that_is_no_verb_has_no_family(word: str) -> None:
    """No present participle ("ligende") is listed for them: "ligning" is not the noun of
    "lige", nor "rigning" of "rige"."""
    assert not is_verb(word)
    assert verb_family(word) == ()
    assert verb_partners(word) == ()


def test_the_infinitive_is_read_as_a_verb_where_the_dictionary_misreads_it() -> None:
    """The dictionary gives "dispensere" the lemma "dispenser"; its participle says it is a verb."""
    assert is_verb("dispensere")
    assert verb_partners("dispensere") == ("dispensation",)


@pytest.mark.parametrize(("plural", "noun"), [("parker", "parkering"), ("marker", "markering")])
def test_a_plural_read_as_an_imperative_gets_no_family(plural: str, noun: str) -> None:
    """ "parker" are parks (see ``verbal_noun``): no "parkering" among its parts."""
    assert stem_term(noun) not in parts_terms(plural)


def test_a_simple_word_of_no_family_still_yields_nothing() -> None:
    assert parts_terms("kommunen vedtog budgettet") == []


def test_a_compound_keeps_its_parts_and_adds_only_its_own_family() -> None:
    """A compound's parts are what they were; the parts' own families are not added
    ("vandledning" is no act of leading water)."""
    assert index_parts("nedrivningstilladelse") == ("nedrivning", "tilladelse")
    assert index_parts("vandledning") == ("vand", "ledning")


def test_the_title_parts_hold_no_family() -> None:
    """The title's parts weigh as the title: a partner there would weigh as the typed word."""
    text = "Byhuset nedrives; tilbygningen af rækkehuset"
    titled = [t.text for t in title_parts_analyzer()(text, mode="index")]
    assert stem_term("nedrivning") in parts_terms(text) and stem_term("nedrivning") not in titled
    assert stem_term("tilbygge") in parts_terms(text) and stem_term("tilbygge") not in titled
    assert {stem_term("række"), stem_term("hus")} <= set(titled)  # the compound parts stay


def test_a_query_word_passes_the_parts_analyzer_as_the_main_analysis_makes_it() -> None:
    """The partner is found because a query word meets the parts field as its own term."""
    assert [t.text for t in compound_analyzer()("nedrivning", mode="query")] == [stem_term("nedrivning")]
