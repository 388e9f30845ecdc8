"""SearchService: the one search used by the CLI, the JSON API and the HTML views.

It parses the query once into our AST (``indexer.search.query``), rewrites it
(names and abbreviations of bodies), and asks an engine (``indexer.engines``,
chosen by the index location) for hits, totals and facet counts. Snippets,
"Mente du", autocomplete, item pages, case history and similar items are built
here from what the engine returns, so every engine gives the same answers.
It returns plain dicts and dataclasses and knows nothing of HTTP or terminals,
nor of any engine's library. Engines search and count open items only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar

from indexer.analysis import ANALYSIS_VERSION
from indexer.analysis.bodies import DefinitionTable, RouteTable
from indexer.analysis.compounds import compound_cuts, split_compound
from indexer.analysis.danish import DANISH_STOP_WORDS, analyse, fold, normalise_query
from indexer.analysis.lexicon import is_known
from indexer.engines import is_url, open_engine
from indexer.engines.base import (
    CLOSED_TITLE,
    FACETS,
    SNIPPET_FIELDS,
    SORTS,
    Engine,
    EngineError,
    Filters,
    Hit,
    SearchSpec,
    StoredItem,
)
from indexer.municipalities import canonical_municipality
from indexer.search import query as ast
from indexer.search import spelling
from indexer.search.query import topic_code
from indexer.search.similar import similar_to
from indexer.search.snippets import highlight
from indexer.search.treatments import CaseText, fold_treatments
from indexer.topics import TOPIC_NAMES, public_topics

SNIPPET_LABELS = {"decision": "beslutning", "title": "titel", "body": "sagsfremstilling", "attachments": "bilag"}
MAX_PAGE = 1000
# A query of at most this many hits is offered a correction ("Mente du") even for a word some
# item holds as written (the same slip in their text), but keeps its own results: on the dev
# part, showing the correction's results instead turned rare names into common words
# ("risskov" → "risiko", "sejerø" → "senere") and helped no query (see README).
FEW_HITS = 3
# A query whose words all stand together in fewer items than this is followed by the items
# holding most of them (``SearchService._walk``): a page's worth of answers.
FILL_BELOW = 10
# A near answer that lacks one of the typed words is listed before a whole answer (holding every
# word) when it scores more than this many times as much, times the share of the typed words it
# holds (``_near_among_whole``: of two words typed, one held must score three times as much; of
# four, three held 2×): an extra word typed beside a known item's own ("regler for at købe it
# udstyr" of "Regler for indkøb af it-udstyr") is otherwise held by a long item that writes all of
# them in passing, far from each other.  Chosen on the development queries and on those queries
# with one word more (``benchmarks/perturbed.py --change extra``, seeds 1 and 2), simulated on the
# lists as ranked before: flat margins of 2, 2.5 and 3 gave dev +0.0006/+0.0009/+0.0009 MRR and the
# extra-word queries +0.006/+0.009, +0.006/+0.007, +0.004/+0.006; this one +0.0009, +0.006/+0.008.
# Below a flat 1.5, dev lost more than it gained (whole answers that were right fell behind).
# A query typed as a question merges every relaxed tier by the same rule, NEAR_MARGIN again for
# each word more an answer lacks (round 28: the fifteenth dev set, questions and descriptions in
# users' own words, 0.848 → 0.878 MRR; margins of 2 and 3 a word gave no more).  Not other
# queries: merged so, the extra-word queries lost 0.017 and 0.025 MRR (a word from another
# query lets items lacking it and one more of the item's own words stand before it).
NEAR_MARGIN = 1.5
# Noun endings (definite, plural, genitive) taken off a word that has no correction of its own,
# longest first; the base must keep this many letters.
INFLECTION_ENDINGS = ("ernes", "erne", "enes", "ene", "ens", "ets", "en", "et", "er", "es", "e", "s")
MIN_CORRECTED_BASE = 6
# The shortest word "Mente du" corrects: a shorter one is too near too many words to tell a slip.
MIN_CORRECTED = 4
# A compound corrected in one of its parts (``_corrections_of_parts``): the shortest word so
# corrected, and the shortest part on either side of the cut.
MIN_SLIPPED_COMPOUND = 10
MIN_SLIPPED_PART = 4
# A word no open item holds and the dictionary cuts nowhere, typed solid where the minutes write two
# words (``_apart_as_written``: "streetfood", "firstagenda", "rema1000"): its least length, and
# the least length of each side (a number of two digits may follow a name).
MIN_UNCUT_WORD = 7
MIN_UNCUT_SIDE = 3
# "Mente du" keeps this many corrections of each misspelt word and counts the hits of at most
# this many combinations, likeliest first, for one that finds something.
CORRECTIONS_PER_WORD = 3
CORRECTIONS_TRIED = 6
# How many items under one title an item page compares with its own text (``case_history``).
SAME_TITLE_ITEMS = 50
# How many committee lists (the index's, a municipality filter's) keep their names indexed.
MAX_COMMITTEE_LISTS = 32
# Where "Mente du" looks for a misspelt word's stem when no written word is a likely slip of it.
STEM_FIELDS = ("body", "parts")
# A slip of a word's base or stem is corrected only by at most one edit ("hverdags" → base
# "hverdag" is no slip of "hvordan", two unlike edits away; "måegrne" of "megen").
ONE_EDIT = 1.0
NOTHING_TO_SEARCH = (
    "Søgningen indeholder ingen ord at søge efter (kun OG, ELLER, IKKE, tomme anførselstegn "
    "eller et felt uden værdi, fx «udvalg:»)."
)


@dataclass
class SearchRequest:
    q: str = ""
    committee: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    municipality: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    # Search for exactly what was typed, even when it finds nothing and "Mente du" would.
    literal: bool = False
    # Each treatment of a case a row of its own (a feed: each is news), not listed under the first
    # (``treatments.fold_treatments``).
    every_treatment: bool = False

    def normalised(self) -> SearchRequest:
        # As the index compares its words (``normalise_word``): "a" and a ring typed for "å" is
        # "å", "ﬁ" is "fi", a full-width digit the digit, a soft hyphen or a zero-width joiner nothing.
        self.q = ast.caps_lock_off(normalise_query((self.q or "").strip())[:500])
        self.sort = self.sort if self.sort in SORTS else "relevance"
        self.page = min(max(1, int(self.page or 1)), MAX_PAGE)
        self.per_page = min(max(1, int(self.per_page or 10)), 100)
        # Stored under the official name ("Aarhus" → "Aarhus Kommune"), so filter by it too.
        self.municipality = [canonical_municipality(m) for m in self.municipality if m and m.strip()]
        # Stored as the main group's code: "5" and "Veje og trafik" are "05", as ``emne:`` reads them.
        self.topic = [ast.topic_code(t) or t.strip().lower() for t in self.topic if t and t.strip()]
        return self

    def selected(self) -> dict[str, list[str]]:
        return {
            "committee": self.committee,
            "year": self.year,
            "topic": self.topic,
            "municipality": self.municipality,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Partial:
    """The first ``whole`` items of the result hold every counted word (few or none did); the
    rest hold at least ``least`` of the ``typed`` counted words.  ``words``: those words, as typed;
    ``optional``: the common words typed beside them, which the search did not require (they only
    raise), so neither part counts them; ``bodies``: the committees named in words typed beside
    them ("teknisk udvalg"), which raise their items and are neither required nor counted either;
    ``places``: a municipality named beside them ("favrskov"), which each of these items holds
    (filed under it or writing it) and which is not counted; stop words are never counted."""

    least: int
    typed: int
    whole: int = 0
    words: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    # the fewest counted words an answer standing before a whole one holds (a question's answers
    # may lack more than one: ``_near_among_whole``); None: none stands before a whole one
    among_held: int | None = None

    @property
    def among(self) -> bool:
        """Near answers stand before some of the ``whole`` (``NEAR_MARGIN``)."""
        return self.among_held is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "least": self.least,
            "typed": self.typed,
            "whole": self.whole,
            "words": list(self.words),
            "optional": list(self.optional),
            "bodies": list(self.bodies),
            "places": list(self.places),
            "among": self.among,
        }

    def line(self, query: str, after_correction: bool = False) -> str:
        """The line above the partial answers, on the page and in the CLI alike: after a
        correction's items, after the few holding every word, or in place of none.  When common
        words were not required it names the words counted, and says why the others were not:
        "alle ord" would claim what the search did not ask for."""
        holds = "resultat indeholder" if self.whole == 1 else "resultater indeholder"
        # the near answers that stand among the whole ones lack one word; the list may go on below them
        near = self.among_held or self.typed - 1
        below = f", og derefter følger resultater med mindst {self.least}" if self.least < near else ""
        if not self.optional and not self.bodies and not self.places:
            rest = f"mindst {self.least} af de {self.typed} ord"
            if after_correction:
                return f"Til sidst resultater med {rest} i «{query}»."
            if self.whole and self.among:
                among = f"{near} af de {self.typed} ord{AMONG}{below}" if below else f"{rest}{AMONG}"
                return f"Kun {self.whole} {holds} alle ord i «{query}»; de står blandt resultater med {among}."
            if self.whole:
                return f"Kun {self.whole} {holds} alle ord i «{query}»; derefter resultater med {rest}."
            return f"Ingen resultater indeholder alle ord i «{query}». Viser resultater med {rest}."
        named = _quoted(self.words)
        # a municipality named is held by the whole answers as well, and by every one after them
        held = (*self.words, *self.places)
        every = f"både {_quoted(held)}" if len(held) == 2 else f"alle ordene {_quoted(held)}"
        of_them = f"af ordene {named}" if self.places else "af dem"
        why = ""
        if self.optional:
            it = "det" if len(self.optional) == 1 else "de"
            why += f" {_quoted(self.optional)} står i så mange punkter, at {it} ikke kræves."
        if self.bodies:
            whose = "udvalgets" if len(self.bodies) == 1 else "udvalgenes"
            why += f" {_quoted(self.bodies)} kræves ikke: {whose} punkter vises først."
        if self.places:
            why += f" Alle hører under {_quoted(self.places)} eller nævner det."
        if after_correction:
            return f"Til sidst resultater med mindst {self.least} af ordene {named}.{why}"
        if self.whole and self.among:
            among = f"{near} {of_them}{AMONG}{below}" if below else f"mindst {self.least} {of_them}{AMONG}"
            return f"Kun {self.whole} {holds} {every}; de står blandt resultater med {among}.{why}"
        if self.whole:
            return f"Kun {self.whole} {holds} {every}; derefter resultater med mindst {self.least} {of_them}.{why}"
        return f"Ingen resultater indeholder {every}. Viser resultater med mindst {self.least} {of_them}.{why}"


# How the line says that near answers stand among the whole ones (``Partial.among``).
AMONG = ", der passer langt bedre"


def _quoted(words: Sequence[str]) -> str:
    """«a», «b» og «c»."""
    quoted = [f"«{word}»" for word in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} og {quoted[-1]}"


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    suggestion: str | None = None
    error: str | None = None
    # Set when the typed query found nothing and these are the results of its suggestion (and,
    # when it found a few, of ``partial`` after them), or when its words were searched spelt with
    # æ/ø/å as the minutes write them: the query as typed (``request.q`` is the one that ran).
    corrected_from: str | None = None
    # with ``corrected_from``: what the typed query found (0); None when it was only respelt
    typed_total: int | None = None
    # Set when no item holds every typed word and these hold most of them.
    partial: Partial | None = None
    # Set when the typed words found a few items (``typed_total`` of them, fewer than a page) and
    # their misspelling's correction more: the typed words' items come first, then the correction's
    # (``corrected_total``, each marked ``correction``), then any partial ones (``partial``).
    also_corrected: str | None = None
    corrected_total: int | None = None
    # What the user should be told of the request itself (``SearchService._read_request``): a
    # committee filter read as the committee an abbreviation names, a filter value no committee or
    # topic has, a field prefix the search does not know; shown by the page, the API and the CLI.
    notices: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "pages": self.pages,
            "sort": self.request.sort,
            "suggestion": self.suggestion,
            "corrected_from": self.corrected_from,
            "typed_total": self.typed_total,
            "partial": self.partial.to_dict() if self.partial else None,
            "also_corrected": self.also_corrected,
            "corrected_total": self.corrected_total,
            "error": self.error,
            "notices": self.notices,
            "results": self.results,
            "facets": self.facets,
        }


# Which part of a result list a ``Part`` is, in the order they are listed.
PartLabel = Literal["typed", "corrected_from", "also_corrected", "partial"]


@dataclass(frozen=True)
class Part:
    """One part of a result list: ``node`` (as parsed; rewritten for the index and raised where
    ``request.q``'s neighbours stand together when searched) within ``request``'s filters and
    order.  "typed": the words as typed; "corrected_from": the correction's (or the compounds
    apart) instead, when the typed words found nothing; "also_corrected": the correction's items
    the typed words did not find, each marked ``correction``; "partial": the items holding most
    of ``request.q``'s words, each told which of ``missing_of`` it lacks."""

    request: SearchRequest
    node: ast.Node | None
    label: PartLabel
    correction: str | None = None
    missing_of: list[str] | None = None
    partial: Partial | None = None


