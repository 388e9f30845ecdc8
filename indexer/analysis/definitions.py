"""Abbreviations the minutes define themselves: "Danmarks Naturfredningsforening (DN)".

Danish municipal prose names an organisation, a plan or a body in full once and puts its
abbreviation in parentheses behind it ("Lokal Aktionsgruppe (LAG)", "Teknik- og
Miljøudvalget (TM-U)"), or the other way round ("DN (Danmarks Naturfredningsforening)"),
and then writes only the abbreviation.  ``definitions(text)`` finds such pairs by a general
rule, no word list: the abbreviation (2-6 letters, mostly capitals) must be spelt by the
words before the parenthesis — every content word gives its first letter, and may give the
first letters of its compound parts (Natur·fredning·s·forening → N, F) and up to two more
letters after any of them (Miljø·styrelsen → M, ST: "MST").  At least two letters must come
from starts of words or parts, so "(SA)" after "Samråd" is no definition, and a person's
party ("Bruno Olesen (SF)"), a year, a number or "(bilag 1)" never is.

The engines learn them per municipality from open items only, beside the route
abbreviations (``bodies.RouteEvidence``), and a search lets an abbreviation also find its
full name in the municipality that defines it (``search.query.expand_definitions``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from indexer.analysis.compounds import split_compound

# The abbreviation in parentheses: 2-6 letters, first a capital, optionally one inner hyphen ("TM-U").
_ABBREVIATION = re.compile(r"[A-ZÆØÅ][A-Za-zÆØÅæøå]{0,5}(?:-[A-Za-zÆØÅæøå]{1,4})?")
_PARENTHESIS = re.compile(r"\(\s*([^()\n]{1,100}?)\s*\)")
# An abbreviation written as a compound's modifier ("(OPP-aftale)", "(VVM-redegørelse)"): the
# abbreviation, a hyphen and a lower-case head word.
_HEADED = re.compile(r"([A-ZÆØÅ][A-Za-zÆØÅæøå]{0,5})-[a-zæøå]{3,}")
# The abbreviation announced ("(herefter DN)", "(i det følgende benævnt KKR)", "(forkortet OSD)"),
# as legal and formal prose writes a definition.
_ANNOUNCED = re.compile(
    r"(?:herefter|hereafter|fremover|forkortet|i det følgende)(?:\s+(?:benævnt|kaldet|omtalt))?(?:\s+som)?"
    r"\s+[\"”“'’]?(\S+?)[\"”“'’]?",
    re.IGNORECASE,
)
# A slash between two words inside a name ("Sagsoverblik/Partskontakt") separates them.
_SLASH = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")
# A word of the full name: letters, with inner hyphens; a trailing hyphen is a suspended
# compound ("Teknik- og Miljøudvalget").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*-?")
# Where a full name cannot reach across: the end of a sentence or clause, brackets, digits, a
# comma (but the one after a suspended compound: "Klima-, Teknik- og Miljøudvalget"). Quotes
# around a name ("Den Samlede Rejse" (DSR)) are no boundary.
_STOP = re.compile(r"[.:;!?()\[\]{}§%/=+*\d]|(?<!-),")
# Function words a full name may hold, each free to give its letter or not ("Vurdering af
# Virkninger på Miljøet": VVM).
SMALL_WORDS = frozenset({"og", "for", "i", "af", "på", "til", "med", "om", "de", "den", "det", "en", "et", "the", "of"})
MAX_WORDS = 10  # words of a full name at most (small words included)
MAX_RUN = 2  # letters after a word's or part's first that the abbreviation may take in a row


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def abbreviation_key(token: str) -> str | None:
    """The key an abbreviation is kept under (capitals, no hyphen: "TM-U" → "TMU"), or None
    when the token is no abbreviation: 2-6 letters, a capital first, and at least two
    capitals making up at least half of its letters ("DN", "TM-U", "KaMiBe"; not "Trige")."""
    token = _nfc(token.strip())
    if not _ABBREVIATION.fullmatch(token):
        return None
    letters = token.replace("-", "")
    capitals = sum(1 for ch in letters if ch.isupper())
    if not 2 <= len(letters) <= 6 or capitals < 2 or 2 * capitals < len(letters):
        return None
    return letters.upper()


@lru_cache(maxsize=50_000)
def _starts(word: str) -> tuple[int, ...]:
    """Where the parts of a (lower-case) word start: 0, and each compound part's first letter
    (parts of parts too: naturfredning → natur·fredning)."""
    starts = {0} | {at + 1 for at, ch in enumerate(word) if ch == "-"}
    pending = [piece for piece in word.split("-") if piece]
    seen: set[str] = set()
    while pending:
        piece = pending.pop()
        if piece in seen:
            continue
        seen.add(piece)
        for part in split_compound(piece):
            stem = part[: max(3, len(part) - 2)]
            at = word.find(stem, 1)
            while at > 0:
                starts.add(at)
                at = word.find(stem, at + 1)
            if len(part) >= 8:
                pending.append(part)
    return tuple(sorted(starts))


def spells(key: str, words: list[str]) -> bool:
    """Whether the words spell the abbreviation (``key``: capitals, no hyphen): each content
    word gives its first letter, then optionally letters at its compound parts' starts and up
    to ``MAX_RUN`` letters following any of those; small words may give their first letter or
    nothing; at least two letters come from starts of words or parts."""
    letters = key.casefold()
    lowered = [w.casefold().strip("-") for w in words]
    if not lowered or not _is_name_start(words[0]) or lowered[0][0] != letters[0]:
        return False
    starts = [_starts(w) if w not in SMALL_WORDS else (0,) for w in lowered]

    @cache
    def next_word(k: int, w: int, hits: int) -> bool:
        if w == len(lowered):
            return k == len(letters) and hits >= 2
        word = lowered[w]
        if word in SMALL_WORDS and next_word(k, w + 1, hits):
            return True
        return k < len(letters) and word[:1] == letters[k] and within(k + 1, w, 1, 0, hits + 1)

    @cache
    def within(k: int, w: int, at: int, run: int, hits: int) -> bool:
        if next_word(k, w + 1, hits):
            return True
        if k == len(letters):
            return False
        word = lowered[w]
        if run < MAX_RUN and at < len(word) and word[at] == letters[k] and within(k + 1, w, at + 1, run + 1, hits):
            return True
        return any(word[b] == letters[k] and within(k + 1, w, b + 1, 0, hits + 1) for b in starts[w] if b >= max(at, 1))

    return next_word(0, 0, 0)


def _is_name_start(word: str) -> bool:
    """A full name starts with a content word, or a small word in capitals ("Den Samlede Rejse")."""
    return bool(word) and (word.casefold() not in SMALL_WORDS or word[0].isupper())


def _full_name_before(text: str, key: str) -> str | None:
    """The shortest run of words ending where ``text`` ends that spells ``key``, as written."""
    stops = list(_STOP.finditer(text))
    text = text[stops[-1].end() :] if stops else text
    found = list(_WORD.finditer(text))[-MAX_WORDS:]
    for n in range(1, len(found) + 1):
        run = found[-n:]
        if not _is_name_start(run[0].group()):
            continue
        if spells(key, [m.group() for m in run]):
            return " ".join(text[run[0].start() : run[-1].end()].split())
    return None


def _full_name_inside(inner: str, key: str) -> str | None:
    """The parenthesis' words as a whole, when they spell ``key`` ("DN (Danmarks Naturfredningsforening)",
    "KKR (Kommunekontaktrådet)", "SAPA (Sagsoverblik/Partskontakt)": a slash between words parts them)."""
    spaced = _SLASH.sub(" ", inner)
    if _STOP.search(spaced):
        return None
    words = _WORD.findall(spaced)
    if not 1 <= len(words) <= MAX_WORDS or " ".join(words) != " ".join(spaced.split()):
        return None
    return " ".join(inner.split()) if spells(key, words) else None


def definitions(text: str) -> list[tuple[str, str]]:
    """(key, full name) for every abbreviation the text defines, in order, each pair once:
    "Danmarks Naturfredningsforening (DN)" and "DN (Danmarks Naturfredningsforening)" →
    ("DN", "Danmarks Naturfredningsforening")."""
    text = _nfc(text or "")
    found: list[tuple[str, str]] = []
    for match in _PARENTHESIS.finditer(text):
        inner = match.group(1)
        announced = _ANNOUNCED.fullmatch(inner)
        if announced is not None:
            inner = announced.group(1)  # "Danmarks Naturfredningsforening (herefter DN)"
        key = abbreviation_key(inner)
        if key is None and (headed := _HEADED.fullmatch(inner)) is not None:
            key = abbreviation_key(headed.group(1))
            if key is not None:  # "offentligt privat partnerskab (OPP-aftale)": the name is before it
                name = _full_name_before(text[max(0, match.start() - 200) : match.start()], key)
                if name is not None:
                    found.append((key, name))
                continue
        if key is not None:
            name = _full_name_before(text[max(0, match.start() - 200) : match.start()], key)
        else:
            before = re.search(
                r"(?<![^\W\d_])([^\W\d_]+(?:-[^\W\d_]+)?)\s*$", text[max(0, match.start() - 20) : match.start()]
            )
            key = abbreviation_key(before.group(1)) if before else None
            name = _full_name_inside(inner, key) if key is not None else None
        if key is not None and name is not None:
            found.append((key, name))
    return list(dict.fromkeys(found))
