"""Names of political bodies: abbreviations, learnt initials, and synonyms.

Minutes name committees three ways: in full ("Teknik- og Miljøudvalget"), by the
abbreviation of the "Sagsgang" line (TMU, ØU, KB) and by the municipality's own word
for its council (byråd in some, kommunalbestyrelse in others).  A caseworker types
any of them; these helpers turn one into the others at query time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from indexer.analysis.definitions import definitions as text_definitions


@dataclass(frozen=True)
class Body:
    """One body: the abbreviations it goes by and patterns matching its full names."""

    abbreviations: tuple[str, ...]
    name_patterns: tuple[str, ...]
    names: tuple[str, ...] = field(default=())

    def matches(self, name: str) -> bool:
        """Whether ``name`` is this body's.  Not where the pattern is the last part of a longer
        coordination ("Klima-, Teknik- og Miljøudvalget" is no Teknik- og Miljøudvalget, and its
        minutes abbreviate it KTMU; "Skole-, Børne- og Ungeudvalget" is SBU, no BUU)."""
        lowered = name.casefold()
        return any(
            not _SUSPENDED_BEFORE.search(lowered, 0, found.start())
            for pattern in self.name_patterns
            for found in re.finditer(pattern, lowered)
        )


# A suspended part just before a body's name ("klima-, " in "Klima-, Teknik- og Miljøudvalget"):
# the name found is the end of another body's.
_SUSPENDED_BEFORE = re.compile(r"\w-,?\s*(?:og\s+)?$")

# Abbreviations used across Danish municipalities (Sagsgang lines, cross-references).
# Patterns are matched against case-folded committee names.
KNOWN_BODIES: tuple[Body, ...] = (
    Body(("KB",), (r"kommunalbestyrelse",), ("Kommunalbestyrelsen",)),
    Body(("BR",), (r"byråd", r"borgerrepræsentation"), ("Byrådet",)),
    Body(("RR",), (r"regionsråd",), ("Regionsrådet",)),
    Body(("ØU", "ØK"), (r"økonomiudvalg",), ("Økonomiudvalget",)),
    Body(("FU",), (r"forretningsudvalg",), ("Forretningsudvalget",)),
    Body(("MAG",), (r"magistrat",), ("Magistraten",)),
    Body(("OA",), (r"områdeudvalg(et)? for administration",), ("Områdeudvalget for Administrationen",)),
    Body(("HU", "HMU"), (r"hovedudvalg", r"hoved-?med"), ("Hovedudvalget",)),
    Body(
        ("KUU",), (r"kultur- og udviklingsudvalg", r"kultur-? og uddannelsesudvalg"), ("Kultur- og Udviklingsudvalget",)
    ),
    Body(("BUU",), (r"børne- og ungdomsudvalg", r"børne- og uddannelsesudvalg"), ("Børne- og Ungdomsudvalget",)),
    Body(("BUU", "BUV"), (r"børne- og ungeudvalg",), ("Børne- og Ungeudvalget",)),
    Body(("TMU",), (r"teknik- og miljøudvalg", r"miljø- og teknikudvalg"), ("Teknik- og Miljøudvalget",)),
    Body(("TU",), (r"^teknisk udvalg", r"^teknikudvalg"), ("Teknisk Udvalg",)),
    Body(("SSU",), (r"social- og sundhedsudvalg", r"sundheds- og socialudvalg"), ("Social- og Sundhedsudvalget",)),
    Body(("SU",), (r"^sundhedsudvalg", r"sundheds- og forebyggelsesudvalg"), ("Sundhedsudvalget",)),
    Body(("SOU",), (r"^socialudvalg",), ("Socialudvalget",)),
    Body(("BEU", "BU"), (r"beskæftigelsesudvalg",), ("Beskæftigelsesudvalget",)),
    Body(("KFU",), (r"kultur- og fritidsudvalg",), ("Kultur- og Fritidsudvalget",)),
    Body(
        ("PUK",),
        (r"udvalget for plan,? udvikling og kultur", r"plan-?, udviklings- og kulturudvalg"),
        ("Udvalget for Plan, Udvikling og Kultur",),
    ),
    Body(("PU",), (r"^planudvalg",), ("Planudvalget",)),
    Body(("ÆU",), (r"ældreudvalg", r"ældre- og"), ("Ældreudvalget",)),
    Body(("MED",), (r"med-udvalg", r"medudvalg"), ("MED-udvalget",)),
)

# Words for the same body: a query for one should find the others.
BODY_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"byråd", "kommunalbestyrelse", "borgerrepræsentation"}),
    frozenset({"byrådet", "kommunalbestyrelsen", "borgerrepræsentationen"}),
    frozenset({"byrådets", "kommunalbestyrelsens", "borgerrepræsentationens"}),
    frozenset({"borgmester", "overborgmester"}),
    frozenset({"økonomiudvalg", "magistrat"}),
    frozenset({"økonomiudvalget", "magistraten"}),
)

_SMALL_WORDS = frozenset({"og", "for", "i", "af", "med", "til", "om", "the", "&"})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*-?", re.UNICODE)
_ABBREVIATION = re.compile(r"^[A-ZÆØÅ]{2,5}$")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def initials(name: str) -> str:
    """Initials of a committee name as Danish minutes abbreviate it.

    Each content word gives its first letter; a word ending in "udvalg(et)" adds
    "U", so "Teknik- og Miljøudvalget" → "TMU" and "Økonomiudvalget" → "ØU".
    Small words (og, for, i) are skipped.
    """
    letters: list[str] = []
    for word in _WORD.findall(_nfc(name)):
        lowered = word.casefold().rstrip("-")
        if lowered in _SMALL_WORDS or not lowered:
            continue
        if lowered in ("udvalg", "udvalget"):
            letters.append("U")
            continue
        letters.append(lowered[0].upper())
        if re.search(r".udvalg(et)?$", lowered):
            letters.append("U")
    return "".join(letters)


def learn_abbreviations(committee_names: Iterable[str]) -> dict[str, list[str]]:
    """Abbreviation → committee names, from the names seen in the index.

    Combines the known table with initials learnt from the data; an abbreviation
    shared by several committees maps to all of them (the caller can facet).
    """
    table: dict[str, list[str]] = {}
    for name in dict.fromkeys(_nfc(n).strip() for n in committee_names if n and n.strip()):
        keys = {initials(name)}
        keys.update(abbr for body in KNOWN_BODIES if body.matches(name) for abbr in body.abbreviations)
        for key in sorted(k for k in keys if len(k) >= 2):
            table.setdefault(key, []).append(name)
    return table


@lru_cache(maxsize=16)
def _learnt_abbreviations(committee_names: tuple[str, ...]) -> dict[str, list[str]]:
    """``learn_abbreviations`` of an index's committee names, learnt once: a query asks it for
    every word that may be an abbreviation, as often as the word stands in the query."""
    return learn_abbreviations(committee_names)


def known_abbreviation(token: str) -> Body | None:
    """The known body an upper-case abbreviation stands for, if any."""
    token = _nfc(token).upper()
    for body in KNOWN_BODIES:
        if token in body.abbreviations:
            return body
    return None


def prefix_names(key: str, committee_names: Iterable[str]) -> list[str]:
    """Committees whose name starts with the abbreviation's letters: the other way routes
    abbreviate ("ØK" Økonomiudvalget, "BY" Byrådet, "KB" Kommunalbestyrelsen)."""
    if not 2 <= len(key) <= 3:
        return []
    return [n for n in dict.fromkeys(_nfc(c).strip() for c in committee_names) if n.upper().startswith(key)]


def resolve_abbreviation(token: str, committee_names: Iterable[str] = ()) -> list[str]:
    """Full committee names an abbreviation may mean: learnt names first, then known ones.

    Routes write abbreviations with and without hyphens ("TM-U" and "TMU" for Teknik- og
    Miljøudvalget); when no initials match, the first letters of a name do ("ØK", "BY").
    """
    key = _nfc(token).upper().replace("-", "")
    if not _ABBREVIATION.match(key):
        return []
    names_seen = tuple(committee_names)
    names = list(_learnt_abbreviations(names_seen).get(key, []))
    body = known_abbreviation(key)
    if body is not None:
        names += [n for n in body.names if n not in names]
    if not names:
        names = prefix_names(key, names_seen)
    return names


_ROUTE = re.compile(r"sagsgang\W{0,6}((?:[A-ZÆØÅ][\w-]{0,5}(?:\s*,\s*|\s+|$)){1,12})", re.IGNORECASE)


def route_abbreviations(text: str) -> list[str]:
    """The body abbreviations of a case's route ("Sagsgang: TM-U, ØK, BY" → TM-U, ØK, BY)."""
    found: list[str] = []
    for match in _ROUTE.finditer(_nfc(text)):
        for token in re.split(r"[\s,]+", match.group(1)):
            if token and _ABBREVIATION.match(token.replace("-", "")) and token.upper() == token:
                found.append(token)
    return list(dict.fromkeys(found))