@dataclass
class Walk:
    """The parts of one result list that found something, in order, with their totals: what the
    page pages through and the exports list, so the two cannot drift apart.  ``request`` is
    whose words they are (the correction's after ``corrected_from``); ``suggestion`` the
    "Mente du" left to offer beside them."""

    request: SearchRequest
    parts: list[tuple[Part, int]] = field(default_factory=list)
    suggestion: str | None = None
    corrected_from: str | None = None
    # the words typed were searched spelt as the minutes write them (``_respelt``), not as typed
    respelt: bool = False

    def add(self, part: Part, total: int) -> int:
        """Keeps ``part`` when it found something; its total."""
        if total:
            self.parts.append((part, total))
        return total

    @property
    def total(self) -> int:
        return sum(total for _, total in self.parts)

    def found(self, label: PartLabel) -> tuple[Part, int] | None:
        return next(((part, total) for part, total in self.parts if part.label == label), None)

    def partial(self) -> Partial | None:
        """What the line above the partial answers says of all of them: the last try's (the
        fewest words the list goes down to).  When tries that kept a municipality named
        (``Partial.places``) are followed by tries that may leave it out, the municipality
        is counted as a word again, and the least is the fewest any listed item holds."""
        partials = [part.partial for part, _ in self.parts if part.label == "partial" and part.partial]
        if not partials:
            return None
        counted = partials[-1]
        if counted.places or not any(p.places for p in partials):
            return counted
        return replace(counted, least=min(p.least + len(p.places) for p in partials))


@dataclass
class AttachmentFile:
    """An open attachment of an open item: its metadata, where its archived copy is
    (a local path the web server may send, or a stream), and the source URL."""

    meta: dict[str, Any]
    source_url: str | None
    path: Path | None = None
    stream: BinaryIO | None = None


@dataclass(frozen=True)
class ItemPage:
    """An open item as its page shows it (``SearchService.item_page``): the full item, its
    meeting's items, its case history and its similar items, as the separate calls give them."""

    item: dict[str, Any]
    meeting_items: list[dict[str, Any]]
    case_history: list[dict[str, Any]]
    similar: list[dict[str, Any]]


AttachmentUrl = Callable[[str, int, dict[str, Any]], str | None]


