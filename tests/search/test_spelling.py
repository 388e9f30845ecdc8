""" "Mente du" ranks a misspelt word's neighbours by the kind of slip, then by frequency.

Real slips of words of the demo rows (``data/digst/digst-demo.csv``): a plain edit count
ranked every word within two edits alike and frequency picked the most common one ("vetser" →
"viser", 46 times in these rows, not the street name "Vester" one swap away).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search import spelling
from indexer.search.service import SearchRequest, SearchService, _likeliest_first
from tests.search.conftest import DEMO


@pytest.mark.parametrize(
    ("typed", "meant", "kind"),
    [
        ("rottre", "rotter", spelling.SWAP),
        ("riskov", "risskov", spelling.DOUBLE),
        ("vinnter", "vinter", spelling.DOUBLE),
        ("naturomraadet", "naturområdet", spelling.DANISH),
        ("gronne", "grønne", spelling.DANISH),
        ("bolug", "bolig", spelling.NEIGHBOUR_KEY),
        ("mediar", "medier", spelling.VOWEL),
        ("anlægbevilling", "anlægsbevilling", spelling.LINKING_S),
        ("forbidelse", "forbindelse", spelling.OMITTED),
        ("voldu", "voldum", spelling.LAST_OMITTED),  # typing stopped short
        ("rotte", "rotter", spelling.LAST_OMITTED),  # the same edit, but another form: no one slip
    ],
)
def test_each_kind_of_slip_costs_its_own(typed: str, meant: str, kind: float) -> None:
    assert spelling.slip_cost(typed, meant) == pytest.approx(kind)


def test_the_likelier_slip_beats_the_more_frequent_word() -> None:
    # one swap against a vowel and a dropped letter; one vowel against a vowel and a dropped letter
    assert spelling.rank("rottre", [("rette", 40.0), ("rotter", 16.0)])[0] == "rotter"
    assert spelling.rank("mediar", [("medio", 30.0), ("medier", 20.0)])[0] == "medier"
    # the same slip: frequency decides
    assert spelling.rank("budgwt", [("budget", 500.0), ("budgwts", 1.0)])[0] == "budget"


def test_a_street_name_one_swap_away_beats_a_common_word(demo: SearchService) -> None:
    near = dict(demo.engine.near_words("vetser"))
    assert near["viser"] > 10 * near["vester"]  # the plain-count ranking picked "viser"
    response = demo.search(SearchRequest(q="vetser"))
    assert response.corrected_from == "vetser" and response.request.q == "vester"


def test_a_rare_name_the_minutes_hold_is_not_corrected_into_a_common_word(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="risskov"))
    assert 0 < response.total <= 3 and response.suggestion is None
    # a slip of it still is corrected: it finds nothing itself
    assert demo.search(SearchRequest(q="riskov")).request.q == "risskov"


def test_a_word_typed_short_is_completed_not_cut(demo: SearchService) -> None:
    """ "voldu": the place name "Voldum" with its last letter left off, or "vold" with a "u" added
    after an unlike key.  Each is one edit; typing that stops a letter short is the likelier slip,
    so the completion wins over a word up to about three times as frequent (these are the dev
    index's counts, where "vold" used to win)."""
    assert spelling.rank("voldu", [("vold", 2.0), ("voldum", 1.0), ("volu", 1.0)])[0] == "voldum"
    assert spelling.rank("voldu", [("vold", 91.0), ("voldum", 1.0)])[0] == "vold"  # frequency still counts
    response = demo.search(SearchRequest(q="voldu"))
    assert response.corrected_from == "voldu" and response.request.q == "voldum" and response.total > 0
    # a word the minutes hold is not corrected into a longer form of it: that is no slip
    assert spelling.slip_cost("rotte", "rotter") > spelling.ONE_SLIP


def test_an_s_left_out_is_a_linking_s_but_an_s_added_is_not(demo: SearchService) -> None:
    """A compound's linking -s- is often left out ("anlægbevilling"); an s typed where the word has
    none is an unlike letter added.  "maaslet" (Mårslet, its r left out) is one edit from "målet"
    (an s added) and one from "mårslet" (a letter left out): the letter left out is the likelier
    slip, though "målet" is far the commoner word."""
    assert spelling.slip_cost("anlægbevilling", "anlægsbevilling") == spelling.LINKING_S
    assert spelling.slip_cost("måslet", "målet") == 1.0
    assert spelling.slip_cost("måslet", "mårslet") == spelling.OMITTED
    response = demo.search(SearchRequest(q="maaslet trafiksikkerhed"))
    assert response.corrected_from == "maaslet trafiksikkerhed"
    assert response.request.q == "mårslet trafiksikkerhed" and response.total > 0


def test_combinations_are_tried_likeliest_first() -> None:
    order = _likeliest_first([["a1", "a2"], ["b"], ["c1", "c2"]])
    assert order[0] == ("a1", "b", "c1")
    assert set(order[1:3]) == {("a2", "b", "c1"), ("a1", "b", "c2")}
    assert order[-1] == ("a2", "b", "c2")


def test_the_correction_of_a_multi_word_query_is_one_that_finds_something(demo: SearchService) -> None:
    response = demo.search(SearchRequest(q="vetser tilladelse"))
    assert response.corrected_from == "vetser tilladelse" and response.total > 0


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("røggsa", "røggassen"),  # written only inflected: "røggassen", "røggasserne"
        ("vandoplannd", "vandoplandet"),  # "vandopland" only in compounds and inflected
        ("frdeeriksbjerg", "frederiksbjerg"),  # a place written only inside "Frederiksbjergprocessen"
        ("rønsæsvej", "røsnæsvejen"),  # not "rønbækvej", two edits from the written words
        ("sprøjtamiddel", "sprøjtemiddel"),  # "sprøjtemidler" written, the singular searched
    ],
)
def test_a_word_meant_that_is_written_only_inflected_or_in_compounds(
    demo: SearchService, typed: str, shown: str
) -> None:
    """No written word is a likely slip of these; a stem or compound part of the index is."""
    assert not any(spelling.slip_cost(typed, word) <= 1.0 for word, _ in demo.engine.near_words(typed))
    response = demo.search(SearchRequest(q=typed))
    assert response.corrected_from == typed and response.request.q == shown and response.total > 0


