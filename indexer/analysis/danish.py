"""Danish text analysis: one readable Whoosh pipeline of small filters.

normalise (NFKC) → tokenise → lower-case → stop words → spelling variants →
lemma (full-form dictionary) → Snowball stem → fold æ/ø/å ↔ ae/oe/aa.
Every filter is a plain Whoosh ``Filter`` so each can be tested word by word, and
``danish_analyzer()`` composes them.

Lemmatising before stemming fixes a whole class of Snowball misses, where a base
form and its inflections end on different stems (arbejdsplads → "arbejdsplad" but
arbejdspladser → "arbejdsplads"; dagsorden/dagsordenen; mulighed/mulighederne):
every form meets at its lemma first.  ``compound_analyzer()`` feeds a separate,
lower-weighted field with the stems of compound parts, so "politik" finds
"personalepolitikken" below documents that say "politik" itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.lang import stopwords_for_language

from indexer.analysis.compounds import compound_head, split_compound
from indexer.analysis.lexicon import (
    DANISH_DIGRAPHS,
    MIN_LEMMA_WORD,
    MIN_MODIFIER,
    dictionary_lemma,
    is_known,
    lemmatise,
    normalise_variant,
    restore_danish_letters,
    verb_family,
    verbal_noun,
)
from indexer.dates import MONTH_NAMES
from indexer.normalise import INVISIBLE_SIGNS, normalise_word

# Words: letters and digits, keeping inner hyphens/periods of things like "12.3" or "1.2".  A
# letter may carry combining marks (U+0300-U+036F), the way a text written on some systems or taken
# from a PDF spells "å" as "a" and a ring: ``\w`` alone cut "Gåsetårnet" there into three words
# before ``NormaliseFilter`` could compose them again.  A sign a reader does not see (a soft hyphen
# where a line may break, "kommune\u00adplan"; a zero-width joiner pasted from Word,
# "vind\u200dmølle": ``INVISIBLE_SIGNS``) stays inside its word too, and ``normalise_word`` takes
# it out: the word is the one on screen, no longer two.
_WORD_CHARACTER = f"[\\w\u0300-\u036f{INVISIBLE_SIGNS}]"
PLAIN_WORD_PATTERN = rf"\w{_WORD_CHARACTER}*(?:[.,/-]\w{_WORD_CHARACTER}*)*"
# The product's words: those, and the signs minutes write for a word ("40 %", "§ 17"), each read
# as its word (``SIGN_WORDS``), so "40 procent", "40 pct." and "40 %" are the same terms, and
# "paragraf 17" is "§ 17".  The baselines keep the plain pattern (``plain_tokenizer``).
WORD_PATTERN = PLAIN_WORD_PATTERN + r"|[%§]"
SIGN_WORDS: dict[str, str] = {"%": "procent", "§": "paragraf"}

# Snowball's Danish stop words as Whoosh ships them (94 function words); we used to keep a copy.
DANISH_STOP_WORDS: frozenset[str] = frozenset(stopwords_for_language("da"))

# æ/ø/å to their digraphs, and the foreign letters minutes borrow to the nearest plain spelling.
FOLDS = {letter: digraph for digraph, letter in DANISH_DIGRAPHS} | {"ä": "ae", "ö": "oe", "ü": "u", "é": "e", "è": "e"}
_FOLD_TABLE = str.maketrans(FOLDS)
# Accented letters of loanwords and names as Danish writes them without the accent (idé/ide,
# komité/komite, allé/alle, Malmö/Malmø): before stemming, so Snowball takes the same ending off
# both spellings ("komitéen" and "komiteen" both → "komit"; after stemming they ended apart).
PLAIN_LETTERS = str.maketrans(
    {"ä": "æ", "ö": "ø", "ü": "u", "ë": "e", "ï": "i"}
    | dict.fromkeys("éèê", "e")
    | dict.fromkeys("áàâ", "a")
    | dict.fromkeys("óòô", "o")
    | dict.fromkeys("íìî", "i")
    | dict.fromkeys("úùû", "u")
    | {"ç": "c", "ñ": "n", "ã": "a", "õ": "o"}
)


def plain_letters(word: str) -> str:
    """The word without the accents Danish may leave off ("komitéen" → "komiteen")."""
    return word.translate(PLAIN_LETTERS)


def fold(text: str) -> str:
    """Fold Danish letters to their two-letter spelling: Århus → aarhus, Grenå → grenaa."""
    return text.translate(_FOLD_TABLE)


def normalise_query(text: str) -> str:
    """A typed query normalised as the index's words are (``normalise_word``): a no-break or
    full-width space is a space."""
    return normalise_word(text)


class NormaliseFilter(Filter):
    """Each word compared as a user expects it, whatever its Unicode form (``normalise_word``)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            t.text = normalise_word(t.text)
            yield t


