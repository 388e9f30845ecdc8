"""Danish word knowledge: spelling variants, full-form lemma lookup, compound heads.

Snowball strips one suffix, so "arbejdsplads" and "arbejdspladser" end on different
stems.  A full-form dictionary (simplemma's Danish list, ~790k forms, MIT) maps every
inflected form to its lemma first; Snowball then only has to agree on lemmas.  Words
the dictionary lacks (new compounds such as "mediestrategien") are lemmatised through
their longest known head: "mediestrateg|ien" → "medie" + lemma("strategien").

Everything here is cached: the analysis pipeline calls it for every indexed word.
"""

from __future__ import annotations

import json
import marshal
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

# The Danish vowels (a doubled consonant follows a short one; a vowel for another is a cheap slip).
VOWELS = frozenset("aeiouyæøå")
# Shortest word we trust the dictionary for: three-letter forms are too often
# homographs of another word's inflection (dør "door"/"dies", led, bar, bad).
MIN_LEMMA_WORD = 4
# Shortest head/modifier when lemmatising an unknown compound through its head.
MIN_HEAD = 3
MIN_MODIFIER = 3

# Spelling variants in real use, rewritten to one spelling before lookup.
# Substring rules apply inside compounds too (retningslinier, tidslinien).
VARIANT_SUBSTRINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"linie"), "linje"),
    (re.compile(r"^e-mail"), "email"),
)
# Each of æ/ø/å and the two letters written for it without Danish letters (Aarhus, faellesvej,
# Roesnaes): the one table the analysis and "Mente du" (``indexer.search.spelling``) share.
# In this order, which the replacements below follow: "aae" reads "åe", not "aæ".
DANISH_DIGRAPHS: tuple[tuple[str, str], ...] = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
# Whole-word variants: common abbreviations written in minutes.
VARIANT_WORDS: dict[str, str] = {
    "evt": "eventuel",
    "mio": "million",
    "mia": "milliard",
    "pct": "procent",
    "kr": "krone",
    "vedr": "vedrørende",
    "inkl": "inklusive",
    "ekskl": "eksklusive",
    "hhv": "henholdsvis",
    "ca": "cirka",
    "byrå": "bureau",
    "nivå": "niveau",
    "majonæse": "mayonnaise",
    "chaufør": "chauffør",
}


# Forms the dictionary lemmatises wrongly (leder "leader" is not a form of led "joint").
LEMMA_CORRECTIONS: dict[str, str] = {
    form: "leder" for form in ("leder", "lederen", "lederens", "ledere", "lederne", "ledernes", "lederes")
}


def normalise_variant(word: str) -> str:
    """One spelling for words Danish writes two ways: "retningslinier" → "retningslinjer"."""
    replaced = VARIANT_WORDS.get(word)
    if replaced is not None:
        return replaced
    for pattern, replacement in VARIANT_SUBSTRINGS:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=1)
def _forms() -> Mapping[str, str]:
    """The full-form → lemma table, loaded once per process (100 MB).  simplemma ships it
    front-coded and compressed: decoding takes about 0.9 CPU s, so the decoded table is kept
    in the user's cache (``marshal``, bytes only: 0.3 s to read), one file per simplemma
    version and data file; without a usable cache, simplemma's own loader."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    try:
        from simplemma.strategies.dictionaries import dictionary_factory as factory

        return factory.MappingStrToByteString(_decoded_forms(factory))  # type: ignore[no-any-return]
    except (AttributeError, ImportError, OSError, ValueError, EOFError, TypeError):
        return DefaultDictionaryFactory().get_dictionary("da")  # type: ignore[no-any-return]


def _decoded_forms(factory: Any) -> dict[bytes, bytes]:
    """simplemma's Danish table as bytes → bytes, from the user's cache when it holds this
    version's (written there the first time, atomically)."""
    import simplemma

    source = Path(factory.DATA_FOLDER) / "da.plzma"
    stat = source.stat()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    cached = (
        Path(base)
        / "minutes-search"
        / f"simplemma-{simplemma.__version__}-da-{stat.st_size}-{stat.st_mtime_ns}.marshal"
    )
    try:
        table = marshal.loads(cached.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = factory._load_dictionary_from_disk("da")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(table))
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only home: decode again next time
    return table  # type: ignore[no-any-return]


