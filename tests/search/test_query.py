"""The query language parses into our AST: operators, fields, phrases, and never fails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.search.query import (
    JOIN_WEIGHT,
    NEIGHBOUR_SLOP,
    RAISE_WEIGHT,
    SOLID_RAISE,
    And,
    Match,
    Node,
    Not,
    Or,
    Phrase,
    Prefer,
    Word,
    abbreviation_like,
    committee_mentions,
    committee_names,
    expand_bodies,
    expand_committee_names,
    join_split_compounds,
    leaves,
    names_a_body,
    neighbour_pairs,
    parse,
)
from indexer.search.service import SearchRequest, SearchService


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
    assert parse('"sociale medier"') == Phrase("sociale medier", quoted=True)
    assert parse('titel:"sociale medier"') == Phrase("sociale medier", "title", quoted=True)
    assert parse("titel:badebroer") == Word("badebroer", "title")
    assert parse("beslutning:lokaludvalg") == Word("lokaludvalg", "decision")
    assert parse("bilag:rygestop") == Word("rygestop", "attachments")
    assert parse("udvalg:økonomiudvalget") == Word("økonomiudvalget", "committee")
    assert parse("sag:81.00.00-A00-1-22") == Match("case", "81.00.00-a00-1-22")
    assert parse("emne:5") == Match("topic", "05")
    assert parse("titel:(skole budget)") == And((Word("skole", "title"), Word("budget", "title")))
    assert parse("(skole ELLER børn) budget") == And((Or((Word("skole"), Word("børn"))), Word("budget")))
    assert parse("ukendt:ord") == Word("ukendt:ord")


def test_an_abbreviation_raises_its_body_and_excludes_no_other() -> None:
    committees = ["Økonomiudvalget", "Teknik- og Miljøudvalget", "Byrådet"]
    expanded = expand_bodies(parse("ØU budget"), committees)
    # The word as typed raises as any word does; the body it names weighs RAISE_WEIGHT.
    assert expanded == Prefer(Prefer(Word("budget"), Word("ØU")), Match("committee", "Økonomiudvalget"), RAISE_WEIGHT)
    two = expand_bodies(parse("ØU TMU budget"), committees)
    assert two == Prefer(
        Prefer(Word("budget"), Or((Word("ØU"), Word("TMU")))),
        Or((Match("committee", "Økonomiudvalget"), Match("committee", "Teknik- og Miljøudvalget"))),
        RAISE_WEIGHT,
    )
    # A word that names no body, or a body's word inside quotes, is left as it is.
    assert expand_bodies(parse('"ØU budget"'), committees) == parse('"ØU budget"')
    assert expand_bodies(parse("budget"), committees) == Word("budget")
    # Alone the abbreviation is what is searched for: that body's items.
    assert expand_bodies(parse("ØU"), committees) == Or((Word("ØU"), Match("committee", "Økonomiudvalget")))
    alone_but_not = expand_bodies(parse("ØU IKKE budget"), committees)
    assert isinstance(alone_but_not, And) and isinstance(alone_but_not.children[1], Not)
    # Asked for with udvalg:, the body is required; so is a council word (a word of the text too).
    required = expand_bodies(parse("udvalg:TMU badebroer"), committees)
    assert isinstance(required, And)
    assert Or((Word("TMU", "committee"), Match("committee", "Teknik- og Miljøudvalget"))) in required.children
    council = expand_bodies(parse("byrådet budget"), committees)
    assert isinstance(council, And) and Match("committee", "Byrådet") in council.children[0].children  # type: ignore[union-attr]
    # Capitals that name no body stay a required word.
    assert expand_bodies(parse("EU budget"), committees) == And((Word("EU"), Word("budget")))
    # Typed without å ("byraadet", "udvalg:byraad"), the council word names the same bodies.
    typed_aa = expand_bodies(parse("byraadet budget"), committees)
    assert isinstance(typed_aa, And) and Match("committee", "Byrådet") in typed_aa.children[0].children  # type: ignore[union-attr]
    for council_word in ("udvalg:byråd", "udvalg:byraad"):
        found = expand_bodies(parse(council_word), committees)
        assert isinstance(found, Or) and Match("committee", "Byrådet") in found.children, council_word


def test_an_abbreviation_typed_in_lower_case_raises_its_body_as_in_capitals() -> None:
    committees = ["Økonomiudvalget", "Teknik- og Miljøudvalget", "Byrådet", "Kommunalbestyrelsen"]
    # People type "øu budget", "tm-u", "kb": no Danish word, so the body's abbreviation.
    assert expand_bodies(parse("øu budget"), committees) == Prefer(
        Prefer(Word("budget"), Word("øu")), Match("committee", "Økonomiudvalget"), RAISE_WEIGHT
    )
    tmu = expand_bodies(parse("tm-u tang"), committees)
    assert tmu == Prefer(
        Prefer(Word("tang"), Word("tm-u")), Match("committee", "Teknik- og Miljøudvalget"), RAISE_WEIGHT
    )
    kb = expand_bodies(parse("kb lokalplan"), committees)
    assert isinstance(kb, Prefer) and kb.optional == Match("committee", "Kommunalbestyrelsen")
    assert expand_bodies(parse("tmu"), committees) == Or((Word("tmu"), Match("committee", "Teknik- og Miljøudvalget")))
    assert names_a_body(parse("øu budget")) and not names_a_body(parse("grøn by"))
    # A Danish word stays a required word, even one that spells an abbreviation ("by": BY, Byrådet).
    assert expand_bodies(parse("grøn by"), committees) == And((Word("grøn"), Word("by")))
    assert expand_bodies(parse("by budget"), committees) == And((Word("by"), Word("budget")))
    # A lower-case non-word that names no body stays required too.
    assert expand_bodies(parse("xq budget"), committees) == And((Word("xq"), Word("budget")))


COMMITTEES = [
    "Teknik- og Miljøudvalget",
    "Teknisk Udvalg",
    "Økonomiudvalget",
    "Børne- og Ungeudvalget",
    "Sundheds- og Forebyggelsesudvalget",
    "Udvalget for plan, udvikling og kultur (PUK)",
    "Aarhus Byråd",
    "Byråd",
    "Kommunalbestyrelsen",
]


def _raised(rest: Node, typed: Node, *committees: str) -> Prefer:
    """What a committee named beside other words becomes: the rest required, the words as typed
    raising as any word does, the committees by RAISE_WEIGHT."""
    bodies = [Match("committee", c) for c in committees]
    return Prefer(Prefer(rest, typed), bodies[0] if len(bodies) == 1 else Or(tuple(bodies)), RAISE_WEIGHT)


def test_a_committee_named_in_words_raises_its_items_as_its_abbreviation_does() -> None:
    names = committee_names(COMMITTEES)
    tmu = Word("teknik-"), Word("og"), Word("miljøudvalget")
    assert expand_committee_names(parse("teknik- og miljøudvalget vindmøller"), names) == _raised(
        Word("vindmøller"), And(tmu), "Teknik- og Miljøudvalget"
    )
    # The name anywhere in the query; the rest stays required as typed.
    assert expand_committee_names(parse("vindmøller ved kysten teknik- og miljøudvalget"), names) == _raised(
        And((Word("vindmøller"), Word("ved"), Word("kysten"))), And(tmu), "Teknik- og Miljøudvalget"
    )
    # Inflection, the genitive, "udvalg"/"udvalget" typed apart, a name typed without its
    # suspended hyphen or in the plain letters, are the same name.
    for typed in (
        "teknik og miljøudvalgets",
        "teknik og miljø udvalget",
        "teknik- og miljøudvalg",
        "Teknik- og Miljøudvalget",
        "teknik og miljoeudvalget",
    ):
        expanded = expand_committee_names(parse(f"{typed} vindmøller"), names)
        assert isinstance(expanded, Prefer) and expanded.optional == Match("committee", "Teknik- og Miljøudvalget")
        assert expanded.required == Prefer(Word("vindmøller"), parse(typed)), typed
    for typed, committee in (
        ("teknisk udvalg", "Teknisk Udvalg"),
        ("teknisk udvalgs", "Teknisk Udvalg"),
        ("tekniske udvalg", "Teknisk Udvalg"),
        ("økonomiudvalget", "Økonomiudvalget"),
        ("økonomiudvalgets", "Økonomiudvalget"),
        ("økonomi udvalget", "Økonomiudvalget"),
        ("børne- og ungeudvalget", "Børne- og Ungeudvalget"),
        ("børne og unge udvalget", "Børne- og Ungeudvalget"),
        ("sundheds- og forebyggelsesudvalget", "Sundheds- og Forebyggelsesudvalget"),
        ("udvalget for plan, udvikling og kultur", "Udvalget for plan, udvikling og kultur (PUK)"),
        ("aarhus byråd", "Aarhus Byråd"),
        ("aarhus byrådets", "Aarhus Byråd"),
    ):
        assert expand_committee_names(parse(f"{typed} budget"), names) == _raised(
            Word("budget"), parse(typed), committee
        ), typed
    # Two names: both raise; a name ending in its body word is whole, "og" after it joins no more.
    assert expand_committee_names(parse("økonomiudvalget teknisk udvalg budget"), names) == Prefer(
        Prefer(Word("budget"), Or((Word("økonomiudvalget"), parse("teknisk udvalg")))),
        Or((Match("committee", "Økonomiudvalget"), Match("committee", "Teknisk Udvalg"))),
        RAISE_WEIGHT,
    )
    assert expand_committee_names(parse("økonomiudvalget og teknisk udvalg budget"), names) == Prefer(
        Prefer(And((Word("og"), Word("budget"))), Or((Word("økonomiudvalget"), parse("teknisk udvalg")))),
        Or((Match("committee", "Økonomiudvalget"), Match("committee", "Teknisk Udvalg"))),
        RAISE_WEIGHT,
    )


def _body(typed: Node, committee: str) -> Prefer:
    """A committee's name alone: the items writing it or the committee's, the committee's first."""
    return Prefer(Or((typed, Match("committee", committee))), Match("committee", committee), RAISE_WEIGHT)