def camel_apart(word: str) -> str:
    """A name written as one word with a capital inside, split there by hyphens as its words
    ("StautrupÅbo" → "Stautrup-Åbo", "NaturErhvervstyrelsen", "GudenåSamarbejdet", "eDagsorden"):
    a lower-case letter then a capital then a lower-case letter.  The parts field reads the pieces
    as a hyphenated word's (``compound_parts``), so "stautrup" finds "Indsatsplan StautrupÅbo";
    the other fields keep the word whole.  A word in capitals ("KKR", "ØUs") has no such place."""
    if word.islower() or word.isupper():
        return word
    cuts = [i for i in range(1, len(word) - 1) if word[i].isupper() and word[i - 1].islower() and word[i + 1].islower()]
    if not cuts:
        return word
    return "-".join(word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True))


class CamelPartsFilter(Filter):
    """While indexing, a word with a capital inside written hyphenated at it (``camel_apart``):
    the parts field's first filter after NFC, before the case is lowered."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            if t.mode == "index":
                t.text = camel_apart(t.text)
            yield t


class SignWordsFilter(Filter):
    """A sign written for a word, as that word: "%" → "procent", "§" → "paragraf"."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            word = SIGN_WORDS.get(t.text)
            if word is not None:
                t.text = word
            yield t


_local = threading.local()