def dictionary_lemma(word: str) -> str | None:
    """The dictionary's lemma for an exact lower-case form, or None if unknown.

    Suppletive lemmas (bedre → god, flere → mange) are refused: a reader searching
    "god" does not mean "bedre", and the stemmer keeps such words apart anyway.  So are
    lemmas much longer than the form, which are list noise (børne → barnebarn; such a form is
    read as a compound's modifier, ``_modifier_form``).

    A plural the dictionary names as the lemma of its own definite forms is a lemma: it
    lemmatises "forældrene", "forældres" to "forældre", but "forældre" on to "forælder" and that
    to "forælde" (the verb "grow outdated"), so the plural stemmed apart from its definite forms,
    which plain Snowball keeps together ("forældr"), and met "forældet".  The dictionary holds
    three such words (forældre; vegne, whose "på vegne af" it read as the verb "vige"; lime).
    """
    lemma = LEMMA_CORRECTIONS.get(word) or _forms().get(word)
    if lemma is None or not lemma or lemma[0] != word[0]:
        return None
    if len(lemma) > len(word) + 2:
        return _modifier_form(word)
    if lemma != word and word.endswith("e") and _forms().get(word + "ne") == word:
        return word  # a plural named as its definite form's lemma
    return lemma


def _modifier_form(word: str) -> str | None:
    """A form the dictionary lists only as a piece of a longer compound ("børne" → "barnebarn",
    from "børnebørn"), read as a compound's modifier is read: without its linking -e- ("børne"
    → "børn" → "barn").  In minutes it stands alone as a suspended modifier ("Børne- og
    Ungeudvalget"), and the compounds' parts already name it so (børne·have → barn, have)."""
    if len(word) <= MIN_LEMMA_WORD or not word.endswith("e"):
        return None
    lemma = _forms().get(word[:-1])
    if lemma is None or not lemma or lemma[0] != word[0] or len(lemma) > len(word) + 1:
        return None
    return lemma


def is_known(word: str) -> bool:
    """True for any form the dictionary lists."""
    return _forms().get(word) is not None


@lru_cache(maxsize=300_000)
def short_lemma(word: str) -> str:
    """A three-letter inflection in -e or -t of a two-letter word meets it ("nye", "nyt" → "ny";
    "set" → "se"; "råt" → "rå"): the only three-letter forms trusted to the dictionary, since its
    lemma is the word less that ending, a shape the homographs ``MIN_LEMMA_WORD`` guards against
    do not have ("dør" is "dø" + r, "led" is "lide")."""
    if len(word) == 3 and word[-1] in "et" and word.isalpha() and dictionary_lemma(word) == word[:-1]:
        return word[:-1]
    return word


def lemmatise(word: str) -> str:
    """Best lemma for a lower-case word; the word itself when nothing better is known.

    A form the dictionary's compounds read as another lemma than it gives the form alone is
    read as the compounds read it, alone too ("centret" → "center", not "centrum"; "cykler" →
    "cykel", not "cyklus"): alone, the dictionary names one reading of a homograph, the
    compounds count which one Danish writing uses, and without this "cyklerne" met "cykelsti"
    and "cykelparkering" but not "cykel".  Not where the form's own reading is a verb's
    ("mangler", "varsler"): its other forms ("manglede", "manglende") would part from it."""
    if len(word) < MIN_LEMMA_WORD or not word.isalpha():
        return short_lemma(word)
    lemma = dictionary_lemma(word)
    head_reading = compound_head_lemmas().get(word)
    if head_reading is not None and not (lemma is not None and is_verb(lemma)):
        return head_reading
    if lemma is not None:
        return lemma
    variant = linking_s_variant(word)
    if variant is not None:
        return dictionary_lemma(variant) or variant
    owner = genitive_of(word)
    if owner is not None:
        return owner
    # Unknown word: lemmatise through the longest known head of a compound, read as the
    # dictionary's own compounds read it (jobcentret → jobcenter, as plejecentret → plejecenter).
    head_lemmas = compound_head_lemmas()
    for split in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
        head = word[split:]
        if len(head) < MIN_LEMMA_WORD:
            break
        head_lemma = head_lemmas.get(head) or dictionary_lemma(head)
        # Through a head, only lemmas that shorten or keep the length: a longer one
        # is mostly list noise for a short head ("svej" → "svejfe" in "fællesvej").
        if head_lemma is not None and len(head_lemma) <= len(head):
            return word[:split] + head_lemma
    return word


def genitive_of(word: str) -> str | None:
    """The lemma of the word a genitive the dictionary lacks is made of: "gamles" (the old
    people's) → "gamle" → "gammel".  Snowball takes the -s off with the rest of the ending, so
    without this the genitive stemmed apart from every form the dictionary moves to its lemma
    (gamle → gammel, gamles → "gaml").  Only a word unknown as written, whose form without the
    -s is a known one; a compound the dictionary lacks goes on to its head."""
    if len(word) <= MIN_LEMMA_WORD or not word.endswith("s") or is_known(word):
        return None
    return dictionary_lemma(word[:-1])


