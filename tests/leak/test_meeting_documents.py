"""A whole-meeting document (a PDF the items were read from) leaves every folder the service
writes with the last open item that refers to it.

Two copies of it are written on ingest: the published copy (closed pages blanked) in the
document cache, ``$MINUTES_DOCUMENT_CACHE``, and that copy in the index's archive, where the
items' "the whole document, page N" links point.  The cache copy is only the hand-over to the
index: it is gone once the batch is committed.  The archived one is released like an attachment
when the items close or are forgotten — kept while an open item of the meeting still refers to it.
And while it is kept, it holds no page of an item that closed or was forgotten: the open items are
given a copy with those pages blank too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.documents.publish import CACHE_ENV
from indexer.documents.read import read_meeting
from indexer.engines.whoosh.index import MinutesIndex
from indexer.formats import IngestContext
from indexer.model import Access
from tests.contract.engines import ENGINES, EngineFactory, whoosh_location
from tests.documents.conftest import AARHUS_PDF, BALLERUP_PDF
from tests.helpers import Opened, quiet_ingest, write_jsonl


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
    [kept] = source_document_names(root)
    assert (root / "archive" / kept[:2] / kept).is_file(), "the other items are open and still link to a copy"
    assert files(root / "archive") == [root / "archive" / kept[:2] / kept], "the copy with the item's pages is gone"

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


# A run that writes a published copy of the Aarhus document (its first page blank) and is then
# killed before its commit (or, "live", waits while another run ingests).
_COPYING_RUN = """
import os, signal, sys
from pathlib import Path
import pypdf
from indexer.documents.publish import publishable_copy
source = Path(sys.argv[1])
copy = publishable_copy(source, {1}, len(pypdf.PdfReader(str(source)).pages))
print(copy, flush=True)
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
sys.stdin.read()
"""


def _copying_run(how: str) -> subprocess.Popen[str]:
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-c", _COPYING_RUN, str(AARHUS_PDF), how]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=repo)


def test_a_copy_left_by_a_killed_run_is_swept_at_the_next_ingest_and_a_running_ones_is_not(
    tmp_path: Path, cache: Path
) -> None:
    """Before: a run killed between parsing and its commit left its ``published-*.pdf`` (the open
    pages of the document as they stood) in the cache for good; only older names were swept."""
    killed = _copying_run("killed")
    left = Path(killed.communicate()[0].strip())
    assert killed.returncode == -signal.SIGKILL
    assert left.parent == cache and left.is_file() and left.name.startswith("published-")
    running = _copying_run("live")
    try:
        assert running.stdout is not None
        writing = Path(running.stdout.readline().strip())
        assert writing.parent == cache and writing.is_file()
        quiet_ingest([Path(shutil.copy(BALLERUP_PDF, tmp_path / BALLERUP_PDF.name))], tmp_path / "ix")
        assert not left.exists(), "the killed run's copy is swept"
        assert writing.is_file(), "the running process's copy is left to it"
    finally:
        running.communicate("")
    assert running.returncode == 0
    quiet_ingest([Path(shutil.copy(BALLERUP_PDF, tmp_path / "again.pdf"))], tmp_path / "ix")
    assert not writing.exists(), "its process has ended without deleting it: swept"
    assert files(cache) == []


def test_parsing_workers_write_no_copy_the_ingest_writes_it_with_every_blank_page(tmp_path: Path, cache: Path) -> None:
    """Parsing (in workers) writes nothing to the document cache: it cannot know which items the
    index withholds, and a copy written then would show their pages.  The meetings carry what the
    copy is made from; the ingest writes it, archives it and deletes it."""
    from indexer.cli import parse_inputs
    from indexer.formats import detect_format

    paths = [Path(shutil.copy(AARHUS_PDF, tmp_path / f"aarhus-{n}.pdf")) for n in range(4)]
    inputs = [(path, detect_format(path), IngestContext(municipality="Aarhus")) for path in paths]
    meetings = [m for _, parsed, _ in parse_inputs(inputs, None, workers=2) for m in parsed]
    documents = [m.document for m in meetings if m.document is not None]
    assert len(documents) == 4 and all(d.file is None and d.pending is not None for d in documents)
    assert sorted(str(d.pending.source) for d in documents if d.pending) == sorted(map(str, paths))
    assert files(cache) == [], "no copy written while parsing"

    root = tmp_path / "ix"
    quiet_ingest(paths[:1], root)
    assert files(cache) == []
    [name] = source_document_names(root)
    assert (root / "archive" / name[:2] / name).is_file()


# Item 6 of the Aarhus council's meeting of 27 August 2025 (pages 11-13; item 7 starts on page 14).
SHARED_ITEM, ITS_PAGES, NEXT_PAGE = "6", range(11, 14), 14


def pdf_pages(data: bytes) -> list[str]:
    import io

    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def words(text: str) -> set[str]:
    return {w for w in text.replace("-", " ").split() if len(w) >= 6 and w.isalpha()}


def words_only_on(pages: list[str], numbers: range) -> set[str]:
    """Words of these pages (1-based) no other page of the document has."""
    inside = set().union(*(words(pages[n - 1]) for n in numbers))
    outside = set().union(*(words(p) for n, p in enumerate(pages, start=1) if n not in numbers))
    return inside - outside


def served_documents(opened: Opened, location: str) -> dict[str, bytes]:
    """item id → the whole-meeting document served beside it (its "dokument" route)."""
    service = opened.service(location)
    served = {}
    for item in service.engine.meeting_items(meeting_of(service)):
        found = service.source_document(item.id) if item.is_open else None
        if found is None:
            continue
        data = found.path.read_bytes() if found.path else found.stream.read() if found.stream else b""
        if found.stream:
            found.stream.close()
        if data:
            served[item.id] = data
    return served


def meeting_of(service: object) -> str:
    from indexer.search.service import SearchRequest

    [hit, *_] = service.search(SearchRequest(q="klimaregnskab")).results  # type: ignore[attr-defined]
    return str(hit.meeting_id) if hasattr(hit, "meeting_id") else str(hit["meeting_id"])


def archive_names(opened: Opened, location: str) -> set[str]:
    service = opened.service(location)
    return {
        str(item.doc["source_document"]["archive_name"])
        for item in service.engine.meeting_items(meeting_of(service))
        if item.is_open and (item.doc.get("source_document") or {}).get("archive_name")
    }


@pytest.fixture()
def opened() -> Iterator[Opened]:
    things = Opened()
    yield things
    things.close()


@pytest.fixture(params=ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path, cache: Path) -> str:
    factory: EngineFactory = request.param
    return factory(tmp_path)


def ingest_aarhus(tmp_path: Path, location: str, opened: Opened) -> tuple[str, list[str], bytes]:
    """The meeting indexed: (id of item 6, words only its pages have, the document served before)."""
    source = Path(shutil.copy(AARHUS_PDF, tmp_path / "aarhus.pdf"))
    quiet_ingest([source], location)
    service = opened.service(location)
    items = {i.number: i for i in service.engine.meeting_items(meeting_of(service))}
    before = served_documents(opened, location)[items[SHARED_ITEM].id]
    secret = sorted(words_only_on(pdf_pages(before), ITS_PAGES))
    assert len(secret) > 20 and "diskrimination" in secret, "item 6's pages are served before"
    return items[SHARED_ITEM].id, secret, before


def assert_pages_gone(opened: Opened, location: str, item_id: str, secret: list[str], before: bytes) -> None:
    served = served_documents(opened, location)
    assert item_id not in served and len(served) == 19, "the 19 other open items link to a document"
    for data in served.values():
        pages = pdf_pages(data)
        assert words("\n".join(pages)) & set(secret) == set(), "no word of the closed item's pages is served"
        assert len(pages) == len(pdf_pages(before)), "page numbers still match the items' #page=N links"
        assert "klimaregnskab" in pages[NEXT_PAGE - 1], "the next item's first page is still shown"


def test_forgetting_an_item_blanks_its_pages_in_the_document_the_others_link_to(
    tmp_path: Path, location: str, opened: Opened
) -> None:
    """Before: ``minutes forget`` of one item of a meeting read from one PDF left the PDF archived
    as it was — the forgotten item's pages readable — and served it beside every other item of the
    meeting.  Now the other items link to a copy with that item's pages blank (and the front page
    and table of contents, which name it); the old copy is deleted."""
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    [old] = archive_names(opened, location)

    assert main(["forget", item_id, "--reason", "test", "--index", location]) == 0

    assert_pages_gone(opened, location, item_id, secret, before)
    [new] = archive_names(opened, location)
    assert new != old
    assert opened.service(location).engine.archive.open(old) is None, "the old copy is deleted"

    quiet_ingest([tmp_path / "aarhus.pdf"], location)  # the same PDF again (a harvest's next run)
    assert_pages_gone(opened, location, item_id, secret, before)
    assert archive_names(opened, location) == {new}, "the same copy: the items are unchanged"


def test_an_item_closed_by_a_later_version_is_blanked_in_the_document_the_others_link_to(
    tmp_path: Path, location: str, opened: Opened
) -> None:
    """The same when the item turns closed through another version of the meeting (a portal
    closing it, a corrected referat): the items that stay open link to a copy without its pages.
    And a version that shows the item open again (the first PDF, re-ingested) does not bring its
    pages back: the item stays closed, so its pages stay blank."""
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    [old] = archive_names(opened, location)
    source = tmp_path / "aarhus.pdf"
    meeting = read_meeting(source, IngestContext())
    [closed] = [i for i in meeting.items if i.id == item_id]
    closed.access, closed.sections, closed.decisions = Access.CLOSED, [], []
    # A partial version (as a portal's item feed): it lists item 6, closed, and leaves the rest as they are.
    update = dataclasses.replace(meeting, items=[closed], partial=True, document=None)
    quiet_ingest([write_jsonl(tmp_path / "closing.jsonl", [update])], location)

    assert_pages_gone(opened, location, item_id, secret, before)
    assert opened.service(location).engine.archive.open(old) is None, "the old copy is deleted"

    quiet_ingest([source], location)  # item 6 open in it: kept closed (access only tightens)
    assert_pages_gone(opened, location, item_id, secret, before)


def forget_item(tmp_path: Path, location: str, item_id: str) -> None:
    assert main(["forget", item_id, "--reason", "test", "--index", location]) == 0


def close_by_a_later_version(tmp_path: Path, location: str, item_id: str) -> None:
    meeting = read_meeting(tmp_path / "aarhus.pdf", IngestContext())
    [closed] = [i for i in meeting.items if i.id == item_id]
    closed.access, closed.sections, closed.decisions = Access.CLOSED, [], []
    update = dataclasses.replace(meeting, items=[closed], partial=True, document=None)
    quiet_ingest([write_jsonl(tmp_path / "closing.jsonl", [update])], location)


class WithheldPagesWatch:
    """Reads every file the embedded engine archives, and every archived file and committed link
    at each commit, for the words only a withheld item's pages have."""

    def __init__(self, root: Path, secret: list[str], archive: bool = True) -> None:
        self.root, self.secret, self.archive = root, set(secret), archive
        self.commits = 0
        self.found: list[str] = []

    def check(self, what: str, data: bytes) -> None:
        if data.startswith(b"%PDF") and words("\n".join(pdf_pages(data))) & self.secret:
            self.found.append(what)

    def stored(self, source: Path) -> None:
        self.check(f"archived {source}", Path(source).read_bytes())

    def committed(self) -> None:
        self.commits += 1
        for path in files(self.root / "archive") if self.archive else []:
            self.check(f"commit {self.commits}: {path.name} in the archive", path.read_bytes())
        for name in source_document_names(self.root):
            path = self.root / "archive" / name[:2] / name
            if path.is_file():
                self.check(f"commit {self.commits}: an item links to {name}", path.read_bytes())