def _snowball() -> Stemmer.Stemmer:
    """One Snowball stemmer per thread: PyStemmer objects are not thread-safe.  Without
    PyStemmer's cache: ingest stems each new word once (its callers remember the result), and
    the cache, full at 10,000 words, made stemming 42,011 distinct Greve words 0.09 s instead of
    0.02 s."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("danish", 0)
    return stemmer


def snowball_stem(word: str) -> str:
    """Plain Snowball Danish, the baseline the pipeline improves on."""
    return _snowball().stemWord(word)  # type: ignore[no-any-return]


@lru_cache(maxsize=500_000)
def stem_term(word: str) -> str:
    """The index term for one lower-case word: variant → lemma (an -ere verb's as its -ering
    noun) → Snowball → fold.

    A Latin noun in -ium is inflected and compounded on its stem in -i-: studium, studiet,
    studier, studie·retning; kriterium, kriteriet, kriterier, and "kriterie", which Danish also
    writes as the singular.  The dictionary lists such -ie singulars (studie, medie, stadie,
    kriterie) as lemmas of their own, and Snowball leaves "-ium" whole while it takes -e, -et and
    -er off the rest, so studie and studier, medie and medium, stadie and stadier ended apart.
    Every form meets at the stem without -um ("studi", "medi", "kriteri"), which is what
    Snowball makes of the -ie, -iet and -ier forms; no native Danish word ends in -ium.

    Cached because it runs for every indexed word and Danish text repeats a small
    vocabulary; the cache turns dictionary lookups into one dict hit.
    """
    word = normalise_variant(word)
    if len(word) <= 2 or word[0].isdigit():
        return fold(word)
    word = danish_spelling(word)
    lemma = verbal_noun(lemmatise(word), word)
    plain = plain_letters(word)
    if plain != word:  # the dictionary may list the accented spelling or only the plain one
        lemma = plain_letters(lemma if lemma != word else verbal_noun(lemmatise(plain), plain))
    if len(lemma) >= MIN_IUM_NOUN and lemma.endswith("ium"):
        return fold(lemma[:-2])
    if _verb_in_ende(lemma):
        return fold(snowball_stem(lemma[:-1]))
    stem = snowball_stem(lemma)
    if _noun_in_s(lemma, stem):
        return fold(lemma)
    return fold(stem)


def _noun_in_s(lemma: str, stem: str) -> bool:
    """A noun in -s whose -s Snowball takes off the bare lemma as an ending ("sats" → "sat",
    "plads" → "plad") but keeps in its inflected forms ("satsen", "satser" → "sats"), so a form
    the dictionary gives another lemma parted from the noun: "satser" (rates; read as the verb
    "satse") from "sats" and "satsen", and "sats" met "sat" (set); "vokser", "vokset" (read as
    the noun "voks") from "vokse", "voksende".  Such a noun keeps its -s, as Snowball keeps it in
    every other form.  It is told from a word whose -s is an ending (a genitive, "dels", "langs";
    a name, "Jens", "Movias") by its definite form in -en or -et, which the dictionary lists under
    it (or, for a compound it lacks, under its longest known head: "sundheds·indsats")."""
    if len(lemma) < MIN_LEMMA_WORD or stem != lemma[:-1] or not lemma.endswith("s"):
        return False
    cuts = [0, *range(MIN_MODIFIER, len(lemma) - MIN_LEMMA_WORD + 1)]  # the word, or a head after a modifier
    noun = next((lemma[cut:] for cut in cuts if is_known(lemma[cut:])), "")
    return any(dictionary_lemma(noun + ending) == noun for ending in ("en", "et")) if noun else False


def _verb_in_ende(lemma: str) -> bool:
    """A verb whose infinitive ends in -ende ("godkende", "anvende", "fremsende"): Snowball takes
    -ende off it as a participle's ending ("godk"), while its other forms and its noun in -else keep
    the "-end" ("godkendt", "godkendelse": "godkend"), so "godkendelse af lokalplanen" missed the
    item where the committee "godkender" it.  Stemmed without the infinitive's -e, every form meets.
    A verb is told from an adjective in -ende ("nuværende", "afgørende") by its past participle in
    -endt, which the dictionary lists under it."""
    return len(lemma) >= MIN_ENDE_VERB and lemma.endswith("ende") and dictionary_lemma(lemma[:-1] + "t") == lemma


# Shortest verb in -ende whose Snowball stem loses its "-end" ("anvende"; "sende" keeps it).
MIN_ENDE_VERB = 6


# Shortest noun in -ium given the stem its inflection is built on ("studium"; not "ium" itself).
MIN_IUM_NOUN = 6


def danish_spelling(word: str) -> str:
    """The word as Danish spells it, for the lemma lookup and Snowball: "faellesvej" →
    "fællesvej" (a known word, ``restore_danish_letters``), and a word no dictionary knows —
    mostly a name — typed with aa/ae/oe with å/æ/ø throughout ("roesnaes" → "røsnæs",
    "stautrupaabo" → "stautrupåbo").  Snowball strips endings by the letters it sees (the
    -es of "roesnaes", never the -s after æ of "Røsnæs"), so without this a name typed the
    way a keyboard without æ/ø/å allows stems apart from the name in the minutes, and
    folding after stemming cannot join them.  Index and query take the same path, so a
    name written with aa in the minutes ("Haarby") meets one typed with å."""
    restored = restore_danish_letters(word)
    if restored != word or len(word) < 4 or not word.isalpha() or any(c in word for c in "æøå"):
        return restored
    if not any(digraph in word for digraph, _ in DANISH_DIGRAPHS) or is_known(word) or lemmatise(word) != word:
        return word
    for digraph, letter in DANISH_DIGRAPHS:
        word = word.replace(digraph, letter)
    return word


class DanishStemFilter(Filter):
    """Lemma-then-Snowball stemming with æ/ø/å folding (see ``stem_term``).

    Leaves stopped tokens, numbers and words of one or two letters unstemmed.
    Holds no state, so it pickles for multiprocess writers.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            if not t.stopped:
                t.text = stem_term(t.text)
            yield t


