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
from indexer.engines.postgres.engine import Database
from indexer.engines.whoosh.index import IngestSummary, MinutesIndex
from indexer.model import Item, Meeting
from indexer.public import ensure_public


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

    @property
    def text_cache_dir(self) -> Path:
        return text_cache_root()

    def _source_document(self, meeting: Meeting, item: Item, summary: IngestSummary) -> dict[str, Any] | None:
        return MinutesIndex._source_document(self, meeting, item, summary)  # type: ignore[arg-type]

    def _has_parts_field(self) -> bool:
        return True

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
    def ingest_lock(self, wait_s: float = 0) -> Iterator[None]:
        # Each batch takes the database's advisory lock inside its transaction.
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
        summary = IngestSummary()
        self._files = {}
        documents: list[dict[str, Any]] = []
        for meeting in meetings:
            summary.meetings += 1
            summary.warnings.extend(meeting.warnings)
            for position, item in enumerate(meeting.items):
                documents.append(MinutesIndex.document_for(self, meeting, item, position, summary))  # type: ignore[arg-type]
        written = self.engine.write(documents, self._files)
        summary.items_added += written.added
        summary.items_updated += written.updated
        summary.items_skipped += written.skipped
        summary.attachments_archived += written.archived
        self._files = {}
        return summary

    def merge_segments(self) -> None:
        self.engine.vacuum()

    def record_sources(self, sources: list[dict[str, Any]]) -> None:
        self.engine.record_sources(sources)

    def sources(self) -> list[dict[str, Any]]:
        return self.engine.sources()