class SearchService:
    """Opened once per process over one engine; safe for concurrent threads."""

    def __init__(
        self,
        index: Path | str | Engine,
        attachment_url: AttachmentUrl | None = None,
        read_replica: str | None = None,
        **engine_options: Any,
    ) -> None:
        """``index`` is an index location (a folder or a ``postgresql://`` URL) or an open
        engine; ``read_replica`` a server's replica to read from (a server engine only);
        ``engine_options`` go to the engine's ``open`` (e.g. Whoosh's ``bulk_matching``)."""
        if read_replica and not isinstance(index, Engine):
            if not is_url(index):
                raise EngineError(f"{read_replica}: a read replica is for a postgresql:// index, not a folder")
            engine_options["read_url"] = read_replica
        if isinstance(index, Engine):
            self.engine = index
        else:
            self.engine = _open(index, engine_options)
        self.attachment_url = attachment_url or self.local_attachment_url
        self._committee_cache: tuple[int, list[str]] | None = None
        self._full_names: tuple[DefinitionTable, RouteTable, ast.NameIndex] | None = None
        self._shared: tuple[DefinitionTable, RouteTable, DefinitionTable] | None = None
        # per index state: the words' shares held whole, and held whole or as a compound's part
        self._held_by: tuple[RouteTable, dict[str, float], dict[str, float]] | None = None
        # per index state: how many open items the index holds (``_common``)
        self._items_by: tuple[RouteTable, int] | None = None
        # per index state: whether open items hold each word asked as written (``_holds``)
        self._written_by: tuple[RouteTable, dict[str, bool]] | None = None
        self._committee_index: dict[tuple[str, ...], ast.CommitteeNames] = {}  # by the committee list

    def _shares(self, parts: bool = False) -> dict[str, float]:
        """The words weighed so far (``_common``; with ``parts``, ``_share_of``), for this index state."""
        routes = self.route_table()
        held = self._held_by
        if held is None or held[0] is not routes or max(len(held[1]), len(held[2])) > MAX_COUNTED_WORDS:
            held = self._held_by = (routes, {}, {})
        return held[2] if parts else held[1]

    def _holds(self, words: Iterable[str]) -> set[str]:
        """Which of ``words`` open items hold as written (``Engine.has_words``), asked of the engine
        once a word per index state: "Mente du" and the words written apart (``_apart_as_written``)
        ask of the same words, a server engine in one statement at most each."""
        routes = self.route_table()
        written = self._written_by
        if written is None or written[0] is not routes or len(written[1]) > MAX_COUNTED_WORDS:
            written = self._written_by = (routes, {})
        known = written[1]
        wanted = list(dict.fromkeys(words))
        missing = [word for word in wanted if word not in known]
        if missing:
            found = self.engine.has_words(missing)
            known.update((word, word in found) for word in missing)
        return {word for word in wanted if known[word]}

    def _weigh_words(self, node: ast.Node | None) -> None:
        """How common each plain word of ``node`` is, asked of the engine at once for those not
        weighed before (a server engine: one statement)."""
        words = ast.optional_candidates(node)
        if words:  # none: no word stands beside others, each is required whatever it is
            self._weigh(words)

    def _weigh(self, words: Iterable[str], parts: bool = False) -> dict[str, float]:
        """The shares weighed so far (``_shares``), with those of ``words`` (case-folded) the
        engine had not been asked for, asked at once; ``parts``: as held whole or as a part."""
        shares = self._shares(parts)
        # each word looked up (not ``set - shares.keys()``, which copies every word weighed so far)
        missing = sorted({folded for folded in (word.casefold() for word in words) if folded not in shares})
        if missing:
            shares.update(self.engine.word_shares(missing, parts=parts))
        return shares

    def _common(self, word: str) -> bool:
        """Whether the open items holding ``word`` in their title, decision or running text are more
        than ``COMMON_SHARE`` of the index's items; asked once a word per index state
        (``Engine.word_shares``).  Never in an index of fewer than ``MIN_ITEMS_FOR_COMMON`` open
        items, where a quarter is less than one item: in an index of one item every word it holds
        was held by all, so a query of such words and one no item holds required that one alone
        and listed nothing (the count is asked only of a word over the share, once per index state)."""
        return self._weigh([word])[word.casefold()] > COMMON_SHARE and self._open_items() >= MIN_ITEMS_FOR_COMMON

    def _open_items(self) -> int:
        """How many open items the index holds, asked once per index state."""
        routes = self.route_table()
        if self._items_by is None or self._items_by[0] is not routes:
            total = self.engine.search(SearchSpec(query=None, limit=0, with_facets=False)).total
            self._items_by = (routes, total)
        return self._items_by[1]

    def close(self) -> None:
        """Release the engine's files and connections."""
        self.engine.close()

    def local_attachment_url(self, item_id: str, index: int, attachment: dict[str, Any]) -> str | None:
        """Without a web server (the CLI): the archived file's path when the archive is local,
        else where the file came from."""
        name = attachment.get("archive_name")
        path = self.engine.archive.local_path(name) if name else None
        return str(path) if path is not None else attachment.get("source_url")

    # -- the query ---------------------------------------------------------------

    def query(self, text: str, municipalities: Sequence[str] = ()) -> ast.Node | None:
        """The AST of a query, rewritten for this index: a compound typed as two words is also
        looked for as one and one typed solid as two, and bodies are named any way minutes name them
        (a committee in words among those of ``municipalities``, when a search is filtered to them)."""
        node = ast.parse((text or "").strip())
        return self._rewrite(node, self._expand_names(node, municipalities))

    def _rewrite(self, node: ast.Node | None, named: ast.Node | None = None) -> ast.Node | None:
        """``named``: ``node`` with its names expanded already (``_expand_names``)."""
        return ast.common_words_optional(self._weighed(node, named), self._common)

    def _weighed(self, node: ast.Node | None, named: ast.Node | None = None) -> ast.Node | None:
        """``node`` rewritten up to the common-word rule, its words' shares known (``_weigh_words``)."""
        named = named or self._expand_names(node)
        rewritten = ast.without_stop_words(ast.split_compounds_too(node, named))
        self._weigh_words(rewritten)
        return rewritten

    @staticmethod
    def _raised(node: ast.Node | None, typed: str | None) -> ast.Node | None:
        """``node`` (rewritten) with the typed words that stand next to each other raised where an
        item writes them so (``ast.raise_neighbours``): the page's ranking, and so its exports'."""
        if node is None or not typed:
            return node
        return ast.raise_neighbours(node, ast.neighbour_pairs(ast.parse(typed.strip())))

    def _respelt(self, request: SearchRequest) -> SearchRequest:
        """The request with the words typed without the æ/ø/å the minutes write them with spelt as
        they write them (``_written_spellings``, ``ast.respelt_as_written``), as its letters are
        composed (``normalised``): the search reads each word as written, and says so
        (``request.q``).  A literal search keeps what was typed."""
        if not request.q or request.literal:
            return request
        typed = ast.parse(request.q)
        words = ast.typed_words(typed)
        spellings = {**(self._written_spellings(words) if words else {}), **self._solid_spellings(typed)}
        written = ast.respelt_as_written(request.q, spellings)
        return replace(request, q=written) if written != request.q else request

    def _solid_spellings(self, typed: ast.Node | None) -> dict[str, str]:
        """Of the compounds typed with a hyphen ("anlægs-projekter"), those no open item writes so
        that open items write solid, each with the solid word: searched as written, the compound
        is read whole (its names, its neighbours, its parts), as the word typed solid is."""
        joined = ast.hyphenated_compounds(typed)
        if not joined:
            return {}
        held = self._holds([*joined, *joined.values()])
        return {word: solid for word, solid in joined.items() if word not in held and solid in held}

    def _written_spellings(self, words: list[str]) -> dict[str, str]:
        """Of typed ``words`` (lower case), those no open item writes, each with the spelling with
        å/æ/ø open items write: for a word with aa/ae/oe, its first written respelling of them
        (``spelling.respellings``: "styrelsesvedtaegten" → "styrelsesvedtægten"); for one of plain
        letters of four or more, no Danish word form itself, its one written respelling of one or two
        a's and o's (``spelling.plain_respellings``: "vedtagt" → "vedtægt"; "moder" is a word and
        stays); for a shorter one in a query typed without æ/ø/å that the search finds nowhere, its
        one respelling open items hold ("pa" → "på").  The engine is asked about each word once per
        index state (``_holds``, ``_weigh``)."""
        digraphs = {w: found for w in words if (found := spelling.respellings(w))}
        plain: dict[str, list[str]] = {}
        for word in words:
            if word not in digraphs and len(word) >= MIN_CORRECTED and not _is_word_form(word):
                plain[word] = spelling.plain_respellings(word)
        options = {**digraphs, **{w: found for w, found in plain.items() if found}}
        # the words and their respellings in one question (a server engine: one statement at most)
        held = self._holds([*options, *(r for found in options.values() for r in found)]) if options else set()
        spellings: dict[str, str] = {}
        for word, found in options.items():
            kept = [r for r in found if r in held]
            # with aa/ae/oe the first written one; with plain letters only when just one is written
            if word not in held and kept and (word in digraphs or len(kept) == 1):
                spellings[word] = kept[0]
        # a short word the search finds nowhere, in a query typed without æ/ø/å ("pa" → "på", "lan" →
        # "lån"; the exact forms hold almost any two letters, so its analysed terms are asked)
        short = [
            w for w in words if len(w) < MIN_CORRECTED and w not in DANISH_STOP_WORDS and spelling.plain_respellings(w)
        ]
        if short and all(spelling.without_danish_letters(w) for w in words):
            shares = self._weigh(short)
            for word in short:
                respelt = self._held_respellings(word) if not shares[word] else []
                if len(respelt) == 1:
                    spellings[word] = respelt[0]
        return spellings

    def _expand_names(self, node: ast.Node | None, municipalities: Sequence[str] = ()) -> ast.Node | None:
        """The rewrites that name a thing another way (a full name, a body, an abbreviation, a
        compound typed apart, an everyday abbreviation or a law's name written the other way): what
        a snippet shows first (``ast.rewritten_words``).  ``municipalities``: the search's filter."""
        if node is None:
            return None
        # a date typed: held by the meetings of that day or month too (no other rewrite reads it)
        node = ast.expand_dates(node)
        # a committee named in words first: the rewrites below read its words as typed words
        # (its abbreviation, compounds), which now only raise
        node = ast.expand_committee_names(node, self.committee_names(municipalities))
        # a law's title or an abbreviation written out before the compound joins part its words at
        # a stop word; one word after them (it may be part of a compound typed apart) and after
        # the abbreviation rewrites (a body's abbreviation stays a word beside the others)
        node = ast.expand_written_forms(node, words=False)
        # a verb's particle joins it before the neighbours do (a run of words holds it no more)
        node = ast.join_split_compounds(ast.join_particle_verbs(ast.expand_full_names(node, self.full_names())))
        committees = self._committee_names()
        node = ast.expand_bodies(node, committees, self.route_table() if ast.names_a_body(node) else None)
        node = ast.expand_definitions(node, self.definitions_in_use() if ast.defines_any(node) else None)
        return ast.expand_written_forms(node, runs=False)

    def route_table(self) -> RouteTable:
        """Per municipality, what the abbreviations on its items' routes ("Sagsgang: KUU, ØK")
        stand for: learnt by the engine when the items were written (``Engine.route_table``)."""
        return self.engine.route_table()

    def definition_table(self) -> DefinitionTable:
        """Per municipality, the abbreviations its open text defines ("Danmarks Naturfredningsforening
        (DN)"): learnt by the engine when the items were written (``Engine.definition_table``)."""
        return self.engine.definition_table()

    def definitions_in_use(self) -> DefinitionTable:
        """The definitions a search uses: each municipality's own, and those that hold in every
        municipality (``ast.shared_definitions``), built again only when the engine's learnt
        tables change (each engine keeps them per index state)."""
        definitions, routes = self.definition_table(), self.route_table()
        cached = self._shared
        if cached is not None and cached[0] is definitions and cached[1] is routes:
            return cached[2]
        shared = ast.shared_definitions(definitions, routes, self._committee_names())
        self._shared = (definitions, routes, shared)
        return shared

    def full_names(self) -> ast.NameIndex:
        """The full names whose abbreviations the index has learnt (``ast.full_name_index``), built
        again only when the engine's learnt tables change."""
        definitions, routes = self.definitions_in_use(), self.route_table()
        cached = self._full_names
        if cached is not None and cached[0] is definitions and cached[1] is routes:
            return cached[2]
        names = ast.full_name_index(definitions, routes)
        self._full_names = (definitions, routes, names)
        return names

    def committee_names(self, municipalities: Sequence[str] = ()) -> ast.CommitteeNames:
        """The committees by the words that name them (``ast.committee_names``): the index's, or
        within a search filtered to ``municipalities`` theirs alone (``Engine.committees_of``), so
        a part of a name is read as the one committee of those municipalities it is part of
        ("miljøudvalget" in Kalundborg, where another municipality has a Klima- og Miljøudvalg).
        Built again only when the committee list changes."""
        found = self.engine.committees_of(municipalities) if municipalities else self._committee_names()
        committees = tuple(found)
        names = self._committee_index.get(committees)
        if names is None:
            if len(self._committee_index) >= MAX_COMMITTEE_LISTS:
                self._committee_index.clear()
            names = self._committee_index[committees] = ast.committee_names(committees)
        return names

    def _committee_names(self) -> list[str]:
        """The committees body names are resolved against (an engine may cache them per index state)."""
        return self.committees()

    @staticmethod
    def _filters(request: SearchRequest) -> Filters:
        return Filters(
            committee=tuple(sorted(v for v in request.committee if v)),
            municipality=tuple(sorted(v for v in request.municipality if v)),
            kind=tuple(sorted(v for v in request.kind if v)),
            year=tuple(sorted(v for v in request.year if v)),
            topic=tuple(sorted({t.strip().lower() for t in request.topic if t and t.strip()})),
            date_from=request.date_from,
            date_to=request.date_to,
        )

    # -- searching -------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        """One search with its facets, snippets and "Mente du" (and the correction's results when
        what was typed found nothing), read from one state of the index (``Engine.reading``)."""
        with self.engine.reading():
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResponse:
        """The page: each part of the walk (``_walk``) asked for its share of the page's window,
        one list paged as one; facets of the parts that found something counted together."""
        request = request.normalised()
        notices = self._read_request(request)
        if nothing_to_search(request):
            return SearchResponse(request, 0, [], {}, error=NOTHING_TO_SEARCH)
        offset = (request.page - 1) * request.per_page
        # the list's head, where near answers may stand among the whole ones (``_near_among_whole``),
        # is read whole, so each page lists it in one order
        start = 0 if offset < FILL_BELOW else offset
        wanted = max(offset + request.per_page, FILL_BELOW) if start == 0 else request.per_page
        pages: list[tuple[Part, SearchResponse]] = []  # each part's share of the window, in the walk's order
        listed_items: dict[str, StoredItem] = {}  # each listed hit's, to fold one case's treatments

        def search(part: Part) -> int:
            ahead = sum(page.total for _, page in pages)
            listed = sum(len(page.results) for _, page in pages)
            pages.append((part, self._ranked(part, (max(0, start - ahead), wanted - listed), listed_items)))
            return pages[-1][1].total

        walk = self._walk(request, search, offer=True)
        found = [(part, page) for part, page in pages if page.total] or pages[:1]
        facets = found[0][1].facets
        for _, page in found[1:]:
            facets = _merged_facets(facets, page.facets)
        listed, among_held = _near_among_whole(
            [(part, hit) for part, page in found for hit in page.results], lambda hit: hit["score"]
        )
        typed, also = walk.found("typed"), walk.found("also_corrected")
        partial = walk.partial()
        rows = [hit for _, hit in listed][offset - start :][: request.per_page]
        return SearchResponse(
            walk.request,
            walk.total,
            rows if request.every_treatment else fold_treatments(rows, listed_items),
            facets,
            suggestion=walk.suggestion,
            corrected_from=walk.corrected_from,
            typed_total=(None if walk.respelt else 0)
            if walk.corrected_from
            else (typed[1] if typed and also else None),
            partial=replace(partial, among_held=among_held) if partial else None,
            also_corrected=also[0].correction if also else None,
            corrected_total=also[1] if also else None,
            notices=notices,
        )

    def _ranked(
        self, part: Part, window: tuple[int, int], listed_items: dict[str, StoredItem] | None = None
    ) -> SearchResponse:
        """The page's ``window`` (offset, limit) of one part, with facets and snippets (and each
        hit's ``correction`` or ``missing`` words, as the part says); ``listed_items`` gets each
        hit's stored item (``fold_treatments`` reads their texts)."""
        request, typed = part.request, part.node
        query, named = self._part_query(part)
        spec = SearchSpec(
            query=query,
            filters=self._filters(request),
            sort=request.sort,
            offset=window[0],
            limit=window[1],
        )
        result = self.engine.search(spec)
        highlight_terms = spec.query is not None
        prefer = _snippet_terms(ast.rewritten_words(typed, named)) if highlight_terms else frozenset()
        hits = [self._result(hit, highlight_terms, prefer) for hit in result.hits]
        if listed_items is not None:
            listed_items.update((hit.item.id, hit.item) for hit in result.hits)
        places = _places_typed(part.request.q) if part.missing_of else {}
        for hit, shown in zip(result.hits, hits, strict=True):
            if part.missing_of is not None:
                shown["missing"] = [
                    word
                    for word in part.missing_of
                    if not _holds(hit.matched, word) and places.get(word.casefold()) != shown.get("municipality")
                ]
            if part.correction:
                shown["correction"] = part.correction
        return SearchResponse(request, result.total, hits, self._facets(result.facets, request))

    def iter_summaries(self, request: SearchRequest, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """(total, item summaries) of the whole result set in the request's order, up to ``limit``.

        For exports and feeds: one search, no facets, no highlighting, so a large
        CSV costs one query rather than one highlighted page of hits per hundred rows.
        """
        with self.engine.reading():
            return self._iter_summaries(request, limit)

    def _iter_summaries(self, request: SearchRequest, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """The exports: each part of the page's walk (``_walk``) asked for what is left of ``limit``."""
        request = request.normalised()
        self._read_request(request)
        if nothing_to_search(request):
            return 0, []
        limit = max(1, limit)
        # the list's head is read whole, as the page reads it (``_near_among_whole``)
        fetch = max(limit, FILL_BELOW)
        hits: list[tuple[Part, Hit]] = []

        def search(part: Part) -> int:
            spec = SearchSpec(
                query=self._part_query(part)[0],
                filters=self._filters(part.request),
                sort=part.request.sort,
                offset=0,
                limit=max(1, fetch - len(hits)),
                with_facets=False,
            )
            result = self.engine.search(spec)
            hits.extend((part, hit) for hit in result.hits[: fetch - len(hits)])
            return result.total

        walk = self._walk(request, search)
        listed, _ = _near_among_whole(hits, lambda hit: _shown_score(hit.score))
        return walk.total, [self.item_summary(hit.item.doc) for _, hit in listed[:limit]]

    def _part_query(self, part: Part) -> tuple[ast.Node | None, ast.Node | None]:
        """(what is searched for a part: its node rewritten for the index and raised where the
        request's typed neighbours stand together; its names expanded, which a snippet shows first)."""
        named = self._expand_names(part.node, part.request.municipality)
        return self._raised(self._rewrite(part.node, named), part.request.q), named

    def _walk(self, request: SearchRequest, search: Callable[[Part], int], offer: bool = False) -> Walk:
        """The request's parts (``_walk_unfaceted``), each searched within its facet filters.

        A facet filter (committee, year, topic, municipality, document type) narrows the list
        the query gives without it, and never widens it: which parts the list holds — the typed
        words, a correction, the near answers added while the whole ones were fewer than
        ``FILL_BELOW`` — is decided by the query without its facet filters, the page whose facet
        counts the user clicked, and then each part is searched within the filters.  So a
        facet's count is what clicking it gives ("lokalplan vej": "Teknisk Udvalg (7)" lists 7,
        not 7 followed by the committee's near answers, which the unfiltered page never listed;
        "udviklingsplan aarhus ø": not every item of an Aarhus committee, all of which hold
        "aarhus"), and a filter chosen first lists what that page's facet would count.  The
        date range is no facet: the facets are counted within it, so it stays in the query.  A
        municipality filter is also a scope the words are read in (``_without_facets``): the
        parts are decided by what they find in every municipality, their words read as they are
        within it ("miljøudvalget" is Norddjurs' Klima- og Miljøudvalget there)."""
        unfaceted = _without_facets(request)
        if unfaceted == request and not request.municipality:
            return self._walk_unfaceted(request, search, offer)

        def count(part: Part) -> int:
            """What ``part`` finds without the facet filters (its words read in the municipality's
            scope, as the filtered search reads them)."""
            spec = SearchSpec(
                query=self._part_query(part)[0],
                filters=self._filters(replace(part.request, municipality=[])),
                sort=part.request.sort,
                offset=0,
                limit=1,
                with_facets=False,
            )
            return self.engine.search(spec).total

        decided = self._walk_unfaceted(unfaceted, count, offer)
        walk = Walk(
            _with_facets_of(decided.request, request),
            suggestion=decided.suggestion,
            corrected_from=decided.corrected_from,
            respelt=decided.respelt,
        )
        parts = [part for part, _ in decided.parts] or [Part(decided.request, ast.parse(decided.request.q), "typed")]
        whole = 0  # what the typed words (or the correction shown instead) find within the filters
        for part in parts:
            part = replace(part, request=_with_facets_of(part.request, request))
            if part.partial is not None:
                part = replace(part, partial=replace(part.partial, whole=whole))
            found = walk.add(part, search(part))
            whole += found if part.label in ("typed", "corrected_from") else 0
        return walk

    def _walk_unfaceted(self, request: SearchRequest, search: Callable[[Part], int], offer: bool = False) -> Walk:
        """``_walk_written`` of the request with its words spelt as the minutes write them
        (``_respelt``); the response then says what was typed as a correction's does
        (``corrected_from``, with no count of what the words as typed would find)."""
        written = self._respelt(request)
        walk = self._walk_written(written, search, offer, as_typed=request.q)
        if written is not request and walk.corrected_from in (None, written.q):
            walk.corrected_from, walk.respelt = request.q, walk.corrected_from is None
        return walk

    def _walk_written(
        self, request: SearchRequest, search: Callable[[Part], int], offer: bool = False, as_typed: str | None = None
    ) -> Walk:
        """The parts of ``request``'s result list, in the order the page and its exports list them,
        each decided by what those before it found; ``search`` searches a part (keeping what its
        caller lists of it) and returns its total.  The typed words; when they found nothing, the
        first of ``_instead_of_nothing`` that finds something (``corrected_from``), followed when it
        found fewer than ``FILL_BELOW`` by the items holding most of its words, as the words typed
        right are (``partial``); when they found fewer than ``FILL_BELOW`` and a misspelling has a
        correction, its other items (``also_corrected``: in a large index a slip is more often
        written somewhere too, and a known-item query would lose its answer to that accident);
        while still fewer, the items holding most of the words (``partial``: all but one, then all
        but two while the list is still short, down to half; each tier one search, its items
        weighed by the words they lack, ``ast.relaxations``; of the correction's first,
        ``_relaxing_instead``: a known-item query often holds one word its item does not write).
        ``offer``: also the "Mente du" the page offers beside the results it keeps.  ``as_typed``: the
        words as typed, when ``request`` spells them otherwise (``_respelt``): "Mente du" reads the
        keyboard from them ("aldre omradet" typed without å says "aldre" may be "ældre")."""
        typed = ast.parse(request.q.strip())
        walk, first = Walk(request), Part(request, typed, "typed")
        whole = walk.add(first, search(first))
        if not request.q:
            return walk
        # the committees the typed words name, found once: "Mente du" and the partial answers read them
        mentions = self._mentions(typed, request.municipality)
        shown, relaxing = typed, [request]
        if whole:
            few = whole < FILL_BELOW and not request.literal
            if _plain_words(request.q) and (offer or few):
                walk.suggestion = self._typo_correction(request, whole, mentions)
            meant = ast.parse(walk.suggestion) if walk.suggestion and few else None
            if meant is not None:
                also = Part(request, _and_not(meant, typed), "also_corrected", correction=walk.suggestion)
                if walk.add(also, search(also)):
                    # the line that says so is the suggestion, not also "Mente du"
                    walk.suggestion, shown = None, _or(typed, meant)
            apart = self._compound_apart(request, mentions) if few and shown is typed else None
            # a compound a few items write whole: then the items writing its two words
            # ("landsbypulje": "Pulje til Landsbyfornyelse"), as when no item writes it
            apart_node = ast.parse(apart) if apart else None
            if apart_node is not None:
                also = Part(request, _and_not(apart_node, typed), "also_corrected", correction=apart)
                if walk.add(also, search(also)):
                    shown = _or(typed, apart_node)
        else:
            walk.suggestion = self.did_you_mean(
                as_typed or request.q, filters=self._filters(request), mentions=mentions
            )
            for text in self._instead_of_nothing(request, walk.suggestion, mentions):
                # the user can still insist on the typed words (``literal``)
                instead = Walk(replace(request, q=text, literal=True).normalised(), corrected_from=request.q)
                part = Part(instead.request, ast.parse(text), "corrected_from")
                found = instead.add(part, search(part))
                if found and found < FILL_BELOW:
                    # a few: followed by the items holding most of the corrected words, as the words
                    # typed right are; the page's links (its next pages, facets) search the correction
                    # so too, not literally
                    instead.request = replace(instead.request, literal=False)
                    its = self._mentions(part.node, instead.request.municipality)
                    self._fill(instead, instead.request, part.node, its, found, part.node, search)
                if found:
                    return instead
            meant_request = self._relaxing_instead(request, walk.suggestion)
            relaxing = [meant_request, request] if meant_request is not None else relaxing
            # a word joined by a hyphen that no item holds whole ("it-indkøbsregler") is the words
            # it joins, when nothing holding most of the words as typed is found either
            joined = _hyphens_apart(request)
            relaxing = [*relaxing, joined] if joined is not None else relaxing
        if walk.total >= FILL_BELOW:
            return walk
        # the tries down to half the words; when they found nothing at all, those below the half
        # (a query no item holds even half the words of otherwise lists nothing)
        for below_half in (False, True):
            if below_half and walk.total:
                break
            for asked in relaxing:
                parsed = typed if asked is request else ast.parse(asked.q.strip())
                named = mentions if asked is request else self._mentions(parsed, asked.municipality)
                listed = shown if walk.total else None
                if self._fill(walk, asked, parsed, named, whole, listed, search, below_half, deeper=True):
                    if not whole:  # a correction that found nothing is not offered beside partial results
                        walk.suggestion = None
                    if asked is not request:  # said so as a correction is
                        walk.request, walk.corrected_from = asked, request.q
                    return walk
        return walk

    def _fill(
        self,
        walk: Walk,
        asked: SearchRequest,
        parsed: ast.Node | None,
        named: ast.CommitteeMentions,
        whole: int,
        listed: ast.Node | None,
        search: Callable[[Part], int],
        below_half: bool = False,
        deeper: bool = False,
    ) -> bool:
        """Adds to ``walk`` the items holding most of ``asked``'s words (``parsed``; ``named``: the
        committees they name), tier by tier while the list is shorter than ``FILL_BELOW``, after
        ``whole`` items held them all; ``listed``: what the list holds already.  Whether any did.
        ``below_half``: the tries below half the words, only as far as the first that finds any.
        ``deeper``: when the list holds no more than ``FEW_HITS`` after the tries down to half, those
        below the half too, as far as the first that adds any: a word more than its item writes
        otherwise leaves a page of one or two near answers ("10 megawatt varmepumpe styrelses
        kalundborg", whose item writes "10MW varmepumpe … Kalundborg").  Not for a longer list: each
        try below the half is an Or of many choices of words, and going on below any list shorter
        than a page took the mean CPU of a dev search from 19.7 to 28.1 ms (this, to 23.5) for
        three more dev items found (see README)."""
        # a committee's name is not required (it raises): no item lacks it
        kept = named.words
        words = [leaf.text for leaf in ast.droppable_words(parsed) if leaf not in kept]

        def add(partial: Partial, node: ast.Node) -> None:
            nonlocal listed
            part = Part(asked, _and_not(node, listed), "partial", missing_of=words, partial=partial)
            if walk.add(part, search(part)):
                listed = _or(listed, node)  # a try with fewer words finds these again

        def tries(below: bool) -> Iterator[tuple[Partial, ast.Node]]:
            """A municipality named is kept in every try first, then the tries may leave it out."""
            if named.places:
                yield from self._relaxations(asked, parsed, named, whole, below, places_kept=True)
            yield from self._relaxations(asked, parsed, named, whole, below)

        for partial, node in tries(below_half):
            if walk.found("partial") and (below_half or walk.total >= FILL_BELOW):
                break
            add(partial, node)
        if deeper and not below_half and 0 < walk.total <= FEW_HITS:
            before = walk.total
            for partial, node in tries(True):
                if walk.total > before:  # the first try that adds any (a few and it: under a page)
                    break
                add(partial, node)
        return walk.found("partial") is not None

    def _mentions(self, typed: ast.Node | None, municipalities: Sequence[str] = ()) -> ast.CommitteeMentions:
        """The committees named in words in a parsed query (``ast.committee_mentions``), among those
        of ``municipalities`` when the search is filtered to them."""
        return ast.CommitteeMentions.of(typed, self.committee_names(municipalities))

    def _facets(self, all_counts: dict[str, dict[str, int]], request: SearchRequest) -> dict[str, list[dict[str, Any]]]:
        selected = request.selected()
        out: dict[str, list[dict[str, Any]]] = {}
        for name in FACETS:
            counts = all_counts.get(name, {})
            chosen = {v.lower() if name == "topic" else v for v in selected.get(name, [])}
            values: list[dict[str, Any]] = [
                {"value": str(value), "count": int(count), "selected": str(value) in chosen}
                for value, count in counts.items()
                if value not in (None, "", b"")
            ]
            for value in chosen:  # a selected value with no hits still shows, so it can be removed
                if not any(v["value"] == value for v in values):
                    values.append({"value": value, "count": 0, "selected": True})
            out[name] = _in_facet_order(name, values)
        return out

    def _result(self, hit: Hit, highlight_terms: bool, prefer: frozenset[str] = frozenset()) -> dict[str, Any]:
        """One hit as a listing row with its snippet."""
        texts = hit.item.texts
        snippet, snippet_field = "", ""
        if highlight_terms:
            snippet, snippet_field = self._snippet(texts, hit.matched, prefer)
        field: str | None = snippet_field
        if not snippet:
            lead = _first_lines(texts.get("decision") or texts.get("body") or "", 240)
            snippet = _escape(lead)
            # an item with no text at all has no snippet, and no field it came from
            field = ("beslutning" if texts.get("decision") else "sagsfremstilling") if lead else None
        result = self.item_summary(hit.item.doc)
        result.update(
            snippet=snippet,
            snippet_field=field,
            score=_shown_score(hit.score) if highlight_terms else None,
        )
        return result

    @staticmethod
    def _snippet(
        texts: dict[str, str], by_field: dict[str, set[str]], prefer: frozenset[str] = frozenset()
    ) -> tuple[str, str]:
        """(highlighted passage, the field it is from): the first field, in the order
        decision, title, body, attachments, whose own terms matched; else the first
        that shows an exact-form or compound-part match.  When the query was rewritten (an
        abbreviation or a full name, ``prefer``: their terms and forms), first the first
        field showing a match of those, that passage first: an item found through "DN" for
        "Danmarks Naturfredningsforening" shows where it writes DN."""
        exact, parts = by_field.get("exact", set()), by_field.get("parts", set())
        if prefer:
            for fieldname in SNIPPET_FIELDS:
                stored_text = texts.get(fieldname) or ""
                stemmed = by_field.get(fieldname, set())
                if stored_text and (stemmed or exact or parts):
                    text = highlight(stored_text, stemmed, exact, parts, prefer=prefer, only_preferred=True)
                    if text:
                        return text, SNIPPET_LABELS[fieldname]
        for own_terms_only in (True, False):
            for fieldname in SNIPPET_FIELDS:
                stemmed = by_field.get(fieldname, set())
                if own_terms_only and not stemmed:
                    continue
                stored_text = texts.get(fieldname) or ""
                text = highlight(stored_text, stemmed, exact, parts) if stored_text else ""
                if text:
                    return text, SNIPPET_LABELS[fieldname]
        return "", ""

    def item_summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The shape every listing uses (CLI --json, /api/search, feeds, CSV)."""
        meeting = doc.get("meeting", {})
        decisions = doc.get("decisions") or []
        decision_text = "\n".join(d.get("text", "") for d in decisions).strip()
        if not decision_text:
            decision_text = "\n".join(s["text"] for s in doc.get("sections", []) if s.get("kind") == "decision").strip()
        return {
            "id": doc["id"],
            "title": doc.get("title", ""),
            "committee": meeting.get("committee", ""),
            "municipality": meeting.get("municipality", ""),
            "meeting_id": meeting.get("id", ""),
            "meeting_date": meeting.get("start"),
            "date_precision": meeting.get("date_precision", "day"),
            "type": meeting.get("kind"),
            "item_number": doc.get("number", ""),
            "case_number": doc.get("case_number"),
            "access": doc.get("access", "closed"),
            "decision": _first_lines(decision_text, 400),
            "attachments": [self._attachment(doc["id"], n, a) for n, a in enumerate(doc.get("attachments", []))],
            "topics": public_topics(doc.get("topics")),
        }

    def _attachment(self, item_id: str, n: int, attachment: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": attachment.get("number"),
            "title": attachment.get("title"),
            "access": "open",
            "journal_number": attachment.get("journal_number"),
            "document_id": attachment.get("document_id"),
            "url": self.attachment_url(item_id, n, attachment),
            "media_type": attachment.get("media_type"),
            "text_status": attachment.get("text_status"),
        }

    # -- items -----------------------------------------------------------------

    def _open_item(self, item_id: str) -> StoredItem | None:
        item = self.engine.item(item_id)
        return item if item is not None and item.is_open else None

    def get_item(self, item_id: str) -> dict[str, Any] | None:
        """The full public item, or None when unknown or closed."""
        stored = self._open_item(item_id)
        return self._full_item(stored) if stored is not None else None

    def item_page(self, item_id: str, similar: int = 5) -> ItemPage | None:
        """What an item's page and ``/api/items/<id>`` show, or None when unknown or closed: the
        item read once (its stored text is most of what reading it costs; its case history and
        "Lignende sager" each read it again before) and everything from one state of the index."""
        with self.engine.reading():
            stored = self._open_item(item_id)
            if stored is None:
                return None
            item = self._full_item(stored)
            return ItemPage(
                item=item,
                meeting_items=self.meeting_items(item["meeting_id"]),
                case_history=self._case_history_of(stored),
                similar=self._similar_to(stored, similar),
            )

    def _full_item(self, stored: StoredItem) -> dict[str, Any]:
        item_id = stored.id
        doc = stored.doc
        item = self.item_summary(doc)
        item.update(
            sections=doc.get("sections", []),
            decisions=doc.get("decisions", []),
            history=doc.get("history", []),
            absentees=doc.get("absentees", []),
            route=doc.get("route"),
            location=doc.get("meeting", {}).get("location"),
            attachments=[self._attachment(item_id, n, a) for n, a in enumerate(doc.get("attachments", []))],
            source_document=self._source_document(doc.get("source_document")),
        )
        return item

    @staticmethod
    def _source_document(source: dict[str, Any] | None) -> dict[str, Any] | None:
        """An item read from a whole-meeting document: its title, the page the item starts on, and
        whether the (open) document can be shown."""
        if not source:
            return None
        return {
            "title": source.get("title"),
            "page": source.get("page"),
            "media_type": source.get("media_type"),
            "available": bool(source.get("archive_name") or source.get("source_url")),
        }

    def source_document(self, item_id: str) -> AttachmentFile | None:
        """The whole-meeting document an open item was read from (its archived open copy
        when there is one), or None."""
        stored = self._open_item(item_id)
        source = stored.doc.get("source_document") if stored is not None else None
        if not source:
            return None
        return self._archived(source)

    def source_document_file(self, item_id: str) -> tuple[Path | None, str | None, dict[str, Any] | None]:
        """(local archived path, source URL, metadata) of the whole-meeting document an open item was read from."""
        found = self.source_document(item_id)
        if found is None:
            return None, None, None
        if found.stream is not None:
            found.stream.close()
        return found.path, found.source_url, found.meta

    def attachment_file(self, item_id: str, index: int) -> tuple[Path | None, str | None, dict[str, Any] | None]:
        """(local archived path, source URL, metadata) of an open attachment of an open item."""
        found = self.attachment(item_id, index)
        if found is None:
            return None, None, None
        if found.stream is not None:
            found.stream.close()
        return found.path, found.source_url, found.meta

    def attachment(self, item_id: str, index: int) -> AttachmentFile | None:
        """An open attachment of an open item (its archived copy when there is one), or None."""
        stored = self._open_item(item_id)
        if stored is None:
            return None
        attachments = stored.doc.get("attachments", [])
        if not 0 <= index < len(attachments):
            return None
        return self._archived(attachments[index])

    def _archived(self, meta: dict[str, Any]) -> AttachmentFile:
        """A file an open item refers to: a local path when the engine's archive is a folder,
        else a stream from wherever the engine keeps it (a database), else only its source."""
        name = meta.get("archive_name") or ""
        archive = self.engine.archive
        path = archive.local_path(name) if name else None
        stream = archive.open(name) if name and path is None else None
        return AttachmentFile(meta=meta, source_url=meta.get("source_url"), path=path, stream=stream)

    def meeting_items(self, meeting_id: str) -> list[dict[str, Any]]:
        """All items of a meeting in agenda order; closed ones as neutral stubs."""
        items: list[dict[str, Any]] = []
        for stored in self.engine.meeting_items(meeting_id):
            closed = not stored.is_open
            items.append(
                {
                    "id": None if closed else stored.id,
                    "number": stored.number,
                    "title": CLOSED_TITLE if closed else stored.title,
                    "access": "closed" if closed else "open",
                    "position": stored.position,
                }
            )
        items.sort(key=lambda i: (i["position"], _number_key(i["number"])))
        return items

    def case_history(self, item_id: str) -> list[dict[str, Any]]:
        """Every other open item of the case, oldest first: those with its case number, and its
        treatments by their text (``treatments.CaseText``: the open dataset's rows carry no case
        number)."""
        with self.engine.reading():
            stored = self._open_item(item_id)
            return self._case_history_of(stored) if stored is not None else []

    def _case_history_of(self, stored: StoredItem) -> list[dict[str, Any]]:
        """``case_history`` of an open item already read, inside the caller's ``engine.reading()``."""
        item_id = stored.id
        numbered = self.engine.case_items(stored.case_key) if stored.case_key else []
        others = {i.id: i for i in [*numbered, *self._same_text_treatments(stored)] if i.id != item_id}
        ordered = sorted(others.values(), key=lambda i: ((i.doc.get("meeting") or {}).get("start") or "", i.id))
        return [self.item_summary(i.doc) for i in ordered]

    def _same_text_treatments(self, stored: StoredItem) -> list[StoredItem]:
        """The open items of ``stored``'s municipality under its title whose case text is its own."""
        text = CaseText.of(stored)
        title = stored.title.replace('"', " ").strip()
        if text is None or not title or not text.municipality:
            return []
        spec = SearchSpec(
            query=ast.Phrase(title, "title"),
            filters=Filters(municipality=(text.municipality,)),
            limit=SAME_TITLE_ITEMS,
            with_facets=False,
        )
        found = (hit.item for hit in self.engine.search(spec).hits)
        return [item for item in found if (other := CaseText.of(item)) is not None and text.same_case(other)]

    def similar(self, item_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """ "Lignende sager": items most like this one."""
        with self.engine.reading():  # the item once, and its neighbours from the same state
            item = self._open_item(item_id)
            return self._similar_to(item, limit) if item is not None else []

    def _similar_to(self, item: StoredItem, limit: int) -> list[dict[str, Any]]:
        """``similar`` of an open item already read, inside the caller's ``engine.reading()``."""
        found = similar_to(self.engine, item, limit)
        return [self.item_summary(i.doc) for i in found if i.id != item.id][:limit]

    # -- vocabulary ------------------------------------------------------------

    def did_you_mean(
        self,
        text: str,
        misspelt_only: bool = False,
        written_too: bool = False,
        filters: Filters | None = None,
        mentions: ast.CommitteeMentions | None = None,
    ) -> str | None:
        """ "Mente du": a corrected query built from the open index's own words.

        With ``misspelt_only`` (the query found something, through its stems) a word is
        only corrected when it is no Danish word form at all ("budgett"), so a correct
        inflection that merely is not written in the index is never "corrected".
        ``written_too``: a word no Danish word form is corrected even where some item
        holds it as written (the query found only a few items: the same slip in their text),
        but only into a word one cheap slip away: a rare name the minutes hold ("Risskov",
        "Sejerø") is no slip of a common word two edits off ("risiko", "senere").

        Each misspelt word keeps its likeliest corrections; the likeliest combination whose
        query finds something (within ``filters``: the words all items must hold together)
        is the correction, else the likeliest — except after a query that found something
        (``misspelt_only``), which is offered no correction that finds nothing.
        ``mentions``: the committees ``text`` names, when the search found them already.
        """
        with self.engine.reading():
            return self._did_you_mean(text, misspelt_only, written_too, filters, mentions)

    def _did_you_mean(
        self,
        text: str,
        misspelt_only: bool,
        written_too: bool,
        filters: Filters | None,
        mentions: ast.CommitteeMentions | None,
    ) -> str | None:
        typed = _TypedWords.of(text)
        words = typed.words
        if not words or len(words) > 8:
            return None
        held = self._holds([w for w in words if len(w) >= 4])  # the words open items hold as written
        # a committee's name is the index's own: no slip ("hennys testudvalg")
        within = filters.municipality if filters else ()
        named = (mentions if mentions is not None else self._mentions(ast.parse(text), within)).spelt
        unheld = self._short_words_unheld(text, words, named)
        choices = [
            [word]
            if word in named
            else self._choices_of(word, held, unheld, misspelt_only, written_too, beside_others=len(words) > 1)
            for word in words
        ]
        if all(len(c) == 1 and c[0] == w for c, w in zip(choices, words, strict=True)):
            return None
        choices = self._plain_keyboard_too(words, choices, named)
        meant = self._first_that_finds(typed, choices, filters, misspelt_only)
        # beside results, another form of the words typed, which the search reads as the same
        # terms, finds the same items: no correction ("Kjeldsens" → "kjeldsen").  A slip the stems
        # happen to hide is still one ("hamer" → "hammer"), and so is æ/ø/å written as the
        # minutes write it.  Where the words found nothing, the forms are no same terms to this
        # index's analysis (a baseline's, which keeps "vejbrønd" and "vejbrønde" apart): offered.
        return None if meant is not None and misspelt_only and _only_inflected(text, meant) else meant

    def _short_words_unheld(self, text: str, words: list[str], named: frozenset[str]) -> set[str]:
        """The words of two or three letters that may be respelt: only in a query typed without
        æ/ø/å, where the search finds them nowhere (``word_shares``: the exact forms hold almost
        any two letters, "PA", "LAN"); no stop word, no committee's word."""
        if not spelling.without_danish_letters(text):
            return set()
        short = [
            w
            for w in words
            if len(w) in (2, 3) and w not in DANISH_STOP_WORDS and w not in named and spelling.plain_respellings(w)
        ]
        return {w for w, share in self.engine.word_shares(short).items() if not share} if short else set()

    def _choices_of(
        self,
        word: str,
        held: set[str],
        unheld: set[str],
        misspelt_only: bool,
        written_too: bool,
        beside_others: bool = False,
    ) -> list[str]:
        """One typed word's choices, likeliest first (the word alone: kept as typed).  ``held``:
        the words open items hold as written; ``unheld``: the short words no item holds
        (``_short_words_unheld``); ``beside_others``: the query has other words, so a word
        corrected in vain can be left out of the items shown instead."""
        if word in unheld and (respelt := self._held_respellings(word)):
            # a short word no item writes, typed without æ/ø/å ("lan" → "lån", "pa" → "på")
            return [*respelt[:CORRECTIONS_PER_WORD], word]
        if _kept_as_typed(word, held, misspelt_only, written_too):
            return [word]
        # A stop word is never searched: a correction into one finds what leaving the word out
        # finds ("null" → "nu", "ikek" → "ikke", "hvorr" → "hvor").  A word likeliest a slip of
        # one is kept as typed (not corrected into the next likeliest: "ikek" is no "idet").
        slips = self._likely_slips(word)
        if slips and slips[0].casefold() in DANISH_STOP_WORDS:
            return [word]
        candidates = [c for c in slips if c.casefold() not in DANISH_STOP_WORDS]
        if written_too and word in held:
            candidates = [c for c in candidates if spelling.slip_cost(word, c) <= spelling.ONE_SLIP]
        elif _is_word_form(word):
            if self._stems_held(word):
                # A Danish word the minutes hold in another form ("bageriet" where they write
                # "bageri") is no slip; a query it finds nothing with is relaxed instead.
                return [word]
            if beside_others and _in_dictionary(word):
                # A word the dictionary lists, typed beside others, was meant: corrected only by
                # one slip into another the dictionary lists ("nye tablets og computere" is no slip
                # of "tallet", "bevaringsværdig villa" none of "bevaringsværdi"); when nothing holds
                # the words so, the items holding most of them are shown.  Alone, a guess is better
                # than nothing ("bevaringsværdig" → "bevaringsværdi").
                candidates = [
                    c for c in candidates if spelling.slip_cost(word, c) <= spelling.ONE_SLIP and _in_dictionary(c)
                ]
            # A Danish word no item writes as typed may be written inside compounds ("ledning"
            # in "naturgasledning"): kept as the likeliest choice, so "natturgas ledning" is
            # corrected in its slip alone, not also into "løsning".
            candidates = [word, *(c for c in candidates if c != word)]
        return candidates[:CORRECTIONS_PER_WORD] or [word]

    def _likely_slips(self, word: str) -> list[str]:
        """The words ``word`` is likeliest a slip of: written words near it or its base, else (no
        written word a likely slip of it: "hovvej" is one unlike letter from "hovved") those whose
        stems are near (the stems may hold one: "hoved", written inside compounds)."""
        candidates = self._corrections(word) or self._corrections_of_base(word)
        if not candidates or spelling.slip_cost(word, candidates[0]) > spelling.ONE_SLIP:
            candidates = self._corrections_of_stem(word, candidates)
        return candidates or self._corrections_of_parts(word) or self._corrections_into_unwritten_forms(word)

    def _corrections_into_unwritten_forms(self, word: str) -> list[str]:
        """Corrections into a form no open item writes ("måegrne" → "mågerne", where the minutes
        write only "mågeproblemet"): the dictionary's forms one edit from the typed word whose
        analysed terms open items hold, the likeliest slip first.  No written word or stem is
        near such a slip, so it is asked only when nothing else is."""
        if len(word) < MIN_CORRECTED_BASE or not word.isalpha() or is_known(word):
            return []
        forms = {form: analysed_terms(form) for form in spelling.one_edit_forms(word) if is_known(form)}
        held = self._held_terms({term for terms in forms.values() for term in terms})
        found = [form for form, terms in forms.items() if terms and set(terms) <= held]
        return sorted(found, key=lambda form: (spelling.slip_cost(word, form), form))[:CORRECTIONS_PER_WORD]

    def _corrections_of_parts(self, word: str) -> list[str]:
        """Corrections of a slip inside one part of a compound ("overfladebleægning",
        "ovefladebelægning"): the minutes write the compound apart or only inflected ("overflade
        belægning"), so no written word or stem is
        near the whole; but cut in two, one side is a word open items hold as typed and the other
        one slip from one they hold.  The compound is offered whole, which the search finds as
        it finds the compound typed right (its parts).  Asked only when nothing else is near."""
        if len(word) < MIN_SLIPPED_COMPOUND or not word.isalpha():
            return []
        cuts = range(MIN_SLIPPED_PART, len(word) - MIN_SLIPPED_PART + 1)
        sides = {side for cut in cuts for side in (word[:cut], word[cut:], word[: cut - 1])}
        held = self.engine.has_words(sorted(sides))
        if any(_joins_held_words(word, cut, held) for cut in cuts):
            return []  # a compound of written words ("vejvedligeholdelses|kontrakt"): no slip
        # nor one of words open items write in another form ("rotte|gebyr": "rotter", "gebyr"),
        # which the search finds by its parts: "rottegebyr" is no slip of "rettegebyr"
        apart = [(analysed_terms(modifier), analysed_terms(head)) for modifier, head in compound_cuts(word)]
        terms_held = self._held_terms({term for sides in apart for side in sides for term in side})
        if any(sides[0] and sides[1] and set(sides[0] + sides[1]) <= terms_held for sides in apart):
            return []
        found: dict[str, float] = {}
        for cut in cuts:
            modifier, head = word[:cut], word[cut:]
            for kept, slipped in ((modifier, head), (head, modifier)):
                if kept not in held or slipped in held:
                    continue
                for near in self._corrections(slipped)[:1]:
                    cost = spelling.slip_cost(slipped, near)
                    if cost <= ONE_EDIT and len(near) >= MIN_SLIPPED_PART:
                        whole = modifier + near if kept is modifier else near + head
                        found[whole] = min(found.get(whole, math.inf), cost)
        return sorted(found, key=lambda whole: (found[whole], whole))[:CORRECTIONS_PER_WORD]

    def _plain_keyboard_too(self, words: list[str], choices: list[list[str]], named: frozenset[str]) -> list[list[str]]:
        """One word typed without æ/ø/å says the keyboard has none: a word kept as typed may be
        one too ("aldre omradet" → "ældre området"), tried after the word itself."""
        if not any(spelling.respelt_plainly(w, c[0]) for c, w in zip(choices, words, strict=True)):
            return choices
        return [
            [*kept, *self._held_respellings(word)[: CORRECTIONS_PER_WORD - 1]]
            if kept == [word] and len(word) >= 4 and not word.isdigit() and word not in named
            else kept
            for word, kept in zip(words, choices, strict=True)
        ]

    def _first_that_finds(
        self, typed: _TypedWords, choices: list[list[str]], filters: Filters | None, misspelt_only: bool
    ) -> str | None:
        """The likeliest combination of ``choices`` (other than the words typed) whose query finds
        something, of the first ``CORRECTIONS_TRIED``; else the likeliest, unless what was typed
        found something (``misspelt_only``): a correction that finds nothing is no help then."""
        tried = 0
        first: str | None = None
        for combination in _likeliest_first(choices):
            if list(combination) == typed.words:
                continue
            corrected = typed.spelt(combination)
            first = first or corrected
            if tried >= CORRECTIONS_TRIED:
                break
            if self._finds_something(corrected, filters):
                return corrected
            tried += 1
        return None if misspelt_only else first

    def _stems_held(self, word: str) -> bool:
        """Whether open items hold every analysed term of ``word``: in running text, or as a part
        of their compounds ("mågerne" where the minutes write "mågeproblemet")."""
        terms = set(analysed_terms(word))
        return bool(terms) and self._held_terms(terms) == terms

    def _finds_something(self, text: str, filters: Filters | None) -> bool:
        """Whether a query finds any open item (a count, no ranking or facets)."""
        node = self.query(text, filters.municipality if filters else ())
        if node is None:
            return False
        spec = SearchSpec(query=node, filters=filters or Filters(), limit=0, with_facets=False)
        return self.engine.search(spec).total > 0

    def _corrections_of_base(self, word: str) -> list[str]:
        """Corrections of a misspelt inflected form through its base ("trængelskommisionen" →
        "trængselskommission"): a slip plus an ending the minutes do not write with that word
        is more than two edits from every word of the index, but its base is not.  The base
        is enough: the search stems it to the same term as the typed form's."""
        for ending in INFLECTION_ENDINGS:
            base = word[: -len(ending)]
            if word.endswith(ending) and len(base) >= MIN_CORRECTED_BASE:
                candidates = [c for c in self._corrections(base) if spelling.slip_cost(base, c) <= ONE_EDIT]
                if candidates:
                    return candidates
        return []

    def _corrections_of_stem(self, word: str, written: list[str]) -> list[str]:
        """Corrections through the analysed terms ("røggsa" → "røggassen", "vandoplannd" →
        "vandoplandet"): the word meant may be written only inflected or inside compounds, so
        that no written word is near the typed one, while the index's stems and compound parts
        ("røggas", "vandopland") are.  Each near term is shown as a written word that the search
        analyses to that term; it goes before ``written`` (the corrections among written words)
        when its term is a likelier slip of the typed word's term than they are of the word."""
        terms = analysed_terms(word)
        if len(terms) != 1 or len(terms[0]) < MIN_CORRECTED_BASE:
            return written
        term = terms[0]
        near: dict[str, float] = {}
        for fieldname in STEM_FIELDS:
            for found, frequency in self.engine.near_words(term, 2, fieldname):
                near[found] = max(near.get(found, 0.0), frequency)
        best = spelling.slip_cost(word, written[0]) if written else math.inf
        shown: list[str] = []
        for found in spelling.rank(term, near.items())[:CORRECTIONS_PER_WORD]:
            # terms are folded: an æ/ø/å typed in a slip is two letters there ("skraæld", an æ
            # beside the l, is "skraaeld"), one as typed
            cost = min(
                spelling.slip_cost(term, found),
                spelling.slip_cost(spelling.unfolded(term, word), spelling.unfolded(found, word)),
            )
            if cost > ONE_EDIT or cost >= best:  # no slip, or no likelier one than a written word
                continue
            spelt = self._word_for_term(found, word)
            if spelt and spelt not in shown and spelt != word:
                shown.append(spelt)
        return shown + [w for w in written if w not in shown]

    def _word_for_term(self, term: str, typed: str) -> str | None:
        """The most frequent open word the search analyses to ``term`` (terms are folded: spelt
        with æ/ø/å where ``typed`` has them), else the term itself when it analyses so, else None."""
        spelt = spelling.unfolded(term, typed)
        head = spelt[: max(4, len(spelt) - 2)]
        words = sorted(self.engine.completions(head, limit=200), key=lambda pair: (-pair[1], pair[0]))
        for written, _ in words:
            if analysed_terms(written) == (term,) and self.engine.has_word(written):
                return written
        # Written only inside compounds ("frederiksbjerg" in "Frederiksbjerg-processen"): the
        # term spelt out, when the search analyses it to the term.
        return spelt if analysed_terms(spelt) == (term,) else None

    def _corrections(self, word: str) -> list[str]:
        """Open words within two edits of ``word``, the likeliest slip first (``spelling.rank``:
        by the kind of each edit, then by frequency)."""
        near = self.engine.near_words(word, 2)
        # æ/ø/å typed as aa/ae/oe, the first letter too and however many times ("aarby" →
        # "årby", "aabyhoej" → "åbyhøj"): further than two edits, or another first letter.
        known = {w for w, _ in near}
        for respelt in spelling.respellings(word)[:RESPELLINGS_TRIED]:
            if respelt not in known and self.engine.has_word(respelt):
                near.append((respelt, 1.0))
            # and one more slip besides ("maarslett" → "mårslett" → "mårslet")
            near += [(w, frequency) for w, frequency in self.engine.near_words(respelt, 2) if w not in known]
            known.update(w for w, _ in near)
        # æ/ø/å typed as the plain letter, where the index holds the word so spelt in some form
        # ("rosnasvej" → "røsnæsvej", written "Røsnæsvejen"; "hjemlos" → "hjemløs", written "hjemløse")
        near += [(respelt, 1.0) for respelt in self._held_respellings(word) if respelt not in known]
        known.update(w for w, _ in near)
        # and one more slip besides ("vebrond" → "vebrønd" → "vejbrønde": three edits from the
        # written word), as for the digraphs above; asked only when no likely slip is near already,
        # one letter respelt, so a word of plain letters costs the engine a few more questions at most
        if not any(spelling.slip_cost(word, w) <= spelling.ONE_SLIP for w, _ in near):
            for respelt in spelling.plain_respellings(word, 1)[:RESPELLINGS_TRIED]:
                near += [(w, frequency) for w, frequency in self.engine.near_words(respelt, 2) if w not in known]
                known.update(w for w, _ in near)
        return spelling.rank(word, near)[:5]

    def _held_respellings(self, word: str) -> list[str]:
        """``spelling.plain_respellings`` of ``word`` whose every analysed term open items hold
        (``_held_terms``), or else the words of its first compound cut ("overfladebelagning" →
        "overfladebelægning", which the minutes write "overflade belægning": searched apart
        when it finds nothing whole, ``_instead_of_nothing``)."""
        respellings = spelling.plain_respellings(word)
        respelt = {w: analysed_terms(w) for w in respellings}
        held = self._held_terms({term for found in respelt.values() for term in found})
        # a stop word is held everywhere, and searched nowhere ("pa" → "på")
        found_whole = [w for w, found in respelt.items() if (found and set(found) <= held) or w in DANISH_STOP_WORDS]
        if found_whole:
            return found_whole
        cut = {w: cuts[0] for w in respellings if (cuts := compound_cuts(w))}
        apart = {w: (*analysed_terms(modifier), *analysed_terms(head)) for w, (modifier, head) in cut.items()}
        held = self._held_terms({term for found in apart.values() for term in found})
        return [w for w, found in apart.items() if found and set(found) <= held]

    def _held_terms(self, terms: set[str]) -> set[str]:
        """Which analysed terms open items hold: in running text, or as a part of their compounds
        ("måge" of "mågeproblemet", "bølge" of "bølgeskærm"); two questions of the engine at most."""
        if not terms:
            return set()
        held = self.engine.has_words(sorted(terms), "body")
        missing = terms - held
        return held | (self.engine.has_words(sorted(missing), "parts") if missing else set())

    def _instead_of_nothing(
        self, request: SearchRequest, suggestion: str | None, mentions: ast.CommitteeMentions
    ) -> Iterator[str]:
        """What a query of plain words that found nothing is searched as instead, in turn, until
        one finds something: its "Mente du" correction, then its compounds written as their two
        words (``ast.compounds_apart``: "direktørstilling" → "direktør stilling", for an item
        writing "stillingen som direktør"; a query of plain words only; a committee or a
        municipality named beside it, ``mentions``, is no subject of its own either: "rottegebyr
        aarhus" → "rotte gebyr aarhus"), then the words a hyphen joins (``_hyphens_apart``), whole and
        with their compound apart.  None for a literal search."""
        if request.literal:
            return
        if suggestion:
            yield suggestion
        if not _plain_words(request.q):
            return
        unrequired = self._unrequired(mentions)
        apart = ast.compounds_apart(request.q, unrequired)
        if apart and apart != suggestion:
            yield apart
        # a word joined by a hyphen no item holds ("it-indkøbsregler"): the words it joins, and
        # their compound written apart ("it indkøbs regler", for "Regler for indkøb af it-udstyr")
        joined = _hyphens_apart(request)
        if joined is not None:
            yield joined.q
            joined_apart = ast.compounds_apart(joined.q, unrequired)
            if joined_apart and joined_apart != apart:
                yield joined_apart
        # a correction no item writes whole, written apart ("overfladebelagning" → "overflade belægning")
        meant_apart = ast.compounds_apart(suggestion, unrequired) if suggestion else None
        if meant_apart and meant_apart not in (apart, suggestion):
            yield meant_apart
        # a word the dictionary does not know, written apart in the minutes ("streetfood" → "street
        # food"): asked of the engine only when everything above found nothing
        written = self._apart_as_written(request.q)
        if written and written not in (apart, suggestion, meant_apart):
            yield written
        # and the correction so ("foretraederprocedure" → "foretræderprocedure" → "foretræder procedure")
        meant_written = self._apart_as_written(suggestion) if suggestion and _plain_words(suggestion) else None
        if meant_written and meant_written not in (apart, suggestion, meant_apart, written):
            yield meant_written

    def _unrequired(self, mentions: ast.CommitteeMentions) -> Callable[[str], bool]:
        """Whether a typed word is no subject of its own beside a compound (``ast.compounds_apart``):
        a committee or municipality named (``mentions``), or a word most items hold."""
        named = mentions.spelt
        return lambda word: word.casefold() in named or self._common(word)

    def _compound_apart(self, request: SearchRequest, mentions: ast.CommitteeMentions) -> str | None:
        """The query's one compound as its two words (``ast.compounds_apart``), for a query of plain
        words, not literal, when the dictionary does not list the compound: one it lists is a word
        of its own, which an item writing its parts apart seldom means ("økonomiaftalen" is no
        "økonomi" beside "aftalen"; "målrettet" no "mål" beside "rettet").  None otherwise."""
        if request.literal or not _plain_words(request.q):
            return None
        apart = ast.compounds_apart(request.q, self._unrequired(mentions))
        if not apart:
            return None
        cut = set(request.q.casefold().split()) - set(apart.casefold().split())
        return apart if cut and not any(is_known(word) for word in cut) else None

    def _apart_as_written(self, text: str) -> str | None:
        """``text`` (plain words) with each word no open item holds, which the dictionary cuts
        nowhere (``compound_cuts``: a name or a loanword, "streetfood", "firstagenda"), written as
        the two words open items hold that it is made of ("street food", "first agenda"; letters
        and then digits at that place only, "rema1000" → "rema 1000"); of two such cuts the one
        with the longer shorter side.  None when no word is so made.  Whether the words themselves
        are held "Mente du" asked already (``_holds``); the sides are one question of the engine."""
        words = text.split()
        cuts: dict[str, list[tuple[str, str]]] = {}
        for word in dict.fromkeys(w.lower() for w in words):
            if len(word) < MIN_UNCUT_WORD or not word.isalnum() or word.isdigit() or compound_cuts(word):
                continue
            numbered = re.fullmatch(r"([^\W\d_]+)(\d+)", word)
            if numbered:
                name, number = numbered.group(1), numbered.group(2)
                cuts[word] = [(name, number)] if len(name) >= MIN_UNCUT_SIDE and len(number) >= 2 else []
            elif word.isalpha():
                cuts[word] = [(word[:at], word[at:]) for at in range(MIN_UNCUT_SIDE, len(word) - MIN_UNCUT_SIDE + 1)]
        cuts = {word: found for word, found in cuts.items() if found}
        held_whole = self._holds(cuts)
        cuts = {word: found for word, found in cuts.items() if word not in held_whole}
        if not cuts:
            return None
        held = self._holds(sorted({side for found in cuts.values() for cut in found for side in cut}))
        apart: dict[str, str] = {}
        for word, found in cuts.items():
            written = [cut for cut in found if cut[0] in held and cut[1] in held]
            if written:
                best = max(written, key=lambda cut: (min(len(cut[0]), len(cut[1])), len(cut[1])))
                apart[word] = " ".join(best)
        if not apart:
            return None
        return " ".join(apart.get(word.lower(), word) for word in words)

    def _relaxing_instead(self, request: SearchRequest, suggestion: str | None) -> SearchRequest | None:
        """The request whose words the items holding most of them are shown for, in place of what
        was typed, when that found nothing: its "Mente du" correction, when each word it changes is
        at most one edit away (a query of plain words, not literal).  None: the typed words
        themselves — a correction further away is too often another word ("skoleelever" →
        "skoleleder", the name "gasa" → "gade" on dev), and dropping the word does less harm; so
        is one that turns a word the dictionary lists into one it does not ("kommunernes
        landsforening" → "lændsforening", a slip some item holds: the Danish word was meant)."""
        if not suggestion or request.literal or not _plain_words(request.q):
            return None
        # the words as "Mente du" reads and corrects them (``_did_you_mean``)
        typed, corrected = re.findall(r"\w+", request.q.lower()), re.findall(r"\w+", suggestion.lower())
        if len(typed) != len(corrected) or any(
            spelling.slip_cost(t, c) > ONE_EDIT or (_in_dictionary(t) and not _in_dictionary(c))
            for t, c in zip(typed, corrected, strict=True)
            if t != c
        ):
            return None
        return replace(request, q=suggestion)

    def _typo_correction(self, request: SearchRequest, total: int, mentions: ast.CommitteeMentions) -> str | None:
        """The correction offered for a query of plain words that found ``total`` (some) items:
        only of words that are no Danish word form, and with only a few hits also where those
        items hold the same slip (``did_you_mean``'s ``misspelt_only`` and ``written_too``)."""
        few = total <= FEW_HITS
        filters = self._filters(request)
        return self.did_you_mean(request.q, misspelt_only=True, written_too=few, filters=filters, mentions=mentions)

    def _relaxations(
        self,
        request: SearchRequest,
        typed: ast.Node | None,
        mentions: ast.CommitteeMentions,
        whole: int,
        below_half: bool = False,
        places_kept: bool = False,
    ) -> Iterator[tuple[Partial, ast.Node]]:
        """The tries with fewer of the typed words (``ast.relaxations``), each with what it counts,
        after ``whole`` items held them all; none for a literal search or one with operators
        ("vindmøller OG guiden": the user said every word must be there).  Counted are the words
        the whole search required: a common word it only raised by stays so and is never tried
        alone, nor is a choice of such words (the words' shares are known from the whole search).
        ``typed``: the request's words parsed; ``mentions``: the committees they name;
        ``below_half``: the tries below half the words (``ast.relaxations``)."""
        if request.literal or not request.q or any(word in ast.OPERATORS for word in request.q.split()):
            return
        rewritten = self._weighed(typed, self._expand_names(typed, request.municipality))
        optional = ast.optional_words(rewritten, self._common)
        weighed = {word.casefold() for word in ast.optional_candidates(rewritten)}
        # a committee named in words raises its items in every try (beside it), never counted
        named, bodies = mentions.words, mentions.bodies
        # a municipality named: held by every try (inside its scaling, as a word it holds), not counted
        held = mentions.place_words if places_kept else []

        def common(word: str) -> bool:
            return word.casefold() in weighed and self._common(word)

        common_words = [word for word in optional if word not in named]
        share = self._share_of(typed)
        leaves = [
            leaf
            for leaf in ast.droppable_words(typed)
            if leaf not in optional and leaf not in named and leaf not in held
        ]
        # a long question: tried with its rarest words, the commonest left out (said as not required)
        typed, left_out = ast.without_commonest(typed, leaves, share)
        counted = tuple(leaf.text for leaf in leaves if not any(leaf is word for word in left_out))
        for least, count, node in ast.relaxations(
            typed, common_words, common, share, named, below_half=below_half, held=held
        ):
            optional_typed = tuple(word.text for word in [*common_words, *left_out])
            places = tuple(word.text for word in held)
            yield Partial(least, count, whole, counted, optional_typed, bodies, places), node

    def _share_of(self, typed: ast.Node | None) -> Callable[[ast.Word | ast.Phrase], float | None]:
        """The share of the items (``Engine.word_shares``) holding each plain word of ``typed`` (``ast.relaxations``
        weighs the words an item lacks by it), whole or as a part of a compound, as the search
        of the word finds it: "spildevand" of "systemmobning spildevand" is held by the items
        writing "spildevandsplan" too, so an item lacking it is likelier than its whole-word
        share says, and the one item holding "systemmobning" comes before the plans' titles.
        Asked at once for the words not weighed so before; None for a phrase or a wildcard,
        whose share is not known."""
        shares = self._weigh((leaf.text for leaf in ast.droppable_words(typed) if ast.plain_word(leaf)), parts=True)

        def share(word: ast.Word | ast.Phrase) -> float | None:
            return shares.get(word.text.casefold()) if ast.plain_word(word) else None

        return share

    def suggest(self, prefix: str, limit: int = 8) -> list[dict[str, str]]:
        """Autocomplete: committee names and words from open items, most frequent first."""
        prefix = normalise_query((prefix or "").strip()).lower()
        if len(prefix) < 2:
            return []
        with self.engine.reading():
            return self._suggest(prefix, limit)

    def _suggest(self, prefix: str, limit: int) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        folded = fold(prefix)
        for name in self.committees():
            if fold(name.lower()).startswith(folded) or any(fold(w).startswith(folded) for w in name.lower().split()):
                out.append({"value": name, "kind": "udvalg"})
        words_typed = prefix.split()
        if len(words_typed) == 1:
            # a committee's abbreviation ("TMU", "øu"): the committees it names, as a search of it finds them
            _, names, learned = ast.body_alternatives(
                ast.Word(prefix.upper()), self.committees(), self.route_table() if len(prefix) <= 5 else None
            )
            for name in dict.fromkeys([*names, *(name for _, name in learned)]):
                if {"value": name, "kind": "udvalg"} not in out:
                    out.append({"value": name, "kind": "udvalg"})
        last = words_typed[-1]
        # typed on a keyboard without æ, ø and å ("aeldre"): the words of the Danish spellings too
        counted: dict[str, int] = {}
        for start in (last, *spelling.respellings(last)[:3]):
            for word, n in self.engine.completions(start, limit=400):
                counted[word] = max(n, counted.get(word, 0))
        words = [(n, w) for w, n in counted.items() if len(w) >= 3 and not w.isdigit() and _worth_completing(w)]
        head = prefix[: len(prefix) - len(last)]
        for _, word in sorted(words, reverse=True):
            if len(out) >= limit:
                break
            if self.engine.has_word(word):
                out.append({"value": head + word, "kind": "ord"})
        return out[:limit]

    def committees(self) -> list[str]:
        """Names of the committees that have open items."""
        return self.engine.committees()

    def _read_request(self, request: SearchRequest) -> list[str]:
        """Reads ``request``'s filters as the query box reads the same words, and says what the
        user should know of them (``SearchResponse.notices``, in Danish).  A committee filter is
        an exact name; one the index does not spell so is read as an abbreviation or a name in
        words the query box resolves ("TMU": Teknik- og Miljøudvalget, which "TMU" typed as a word
        finds), and said so; one naming no committee is kept (nothing is listed) and said so —
        never an empty list without a word.  So is a topic no KLE main group has ("99", "xyz"),
        and a word with a field prefix the search does not know ("year:2014", searched as text)."""
        notices: list[str] = []
        committees: list[str] = []
        given = [value for value in request.committee if value]  # as ``_as_the_index_spells`` reads them
        for value, spelt in zip(given, self._as_the_index_spells(given), strict=True):
            named = [] if spelt in self.committees() else self._committees_named(value, request.municipality)
            if named:
                committees += named
                notices.append(f"Udvalget «{value}» er læst som {_quoted(named)}.")
            else:
                committees.append(spelt)
                if spelt not in self.committees():
                    notices.append(f"Intet udvalg hedder «{value}», så intet er fundet i det.")
        request.committee = list(dict.fromkeys(committees))
        for topic in request.topic:
            if topic not in TOPIC_NAMES:
                notices.append(
                    f"Emnet «{topic}» findes ikke, så intet er fundet i det: "
                    "brug et KLE-hovedområdes nummer eller navn, fx 05 eller «Veje og trafik»."
                )
        for prefix in _unknown_prefixes(request.q):
            notices.append(
                f"«{prefix}:» er ikke et felt, så det er søgt som tekst. "
                f"Felterne er {', '.join(f'{known}:' for known in KNOWN_PREFIXES[:-1])} og {KNOWN_PREFIXES[-1]}:."
            )
        return notices

    def _committees_named(self, value: str, municipalities: Sequence[str]) -> list[str]:
        """The committees a filter value names as the query box reads it: an abbreviation the
        index knows ("TMU", ``ast.expand_bodies``) or a part of a committee's name
        ("teknikudvalget", ``ast.expand_committee_names``)."""
        word = ast.Word(" ".join(value.split()))
        found = ast.expand_bodies(word, self._committee_names(), self.route_table())
        if found == word:
            found = ast.expand_committee_names(ast.Word(word.text, "committee"), self.committee_names(municipalities))
        if found is None:
            return []
        named = [leaf.value for leaf in ast.leaves(found) if isinstance(leaf, ast.Match) and leaf.field == "committee"]
        return list(dict.fromkeys(named))

    def _as_the_index_spells(self, committees: list[str]) -> list[str]:
        """Committee filter values as the index spells the names ("teknisk  udvalg" is "Teknisk
        Udvalg"): a filter is an exact value, and a hand-written link should not find nothing."""
        if not committees:
            return committees
        known = {" ".join(name.split()).casefold(): name for name in self.committees()}
        return [known.get(" ".join(name.split()).casefold(), name) for name in committees if name]

    def gone(self, item_id: str) -> bool:
        """Whether an item was published and then withdrawn or taken down (410, not 404)."""
        return self.engine.gone(item_id)

    def last_changed(self) -> datetime | None:
        """When the index last changed, when the engine knows (an empty feed is dated by it)."""
        return self.engine.last_changed()

    def stats(self) -> dict[str, Any]:
        """What the index holds."""
        stats = self.engine.stats()
        return {
            "index": stats.location,
            "items": stats.items,
            "open_items": stats.open_items,
            "closed_items": stats.closed_items,
            "meetings": stats.meetings,
            "first_meeting": stats.first_meeting,
            "last_meeting": stats.last_meeting,
            "facets": stats.facets,
            # The analysis the index was written with, and this program's (``minutes reindex``
            # brings an older one up to date).
            "analysis_version": self.engine.analysis_version(),
            "analysis_current": ANALYSIS_VERSION,
        }


# A number glued to a word ("12skolebørnsundersøgelsen"): a text layer's lost space, no word to offer.
_GLUED_NUMBER = re.compile(r"\d+[^\W\d_]{4,}")


def _worth_completing(word: str) -> bool:
    """Whether autocomplete offers ``word``: not a stop word, which is never searched ("også" for
    "bygge- og"), nor stop words joined by a slash ("og/eller"), nor a number glued to a word."""
    if all(part in DANISH_STOP_WORDS for part in word.split("/")):
        return False
    return not _GLUED_NUMBER.match(word)


def _open(location: Path | str, options: dict[str, Any]) -> Engine:
    from indexer.engines import engine_class

    if not options:
        return open_engine(location)
    return engine_class(location).open(str(location), **options)  # type: ignore[call-arg]


# A query of words and numbers only (no operators, prefixes or phrases): its correction means the
# same ("planstratgi 2015" → "planstrategi 2015").
_PLAIN_WORDS = re.compile(r"[^\W_]+(?:[\s-]+[^\W_]+)*")


# A typed word more than this share of the open items hold (in title, decision or running text) is not
# required beside rarer words: a quarter, chosen before measuring (dev: 0.10 and 0.40 gave the same MRR).
COMMON_SHARE = 0.25
# The common-word rule needs a quarter of the open items to be one item at least: in a smaller
# index the share of one item's words is over a quarter whatever they are.
MIN_ITEMS_FOR_COMMON = math.ceil(1 / COMMON_SHARE)
# How many words' shares are kept before the cache starts over (a long-running server).
MAX_COUNTED_WORDS = 50_000

# How many spellings of a word's aa, ae and oe as å, æ and ø "Mente du" looks two edits around.
RESPELLINGS_TRIED = 4


# The field prefixes a notice names (``ast.TEXT_PREFIXES``, ``ast.VALUE_PREFIXES``: the Danish ones).
KNOWN_PREFIXES = ("titel", "beslutning", "tekst", "bilag", "udvalg", "sag", "emne", "kommune")
# A typed word with a prefix of letters and a value ("year:2014"), not a link's "https://".
_PREFIXED = re.compile(r"(?:^|(?<=[\s(]))([^\W\d_]+):(?=[^\s/:])")


def _unknown_prefixes(query: str) -> list[str]:
    """The field prefixes typed in ``query`` that the search does not know (searched as text)."""
    found = (prefix for prefix in _PREFIXED.findall(query))
    known = {*ast.TEXT_PREFIXES, *ast.VALUE_PREFIXES}
    return list(dict.fromkeys(prefix for prefix in found if prefix.casefold() not in known))


def _without_facets(request: SearchRequest) -> SearchRequest:
    """``request`` without the facet filters that only narrow (committee, topic, document type,
    year): the query whose page offered them.  A municipality filter stays in the request: it is
    also a scope the query's words are read in (a part of a committee's name names that
    municipality's committee, ``committee_names``); ``SearchService._walk`` counts without it."""
    return replace(request, committee=[], topic=[], kind=[], year=[])


def _with_facets_of(request: SearchRequest, filtered: SearchRequest) -> SearchRequest:
    """``request`` within ``filtered``'s facet filters."""
    return replace(
        request,
        committee=list(filtered.committee),
        topic=list(filtered.topic),
        kind=list(filtered.kind),
        year=list(filtered.year),
    )


def _hyphens_apart(request: SearchRequest) -> SearchRequest | None:
    """A query of plain words with the hyphens of each word joining words a space ("it-indkøbsregler"
    → "it indkøbsregler", "CO2-neutral" → "CO2 neutral"), or None: none there, or a literal search.
    A word with a part of digits alone is a number, a case's or a period's ("EMN-2025-007940",
    "2016-2020"), and a suspended compound's hyphen ("bygge- og anlægsarbejder") stands before a space:
    both stay."""
    if request.literal or not _plain_words(request.q):
        return None
    words = request.q.split(" ")
    apart = " ".join(_joined_words(word) or word for word in words)
    return replace(request, q=apart) if apart != request.q else None


def _joined_words(word: str) -> str | None:
    """``word``'s parts apart when it is words joined by hyphens, each holding a letter; else None."""
    parts = word.split("-")
    if len(parts) < 2 or not all(part and any(ch.isalpha() for ch in part) for part in parts):
        return None
    return " ".join(parts)


def _plain_words(query: str) -> bool:
    """Whether a query is words and numbers only, the punctuation that ends a word aside
    ("hvem bestemmer valgfag i folkeskolne?", "budget, anlæg")."""
    words = [word.rstrip(ast.END_PUNCTUATION) for word in query.split()]
    text = " ".join(word for word in words if word)
    return bool(_PLAIN_WORDS.fullmatch(text)) and not any(word in ast.OPERATORS for word in words)


def _syntax_word(text: str, word: re.Match[str]) -> bool:
    """Whether a word of a query is its syntax, not a word to correct: a field's name
    ("udvalg:") or an operator in capitals ("IKKE", "OR")."""
    return text.startswith(":", word.end()) or word.group() in ast.OPERATORS


@dataclass(frozen=True)
class _TypedWords:
    """A query as "Mente du" reads it: its words (``\\w+``, in lower case), a field's name and
    an operator left out (``_syntax_word``), and where each stands in the text typed."""

    text: str
    spots: tuple[re.Match[str], ...]
    plain: bool  # a query of plain words (``_plain_words``)

    @classmethod
    def of(cls, text: str) -> _TypedWords:
        spots = tuple(m for m in re.finditer(r"\w+", text) if not _syntax_word(text, m))
        return cls(text, spots, _plain_words(text))

    @property
    def words(self) -> list[str]:
        return [spot.group().lower() for spot in self.spots]

    def spelt(self, combination: Sequence[str]) -> str:
        """A combination of words as a query: a query of plain words as its words, lower-case,
        a hyphen between two kept ("tm-u varmepmpe" → "tm-u varmepumpe", not "tm u", which
        finds nothing); else the typed query with each corrected word in its place (its
        quotes, fields and operators kept: '"gronne omrader"' → '"grønne områder"')."""
        if self.plain:
            joins = ["-" if self.text[a.end() : b.start()] == "-" else " " for a, b in itertools.pairwise(self.spots)]
            return "".join(word + join for word, join in zip(combination, [*joins, ""], strict=True))
        out, end = [], 0
        for spot, word in zip(self.spots, combination, strict=True):
            out += [self.text[end : spot.start()], word if word != spot.group().lower() else spot.group()]
            end = spot.end()
        return "".join([*out, self.text[end:]])


def _joins_held_words(word: str, cut: int, held: set[str]) -> bool:
    """Whether ``word`` cut at ``cut`` is two words open items hold, the first perhaps with a
    linking -s- or -e- ("vejvedligeholdelses|kontrakt"): a compound written right."""
    modifier, head = word[:cut], word[cut:]
    return head in held and (modifier in held or (modifier[-1] in "se" and modifier[:-1] in held))


def _kept_as_typed(word: str, held: set[str], misspelt_only: bool, written_too: bool) -> bool:
    """Whether "Mente du" leaves a word as typed: too short to tell a slip, a number (a year or a
    plan's number is no slip of another), written so in some open item (unless ``written_too``),
    or a Danish word form when the query found something (``misspelt_only``, ``written_too``)."""
    return (
        len(word) < MIN_CORRECTED
        or word.isdigit()
        or (not written_too and word in held)
        or ((misspelt_only or written_too) and _is_word_form(word))
    )


def nothing_to_search(request: SearchRequest) -> bool:
    """Words typed but only operators or empty quotes among them (the rewrites drop no whole query)."""
    return bool(request.q) and ast.parse(request.q.strip()) is None


def _shown_score(score: float | None) -> float | None:
    """A hit's score as the page shows it (and ``_near_among_whole`` compares it)."""
    return None if score is None else round(float(score), 4)


_Listed = TypeVar("_Listed")


def _near_among_whole(
    entries: list[tuple[Part, _Listed]], score: Callable[[_Listed], float | None]
) -> tuple[list[tuple[Part, _Listed]], int | None]:
    """The list's head (its first ``FILL_BELOW`` entries, each with the part that found it) with
    the near answers that lack one counted word (the first relaxed tier) listed before the whole
    answers they outscore by the margin (``_weight``); the whole and the near answers each keep
    their own order, every other entry its place.  A query typed as a question (``ast.is_question``)
    merges every relaxed tier so: its item seldom writes all the user's words, and a long item
    that holds one more of them in passing (in an attachment) stood before the item holding the
    rarest of them in its title.  Returns the list and the fewest counted words an answer moved
    before a whole one holds (None: none moved).  Nothing moves in a list sorted by date.  The page
    and the exports read the head whole and compare the scores the page shows (``_shown_score``),
    so they list it alike."""
    head = entries[:FILL_BELOW]
    if any(part.request.sort != "relevance" for part, _ in head):
        return entries, None
    kinds = [_answer_kind(part) for part, _ in head]
    tiers: dict[int, list[tuple[Part, _Listed]]] = {}
    for entry, kind in zip(head, kinds, strict=True):
        if kind is not None:
            tiers.setdefault(kind, []).append(entry)
    if len(tiers) < 2 or any(score(item) is None for tier in tiers.values() for _, item in tier):
        return entries, None
    merged: list[tuple[tuple[Part, _Listed], int]] = []  # each with how many words it lacks
    while any(tiers.values()):
        # the tier whose first answer weighs most (``_weight``); on a tie, the one lacking fewer words
        lacked = max((k for k, tier in tiers.items() if tier), key=lambda k: (_weight(tiers[k][0], k, score), -k))
        merged.append((tiers[lacked].pop(0), lacked))
    last_whole = max((i for i, (_, lacked) in enumerate(merged) if lacked == 0), default=0)
    among = min(
        (entry[0].partial.least for entry, lacked in merged[:last_whole] if lacked and entry[0].partial), default=None
    )
    places = iter(entry for entry, _ in merged)
    reordered = [next(places) if kind is not None else entry for entry, kind in zip(head, kinds, strict=True)]
    return [*reordered, *entries[FILL_BELOW:]], among


def _weight(entry: tuple[Part, Any], lacked: int, score: Callable[[Any], float | None]) -> float:
    """An answer's score as the tiers are merged by (``_near_among_whole``): times the share of the
    counted words it holds, over ``NEAR_MARGIN`` for each word it lacks.  So a near answer stands
    before a whole one when it scores more than NEAR_MARGIN × typed / held times as much, and an
    answer lacking two words before one lacking one by as much again."""
    partial = entry[0].partial
    held = 1.0 if not lacked or partial is None or not partial.typed else partial.least / partial.typed
    return (score(entry[1]) or 0.0) * held / NEAR_MARGIN**lacked


def _answer_kind(part: Part) -> int | None:
    """How many counted words the part's items lack: 0 when they hold every typed (or corrected)
    word, else the relaxed tier's; None for any other part."""
    if part.label in ("typed", "corrected_from"):
        return 0
    if part.label == "partial" and part.partial is not None and part.partial.least:
        lacked = part.partial.typed - part.partial.least
        return lacked if lacked == 1 or ast.is_question(part.request.q) else None
    return None


def _and_not(node: ast.Node, excluded: ast.Node | None) -> ast.Node:
    """``node`` without what ``excluded`` matches."""
    return node if excluded is None else ast.And((node, ast.Not(excluded)))


def _or(first: ast.Node | None, second: ast.Node | None) -> ast.Node | None:
    """What either matches."""
    if first is None or second is None:
        return first or second
    return ast.Or((first, second))


def _merged_facets(
    first: dict[str, list[dict[str, Any]]], second: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The facet values of two disjoint result sets counted together."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in dict.fromkeys([*first, *second]):
        merged: dict[str, dict[str, Any]] = {}
        for value in [*first.get(name, []), *second.get(name, [])]:
            seen = merged.setdefault(value["value"], {**value, "count": 0})
            seen["count"] += value["count"]
            seen["selected"] = seen["selected"] or value["selected"]
        out[name] = _in_facet_order(name, list(merged.values()))
    return out


def _in_facet_order(name: str, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Years newest first; every other facet's values by count, then by value."""
    if name == "year":
        return sorted(values, key=lambda v: v["value"], reverse=True)
    return sorted(values, key=lambda v: (-v["count"], v["value"]))


def _places_typed(text: str) -> dict[str, str]:
    """The typed words naming a municipality (``ast.municipality_runs``), each with the name its
    items are filed under: an item filed so holds them, whether or not it writes them."""
    node = ast.parse(text.strip())
    children = node.children if isinstance(node, ast.And) else (node,) if node is not None else ()
    return {
        word.text.casefold(): municipality
        for first, last, municipality in ast.municipality_runs(children)
        for word in children[first : last + 1]
        if isinstance(word, ast.Word)
    }


def _holds(matched: dict[str, set[str]], text: str) -> bool:
    """Whether a hit's matched terms (every field's) hold each word of ``text`` (a typed word or
    phrase): its analysed term, its exact form or, for a compound, the compound written apart; a
    word joined by hyphens ("naturfrednings-forening") so written solid, or each of its words."""
    terms = set().union(*matched.values()) if matched else set()
    for joined in re.findall(r"\w+(?:-\w+)+", text.lower()):
        solid = joined.replace("-", "")
        if {solid, *analysed_terms(solid)} & terms:
            text = text.lower().replace(joined, " ")
    for word in re.findall(r"\w+", text.lower()):
        analysed = analysed_terms(word)
        if not analysed or {word, *analysed} & terms:
            continue  # a stop word in a phrase, or the word itself
        if not any(
            set(analysed_terms(modifier)) & terms and set(analysed_terms(head)) & terms
            for modifier, head in compound_cuts(word)
        ):
            return False
    return True


def _spellings(word: str) -> tuple[str, ...]:
    """``word`` and its spellings with å, æ or ø for aa, ae or oe ("maager": "måger", a keyboard
    without the letters typed it), each no shorter than a word "Mente du" corrects ("aabo" is no "åbo")."""
    return (word, *(w for w in spelling.respellings(word) if len(w) >= MIN_CORRECTED))


@lru_cache(maxsize=20_000)
def _in_dictionary(word: str) -> bool:
    """A word form the dictionary itself lists (``_spellings``), not a compound ``split_compound``
    reads into known words: a slip inside a compound often still splits ("lændsforening": "lænd"
    and "forening"), a slip the dictionary lists is rare."""
    return any(is_known(w) for w in _spellings(word))


@lru_cache(maxsize=20_000)
def _is_word_form(word: str) -> bool:
    """A Danish word form the dictionary lists, or a compound of known words (``_spellings`` of it)."""
    return _in_dictionary(word) or any(split_compound(w) for w in _spellings(word))


@lru_cache(maxsize=20_000)
def _only_inflected(typed: str, meant: str) -> bool:
    """Whether ``meant`` differs from ``typed`` only by inflection endings (``INFLECTION_ENDINGS``)
    the search reads away: the same analysed terms, each changed word the other plus an ending."""
    words, corrected = re.findall(r"\w+", typed.lower()), re.findall(r"\w+", meant.lower())
    if len(words) != len(corrected) or words == corrected or analysed_terms(typed) != analysed_terms(meant):
        return False
    return all(
        a == b or any(long == short + ending for ending in INFLECTION_ENDINGS)
        for a, b in zip(words, corrected, strict=True)
        for long, short in [(a, b) if len(a) >= len(b) else (b, a)]
    )


def analysed_terms(word: str) -> tuple[str, ...]:
    """The terms the search looks a word up as (the Danish analysis)."""
    return tuple(analyse(word))


def _likeliest_first(choices: list[list[str]]) -> list[tuple[str, ...]]:
    """Every combination of one choice per word, by the sum of the choices' ranks (each list is
    likeliest first): the best of each first, then one word's second choice, and so on."""
    combinations = itertools.product(*(list(enumerate(c)) for c in choices))
    ranked = sorted(combinations, key=lambda combo: (sum(rank for rank, _ in combo), [r for r, _ in combo]))
    return [tuple(word for _, word in combo) for combo in ranked]


def _snippet_terms(words: list[str]) -> frozenset[str]:
    """The words a rewrite matched, as a snippet compares them: each one's Danish-analysed terms
    and its lower-cased forms ("DN" → "dn"; "Naturfredningsforeningen" → its term), stop words left out."""
    out: set[str] = set()
    for text in words:
        out.update(analyse(text))
        # not a stop word's form ("med" in "Områder med Særlige Drikkevandsinteresser"): it explains nothing
        out.update(word.lower() for word in text.replace("/", " ").split() if analyse(word))
    return frozenset(out)


def _first_lines(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number_key(number: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", number or "")
    return tuple(int(p) for p in parts) if parts else (10**9,)


def parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


__all__ = [
    "SORTS",
    "AttachmentFile",
    "SearchRequest",
    "SearchResponse",
    "SearchService",
    "parse_iso_date",
    "topic_code",
]
