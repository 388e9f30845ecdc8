"""A whole-meeting document (a PDF the items were read from) leaves every folder the service
writes with the last open item that refers to it.

Two copies of it are written on ingest: the published copy (closed pages blanked) in the
document cache, ``$MINUTES_DOCUMENT_CACHE``, and that copy in the index's archive, where the
items' "the whole document, page N" links point.  The cache copy is only the hand-over to the
index: it is gone once the batch is committed.  The archived one is released like an attachment
when the items close or are forgotten — kept while an open item of the meeting still refers to it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.documents.publish import CACHE_ENV
from indexer.engines.whoosh.index import MinutesIndex
from tests.documents.conftest import AARHUS_PDF, BALLERUP_PDF
from tests.helpers import quiet_ingest


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def stored(root: Path) -> list[dict[str, object]]:
    with MinutesIndex.open(root).ix.searcher() as searcher:
        return [dict(f) for f in searcher.all_stored_fields()]


def source_document_names(root: Path) -> set[str]:
    """The archive names the open items' "whole document" links point at."""
    names = set()
    for fields in stored(root):
        doc = json.loads(str(fields["doc"]))
        if (doc.get("source_document") or {}).get("archive_name"):
            names.add(doc["source_document"]["archive_name"])
    return names


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "doccache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def test_forgetting_the_meeting_deletes_its_archived_document(tmp_path: Path, cache: Path) -> None:
    """Before: ``minutes forget`` said "removed from index, archive and text cache", and the
    archived PDF of the whole meeting — every open item's text, page by page — stayed."""
    source = shutil.copy(BALLERUP_PDF, tmp_path / BALLERUP_PDF.name)
    root = tmp_path / "ix"
    quiet_ingest([Path(source)], root)
    [name] = source_document_names(root)
    archived = root / "archive" / name[:2] / name
    assert archived.is_file()
    first, *others = sorted(stored(root), key=lambda f: str(f["number"]))
    assert others, "the sample has several items"

    assert main(["forget", str(first["id"]), "--reason", "test", "--index", str(root)]) == 0
    assert archived.is_file(), "the other items are open and still link to the document"

    assert main(["forget", str(first["meeting_id"]), "--reason", "test", "--index", str(root)]) == 0
    assert files(root / "archive") == []


def test_the_published_copy_is_not_kept_after_its_batch(tmp_path: Path, cache: Path) -> None:
    """The Aarhus document has a closed item: what is published is a copy with its pages blank.
    Before, that copy stayed in the document cache for good — through the item's closure,
    ``minutes forget`` and ``reindex`` — and so did a copy of every earlier version."""
    old_version = cache / ("0123456789abcdef" * 2 + ".pdf")  # as earlier versions named (and kept) them
    cache.mkdir()
    old_version.write_bytes(b"%PDF-1.4 an earlier version's open pages")
    source = shutil.copy(AARHUS_PDF, tmp_path / "aarhus.pdf")
    root = tmp_path / "ix"
    summary = quiet_ingest([Path(source)], root)
    assert summary.closed_items >= 1
    assert files(cache) == [], "the copy is archived; the cache holds nothing after the commit"
    [name] = source_document_names(root)
    assert (root / "archive" / name[:2] / name).is_file()

    [meeting_id] = {str(f["meeting_id"]) for f in stored(root)}
    assert main(["forget", meeting_id, "--reason", "test", "--index", str(root)]) == 0
    assert files(root / "archive") == [] and files(cache) == []