def test_a_committee_name_alone_searches_for_the_body() -> None:
    names = committee_names(COMMITTEES)
    assert expand_committee_names(parse("økonomiudvalget"), names) == _body(Word("økonomiudvalget"), "Økonomiudvalget")
    assert expand_committee_names(parse("teknisk udvalg"), names) == _body(parse("teknisk udvalg"), "Teknisk Udvalg")
    # Beside stop words and excluded words too, as "ØU IKKE budget".
    assert expand_committee_names(parse("økonomiudvalget IKKE budget"), names) == And(
        (_body(Word("økonomiudvalget"), "Økonomiudvalget"), Not(Word("budget")))
    )
    assert expand_committee_names(parse("i teknisk udvalg"), names) == And(
        (_body(parse("teknisk udvalg"), "Teknisk Udvalg"), Word("i"))
    )
    # Excluded, the body's items and the items naming it are left out; an Or's side alone is searched.
    assert expand_committee_names(parse("vindmøller IKKE økonomiudvalget"), names) == And(
        (Word("vindmøller"), Not(_body(Word("økonomiudvalget"), "Økonomiudvalget")))
    )
    assert expand_committee_names(parse("(teknisk udvalg) ELLER budget"), names) == Or(
        (_body(parse("teknisk udvalg"), "Teknisk Udvalg"), Word("budget"))
    )


