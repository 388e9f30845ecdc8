"""Zip archives: never read, but named.

An export often arrives zipped; a zip that no meeting names as its attachment is
rejected with the one thing to do (unpack it), not skipped in silence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from indexer.formats import FormatError, IngestContext
from indexer.model import Meeting

NAME = "archive"
FORCEABLE = False  # not a choice of --format: it reads nothing


def detect(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def parse(path: Path, context: IngestContext) -> Iterator[Meeting]:
    raise FormatError(path, "zip archive: unpack it first, then ingest the folder")
    yield  # a generator, like the other formats' parse