# "bygge- og anlægsarbejder", "Skole-, Børne- og Ungeudvalget": conjuncts ending in a
# hyphen, then a conjunction and the word whose head they borrow.
_SUSPENDED = re.compile(r"(?<![\w-])((?:\w+-,?\s+)+)(?:og|eller|samt|&)\s+(\w+)", re.IGNORECASE)
_SUSPENDED_CONJUNCT = re.compile(r"(\w+)-")
# Every match of _SUSPENDED starts at the word just before a hyphen that one of these follows.
_SUSPENDING_HYPHEN = re.compile(r"-,?\s")


def suspended_compounds(text: str) -> dict[int, tuple[str, ...]]:
    """Suspended compounds completed: start offset of a conjunct → the word it stands for.

    In "bygge- og anlægsarbejder" the first conjunct means "byggearbejder"; Danish
    minutes write committees and areas this way all the time ("social- og
    sundhedsområdet", "børne- og ungeudvalget"), so a search for "byggearbejder" or
    "socialområdet" must find them.  The completed word is indexed at the
    conjunct's position in the compound-parts field.
    """
    if "- " not in text and "-," not in text and "-\n" not in text:
        return {}
    out: dict[int, tuple[str, ...]] = {}
    for match in _suspended_matches(text):
        head = compound_head(match.group(2))
        if not head:
            continue
        for conjunct in _SUSPENDED_CONJUNCT.finditer(match.group(1)):
            word = conjunct.group(1).lower()
            if word.isalpha():
                out[match.start(1) + conjunct.start(1)] = (word + head,)
    return out


def _suspended_matches(text: str) -> Iterator[re.Match[str]]:
    """``_SUSPENDED.finditer(text)``, trying the pattern only where a match can start: at the
    word before a hyphen that ",? whitespace" follows (a match's first conjunct ends so, and its
    look-behind rules out starting inside a word).  ``finditer`` tried it at every character."""
    end = 0
    for hyphen in _SUSPENDING_HYPHEN.finditer(text):
        start = hyphen.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):  # \w, as re has it
            start -= 1
        if start < end or start == hyphen.start():
            continue
        match = _SUSPENDED.match(text, start)
        if match is not None:
            end = match.end()
            yield match