def test_words_that_only_belong_to_a_name_stay_subject_words() -> None:
    names = committee_names(COMMITTEES)
    for typed in (
        "økonomi budget",  # one word of a name, without its body word: a subject
        "miljø vindmøller",
        "teknik budget",
        "teknisk budget",
        "udvalget budget",  # a body word alone names every committee
        "byrådet budget",  # the council: expand_bodies reads it
        "kommunalbestyrelsen budget",
        "børn budget",
        "social- og sundhedsudvalg frikommune",  # part of a name no committee's
        "teknik og økonomiudvalget budget",  # a name continued by "og": another, longer one
        "udvalget for plan budget",
        "planudvalg budget",  # no compound of "Udvalget for plan, udvikling og kultur"
        "miljørådet budget",  # a council, not a committee's "udvalg"
        "miljø budget",
        "teknik, miljø og kultur budget",  # part of a longer name
        "teknik og miljø og kultur",
        "teknik og miljø vindmøller",  # a name's words without its body word: a subject
        "børn og unge budget",
        "miljø og teknisk udvalg budget",
        '"teknisk udvalg" budget',  # quoted: these words, in this order
        "udvalg:teknisk budget",  # a field
        "tekn* udvalg budget",  # a wildcard
    ):
        assert expand_committee_names(parse(typed), names) == parse(typed), typed
        assert committee_mentions(parse(typed), names) == [], typed
    # A name and a body word beside it: the name, then the body word as typed.
    assert expand_committee_names(parse("teknisk udvalg byrådet"), names) == _raised(
        Word("byrådet"), parse("teknisk udvalg"), "Teknisk Udvalg"
    )
    assert expand_committee_names(None, names) is None
    assert expand_committee_names(parse("teknisk udvalg"), committee_names([])) == parse("teknisk udvalg")


