"""A word compares as a user expects it, whatever its Unicode form (``danish.normalise_word``).

PDFs, copies from macOS and Word, and phones write the same word several ways: "å" as "a" and a
combining ring (NFD), "fi" as one ligature character, digits in full width, a soft hyphen where a
line may break ("kommune\\u00adplan", as Greve's FirstAgenda texts hold it), a zero-width joiner
or non-joiner, a word joiner or a byte order mark pasted from Word inside a word ("vind\\u200dmølle"),
and a zero-width space, which Danish text holds where a line may break inside a word (the closed-title
rule reads each so too).  Each is the plain word in every field the analysis makes, in the ingest's
fast path as in the analyzers, and in the query; a fraction ("1½") keeps its sign, which NFKC would
turn into other digits.
"""

from __future__ import annotations

import unicodedata

import pytest

from indexer.analysis import fastterms
from indexer.analysis.danish import (
    analyse,
    compound_analyzer,
    exact_analyzer,
    normalise_query,
    normalise_word,
    tokenizer,
)
from indexer.model import title_marks_closed
from indexer.normalise import INVISIBLE_SIGNS
from indexer.search.service import SearchRequest

# (as written, as the plain word)
WRITTEN_OTHERWISE = [
    (unicodedata.normalize("NFD", "gåsetårnet"), "gåsetårnet"),  # a + combining ring
    ("\ufb01nansiering", "finansiering"),  # the fi ligature
    ("kon\ufb02ikt", "konflikt"),  # fl
    ("o\ufb00entlig", "offentlig"),  # ff
    ("\uff12\uff10\uff11\uff16", "2016"),  # full-width digits
    ("\uff53\uff4b\uff4f\uff4c\uff45", "skole"),  # full-width letters
    ("kommune\u00adplan", "kommuneplan"),  # a soft hyphen
    ("færdsels\u00adregulering", "færdselsregulering"),  # as Greve writes it
    ("m²", "m2"),  # a superscript digit
    ("vind\u200dmølle", "vindmølle"),  # ZERO WIDTH JOINER (Word's "no-width non break")
    ("vind\u200cmøllerne", "vindmøllerne"),  # ZERO WIDTH NON-JOINER (Word's "no-width optional break")
    ("sundheds\u2060reform", "sundhedsreform"),  # WORD JOINER
    ("budget\ufeffprocessen", "budgetprocessen"),  # ZERO WIDTH NO-BREAK SPACE, a byte order mark
    ("for\u200bveksles", "forveksles"),  # ZERO WIDTH SPACE: a line break's place, not a word's end
    ("luk\u00ad\u200dket", "lukket"),  # two together
]


@pytest.mark.parametrize(("written", "plain"), WRITTEN_OTHERWISE)
def test_a_word_written_otherwise_is_the_plain_word(written: str, plain: str) -> None:
    assert written != plain
    assert normalise_word(written) == plain
    assert [t.text for t in tokenizer()(written)] == [written], "one word to the tokeniser"
    assert analyse(written) == analyse(plain)
    assert analyse(written, exact_analyzer()) == analyse(plain, exact_analyzer()) == [plain]
    assert analyse(written, compound_analyzer()) == analyse(plain, compound_analyzer())


@pytest.mark.parametrize(("written", "plain"), WRITTEN_OTHERWISE)
def test_the_ingests_fast_path_reads_it_as_the_analyzers(written: str, plain: str) -> None:
    text = f"Udvalget drøftede {written} i mødet"
    for kind in ("danish", "exact", "parts", "title_parts"):
        assert fastterms.term_positions(text, kind) == fastterms.analyzer_positions(
            text, fastterms.KINDS[kind].analyzer()
        )
        assert fastterms.term_positions(text, kind) == fastterms.term_positions(text.replace(written, plain), kind)
    assert all(fastterms.supported(kind) for kind in fastterms.KINDS)  # its self-check text holds each kind


@pytest.mark.parametrize(("written", "plain"), WRITTEN_OTHERWISE)
def test_a_query_written_otherwise_is_searched_as_the_plain_word(written: str, plain: str) -> None:
    assert SearchRequest(q=f"budget {written}").normalised().q == f"budget {plain}"


def test_plain_words_and_danish_letters_stay_as_written() -> None:
    for word in ("kommuneplan", "Gåsetårnet", "ØKONOMIUDVALGET", "12.3.2019", "it-strategi", "§", "komitéen"):
        assert normalise_word(word) == word


def test_a_fraction_keeps_its_sign() -> None:
    """NFKC writes "½" as "1⁄2": "1½ time" would be the words "11" and "2"."""
    assert normalise_word("1½") == "1½"
    assert analyse("1½ time", exact_analyzer()) == ["1½", "time"]
    assert normalise_word("\uff11½") == "1½"  # the rest of the word is still normalised


def test_spaces_a_query_may_hold_are_spaces() -> None:
    """A no-break space (copied from a page) or a full-width one parts words as a space does."""
    assert normalise_query("lokal\u00a0plan") == "lokal plan"
    assert normalise_query("lokal\u3000plan") == "lokal plan"
    assert [t.text for t in tokenizer()("lokal\u00a0plan")] == ["lokal", "plan"]


def test_every_invisible_sign_is_read_in_a_word_as_written_otherwise() -> None:
    """The one list (``normalise.INVISIBLE_SIGNS``) is the list this file checks word by word."""
    checked = {c for written, _ in WRITTEN_OTHERWISE for c in written if c in INVISIBLE_SIGNS}
    assert checked == set(INVISIBLE_SIGNS)


@pytest.mark.parametrize("sign", list(INVISIBLE_SIGNS), ids=lambda sign: f"U+{ord(sign):04X}")
def test_the_search_reads_a_title_word_as_the_closed_title_rule(sign: str) -> None:
    """The rule closes "Bilag 2 - Luk<sign>ket" because it reads "Lukket" there; the search finds it
    under "lukket" for the same reason, so a reader, the rule and a search see one word."""
    title = f"Bilag 2 - Luk{sign}ket"
    assert title_marks_closed(title)
    assert analyse(title, exact_analyzer()) == ["bilag", "2", "lukket"]
    assert fastterms.term_positions(title, "exact") == {"bilag": [0], "2": [1], "lukket": [2]}


@pytest.mark.parametrize("sign", list(INVISIBLE_SIGNS), ids=lambda sign: f"U+{ord(sign):04X}")
def test_a_sign_beside_a_space_parts_nothing_more(sign: str) -> None:
    """Only inside a word is a sign taken out: beside a space the words are the two they were."""
    for text in (f"vind{sign} mølle", f"vind {sign}mølle", f"{sign}vind mølle{sign}"):
        assert analyse(text, exact_analyzer()) == ["vind", "mølle"], repr(text)
        assert fastterms.term_positions(text, "exact") == {"vind": [0], "mølle": [1]}
