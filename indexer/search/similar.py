""" "Lignende sager": the items most like one item, defined once for every engine.

Each engine had its own: Whoosh picked the item's words by Bo1 and required three shared ones
and a share of the item's own BM25 score, PostgreSQL asked its ten highest tf·idf terms with no
such bar, so the two listed different items for 310 of the demo's 383 items.  Here the
definition uses what every engine answers alike (the Danish analysis, ``word_shares``, which
items a search matches and with which terms), so both list the same items in the same order:

* the item's **key words**: the words of its title (counted twice), decision and running text,
  grouped by the term the analysis makes of them, weighed by (1 + ln count) · ln(1 + 1 / share),
  where share is the largest share of the items holding the word in one of those fields
  (``Engine.word_shares``: a word every item says weighs least); the 12 heaviest;
* the **candidates**: the 100 best of one ranked search of them in the running text, each word
  raised by its weight;
* a candidate's **likeness**: the weight of the key words it holds, as a share of all of theirs.
  A neighbour holds 3 of them and a likeness of 0.2 (the demo's local plans reach 0.21-0.24 of
  one another's; the social-media guide, with no neighbour on its subject, meets no item on
  more than two of its words), unless it is of the same case; the same case, a shared topic and
  the same committee raise it (× 2, 1.5, 1.25), and ties go by id.  An item with no close
  neighbour shows none rather than noise.

The engines' BM25 scores are not used past the candidates: Whoosh keeps a field's length in
one byte (lossy above a few words) where PostgreSQL keeps it whole, so their scores of one item
differ by up to about 2% -- enough to cross a threshold or swap two neighbours.  Only an item
at the candidates' edge (ranked about 100th) may still differ between the engines.

Searches see open items only, and the key words are the item's own (open) words: a closed
item is never listed, and nothing of its text decides what is.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from indexer.analysis.danish import analyse
from indexer.search.query import Node, Or, Scaled, Word

if TYPE_CHECKING:
    from indexer.engines.base import Engine, Hit, StoredItem

KEY_WORDS = 12
MIN_SHARED = 3
MIN_LIKENESS = 0.2
CANDIDATES = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class KeyWord:
    """One of an item's most telling words: as written (what is searched), the term the
    analysis makes of it (what a hit is credited with) and its weight."""

    word: str
    term: str
    weight: float


def key_words(engine: Engine, item: StoredItem, limit: int = KEY_WORDS) -> list[KeyWord]:
    """The item's ``limit`` heaviest words (see the module's docstring), heaviest first."""
    texts = item.texts
    text = "\n".join([texts.get("title", "")] * 2 + [texts.get("decision", ""), texts.get("body", "")])
    counts = Counter(w for w in _WORD.findall(text.casefold()) if len(w) > 2 and not w.isdigit())
    by_term: dict[str, Counter[str]] = defaultdict(Counter)
    for word, count in counts.items():
        terms = _terms(word)
        if len(terms) == 1 and len(terms[0]) > 2:  # a stop word gives none; keep words that are one term
            by_term[terms[0]][word] += count
    if not by_term:
        return []
    # Each term by its most written form (alphabetically first of equals): what is searched.
    written = {term: min(forms, key=lambda w: (-forms[w], w)) for term, forms in by_term.items()}
    shares = engine.word_shares(sorted(written.values()))
    found = []
    for term, word in written.items():
        share = shares.get(word, 0.0)
        if share > 0.0:
            count = sum(by_term[term].values())
            found.append(KeyWord(word, term, (1.0 + math.log(count)) * math.log(1.0 + 1.0 / share)))
    found.sort(key=lambda k: (-round(k.weight, 9), k.word))
    return found[:limit]


def similar_items(engine: Engine, item_id: str, limit: int = 5) -> list[StoredItem]:
    """Open items most like this open item, best first (nothing for a closed or unknown one)."""
    with engine.reading():  # one state of the index for the item, its words' shares and the search
        item = engine.item(item_id)
        return similar_to(engine, item, limit) if item is not None else []


def similar_to(engine: Engine, item: StoredItem, limit: int = 5) -> list[StoredItem]:
    """``similar_items`` of an item the caller already read (an item page reads it anyway; its
    stored text is most of what reading it costs), inside the caller's ``engine.reading()``."""
    from indexer.engines.base import SearchSpec  # the query model sits above the engines

    if not item.is_open:
        return []
    item_id = item.id
    keys = key_words(engine, item)
    if not keys:
        return []
    heaviest = keys[0].weight
    query: Node = Or(tuple(Scaled(Word(k.word, "body"), k.weight / heaviest) for k in keys))
    spec = SearchSpec(query=query, limit=max(CANDIDATES, limit + 1), with_facets=False, lazy=True)
    hits = engine.search(spec).hits
    weights = {k.term: k.weight for k in keys}
    total = sum(weights.values())
    topics = _topics(item)
    # A candidate's likeness is read off its matched terms; its item (the engine's whole stored
    # record) is read only for a neighbour, or one that may be of the same case.
    weighed: list[tuple[Hit, float, bool]] = []  # (hit, likeness, whether it is a neighbour by its words)
    for hit in hits:
        shared = weights.keys() & hit.matched.get("body", set())
        likeness = sum(weights[term] for term in shared) / total
        weighed.append((hit, likeness, len(shared) >= MIN_SHARED and likeness >= MIN_LIKENESS))
    far = [hit for hit, _, close in weighed if not close]  # listed only when of the same case
    in_case = iter(engine.same_case(far, item.case_key) if item.case_key and far else [False] * len(far))
    ranked: list[tuple[float, str, StoredItem]] = []
    for hit, likeness, close in weighed:
        if not close and not next(in_case):
            continue
        other = hit.item
        if other.id == item_id or not other.is_open:
            continue
        same_case = bool(item.case_key) and other.case_key == item.case_key
        if not same_case and not close:
            continue
        same_topic = bool(topics & _topics(other))
        factor = 1.0 + 1.0 * same_case + 0.5 * same_topic + 0.25 * (_committee(other) == _committee(item))
        ranked.append((-round(likeness * factor, 9), other.id, other))
    ranked.sort(key=lambda entry: entry[:2])
    return [other for _, _, other in ranked[:limit]]


@lru_cache(maxsize=200_000)
def _terms(word: str) -> tuple[str, ...]:
    """The terms the analysis makes of one word: the same for every page asking it (the
    analysis is fixed for the process), and an item page's words are mostly the same few thousand."""
    return tuple(analyse(word))


def _topics(item: StoredItem) -> set[str]:
    return {str(t.get("code") if isinstance(t, dict) else t) for t in item.doc.get("topics") or []}


def _committee(item: StoredItem) -> str:
    return str((item.doc.get("meeting") or {}).get("committee") or "")
