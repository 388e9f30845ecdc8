"""The Whoosh index: schema, batched atomic writes, reindex-and-swap.

This is the only module that writes with Whoosh, and the boundary where closed
content is dropped: a closed item becomes a stub (number and a neutral title,
no text), closed sections and attachments never reach a field or the stored
document, and closed attachment files are never copied into the archive.

On disk an index root holds::

    current -> gen-<stamp>/     the live Whoosh index (a symlink, swapped atomically)
    archive/ab/<sha256>.<ext>   open attachment files, content addressed
    textcache/                  extracted attachment text, keyed by content hash
    sources.json                what was ingested, so ``reindex`` can rebuild

and each generation folder its ``routes.json``: the route abbreviations learnt from its
open items (``routes.py``), updated with every commit, and its ``analysis-version``: the
``ANALYSIS_VERSION`` its content was analysed with, written when the generation is made (create,
reindex) and never after.  Per generation, not per segment: a merge copies old postings into new
segments without analysing them again, so only a generation built from the sources is new text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from filelock import FileLock, Timeout
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.index import FileIndex, LockError
from whoosh.reading import EmptyReader
from whoosh.writing import IndexWriter

from indexer.analysis import ANALYSIS_VERSION, UNSTAMPED_ANALYSIS, fastterms
from indexer.analysis.danish import (
    danish_analyzer,
    exact_analyzer,
    plain_exact_analyzer,
    snowball_analyzer,
    title_parts_analyzer,
)
from indexer.attachments import file_hash
from indexer.dates import date_in_words, parse_danish_datetime
from indexer.documents.publish import copy_name, reblanked_copy, write_copy
from indexer.engines.archive import FolderArchive
from indexer.engines.base import (
    CLOSED_TITLE,
    EngineBusy,
    EngineCorrupt,
    EngineError,
    EngineMissing,
    WriteSummary,
    case_key,
    id_order,
    take_writer_lock,
)
from indexer.engines.sourcedocs import (
    add_source,
    document_name,
    item_source,
    source_record,
    withheld_in,
    without_document,
)
from indexer.engines.whoosh import routes
from indexer.engines.whoosh.bulkwriter import BulkMpWriter, BulkSegmentWriter
from indexer.engines.whoosh.codec import FORMAT_VERSION, ArrayPositions, MinutesCodec, segment_format
from indexer.engines.whoosh.merging import MERGE_FACTOR, plan_merges
from indexer.forget import Registry
from indexer.model import (
    CLOSED_TITLE_RULE,
    COPENHAGEN,
    KIND_RANK,
    Access,
    Attachment,
    Item,
    Meeting,
    MeetingKind,
    SectionKind,
    to_jsonable,
)
from indexer.public import PublicMeeting, ensure_public
from indexer.versions import Indexed, MeetingState
from indexer.workers import holders_of, raise_if_stopped

log = logging.getLogger(__name__)

INDEX_NAME = "minutes"
WRITER_TIMEOUT_S = 120.0  # a second ingest waits this long for the first, then fails clearly
# Batches of at least this many items are indexed by forked writer processes.
WRITER_PROCS = max(1, min(2, int(os.environ.get("MINUTES_WRITER_PROCS", os.cpu_count() or 1))))
PARALLEL_BATCH_MIN = 400


# The engine-neutral errors under the names this module has always raised.
IndexError_ = EngineError
IndexMissing = EngineMissing
IndexCorrupt = EngineCorrupt
IndexBusy = EngineBusy


class IndexOutdated(IndexError_):
    """The index was written in another on-disk format: it is refused, never misread."""


# Indexed-only fields whose text is stored fields' texts joined by newlines: the unstemmed
# field (phrases, exact forms) and the compound parts.  The bulk writer reads their words
# from the parts' (``bulkwriter.py``).
JOINED_TEXTS: dict[str, tuple[str, ...]] = {
    "exact": ("title", "body", "decision", "attachments_text"),
    "parts": ("title", "body", "decision"),
    # The title's compound parts again, weighted as the title is (``HELPER_FIELDS``).
    "title_parts": ("title",),
}

# Single-valued facets whose per-document codes the codec writes beside each segment.
FACET_COLUMNS = ("committee", "year", "municipality", "kind")


def minutes_codec() -> MinutesCodec:
    """The codec every segment is written with (array postings, facet codes)."""
    return MinutesCodec(facet_fields=FACET_COLUMNS)


# The column of each item's id as a number in the id's order (``base.id_order``): hits that
# score alike are ranked by it (the engine's ``tie_keys``), never by document number.
ID_ORDER = "id_order"
# The columns date sorts and browsing order a date's items by (the engine's ``date_keys``):
# the meeting's id as a number (``base.id_order``: meetings starting at the same time, in id
# order) and the item's agenda position, so a meeting's items come in agenda order.
MEETING_ORDER = "meeting_order"
POSITION_ORDER = "position_order"
# Fields this version writes into every document: an index whose schema lacks one was made by
# an older version (also when it holds nothing yet, so that no segment tells its format).
# ``date_precision`` (round 32) also marks an index made before an attachment titled closed
# ("Bilag 2 (lukket) - …", ``model.title_marks_closed``) was closed: such an index may publish
# one, so it is refused like any older format until ``minutes reindex`` rebuilds it, which closes it.
REQUIRED_FIELDS = (ID_ORDER, MEETING_ORDER, POSITION_ORDER, "meeting_text", "date_precision")


def check_format(root: Path, ix: Any) -> None:
    """Refuse an index any of whose segments is not in this version's format, or whose
    schema lacks a field this version writes (a write would fail on it, a search misrank)."""
    for segment in _newest_segments(ix):
        found = segment_format(segment)
        if found != FORMAT_VERSION:
            written = "plain Whoosh postings" if found is None else f"format {found}"
            raise IndexOutdated(
                f"{root}: this index was written by an older version of minutes-search ({written}; "
                f"this version reads format {FORMAT_VERSION}); rebuild it with `minutes reindex --index {root}`"
            )
    schema = _from_newest_toc(lambda: ix.schema)  # a reader opening while a merge commits
    missing = [name for name in REQUIRED_FIELDS if name not in schema]
    if missing:
        raise IndexOutdated(
            f"{root}: this index was made by an older version of minutes-search (no {', '.join(missing)} "
            f"field; this version reads format {FORMAT_VERSION}); rebuild it with `minutes reindex --index {root}`"
        )


def compound_analyzer():  # type: ignore[no-untyped-def]
    """Analyzer for the compound-parts field, when the Danish module offers one."""
    from indexer.analysis import danish

    factory = getattr(danish, "compound_analyzer", None)
    return factory() if factory else None


class FastText(TEXT):
    """A TEXT field that indexes through a cached word → term table (see ``fastterms``).

    The postings are identical to what the field's analyzer produces (the tests
    compare them on the real corpus); only the per-token Python work is gone.
    Queries and highlighting still use the analyzer itself.
    """

    def __init__(self, *args: Any, fast_kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fast_kind = fast_kind
        if type(self.format) is Positions:  # positions as machine arrays (see the codec)
            self.format = ArrayPositions(field_boost=self.format.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Any:
        kind = getattr(self, "fast_kind", "")
        if (
            kwargs
            or not isinstance(value, str)
            or not isinstance(self.format, Positions)
            or not fastterms.supported(kind)
        ):
            return super().index(value, **kwargs)
        return self._fast_index(value, kind)

    def _fast_index(self, value: str, kind: str) -> Iterator[tuple[bytes, int, float, bytes]]:
        positions_format = self.format
        assert isinstance(positions_format, Positions)
        field_boost = positions_format.field_boost
        encode = positions_format.encode
        for term, positions in fastterms.term_positions(value, kind).items():
            yield term.encode("utf-8"), len(positions), float(len(positions)) * field_boost, encode(positions)


ANALYSIS_PROFILES = ("danish", "snowball", "standard")
PROFILE_FILE = "analysis.json"
ANALYSIS_STAMP = "analysis-version"  # in each generation folder: the ANALYSIS_VERSION that wrote it
# In each generation folder: the ``model.CLOSED_TITLE_RULE`` its content was written under.
TITLE_RULE_STAMP = "closed-title-rule"


def read_title_rule(generation: Path) -> int:
    """The closed-title rule a generation was written under; 0 when it has no readable stamp
    (written before stamps: default deny, it may publish what the rule closes now)."""
    try:
        text = (Path(generation) / TITLE_RULE_STAMP).read_text("ascii").strip()
    except (OSError, UnicodeError):
        return 0
    return int(text) if text.isdigit() else 0


def check_title_rule(root: Path, generation: Path, ix: Any) -> None:
    """Refuse a generation written under an older closed-title rule (``model.CLOSED_TITLE_RULE``)
    that holds anything: its attachments were published by a rule that let through titles marked
    closed, and only a reindex (from the recorded sources) closes them."""
    if read_title_rule(generation) >= CLOSED_TITLE_RULE:
        return
    with ix.reader() as reader:
        if int(reader.doc_count_all()) == 0:
            return  # nothing was written under the old rule (stamped at its first write)
    raise IndexOutdated(
        f"{root}: this index was written before this version of minutes-search closed every attachment "
        f"whose title marks it closed (it may publish one); rebuild it with `minutes reindex --index {root}`"
    )


def read_analysis_version(generation: Path) -> int:
    """The analysis a generation folder was written with; ``UNSTAMPED_ANALYSIS`` when it has no
    readable stamp (written before stamps; a damaged stamp asks for the same reindex)."""
    try:
        text = (Path(generation) / ANALYSIS_STAMP).read_text("ascii").strip()
    except (OSError, UnicodeError):
        return UNSTAMPED_ANALYSIS
    return int(text) if text.isdigit() and int(text) > 0 else UNSTAMPED_ANALYSIS


def text_analyzers(profile: str = "danish") -> tuple[Any, Any]:
    """(stemmed-text analyzer, exact-form analyzer) for an analysis profile.

    "danish" is the product; "snowball" (plain Danish Snowball, no lemmas, variants or
    compounds) and "standard" (Whoosh's StandardAnalyzer everywhere) exist so relevance
    can be measured against them on the same data and the same query path.
    """
    if profile == "danish":
        return danish_analyzer(), exact_analyzer()
    if profile == "snowball":
        return snowball_analyzer(), plain_exact_analyzer()
    if profile == "standard":
        standard = StandardAnalyzer()
        return standard, standard
    raise ValueError(f"unknown analysis profile {profile!r}; choose one of {', '.join(ANALYSIS_PROFILES)}")


def read_profile(root: Path) -> str:
    """The analysis profile an index root was created with ("danish" when unrecorded)."""
    try:
        data = json.loads((Path(root) / PROFILE_FILE).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return "danish"
    profile = data.get("profile") if isinstance(data, dict) else None
    return profile if profile in ANALYSIS_PROFILES else "danish"


def build_schema(profile: str = "danish") -> Schema:
    danish, exact = text_analyzers(profile)
    # The cached fast path knows the product's analyzers only; baselines analyse token by token.
    fast_text = "danish" if profile == "danish" else ""
    fast_exact = "exact" if profile == "danish" else ""  # the baseline's exact forms have no signs
    # Field weights are applied once, at query time (``FIELD_BOOSTS`` in the search
    # service): the postings hold plain term frequencies, so BM25F saturates on real counts.
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        ID_ORDER: COLUMN(NumericColumn("Q")),  # not indexed, not stored: a number per document
        MEETING_ORDER: COLUMN(NumericColumn("Q")),
        POSITION_ORDER: COLUMN(NumericColumn("Q")),
        "meeting_id": ID(stored=True),
        "number": STORED(),
        "position": STORED(),
        "title": FastText(analyzer=danish, stored=True, fast_kind=fast_text),
        "decision": FastText(analyzer=danish, stored=True, fast_kind=fast_text),
        "body": FastText(analyzer=danish, stored=True, fast_kind=fast_text),
        "attachments_text": FastText(analyzer=danish, stored=True, fast_kind=fast_text),
        "attachment_titles": FastText(analyzer=danish, stored=True, fast_kind=fast_text),
        "exact": FastText(analyzer=exact, phrase=True, fast_kind=fast_exact),
        "committee": ID(stored=True, sortable=True),
        "committee_text": FastText(analyzer=danish, stored=False, fast_kind=fast_text),
        # The meeting's date in words ("26 november 2014", ``dates.date_in_words``): a date typed
        # in a query is matched here as well as in the text (``ast.expand_dates``).
        "meeting_text": FastText(analyzer=danish, stored=False, fast_kind=fast_text),
        "municipality": ID(stored=True, sortable=True),
        "kind": ID(stored=True, sortable=True),
        "year": ID(stored=True, sortable=True),
        "date": DATETIME(stored=True, sortable=True),
        # "year" when only the meeting's year is known (``date`` is then its 1 January): a date
        # filter matches such an item when the range meets its year (``Filters``), not by 1 January.
        "date_precision": ID(),
        "case_number": ID(stored=True),
        "case_key": ID(stored=True),
        "topic": KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        "access": ID(stored=True),
        "doc": STORED(),
    }
    parts = compound_analyzer() if profile == "danish" else None
    if parts is not None:
        fields["parts"] = FastText(analyzer=parts, fast_kind="parts")
        fields["title_parts"] = FastText(analyzer=title_parts_analyzer(), fast_kind="title_parts")
    return Schema(**fields)


def _use_kle_terms(root: Path) -> None:
    """Classify with the municipality's own KLE subject words when it loaded them."""
    try:
        from indexer import topics
    except ImportError:
        return
    topics.set_default_kle_terms(topics.load_kle_terms(root))


def topics_for(item: Item, committee: str) -> list[dict[str, Any]]:
    """Topics from the classifier, when the topics module is available."""
    try:
        from indexer import topics
    except ImportError:
        return []
    classify = getattr(topics, "classify_item", None)
    if classify is None:
        return []
    return [to_jsonable(t.__dict__ if hasattr(t, "__dict__") else t) for t in classify(item, committee=committee)]


def topics_for_items(pairs: list[tuple[Meeting, Item]]) -> dict[int, list[dict[str, Any]]]:
    """Topics of a batch's open items at once (the model scores the whole batch), by ``id(item)``:
    what ``topics_for`` gives each."""
    try:
        from indexer import topics
    except ImportError:
        return {}
    classify = getattr(topics, "classify_items_as_dicts", None)
    if classify is None:
        return {}
    open_pairs = [(m, i) for m, i in pairs if i.access == Access.OPEN and m.access == Access.OPEN]
    found = classify([(i, m.committee) for m, i in open_pairs])
    # A Topic's fields are plain strings, a float and None: its dict is already what JSON takes.
    return {id(i): item_topics for (_, i), item_topics in zip(open_pairs, found, strict=True)}


IngestSummary = WriteSummary  # the name ingest code has used


class _EmptyReader(EmptyReader):
    """Whoosh's reader of an index with no segment yet (an ingest killed before its first
    commit, a folder of nothing): it has no generation and no segment list, so Whoosh's own
    ``Searcher.refresh`` fails on it.  This one has both, and no leaves: 0 results, not a crash."""

    def __init__(self, schema: Schema, generation: int | None) -> None:
        super().__init__(schema)
        self._gen = generation

    def generation(self) -> int | None:
        return self._gen

    def segments(self) -> list[Any]:
        return []

    def leaf_readers(self) -> list[tuple[Any, int]]:
        return []


class _Reusable:
    """A reader offered for reuse, showing only the segments the new generation still has.

    Whoosh (whoosh3) adds every segment of the reused reader that the new table of
    contents lacks to the new reader: after a commit that rewrote segments (a withdrawn,
    closed or forgotten item purged from disk) a refreshed searcher kept reading the old
    segments — their documents visible again, their columns out of step."""

    def __init__(self, reader: Any, current: list[Any]) -> None:
        self.reader = reader
        self.current = current

    def segments(self) -> list[Any]:
        return [s for s in self.reader.segments() or [] if s in self.current]

    def leaf_readers(self) -> list[tuple[Any, int]]:
        return list(self.reader.leaf_readers())


class _FileIndex(FileIndex):
    """Whoosh's file index: no stale segment comes back on refresh, and an index of no
    segments is read with ``_EmptyReader``."""

    @classmethod
    def _reader(cls, storage: Any, schema: Schema, segments: Any, generation: Any, reuse: Any = None) -> Any:
        if not segments:
            return _EmptyReader(schema, generation)
        if reuse is not None:
            reuse = _Reusable(reuse, list(segments))
        return super()._reader(storage, schema, segments, generation, reuse=reuse)


def _open_whoosh(folder: Path) -> Any:
    ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
    ix.__class__ = _FileIndex
    return ix


def _open_live(live: Path, attempts: int = 12) -> Any:
    """Open the live index, riding out a commit that runs meanwhile.

    A commit writes a new table of contents and then deletes the previous one and
    the segments only it named; a reader that listed the folder a moment before
    finds a file gone.  That is no damage: the newer table is there, so the open is
    tried again (about 2 s in all, enough for a loaded machine) before the index is
    called damaged.
    """
    for attempt in range(attempts):
        try:
            ix = _open_whoosh(live)
            ix.doc_count()
            return ix
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1) ** 1.5)
    raise AssertionError("unreachable")


