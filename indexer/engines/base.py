"""The engine interface: what the search service and the CLI may ask of an index.

An engine stores public items and answers queries over them. Everything above
it (``indexer.search``, ``indexer.cli``, ``webui``) talks to an engine only
through :class:`Engine` and the dataclasses here, so a new engine is one folder
under ``indexer/engines/`` and one entry in ``indexer.engines.open_engine``.

Contract (checked for every engine by ``tests/contract/``):

- **Input is public.** ``write`` receives meetings that went through the
  closed-content boundary (``indexer.public``). An engine still keeps a closed
  item only as a stub (id, number, neutral title, access "closed", meeting) so
  a meeting's agenda can show that the item exists; it stores no closed text.
- **Atomic batches.** One ``write`` call is committed whole or not at all;
  readers never see half of it. A dagsorden never replaces the referat of the
  same meeting; an unchanged item is not rewritten.
- **Open only.** Searches, counts, facets, vocabulary (``has_word``,
  ``corrections``, ``completions``) and ``similar`` see open items only.
- **Our analysis.** Words in the query AST are as the user typed them (after
  the service's rewrites); the engine analyses them with ``indexer.analysis``
  (the same pipeline it indexed with), never with a server's own stemmer.
- **Scores are comparable within one result list only.** Sorting by date
  gives hits without a score.
- **Ties by the items alone.** Hits that score alike (to ``TIE_SCALE``) come newest
  meeting first (undated last), then by item id (as text); never by an engine's own
  document numbers, which depend on how an ingest happened to be split (``id_order``).
- **Date sorts by the meetings, then the agenda.** Sorted newest or oldest first (and
  browsing, which is newest first), hits come by meeting start (undated last, or first when
  oldest first), then by meeting id (meetings starting at the same time), the item's agenda
  position and its id, in either direction: a meeting's items in agenda order.

Field names used in the AST and in ``Hit.matched`` are the logical ones in
:data:`TEXT_FIELDS` and :data:`VALUE_FIELDS`, not an engine's column names.
"""

from __future__ import annotations

import abc
import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from indexer.analysis.bodies import DefinitionTable, RouteTable
    from indexer.model import Meeting
    from indexer.search.query import Node

CLOSED_TITLE = "Lukket punkt"

# Analysed text fields a Word or Phrase may be restricted to, with their boost.
TEXT_FIELDS: dict[str, float] = {
    "title": 3.0,
    "decision": 2.0,
    "body": 1.0,
    "attachment_titles": 1.0,
    "attachments": 0.5,
    "committee": 1.0,  # the committee's name as analysed text (``udvalg:økonomi``)
    "meeting": 1.0,  # the meeting's date in words (``dates.date_in_words``): a date typed in a query
}
# Two more fields an unfielded word searches, with their boost: its unstemmed form
# ("exact") and compound parts ("parts"). Boosts are applied once, at query time.
HELPER_FIELDS: dict[str, float] = {"exact": 0.5, "parts": 1.0}  # chosen on the dev queries (exact 1.5, then 1.0 before)
# The title's compound parts once more, weighted as the title: "Cykelpolitik 2016-2020" is
# about politik as much as a title "Politik for cykler" is (the title words count in
# ``exact`` too, as these count in ``parts``).
HELPER_FIELDS["title_parts"] = TEXT_FIELDS["title"]
# A compound part is as rare as the word it is: its idf is at most the word's idf in running text.
# The parts field's own statistics made a word that is common on its own ("daginstitution", in
# 208 bodies) rare as a part (67 items), so one compound holding it ("daginstitutionsområdet")
# outscored two mentions of the word itself.  Field → the field whose idf caps it; every
# engine scores so.
IDF_CAPPED_BY: dict[str, str] = {"parts": "body"}
# BM25F's length normalisation and saturation, the same in every engine.  B = 1: a word's weight
# falls in full proportion to the length of the field it stands in, so a short item about one thing
# outranks a long one that mentions it among many.  Whoosh's default 0.75 let long case texts win
# too often once an index held thousands of items: over the 3,400 items every input holds, the dev
# queries' MRR@10 rose from 0.912 to 0.917 (32 queries up, 8 down), over the dev part's own 383
# from 0.981 to 0.982 (2 up, none down); see README.
BM25_B = 1.0
BM25_K1 = 1.2
# Fields matched by exact (normalised) value: committee name, case key, topic code, municipality.
VALUE_FIELDS = ("committee", "case", "topic", "municipality")
# Facets every engine counts over the open, filtered match set.
FACETS = ("committee", "year", "topic", "municipality", "kind")
SORTS = ("relevance", "newest", "oldest")
# Fields a snippet may come from, in the order the service tries them; ``Hit.matched``
# also names "exact" (unstemmed forms) and "parts" (compound parts) for highlighting.
SNIPPET_FIELDS = ("decision", "title", "body", "attachments")