class SuspendedCompoundTokenizer(RegexTokenizer):
    """The word tokeniser, marking each conjunct of a suspended compound with the word it
    completes (``token.completed``) for ``CompoundPartsFilter``."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):  # type: ignore[no-untyped-def,override]
        completed = suspended_compounds(value) if mode == "index" else {}
        for t in super().__call__(
            value,
            positions=positions,
            chars=True,
            keeporiginal=keeporiginal,
            removestops=removestops,
            start_pos=start_pos,
            start_char=start_char,
            tokenize=tokenize,
            mode=mode,
            **kwargs,
        ):
            t.completed = completed.get(t.startchar - start_char, ())  # type: ignore[attr-defined]
            yield t


class CompoundPartsFilter(Filter):
    """Replaces each compound by its parts (same position), dropping other words.

    Only while indexing: in query mode every token passes unchanged, so a query word
    is looked up as itself among the indexed parts ("politik" meets the part
    "politik" of "personalepolitikken").  Hyphenated words count as compounds of
    their pieces ("it-strategi" → it, strategi).
    """

    def __init__(self, partners: bool = True) -> None:
        self.partners = partners  # the word's verb family too (``index_parts``), or its parts alone

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        parts_of = index_parts if getattr(self, "partners", True) else compound_parts
        for t in tokens:
            if t.mode != "index":
                yield t
                continue
            if t.stopped:
                continue
            for part in parts_of(t.text, getattr(t, "completed", ())):
                piece = t.copy()
                piece.text = part
                yield piece


# A date written in digits, one token to the tokeniser: "30.09.14", "30-09-2014", "1/9/2014".
_DIGIT_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
# A two-digit year is of this century up to here, of the last one after ("30.09.14": 2014).
TWO_DIGIT_YEARS_BEFORE = 50


def date_parts(word: str) -> tuple[str, ...]:
    """The month in words and the year in four digits of a date written in digits ("30.09.14" →
    september, 2014): minutes date a status or a deadline so ("Budgetopfølgning pr. 30.09.14"), and
    people search it by its month ("budgetopfølgning september 2014").  () for anything else: a
    day or a month out of range, or a section number ("3.1.2")."""
    found = _DIGIT_DATE.fullmatch(word)
    if not found:
        return ()
    day, month, year = (int(group) for group in found.groups())
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return ()
    if len(found.group(3)) == 2:
        year += 2000 if year < TWO_DIGIT_YEARS_BEFORE else 1900
    return (MONTH_NAMES[month - 1], str(year))


def compound_parts(word: str, completed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Parts of a lower-case word, nested ones included; () for a simple word.  A date written in
    digits holds its month in words and its year (``date_parts``).

    ``completed`` are the words a suspended conjunct stands for ("bygge-" in "bygge- og
    anlægsarbejder" → "byggearbejder"): each is indexed with its own parts.
    """
    dated = date_parts(word) if word[:1].isdigit() else ()
    if dated:
        return dated
    if completed:
        extra = [piece for full in completed for piece in (full, *compound_parts(full))]
        return tuple(dict.fromkeys([*compound_parts(word), *extra]))
    if "-" in word or "/" in word:
        # "it-strategi", and words joined by a slash ("Kara/Noveren", "bolig/erhverv"), which the
        # tokeniser keeps whole for the sake of numbers ("12/27845"): each piece is a part, a piece
        # of letters and digits too ("CO2-udledning": "co2 udledning" finds it), never a number.
        pieces = [p for p in re.split(r"[-/]", word) if len(p) > 2 and p.isalnum() and not p.isdigit()]
        parts: list[str] = []
        for piece in pieces:
            parts += [piece, *split_compound(normalise_variant(piece))]
        return tuple(dict.fromkeys(parts)) if len(pieces) > 1 else tuple(parts)
    return split_compound(normalise_variant(word))


