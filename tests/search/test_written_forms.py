"""Everyday abbreviations and national law names typed either way (``query.expand_written_forms``,
the table in ``indexer.analysis.writtenforms``)."""

from __future__ import annotations

import pytest

from indexer.analysis.writtenforms import PARTIES
from indexer.search.query import (
    And,
    Or,
    Phrase,
    Word,
    _form_key,
    _searchable,
    expand_written_forms,
    leaves,
    parse,
    written_form_table,
)
from indexer.search.service import SearchRequest, SearchService


def test_an_abbreviation_typed_is_also_its_word_and_the_word_its_abbreviation() -> None:
    assert expand_written_forms(parse("gl. gørlev")) == And((Or((Word("gl."), Phrase("gammel"))), Word("gørlev")))
    # every inflection of the word is one form: "gammel" alone stands for them
    for typed in ("gamle", "gammelt", "Gammel"):
        assert expand_written_forms(parse(f"{typed} gørlev")) == And(
            (Or((Word(typed), Phrase("gl."))), Word("gørlev"))
        ), typed
    assert expand_written_forms(parse("pkt. U41")) == And((Or((Word("pkt."), Phrase("punkt"))), Word("U41")))
    assert expand_written_forms(parse("punkt U41")) == And((Or((Word("punkt"), Phrase("pkt."))), Word("U41")))
    assert expand_written_forms(parse("hektar")) == Or((Word("hektar"), Phrase("ha")))
    assert expand_written_forms(parse("ha")) == Or((Word("ha"), Phrase("hektar")))
    assert expand_written_forms(parse("stk")) == Or((Word("stk"), Phrase("stykke"))), "the period may be left off"


def test_words_of_an_abbreviation_written_out_are_one_run() -> None:
    typed = And((Word("på"), Word("grund"), Word("af")))
    assert expand_written_forms(parse("på grund af vejarbejde")) == And(
        (Or((typed, Phrase("pga."))), Word("vejarbejde"))
    )
    assert expand_written_forms(parse("for eksempel")) == Or(
        (And((Word("for"), Word("eksempel"))), Phrase("f.eks."), Phrase("f. eks."))
    )
    # stop words are words here: "grund" alone is no "på grund af"
    assert expand_written_forms(parse("grund vejarbejde")) == parse("grund vejarbejde")


def test_an_abbreviation_of_stop_words_and_one_word_is_not_written_out() -> None:
    """The stemmed fields leave stop words out without a gap: "i forhold til" would find every
    item writing "forhold", "det vil sige" every one writing "sige"."""
    for q in ("pga. vejarbejde", "iht.", "mht.", "dvs.", "ift."):
        assert expand_written_forms(parse(q)) == parse(q), q
    # only the abbreviation written with a space
    assert expand_written_forms(parse("f.eks.")) == Or((Word("f.eks."), Phrase("f. eks.")))
    assert expand_written_forms(parse("m.fl.")) == Or((Word("m.fl."), Phrase("m. fl.")))
    # two words that stay two in the index are written out
    assert expand_written_forms(parse("bl.a.")) == Or((Word("bl.a."), Phrase("bl. a."), Phrase("blandt andet")))


def test_a_law_by_its_short_name_is_also_its_title_and_the_title_its_short_name() -> None:
    title = Phrase("lov om kommunernes styrelse")
    assert expand_written_forms(parse("styrelsesloven § 17")) == And(
        (Or((Word("styrelsesloven"), Phrase("kommunestyrelsesloven"), title)), Word("§"), Word("17"))
    )
    typed = And((Word("Lov"), Word("om"), Word("kommunernes"), Word("styrelse")))
    assert expand_written_forms(parse("Lov om kommunernes styrelse § 17")) == And(
        (Or((typed, Phrase("styrelsesloven"), Phrase("kommunestyrelsesloven"))), Word("§"), Word("17"))
    )
    assert expand_written_forms(parse("lov om social service")) == Or(
        (And((Word("lov"), Word("om"), Word("social"), Word("service"))), Phrase("serviceloven"))
    )
    # a title with hyphens and commas typed as the Lovtidende writes it
    dagtilbud = expand_written_forms(parse("lov om dag-, fritids- og klubtilbud"))
    assert isinstance(dagtilbud, Or) and dagtilbud.children[1:] == (Phrase("dagtilbudsloven"),)