def analysis_warning(where: str, version: int) -> str | None:
    """The one line every command prints (and the web UI logs) when the index at ``where`` was
    written by another text analysis than this program's (``ANALYSIS_VERSION``); None when the
    same.  Searches still run: the old terms find most things, some word forms are missed."""
    from indexer.analysis import ANALYSIS_VERSION

    if version == ANALYSIS_VERSION:
        return None
    if version > ANALYSIS_VERSION:
        return (
            f"{where}: written by a newer text analysis (version {version}; this version analyses with "
            f"{ANALYSIS_VERSION}): some word forms are missed; search it with the minutes-search that wrote it"
        )
    return (
        f"{where}: written by an older text analysis (version {version}; this version analyses with "
        f"{ANALYSIS_VERSION}): some word forms are missed until you run `minutes reindex --index {where}`"
    )


# The order of hits that score alike, on every engine (the contract above): the newest meeting
# first (among equals, a reader most likely wants the current one), then the item's public id,
# which no build, merge or engine changes.  Document numbers (Whoosh's, PostgreSQL's ``docno``)
# were the order before: they follow the segment a forked writer happened to put an item in,
# so two builds of the same inputs ranked equals differently.
_HEX_ID = re.compile(r"[0-9a-f]{16}")
# Scores alike: equal when cut to this many decimals (``floor(score * TIE_SCALE)``), on every
# engine.  PostgreSQL adds an item's parts in the order its plan delivers the rows, so items
# of one text differed there in the last bit (57.971988444496574 / …59); a score here is at
# most a few hundred, so this keeps every real difference.
TIE_SCALE = 1e9


def id_order(item_id: str) -> int:
    """An item id as an unsigned 64-bit number in the id's own text order, for an engine
    that orders by per-document numbers (Whoosh's columns).  Every id ingest makes is 16
    hex digits (``model.stable_hash``): read as a number it orders exactly as the text.
    Any other id is its first 8 UTF-8 bytes, big-endian: the text's order up to them."""
    if _HEX_ID.fullmatch(item_id):
        return int(item_id, 16)
    return int.from_bytes(item_id.encode("utf-8")[:8].ljust(8, b"\0"), "big")


class EngineError(Exception):
    """An index problem reported to the user in one line (the message says what to do)."""


class EngineUnavailable(EngineError):
    """The engine's server does not answer now (a database down, or out of connections): a
    request is answered 503 and asked again shortly, never blamed on the query."""


class EngineMissing(EngineError):
    """Nothing has been indexed at this location yet."""


class EngineCorrupt(EngineError):
    """The location holds an index that cannot be opened."""


class EngineBusy(EngineError):
    """Another writer holds the index."""


def take_writer_lock(
    try_take: Callable[[], bool],
    holder: Callable[[], str],
    busy: Callable[[str], Exception],
    wait_s: float,
    poll_s: float,
    waiting_for: str = "another ingest",
) -> None:
    """The one wait of a second ingest, harvest, forget or reindex, for both engines: try the
    engine's lock (``try_take``), and when another writer has it, say so at once on stderr in one
    line naming the holder (``holder``: " (held by …)" or "") and how long this one will wait, then
    poll every ``poll_s`` up to ``wait_s`` and raise ``busy(holder())``.  Before, the wait was
    silent: two minutes of nothing, then the failure.  A free lock is taken without a word.
    ``waiting_for`` names what holds it in that line (PostgreSQL's ``db init`` waits for a reindex)."""
    if try_take():
        return
    deadline = time.monotonic() + max(0.0, wait_s)
    if wait_s > 0:
        sys.stderr.write(f"warning: waiting for {waiting_for} to finish{holder()}; giving up after {wait_s:g} s\n")
        sys.stderr.flush()
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        if try_take():
            return
    raise busy(holder())


def case_key(case_number: str | None) -> str:
    """A case number normalised so one case matches across meetings ("12/27845")."""
    if not case_number:
        return ""
    return re.sub(r"\s+", "", case_number).casefold()


