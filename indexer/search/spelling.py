""" "Mente du": which of the index's words a misspelt word most likely meant.

Every engine lists the open words within two edits of the typed word with their frequency
(``Engine.near_words``); this module ranks them the same way for every engine.  A plain
edit count ranks "medio" and "medier" alike for "mediar", and frequency then picks the
wrong one; but people's slips are not all alike.  The cost of turning the typed word into a
candidate counts each edit by its kind, the slips people make cheapest:

* two neighbouring letters swapped (rottre → rotter), a doubled or undoubled letter
  (vinnter → vinter, riskov → risskov);
* æ/ø/å typed as ae/oe/aa or as a/o/a (naturomraadet, grønne → gronne);
* a letter for its neighbour on a Danish keyboard (bolug → bolig), a vowel for another in
  an unstressed syllable (mediar → medier), a missing linking -s- (anlægbevilling), a letter
  left out after the first (forbidelse → forbindelse, medir → medier: fast typing drops a
  letter more often than it adds or replaces one unlike its neighbours);
* the last letter left off (voldu → voldum: typing stopped short) a little less than an unlike
  letter added (voldu → vold), but never as little as one slip: the shorter word is often
  another form (rotte, rotter);
* any other letter added, dropped or replaced costs 1.

The score is the frequency's logarithm less ``EDIT_WEIGHT`` times the cost, so one cheaper
slip outweighs a word up to about e^(weight × difference) times more frequent: the edit decides,
frequency breaks ties (a noisy channel with a per-edit probability of about e^-5).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

from indexer.analysis.danish import fold
from indexer.analysis.lexicon import DANISH_DIGRAPHS, VOWELS

KEY_ROWS = ("1234567890+", "qwertyuiopå", "asdfghjklæø", "zxcvbnm")
# æ/ø/å as typed without them: the two-letter spelling (the analysis's table) and the plain
# letter, the digraph's first (æ → a, ø → o, å → a).
DIGRAPH_OF = {letter: digraph for digraph, letter in DANISH_DIGRAPHS}
PLAIN_LETTER_OF = {letter: digraph[0] for digraph, letter in DANISH_DIGRAPHS}

SWAP = 0.6
DOUBLE = 0.4
DANISH = 0.4
NEIGHBOUR_KEY = 0.7
VOWEL = 0.7
LINKING_S = 0.6
OMITTED = 0.7
# The last letter left off (typing stopped short: "voldu" for "voldum"): cheaper than an unlike
# letter added, but more than ONE_SLIP, since the shorter word is often another form of it
# ("rotte", "rotter"), which a word the minutes hold is never corrected into.
LAST_OMITTED = 0.8
EDIT_WEIGHT = 6.0
# A word the minutes hold as typed is corrected only into a word one slip of a kind above away
# (a swap, a doubled letter, æ/ø/å, a neighbouring key, a vowel): "lokalpaln" → "lokalplan",
# never a rare name into a common word ("sapa" → "samt", "risskov" → "risiko").
ONE_SLIP = 0.7


def _neighbours() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for row in KEY_ROWS:
        for n, key in enumerate(row):
            found.setdefault(key, set()).update(row[max(n - 1, 0) : n] + row[n + 1 : n + 2])
    return {k: frozenset(v) for k, v in found.items()}


NEIGHBOURS = _neighbours()


def _substitution(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if PLAIN_LETTER_OF.get(a) == b or PLAIN_LETTER_OF.get(b) == a:
        return DANISH
    if a in VOWELS and b in VOWELS:
        return VOWEL
    if b in NEIGHBOURS.get(a, ()):
        return NEIGHBOUR_KEY
    return 1.0


def _indel(word: str, i: int, linking_s: bool = True) -> float:
    """The cost of adding or dropping ``word[i]`` (the word that holds it).  ``linking_s``: an
    s inside the word may be a linking -s- left out; an s the typist added is no such slip
    ("måslet" is no "målet" with a linking -s-)."""
    letter = word[i]
    if (i > 0 and word[i - 1] == letter) or (i + 1 < len(word) and word[i + 1] == letter):
        return DOUBLE
    if linking_s and letter == "s" and 2 < i < len(word) - 2:
        return LINKING_S
    return 1.0


LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"


def one_edit_forms(word: str) -> set[str]:
    """Every string one edit from ``word`` (a letter dropped, added, replaced, or two neighbours
    swapped), its first letter kept as the other corrections keep it."""
    found: set[str] = set()
    for i in range(1, len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            found.add(head + tail[1:])
            if len(tail) > 1:
                found.add(head + tail[1] + tail[0] + tail[2:])
            found.update(head + letter + tail[1:] for letter in LETTERS)
        found.update(head + letter + tail for letter in LETTERS)
    found.discard(word)
    return found


@lru_cache(maxsize=4096)
def slip_cost(typed: str, word: str) -> float:
    """The cheapest way, by the kinds of slip above, to type ``word`` as ``typed``
    (an optimal-string-alignment distance with weighted edits and the æ/ø/å spellings)."""
    n, m = len(typed), len(word)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = d[i][j]
            if here == inf:
                continue
            if i < n and j < m:
                cost = here + _substitution(typed[i], word[j])
                d[i + 1][j + 1] = min(d[i + 1][j + 1], cost)
                if i + 1 < n and j + 1 < m and typed[i] == word[j + 1] and typed[i + 1] == word[j] != typed[i]:
                    d[i + 2][j + 2] = min(d[i + 2][j + 2], here + SWAP)
                if i + 1 < n and typed[i : i + 2] == DIGRAPH_OF.get(word[j]):
                    d[i + 2][j + 1] = min(d[i + 2][j + 1], here + DANISH)
            if i < n:
                d[i + 1][j] = min(d[i + 1][j], here + _indel(typed, i, linking_s=False))
            if j < m:
                d[i][j + 1] = min(
                    d[i][j + 1], here + min(_indel(word, j), OMITTED if 0 < j < m - 1 else LAST_OMITTED if j else 1.0)
                )
    return d[n][m]


def likelihood(typed: str, word: str, frequency: float) -> float:
    """How likely ``word`` (this frequent in the index) was meant when ``typed`` was typed."""
    return math.log(frequency + 1.0) - EDIT_WEIGHT * slip_cost(typed, word)


def rank(typed: str, candidates: Iterable[tuple[str, float]]) -> list[str]:
    """Candidate words, the likeliest first (ties by the word, so every engine agrees)."""
    scored = [(-likelihood(typed, word, freq), word) for word, freq in candidates if word != typed]
    return [word for _, word in sorted(scored)]


def unfolded(term: str, typed: str) -> str:
    """A folded term (ae, oe, aa for æ, ø, å) spelt back with the letters ``typed`` uses."""
    for digraph, letter in DANISH_DIGRAPHS:
        if letter in typed:
            term = term.replace(digraph, letter)
    return term


def plain_respellings(typed: str, most: int = 2) -> list[str]:
    """``typed`` with one or two (``most``) of its a's and o's spelt å, æ or ø ("rosnasvej" →
    "røsnæsvej", "hjemlos" → "hjemløs"): a keyboard without Danish letters types the plain one.
    None for a word that has æ, ø or å (it was typed with them) or more letters to respell than
    ``MAX_PLAIN_SPOTS``; one letter respelt first, then two, each in the word's order."""
    spots = [(i, letter) for i, plain in enumerate(typed) for letter in DANISH_FOR_PLAIN.get(plain, "")]
    if not without_danish_letters(typed) or len({i for i, _ in spots}) > MAX_PLAIN_SPOTS:
        return []
    found: list[str] = []
    for count in range(1, min(most, MAX_PLAIN_RESPELT) + 1):
        for chosen in combinations(spots, count):
            if len({i for i, _ in chosen}) == count:
                letters = list(typed)
                for i, letter in chosen:
                    letters[i] = letter
                found.append("".join(letters))
    return found


