"""Inflected forms meet: the analysis pipeline word by word."""

from __future__ import annotations

import pytest

from indexer.analysis.danish import analyse, danish_analyzer, fold, snowball_analyzer, snowball_stem, stem_term
from indexer.analysis.lexicon import (
    dictionary_lemma,
    lemmatise,
    linking_s_variant,
    normalise_variant,
    restore_danish_letters,
    verbal_noun,
)

# Each row: forms a caseworker may type for the same word; Snowball alone splits them.
SNOWBALL_MISSES = [
    ("arbejdsplads", "arbejdspladser", "arbejdspladsen", "arbejdspladserne"),
    ("indsats", "indsatsen", "indsatser"),
    ("konsekvens", "konsekvenser", "konsekvenserne"),
    ("mulighed", "muligheder", "mulighederne"),
    ("dagsorden", "dagsordenen"),
    ("kapacitet", "kapaciteten"),
    ("sundhedsvæsen", "sundhedsvæsenet"),
    ("virksomhed", "virksomheder", "virksomhedernes"),
    ("barn", "børn", "børnene"),
    ("regel", "regler", "reglerne"),
]


@pytest.mark.parametrize("forms", SNOWBALL_MISSES, ids=lambda forms: forms[0])
def test_forms_share_one_term(forms: tuple[str, ...]) -> None:
    terms = {stem_term(form) for form in forms}
    assert len(terms) == 1, dict(zip(forms, map(stem_term, forms), strict=True))


@pytest.mark.parametrize("forms", SNOWBALL_MISSES[:8], ids=lambda forms: forms[0])
def test_snowball_alone_did_split_them(forms: tuple[str, ...]) -> None:
    """Guards the test above: these really are cases the baseline gets wrong."""
    assert len({snowball_stem(form) for form in forms}) > 1


@pytest.mark.parametrize(
    "left, right",
    [
        ("rådhus", "rådgivning"),
        ("bedre", "god"),  # suppletive comparative: no lemma jump across stems
        ("dør", "dø"),  # "door" is not a form of "to die"
        ("politik", "politi"),
        ("kommune", "kommunal"),
        ("lov", "lokal"),
    ],
)
def test_distinct_words_stay_apart(left: str, right: str) -> None:
    assert stem_term(left) != stem_term(right)


def test_unknown_compound_is_lemmatised_through_its_head() -> None:
    # "mediestrategien" is not in the dictionary; its head "strategien" is.
    assert dictionary_lemma("mediestrategien") is None
    assert lemmatise("mediestrategien") == "mediestrategi"
    assert stem_term("mediestrategien") == stem_term("mediestrategi")


def test_spelling_variants_meet() -> None:
    assert normalise_variant("retningslinier") == "retningslinjer"
    assert stem_term("retningslinier") == stem_term("retningslinjer") == stem_term("retningslinje")
    assert stem_term("tidslinien") == stem_term("tidslinje")
    assert stem_term("e-mail") == stem_term("email")


def test_abbreviations_meet_their_words() -> None:
    assert analyse("3,5 mio. kr. svarende til 12 pct.") == analyse("3,5 millioner kroner svarende til 12 procent")
    assert stem_term("evt") == stem_term("eventuelt")


def test_folding_still_applies() -> None:
    assert analyse("Århus Grenå Søndergård") == analyse("Aarhus Grenaa Soendergaard")


def test_analyzer_terms_on_seed_sentence(seed_text: str) -> None:
    """The seed item speaks of "arbejdspladser" and "indsatsen"/"indsatser": the
    singular a caseworker types must be among the item's terms."""
    terms = set(analyse(seed_text))
    for query in ("arbejdsplads", "indsats", "dagsorden", "konsekvens", "sammenhæng", "guide"):
        assert stem_term(query) in terms, query
    baseline = {t.text for t in snowball_analyzer()(seed_text)}
    assert snowball_stem("arbejdsplads") not in baseline  # the baseline missed it