_Read = TypeVar("_Read")


def _from_newest_toc(read: Callable[[], _Read], attempts: int = 12) -> _Read:
    """What ``read`` takes from the newest table of contents, riding out a commit that deletes it
    between listing the folder and reading it (as ``_open_live``)."""
    for attempt in range(attempts):
        try:
            return read()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1) ** 1.5)
    raise AssertionError("unreachable")


def _newest_segments(ix: Any) -> list[Any]:
    """The segments of the newest table of contents (``_from_newest_toc``)."""
    return _from_newest_toc(lambda: list(ix._segments()))


@dataclass(frozen=True)
class WithheldCopy:
    """The copy of a version's whole-meeting document its open items link to when the version reads
    items open that the index does not publish open: their pages blank."""

    archive_name: str | None  # None: none could be made (a DOCX, a page unknown); the items link to none
    visible_name: str | None  # the name the document as read would have had in the archive
    withheld: list[dict[str, Any]]  # where the withheld items sit in it


class MinutesIndex:
    """One index root on disk: the live Whoosh index plus archive and sources."""

    def __init__(self, root: Path, ix: Any) -> None:
        self.root = root
        self.ix = ix
        self._known_ids = _KnownIds("id")
        self._known_meetings = _KnownIds("meeting_id")
        self.allow_reopen = False  # operator's override of "access only tightens" (ingest --allow-reopen)
        # In a rebuild: meeting id → ids of the items the index being replaced holds closed.
        self.closed_before: dict[str, list[str]] = {}

    # -- opening ---------------------------------------------------------

    @staticmethod
    def live_dir(root: Path) -> Path:
        return Path(root) / "current"

    @classmethod
    def exists(cls, root: Path) -> bool:
        """An index is there, or its ``current`` link is (a dangling one is a damaged index,
        reported by ``open``, never replaced by a new empty index)."""
        live = cls.live_dir(root)
        return live.exists() or live.is_symlink()

    @classmethod
    def open(cls, root: Path, require_current_format: bool = True) -> MinutesIndex:
        """Open an index root; ``require_current_format=False`` is for ``reindex``, which
        only needs the recorded sources of an index in an older format."""
        root = Path(root)
        live = cls.live_dir(root)
        if live.is_symlink() and not live.exists():
            if not require_current_format:  # reindex rebuilds from the recorded sources
                return cls(root, None)
            raise IndexCorrupt(
                f"{root}: `current` points to {os.readlink(live)}, which is missing; the index is damaged — "
                f"rebuild it with `minutes reindex --index {root}` or restore that folder (nothing was changed)"
            )
        if not live.exists():
            raise IndexMissing(f"{root}: no index here yet; build one with `minutes ingest PATH --index {root}`")
        try:
            ix = _open_live(live)
            _use_kle_terms(root)
        except Exception as exc:
            if not require_current_format:
                return cls(root, None)
            raise IndexCorrupt(
                f"{root}: the index cannot be opened ({type(exc).__name__}: {exc}); "
                f"rebuild it with `minutes reindex --index {root}` or move the folder away and ingest again"
            ) from exc
        if require_current_format:
            check_format(root, ix)
            check_title_rule(root, live, ix)
        return cls(root, ix)

    @classmethod
    def create(cls, root: Path, profile: str = "danish") -> MinutesIndex:
        root = Path(root)
        if cls.exists(root):
            raise IndexError_(f"{root}: an index exists already")
        text_analyzers(profile)  # reject an unknown profile before touching the disk
        root.mkdir(parents=True, exist_ok=True)
        if profile != "danish":
            (root / PROFILE_FILE).write_text(json.dumps({"profile": profile}), "utf-8")
        generation = cls._new_generation(root)
        _swap_live(root, generation)
        return cls.open(root)

    @classmethod
    def open_or_create(cls, root: Path, require_current_format: bool = True) -> MinutesIndex:
        root = Path(root)
        return cls.open(root, require_current_format) if cls.exists(root) else cls.create(root)

    @staticmethod
    def _new_generation(root: Path) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        generation = root / f"gen-{stamp}"
        generation.mkdir(parents=True)
        whoosh_index.create_in(str(generation), build_schema(read_profile(root)), indexname=INDEX_NAME)
        (generation / ANALYSIS_STAMP).write_text(f"{ANALYSIS_VERSION}\n", "ascii")
        (generation / TITLE_RULE_STAMP).write_text(f"{CLOSED_TITLE_RULE}\n", "ascii")
        return generation

    def analysis_version(self) -> int:
        """The analysis the live generation was written with (read from its stamp each call:
        a reindex in another process swaps the generation under an open index)."""
        version = read_analysis_version(self.live_dir(self.root))
        if version == UNSTAMPED_ANALYSIS and self.holds_nothing():
            return ANALYSIS_VERSION  # nothing in it was analysed by another analysis
        return version

    def holds_nothing(self) -> bool:
        """No document, live or deleted, in the live generation (a fresh reader: another
        process may have written since this one opened)."""
        with self.ix.refresh().reader() as reader:
            return int(reader.doc_count_all()) == 0

    def _stamp_if_empty(self) -> None:
        """Under the writer's lock, before a write: an empty generation written before stamps is
        stamped with this analysis, which is the only one its content will have been written by
        (a reindex has nothing to rebuild it from, so it would warn for ever)."""
        live = self.live_dir(self.root)
        if read_analysis_version(live) == UNSTAMPED_ANALYSIS and self.holds_nothing():
            (live / ANALYSIS_STAMP).write_text(f"{ANALYSIS_VERSION}\n", "ascii")
        if read_title_rule(live) < CLOSED_TITLE_RULE and self.holds_nothing():
            (live / TITLE_RULE_STAMP).write_text(f"{CLOSED_TITLE_RULE}\n", "ascii")

    # -- paths -------------------------------------------------------------

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def text_cache_dir(self) -> Path:
        return self.root / "textcache"

    @property
    def archive(self) -> FolderArchive:
        return FolderArchive(self.archive_dir)

    def doc_count(self) -> int:
        return int(self.ix.doc_count())

    def refresh(self) -> None:
        """Re-open after another process swapped in a new generation."""
        fresh = MinutesIndex.open(self.root)
        self.ix = fresh.ix

    # -- writing -----------------------------------------------------------

    @contextlib.contextmanager
    def ingest_lock(self, wait_s: float | None = None) -> Iterator[None]:
        """One ingest or reindex per index root at a time; the next one says at once that it waits
        and for whom, waits up to ``wait_s`` (``WRITER_TIMEOUT_S``), then fails clearly
        (``take_writer_lock``, shared with PostgreSQL's run lock).  filelock's lock (an flock on
        Unix, so a killed ingest never leaves it held), tried once per poll."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / "ingest.lock")

        def try_take() -> bool:
            try:
                lock.acquire(timeout=0)  # one try; the shared wait polls
            except Timeout:
                return False
            return True

        take_writer_lock(
            try_take,
            lambda: holders_of(lock.lock_file),
            lambda held: IndexBusy(
                f"{self.root}: another ingest is writing to this index{held}; try again when it has finished"
            ),
            WRITER_TIMEOUT_S if wait_s is None else wait_s,
            poll_s=0.2,
        )
        try:
            yield
        finally:
            lock.release()

    def _writer(self, procs: int = 1) -> IndexWriter:
        """A writer; with ``procs`` > 1 the analysis and segment writing run in that many
        forked processes (each batch becomes ``procs`` segments, merged by later commits).
        Postings are built as arrays and written in bulk (``bulkwriter.py``), not pooled.

        Segments are written as separate files, not one compound file: Whoosh reads a
        compound segment through an in-memory copy per searcher, so every thread's
        searcher would hold the whole index in memory; separate files are read through
        the operating system's page cache, shared by all.
        """
        try:
            if procs > 1:
                _warm_analysis()  # forked writers inherit the loaded dictionaries
                return BulkMpWriter(
                    self.ix,
                    joined=JOINED_TEXTS,
                    timeout=WRITER_TIMEOUT_S,
                    delay=0.25,
                    procs=procs,
                    multisegment=True,
                    batchsize=200,
                    compound=False,
                    codec=minutes_codec(),
                )
            return BulkSegmentWriter(
                self.ix,
                joined=JOINED_TEXTS,
                timeout=WRITER_TIMEOUT_S,
                delay=0.25,
                compound=False,
                codec=minutes_codec(),
            )
        except LockError:
            held = holders_of(os.path.join(self.ix.storage.folder, f"{self.ix.indexname}_WRITELOCK"))
            raise IndexBusy(f"{self.root}: the index is locked by another writer{held}") from None

    def add_meetings(
        self,
        meetings: Iterable[Meeting],
        batch_size: int = 1000,
        progress: Callable[[int], None] | None = None,
        merge: bool = True,
    ) -> IngestSummary:
        """Index meetings in batches; each batch is committed whole or not at all.

        ``merge=False`` leaves segment merging to a later ``merge_segments()``: a bulk
        ingest then rewrites its postings once at the end instead of after every batch.
        """
        summary = IngestSummary()
        batch: list[PublicMeeting] = []
        batch_items = 0
        for meeting in meetings:
            batch.append(ensure_public(meeting))
            batch_items += len(meeting.items)
            if batch_items >= batch_size:
                summary.merge(self._commit_batch(batch, merge))
                if progress:
                    progress(batch_items)
                batch, batch_items = [], 0
        if batch:
            summary.merge(self._commit_batch(batch, merge))
            if progress:
                progress(batch_items)
        return summary

    def merge_segments(self, factor: int = MERGE_FACTOR, progress: Callable[[int, int], None] | None = None) -> int:
        """Merge the segments an ingest left by the tiered policy (``merging.py``): neighbours
        of similar size, ``factor`` at a time, until few remain.  Each merge is its own commit,
        so a merge killed half way leaves the index as the last one left it, and readers see
        the same documents before and after.  ``progress(done, planned)`` after each merge.
        Returns the number of merges made.  A merge changes no item, so the learnt routes are
        carried over to each new generation (recounted once, at the end, when there were none)."""
        done = 0
        recount = False
        while True:
            segments = self.ix._segments()
            plan = plan_merges([s.doc_count() for s in segments], factor)
            if not plan:
                break
            writer = self._writer()
            before = self._routes_before()
            try:
                writer.commit(mergetype=_merging_run(factor))
            except BaseException:
                if not getattr(writer, "is_closed", True):
                    writer.cancel()
                raise
            done += 1
            if before is None:
                recount = True
            else:
                self._routes_after(before, [])
            if progress:
                progress(done, done + len(plan) - 1)
        if recount:
            self._routes_after(None, [])
        return done

    def _commit_batch(self, meetings: list[PublicMeeting], merge: bool = True) -> IngestSummary:
        """Fold the batch's versions of each meeting into what the index holds (see
        ``indexer.versions``), then write, update and delete in one commit.

        When a commit replaces or removes an item, the segments holding the old
        version are rewritten in the same commit: Whoosh only marks a replaced
        document deleted, and its postings, stored fields and words would stay
        on disk (and in the vocabulary) until a merge happened to reach them.
        """
        summary = IngestSummary()
        items = sum(len(m.items) for m in meetings)
        writer = self._writer(procs=WRITER_PROCS if items >= PARALLEL_BATCH_MIN else 1)
        try:
            self._stamp_if_empty()
        except OSError:
            writer.cancel()
            raise
        released: set[str] = set()  # archive names old versions held: pruned unless still used
        gone: dict[str, list[dict[str, Any]]] = {}  # documents open items were read from that now close
        leaving: set[str] = set()  # ids of the items the commit writes or deletes
        linked: set[str] = set()  # archive names of the documents the batch's items link to
        rewritten = False
        before = self._routes_before()
        changes: list[routes.Change] = []  # what the commit counts in and out of the route evidence
        try:
            with self.ix.searcher() as searcher:
                reader = searcher.reader()
                existing = _ExistingDocs(searcher, self._known_ids.of(reader), self._known_meetings.of(reader))
                states: dict[str, MeetingState] = {}
                for meeting in meetings:
                    summary.meetings += 1
                    summary.warnings.extend(meeting.warnings)
                    summary.forgotten += getattr(meeting, "forgotten_items", 0)
                    state = states.get(meeting.id)
                    if state is None:
                        state = states[meeting.id] = MeetingState.from_index(
                            meeting.id, self._held(existing, meeting.id)
                        )
                    state.apply(meeting, allow_reopen=self.allow_reopen)
                written = 0
                # (version, item) whose files the index refers to
                published = {
                    (id(v), i.id) for s in states.values() for v, i, _ in s.to_write() if i.access == Access.OPEN
                }
                batch_topics = topics_for_items([(v, i) for state in states.values() for v, i, _ in state.to_write()])
                # Versions that read items open the index does not publish open: their items link to a
                # copy with those pages blank from this commit on; the document as read is not archived.
                reblanked = self._withheld_copies(meetings, states, summary)
                for copy in reblanked.values():
                    if copy.visible_name:  # items an earlier batch linked to it are re-blanked after the commit
                        gone.setdefault(copy.visible_name, []).extend(copy.withheld)
                for state in states.values():
                    for version, item, position in state.to_write():
                        written += 1
                        document = self.document_for(
                            version, item, position, summary, batch_topics.get(id(item)), reblanked.get(id(version))
                        )
                        leaving.add(item.id)
                        if name := document_name(document):
                            linked.add(name)
                        verdict = existing.verdict(document)
                        if verdict == "skip":
                            summary.items_skipped += 1
                            continue
                        if verdict == "new":
                            writer.add_document(**document)  # nothing to delete: skips a lookup per item
                            summary.items_added += 1
                        else:
                            old = existing.lookup(document["id"])
                            released |= _archive_names(old)
                            if document.get("access") != Access.OPEN.value:
                                add_source(gone, old)
                            if old is not None:
                                changes.append((old, -1))
                            writer.update_document(**document)
                            summary.items_updated += 1
                            rewritten = True
                        changes.append((document, 1))
                        existing.remember(document)
                    for item_id in sorted(state.removed):
                        old = existing.lookup(item_id)
                        if old is None:
                            continue
                        released |= _archive_names(old)
                        add_source(gone, old)
                        leaving.add(item_id)
                        changes.append((old, -1))
                        writer.delete_by_term("id", item_id)
                        summary.items_removed += 1
                        summary.removed_ids.append(item_id)
                        rewritten = True
                    summary.kept_closed += len(state.kept_closed)
                    summary.warnings.extend(state.kept_closed_warnings())
                    summary.closed_by_older += state.closed_by_older
                    summary.tightened += state.tightened()
                    summary.items_lost += state.lost()
                    summary.warnings.extend(state.warnings)
                # Older versions superseded in this batch; items a later version left out are said apart.
                summary.items_skipped += items - written - sum(state.lost() for state in states.values())
                for meeting in meetings:
                    # Open files of versions that did not stand (superseded, kept closed): their text
                    # was cached at extraction and must go unless another item refers to the file.
                    for item in meeting.items:
                        if item.access == Access.OPEN and (id(meeting), item.id) not in published:
                            released |= _file_digests(item)
                # The other open items of a meeting whose document holds pages of items that close or
                # go link to a copy without those pages from this same commit on.
                done, relinked = self._relinked(searcher, gone, leaving, linked)
                for old, new in relinked:
                    writer.update_document(**new)
                    changes += [(old, -1), (new, 1)]
                    rewritten = True
                released |= done
                gone = {name: records for name, records in gone.items() if name not in done}
            writer.commit(mergetype=_purging(merge) if rewritten else None, merge=merge)
        except BaseException:
            writer.cancel()
            raise
        self._routes_after(before, changes)
        released |= self.reblank_documents(gone)
        if released:
            summary.pruned += self.prune(released)
        return summary

    def _withheld_copies(
        self, meetings: list[PublicMeeting], states: dict[str, MeetingState], summary: IngestSummary
    ) -> dict[int, WithheldCopy]:
        """id(version) → the copy of its whole-meeting document its open items link to, for each
        version that reads items open that the index does not publish open (an earlier version
        closed them, or ``minutes forget`` took them down): made from the document as read, with
        those pages blank, and archived before the batch's commit — the document as read is not."""
        kept: dict[int, list[dict[str, Any]]] = {}  # id(version) → where its items published open sit
        open_ids: set[str] = set()
        for state in states.values():
            for version, item, position in state.to_write():
                if item.access == Access.OPEN:
                    kept.setdefault(id(version), []).append(item_source(version, item, position))
                    open_ids.add(item.id)
        copies: dict[int, WithheldCopy] = {}
        for meeting in meetings:
            document = meeting.document
            if id(meeting) not in kept or id(meeting) in copies or document is None:
                continue
            if document.access != Access.OPEN or not (document.file or document.pending):
                continue
            withheld = withheld_in(meeting, open_ids)
            if withheld:
                copies[id(meeting)] = self._withheld_copy(document, kept[id(meeting)], withheld, summary)
        return copies

    def _withheld_copy(
        self, document: Attachment, kept: list[dict[str, Any]], withheld: list[dict[str, Any]], summary: IngestSummary
    ) -> WithheldCopy:
        """Archive the document with the withheld items' pages (and all but the kept items') blank,
        besides its own closed pages: the one copy written, so no file shows the withheld pages."""
        pending = document.pending
        copy: Path | None = None
        if pending is not None:
            visible = copy_name(pending)  # made in memory: the copy showing them is never written
            copy = write_copy(pending, kept, withheld) if visible else None
        else:
            file = Path(document.file or "")
            try:
                visible = self._name_of(file)
            except OSError:
                visible = None  # unreadable: it could not have been archived either
            copy = reblanked_copy(file, kept, withheld) if visible else None
        name = self._archive_copy(copy, summary) if copy is not None else None
        return WithheldCopy(name, visible, withheld)

    # -- route abbreviations, learnt with every commit (``routes.py``) ----------------------

    def _routes_before(self) -> Any:
        """Under the writer's lock, before a commit: the evidence of the generation committed on."""
        generation = self.ix.latest_generation()
        return routes.load(routes.folder_of(self.ix), generation)

    def _routes_after(self, before: Any, changes: list[routes.Change]) -> None:
        """After a commit: the evidence with the commit's items counted in and out, stamped with
        the new generation; recounted from the stored items when there was none to update."""
        try:
            if before is None:
                with self.ix.searcher() as searcher:
                    evidence = routes.recount(searcher)
            else:
                evidence = before
                for fields, sign in changes:
                    evidence.count_stored(fields, sign)
            routes.save(routes.folder_of(self.ix), evidence, self.ix.latest_generation())
        except OSError as exc:  # the commit stands; readers learn nothing until the next write recounts
            log.warning("%s: route abbreviations not saved (%s)", self.root, exc)

    def route_table(self, generation: int | None) -> Any:
        """The learnt route table of a generation (None when none was saved for it)."""
        return routes.learnt(routes.folder_of(self.ix), generation)

    def definition_table(self, generation: int | None) -> Any:
        """The abbreviations a generation's open text defines (None when none were saved for it)."""
        return routes.learnt_definitions(routes.folder_of(self.ix), generation)

    def document_for(
        self,
        meeting: Meeting,
        item: Item,
        position: int,
        summary: IngestSummary,
        topics: list[dict[str, Any]] | None = None,
        withheld: WithheldCopy | None = None,
    ) -> dict[str, Any]:
        """The Whoosh document for one item: the only place closed content is dropped.
        ``topics``: the item's, when classified with its batch (``topics_for_items``); ``withheld``:
        the copy of the meeting's document to link to instead of the document as read."""
        kind = MeetingKind.DAGSORDEN if meeting.draft else meeting.kind
        start = meeting.start
        base: dict[str, Any] = {
            "id": item.id,
            "meeting_id": meeting.id,
            "number": item.number,
            "position": position,
            "committee": meeting.committee or "Ukendt udvalg",
            "municipality": meeting.municipality or "Ukendt kommune",
            "kind": kind.value,
            "year": str(start.year) if start else "",
            "date_precision": meeting.date_precision,
            "case_number": item.case_number or "",
            "case_key": case_key(item.case_number),
        }
        if start is not None:
            base["date"] = start.astimezone(COPENHAGEN).replace(tzinfo=None) if start.tzinfo else start
        item_open = item.access == Access.OPEN and meeting.access == Access.OPEN
        meta = {
            "id": meeting.id,
            "municipality": meeting.municipality,
            "committee": meeting.committee,
            # a year alone stays a year: never a guessed 1 January passing for the meeting's date
            "start": (str(start.year) if meeting.date_precision == "year" else start.isoformat()) if start else None,
            "date_precision": meeting.date_precision,
            "kind": kind.value,
            "location": meeting.location,
            "draft": meeting.draft,
        }
        if not item_open:
            summary.closed_items += 1
            stub = {"id": item.id, "number": item.number, "title": CLOSED_TITLE, "access": "closed", "meeting": meta}
            base.update(title=CLOSED_TITLE, access=Access.CLOSED.value, doc=json.dumps(stub, ensure_ascii=False))
            base["case_number"] = ""
            base["case_key"] = ""
            return self.with_derived_fields(base)

        sections = [s for s in item.sections if s.access == Access.OPEN]
        decisions = [] if meeting.draft else item.decisions
        body_text = "\n\n".join(
            [f"{s.heading}\n{s.text}" for s in sections if s.kind not in (SectionKind.DECISION, SectionKind.HISTORY)]
            + ([] if meeting.draft else beyond_decisions(sections, decisions))
        )
        decision_text = "\n\n".join(d.text for d in decisions if d.text)
        if not decision_text and not meeting.draft:
            decision_text = "\n\n".join(s.text for s in sections if s.kind == SectionKind.DECISION)
        attachments = [a for a in item.attachments if a.access == Access.OPEN]
        summary.attachments += len(attachments)
        public_attachments = []
        attachment_texts = []
        for attachment in attachments:
            archive_name = self._archive(attachment.file, summary) if attachment.file else None
            public_attachments.append(
                {
                    "number": attachment.number,
                    "title": attachment.title,
                    "access": "open",
                    "journal_number": attachment.journal_number,
                    "document_id": attachment.document_id,
                    "source_url": attachment.url,
                    "archive_name": archive_name,
                    "media_type": attachment.media_type,
                    "text_status": attachment.text_status,
                    "has_text": bool(attachment.text),
                }
            )
            if attachment.text:
                attachment_texts.append(f"{attachment.title}\n{attachment.text}")
        if topics is None:
            topics = topics_for(item, meeting.committee)
        doc = {
            "id": item.id,
            "number": item.number,
            "title": item.title,
            "access": "open",
            "case_number": item.case_number,
            "route": item.route,
            "sections": [
                {"heading": s.heading, "text": s.text, "html": s.html, "kind": s.kind.value}
                for s in sections
                if not (meeting.draft and s.kind == SectionKind.DECISION)
            ],
            "decisions": [to_jsonable(d.__dict__) for d in decisions],
            "history": [to_jsonable(d.__dict__) for d in item.history],
            "absentees": item.absentees or meeting.absentees,
            "attachments": public_attachments,
            "source_document": self._source_document(meeting, item, summary, withheld),
            "topics": topics,
            "meeting": meta,
        }
        base.update(
            title=item.title,
            decision=decision_text,
            body=body_text,
            attachments_text="\n\n".join(attachment_texts),
            attachment_titles="\n".join(a.title for a in attachments),
            topic=",".join(t["code"] for t in topics),
            meeting_text=date_in_words(start.astimezone(COPENHAGEN).date() if start else None, meeting.date_precision),
            access=Access.OPEN.value,
            doc=json.dumps(doc, ensure_ascii=False),
        )
        return self.with_derived_fields(base)

    def _held(self, existing: _ExistingDocs, meeting_id: str) -> list[Indexed]:
        """What the versions fold starts from.  In a rebuild, also the items the replaced index
        held closed: access only tightens, so a source that now opens one keeps it closed (as a
        version of rank 0, so it decides nothing else about the meeting)."""
        held = existing.meeting_items(meeting_id)
        ledger = self.closed_before.get(meeting_id)
        if ledger:
            known = {record.id for record in held}
            held += [Indexed(item_id, 0, False) for item_id in ledger if item_id not in known]
        return held

    def with_derived_fields(self, document: dict[str, Any]) -> dict[str, Any]:
        """Add the indexed-only fields, computed from the stored ones.

        Kept in one place so a document rebuilt from stored fields (topics
        rebuild) is indexed exactly like a freshly ingested one.
        """
        if "id" in document:
            document[ID_ORDER] = id_order(document["id"])
        if "meeting_id" in document:
            document[MEETING_ORDER] = id_order(document["meeting_id"])
        document[POSITION_ORDER] = max(0, int(document.get("position") or 0))
        if "date_precision" not in document:  # a document rebuilt from its stored fields
            document["date_precision"] = stored_date_precision(document.get("doc"))
        if document.get("access") != Access.OPEN.value:
            return document
        for name, parts in JOINED_TEXTS.items():
            if name not in ("parts", "title_parts") or self._has_parts_field(name):
                document[name] = "\n".join(document.get(part, "") for part in parts)
        document["committee_text"] = document.get("committee", "")
        if "meeting_text" not in document:  # a document rebuilt from its stored fields
            document["meeting_text"] = _meeting_in_words(document.get("doc"))
        return document

    def _has_parts_field(self, name: str = "parts") -> bool:
        """Whether the schema has this compound-parts field, or another indexed-only field (an
        index built before it was added lacks it until reindexed). Cached: ``ix.schema`` re-reads the table of contents."""
        known = getattr(self, "_parts_field", None)
        if known is None or known[0] is not self.ix:
            known = self._parts_field = (self.ix, frozenset(self.ix.schema.names()))
        return name in known[1]

    def _source_document(
        self, meeting: Meeting, item: Item, summary: IngestSummary, withheld: WithheldCopy | None = None
    ) -> dict[str, Any] | None:
        """Where an item read from a whole-meeting document starts in it. The file is archived only
        when its access is open (a copy with closed pages blanked, see indexer/documents/publish.py);
        with ``withheld``, the copy with the withheld items' pages blank is linked instead, and not
        the source URL (the document there shows those pages)."""
        document = meeting.document
        if document is None:
            return None
        archive_name = None
        source_url = document.url if document.access == Access.OPEN else None
        if withheld is not None:
            archive_name, source_url = withheld.archive_name, None
        elif document.access == Access.OPEN and document.pending is not None:
            archive_name = self._pending_copy(document, summary)
        elif document.access == Access.OPEN and document.file:
            archive_name = self._archive(document.file, summary)
        return {
            "title": document.title,
            "page": item.source_page,
            "last_page": item.source_last_page,  # not shown: which pages to blank when the item closes
            "archive_name": archive_name,
            "source_url": source_url,
            "media_type": document.media_type,
        }

    def _pending_copy(self, document: Attachment, summary: IngestSummary) -> str | None:
        """Write and archive the copy of a document with closed pages (once a version: its archive
        name is kept on it); a document no copy can be made of is not shown (its access closed)."""
        if document.archive_name is None and document.pending is not None:
            copy = write_copy(document.pending)
            document.archive_name = self._archive_copy(copy, summary) if copy is not None else None
            if document.archive_name is None:
                document.access = Access.CLOSED
        return document.archive_name

    def _name_of(self, file: Path) -> str:
        """The archive name ``_archive`` gives this file, without archiving it."""
        return self.archive.name_of(file)

    def _archive_copy(self, copy: Path, summary: IngestSummary) -> str | None:
        """Archive a copy written to the document cache, and delete it there."""
        try:
            return self._archive(str(copy), summary)
        finally:
            copy.unlink(missing_ok=True)

    def _archive(self, file: str, summary: IngestSummary) -> str | None:
        """Copy an open attachment into the archive, named by its content hash."""
        try:
            name, new = self.archive.store(Path(file))
        except OSError as exc:
            summary.warnings.append(f"{file}: attachment not archived ({exc.strerror or exc})")
            return None
        if new:
            summary.attachments_archived += 1
        return name

    def delete(self, fieldname: str, values: Iterable[str]) -> int:
        """Delete every document whose ``fieldname`` is one of ``values``, in one commit."""
        writer = self._writer()
        deleted = 0
        before = self._routes_before()
        changes: list[routes.Change] = []
        try:
            with self.ix.searcher() as searcher:
                for value in values:
                    changes += [(dict(fields), -1) for fields in searcher.documents(**{fieldname: value})]
                    deleted += writer.delete_by_term(fieldname, value)
            # Rewrite the segments that held them, as every other removal does: the text goes from
            # disk, and a refreshed reader (which reuses segments by id) cannot keep showing them.
            writer.commit(mergetype=_purging(False) if deleted else None)
        except BaseException:
            writer.cancel()
            raise
        self._routes_after(before, changes)
        return deleted

    # -- maintenance ---------------------------------------------------------

    def holds(self, some_id: str) -> bool:
        """Whether an item or a meeting of this id is indexed."""
        with self.ix.searcher() as searcher:
            return searcher.document_number(id=some_id) is not None or any(
                True for _ in searcher.document_numbers(meeting_id=some_id)
            )

    def takedowns(self) -> Registry:
        """The take-downs recorded beside this index (``minutes forget``)."""
        return Registry(self.root)

    def remove(self, ids: list[str]) -> dict[str, tuple[str, int]]:
        """Delete items, or every item of meetings, by id — in one commit that rewrites the
        segments that held them — then prune their archived files and cached text.

        Returns id → ("item" | "meeting" | "unknown", items removed)."""
        found: dict[str, tuple[str, int]] = {}
        released: set[str] = set()
        gone: dict[str, list[dict[str, Any]]] = {}  # whole-meeting documents the removed items were read from
        leaving: set[str] = set()  # ids of the items removed
        writer = self._writer()
        before = self._routes_before()
        changes: list[routes.Change] = []
        try:
            with self.ix.searcher() as searcher:
                for wanted in ids:
                    items = list(searcher.documents(id=wanted))
                    kind, field_name = "item", "id"
                    if not items:
                        items = list(searcher.documents(meeting_id=wanted))
                        kind, field_name = "meeting", "meeting_id"
                    for stored in items:
                        released |= _archive_names(stored)
                        add_source(gone, stored)
                        leaving.add(str(stored["id"]))
                        changes.append((dict(stored), -1))
                    if items:
                        writer.delete_by_term(field_name, wanted)
                    found[wanted] = (kind if items else "unknown", len(items))
                # The meeting's other open items link to a copy without the removed items' pages
                # from this same commit on.
                done, relinked = self._relinked(searcher, gone, leaving)
                for old, new in relinked:
                    writer.update_document(**new)
                    changes += [(old, -1), (new, 1)]
            writer.commit(mergetype=_purging(False) if any(n for _, n in found.values()) else None)
        except BaseException:
            writer.cancel()
            raise
        self._routes_after(before, changes)
        released |= done
        if released:
            self.prune(released)
        return found

    def reblank_documents(self, gone: dict[str, list[dict[str, Any]]]) -> set[str]:
        """After items read from an archived whole-meeting document closed, were withdrawn or
        forgotten (``gone``: archive name → where they sit) in a commit that could not relink the
        others itself (``_relinked``): the open items of the meeting that still link to that
        document get a copy with those pages blank too, in a commit of their own.  Returns the
        names to prune."""
        with self.ix.searcher() as searcher:
            _, relinked = self._relinked(searcher, gone)
        if not relinked:
            return set()
        writer = self._writer()
        before = self._routes_before()
        try:
            for _, document in relinked:
                writer.update_document(**document)
            writer.commit(mergetype=_purging(False))
        except BaseException:
            writer.cancel()
            raise
        self._routes_after(before, [*((old, -1) for old, _ in relinked), *((new, 1) for _, new in relinked)])
        return set(gone)

    def _relinked(
        self,
        searcher: Any,
        gone: dict[str, list[dict[str, Any]]],
        leaving: set[str] | None = None,
        linked: set[str] | None = None,
    ) -> tuple[set[str], list[tuple[dict[str, Any], dict[str, Any]]]]:
        """The open items of a meeting still linking to an archived document whose other items
        close, are withdrawn or forgotten (``gone``: archive name → where they sit), as (stored
        fields, document to write): linked to a copy with those pages blank too (archived here, a
        new name), or to none when none can be made (a DOCX, an item's page unknown).  Either way
        the old copy is left to no one.  Also the names dealt with.

        ``leaving``: ids of items the caller's commit writes or deletes (not kept); a name in
        ``linked`` (an item the commit writes links to it) is left out: the items can only be
        read back after that commit (``reblank_documents``)."""
        leaving, linked = leaving or set(), linked or set()
        done: set[str] = set()
        relinked: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for name, records in gone.items():
            if name in linked:
                continue
            done.add(name)
            kept: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for meeting_id in sorted({str(r["meeting_id"]) for r in records}):
                for fields in searcher.documents(meeting_id=meeting_id):
                    found = source_record(fields)
                    if found is not None and found[0] == name and str(fields["id"]) not in leaving:
                        kept.append((dict(fields), found[1]))
            if not kept:
                continue  # the last open item went: the archive is released as it is
            new_name = self._reblanked(name, [r for _, r in kept], records)
            for fields, _ in kept:
                old = dict(fields)
                fields["doc"] = without_document(str(fields["doc"]), name, new_name)
                relinked.append((old, self.with_derived_fields(fields)))
        return done, relinked

    def _reblanked(self, name: str, kept: list[dict[str, Any]], gone: list[dict[str, Any]]) -> str | None:
        """Archive a copy of the archived document ``name`` with the gone items' pages blank; its name,
        or None when none could be made."""
        path = self.archive.local_path(name)
        copy = reblanked_copy(path, kept, gone) if path is not None else None
        if copy is None:
            return None
        try:
            return self.archive.store(copy)[0]
        except OSError as exc:
            log.warning("%s: re-blanked document not archived (%s); the items link to none", self.root, exc)
            return None
        finally:
            copy.unlink(missing_ok=True)

    def referenced_digests(self, among: set[str] | None = None) -> set[str]:
        """Content hashes of the archived files open items refer to (optionally only ``among``)."""
        found: set[str] = set()
        with self.ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                doc = fields.get("doc") or ""
                if '"archive_name": "' not in doc:
                    continue
                names = set(_ARCHIVE_NAME.findall(doc))
                found |= names if among is None else names & among
        return found

    def prune(self, candidates: set[str] | None = None) -> int:
        """Delete archived files and cached text no open item refers to any more.

        ``candidates`` (archive names or content hashes) limits the check to files a
        replaced, removed or closed item held; None checks everything (``reindex``).
        Returns the number of files deleted.
        """
        wanted = None if candidates is None else {c[:64] for c in candidates}
        if wanted is not None and not wanted:
            return 0
        keep = self.referenced_digests(wanted)
        deleted = 0
        for folder, pattern in ((self.archive_dir, "*"), (self.text_cache_dir, ".json")):
            if not folder.is_dir():
                continue
            if wanted is None:
                paths = [p for p in folder.glob("??/*") if p.is_file()]
            else:
                paths = [p for d in wanted for p in folder.glob(f"{d[:2]}/{d}{pattern}") if p.is_file()]
            for path in paths:
                digest = path.name[:64]
                if digest in keep or not re.fullmatch(r"[0-9a-f]{64}", digest):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    deleted += 1
        return deleted

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        """Remember what was ingested (paths and options), for ``reindex``."""
        path = self.root / "sources.json"
        known = self.sources()
        keys = {json.dumps(s, sort_keys=True) for s in known}
        for source in sources:
            if json.dumps(source, sort_keys=True) not in keys:
                known.append(source)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)

    def drop_sources(self, paths: list[str]) -> None:
        """Forget recorded sources (``minutes reindex --drop-source``)."""
        kept = [s for s in self.sources() if s.get("path") not in paths]
        tmp = (self.root / "sources.json").with_suffix(".json.tmp")
        tmp.write_text(json.dumps(kept, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(self.root / "sources.json")

    def sources(self) -> list[dict[str, Any]]:
        try:
            data = json.loads((self.root / "sources.json").read_text("utf-8"))
        except FileNotFoundError:
            return []
        return list(data) if isinstance(data, list) else []

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields of every document (used to re-derive topics without re-ingest)."""
        with self.ix.searcher() as searcher:
            yield from searcher.all_stored_fields()

    def rewrite_documents(
        self, update: Callable[[dict[str, Any]], dict[str, Any] | None], batch_size: int = 2000
    ) -> int:
        """Apply ``update`` to stored documents and write changed ones back in batches."""
        changed = 0
        pending: list[dict[str, Any]] = []
        replaced: list[dict[str, Any]] = []

        def flush() -> None:
            if not pending:
                return
            writer = self._writer()
            before = self._routes_before()
            try:
                for document in pending:
                    writer.update_document(**document)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._routes_after(before, [*((old, -1) for old in replaced), *((new, 1) for new in pending)])
            pending.clear()
            replaced.clear()

        for fields in list(self.iter_stored()):
            new = update(dict(fields))
            if new is not None:
                replaced.append(dict(fields))
                pending.append(new)
                changed += 1
                if len(pending) >= batch_size:
                    flush()
        flush()
        return changed


class _KnownIds:
    """Which item ids the index's segments hold, as sorted 64-bit hashes.

    Asking Whoosh whether an id exists costs a term lookup in every segment (3.7 ms
    an item at 286 segments), so a bulk ingest slowed down as it grew.  A segment
    never changes once written: its ids are read once, and an id whose hash is in
    no segment is new for certain; only a present hash (an indexed item, or a rare
    collision) is looked up in Whoosh.  Eight bytes an item.
    """

    def __init__(self, field: str = "id") -> None:
        self.field = field
        self._segments: dict[str, np.ndarray] = {}

    def of(self, reader: Any) -> np.ndarray:
        current: dict[str, np.ndarray] = {}
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment() is None:  # an empty index: nothing to know
                continue
            segment = leaf.segment().segment_id()
            hashes = self._segments.get(segment)
            if hashes is None:
                hashes = np.fromiter((hash(term) for term in leaf.lexicon(self.field)), np.int64)
            current[segment] = hashes
        self._segments = current  # merged-away segments are forgotten
        return np.sort(np.concatenate(list(current.values()))) if current else np.zeros(0, np.int64)


class _ExistingDocs:
    """What is indexed already, to skip unchanged items and keep referat over dagsorden."""

    def __init__(
        self, searcher: Any, known_hashes: np.ndarray | None = None, known_meetings: np.ndarray | None = None
    ) -> None:
        self.searcher = searcher
        self.known_hashes = known_hashes
        self.known_meetings = known_meetings
        self.batch: dict[str, dict[str, Any]] = {}

    def _maybe_indexed(self, doc_id: str, hashes: np.ndarray | None = None) -> bool:
        hashes = self.known_hashes if hashes is None else hashes
        if hashes is None:
            return True
        wanted = hash(doc_id.encode("utf-8"))
        position = int(np.searchsorted(hashes, wanted))
        return position < len(hashes) and int(hashes[position]) == wanted

    def meeting_items(self, meeting_id: str) -> list[Indexed]:
        """The items the index holds of a meeting: id, rank of the version, open or stub."""
        if self.known_meetings is not None and not self._maybe_indexed(meeting_id, self.known_meetings):
            return []
        found = []
        for fields in self.searcher.documents(meeting_id=meeting_id):
            try:
                rank = KIND_RANK.get(MeetingKind(fields.get("kind", "dagsorden")), 0)
            except ValueError:
                rank = 0
            found.append(Indexed(fields["id"], rank, fields.get("access") == Access.OPEN.value))
        return found

    def lookup(self, doc_id: str) -> dict[str, Any] | None:
        if doc_id in self.batch:
            return self.batch[doc_id]
        if not self._maybe_indexed(doc_id):
            return None
        number = self.searcher.document_number(id=doc_id)
        if number is None:
            return None
        return dict(self.searcher.stored_fields(number))

    def verdict(self, document: dict[str, Any]) -> str:
        old = self.lookup(document["id"])
        if old is None:
            return "new"
        old_rank = KIND_RANK.get(MeetingKind(old.get("kind", "dagsorden")), 0)
        new_rank = KIND_RANK.get(MeetingKind(document["kind"]), 0)
        if new_rank < old_rank:
            return "skip"  # a dagsorden never replaces the referat of the same meeting
        if old.get("doc") == document.get("doc") and old.get("topic", "") == document.get("topic", ""):
            return "skip"
        return "update"

    def remember(self, document: dict[str, Any]) -> None:
        self.batch[document["id"]] = {
            "kind": document["kind"],
            "doc": document.get("doc"),
            "topic": document.get("topic", ""),
            # what the route evidence counts out when the same item is written again in this batch
            "access": document.get("access"),
            "municipality": document.get("municipality"),
            "committee": document.get("committee"),
        }


def stored_date_precision(doc: str | None) -> str:
    """The meeting's date precision as a stored document keeps it ("day" unless "year")."""
    meeting = json.loads(doc or "{}").get("meeting") or {}
    return "year" if meeting.get("date_precision") == "year" else "day"


def _meeting_in_words(doc: str | None) -> str:
    """The meeting's date in words (``dates.date_in_words``) as a stored document keeps it: its
    start, or its year alone when only that is known."""
    meeting = json.loads(doc or "{}").get("meeting") or {}
    start, precision = str(meeting.get("start") or ""), meeting.get("date_precision") or "day"
    if precision == "year":
        return start[:4] if start[:4].isdigit() else ""
    found = parse_danish_datetime(start) if start else None
    return date_in_words(found.date() if found else None)


def beyond_decisions(sections: Iterable[Any], decisions: Iterable[Any]) -> list[str]:
    """The text of the item's Beslutning sections that none of its decisions holds.

    A source may put the whole case under its decision heading while its decision record holds
    only the first line ("Sagens behandling udsat." above the proposal it postponed): that text
    is shown on the item's page, so it is searchable too, as body text. What the decisions hold
    is not indexed twice (it is the decision field already)."""
    decided = [" ".join(d.text.split()) for d in decisions if d.text]
    if not decided:
        return []  # then the sections are the decision text themselves
    out = []
    for section in sections:
        if section.kind != SectionKind.DECISION:
            continue
        rest = " ".join(section.text.split())
        for text in decided:
            rest = rest.replace(text, " ")
        rest = " ".join(rest.split())
        if _WORDS.search(rest):
            out.append(rest)
    return out


_WORDS = re.compile(r"[^\W\d_]{2,}.*[^\W\d_]{2,}", re.DOTALL)  # two words at least, not a lone "Ad 1:"
_ARCHIVE_NAME = re.compile(r'"archive_name": "([0-9a-f]{64})')


def _archive_names(stored: dict[str, Any] | None) -> set[str]:
    """Archive names an indexed version of an item refers to: its attachments', and the
    whole-meeting document's it was read from (released with the meeting's last open item)."""
    if not stored or stored.get("access") != Access.OPEN.value:
        return set()
    try:
        doc = json.loads(stored.get("doc") or "{}")
    except ValueError:
        return set()
    archived = [*doc.get("attachments", []), doc.get("source_document") or {}]
    return {str(a["archive_name"]) for a in archived if a.get("archive_name")}


def _file_digests(item: Item) -> set[str]:
    """Content hashes of an item's attachment files (text-cache keys), when readable."""
    digests = set()
    for attachment in item.attachments:
        if attachment.file:
            with contextlib.suppress(OSError):
                digests.add(file_hash(Path(attachment.file)))
    return digests


def _purging(merge: bool) -> Callable[[Any, list[Any]], list[Any]]:
    """A Whoosh merge policy that rewrites every segment holding deleted documents.

    Deleting (or replacing) a document in Whoosh only marks it in its segment; the
    postings, stored fields and vocabulary stay in the files until that segment is
    merged.  Folding those segments into the commit's new segment drops them.  The
    other segments follow the usual policy (``merge``: Whoosh's small-segment merge).
    """
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL, NO_MERGE

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        keep = []
        for segment in segments:
            if segment.has_deletions():
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            else:
                keep.append(segment)
        return list((MERGE_SMALL if merge else NO_MERGE)(writer, keep))

    return policy


def _merging_run(factor: int) -> Callable[[Any, list[Any]], list[Any]]:
    """A Whoosh merge policy that merges the first run of neighbouring segments the tiered
    plan names into the commit's segment, which then takes the run's place in the list."""
    from whoosh.reading import SegmentReader

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        plan = plan_merges([s.doc_count() for s in segments], factor)
        if not plan:
            return list(segments)
        first, last = plan[0]
        for segment in segments[first : last + 1]:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        writer.place_new_segment_at(first)
        return segments[:first] + segments[last + 1 :]

    return policy


def _warm_analysis() -> None:
    """Load the lemma dictionary and check the fast term path once, before writers fork."""
    for kind in fastterms.KINDS:
        if fastterms.supported(kind):
            fastterms.term_positions(fastterms.SELF_CHECK_TEXT, kind)


def _swap_live(root: Path, generation: Path) -> None:
    """Point ``current`` at ``generation`` atomically (rename of a symlink)."""
    tmp = root / f".current.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(generation.name)
    os.replace(tmp, root / "current")


def _closed_stubs(root: Path) -> dict[str, list[dict[str, Any]]]:
    """The closed items of the live index (stubs: metadata only), by meeting: the record of what
    was closed, which a rebuild keeps.  Empty when the index cannot be read (a damaged one)."""
    if not MinutesIndex.exists(root):
        return {}
    live = MinutesIndex.open(root, require_current_format=False)
    if live.ix is None:
        return {}
    held: dict[str, list[dict[str, Any]]] = {}
    with live.ix.searcher() as searcher:
        for fields in searcher.documents(access=Access.CLOSED.value):
            held.setdefault(str(fields.get("meeting_id", "")), []).append(dict(fields))
    return held


def _keep_closed(fresh: MinutesIndex, stubs: dict[str, list[dict[str, Any]]]) -> int:
    """Write into ``fresh`` the closed stubs of meetings it holds nothing of (their source no longer
    has them): a later ingest of such a meeting then still finds its items closed."""
    with fresh.ix.searcher() as searcher:
        names = set(searcher.schema.names())
        kept = [
            {k: v for k, v in fresh.with_derived_fields(dict(stub)).items() if k in names}
            for meeting_id, closed in stubs.items()
            if searcher.document_number(meeting_id=meeting_id) is None
            for stub in closed
            if searcher.document_number(id=stub["id"]) is None
        ]
    if not kept:
        return 0
    writer = fresh._writer()
    try:
        for stub in kept:
            writer.add_document(**stub)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return len(kept)


def rebuild(root: Path, build: Callable[[MinutesIndex], IngestSummary]) -> IngestSummary:
    """Build a fresh generation with ``build``, then swap it in; the old one stays live until then.

    Access only tightens across it: the fold sees the items the live index holds closed, and the
    closed stubs of meetings the build did not read are carried over."""
    root = Path(root)
    live = MinutesIndex.live_dir(root)
    old_target = os.readlink(live) if live.is_symlink() else None
    stubs = _closed_stubs(root)
    generation = MinutesIndex._new_generation(root)
    fresh = MinutesIndex(root, _open_whoosh(generation))
    fresh.closed_before = {meeting_id: [s["id"] for s in closed] for meeting_id, closed in stubs.items()}
    try:
        summary = build(fresh)
        kept = _keep_closed(fresh, stubs)
        if isinstance(summary, IngestSummary):
            summary.kept_closed += kept
        raise_if_stopped()  # a Ctrl-C a finaliser swallowed still stops it here, before the swap
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _swap_live(root, generation)
    if old_target and old_target != generation.name:
        # Readers that still hold the old generation keep their open files (POSIX).
        shutil.rmtree(root / old_target, ignore_errors=True)
    return summary