def expand_body_query(text: str, committee_names: Iterable[str] = ()) -> list[str]:
    """Alternative query strings naming the same body, the original first.

    "byrådet" → ["byrådet", "kommunalbestyrelsen", "borgerrepræsentationen"];
    "TMU" → ["TMU", "Teknik- og Miljøudvalget"]; words that name no body come back
    alone.  Each word is replaced in place, so "byrådets budget" keeps "budget".
    """
    text = _nfc(text.strip())
    if not text:
        return []
    words = text.split()
    alternatives = [text]
    names = list(committee_names)
    for index, word in enumerate(words):
        bare = word.strip(".,;:!?()\"'")
        replacements: list[str] = []
        for group in BODY_SYNONYMS:
            if bare.casefold() in group:
                replacements += sorted(group - {bare.casefold()})
        if bare.isupper() or bare in {"Ø", "Æ"}:
            replacements += resolve_abbreviation(bare, names)
        for replacement in replacements:
            candidate = " ".join([*words[:index], replacement, *words[index + 1 :]])
            if candidate not in alternatives:
                alternatives.append(candidate)
    return alternatives


# -- abbreviations learnt from the routes of one municipality's items -----------------------

# municipality → route abbreviation (capitals, no hyphens) → that municipality's committee names
RouteTable = dict[str, dict[str, list[str]]]
# municipality → abbreviation its open text defines (capitals, no hyphens) → the full names it
# defines it as ("DN" → ["Danmarks Naturfredningsforening"]; ``definitions.py``)
DefinitionTable = dict[str, dict[str, list[str]]]
# How many full names an abbreviation keeps per municipality (the most often defined first).
MAX_FULL_NAMES = 3
_ROUTE_SEPARATOR = re.compile(r"\s*(?:[,;/>→]|\s-+\s|\s–\s|\bog\b)\s*|\s+")