def test_numbers_and_short_words_pass_through() -> None:
    assert analyse("§ 17, stk. 4 i lov nr. 1234") == ["paragraf", "17", "stk", "4", "lov", "nr", "1234"]
    assert [t.text for t in danish_analyzer()("12/27845")] == ["12/27845"]


@pytest.mark.parametrize(
    ("typed", "danish"),
    [("faellesvej", "fællesvej"), ("loebende", "løbende"), ("moeder", "møder"), ("aeldrepleje", "ældrepleje")],
)
def test_words_typed_with_aa_ae_oe_meet_their_danish_spelling(typed: str, danish: str) -> None:
    assert stem_term(typed) == stem_term(danish)


def test_restoring_letters_leaves_known_words_alone() -> None:
    from indexer.analysis.lexicon import restore_danish_letters

    assert restore_danish_letters("faellesvej") == "fællesvej"
    assert restore_danish_letters("poesi") == "poesi"  # a word as typed
    assert restore_danish_letters("michael") == "michael"  # no Danish spelling known


@pytest.mark.parametrize(
    ("typed", "danish"),
    [
        ("roesnaes", "Røsnæs"),  # Snowball strips the -es of one and not the -s after æ
        ("toemmerup", "Tømmerup"),
        ("stautrupaabo", "StautrupÅbo"),
        ("nekseloefaergen", "Nekseløfærgen"),
        ("maaloevgaard", "Måløvgård"),
    ],
)
def test_a_name_typed_with_aa_ae_oe_meets_the_name_in_the_minutes(typed: str, danish: str) -> None:
    """Names the dictionary lacks are stemmed as spelt with å/æ/ø, on both sides."""
    assert stem_term(typed) == stem_term(danish.lower())


def test_snowball_alone_kept_a_name_typed_with_digraphs_apart() -> None:
    from indexer.analysis.danish import danish_spelling, fold

    assert fold(snowball_stem("roesnaes")) != fold(snowball_stem("røsnæs"))  # why the rule exists
    assert danish_spelling("roesnaes") == "røsnæs"
    assert danish_spelling("faellesvej") == restore_danish_letters("faellesvej") == "fællesvej"  # as before
    assert danish_spelling("poesi") == "poesi"  # a word as typed
    assert danish_spelling("røsnæs") == "røsnæs"  # real letters: untouched


# A verb in -ere and its noun in -ering: one act, written either way ("renoveringen af kajen",
# "kajen renoveres").  Each row: the noun's forms, then the verb's.
VERBAL_NOUNS = [
    ("renovering", "renoveringen", "renovere", "renoveres", "renoveret", "renoverede"),
    ("etablering", "etableringen", "etablere", "etableres", "etableret"),
    ("vurdering", "vurderingen", "vurdere", "vurderer", "vurderes", "vurderet"),
    ("prioritering", "prioriteringen", "prioritere", "prioriteret", "prioriterede"),
    ("placering", "placeringen", "placere", "placeres", "placeret"),
]


@pytest.mark.parametrize("forms", VERBAL_NOUNS, ids=lambda forms: forms[0])
def test_an_ere_verb_meets_its_ering_noun(forms: tuple[str, ...]) -> None:
    assert len({stem_term(form) for form in forms}) == 1, {f: stem_term(f) for f in forms}
    assert len({snowball_stem(form) for form in forms}) > 1, "a case plain Snowball gets wrong"


@pytest.mark.parametrize(
    "verb_form, other",
    [("parkeret", "parken"), ("sorteret", "sorte"), ("håndteres", "hånd"), ("projekteret", "projektet")],
)
def test_a_verb_leaves_the_word_snowball_cut_it_down_to(verb_form: str, other: str) -> None:
    """Snowball stems "parkere" to "park", as "parken"; through its noun the verb stays with parking."""
    assert snowball_stem(verb_form) == snowball_stem(other)
    assert stem_term(verb_form) != stem_term(other)
    assert stem_term(verb_form).endswith("ering")