# The Danish letters each plain letter may have been typed for; how many of a word's letters are
# respelt at most, in a word of at most so many a's and o's (a longer one's guesses are too many).
DANISH_FOR_PLAIN = {
    plain: "".join(sorted(letter for letter, its in PLAIN_LETTER_OF.items() if its == plain))
    for plain in set(PLAIN_LETTER_OF.values())
}
MAX_PLAIN_RESPELT = 2
MAX_PLAIN_SPOTS = 6


def respellings(typed: str) -> list[str]:
    """``typed`` with its aa, ae and oe spelt å, æ and ø (each digraph everywhere, in every
    combination of the three), the word itself left out; sorted, so the list does not hang on
    the table's order."""
    found = [typed]
    for digraph, letter in DANISH_DIGRAPHS:
        found += [w.replace(digraph, letter) for w in found if digraph in w]
    return sorted(w for w in set(found) if w != typed)


def without_danish_letters(text: str) -> bool:
    """Whether ``text`` has no æ, ø or å (in either case): typed, maybe, on a keyboard without them."""
    return not any(letter in text.casefold() for letter in PLAIN_LETTER_OF)


_PLAIN_TABLE = str.maketrans(PLAIN_LETTER_OF)


def respelt_plainly(typed: str, corrected: str) -> bool:
    """Whether a correction only puts æ/ø/å where ``typed`` has the plain letters or digraphs."""
    return corrected != typed and (typed == corrected.translate(_PLAIN_TABLE) or fold(typed) == fold(corrected))
