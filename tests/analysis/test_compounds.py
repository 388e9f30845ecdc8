"""Compound parts: "politik" finds "personalepolitikken", "rådhus" never "rådgivning"."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser, QueryParser

from indexer.analysis.compounds import compound_cuts, split_compound
from indexer.analysis.danish import camel_apart, compound_analyzer, compound_parts, danish_analyzer, stem_term
from indexer.analysis.fastterms import term_positions


def index_terms(text: str) -> list[str]:
    return [t.text for t in compound_analyzer()(text, mode="index")]


@pytest.mark.parametrize(
    "query, compound",
    [
        ("politik", "personalepolitikken"),
        ("medier", "mediestrategi"),
        ("vindmøller", "vindmølleplanlægning"),
        ("bestyrelse", "kommunalbestyrelsen"),
        ("plads", "arbejdspladserne"),
        ("sundhed", "sundhedsvæsenet"),
        ("børn", "børnehaveklassen"),
        ("udvalg", "Områdeudvalget"),
        ("sti", "cykelstier"),
        ("hus", "rådhuset"),
        ("strategi", "IT-strategien"),
    ],
)
def test_query_word_meets_a_part(query: str, compound: str) -> None:
    assert stem_term(query.lower()) in index_terms(compound)


@pytest.mark.parametrize(
    "query, word",
    [
        ("rådhus", "rådgivning"),
        ("vej", "vejledning"),
        ("slag", "forslag"),
        ("skud", "tilskud"),
        ("valg", "udvalget"),
        ("skab", "fællesskab"),
        ("hed", "sundhed"),
        ("person", "personalet"),
        ("luder", "konkluderet"),
        ("sone", "personale"),
    ],
)
def test_no_false_part(query: str, word: str) -> None:
    assert stem_term(query) not in index_terms(word)


def test_simple_words_yield_no_parts() -> None:
    text = "Udvalget godkendte indstillingen om kommunen"
    assert all(compound_parts(word.lower()) == () for word in text.split())
    # only the verb family of one of them (tests/analysis/test_verb_families.py)
    assert index_terms(text) == [stem_term("indstille")]


def test_nested_parts_and_linking_morphemes() -> None:
    assert split_compound("vindmølleplanlægning")[:3] == ("vindmølle", "vind", "mølle")
    assert "sundhed" in split_compound("sundhedsvæsenet")  # linking -s-
    assert "arbejde" in split_compound("arbejdspladser")  # arbejd(e)·s·plads
    assert "barn" in split_compound("børnehaveklasse")  # børn·e·have


def test_parts_keep_the_compound_position() -> None:
    tokens = [
        (t.text, t.pos) for t in compound_analyzer()("ny personalepolitik vedtaget", mode="index", positions=True)
    ]
    assert tokens == [(stem_term("personale"), 1), (stem_term("politik"), 1)]


def test_query_mode_passes_words_through() -> None:
    query_terms = [t.text for t in compound_analyzer()("personalepolitik vindmøller", mode="query")]
    assert query_terms == [t.text for t in danish_analyzer()("personalepolitik vindmøller")]


def test_hyphenated_compound_yields_each_piece() -> None:
    parts = compound_parts("børne-ungeudvalget")
    assert parts[0] == "børne"
    assert {"ung", "udvalg"} <= set(parts)


def test_words_joined_by_a_slash_yield_each_piece() -> None:
    # The tokeniser keeps "Kara/Noverens" whole (for numbers such as 12/27845): each name is a part.
    assert compound_parts("kara/noverens") == ("kara", "noverens")
    assert set(index_terms("Ændring af Kara/Noverens vedtægter")) >= {stem_term("kara"), stem_term("noveren")}
    assert compound_parts("12/27845") == ()


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("StautrupÅbo", {"stautrup", "åbo"}),
        ("GudenåSamarbejdet", {"gudenå", "samarbejdet"}),
        ("NaturErhvervstyrelsen", {"natur", "erhvervstyrelsen", "erhverv"}),
        ("eDagsorden", {"dagsorden"}),
        ("VisitVestsjælland", {"visit", "vestsjælland"}),
    ],
)
def test_a_name_with_a_capital_inside_holds_its_words(name: str, parts: set[str]) -> None:
    assert set(index_terms(name)) >= {stem_term(part) for part in parts}
    # the fast indexing path agrees with the analyzer
    assert set(term_positions(name, "parts")) == set(index_terms(name))


@pytest.mark.parametrize(
    ("written", "month", "year"),
    [("30.09.14", "september", "2014"), ("28-02-2014", "februar", "2014"), ("1/3/99", "marts", "1999")],
)
def test_a_date_written_in_digits_holds_its_month_and_year(written: str, month: str, year: str) -> None:
    """ "Budgetopfølgning pr. 30.09.14" is found by "budgetopfølgning september 2014"."""
    assert compound_parts(written) == (month, year)
    terms = index_terms(f"Budgetopfølgning pr. {written}, samlet drift")
    assert {stem_term(month), year} <= set(terms)
    assert set(term_positions(f"pr. {written}", "parts")) == set(index_terms(f"pr. {written}"))


@pytest.mark.parametrize("word", ["3.1.2", "32.01.2014", "12.13.2014", "12/27845", "710-2016-1739", "2014"])
def test_what_is_no_date_holds_no_month(word: str) -> None:
    assert compound_parts(word) == ()


def test_a_number_before_a_hyphen_keeps_its_word_as_a_part() -> None:
    assert compound_parts("12-årig") == ("årig",)


@pytest.mark.parametrize("word", ["KKR", "ØUs", "SFO", "Stautrup", "stautrupåbo"])
def test_a_word_in_capitals_or_with_none_inside_is_not_cut_at_its_case(word: str) -> None:
    assert camel_apart(word) == word


@pytest.mark.parametrize(
    ("compound", "modifier", "head"),
    [
        ("Gellerupbyggeriet", "gellerup", "byggeri"),
        ("Frederiksbjergprocessen", "frederiksbjerg", "proces"),
        ("Frederiksbjerggruppen", "frederiksbjerg", "gruppe"),
        ("Nekseløfærgen", "nekselø", "færge"),
        ("Kalundborgmessen", "kalundborg", "messe"),
    ],
)
def test_a_name_narrowing_a_known_word_is_a_part(compound: str, modifier: str, head: str) -> None:
    # No dictionary knows the name; the long known word it ends in is the head.
    assert split_compound(compound) == (modifier, head)
    assert stem_term(modifier) in index_terms(compound)


@pytest.mark.parametrize("word", ["Rønbækvej", "Hinnerup", "Gellerupparken", "trængelskommisionen", "Nyvangsparken"])
def test_a_name_ending_in_a_short_word_is_not_split_as_one(word: str) -> None:
    # A street or town ending in -vej, -park, -rup is a name, not a kind of road or park.
    assert split_compound(word) == ()


def test_analyzers_pickle() -> None:
    for analyzer in (danish_analyzer(), compound_analyzer()):
        clone = pickle.loads(pickle.dumps(analyzer))
        assert [t.text for t in clone("personalepolitikken", mode="index")] == [
            t.text for t in analyzer("personalepolitikken", mode="index")
        ]


def test_in_a_whoosh_index_exact_form_ranks_above_part() -> None:
    """End to end in a small in-memory index: a part match is found, and ranks
    below a document that has the word itself, when parts weigh less."""
    schema = Schema(
        id=ID(stored=True),
        body=TEXT(analyzer=danish_analyzer(), phrase=True),
        parts=TEXT(analyzer=compound_analyzer(), field_boost=0.3),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for doc_id, text in [
            ("part", "Udkast til ny personalepolitik for kommunens arbejdspladser"),
            ("exact", "Politik for kommunens arbejdspladser, udkast"),
            ("other", "Rådgivning om rådhusets ombygning"),
        ]:
            writer.add_document(id=doc_id, body=text, parts=text)
    with ix.searcher() as searcher:
        parser = MultifieldParser(["body", "parts"], ix.schema)
        hits = [hit["id"] for hit in searcher.search(parser.parse("politik"))]
        assert hits == ["exact", "part"]
        hits = [hit["id"] for hit in searcher.search(parser.parse("rådgivning"))]
        assert hits == ["other"]
        phrase = QueryParser("body", ix.schema).parse('"ny personalepolitik"')
        assert [hit["id"] for hit in searcher.search(phrase)] == ["part"]
        # "rådhus" finds the rådhus item only through its own word, never "Rådgivning".
        assert [hit["id"] for hit in searcher.search(parser.parse("rådhus"))] == ["other"]


def test_short_head_with_a_longer_lemma_is_not_taken() -> None:
    # "svej" is listed under "svejfe"; the split must be fælles + vej.
    assert split_compound("fællesvej") == ("fælles", "vej")
    assert split_compound("faellesvej") == ("fælles", "vej")


@pytest.mark.parametrize(
    "query, compound",
    [
        ("solvarme", "solvarmeanlægget"),
        ("vindmølle", "vindmølleparken"),
        ("fjernvarme", "fjernvarmeforsyningen"),
        ("varmeanlæg", "solvarmeanlæg"),  # and the other way round: the right-hand compound
        ("møllepark", "vindmølleparkerne"),
    ],
)
def test_a_compound_holds_its_compound_modifier_and_head(query: str, compound: str) -> None:
    assert stem_term(query) in index_terms(compound)


@pytest.mark.parametrize(
    "text, query",
    [
        ("bygge- og anlægsarbejder", "byggearbejder"),
        ("social- og sundhedsområdet", "socialområdet"),
        ("Børne- og Ungeudvalget", "børneudvalget"),
        ("vand- og spildevandsplan", "vandplan"),
        ("Skole-, Børne- og Ungeudvalget", "skoleudvalget"),
        ("Skole-, Børne- og Ungeudvalget", "børneudvalget"),
        ("vind- eller solvarmeanlæg", "vindanlæg"),
        ("aktivitets- og samværstilbuddet", "aktivitetstilbud"),
        ("vand- og varmeforsyninger", "vandforsyninger"),
        ("pris- og lønfremskrivning", "prisfremskrivning"),
    ],
)
def test_suspended_compound_is_completed_with_the_last_conjuncts_head(text: str, query: str) -> None:
    assert stem_term(query) in index_terms(text)


@pytest.mark.parametrize(
    "verb, piece",
    [
        ("indeholder", "holde"),  # contains: no holding
        ("fastlægge", "lægge"),
        ("varetager", "vare"),
        ("beskrive", "rive"),  # the cut read besk·rive
        ("bortskaffe", "kaffe"),  # and borte·kaffe
    ],
)
def test_a_verb_is_not_split_into_pieces(verb: str, piece: str) -> None:
    assert split_compound(verb) == ()
    assert stem_term(piece) not in index_terms(verb)


def test_the_noun_of_a_compound_verb_is_still_split() -> None:
    assert "plan" in split_compound("planlægning")
    assert stem_term("plan") in index_terms("planlægningen")


@pytest.mark.parametrize(
    "conjunct, compound, head, not_a_part",
    [
        ("aktivitets", "samværstilbuddet", "tilbuddet", "aktivitetsbuddet"),  # samværstil·buddet: a cut, no part
        ("vand", "varmeforsyninger", "forsyninger", "vandsyninger"),  # varmefor·syninger
        ("vind", "solvarmeanlæg", "anlæg", "vindvarmeanlæg"),  # the shortest head that is a part still wins
    ],
)
def test_the_borrowed_head_is_a_part_of_the_compound(conjunct: str, compound: str, head: str, not_a_part: str) -> None:
    from indexer.analysis.compounds import compound_head

    assert compound_head(compound) == head
    assert stem_term(not_a_part) not in index_terms(f"{conjunct}- og {compound}")


@pytest.mark.parametrize(
    "text",
    [
        "it-strategi og budget",  # a hyphenated word is not a suspended conjunct
        "Teknik- og",  # nothing to borrow a head from
        "bygge- og anlæg",  # "anlæg" is no compound: no head to borrow
    ],
)
def test_no_completion_without_a_compound_to_borrow_from(text: str) -> None:
    from indexer.analysis.danish import suspended_compounds

    assert suspended_compounds(text) == {}


def test_completion_keeps_the_conjuncts_own_terms_and_position() -> None:
    tokens = [(t.text, t.pos) for t in compound_analyzer()("bygge- og anlægsarbejder", mode="index", positions=True)]
    assert (stem_term("byggearbejder"), 0) in tokens
    assert (stem_term("anlæg"), 2) in tokens  # "og" keeps its place (analysis 18; it was 1)


def test_query_words_are_not_completed() -> None:
    """Completion is an index-time expansion: a query keeps the words typed."""
    assert [t.text for t in compound_analyzer()("bygge- og anlægsarbejder", mode="query")] == [
        stem_term("bygge"),
        stem_term("anlægsarbejder"),
    ]


@pytest.mark.parametrize(
    "compound, part, not_part",
    [
        ("parkeringskælderen", "kælder", "skælde"),  # parkering·s·kælder, not parkering + skælde
        ("illustrationstegninger", "tegning", "stegning"),
        ("ledningsejerne", "ejer", "sej"),
        ("vedligeholdelsestilstanden", "tilstand", "stilstand"),
        ("stationsnært", "nær", "snært"),
        ("ungdomsskolen", "skole", "skol"),
    ],
)
def test_the_linking_s_after_a_derivational_ending_belongs_to_the_modifier(
    compound: str, part: str, not_part: str
) -> None:
    """After -else, -hed, -ing, -tion, -sion, -dom, -skab, -tet Danish joins with -s-, so the
    head never begins with that s."""
    parts = split_compound(compound)
    assert part in parts
    assert not_part not in parts
    assert stem_term(part) in index_terms(compound)


@pytest.mark.parametrize(
    "compound, modifier, head",
    [
        ("pseudonymiseringsmetoden", "pseudonymisering", "metode"),
        ("partneringsaftalen", "partnering", "aftale"),
    ],
)
def test_an_unknown_derived_modifier_with_its_linking_s_is_a_part(compound: str, modifier: str, head: str) -> None:
    assert split_compound(compound)[:2] == (modifier, head)


@pytest.mark.parametrize("word", ["sikkerhedsstillelse", "rådgivningen", "bestillingerne", "forhandlingerne"])
def test_a_word_ending_in_a_linking_s_ending_is_not_split_by_the_rule(word: str) -> None:
    """The rule moves a cut; it never makes a compound of a word that is none."""
    assert split_compound(word) == ()


@pytest.mark.parametrize(
    "compound, kept, dropped",
    [
        ("gadebilledet", "billede", "gadebil"),  # gade·billede: "gadebil·ledet" cuts across a part
        ("brugercentret", "center", "brugercent"),  # the head as the dictionary's compounds read it
        ("dispensationsansøgningen", "ansøgning", "dispensationsans"),
        ("cykelparkeringen", "parkering", "cykelpark"),
        ("landsbyfornyelse", "landsby", "landsbyfor"),  # a word of its own on the left is kept
        ("dieselbilerne", "diesel", "dieselbi"),
    ],
)
def test_a_left_hand_compound_is_added_only_where_it_is_one(compound: str, kept: str, dropped: str) -> None:
    parts = split_compound(compound)
    assert kept in parts
    assert dropped not in parts


# Three-part compounds of the demo rows (data/digst/digst-demo.csv; "landsbyfornyelsespulje" is
# how one would name their "Pulje til Landsbyfornyelse") whose modifier or head is a compound itself: the cut falls where the modifier is a word as written ("landsby·fornyelse",
# not "lands·byfornyelse"), and a compound modifier is named by its lemma, without the linking -s-.
@pytest.mark.parametrize(
    ("compound", "parts"),
    [
        ("landsbyfornyelsespulje", ("landsbyfornyelse", "landsby", "fornyelse", "pulje")),
        ("kedelrumsbygningen", ("kedelrum", "kedel", "rum", "bygning")),
        ("klimatilpasningsplanen", ("klima", "tilpasningsplan", "tilpasning", "plan", "klimatilpasning")),
        ("vejklassificeringstyper", ("vejklassificering", "vej", "klassificering", "type")),
        ("jordforsyningsbudgettet", ("jordforsyning", "jord", "forsyning", "budget")),
    ],
)
def test_a_three_part_compound_is_cut_into_its_words(compound: str, parts: tuple[str, ...]) -> None:
    assert split_compound(compound) == parts


@pytest.mark.parametrize(
    ("compound", "kept", "dropped"),
    [
        # the village council is no byråd, diesel cars no elbiler
        ("landsbyrådet", {"landsby", "råd"}, {"byråd"}),
        ("landsbyfornyelse", {"landsby", "fornyelse"}, {"byfornyelse"}),
        ("dieselbilerne", {"diesel", "bil"}, {"elbil"}),
        ("dieselmotorerne", {"diesel", "motor"}, {"elmotor"}),
        # a right-hand compound made of parts found stays a part
        ("fjernvarmeforsyning", {"fjernvarme", "varme", "forsyning", "varmeforsyning"}, set()),
        ("ungdomsskolebestyrelsen", {"ungdomsskole", "ungdom", "skole", "bestyrelse", "skolebestyrelse"}, set()),
        # never a word across a part: vej·strækning holds no "trækning", hus·stand no "tand"
        ("vejstrækningen", {"vej", "strækning"}, {"trækning"}),
        ("husstande", {"hus", "stand"}, {"tand"}),
        # a modifier that needs its linking -s- stays the cut ("stats·tilskud", not "statstil·skud")
        ("statstilskuddet", {"stat", "tilskud"}, {"statstil", "stil", "skud"}),
        ("afvandingstilstanden", {"afvanding", "tilstand"}, {"afvandingstil", "stil"}),
    ],
)
def test_the_cut_prefers_a_modifier_that_is_a_word_as_written(compound: str, kept: set[str], dropped: set[str]) -> None:
    parts = set(split_compound(compound))
    assert kept <= parts
    assert not dropped & parts
    assert {stem_term(part) for part in kept} <= set(index_terms(compound))


def test_a_part_of_a_three_part_compound_finds_it() -> None:
    # "fornyelse" finds "Pulje til Landsbyfornyelse" (Favrskov's items in the demo rows)
    assert stem_term("fornyelse") in index_terms("Pulje til Landsbyfornyelse")
    assert stem_term("landsby") in index_terms("landsbyfornyelsespuljen")


def test_suspended_compounds_are_found_where_the_full_scan_finds_them() -> None:
    # The scan tries the pattern only at the word before a hyphen that ",? whitespace" follows;
    # on real text (Greve's items, the corpus rows) and on edge cases it finds what the pattern
    # tried at every character finds, the same spans and groups.
    from indexer.analysis.danish import _SUSPENDED, _suspended_matches
    from indexer.formats import IngestContext, iter_inputs
    from tests.conftest import CORPUS_CSV

    texts = [
        "bygge- og anlægsarbejder",
        "Skole-, Børne- og Ungeudvalget og social-\nog sundhedsområdet",
        "a-b- og c, x_y- eller z, -- og a, be-  samt  fo, ÆØ- & Åløb",
        "it-strategi og budget- og it- samt",
    ]
    greve = Path(__file__).resolve().parents[1] / "fixtures" / "firstagenda-api" / "greve"
    for path, module in iter_inputs([greve, CORPUS_CSV]):
        assert module is not None
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            for item in meeting.items:
                texts += [item.title, *(s.text for s in item.sections)]
    suspended = [t for t in texts if "- " in t or "-," in t or "-\n" in t]
    assert len(suspended) > 500
    found = 0
    for text in suspended:
        expected = [(m.span(), m.groups()) for m in _SUSPENDED.finditer(text)]
        assert [(m.span(), m.groups()) for m in _suspended_matches(text)] == expected, text
        found += len(expected)
    assert found > 300


# Words from the demo data and the Greve documents: a three-letter word narrowing a head that is
# a dictionary compound of its own.
@pytest.mark.parametrize(
    ("compound", "query", "parts"),
    [
        ("friplejeboliger", "plejeboliger", ("fri", "plejebolig", "pleje", "bolig")),
        ("Friplejehjemmet", "plejehjem", ("fri", "plejehjem", "pleje", "hjem")),
        ("jobværkstedet", "værkstedet", ("job", "værksted", "værk", "sted")),
        ("natvarmestue", "varmestuen", ("nat", "varmestue", "varme", "stue")),
        ("sårsygeplejersker", "sygeplejerske", ("sår", "sygeplejerske", "syge", "plejerske")),
    ],
)
def test_a_short_modifier_of_a_known_compound_is_a_part(compound: str, query: str, parts: tuple[str, ...]) -> None:
    assert split_compound(compound) == parts
    assert stem_term(query) in index_terms(compound)


def test_a_short_modifier_is_found_in_running_text() -> None:
    # Favrskov's byråd, 26 September 2017 (data/digst/digst-demo.csv).
    text = "Byrådet godkendte 1. oktober 2013 de planmæssige forhold omkring placeringen af friplejeboligerne."
    assert stem_term("plejeboliger") in index_terms(text)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("friskole", ()),  # the head is no compound: fri + skole is left to the dictionary
        ("frivillig", ()),
        ("nybyggeri", ()),
        ("biogasanlæg", ("biogas", "anlæg")),  # an ordinary cut exists: not bio + gasanlæg
        ("højhusbyggeriet", ("højhus", "byggeri")),
        ("personalet", ()),  # per + sonale: the rest is no word at all
    ],
)
def test_a_short_modifier_is_taken_only_before_a_known_compound_no_other_cut_explains(
    word: str, parts: tuple[str, ...]
) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    "compound, cuts",
    [
        ("overfladebelægning", [("overflade", "belægning")]),
        # a compound modifier: both ways it may be written apart, the longer modifier first
        ("vindmølleparken", [("vindmølle", "parken"), ("vind", "mølleparken")]),
        ("lokalplanforslaget", [("lokalplan", "forslaget"), ("lokal", "planforslaget")]),
        ("anlægsarbejder", [("anlægs", "arbejder")]),
        # a modifier that is a compound of known words, as the split reads the whole
        ("landsbyfornyelsespulje", [("landsbyfornyelses", "pulje")]),
        ("kedelrumsbygningen", [("kedelrums", "bygningen")]),
        # but no piece across a part ("sandsyn·lighed" of sand·synlighed)
        ("sandsynlighed", [("sand", "synlighed")]),
        ("Byggesag", [("bygge", "sag")]),
        # no cut through a piece that is no word ("lokalplanfors·laget")
        ("kommunalbestyrelsen", [("kommunal", "bestyrelsen")]),
        # a modifier Danish joins with an -s-, written without it: a slip, never a compound apart
        ("udviklingønsker", []),
        # no compounds
        ("beslutning", []),
        ("Frederiksbjerg", []),
        ("Aarhus", []),
    ],
)
def test_the_ways_a_compound_may_be_written_apart(compound: str, cuts: list[tuple[str, str]]) -> None:
    assert list(compound_cuts(compound)) == cuts


def test_a_hyphenated_piece_of_letters_and_digits_is_a_part() -> None:
    """ "CO2-udledningen": "co2 udledning" finds it, as "it-strategi" is found by "strategi"; a number
    is never a part ("12/27845", "1221-2")."""
    assert index_terms("CO2-udledningen") == [stem_term("co2"), stem_term("udledning")]
    assert index_terms("CO2-neutralitet") == [stem_term("co2"), stem_term("neutralitet")]
    assert index_terms("sag 12/27845 og lokalplan 1221-2") == [stem_term("lokal"), stem_term("plan")]
