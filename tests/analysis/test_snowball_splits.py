"""Forms of one word that plain Snowball stems alike and the lemma path had parted (the "splits" of
``benchmarks/conflation.py``): each row meets, a guard shows Snowball keeping the row's forms
together, and the words each rule must leave apart stay apart."""

from __future__ import annotations

import pytest

from indexer.analysis.danish import snowball_stem, stem_term
from indexer.analysis.lexicon import dictionary_lemma, genitive_of, lemmatise, plural_noun, verbal_noun

# Each row: forms of one word that must share a term; the first two are ones plain Snowball
# stems alike and the lemma path had parted.
SPLITS = [
    # a plural the dictionary names as its definite forms' lemma, whose own chain moves on
    # (forældre → forælder → forælde, the verb "grow outdated")
    ("forældre", "forældrene", "forældres", "forældrenes"),
    # the bare stem of an -ere verb is a noun's plural (the dictionary reads "budgettere")
    ("budgetter", "budgettet", "budget", "budgetterne"),
    # a form the dictionary lists only inside a longer compound (børne → barnebarn): a modifier
    ("børne", "børn", "børnene", "barn"),
    # a genitive the dictionary lacks: the genitive of its form without -s
    ("gamles", "gamle", "gammel", "gammelt"),
    # a present tense in -erer the dictionary reads as a noun's plural ("financiers")
    ("finansierer", "finansieres", "finansiere", "finansieret", "finansiering"),
    ("citerer", "citeres", "citere", "citeret"),
    # a noun in -s: Snowball takes the -s off the bare noun only; a form read under another lemma
    # ("satser" as the verb "satse", "vokser" as the noun "voks") had parted from it
    ("satser", "satsen", "sats", "satserne"),
    ("vokser", "vokse", "vokset", "voksende"),
]


@pytest.mark.parametrize("forms", SPLITS, ids=lambda forms: forms[0])
def test_forms_snowball_kept_together_meet(forms: tuple[str, ...]) -> None:
    terms = {form: stem_term(form) for form in forms}
    assert len(set(terms.values())) == 1, terms


@pytest.mark.parametrize("forms", SPLITS, ids=lambda forms: forms[0])
def test_plain_snowball_kept_the_first_two_together(forms: tuple[str, ...]) -> None:
    """Guards the test above: the first two forms are ones plain Snowball gives one stem."""
    assert snowball_stem(forms[0]) == snowball_stem(forms[1])


def test_the_dictionary_chain_moves_on_from_the_plural() -> None:
    """Why "forældre" is its own lemma: the dictionary names it as its definite forms' lemma,
    then lists it under "forælder", and that under the verb "forælde"."""
    assert lemmatise("forældrene") == "forældre" == dictionary_lemma("forældre")
    assert stem_term("forældre") != stem_term("forældet")  # parents are not outdated
    assert stem_term("vegne") != stem_term("vige")  # "på vegne af" is no form of "vige" (yield)


def test_a_bare_ere_stem_is_read_as_a_plural_only_where_a_noun_is_listed() -> None:
    assert plural_noun("budgetter") == "budget"  # doubled consonant after a short vowel
    assert plural_noun("adresser") == "adresse"  # -r after a noun in -e
    assert plural_noun("marker") == "mark"
    assert plural_noun("moderer") is None  # the stem of "moderere", no plural of "moder"
    # the verb's other forms still meet its noun in -ering, not the noun
    assert verbal_noun("budgettere", "budgetteret") == "budgettering"
    assert stem_term("budgetteret") != stem_term("budgetter")


def test_the_modifier_form_and_the_genitive_leave_known_words_alone() -> None:
    assert stem_term("børne") != stem_term("barnebarn")
    assert genitive_of("dels") is None  # the dictionary lists "dels"
    assert genitive_of("gamles") == "gammel"
    assert genitive_of("movias") is None  # a name's genitive: Snowball's "movia" as before
    assert stem_term("movias") == stem_term("movia") == snowball_stem("movias")


@pytest.mark.parametrize("noun, other", [("lærer", "lærerne"), ("barberer", "barbering")])
def test_only_an_ere_verbs_present_tense_becomes_the_verb(noun: str, other: str) -> None:
    # "lærer" (teacher, learns) has no -ere verb beside it; "barberer" does (barbere)
    assert stem_term(noun) == stem_term(other)


@pytest.mark.parametrize(
    "noun, other",
    [
        ("sats", "sat"),  # a rate is not "set"; plain Snowball joined them
        ("hals", "hal"),
        ("majs", "maj"),
        ("slags", "slag"),
        ("konkurs", "konkurrerer"),
    ],
)
def test_a_noun_in_s_leaves_the_word_without_it(noun: str, other: str) -> None:
    assert snowball_stem(noun) == snowball_stem(other), "a merge plain Snowball makes"
    assert stem_term(noun) != stem_term(other)


@pytest.mark.parametrize("word, stem", [("dels", "del"), ("langs", "lang"), ("jens", "jen"), ("thomas", "thoma")])
def test_an_s_that_is_an_ending_is_taken_off_as_before(word: str, stem: str) -> None:
    """A genitive, an adverb in -s or a name has no definite form in -en/-et under it."""
    assert stem_term(word) == stem == snowball_stem(word)
    assert stem_term("jens") != stem_term("jensen")