@dataclass(frozen=True)
class RouteSeen:
    """The route abbreviations of one open item, with the body whose meeting it is on, and the
    abbreviations its text defines ("Danmarks Naturfredningsforening (DN)")."""

    municipality: str
    committee: str
    codes: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_item(cls, municipality: str, committee: str, route: str | None, texts: Iterable[str]) -> RouteSeen:
        """From the item's route field ("KUU, ØK", "TMU - ØK - KB") and the "Sagsgang" lines of its
        text; the definitions from its text."""
        found = route_codes(route or "")
        defined: list[tuple[str, str]] = []
        for text in texts:
            found += [code.replace("-", "") for code in route_abbreviations(text)]
            defined += text_definitions(text)
        return cls(municipality, committee, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(defined)))

    @classmethod
    def of_stored(cls, fields: dict[str, Any]) -> RouteSeen | None:
        """From an item as an engine stores it (``municipality``, ``committee``, ``access`` and
        the public ``doc`` JSON); None for a closed stub or anything not open: default deny."""
        if fields.get("access") != "open":
            return None
        try:
            doc = json.loads(fields.get("doc") or "{}")
        except ValueError:
            return None
        if not isinstance(doc, dict) or doc.get("access") != "open":
            return None
        # The public document holds open sections only; a section marked otherwise is skipped all the same.
        texts = [str(doc.get("title") or "")]
        texts += [
            str(s.get("text") or "")
            for s in doc.get("sections") or []
            if isinstance(s, dict) and s.get("access", "open") == "open"
        ]
        route = doc.get("route") if isinstance(doc.get("route"), str) else None
        return cls.of_item(str(fields.get("municipality") or ""), str(fields.get("committee") or ""), route, texts)


