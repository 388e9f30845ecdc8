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
# Signs a text may carry inside a word that a reader does not see: a soft hyphen ("Luk\u00adket",
# as Greve's text has them) and the zero-width ones.
JOINING_SIGNS = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE_SIGNS = SOFT_HYPHEN + JOINING_SIGNS
_INVISIBLE = re.compile(f"[{INVISIBLE_SIGNS}]")

# The vulgar fractions, which NFKC spells with a fraction slash: "1½" would become "11⁄2", two words
# of which the first is eleven.  Kept as written.
FRACTIONS = frozenset(c for c in map(chr, range(0x80, 0x2190)) if unicodedata.decomposition(c).startswith("<fraction>"))
_FRACTION_SPLIT = re.compile(f"([{''.join(sorted(FRACTIONS))}])")


def without_invisible(text: str) -> str:
    """The text without the signs a reader does not see (``INVISIBLE_SIGNS``)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def normalise_word(word: str) -> str:
    """A word as a user would expect it compared, whatever the keyboard, the PDF or the copy:
    Unicode NFKC, so a decomposed "å" (a + ring, as macOS copies it) is "å", a ligature ("ﬁ")
    its letters, a full-width digit or letter ("２０１６") the plain one and a superscript ("m²")
    its digit; a soft hyphen is taken out ("kommune\u00adplan" is "kommuneplan").  Fractions keep
    their sign (``FRACTIONS``).  The text stored and shown is left as written; only the terms
    compare so.  The index and the query (``danish.normalise_query``) meet through this one
    function; the closed-title rule takes out the same signs (``without_invisible``)."""
    if word.isascii():
        return word
    if SOFT_HYPHEN in word:
        word = word.replace(SOFT_HYPHEN, "")
    if unicodedata.is_normalized("NFKC", word):
        return word
    if not any(c in FRACTIONS for c in word):
        return unicodedata.normalize("NFKC", word)
    return "".join(
        piece if piece in FRACTIONS else unicodedata.normalize("NFKC", piece) for piece in _FRACTION_SPLIT.split(word)
    )