def test_one_part_of_a_coordinated_name_with_udvalg_names_its_committee_when_it_is_the_only_one() -> None:
    """ "Teknik- og Miljøudvalget" is "teknikudvalget og miljøudvalget" with the head written
    once: "miljøudvalget" and "teknikudvalget" are its own words, and raise it as its full name
    does.  Before, a part named nothing and was a word every item had to hold."""
    names = committee_names(COMMITTEES)
    for typed, committee in (
        ("miljøudvalget", "Teknik- og Miljøudvalget"),
        ("teknikudvalgets", "Teknik- og Miljøudvalget"),
        ("miljø udvalget", "Teknik- og Miljøudvalget"),
        ("børneudvalget", "Børne- og Ungeudvalget"),
        ("ungeudvalg", "Børne- og Ungeudvalget"),
        ("sundhedsudvalget", "Sundheds- og Forebyggelsesudvalget"),
    ):
        assert expand_committee_names(parse(f"{typed} vindmøller"), names) == _raised(
            Word("vindmøller"), parse(typed), committee
        ), typed
        assert expand_committee_names(parse(typed), names) == _body(parse(typed), committee), typed
        assert committee_mentions(parse(f"vindmøller {typed}"), names) == [tuple(leaves(parse(typed)))]
    # A part of two committees' names stays a subject word; a committee so named is that one.
    two = committee_names([*COMMITTEES, "Klima- og Miljøudvalget"])
    assert expand_committee_names(parse("miljøudvalget vindmøller"), two) == parse("miljøudvalget vindmøller")
    assert expand_committee_names(parse("klimaudvalget vindmøller"), two) == _raised(
        Word("vindmøller"), Word("klimaudvalget"), "Klima- og Miljøudvalget"
    )
    own = committee_names([*COMMITTEES, "Miljøudvalget"])
    assert expand_committee_names(parse("miljøudvalget vindmøller"), own) == _raised(
        Word("vindmøller"), Word("miljøudvalget"), "Miljøudvalget"
    )
    # One committee spelt two ways is one.
    spelt = committee_names([*COMMITTEES, "Teknik og Miljøudvalget"])
    assert expand_committee_names(parse("miljøudvalget vindmøller"), spelt) == _raised(
        Word("vindmøller"), Word("miljøudvalget"), "Teknik- og Miljøudvalget", "Teknik og Miljøudvalget"
    )


def test_a_name_without_its_body_word_names_only_a_committee_named_so() -> None:
    """ "børn og unge" is a subject ("Budgetforslag Børn og Unge") far more often than a way of
    writing Børne- og Ungeudvalget: it raises only a committee whose name is those words.  Before,
    every pair of a name's words without "udvalg" was read as the committee and no longer required."""
    bare = committee_names([*COMMITTEES, "Børn og Unge", "Kultur og Fritid"])
    assert expand_committee_names(parse("børn og unge budget"), bare) == _raised(
        Word("budget"), parse("børn og unge"), "Børn og Unge"
    )
    assert expand_committee_names(parse("kultur og fritid"), bare) == _body(
        parse("kultur og fritid"), "Kultur og Fritid"
    )
    for typed in ("teknik og miljø vindmøller", "børn og unge budget", "kultur og fritid"):
        assert expand_committee_names(parse(typed), committee_names(COMMITTEES)) == parse(typed), typed
    # with its body word, the pair is the committee
    assert expand_committee_names(parse("børn og unge udvalget budget"), bare) == _raised(
        Word("budget"), parse("børn og unge udvalget"), "Børne- og Ungeudvalget", "Børn og Unge"
    )


def test_a_name_of_one_word_of_its_own_names_its_committee() -> None:
    """ "Mødesystemgruppen" is no word of the language: typed alone or among other words it names
    that committee, as a name with its body word does ("eventuelt mødesystemgruppen oktober 2016"),
    in any spelling the analysis meets ("moedesystemgruppen").  A committee named by a word of the
    language ("Direktionen", "Styregruppen") leaves the word a subject word, as before."""
    names = committee_names([*COMMITTEES, "Mødesystemgruppen", "Direktionen", "Styregruppen"])
    for typed in ("mødesystemgruppen", "moedesystemgruppen", "mødesystemgruppens"):
        assert expand_committee_names(parse(f"{typed} getorganized"), names) == _raised(
            Word("getorganized"), Word(typed), "Mødesystemgruppen"
        ), typed
    for typed in ("direktionen budget", "styregruppen budget", "budget"):
        assert expand_committee_names(parse(typed), names) == parse(typed), typed


