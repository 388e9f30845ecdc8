"""Danish compound splitting: "personalepolitikken" → personale + politik.

Danish writes compounds as one word, so a search for "politik" misses
"personalepolitikken" unless the index also knows the parts.  The splitter works on
the compound's lemma and accepts a split only when both sides are words the
full-form dictionary knows (see ``indexer.analysis.lexicon``):

* the head (right side) must be a known word that is not a bare suffix
  ("-hed", "-skab", "-else" are derivations, not words in a compound);
* the modifier (left side) may carry a linking -s- or -e-
  (sundhed·s·plan, børn·e·have, arbejd(e)·s·plads) and is split again;
* prefixes and prepositions (for-, over-, til-, ud-, ind- …) never count as a
  modifier: "forslag" is not for + slag, "tilskud" is not til + skud;
* a noun derived from a known compound verb stays whole: "vejledning" comes
  from "vejlede", not from vej + ledning.

Among the accepted splits one whose modifier is a word as written wins ("landsby·fornyelse"
over "lands·byfornyelse": a linking -s- inside a known word is that word's), then the one with
the longest head, which is how Danish compounds are built (the head carries the meaning, the
modifier narrows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from indexer.analysis.lexicon import dictionary_lemma, is_known, is_verb, lemmatise, restore_danish_letters

MIN_COMPOUND = 6
MIN_HEAD = 3
MIN_MODIFIER = 3
MAX_DEPTH = 3
# Parts nested inside a part are only split out when the part is this long.
MIN_NESTED_COMPOUND = 8

# Three-letter words are mostly accidental substrings (per·sone, bet·ale, hid·til);
# only these common compound members may be a three-letter part.
SHORT_PARTS = frozenset(
    [
        "råd",
        "hus",
        "vej",
        "sag",
        "sti",
        "lov",
        "dag",
        "bil",
        "bus",
        "tog",
        "sol",
        "mål",
        "art",
        "tid",
        "liv",
        "løn",
        "syn",
        "båd",
        "bro",
        "eng",
        "mad",
        "ild",
        "gas",
        "tag",
        "rum",
        "vin",
        "fag",
        "ven",
        "bad",
        "tab",
        "køb",
        "del",
        "top",
        "net",
        "mur",
        "dør",
        "ark",
        "fly",
        "vand",
        "skov",
        "jord",
        "hav",
        "sø",
        "ø",
        "by",
        "ur",
        "øl",
        "kød",
        "æg",
        "is",
        "ler",
        "sky",
        "dyr",
        "får",
        "ko",
        "hund",
        "kat",
        "hest",
        "ost",
        "sal",
        "bog",
        "ret",
        "elv",
        "spor",
    ]
)

# Right-hand pieces that are suffixes or inflections, although the dictionary also
# lists them as words (hed "heath", skab "cupboard", igen "again", ende "end").
BLOCKED_HEADS = frozenset(
    [
        "hed",
        "hede",
        "skab",
        "dom",
        "else",
        "ning",
        "ing",
        "lig",
        "lige",
        "ligt",
        "ende",
        "ene",
        "ens",
        "erne",
        "er",
        "ere",
        "eren",
        "inde",
        "isk",
        "iske",
        "sel",
        "ion",
        "ist",
        "ment",
        "ses",
        "ser",
        "sen",
        "sig",
        "ande",
        "vis",
        "ved",
        "tet",
        "den",
        "det",
        "der",
        "for",
        "til",
        "med",
        "fra",
        "om",
        "på",
        "af",
        "ud",
        "op",
        "ind",
        "ned",
        "ske",
    ]
)
# Left-hand pieces that are prefixes, prepositions or particles, not modifiers.
BLOCKED_MODIFIERS = frozenset(
    [
        "for",
        "fore",
        "over",
        "under",
        "mod",
        "med",
        "til",
        "ind",
        "ud",
        "op",
        "af",
        "om",
        "på",
        "ned",
        "fra",
        "efter",
        "hen",
        "gen",
        "sam",
        "mis",
        "van",
        "bag",
        "ved",
        "mel",
        "mellem",
        "imod",
        "igen",
        "ikke",
        "ene",
        "and",
        "anden",
        "eller",
        "samt",
        "ere",
        "ger",
        "ter",
        "ner",
        "ler",
        "del",
        "forud",
        "gennem",
        "neden",
        "oven",
        "videre",
        "sammen",
        "tilbage",
        "tilrette",
        "frem",
        "hjem",
        "bort",
        "rundt",
        "uden",
        "inden",
    ]
)
# Derivational endings: a noun ending so, whose stem is a known verb, is one word.
DERIVATION_ENDINGS = ("ning", "else", "ing", "sel")
# Endings after which Danish joins a compound with a linking -s- (sundhed·s·plan,
# bevægelse·s·park, funktion·s·kontrakt, ungdom·s·skole, kvalitet·s·udvikling).  A
# modifier so ending takes the -s-, so the head never starts with it: "bevægelsespark" is
# bevægelse + park, not bevægelse + spark; and an unknown modifier so ending, with its
# -s-, is a word of its own ("partnering·s·kontrakt").
LINKING_S_ENDINGS = ("else", "hed", "ing", "tion", "sion", "dom", "skab", "tet")
MIN_UNKNOWN_MODIFIER = 7
# A word no dictionary knows and that no known modifier explains, ending in a known word of
# at least this many letters, is that word narrowed by a name or a new word: "Gellerup·byggeriet",
# "Frederiksbjerg·processen", "Nekselø·færgen".  (Shorter heads such as -vej, -gade, -borg, -park
# end place names themselves: Rønbækvej is a street, not a kind of road.)
MIN_NAMED_HEAD = 5


def _derived_from_known_verb(lemma: str) -> bool:
    if lemma.endswith("ere"):  # loan verbs: konkludere is not konk + ludere
        return True
    for ending in DERIVATION_ENDINGS:
        if lemma.endswith(ending) and len(lemma) > len(ending) + 3:
            base = lemma[: -len(ending)]
            if is_known(base + "e") or (ending == "ning" and is_known(base + "ne")):
                return True
    return False


def _short_part_allowed(part: str) -> bool:
    return len(part) > 3 or part in SHORT_PARTS


def _head_lemma(head: str) -> str | None:
    if len(head) < MIN_HEAD or head in BLOCKED_HEADS or not _short_part_allowed(head):
        return None
    lemma = dictionary_lemma(head)
    # A head lemma longer than the head is list noise ("svej" → "svejfe"), not inflection.
    if lemma is None or lemma in BLOCKED_HEADS or len(lemma) < MIN_HEAD or len(lemma) > len(head):
        return None
    return lemma


def _modifier_lemmas(modifier: str, depth: int) -> list[str] | None:
    """Lemma(s) a modifier stands for: a known word as written or without a linking -s-/-e-
    (any of them before a split: "arbejdsmarkeds" is arbejdsmarked·s, not a compound of its
    own), then a compound of its own, named without its linking -s- ("landsbyfornyelses" →
    landsbyfornyelse, landsby, fornyelse)."""
    candidates = [modifier]
    if modifier.endswith("s"):
        candidates += [modifier[:-1], modifier[:-1] + "e"]
    if modifier.endswith("e"):
        candidates.append(modifier[:-1])
    usable = [
        candidate
        for candidate in candidates
        if len(candidate) >= MIN_MODIFIER and candidate not in BLOCKED_MODIFIERS and _short_part_allowed(candidate)
    ]
    for candidate in usable:
        lemma = dictionary_lemma(candidate)
        if lemma is not None and lemma not in BLOCKED_MODIFIERS:
            return [lemma, *_nested_parts(lemma, depth)]
    if depth < MAX_DEPTH:
        # without its linking -s- where that splits too ("landsbyfornyelses" → landsbyfornyelse),
        # else as written ("plejehus": "plejehu" is no compound)
        unlinked = modifier[:-1] if modifier.endswith("s") and modifier[:-1] in usable else None
        ordered = [unlinked, *(c for c in usable if c != unlinked)] if unlinked else usable
        for candidate in ordered:
            parts = _split(candidate, depth + 1)
            if parts:
                return [candidate, *parts]
    bare = modifier[:-1]
    if modifier.endswith("s") and len(bare) >= MIN_UNKNOWN_MODIFIER and bare.endswith(LINKING_S_ENDINGS):
        return [bare]  # a derived word the dictionary lacks, followed by its linking -s-
    return None


def _takes_linking_s(modifier: str, head: str) -> bool:
    """The cut falls before a linking -s- ("bevægelse|spark"): the -s- belongs to the modifier."""
    return head.startswith("s") and modifier.endswith(LINKING_S_ENDINGS) and _head_lemma(head[1:]) is not None


def _nested_parts(part: str, depth: int) -> tuple[str, ...]:
    """A known word inside a compound is split again only when long (vindmølle, kolonihave)."""
    if len(part) < MIN_NESTED_COMPOUND:
        return ()
    return _split(part, depth + 1)


def _cuts(word: str, depth: int) -> Iterator[tuple[int, list[str], str]]:
    """Every place a word can be cut into modifier + head: (cut, modifier parts, head lemma)."""
    for cut in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
        head_lemma = _head_lemma(word[cut:])
        if head_lemma is None or _takes_linking_s(word[:cut], word[cut:]):
            continue
        modifier_parts = _modifier_lemmas(word[:cut], depth)
        if modifier_parts is not None:
            yield cut, modifier_parts, head_lemma


def _cut_rank(word: str, cut: tuple[int, list[str], str]) -> tuple[bool, int]:
    """How a cut ranks among a word's cuts, lowest first: a cut whose modifier is a word as
    written ("landsby|fornyelse") before one that needs a linking letter or an inflection to be
    one ("lands|byfornyelse"), for a compound holding a linking -s- is a word of its own; then
    the longest head, which is how Danish compounds are built."""
    position, _, _ = cut
    modifier = word[:position]
    return dictionary_lemma(modifier) != modifier, position


@lru_cache(maxsize=200_000)
def _split(lemma: str, depth: int) -> tuple[str, ...]:
    if depth > MAX_DEPTH or len(lemma) < MIN_COMPOUND or _derived_from_known_verb(lemma):
        return ()
    cuts = sorted(_cuts(lemma, depth), key=lambda cut: _cut_rank(lemma, cut))
    if not cuts:
        return _short_modifier_split(lemma, depth) or (_named_modifier_split(lemma) if depth == 0 else ())
    _, modifier_parts, head_lemma = cuts[0]
    parts = [*modifier_parts, head_lemma, *_nested_parts(head_lemma, depth)]
    if depth == 0:
        # A compound whose modifier is itself a compound ("solvarme·anlæg", "vindmølle·parken")
        # also holds that modifier: the best cut wins the split above, so the
        # left-hand compound is added from the other places the word can be cut — where
        # that cut's head is a part found already (anlæg, park) or the left-hand side a word
        # of its own (landsby·fornyelse, diesel·biler), not a piece across a part
        # ("gadebil·ledet" is no cut of gade·billede, "brugercent·ret" none of bruger·centret).
        # So is a right-hand compound made of parts found ("fjernvarme·forsyning" holds
        # varmeforsyning), never a word across a part ("vej·strækning" holds no "trækning").
        found = set(parts)
        for _, modifier, head in cuts[1:]:
            if head in found or is_known(modifier[0]):
                parts.append(modifier[0])
            head_parts = _split(head, depth + 1)
            if head not in found and head_parts and set(head_parts) <= found:
                parts.append(head)
    return tuple(dict.fromkeys(parts))


def _short_modifier_split(lemma: str, depth: int) -> tuple[str, ...]:
    """(modifier, head, the head's parts) of a word that no other cut explains: a three-letter
    word narrowing a head that is a dictionary compound of its own ("fri·plejebolig" → fri,
    plejebolig, pleje, bolig); () otherwise.  Three-letter pieces are mostly accidents of
    spelling (per·sone, bet·ale), so ``SHORT_PARTS`` lists the few trusted anywhere; an accident
    would also need the rest of the word to be a known compound that splits again, which a
    random cut rarely leaves ("fri|villig", "fri|skole" stay whole).  Only where no ordinary cut
    exists: "biogas·anlæg" is not bio + gasanlæg."""
    modifier, head = lemma[:MIN_MODIFIER], lemma[MIN_MODIFIER:]
    if modifier in BLOCKED_MODIFIERS or dictionary_lemma(modifier) != modifier or not is_known(head):
        return ()
    head_lemma = _head_lemma(head)
    if head_lemma is None or len(head_lemma) < MIN_NESTED_COMPOUND:
        return ()
    head_parts = _split(head_lemma, depth + 1)
    return tuple(dict.fromkeys([modifier, head_lemma, *head_parts])) if head_parts else ()


def _named_modifier_split(lemma: str) -> tuple[str, ...]:
    """(modifier, head lemma, the head's own parts) of an unknown word that ends in a long known
    word after an unknown modifier of ``MIN_UNKNOWN_MODIFIER`` letters or more; () otherwise.
    The longest such head wins, as in ``_split``."""
    if is_known(lemma):
        return ()
    for cut in range(MIN_UNKNOWN_MODIFIER, len(lemma) - MIN_NAMED_HEAD + 1):
        head_lemma = _head_lemma(lemma[cut:])
        modifier = lemma[:cut]
        if head_lemma is None or len(head_lemma) < MIN_NAMED_HEAD or is_known(modifier):
            continue
        return tuple(dict.fromkeys([modifier, head_lemma, *_nested_parts(head_lemma, 0)]))
    return ()


@lru_cache(maxsize=100_000)
def compound_head(word: str) -> str | None:
    """The head of a compound as written ("anlægsarbejder" → "arbejder"), or None.
    (Remembered: the last conjunct of a committee's name recurs in item after item.)

    Used to complete a suspended compound: in "bygge- og anlægsarbejder" the first
    conjunct borrows the last one's head and means "byggearbejder".
    """
    word = word.lower()
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return None
    word = restore_danish_letters(word)
    # The shortest head: "vind- og solvarmeanlæg" are vindanlæg and solvarmeanlæg.  Of the heads
    # the split reads as parts of the word, where it names any: the shortest word a compound can
    # be cut at is often no part of it ("samværstil·buddet", "varmefor·syninger": "aktivitets- og
    # samværstilbuddet" is aktivitetstilbuddet, not aktivitetsbuddet; "vand- og
    # varmeforsyninger" vandforsyninger, not vandsyninger).
    parts = set(split_compound(word))
    cuts = [(cut, head_lemma in parts) for cut, _, head_lemma in _cuts(word, 0)]
    named = [cut for cut, is_part in cuts if is_part] or [cut for cut, _ in cuts]
    return word[named[-1] :] if named else None


def _modifier_of_its_own(written: str, head_lemma: str, parts: tuple[str, ...]) -> bool:
    """A modifier someone writing the compound apart would write as a word: one the dictionary
    knows, or the compound of known words the split reads as the whole's modifier, before a head
    that is a part ("landsbyfornyelses" in landsbyfornyelses·pulje; not "sandsyn" in
    sand·synlighed, nor "vestsjæl" in vest·sjælland, pieces across a part)."""
    if is_known(written):
        return True
    if not parts or head_lemma not in parts:
        return False
    named = {written, lemmatise(written)} | ({written[:-1]} if written.endswith(("s", "e")) else set())
    own = split_compound(written)
    return parts[0] in named and bool(own) and all(is_known(part) for part in own)


@lru_cache(maxsize=20_000)
def compound_cuts(word: str) -> tuple[tuple[str, str], ...]:
    """(modifier, head) as written at each cut of a compound where both sides are words of
    their own, the longest modifier first ("vindmølleparken" → vindmølle + parken, vind +
    mølleparken; "anlægsarbejder" → anlægs + arbejder; "landsbyfornyelsespulje" →
    landsbyfornyelses + pulje, the modifier a compound of known words; "lokalplanforslaget" gives no
    lokalplanfors + laget; "udviklingønsker" none): the ways the compound may be written apart."""
    written = restore_danish_letters(word.lower())
    if len(written) < MIN_COMPOUND or not written.isalpha():
        return ()
    parts = split_compound(written)
    found = [
        (written[:cut], written[cut:])
        for cut, _, head_lemma in _cuts(written, 0)
        if _modifier_of_its_own(written[:cut], head_lemma, parts)
        and is_known(written[cut:])
        # Danish joins these with an -s-: without it the compound is a slip ("udviklingønsker"),
        # never a compound someone wrote apart.
        and not written[:cut].endswith(LINKING_S_ENDINGS)
    ]
    return tuple(reversed(found))


@lru_cache(maxsize=300_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Lemmas of a compound's parts (modifier first, nested compounds included), or ()."""
    word = restore_danish_letters(word.lower())
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    lemma = lemmatise(word)
    if is_verb(lemma):
        # A verb is no compound of its pieces: most are a particle or prefix and a verb whose
        # sense they change (indeholde is no holding, fastlægge no laying, varetage no "vare"),
        # and the cuts read many wrongly (besk·rive, bort·skaffe as borte·kaffe).
        return ()
    return tuple(part for part in _split(lemma, 0) if part != lemma)