def test_a_slip_of_a_form_no_item_writes_is_corrected_into_that_form(demo: SearchService) -> None:
    """ "måegrne" is two letters swapped in "mågerne", which no row writes ("mågeproblemet" does,
    and "mågerne" finds it by its stem): no written word or stem is near the slip, a dictionary
    form one edit away whose terms the rows hold is."""
    assert not demo.engine.has_word("mågerne")
    assert "mågerne" in spelling.one_edit_forms("måegrne")
    response = demo.search(SearchRequest(q="måegrne"))
    assert response.corrected_from == "måegrne" and response.request.q == "mågerne"
    assert [hit["title"] for hit in response.results] == ["Tiltag vedr. mågeproblemet"]
    # a word that is no slip of a dictionary form the rows hold gets no such correction
    assert demo._corrections_into_unwritten_forms("qxzvbn") == []


def test_one_edit_forms_keep_the_first_letter() -> None:
    forms = spelling.one_edit_forms("måge")
    assert {"mgåe", "måe", "månge", "måde", "mågen"} <= forms  # swapped, dropped, added, replaced, added
    assert "åge" not in forms and "måge" not in forms and all(f.startswith("m") for f in forms)


def test_near_terms_of_a_stemmed_field_are_those_open_items_hold(demo: SearchService) -> None:
    near = dict(demo.engine.near_words("roeggsa", 2, "body"))
    assert "roegga" in near and all(demo.engine.has_word(t, "body") for t in near)


def test_the_likeliest_combination_that_finds_something_is_the_correction(demo: SearchService) -> None:
    """ "sapa" (a Ballerup system these rows never name) is likeliest "sara", but no row holds
    "sara" with "systemet"; "samt systemet" finds rows, so that is the correction."""
    assert spelling.rank("sapa", demo.engine.near_words("sapa"))[:2] == ["sara", "samt"]
    assert not demo._finds_something("sara systemet", None)
    assert demo.did_you_mean("sapa systemmet") == "samt systemet"