def watch_writes(monkeypatch: pytest.MonkeyPatch, watch: WithheldPagesWatch) -> None:
    """Have ``watch`` read every file the embedded engine archives and look after every commit."""
    from indexer.engines.archive import FolderArchive

    store, make_writer = FolderArchive.store, MinutesIndex._writer

    def watched_store(self: FolderArchive, source: Path) -> tuple[str, bool]:
        watch.stored(source)
        return store(self, source)

    def watched_writer(self: MinutesIndex, *args: object, **kwargs: object) -> object:
        writer = make_writer(self, *args, **kwargs)  # type: ignore[arg-type]
        commit = writer.commit

        def watched_commit(*a: object, **k: object) -> None:
            commit(*a, **k)
            watch.committed()

        writer.commit = watched_commit  # type: ignore[method-assign]
        return writer

    monkeypatch.setattr(FolderArchive, "store", watched_store)
    monkeypatch.setattr(MinutesIndex, "_writer", watched_writer)


@pytest.mark.parametrize("withhold", [forget_item, close_by_a_later_version], ids=["forgotten", "closed-before"])
def test_a_withheld_items_pages_are_never_archived_nor_linked_by_a_commit(
    tmp_path: Path, cache: Path, opened: Opened, monkeypatch: pytest.MonkeyPatch, withhold: object
) -> None:
    """The same PDF ingested again once item 6 is forgotten or closed: the version reads item 6
    open, but the index does not publish it.  Before, the embedded engine archived the document
    with item 6's pages, committed the batch with the other items linking to it, and only then
    made a re-blanked copy in a second commit and pruned the first: between the two, the web app
    served item 6's pages beside every other item.  Now the batch's commit links the re-blanked
    copy from the start, and the copy with the pages is never written to the archive."""

    location = whoosh_location(tmp_path)
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    withhold(tmp_path, location, item_id)  # type: ignore[operator]
    assert_pages_gone(opened, location, item_id, secret, before)

    root = Path(location)
    watch = WithheldPagesWatch(root, secret)
    watch_writes(monkeypatch, watch)
    quiet_ingest([tmp_path / "aarhus.pdf"], location)  # the same PDF again: item 6 read open
    monkeypatch.undo()

    assert watch.found == [], "the withheld item's pages were written or linked"
    assert watch.commits == 1, "the batch and its re-blanked links in one commit"
    assert_pages_gone(opened, location, item_id, secret, before)
    for path in files(root / "archive"):
        assert words("\n".join(pdf_pages(path.read_bytes()))) & set(secret) == set()


