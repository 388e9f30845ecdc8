"""Ingest into PostgreSQL: meetings → public documents → one transaction per batch.

The public documents are made by the same code as for the embedded engine (the
closed-content boundary: a closed item becomes a stub, closed sections and
attachments never reach a field, the stored document or the archive); only where
they go differs.  Open attachment files go into the ``attachments`` table, so every
web server on every host reaches the same archive through the database.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from indexer.attachments import file_hash
from indexer.engines.archive import FolderArchive
from indexer.engines.postgres.engine import Database
from indexer.engines.whoosh.index import IngestSummary, MinutesIndex, WithheldCopy, _file_digests, topics_for_items
from indexer.model import Access, Attachment, Item, Meeting
from indexer.public import ensure_public
from indexer.versions import Indexed, MeetingState


def text_cache_root() -> Path:
    """Where extracted attachment text is cached on this host (open attachments only)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "minutes-search" / "textcache"


class PostgresIndex:
    """What ``minutes ingest`` writes to when ``--index`` is a ``postgresql://`` URL."""

    # The public projection is shared with the embedded engine, word for word.
    with_derived_fields = MinutesIndex.with_derived_fields

    def __init__(self, engine: Database) -> None:
        self.engine = engine
        self.root = text_cache_root().parent
        self._files: dict[str, tuple[Path, str | None]] = {}
        self._copies: list[Path] = []  # copies written to the document cache for the batch

    @property
    def text_cache_dir(self) -> Path:
        return text_cache_root()

    def _source_document(
        self, meeting: Meeting, item: Item, summary: IngestSummary, withheld: WithheldCopy | None = None
    ) -> dict[str, Any] | None:
        return MinutesIndex._source_document(self, meeting, item, summary, withheld)  # type: ignore[arg-type]

    def _has_parts_field(self, name: str = "parts") -> bool:
        return True

    @classmethod
    def derived(cls, fields: dict[str, Any]) -> dict[str, Any]:
        """A document rebuilt from its stored fields, with the indexed-only fields an ingest adds
        (``with_derived_fields`` reads nothing of an instance but the fields it has: all of them)."""
        return cls.with_derived_fields(cls.__new__(cls), fields)  # type: ignore[arg-type]

    def _pending_copy(self, document: Attachment, summary: IngestSummary) -> str | None:
        return MinutesIndex._pending_copy(self, document, summary)  # type: ignore[arg-type]

    def _withheld_copies(
        self, meetings: list[Any], states: dict[str, MeetingState], summary: IngestSummary
    ) -> dict[int, WithheldCopy]:
        return MinutesIndex._withheld_copies(self, meetings, states, summary)  # type: ignore[arg-type]

    def _withheld_copy(
        self, document: Attachment, kept: list[dict[str, Any]], withheld: list[dict[str, Any]], summary: IngestSummary
    ) -> WithheldCopy:
        return MinutesIndex._withheld_copy(self, document, kept, withheld, summary)  # type: ignore[arg-type]

    def _name_of(self, file: Path) -> str:
        return FolderArchive.name_of(file)  # the name ``_archive`` gives it

    def _archive_copy(self, copy: Path, summary: IngestSummary) -> str | None:
        """Name a copy written to the document cache; it is read in the batch's transaction and
        deleted once that is over (``_commit_batch``)."""
        self._copies.append(copy)
        return self._archive(str(copy), summary)

    def _archive(self, file: str, summary: IngestSummary) -> str | None:
        """Name an open attachment by its content hash; the bytes go in with the batch."""
        source = Path(file)
        try:
            digest = file_hash(source)
        except OSError as exc:
            summary.warnings.append(f"{source}: attachment not archived ({exc.strerror or exc})")
            return None
        suffix = source.suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
            suffix = ""
        name = f"{digest}{suffix}"
        self._files[name] = (source, None)
        return name

    @contextlib.contextmanager
    def ingest_lock(self, wait_s: float | None = None) -> Iterator[None]:
        """One ingest, harvest, forget or reindex per database at a time, as the embedded
        engine's: the next one waits up to ``wait_s`` (``engine.WRITER_WAIT_S``), then fails
        clearly (``Database.run_lock``).  Each batch still takes the writers' transaction lock,
        which also keeps a write outside any run (``Engine.write``) out of a batch's way."""
        with self.engine.run_lock(wait_s):
            yield

    def add_meetings(
        self,
        meetings: Iterable[Meeting],
        batch_size: int = 1000,
        progress: Callable[[int], None] | None = None,
        merge: bool = True,
    ) -> IngestSummary:
        summary = IngestSummary()
        batch: list[Meeting] = []
        batch_items = 0
        for meeting in meetings:
            batch.append(ensure_public(meeting))  # the closed-content boundary, if not passed yet
            batch_items += len(meeting.items)
            if batch_items >= batch_size:
                summary.merge(self._commit_batch(batch))
                if progress:
                    progress(batch_items)
                batch, batch_items = [], 0
        if batch:
            summary.merge(self._commit_batch(batch))
            if progress:
                progress(batch_items)
        return summary

    def _commit_batch(self, meetings: list[Meeting]) -> IngestSummary:
        """Fold the batch's versions of each meeting into what the database holds (the same rules
        as the embedded engine, ``indexer.versions``), then write and remove in one transaction."""
        summary = IngestSummary()
        self._files = {}
        allow_reopen = bool(getattr(self, "allow_reopen", False))

        def plan(held: Callable[[list[str]], dict[str, list[Indexed]]]) -> tuple[list[dict[str, Any]], list[str]]:
            indexed = held(sorted({m.id for m in meetings}))
            states: dict[str, MeetingState] = {}
            for meeting in meetings:
                summary.meetings += 1
                summary.warnings.extend(meeting.warnings)
                state = states.get(meeting.id)
                if state is None:
                    state = states[meeting.id] = MeetingState.from_index(meeting.id, indexed.get(meeting.id, []))
                state.apply(meeting, allow_reopen=allow_reopen)  # type: ignore[arg-type]
            documents: list[dict[str, Any]] = []
            removed: list[str] = []
            # The batch's topics at once, as the embedded engine classifies them (the same topics).
            batch_topics = topics_for_items([(v, i) for state in states.values() for v, i, _ in state.to_write()])
            published: set[tuple[int, str]] = set()
            # Versions that read items open the database does not publish open: their items link to
            # a copy with those pages blank too; the document as read is neither written nor archived.
            reblanked = self._withheld_copies(meetings, states, summary)
            for copy in reblanked.values():
                if copy.visible_name:  # items an earlier batch linked to it are re-blanked in the transaction
                    withheld.setdefault(copy.visible_name, []).extend(copy.withheld)
            for state in states.values():
                for version, item, position in state.to_write():
                    published.add((id(version), item.id))
                    found = batch_topics.get(id(item))
                    linked = reblanked.get(id(version))
                    document = MinutesIndex.document_for(self, version, item, position, summary, found, linked)  # type: ignore[arg-type]
                    documents.append(document)
                removed.extend(sorted(state.removed))
                summary.kept_closed += len(state.kept_closed)
                summary.warnings.extend(state.kept_closed_warnings())
                summary.closed_by_older += state.closed_by_older
                summary.tightened += state.tightened()
                summary.items_lost += state.lost()
                summary.warnings.extend(state.warnings)
            lost = sum(state.lost() for state in states.values())  # said apart from the skipped
            summary.items_skipped += sum(len(m.items) for m in meetings) - len(documents) - lost
            for meeting in meetings:
                # Open files of versions that did not stand (superseded, kept closed): their text
                # was cached at extraction and goes unless another item refers to the file.
                for item in meeting.items:
                    if item.access == Access.OPEN and (id(meeting), item.id) not in published:
                        unpublished.update(_file_digests(item))
            return documents, removed

        unpublished: set[str] = set()
        withheld: dict[str, list[dict[str, Any]]] = {}  # filled in by plan
        try:
            written = self.engine.write([], self._files, plan=plan, withheld=withheld)
        finally:
            for copy in self._copies:
                copy.unlink(missing_ok=True)
            self._copies = []
        summary.pruned += self.drop_cached_text({*written.pruned, *self.engine.unreferenced(unpublished)})
        summary.items_added += written.added
        summary.items_updated += written.updated
        summary.items_skipped += written.skipped
        summary.items_removed += written.removed
        summary.attachments_archived += written.archived
        self._files = {}
        return summary

    def drop_cached_text(self, names: set[str]) -> int:
        """Delete this host's cached text of files no item refers to any more (archive names or
        content hashes): what was withdrawn or closed leaves the text cache as well."""
        return drop_cached_text(names)

    def forget(self, ids: list[str]) -> dict[str, tuple[str, int]]:
        """``minutes forget`` on the database: rows, postings, archived files and cached text."""
        found, pruned = self.engine.forget(ids)
        self.drop_cached_text(set(pruned))
        return found

    def takedowns(self) -> Any:
        return self.engine.takedowns()

    def holds(self, item_id: str) -> bool:
        return self.engine.holds(item_id)

    def merge_segments(self) -> None:
        self.engine.vacuum()

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        self.engine.record_sources(sources)

    def sources(self) -> list[dict[str, Any]]:
        return self.engine.sources()


def drop_cached_text(names: Iterable[str]) -> int:
    """Delete this host's cached text of these files (archive names or content hashes)."""
    deleted = 0
    for name in names:
        digest = name[:64]
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            continue
        with contextlib.suppress(FileNotFoundError):
            (text_cache_root() / digest[:2] / f"{digest}.json").unlink()
            deleted += 1
    return deleted