def route_codes(route: str) -> list[str]:
    """The body abbreviations of a route field, as keys (capitals, hyphens dropped): "TM-U, ØK" → TMU, ØK."""
    codes = []
    for token in _ROUTE_SEPARATOR.split(_nfc(route or "")):
        token = token.strip(".:()")
        key = token.replace("-", "")
        if token and token.upper() == token and _ABBREVIATION.match(key):
            codes.append(key)
    return list(dict.fromkeys(codes))


def _letters(name: str) -> str:
    return "".join(ch for ch in _nfc(name).upper() if ch.isalpha())


def fit(code: str, name: str) -> int | None:
    """How an abbreviation fits a body's name: 0 its initials or the known table ("ØU",
    "TMU"), 1 the name's first letters ("ØK", "BY"), 2 letters of the name in order from
    its first ("KB" Kommunalbestyrelsen); None when it cannot stand for it."""
    body = known_abbreviation(code)
    if initials(name) == code or (body is not None and body.matches(name)):
        return 0
    letters = _letters(name)
    if letters.startswith(code):
        return 1
    if not letters or letters[0] != code[0]:
        return None
    at = 1
    for ch in code[1:]:
        at = letters.find(ch, at) + 1
        if not at:
            return None
    return 2


def learn_route_abbreviations(committees: dict[str, list[str]], seen: Iterable[RouteSeen]) -> RouteTable:
    """What each municipality's route abbreviations stand for, learnt from its own minutes.

    ``committees``: municipality → the names of its bodies with open items; ``seen``: the
    routes of its open items.  See :meth:`RouteEvidence.learn`.
    """
    evidence = RouteEvidence()
    for route in seen:
        evidence.count(route.municipality, route.committee, route.codes)
    for municipality, names in committees.items():
        for name in names:
            evidence.bodies.setdefault(municipality, {}).setdefault(name, 1)
    return evidence.learn()


# Raise when what ``RouteSeen.of_stored`` extracts changes: evidence counted by another
# version cannot be subtracted from, so an engine recounts it from the stored items.
# 2: the definitions the text makes; 3: modifiers "(OPP-aftale)", slashes, one word inside;
# 4: announced ("(herefter DN)").
ROUTES_VERSION = 4