@pytest.mark.parametrize("word", ["mere", "flere", "diskutere", "fungere", "eksistere"])
def test_a_word_without_an_ering_noun_is_left_alone(word: str) -> None:
    """No noun in -ering as a lemma of its own ("diskussion" is the noun of "diskutere")."""
    assert verbal_noun(word) == word
    assert stem_term(word) == snowball_stem(lemmatise(word))


@pytest.mark.parametrize(("plural", "singular"), [("parker", "parken"), ("marker", "mark")])
def test_a_plural_that_looks_like_an_imperative_stays_a_noun(plural: str, singular: str) -> None:
    """The dictionary reads "parker" as "parkere"'s imperative; in minutes it is the parks."""
    assert lemmatise(plural).endswith("ere")
    assert stem_term(plural) == stem_term(singular)
    assert not stem_term(plural).endswith("ering")


# A verb whose infinitive ends in -ende, with its forms and its noun in -else: Snowball takes -ende
# off the infinitive as a participle's ending ("godk"), the other forms keep "-end".
ENDE_VERBS = [
    ("godkende", "godkender", "godkendes", "godkendt", "godkendte", "godkendelse", "godkendelsen"),
    ("anvende", "anvender", "anvendes", "anvendt", "anvendelse", "anvendelsen"),
    ("fremsende", "fremsender", "fremsendt", "fremsendelse"),
    ("henvende", "henvender", "henvendt", "henvendelse", "henvendelser"),
    ("anerkende", "anerkender", "anerkendt", "anerkendelse"),
]


@pytest.mark.parametrize("forms", ENDE_VERBS, ids=lambda forms: forms[0])
def test_an_ende_verb_meets_its_forms_and_its_else_noun(forms: tuple[str, ...]) -> None:
    assert len({stem_term(form) for form in forms}) == 1, {f: stem_term(f) for f in forms}
    assert snowball_stem(forms[0]) != snowball_stem(forms[3]), "a case plain Snowball gets wrong"


@pytest.mark.parametrize("adjective", ["nuværende", "afgørende", "tilsvarende", "ovenstående", "pårørende"])
def test_an_adjective_in_ende_is_stemmed_as_before(adjective: str) -> None:
    """No past participle in -endt under it: a participle used as an adjective, not a verb in -ende."""
    assert stem_term(adjective) == fold(snowball_stem(lemmatise(adjective)))


# A Latin noun in -ium inflects and compounds on its stem in -i-, and Danish also writes the
# singular in -ie; the dictionary lists those -ie words as lemmas of their own.
LATIN_IUM_FORMS = [
    ("kriterium", "kriterie", "kriteriet", "kriterier", "kriterierne"),
    ("scenarium", "scenarie", "scenariet", "scenarier", "scenarierne"),
    ("studium", "studie", "studiet", "studier"),
    ("stadium", "stadie", "stadiet", "stadier"),
    ("medium", "medie", "mediet", "medier", "media"),
    ("kommissorium", "kommissorie", "kommissoriet", "kommissorier"),
    ("gymnasium", "gymnasie", "gymnasiet", "gymnasier"),
    ("ministerium", "ministerie", "ministeriet", "ministeriets"),
    ("tildelingskriterium", "tildelingskriterie", "tildelingskriterierne"),  # a compound through its head
]


@pytest.mark.parametrize("forms", LATIN_IUM_FORMS, ids=lambda forms: forms[0])
def test_a_latin_ium_noun_meets_its_ie_forms(forms: tuple[str, ...]) -> None:
    terms = {stem_term(form) for form in forms}
    assert terms == {stem_term(forms[0])}, dict(zip(forms, map(stem_term, forms), strict=True))
    assert stem_term(forms[0]) == forms[0][:-2]