def test_the_words_naming_a_committee_are_found_as_typed() -> None:
    names = committee_names(COMMITTEES)
    typed = parse("teknik- og miljøudvalget parkeringspladser teknisk udvalgs")
    assert committee_mentions(typed, names) == [
        (Word("teknik-"), Word("og"), Word("miljøudvalget")),
        (Word("teknisk"), Word("udvalgs")),
    ]
    assert committee_mentions(parse("økonomiudvalget"), names) == [(Word("økonomiudvalget"),)]


def test_which_words_may_be_abbreviations() -> None:
    for word in ("TMU", "ØU", "tmu", "øu", "øk", "tm-u", "ss-u", "kb", "kkr"):
        assert abbreviation_like(word), word
    for word in ("by", "med", "budget", "skema", "Budget", "AND", "TO", "nr.", "t", "abcdef"):
        assert not abbreviation_like(word), word


def test_neighbouring_words_are_also_tried_as_one_compound() -> None:
    two = Or((And((Word("bolig"), Word("grunde"))), Word("boliggrunde")))
    assert join_split_compounds(parse("bolig grunde")) == Prefer(two, Word("boliggrunde"), JOIN_WEIGHT)
    three = join_split_compounds(parse("drikkevands forsyning plan"))
    joined = (And((Word("drikkevandsforsyning"), Word("plan"))), And((Word("drikkevands"), Word("forsyningplan"))))
    assert three == Prefer(
        Or((And((Word("drikkevands"), Word("forsyning"), Word("plan"))), *joined)), Or(joined), JOIN_WEIGHT
    )
    # Stop words, abbreviations in capitals, fields, phrases and operators' groups are not joined.
    assert join_split_compounds(parse("planer for skolen")) == parse("planer for skolen")
    assert join_split_compounds(parse("TMU vintertjeneste")) == parse("TMU vintertjeneste")
    assert join_split_compounds(parse('titel:(skole budget) "sociale medier"')) == parse(
        'titel:(skole budget) "sociale medier"'
    )
    assert join_split_compounds(parse("skole ELLER budget")) == parse("skole ELLER budget")
    assert join_split_compounds(parse("budget")) == Word("budget")
    assert join_split_compounds(None) is None


def test_a_house_number_and_its_letter_typed_apart_are_also_tried_as_one() -> None:
    """ "grønnegade 77 b": the minutes write "Grønnegade 77B", one token in the index."""
    number = Or((And((Word("77"), Word("b"))), Word("77b")))
    assert join_split_compounds(parse("grønnegade 77 b ombygning")) == And(
        (Word("grønnegade"), number, Word("ombygning"))
    )
    assert join_split_compounds(parse("77 B")) == Or((And((Word("77"), Word("B"))), Word("77B")))
    # a letter word after a number, a long number, a number in a field: as typed
    for typed in ("punkt 3 af 5", "12345 b", "titel:77 b"):
        assert join_split_compounds(parse(typed)) == parse(typed), typed


def test_on_the_demo_rows_a_house_number_typed_apart_finds_the_address_written_whole(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="grønnegade 77 b"))
    assert response.results[0]["title"] == "Ombygning - Grønnegade 77B"
    assert response.partial is None or response.partial.whole >= 1


def test_a_compound_written_with_a_hyphen_is_also_tried_solid_and_apart() -> None:
    written = Or((Word("affalds-plan"), Word("affaldsplan")))
    tried = Prefer(Or((*written.children, Phrase("affalds plan"))), written, SOLID_RAISE)
    assert join_split_compounds(parse("affalds-plan")) == tried
    assert join_split_compounds(parse("ny affalds-plan")) == And((Word("ny"), tried))
    # its neighbours are raised as the minutes write them, the compound solid
    assert neighbour_pairs(parse("ny affalds-plan")) == [Phrase("ny affaldsplan", slop=NEIGHBOUR_SLOP)]
    # Abbreviations, numbers, capitals and fields stay as typed.
    for typed in ("tm-u tang", "12-2017", "SAINT-GOBAIN", "titel:affalds-plan"):
        assert join_split_compounds(parse(typed)) == parse(typed), typed


@given(st.text(max_size=80))
def test_any_text_parses(text: str) -> None:
    parse(text)
    parse(text.replace("a", " AND ").replace("e", " IKKE ").replace("o", '"').replace("i", "("))