@pytest.mark.parametrize("withhold", [forget_item, close_by_a_later_version], ids=["forget", "closing-version"])
def test_the_commit_that_closes_an_item_relinks_the_others_itself(
    tmp_path: Path, cache: Path, opened: Opened, monkeypatch: pytest.MonkeyPatch, withhold: object
) -> None:
    """Before: ``minutes forget`` of item 6, or a version closing it, committed first with the other
    items still linking to the document with item 6's pages, and gave them the re-blanked copy in
    a second commit: between the two, the web app served the pages of an item closed or taken
    down.  Now the commit that closes it relinks them (the old copy, linked by nothing, is pruned
    right after)."""
    location = whoosh_location(tmp_path)
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    watch = WithheldPagesWatch(Path(location), secret, archive=False)
    watch_writes(monkeypatch, watch)
    withhold(tmp_path, location, item_id)  # type: ignore[operator]
    monkeypatch.undo()

    assert watch.found == [], "a commit left items linking to the closed item's pages"
    assert watch.commits == 1, "the closing and the relinking in one commit"
    assert_pages_gone(opened, location, item_id, secret, before)


class WrittenFilesWatch:
    """Reads every PDF the service writes to a file while an ingest runs — the published copy in
    the document cache, the engines' temporaries, what goes to the archive (a folder, or the
    PostgreSQL engine's attachments table) — and lists the document cache at each of those steps,
    for the words only a withheld item's pages have."""

    def __init__(self, cache: Path, secret: list[str]) -> None:
        self.cache, self.secret = cache, set(secret)
        self.found: list[str] = []
        self.seen = 0

    def check(self, what: str, data: bytes) -> None:
        self.seen += 1
        if data.startswith(b"%PDF") and words("\n".join(pdf_pages(data))) & self.secret:
            self.found.append(what)

    def look(self, step: str) -> None:
        for path in files(self.cache):
            self.check(f"{step}: {path.name} in the document cache", path.read_bytes())