@dataclass
class RouteEvidence:
    """What the open items of an index say about route abbreviations, kept by the engine
    with the index and updated with every write (added items count in, replaced and removed
    ones count out), so a search only reads the learnt table.

    ``bodies``: municipality → committee → its open items; ``routes``: municipality →
    abbreviation → committee whose meeting the routed item is on → items; ``definitions``:
    municipality → abbreviation → full name → items defining it so.  Only open items ever
    count (``of_stored`` ignores a closed stub), so nothing closed teaches anything.
    """

    bodies: dict[str, dict[str, int]] = field(default_factory=dict)
    routes: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    definitions: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def count(
        self,
        municipality: str,
        committee: str,
        codes: Iterable[str],
        sign: int = 1,
        definitions: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Count one open item in (``sign`` 1) or out (-1); counts that reach 0 are dropped."""
        defined = tuple(definitions)
        if defined:
            keys = self.definitions.setdefault(municipality, {})
            for key, name in defined:
                names = keys.setdefault(key, {})
                _bump(names, name, sign)
                if not names:
                    del keys[key]
            if not keys:
                del self.definitions[municipality]
        bodies = self.bodies.setdefault(municipality, {})
        _bump(bodies, committee, sign)
        if not bodies:
            del self.bodies[municipality]
        codes = tuple(codes)
        if codes:
            routes = self.routes.setdefault(municipality, {})
            for code in codes:
                per_body = routes.setdefault(code, {})
                _bump(per_body, committee, sign)
                if not per_body:
                    del routes[code]
            if not routes:
                del self.routes[municipality]

    def count_stored(self, fields: dict[str, Any], sign: int = 1) -> None:
        """Count an item as an engine stores it (its stored fields; see ``RouteSeen.of_stored``)."""
        seen = RouteSeen.of_stored(fields)
        if seen is not None:
            self.count(seen.municipality, seen.committee, seen.codes, sign, seen.definitions)

    def municipalities(self) -> set[str]:
        return set(self.bodies) | set(self.routes) | set(self.definitions)

    def only(self, municipalities: Iterable[str]) -> RouteEvidence:
        """The evidence of some municipalities (an engine may keep it per municipality)."""
        wanted = set(municipalities)
        return RouteEvidence(
            {m: dict(v) for m, v in self.bodies.items() if m in wanted},
            {m: {c: dict(n) for c, n in v.items()} for m, v in self.routes.items() if m in wanted},
            {m: {k: dict(n) for k, n in v.items()} for m, v in self.definitions.items() if m in wanted},
        )

    def learn_definitions(self) -> DefinitionTable:
        """What each municipality's open text defines its abbreviations as: per abbreviation the
        full names (up to ``MAX_FULL_NAMES``, the most often written first; spellings differing
        only in case or spacing are one)."""
        table: DefinitionTable = {}
        for municipality, keys in sorted(self.definitions.items()):
            for key, names in sorted(keys.items()):
                merged: dict[str, tuple[int, str]] = {}
                for name, count in names.items():
                    folded = " ".join(name.casefold().split())
                    total, shown = merged.get(folded, (0, name))
                    merged[folded] = (total + count, shown)
                ranked = sorted(merged.values(), key=lambda pair: (-pair[0], pair[1]))
                table.setdefault(municipality, {})[key] = [name for _, name in ranked[:MAX_FULL_NAMES]]
        return table

    def learn(self) -> RouteTable:
        """What each municipality's route abbreviations stand for: the body of that municipality
        with open items whose name the abbreviation fits best (initials, then first letters,
        then letters in order); ties go to the body whose meetings' items carry it most.  A
        loose fit (letters in order) needs that evidence: one of the body's own items routed
        through it."""
        table: RouteTable = {}
        for municipality, codes in sorted(self.routes.items()):
            names = [n for n, count in self.bodies.get(municipality, {}).items() if count > 0]
            for code, together in sorted(codes.items()):
                fits = [(rank, name) for name in names if (rank := fit(code, name)) is not None]
                if not fits:
                    continue
                best = min(rank for rank, _ in fits)
                candidates = [name for rank, name in fits if rank == best]
                most = max(together.get(name, 0) for name in candidates)
                if best == 2 and most == 0:
                    continue
                table.setdefault(municipality, {})[code] = [n for n in candidates if together.get(n, 0) == most]
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "version": ROUTES_VERSION,
            "bodies": self.bodies,
            "routes": self.routes,
            "definitions": self.definitions,
        }

    @classmethod
    def from_json(cls, data: Any) -> RouteEvidence | None:
        """None when the data is not evidence of this version (the engine then recounts)."""
        if not isinstance(data, dict) or data.get("version") != ROUTES_VERSION:
            return None
        bodies, routes, definitions = data.get("bodies"), data.get("routes"), data.get("definitions")
        if not isinstance(bodies, dict) or not isinstance(routes, dict) or not isinstance(definitions, dict):
            return None
        return cls(bodies, routes, definitions)


def _bump(counts: dict[str, int], key: str, by: int) -> None:
    value = counts.get(key, 0) + by
    if value > 0:
        counts[key] = value
    else:
        counts.pop(key, None)