def test_the_lexicon_alone_kept_the_ie_singular_apart() -> None:
    """Guards the test above: the dictionary gives "kriterie" and "studie" lemmas of their own."""
    assert lemmatise("kriterie") == "kriterie" and lemmatise("kriterier") == "kriterium"
    assert lemmatise("studie") == "studie" and lemmatise("studier") == "studium"


def test_the_ie_forms_meet_the_ium_forms_in_running_text() -> None:
    # Greve's Økonomiudvalget, 19 June 2023 (tests/fixtures/firstagenda-api/greve/): an attachment title.
    assert stem_term("mulighedsstudiet") in analyse("Samling af Tune Skole - uddybet beskrivelse af mulighedsstudie")
    # The corpus rows (tests/fixtures/corpus/digst-sample.csv).
    assert stem_term("kriterie") in analyse("i forhold til puljens kriterier om cykling til skole")
    assert stem_term("scenarie") in analyse("set mulighed for følgende 3 scenarier")


@pytest.mark.parametrize(
    "left, right",
    [
        ("ministeriet", "ministeren"),  # the ministry is not the minister
        ("seminariet", "seminaret"),  # seminarium and seminar are two words
        ("kollegiet", "kollegaen"),
        ("studiet", "studenten"),
    ],
)
def test_an_ium_noun_stays_apart_from_its_neighbours(left: str, right: str) -> None:
    assert stem_term(left) != stem_term(right)


@pytest.mark.parametrize("word", ["centrum", "forum", "opholdsrum", "museum", "publikum"])
def test_other_um_nouns_keep_their_terms(word: str) -> None:
    # Only -ium: "-rum" ends native compounds (opholds·rum), and museum inflects on muse-.
    assert stem_term(word) == snowball_stem(lemmatise(word))


# A compound written with or without a linking -s- the dictionary lists the other way; each
# sentence is from the demo data (Aarhus, data/digst/digst-demo.csv) or Greve's documents
# (tests/fixtures/firstagenda-api/greve/).
@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Tilladelse til at opføre en fritliggende bygning i tre etager til dagsinstitution", "daginstitutioner"),
        ("Projekterne forløber stadig efter tidplanen.", "tidsplan"),
        ("landzonelokalplan med såkaldt bonusvirkning, der erstatter landszonetilladelse", "landzonetilladelser"),
        ("at Greve Kommune afholder de øgede driftudgifter på 2.500 kr. om året", "driftsudgifterne"),
    ],
)
def test_a_compound_meets_its_spelling_with_or_without_a_linking_s(text: str, query: str) -> None:
    assert stem_term(query) in analyse(text)


@pytest.mark.parametrize(
    ("word", "variant"),
    [
        ("dagsinstitutionen", "daginstitutionen"),
        ("driftbudget", "driftsbudget"),
        ("kørepladserne", None),  # køre·pladserne: the -s- begins the head "pladser"
        ("tilstræk", None),  # til·stræk: "stræk" is a word, its s no linking -s-
        ("skadeslidte", None),  # slidte is a word as well
        ("daginstitution", None),  # the dictionary's own word is not looked at
    ],
)
def test_the_linking_s_variant_is_taken_only_between_two_words(word: str, variant: str | None) -> None:
    assert linking_s_variant(word) == variant


# An unknown compound is read through its head as the dictionary's own compounds read that head
# (indexer/analysis/headlemmas.py): alone the dictionary reads "centret" as a form of centrum and
# "priser" as the verb prise, but plejecentret is plejecenter and vandpriser vandpris in it.
@pytest.mark.parametrize(
    ("text", "query"),
    [
        # Greve's documents (tests/fixtures/firstagenda-api/greve/)
        ("Rehabiliteringsteam som er organiseret i Jobcentret.", "jobcenter"),
        ("Tabellen viser, at Nældebjerg, Langagergård, Strandcentret og Rehabiliteringscentret", "strandcenteret"),
        ("benyttes af brugergrupper på tværs af fagudvalg og fagcentre.", "fagcenter"),
        ("afslag med, at de med den seneste udvikling i materialepriser samt leverancevanskeligheder", "materialepris"),
    ],
)
def test_an_unknown_compounds_head_is_read_as_in_the_dictionarys_compounds(text: str, query: str) -> None:
    assert stem_term(query) in analyse(text)