def watch_files(monkeypatch: pytest.MonkeyPatch, watch: WrittenFilesWatch) -> None:
    """Wrap what writes a PDF to a file (pypdf's writer, ``Path.write_bytes``) and what archives one
    (both engines), and look at the document cache each time."""
    import io

    import pypdf

    from indexer.engines.archive import FolderArchive
    from indexer.engines.postgres.engine import Database

    write_pdf, write_bytes = pypdf.PdfWriter.write, Path.write_bytes
    store, archive = FolderArchive.store, Database._archive

    def watched_write_pdf(self: pypdf.PdfWriter, stream: object) -> object:
        if isinstance(stream, io.BytesIO):
            return write_pdf(self, stream)
        buffer = io.BytesIO()
        result = write_pdf(self, buffer)
        watch.check(f"pypdf wrote {getattr(stream, 'name', stream)}", buffer.getvalue())
        if isinstance(stream, str | Path):
            write_bytes(Path(stream), buffer.getvalue())
        else:
            stream.write(buffer.getvalue())  # type: ignore[attr-defined]
        watch.look("a PDF written")
        return result

    def watched_write_bytes(self: Path, data: bytes) -> int:
        written = write_bytes(self, data)
        watch.check(f"written {self}", bytes(data))
        watch.look("a file written")
        return written

    def watched_store(self: FolderArchive, source: Path) -> tuple[str, bool]:
        watch.check(f"archived {source}", Path(source).read_bytes())
        watch.look("archiving")
        return store(self, source)

    def watched_archive(self: Database, conn: object, given: dict[str, tuple[Path, str | None]], *a: object) -> int:
        for name, (source, _) in given.items():
            watch.check(f"archived {name} from {source}", Path(source).read_bytes())
        watch.look("archiving")
        return archive(self, conn, given, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(pypdf.PdfWriter, "write", watched_write_pdf)
    monkeypatch.setattr(Path, "write_bytes", watched_write_bytes)
    monkeypatch.setattr(FolderArchive, "store", watched_store)
    monkeypatch.setattr(Database, "_archive", watched_archive)


@pytest.mark.parametrize("withhold", [forget_item, close_by_a_later_version], ids=["forgotten", "closed-before"])
def test_no_file_written_on_ingest_shows_a_withheld_items_pages(
    tmp_path: Path, location: str, cache: Path, opened: Opened, monkeypatch: pytest.MonkeyPatch, withhold: object
) -> None:
    """The Aarhus PDF again once item 6 is forgotten or closed by an earlier version: the PDF reads
    item 6 open, the index withholds it.  Before, the published copy written to the document cache
    at parsing blanked only the pages the PDF marks closed — item 6's pages were in it until the
    batch's commit discarded it — and the PostgreSQL engine archived that copy in its transaction
    and wrote it out again (a ``.archived-`` temporary) to re-blank it.  Now no file written on the
    way holds them: the one copy is written once the pages the index withholds are known."""
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    withhold(tmp_path, location, item_id)  # type: ignore[operator]
    assert_pages_gone(opened, location, item_id, secret, before)

    watch = WrittenFilesWatch(cache, secret)
    watch_files(monkeypatch, watch)
    quiet_ingest([tmp_path / "aarhus.pdf"], location)  # the same PDF again: item 6 read open
    monkeypatch.undo()

    assert watch.seen > 0, "the watch saw the copy written and archived"
    assert watch.found == [], "a file written on ingest holds the withheld item's pages"
    assert_pages_gone(opened, location, item_id, secret, before)
    assert files(cache) == []


@pytest.mark.parametrize("withhold", [forget_item, close_by_a_later_version], ids=["forget", "closing-version"])
def test_no_file_written_when_an_item_closes_shows_its_pages(
    tmp_path: Path, location: str, cache: Path, opened: Opened, monkeypatch: pytest.MonkeyPatch, withhold: object
) -> None:
    """Re-blanking the archived document when item 6 is forgotten or closed: before, the PostgreSQL
    engine wrote the archived bytes — item 6's pages in them — to a ``.archived-`` file in the
    document cache to read them back.  Now it reads them from memory; the copy written has them blank."""
    item_id, secret, before = ingest_aarhus(tmp_path, location, opened)
    watch = WrittenFilesWatch(cache, secret)
    watch_files(monkeypatch, watch)
    withhold(tmp_path, location, item_id)  # type: ignore[operator]
    monkeypatch.undo()

    assert watch.seen > 0, "the watch saw the re-blanked copy written"
    assert watch.found == [], "a file written while re-blanking holds the closed item's pages"
    assert_pages_gone(opened, location, item_id, secret, before)
