"""Words compared as a reader sees them, whatever their Unicode form: the one reading the search's
terms (the index's and the query's, ``indexer.analysis.danish``) and the closed-title rule
(``indexer.model.title_marks_closed``) share.

Imports nothing of the project: the model reads it, and the analysis (which imports the model
through ``indexer.dates``) reads it too, so neither depends on the other for it.
"""

from __future__ import annotations

import re
import unicodedata

SOFT_HYPHEN = "\u00ad"
# Signs inside a word that a reader does not see, taken out of it: the word is the one on screen.
# A soft hyphen ("kommune\u00adplan", where a line may break: Greve's texts hold them); ZERO WIDTH
# NON-JOINER and JOINER (what Word's "no-width optional break" and "no-width non break" insert),
# WORD JOINER and ZERO WIDTH NO-BREAK SPACE (a byte order mark copied into the middle of a text),
# none of them a word break by definition (Unicode's word boundaries, UAX #29, pass over them).
# And ZERO WIDTH SPACE, which UAX #29 does count as a break: it marks the words of scripts written
# without spaces (Thai, Khmer); in Danish text, which parts words with spaces, it is where a line
# may break inside a word, as a soft hyphen is, and a reader sees one word ("vind\u200bmølle" shows
# as "vindmølle"), so it is taken out as the soft hyphen is rather than parting the word in two.
JOINING_SIGNS = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE_SIGNS = SOFT_HYPHEN + JOINING_SIGNS
_INVISIBLE = re.compile(f"[{INVISIBLE_SIGNS}]")

# The vulgar fractions, which NFKC spells with a fraction slash: "1½" would become "11⁄2", two words
# of which the first is eleven.  Kept as written.
FRACTIONS = frozenset(c for c in map(chr, range(0x80, 0x2190)) if unicodedata.decomposition(c).startswith("<fraction>"))
_FRACTION_SPLIT = re.compile(f"([{''.join(sorted(FRACTIONS))}])")


def without_invisible(text: str) -> str:
    """The text without the signs a reader does not see (``INVISIBLE_SIGNS``).  Each is a format
    character, which ``str.isprintable`` refuses: a text it accepts (nearly every word) holds none,
    and the test costs a word a tenth of the pattern's search."""
    return text if text.isprintable() else _INVISIBLE.sub("", text)


def normalise_word(word: str) -> str:
    """A word as a user would expect it compared, whatever the keyboard, the PDF or the copy:
    Unicode NFKC, so a decomposed "å" (a + ring, as macOS copies it) is "å", a ligature ("ﬁ")
    its letters, a full-width digit or letter ("２０１６") the plain one and a superscript ("m²")
    its digit; the signs a reader does not see are taken out (``INVISIBLE_SIGNS``:
    "kommune\u00adplan" and "vind\u200dmølle" are "kommuneplan" and "vindmølle").  Fractions keep
    their sign (``FRACTIONS``).  The text stored and shown is left as written; only the terms
    compare so.  The index and the query (``danish.normalise_query``) meet through this one
    function; the closed-title rule takes out the same signs (``without_invisible``)."""
    if word.isascii():
        return word
    word = without_invisible(word)
    if unicodedata.is_normalized("NFKC", word):
        return word
    if not any(c in FRACTIONS for c in word):
        return unicodedata.normalize("NFKC", word)
    return "".join(
        piece if piece in FRACTIONS else unicodedata.normalize("NFKC", piece) for piece in _FRACTION_SPLIT.split(word)
    )