def test_a_query_with_hits_is_offered_no_correction_that_finds_nothing(demo: SearchService) -> None:
    """ "stautrup aabo" finds the rows writing "Stautrup Aabo" solid; its words' nearest written
    neighbours ("studtrup", "aage") find nothing together, and are not offered."""
    response = demo.search(SearchRequest(q="stautrup aabo"))
    assert response.total > 0 and response.suggestion is None
    assert demo.did_you_mean("stautrup aabo") is not None  # offered were nothing found


@pytest.mark.parametrize(
    ("typed", "offered"), [("aarby", "årby"), ("aabyhoej", "åbyhøj"), ("aarby skole", "årby skole")]
)
def test_a_name_typed_without_æøå_is_offered_as_the_minutes_spell_it(
    demo: SearchService, typed: str, offered: str
) -> None:
    """ "Mente du" spells Årby and Åbyhøj as written — a first letter and two letters away, not
    "aaby" one letter off; the search itself reads them so, as no item writes them with aa and oe
    (the query that ran says so, and no offer is left to make)."""
    assert demo.did_you_mean(typed) == offered
    response = demo.search(SearchRequest(q=typed))
    assert response.total > 0 and response.request.q == offered and response.suggestion is None
    # insisting on the typed words reads them as typed: the same items (the analysis folds both)
    literal, spelt = (demo.search(SearchRequest(q=q, literal=True)) for q in (typed, offered))
    assert literal.request.q == typed and literal.total == spelt.total > 0
    assert spelling.respellings("aabyhoej") == ["aabyhøj", "åbyhoej", "åbyhøj"]


def test_a_base_or_stem_is_corrected_only_by_one_edit(demo: SearchService) -> None:
    """ "tilbagekøbsklasulerne" is still corrected through its base (one dropped letter), but no
    base or stem two unlike edits from the index's words is: "hverdags" (the rows write
    "hverdagsrehabilitering" only) was "hvordan", its base "hverdag" with two letters replaced."""
    assert (demo.did_you_mean("tilbagekøbsklasulerne") or "").startswith("tilbagekøbsklausul")
    assert demo.did_you_mean("hverdags") is None


def test_a_danish_word_written_only_inside_compounds_is_kept_beside_a_slip(demo: SearchService) -> None:
    """No demo item writes "ledning" alone, only "naturgasledning": the slip "natturgas" is
    corrected and "ledning" kept, never turned into a written word two edits off ("løsning")."""
    assert not demo.engine.has_word("ledning")
    response = demo.search(SearchRequest(q="natturgas ledning"))
    assert (response.corrected_from, response.request.q) == ("natturgas ledning", "naturgas ledning")
    assert response.results[0]["title"] == "Ny naturgasledning til [adresse] via Hasselager"


def test_plain_letters_are_respelt_as_the_danish_ones_they_may_stand_for() -> None:
    assert spelling.plain_respellings("hjemlos") == ["hjemløs"]
    # one letter respelt first, then two
    assert spelling.plain_respellings("rosnasvej") == ["røsnasvej", "rosnåsvej", "rosnæsvej", "røsnåsvej", "røsnæsvej"]
    # a word typed with Danish letters, or with too many a's and o's to guess among, is left alone
    assert spelling.plain_respellings("røsnasvej") == [] and spelling.plain_respellings("budget") == []
    assert spelling.plain_respellings("aaaaaaao") == []


@pytest.mark.parametrize("profile", ["snowball", "standard"])
def test_plain_letters_are_respelt_on_an_index_without_compound_parts(profile: str, tmp_path: Path) -> None:
    """The baselines' profiles index no compound parts: a respelling their running text lacks is
    held nowhere, where asking the missing field failed the whole search ("mageproblemet")."""
    MinutesIndex.create(tmp_path, profile=profile)
    assert ingest([DEMO], tmp_path, workers=1, stream=io.StringIO()).items_added
    response = SearchService(tmp_path).search(SearchRequest(q="mageproblemet", per_page=10))
    assert response.corrected_from == "mageproblemet" and response.request.q == "mågeproblemet"
    assert response.results