@lru_cache(maxsize=1)
def compound_head_lemmas() -> Mapping[str, str]:
    """Head form → the lemma the dictionary's compounds give it where that is not the head's own
    ("centret" → "center", "priser" → "pris"): generated from the dictionary by
    ``indexer.analysis.headlemmas``; empty when the file is missing."""
    path = Path(__file__).resolve().parents[1] / "resources" / "compound-head-lemmas.json"
    try:
        table = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


# Shortest modifier and head of a compound whose linking -s- is written or left out.
MIN_LINKED_MODIFIER = 3
MIN_LINKED_HEAD = 4


def linking_s_variant(word: str) -> str | None:
    """The dictionary's compound that an unknown word writes with or without a linking -s-:
    "dagsinstitution" → "daginstitution", "driftbudget" → "driftsbudget", "landszonetilladelse"
    → "landzonetilladelse"; None when there is none.

    Danish is unsure of the -s- between some parts (dag(s)institution, tid(s)plan, drift(s)udgift),
    and minutes write both; the two spellings are one word.  Both sides of the cut must be words
    of their own, and an -s- that begins a word is the head's (køre·pladserne is not
    "køreplader" without its s; til·stræk is no "tiltræk")."""
    if not word.isalpha() or len(word) < MIN_LINKED_MODIFIER + MIN_LINKED_HEAD + 1 or is_known(word):
        return None
    for cut in range(MIN_LINKED_MODIFIER, len(word) - MIN_LINKED_HEAD + 1):
        modifier, rest = word[:cut], word[cut:]
        if not is_known(modifier):
            continue
        if rest[0] == "s" and len(rest) > MIN_LINKED_HEAD and is_known(rest[1:]) and not is_known(rest):
            if is_known(modifier + rest[1:]):
                return modifier + rest[1:]
        elif rest[0] != "s" and modifier[-1] != "s" and is_known(rest) and is_known(modifier + "s" + rest):
            return modifier + "s" + rest
    return None


# Shortest -ere verb whose -ering noun is looked up ("placere"; not "mere", "flere").
MIN_ERE_VERB = 6


@lru_cache(maxsize=100_000)
def verbal_noun(lemma: str, form: str = "") -> str:
    """ "renovere" → "renovering": a verb in -ere meets its noun in -ering, when the dictionary
    lists that noun as a lemma of its own.

    Danish makes the noun of every such verb with -ering (etablere/etablering, vurdere/vurdering,
    prioritere/prioritering), and minutes write both for one act: "renoveringen af kajen" and
    "kajen renoveres".  Snowball keeps them apart, and stems the verb so short that it meets
    unrelated words ("parkere" → "park", "sortere" → "sort", "håndtere" → "hånd"); through the
    noun the verb's forms meet their noun and leave those.  The bare stem (``form`` "parker",
    "marker", "budgetter") gets no -ering: the dictionary reads it as the imperative, but in
    minutes it is a noun's plural (parks, fields, budgets), and is read as one (``plural_noun``).

    The other way round, the present tense in -erer of an -ere verb the dictionary lists is read
    as the verb's, though the dictionary reads it as a noun's plural ("finansierer" as
    "financiers", "citerer" as "zithers"): minutes write "kommunen finansierer", and the noun's
    reading had parted it from finansiere, finansieres, finansiering ("finansi").
    """
    if form.endswith("erer") and lemma != form[:-1] and dictionary_lemma(form[:-1]) == form[:-1]:
        lemma = form[:-1]  # a present tense the dictionary reads as a noun's plural
    if len(lemma) < MIN_ERE_VERB or not lemma.endswith("ere"):
        return lemma
    if form == lemma[:-1]:
        return plural_noun(form) or lemma
    noun = lemma[:-1] + "ing"
    return noun if dictionary_lemma(noun) == noun else lemma


def plural_noun(form: str) -> str | None:
    """The noun whose plural a bare -ere verb stem is ("budgetter" → "budget", "marker" → "mark",
    "adresser" → "adresse"), when the dictionary lists such a noun.  The dictionary reads the form
    as the verb's imperative ("budgettere"), which Snowball stems "budget" while the noun and its
    other forms are "budg" (budget, budgettet, budgetterne): the plural stemmed apart from its
    own noun.  A plural adds -r to a noun in -e, -er to the rest, doubling a final consonant after
    a short vowel (budget·t·er); a stem in -erer is a verb in -erere's (moderer, snedkerer), no
    plural."""
    candidates = [form[:-1]]
    if not form.endswith("erer"):
        candidates.append(form[:-2])
    if len(form) > 4 and form[-3] == form[-4]:
        candidates.append(form[:-3])
    for noun in candidates:
        if len(noun) >= MIN_LEMMA_WORD and dictionary_lemma(noun) == noun:
            return noun
    return None