def test_an_inflected_law_name_is_the_same_law() -> None:
    for typed in ("styrelseslovens", "Styrelsesloven", "styrelseslov"):
        expanded = expand_written_forms(parse(typed))
        assert expanded == Or((Word(typed), Phrase("kommunestyrelsesloven"), Phrase("lov om kommunernes styrelse")))
    assert expand_written_forms(parse("servicelovens § 85")) == And(
        (Or((Word("servicelovens"), Phrase("lov om social service"))), Word("§"), Word("85"))
    )
    typed = And((Word("loven"), Word("om"), Word("kommunens"), Word("styrelse")))
    assert expand_written_forms(parse("loven om kommunens styrelse")) == Or(
        (typed, Phrase("styrelsesloven"), Phrase("kommunestyrelsesloven"))
    )


def test_a_quoted_phrase_a_field_a_wildcard_and_capitals_are_left_as_typed() -> None:
    for q in ('"gl. gørlev"', '"styrelsesloven"', "titel:styrelsesloven", "styrelseslov*", "GL", "KL", "gørlev"):
        assert expand_written_forms(parse(q)) == parse(q), q
    assert expand_written_forms(parse("kl. 16")) == parse("kl. 16"), '"kl" is KL, Kommunernes Landsforening, too'


def test_every_form_of_the_table_is_found_again_as_itself() -> None:
    """Each form's key (stemmed words, stop words as written) finds the other forms of its group."""
    table = written_form_table()
    assert table[("styrelseslov",)] == ("kommunestyrelsesloven", "lov om kommunernes styrelse")
    assert ("i", "forhold", "til") in table and ("ift",) not in table


def test_a_party_by_its_name_is_also_its_abbreviation_and_the_abbreviation_its_name() -> None:
    sf = Phrase("socialistisk folkeparti")
    assert expand_written_forms(parse("socialistisk folkeparti dieselbiler")) == And(
        (Or((And((Word("socialistisk"), Word("folkeparti"))), Phrase("SF"))), Word("dieselbiler"))
    )
    assert expand_written_forms(parse("SF")) == Or((Word("SF"), sf))
    assert expand_written_forms(parse("sf")) == Or((Word("sf"), sf)), "no Danish word: typed in lower case too"
    assert expand_written_forms(parse("Dansk Folkeparti")) == Or(
        (And((Word("Dansk"), Word("Folkeparti"))), Phrase("DF"))
    )
    # "de radikale" is typed, never looked for: a stop word and one other word
    assert expand_written_forms(parse("RV")) == Or(
        (Word("RV"), Phrase("radikale venstre"), Phrase("det radikale venstre"))
    )
    assert expand_written_forms(parse("KF")) == Or(
        (Word("KF"), Phrase("det konservative folkeparti"), Phrase("konservative folkeparti"))
    )
    assert expand_written_forms(parse("socialdemokraterne")) == Or(
        (Word("socialdemokraterne"), Phrase("socialdemokratiet"))
    )


def test_every_party_of_the_table_is_found_both_ways() -> None:
    """Each form of a party typed (an abbreviation in capitals) finds every other form worth looking
    for: its name, the other names, the abbreviation — the table read both ways."""
    for group in PARTIES:
        for typed in group:
            expanded = expand_written_forms(parse(typed))
            looked_for = {leaf.text for leaf in leaves(expanded) if isinstance(leaf, Phrase)}
            others = {form for form in group if _form_key(form) != _form_key(typed) and _searchable(form)}
            assert looked_for == others, typed


def test_a_party_abbreviation_that_is_a_word_is_read_only_in_capitals() -> None:
    """ "EL" typed in capitals is Enhedslisten; "el" is electricity, "la" a word, and neither is
    looked for where the name is typed (the index, in lower case, would find the word)."""
    assert expand_written_forms(parse("EL forslag")) == And((Or((Word("EL"), Phrase("enhedslisten"))), Word("forslag")))
    assert expand_written_forms(parse("LA")) == Or((Word("LA"), Phrase("liberal alliance")))
    for q in ("el forslag", "la", "enhedslisten", "liberal alliance", "El"):
        assert expand_written_forms(parse(q)) == parse(q), q