def index_parts(word: str, completed: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What the compound-parts field indexes for a lower-case word: its parts
    (``compound_parts``), then the other members of its verb family whose terms the word and
    its parts do not already make (``verb_partners``)."""
    parts = compound_parts(word, completed)
    partners = verb_partners(word, parts)
    return (*parts, *partners) if partners else parts


def verb_partners(word: str, parts: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The verb or nouns of a word's verb family (``lexicon.verb_family``) whose terms differ from
    the word's own and its parts': "nedrevet" → nedrivning, "tilbygningen" → tilbygge,
    "nedlæggelse" → nedlægning (its verb nedlægge it meets already).  Indexed among the parts, a
    lower-weighted field, so "nedrivning af byhuse" finds the item writing "byhuset nedrives"
    below one writing "nedrivning", and a lexicalised noun (ledning, bygning) never stands for
    its verb in the main fields nor in the title's parts (``title_parts_analyzer``).  Only the
    word's own family: its parts' families too (vand·ledning → lede) found no judged dev item
    more and moved four other rankings.  The bare stem of an -ere verb stays the noun's plural it mostly
    is ("parker": parks, not parking; see ``verbal_noun``)."""
    written = danish_spelling(normalise_variant(word))
    lemma = lemmatise(written)
    if written == lemma[:-1]:
        return ()
    family = verb_family(lemma) or verb_family(written)
    if not family:
        return ()
    seen = {stem_term(word), *(stem_term(part) for part in parts)}
    found = []
    for member in family:
        term = stem_term(member)
        if term not in seen:
            seen.add(term)
            found.append(member)
    return tuple(found)


class SnowballFilter(Filter):
    """Plain Snowball on words longer than two letters (the baseline pipeline)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            if not t.stopped and len(t.text) > 2 and not t.text[0].isdigit():
                t.text = snowball_stem(t.text)
            yield t


class FoldFilter(Filter):
    """æ→ae, ø→oe, å→aa, after stemming so Snowball still sees real Danish."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            t.text = fold(t.text)
            yield t


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def plain_tokenizer() -> RegexTokenizer:
    """Words without the signs (``PLAIN_WORD_PATTERN``): the baselines' tokeniser."""
    return RegexTokenizer(PLAIN_WORD_PATTERN)


@cache
def danish_analyzer():  # type: ignore[no-untyped-def]
    """The analyzer for stemmed text fields (title, body, decision, attachments).

    A stop word is left out but keeps its place (``renumber=False``): the next word's position
    counts it, so "affaldsplan og godkendelse" holds a gap a quoted "affaldsplan godkendelse"
    does not span, and "kommissorium om guide" finds "kommissoriet om guiden" by its stems."""
    return (
        tokenizer()
        | NormaliseFilter()
        | LowercaseFilter()
        | SignWordsFilter()
        | StopFilter(stoplist=DANISH_STOP_WORDS, minsize=1, renumber=False)
        | DanishStemFilter()
    )


@cache
def compound_analyzer(partners: bool = True):  # type: ignore[no-untyped-def]
    """The analyzer for the lower-weighted ``parts`` field: only compound parts' stems, and the
    word's verb family (``partners``; see ``title_parts_analyzer``).

    Indexing "personalepolitikken" yields the terms of "personale" and "politik" at the
    word's position; a simple word yields nothing.  Querying yields the same terms as
    ``danish_analyzer()``, so a query word is matched against the parts.
    """
    return (
        SuspendedCompoundTokenizer(WORD_PATTERN)
        | NormaliseFilter()
        | CamelPartsFilter()
        | LowercaseFilter()
        | SignWordsFilter()
        | StopFilter(stoplist=DANISH_STOP_WORDS, minsize=1, renumber=False)
        | CompoundPartsFilter(partners=partners)
        | DanishStemFilter()
    )


def title_parts_analyzer():  # type: ignore[no-untyped-def]
    """``compound_analyzer()`` without the verb families: for the title's parts, weighted as the
    title is, where a partner ("nedrivning" for a title's "nedrives") would weigh as much as the
    typed word in the title itself."""
    return compound_analyzer(partners=False)


@cache
def snowball_analyzer():  # type: ignore[no-untyped-def]
    """The earlier pipeline (Snowball only), kept as the baseline for measurements."""
    return (
        plain_tokenizer()
        | NormaliseFilter()
        | LowercaseFilter()
        | StopFilter(stoplist=DANISH_STOP_WORDS, minsize=1)
        | SnowballFilter()
        | FoldFilter()
    )


@cache
def exact_analyzer():  # type: ignore[no-untyped-def]
    """Unstemmed, unstopped, unfolded: exact forms, phrases, and the spelling vocabulary
    (did-you-mean and autocomplete must offer real Danish spellings, not folded ones); a sign
    as its word ("%" as "procent")."""
    return tokenizer() | NormaliseFilter() | LowercaseFilter() | SignWordsFilter()


@cache
def plain_exact_analyzer():  # type: ignore[no-untyped-def]
    """``exact_analyzer`` without the signs: the Snowball baseline's exact forms."""
    return plain_tokenizer() | NormaliseFilter() | LowercaseFilter()


def analyse(text: str, analyzer=None) -> list[str]:  # type: ignore[no-untyped-def]
    """The terms ``text`` becomes in the index: handy in tests and debugging."""
    analyzer = analyzer or danish_analyzer()
    return [t.text for t in analyzer(text)]