@dataclass(frozen=True)
class Filters:
    """Restrictions on the match set; empty means no restriction. Values are exact
    (``municipality`` already canonical, ``topic`` lower-case codes).

    ``date_from``/``date_to`` (either may be open) hold a meeting dated to the day when its day
    lies in the range, and a meeting known only to its year (``date_precision`` "year") when the
    range meets that year: it may have been held on any day of it, so a range over June-December
    2016 lists it, as the year facet 2016 does, and it is never read as held on 1 January."""

    committee: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def __bool__(self) -> bool:
        return any((self.committee, self.municipality, self.kind, self.year, self.topic, self.date_from, self.date_to))


@dataclass(frozen=True)
class SearchSpec:
    """One search: a query AST (None lists everything), filters, order and a window.

    ``sort`` is one of :data:`SORTS`; "relevance" without a query means newest first.
    ``offset``/``limit`` pick the hits returned; ``total`` and facets always cover the
    whole match set. ``with_facets=False`` spares the counting (exports, feeds).
    ``lazy``: a hit's item may be read at its first use, and only inside the caller's
    ``Engine.reading()`` ("Lignende sager" weighs 60 candidates by their matched terms and
    reads a few); an engine whose hits come whole with the search leaves it be.
    """

    query: Node | None = None
    filters: Filters = Filters()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 10
    with_facets: bool = True
    lazy: bool = False


@dataclass
class StoredItem:
    """One indexed item as the engine keeps it.

    ``doc`` is the public document written at ingest (title, sections, decisions,
    attachments, topics, meeting …; see ``indexer.engines.whoosh.index.document_for``),
    kept as its stored JSON (``doc_json``) and decoded at first use: a search's hits are
    often only weighed ("Lignende sager" reads ~60 candidates to list five), and decoding
    every document was a large part of what they cost.  ``texts`` the searchable text per
    snippet field (title, decision, body, attachments). A closed item is a stub: access
    "closed", ``doc`` without text.
    """

    id: str
    meeting_id: str
    number: str
    position: int
    access: str
    title: str
    case_key: str
    doc_json: str
    texts: dict[str, str] = field(default_factory=dict)

    @cached_property
    def doc(self) -> dict[str, Any]:
        found = json.loads(self.doc_json or "{}")
        return found if isinstance(found, dict) else {}

    @property
    def is_open(self) -> bool:
        return self.access == "open"


@dataclass
class Hit:
    """One search hit: the item, its score (None when sorted by date), and which
    analysed terms it matched per field (for highlighting)."""

    item: StoredItem
    score: float | None
    matched: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> count


@dataclass
class EngineStats:
    location: str
    items: int
    open_items: int
    closed_items: int
    meetings: int
    first_meeting: str | None  # ISO date
    last_meeting: str | None
    facets: dict[str, dict[str, int]]  # over open items, most frequent first


@dataclass
class WriteSummary:
    """What one or more ``write`` calls did (the CLI prints it)."""

    meetings: int = 0
    items_added: int = 0
    items_updated: int = 0
    items_skipped: int = 0  # unchanged, or an older version than what is indexed
    attachments: int = 0
    attachments_archived: int = 0
    closed_items: int = 0
    items_removed: int = 0  # no longer in the meeting's newest version
    items_lost: int = 0  # listed by a version, left out by a later one in the same batch: never indexed
    kept_closed: int = 0  # opened by a version, closed by an earlier one: stays closed
    closed_by_older: int = 0  # closed by a lower-rank version (a dagsorden after its referat)
    forgotten: int = 0  # left out: taken down with ``minutes forget``
    tightened: int = 0  # held open, now closed or withdrawn (their old text leaves the index)
    pruned: int = 0  # archive and text-cache files deleted as no longer referenced
    removed_ids: list[str] = field(default_factory=list)  # the withdrawn items (their URLs answer 410)
    warnings: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "path: problem"

    def merge(self, other: WriteSummary) -> None:
        for name in (
            "meetings",
            "items_added",
            "items_updated",
            "items_skipped",
            "attachments",
            "attachments_archived",
            "closed_items",
            "items_removed",
            "items_lost",
            "kept_closed",
            "closed_by_older",
            "forgotten",
            "tightened",
            "pruned",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.removed_ids.extend(other.removed_ids)
        self.warnings.extend(other.warnings)
        self.rejected.extend(other.rejected)


class Archive(abc.ABC):
    """Open attachment files, content-addressed (``<sha256>.<ext>``).

    Files are stored at ingest (``store``) and served by name (``open``). A name that
    is not a stored archive name is refused (None), so a name taken from a URL can
    never reach outside the archive.
    """

    NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,8})?")

    @abc.abstractmethod
    def store(self, source: Path) -> tuple[str, bool]:
        """Archive a file; returns (archive name, whether it was new). Raises OSError."""

    @abc.abstractmethod
    def open(self, name: str) -> BinaryIO | None:
        """The archived file for reading, or None when the name is unknown or malformed."""

    def local_path(self, name: str) -> Path | None:
        """A file-system path for the archived file when the archive is local (lets a web
        server send it without copying); None otherwise."""
        return None