@pytest.mark.parametrize(
    "q", ["V", "venstre", "Ø", "A", "B", "C", "I", "O", "alternativet", "ALT", "konservative", "NB"]
)
def test_a_single_letter_and_a_party_name_that_is_a_word_are_left_as_typed(q: str) -> None:
    # a letter on the ballot is also a list item, an annex, a pronoun or a word ("ø"); "venstre" is
    # left, "alternativet" the alternative, "konservative" the adjective; NB is nota bene
    assert expand_written_forms(parse(q)) == parse(q)


def test_runs_and_single_words_may_be_rewritten_apart() -> None:
    both = parse("lov om planlægning punkt 4")
    runs = expand_written_forms(both, words=False)
    assert runs == And(
        (
            Or((And((Word("lov"), Word("om"), Word("planlægning"))), Phrase("planloven"))),
            Word("punkt"),
            Word("4"),
        )
    )
    assert expand_written_forms(runs, runs=False) == expand_written_forms(both)
    assert expand_written_forms(parse("planloven"), words=False) == Word("planloven")


def test_a_word_of_the_table_is_still_part_of_a_compound_typed_apart(demo: SearchService) -> None:
    """The search rewrites one word after the compound joins: "administrations bygning" is still
    also "administrationsbygning", and "administrations" also "adm."."""
    found = set(leaves(demo.query("administrations bygning")))
    assert Word("administrationsbygning") in found and Phrase("adm.") in found
    titled = set(leaves(demo.query("lov om planlægning")))
    assert Phrase("planloven") in titled, "a title's words are read as one before a stop word parts them"


# -- on the demo rows ------------------------------------------------------------------------------


def _ids(demo: SearchService, q: str) -> list[str]:
    """The items holding every word of ``q`` (not those holding most of them, listed after a few)."""
    found = demo.search(SearchRequest(q=q, per_page=100))
    return [r["id"] for r in found.results[: found.partial.whole if found.partial else None]]


def test_on_the_demo_rows_the_old_municipality_typed_in_full_finds_the_item_abbreviating_it(
    demo: SearchService,
) -> None:
    """Kalundborg's item on a private road writes "renoveret af kommunen (og gl. Gørlev kommune)"."""
    (item,) = _ids(demo, '"gl. Gørlev kommune"')
    assert _ids(demo, "gamle gørlev kommune")[0] == item


def test_on_the_demo_rows_a_law_is_found_by_its_short_name_and_its_title(demo: SearchService) -> None:
    """Some items write "styrelsesloven", others "Lov om kommunernes styrelse" (Favrskov's item on the
    Landsbyråd: "Lovgrundlag | Lov om kommunernes styrelse § 17, stk. 4")."""
    titled = set(_ids(demo, '"lov om kommunernes styrelse"'))
    short = set(_ids(demo, '"styrelsesloven"'))
    assert titled - short, "the demo writes the title where it does not write the short name"
    for q in ("styrelsesloven", "styrelseslovens"):
        assert titled | short <= set(_ids(demo, q)), q
    assert titled | short <= set(_ids(demo, "lov om kommunernes styrelse"))
    (landsbyraad,) = _ids(demo, '"Lov om kommunernes styrelse § 17, stk. 4"')
    assert landsbyraad in _ids(demo, "styrelsesloven § 17")


def test_on_the_demo_rows_hectares_are_found_abbreviated(demo: SearchService) -> None:
    hectares = set(_ids(demo, "hektar"))
    assert set(_ids(demo, '"ha"')) <= hectares
    assert len(hectares) > len(_ids(demo, '"hektar"'))
    assert set(_ids(demo, '"hektar"')) <= set(_ids(demo, "ha"))


def test_on_the_demo_rows_a_party_is_found_by_the_name_the_item_does_not_write(demo: SearchService) -> None:
    """The demo rows name parties by their abbreviations ("Forslag SF: Etablering af sommerbypark")
    or by name ("at Enhedslisten De Rød-Grønne ikke går ind for", on a high-rise policy); typed the
    other way, the item is found, and "el" (electricity) is no party."""
    (sommerbypark,) = _ids(demo, '"Forslag SF: Etablering af sommerbypark"')
    assert sommerbypark not in _ids(demo, '"socialistisk folkeparti"')
    assert _ids(demo, "socialistisk folkeparti sommerbypark") == [sommerbypark]
    (hoejhus,) = _ids(demo, '"Enhedslisten De Rød-Grønne" højhuspolitik')
    assert _ids(demo, "EL højhuspolitik") == [hoejhus]
    assert _ids(demo, "el højhuspolitik") == []