def test_a_quoted_phrase_is_corrected_inside_its_quotes(demo: SearchService) -> None:
    """A phrase typed without Danish letters finds nothing; its correction keeps the quotes, the
    field and the case of the words it leaves, and its results are shown in its place."""
    response = demo.search(SearchRequest(q='"gronne omrader"'))
    assert (response.corrected_from, response.request.q) == ('"gronne omrader"', '"grønne områder"')
    meant = demo.search(SearchRequest(q='"grønne områder"', literal=True))
    assert response.total == meant.total > 0
    assert [r["id"] for r in response.results] == [r["id"] for r in meant.results]
    assert demo.did_you_mean('titel:"lokalpaln" Budget') == 'titel:"lokalplan" Budget'
    # an operator or a field's name is never "corrected"
    assert demo.did_you_mean("titel:lokalpaln IKKE budget") == "titel:lokalplan IKKE budget"


def test_a_short_word_typed_without_danish_letters_is_respelt(demo: SearchService) -> None:
    """ "lan" and "pa" are too short to correct by edits (two edits reach most short words), but a
    query typed with no æ/ø/å whose short word the search finds nowhere is respelt by its plain
    letters to a word the items hold ("lån") or a stop word ("på")."""
    response = demo.search(SearchRequest(q="lan til renovering"))
    assert (response.corrected_from, response.request.q) == ("lan til renovering", "lån til renovering")
    assert response.results[0]["title"].startswith("Ansøgning om kommunegaranti")
    assert demo.search(SearchRequest(q="borgere pa plejehjem")).request.q == "borgere på plejehjem"
    # with an æ, ø or å typed elsewhere the keyboard has them: the short word is what was meant
    assert demo.did_you_mean("lan til færge") is None


def test_one_word_typed_without_danish_letters_lets_the_others_be_respelt(demo: SearchService) -> None:
    """ "området" typed "omradet" says the keyboard has no å: "aldre", a word of its own, is then
    tried as "ældre" too, after the word itself, when the query finds nothing so."""
    response = demo.search(SearchRequest(q="aldre omradet merudgifter"))
    assert response.request.q == "ældre området merudgifter"
    assert response.total >= 1
    # without that sign the word is kept: no plain letters elsewhere
    assert demo.did_you_mean("aldre budgettt") == "aldre budget"


def test_a_word_typed_without_danish_letters_that_finds_nothing_is_respelt(demo: SearchService) -> None:
    """ "magerne" (the lean ones) finds nothing in the demo rows: it is respelt "mågerne", which
    the items hold inside a compound ("mågeproblemet")."""
    nothing = demo.search(SearchRequest(q="magerne"))
    assert nothing.corrected_from == "magerne" and nothing.request.q == "mågerne"
    assert "Tiltag vedr. mågeproblemet" in [r["title"] for r in nothing.results]


def test_a_letter_left_out_is_likelier_than_an_unlike_letter_put_in(demo: SearchService) -> None:
    """Fast typing drops a letter more often than it adds or replaces one: "forbidelse" meant
    "forbindelse", not "forbud" (the correction that ran before, a vowel and a dropped -e)."""
    response = demo.search(SearchRequest(q="cykelsti forbidelse"))
    assert (response.corrected_from, response.request.q) == ("cykelsti forbidelse", "cykelsti forbindelse")
    assert response.results[0]["title"].startswith("Ekspropriation til cykelstiforbindelse")
    assert demo.search(SearchRequest(q="medir")).request.q == "medier"


def test_a_correction_keeps_the_hyphens_typed(demo: SearchService) -> None:
    """A hyphen joins what the search reads as one ("TM-U", the Teknik- og Miljøudvalget's
    abbreviation; "åben-lav"): the correction keeps it, or "tm u" finds nothing and the query
    had no correction at all."""
    response = demo.search(SearchRequest(q="tm-u varmepmpe"))
    assert (response.corrected_from, response.request.q) == ("tm-u varmepmpe", "tm-u varmepumpe")
    assert any("varmepumpe" in r["title"] for r in response.results)
    assert demo.did_you_mean("åben-lav bebygelse") == "åben-lav bebyggelse"