class Engine(abc.ABC):
    """One index location. Opened once per process; safe for concurrent readers (threads).

    Writers: one at a time per location (``writing()`` waits, then raises EngineBusy).
    """

    location: str

    # -- opening -------------------------------------------------------------

    @classmethod
    @abc.abstractmethod
    def open(cls, location: str) -> Engine:
        """Open an existing index; EngineMissing/EngineCorrupt say what to do otherwise."""

    @classmethod
    @abc.abstractmethod
    def open_or_create(cls, location: str) -> Engine:
        """Open, creating an empty index first when there is none (ingest does this)."""

    def refresh(self) -> None:  # noqa: B027 - optional: engines that cache a reader view
        """Make the next reads see every commit made so far (by any process)."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release files and connections."""

    def reading(self) -> AbstractContextManager[None]:
        """Held around one request's reads (a search with its "Mente du" and correction): an
        engine may look once, at the first read inside, at what was committed since its last
        look, and answer the rest of the request from that state.  Reads outside see every
        commit made so far, each on its own."""
        return contextlib.nullcontext()

    # -- writing ---------------------------------------------------------------

    @abc.abstractmethod
    def writing(self) -> Any:
        """A context manager held around an ingest: one writer per location."""

    @abc.abstractmethod
    def write(self, meetings: Sequence[Meeting]) -> WriteSummary:
        """Store a batch of public meetings as one atomic commit (see the module doc)."""

    @abc.abstractmethod
    def delete_items(self, item_ids: Sequence[str]) -> int:
        """Remove items (one commit); returns how many were there."""

    @abc.abstractmethod
    def delete_meetings(self, meeting_ids: Sequence[str]) -> int:
        """Remove every item of these meetings (one commit); returns how many items went."""

    def finish(self) -> None:  # noqa: B027 - optional
        """Called once after the last batch of an ingest (an engine may merge or analyse)."""

    @abc.abstractmethod
    def rebuild(self, build: Callable[[Engine], WriteSummary]) -> WriteSummary:
        """``minutes reindex``: run ``build`` against a fresh, empty index and make it live
        atomically when ``build`` returns; readers keep the old contents until then, and
        nothing changes when ``build`` raises."""

    @abc.abstractmethod
    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        """Remember what was ingested (paths and options), so ``minutes reindex`` can rebuild."""

    @abc.abstractmethod
    def sources(self) -> list[dict[str, Any]]: ...

    @property
    @abc.abstractmethod
    def archive(self) -> Archive: ...

    @property
    def text_cache_dir(self) -> Path | None:
        """A local folder for extracted attachment text (cached by content hash), if any."""
        return None

    # -- reading ---------------------------------------------------------------

    @abc.abstractmethod
    def search(self, spec: SearchSpec) -> SearchResult:
        """Open items matching ``spec.query`` within ``spec.filters``: total, the hits in
        ``[offset, offset+limit)`` in the requested order, and facet counts."""

    @abc.abstractmethod
    def item(self, item_id: str) -> StoredItem | None:
        """An item by id (open, or a closed stub), or None."""

    @abc.abstractmethod
    def meeting_items(self, meeting_id: str) -> list[StoredItem]:
        """Every item of a meeting (closed ones as stubs), in no particular order."""

    @abc.abstractmethod
    def case_items(self, key: str, limit: int = 200) -> list[StoredItem]:
        """Open items whose ``case_key`` is ``key``, oldest meeting first."""

    def same_case(self, hits: Sequence[Hit], key: str) -> list[bool]:
        """For each hit, whether its item's ``case_key`` is ``key``.  An engine whose hits are
        read lazily (``SearchSpec.lazy``) answers without reading their items."""
        return [bool(key) and hit.item.case_key == key for hit in hits]

    def similar(self, item_id: str, limit: int = 5) -> list[StoredItem]:
        """Open items most like this one (its own id excluded): one definition for every engine,
        over what each answers alike (``indexer.search.similar``), so the lists are the same."""
        from indexer.search.similar import similar_items  # the query model sits above the engines

        return similar_items(self, item_id, limit)

    # -- vocabulary (open items only) ---------------------------------------------

    @abc.abstractmethod
    def has_word(self, word: str, fieldname: str = "exact") -> bool:
        """Whether an open item contains this exact (unstemmed, lower-case) word (or this
        term of another text field)."""

    def has_words(self, words: Sequence[str], fieldname: str = "exact") -> set[str]:
        """Which of ``words`` an open item holds (``has_word`` of each; a server engine asks
        once for all)."""
        return {word for word in dict.fromkeys(words) if self.has_word(word, fieldname)}

    def word_shares(self, words: Sequence[str], parts: bool = False) -> dict[str, float]:
        """For each word, how common it is: the open items holding it (as the index analyses it)
        in their title, decision or running text, at most in one of them, as a share of every item
        the index holds (closed ones too, as the IDF counts them); with ``parts``, or among the
        parts of the compounds they write (the "parts" field), as a search of the word finds it.
        An engine that keeps term statistics answers from them; this asks one count a field (of
        the open items, leaving the parts out)."""
        from indexer.search.query import Word  # the query model sits above the engines

        everything = max(1, self.search(SearchSpec(query=None, limit=0, with_facets=False)).total)
        return {
            word: max(
                self.search(SearchSpec(query=Word(word, field), limit=0, with_facets=False)).total
                for field in ("title", "decision", "body")
            )
            / everything
            for word in dict.fromkeys(words)
        }

    @abc.abstractmethod
    def near_words(self, word: str, maxdist: int = 2, fieldname: str = "exact") -> list[tuple[str, float]]:
        """(term, collection frequency) of every term of ``fieldname`` (the unstemmed words, or
        the analysed terms of "body" or "parts") that open items hold, within ``maxdist`` edits
        (letters added, dropped, replaced or two neighbours swapped) sharing its first letter,
        ``word`` itself left out; unordered ("Mente du" ranks them, ``search/spelling.py``)."""

    @abc.abstractmethod
    def completions(self, prefix: str, limit: int = 400) -> list[tuple[str, int]]:
        """(word, item frequency) for words of open items starting with ``prefix``."""

    @abc.abstractmethod
    def committees(self) -> list[str]:
        """Names of the committees that have open items, sorted."""

    @abc.abstractmethod
    def committees_of(self, municipalities: Sequence[str]) -> list[str]:
        """Names of the committees that have open items in one of ``municipalities`` (a filter's
        values), sorted: a search within them reads a committee's name among these alone.  Kept
        per index state, as ``committees``."""

    @abc.abstractmethod
    def route_table(self) -> RouteTable:
        """Per municipality, what the abbreviations on its open items' routes ("Sagsgang: KUU,
        ØK") stand for (``bodies.RouteEvidence.learn``): learnt when items are written and kept
        with the index, so a search only reads it. Closed items teach nothing."""

    @abc.abstractmethod
    def definition_table(self) -> DefinitionTable:
        """Per municipality, the abbreviations its open items' text defines ("Danmarks
        Naturfredningsforening (DN)": ``bodies.RouteEvidence.learn_definitions``), learnt and
        kept as ``route_table`` is. Closed items and closed sections teach nothing."""

    @abc.abstractmethod
    def stats(self) -> EngineStats: ...

    @abc.abstractmethod
    def analysis_version(self) -> int:
        """The ``indexer.analysis.ANALYSIS_VERSION`` the live content was analysed with, as
        stamped when it was created or rebuilt (``UNSTAMPED_ANALYSIS`` when written before
        stamps).  Ingest leaves it: only ``minutes reindex`` re-analyses what is there."""

    def analysis_warning(self) -> str | None:
        """``analysis_warning`` for this index (its location as printed), or None."""
        return analysis_warning(self.shown_location(), self.analysis_version())

    def shown_location(self) -> str:
        """The location as printed and logged (a server engine leaves out a password)."""
        return self.location

    def last_changed(self) -> datetime | None:
        """When the last commit happened, if the engine keeps it (feeds are dated by it)."""
        return None

    def gone(self, item_id: str) -> bool:
        """Whether this id was published once, then withdrawn by a newer version of its
        meeting or taken down (its old URLs answer 410 Gone, not 404)."""
        return False

    @abc.abstractmethod
    def iter_items(self) -> Iterator[StoredItem]:
        """Every stored item (maintenance: topics rebuild, exports)."""