@lru_cache(maxsize=100_000)
def restore_danish_letters(word: str) -> str:
    """ "faellesvej" → "fællesvej", "loebende" → "løbende": the Danish spelling of a word
    typed with aa/ae/oe, when only that spelling is a known word.

    Folding after stemming already joins words whose stems agree, but the lemma
    lookup needs the real letters; a word the dictionary knows as typed is left alone.
    """
    if len(word) < MIN_LEMMA_WORD or any(c in word for c in "æøå") or is_known(word):
        return word
    if not any(digraph in word for digraph, _ in DANISH_DIGRAPHS):
        return word
    candidates = [word]
    for digraph, letter in DANISH_DIGRAPHS:
        candidates += [c.replace(digraph, letter) for c in candidates if digraph in c]
    for candidate in candidates[1:]:
        if is_known(candidate):
            return candidate
    return word


# Shortest verb whose nouns are looked up ("frede"; not "gå", "se").
MIN_FAMILY_VERB = 4


def is_verb(word: str) -> bool:
    """True when the dictionary reads ``word`` as an infinitive: its present participle (word +
    "nde": "nedrivende", "dispenserende") is listed as a form of it.  Nouns and adjectives in -e
    have none ("rige", "lige", "kongekrone"), and the participle is read so even where the
    dictionary gives the infinitive itself another lemma ("dispensere" → "dispenser")."""
    return len(word) >= MIN_FAMILY_VERB and word.endswith("e") and dictionary_lemma(word + "nde") == word


@lru_cache(maxsize=50_000)
def verb_nouns(verb: str) -> tuple[str, ...]:
    """The nouns Danish makes of a verb's stem that the dictionary lists as lemmas of their own:
    stem + -ning (nedrive → nedrivning; a doubled last consonant written once: nedlægge →
    nedlægning), + -ing (befordre → befordring, byggemodne → byggemodning), + -else (nedlægge →
    nedlæggelse), and for a loan verb in -ere its -ering and -ation nouns (dispensere →
    dispensation).  Empty for a word that is no verb."""
    if not is_verb(verb):
        return ()
    stem = verb[:-1]
    candidates = [stem + "ning", stem + "ing", stem + "else"]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in VOWELS:
        candidates.append(stem[:-1] + "ning")
    if verb.endswith("ere"):
        candidates.append(verb[:-3] + "ation")
    return tuple(noun for noun in dict.fromkeys(candidates) if dictionary_lemma(noun) == noun)


def _noun_verbs(noun: str) -> list[str]:
    """The verbs a noun in -ning/-ing/-else/-ation may be made of, by the rules of ``verb_nouns``."""
    out = []
    if noun.endswith("ation"):
        out.append(noun[:-5] + "ere")
    if noun.endswith("else"):
        out.append(noun[:-4] + "e")
    if noun.endswith("ning"):
        stem = noun[:-4]
        out.append(stem + "e")
        if stem and stem[-1] not in VOWELS:
            out.append(stem + stem[-1] + "e")
    if noun.endswith("ing"):
        out.append(noun[:-3] + "e")  # befordr·ing, tegn·ing, placer·ing
    return out


@lru_cache(maxsize=100_000)
def verb_family(lemma: str) -> tuple[str, ...]:
    """The other members of a lemma's verb family: a verb's listed nouns, or a noun's verb and
    that verb's other nouns ("nedrivning" → nedrive; "nedlægge" → nedlæggelse, nedlægning;
    "dispensation" → dispensere); () for a word of no such family.

    Minutes write one act as the verb or as its noun ("nedrivning af byhuse", "byhuset
    nedrives"), and Snowball keeps the -ning/-ing/-ation nouns apart from the verb (the -else
    noun and the -ering noun already meet it).  Many such nouns are lexicalised, though
    (ledning is no act of leading, bygning none of building), so the family is indexed only
    as the lower-weighted alternatives of the compound-parts field, never as the word itself."""
    if len(lemma) < MIN_FAMILY_VERB or not lemma.isalpha():
        return ()
    verb = lemma if verb_nouns(lemma) else None
    if verb is None and dictionary_lemma(lemma) == lemma:
        verb = next((v for v in _noun_verbs(lemma) if lemma in verb_nouns(v)), None)
    if verb is None:
        return ()
    return tuple(word for word in (verb, *verb_nouns(verb)) if word != lemma)