def test_alone_a_noun_is_read_as_the_compounds_read_it() -> None:
    # Alone the dictionary names one reading of a homograph (centret: centrum; cykler: cyklus);
    # the compounds it lists say which one Danish writing uses, and a word alone is read so too.
    assert lemmatise("centret") == "center" and lemmatise("cykler") == "cykel"
    assert lemmatise("jobcentret") == "jobcenter" and lemmatise("materialepriser") == "materialepris"
    # A form whose own reading is a verb's keeps it: its other forms would part from it.
    assert lemmatise("mangler") == "mangle" and stem_term("mangler") == stem_term("manglende")


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Cyklerne kan parkeres ved stationen", "cykel"),
        ("der er opsat en ny cykel-pumpe ved centret", "center"),
        ("Eksemplet viser udgifterne pr. elev", "eksempel"),
        ("Toiletterne i hallen renoveres", "toilet"),
    ],
)
def test_a_word_alone_meets_its_nouns_other_forms(text: str, query: str) -> None:
    assert stem_term(query) in analyse(text)


def test_the_head_table_is_what_the_dictionary_gives() -> None:
    from indexer.analysis.headlemmas import build_table, dictionary_pairs
    from indexer.analysis.lexicon import _forms, compound_head_lemmas

    shipped = compound_head_lemmas()
    assert shipped == build_table(dictionary_pairs(_forms()))
    assert shipped["centret"] == "center" and shipped["priser"] == "pris" and shipped["analyser"] == "analyse"
    assert all(len(head) >= 6 for head in shipped)  # a short head is too often a piece of a suffix


@pytest.mark.parametrize(
    "forms",
    [
        ("komité", "komite", "komitéen", "komiteen", "komitéer"),
        ("idé", "ide", "idéen", "ideen"),
        ("café", "cafe", "caféen", "cafeen"),
        ("Kattegatkomitéen", "kattegatkomiteen"),
        ("Malmö", "Malmø", "malmoe"),
        ("Zürich", "Zurich"),
        ("Citroën", "Citroen"),
    ],
    ids=lambda forms: forms[0],
)
def test_a_word_written_with_or_without_its_accent_is_one_term(forms: tuple[str, ...]) -> None:
    """Danish writes loanwords with or without the accent; the accent goes before stemming, so
    Snowball takes the same ending off both ("komitéen" stemmed to "komite", "komiteen" to "komit")."""
    assert len({tuple(analyse(form)) for form in forms}) == 1, [analyse(form) for form in forms]


def test_snowball_alone_kept_the_accented_forms_apart() -> None:
    assert snowball_stem("komitéen") != snowball_stem("komiteen")


@pytest.mark.parametrize("forms", [("ny", "nye", "nyt", "nyeste"), ("se", "set"), ("rå", "råt"), ("ur", "ure")])
def test_a_three_letter_inflection_of_a_two_letter_word_meets_it(forms: tuple[str, ...]) -> None:
    assert len({stem_term(form) for form in forms}) == 1, {f: stem_term(f) for f in forms}


@pytest.mark.parametrize(("word", "other"), [("dør", "dø"), ("led", "lide"), ("bad", "bede"), ("får", "få")])
def test_a_three_letter_homograph_keeps_its_own_term(word: str, other: str) -> None:
    """Three-letter forms are otherwise not lemmatised: "dør" is a door far more often than "dies"."""
    assert lemmatise(word) == word and stem_term(word) != stem_term(other)