def test_a_slip_inside_one_part_of_a_compound_written_apart(demo: SearchService) -> None:
    """The demo rows write "overflade belægning" apart, so no written word or stem is two edits
    from "overfladebleægning"; cut in two, "overflade" is written and "bleægning" one swap from
    "belægning". The compound is offered whole, which finds the item as the compound typed right
    does, a slip in either part."""
    right = demo.search(SearchRequest(q="overfladebelægning"))
    assert right.total >= 1 and right.corrected_from is None
    for typed in ("overfladebleægning", "ovefladebelægning", "overflaebelægning"):
        response = demo.search(SearchRequest(q=typed))
        assert (response.corrected_from, response.request.q) == (typed, "overfladebelægning")
        assert [r["id"] for r in response.results] == [r["id"] for r in right.results]


def test_a_compound_of_written_words_is_no_slip(demo: SearchService) -> None:
    """ "vejvedligeholdelseskontrakt" is no demo row's word, but it is two written words joined by
    a linking -s- ("vejvedligeholdelse", "kontrakt"): written right, so it is searched as typed,
    never "corrected" by dropping the -s-."""
    typed = "vejvedligeholdelseskontrakt pankas"
    response = demo.search(SearchRequest(q=typed))
    assert response.corrected_from is None and response.request.q == typed
    assert response.partial is not None and response.total >= 1


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("skraæld", "skrald"),
        ("dieseæbil", "dieselbiler"),
        ("landæliggerudvalg", "landliggerudvalget"),
        ("røsnsævej", "røsnæsvejen"),
    ],
)
def test_a_danish_letter_typed_in_a_slip_is_one_slip(demo: SearchService, typed: str, meant: str) -> None:
    """The demo rows write these words only inflected or inside compounds, so they are corrected
    through the index's terms, which are folded: an æ typed beside the l ("skraæld") is two letters
    there ("skraaeld"), two edits from "skrald". As typed it is one slip, and is corrected so."""
    response = demo.search(SearchRequest(q=typed))
    assert (response.corrected_from, response.request.q) == (typed, meant)
    assert response.total >= 1


def test_a_compound_of_words_the_minutes_write_in_other_forms_is_no_slip(demo: SearchService) -> None:
    """ "rottegebyr": no item writes it, nor "rotte" as a word ("rotter", "rottebekæmpelse"), so
    the compound looked like a slip of "rettegebyr" in one part, and the tries with fewer words
    were searched for that.  Its parts are words open items hold in some form: no correction, and
    the item on rat control and its fee comes first.  A slip inside a part is still corrected."""
    for typed in ("rottegebyr budget", "kommunernes kontaktråd referater", "gymnasiebestyrelsen"):
        assert demo.did_you_mean(typed) is None, typed
    response = demo.search(SearchRequest(q="rottegebyr budget"))
    assert response.corrected_from is None and "rottebekæmpelse" in response.results[0]["snippet"].lower()
    assert demo.did_you_mean("overfladebleægning") == "overfladebelægning"
    assert demo.did_you_mean("rottebekæmplesen") == "rottebekæmpelsen"


def test_a_word_form_typed_with_aa_is_no_slip(demo: SearchService) -> None:
    """ "maager" is "måger" typed on a keyboard without å, a word the dictionary lists and the
    demo items hold inside "mågeproblemet": it is no slip of "måder". Among words no item holds
    all of, the query ranks as typed with å (it was corrected into "måder" and lost the item)."""
    assert demo.did_you_mean("hvad gør kommunen ved maager") is None
    typed, with_å = (demo.search(SearchRequest(q=f"hvad gør kommunen ved {w}")) for w in ("maager", "måger"))
    assert typed.corrected_from is None and typed.request.q == "hvad gør kommunen ved maager"
    assert typed.results[0]["title"] == with_å.results[0]["title"] == "Tiltag vedr. mågeproblemet"
