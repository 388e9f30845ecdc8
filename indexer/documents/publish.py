"""The copy of a whole-meeting document that may be shown beside its items.

A document with no closed page is published as it is.  A PDF with closed pages
(a closed item, a "Lukket referat" part, a table of contents naming closed
items) is rewritten with those pages blank, so page numbers still match the
items' ``#page=N`` links; a DOCX has no fixed pages and is then not published.
Only the page content of open pages is copied: no outline, no metadata.

Parsing writes no copy (``publication``): it cannot know the items the index
withholds (closed by an earlier version, taken down with ``minutes forget``), and
a copy written then would show their pages.  The index writes the one copy
(``write_copy``) with all of those pages blank, to ``$MINUTES_DOCUMENT_CACHE``
(default: a folder under the system's temporary directory), only to hand it to
its archive: every copy has a name of its own and is deleted once archived (or
once the batch is committed or given up: ``discard``) — the index's archive is
then the one copy, and it is pruned with the items.  Nothing closed outlives a
closure, ``minutes forget`` or ``reindex`` there.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from indexer.model import PendingCopy

CACHE_ENV = "MINUTES_DOCUMENT_CACHE"
COPY_PREFIX = "published-"
_OLD_COPY = re.compile(r"[0-9a-f]{32}\.pdf")
# The files this module (and the engines' re-blanking) writes to the cache, named by the process
# that deletes them — "published-<pid>-<start>-…" — and as the last version named them, by no one.
_OWNED = re.compile(r"\.?(?:published|archived)-(\d+)-(\d+)-[a-z0-9_]+(?:\.[A-Za-z0-9]{1,8})?(?:\.tmp)?")
_UNOWNED = re.compile(r"\.?(?:published|archived)-[a-z0-9_]{8}(?:\.[A-Za-z0-9]{1,8})?(?:\.tmp)?")


def cache_dir() -> Path:
    folder = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "minutes-search-documents")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def publication(
    path: Path, closed_pages: set[int], page_count: int, dropped_pages: set[int] | None = None
) -> str | PendingCopy | None:
    """How a document read from ``path`` may be shown: the file itself when nothing of it is
    closed, a ``PendingCopy`` (the pages to blank) when some pages are, None when nothing of it
    may be shown.  No copy is written here: the index writes it (``write_copy``) once it knows
    the items it withholds too, so no file shows their pages.

    ``dropped_pages`` (table of contents, signature page) are blanked too when
    anything is closed: a table of contents names the closed items."""
    if not closed_pages:
        return str(path)
    blank = closed_pages | (dropped_pages or set())
    if path.suffix.lower() != ".pdf" or len(blank) >= page_count:
        return None
    return PendingCopy(str(path), tuple(sorted(blank)), page_count)


def blanked_pdf(source: Path | bytes, blank: set[int]) -> bytes | None:
    """The PDF with these pages blank (same size, so page numbers still match), in memory; None
    when it cannot be read or written safely."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source), strict=False)
        writer = pypdf.PdfWriter()
        for number, page in enumerate(reader.pages, start=1):
            if number in blank:
                width, height = _page_size(page)
                writer.add_blank_page(width=width, height=height)
            else:
                writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
    except Exception:  # pypdf raises many kinds on a damaged file
        return None
    return buffer.getvalue()


def publishable_copy(
    path: Path | bytes, closed_pages: set[int], page_count: int, dropped_pages: set[int] | None = None
) -> Path | None:
    """The file to publish, written to the document cache when pages are blanked (``path``
    itself when none is); None when nothing of it may be shown or it cannot be copied safely.
    Only ever given every page to blank: what it writes is shown."""
    if not closed_pages:
        return path if isinstance(path, Path) else None
    blank = closed_pages | (dropped_pages or set())
    if (isinstance(path, Path) and path.suffix.lower() != ".pdf") or len(blank) >= page_count:
        return None
    data = blanked_pdf(path, blank)
    if data is None:
        # A copy that cannot be made safely is not made: the items are read, the document is not shown.
        return None
    # A name of its own (never one shared with another meeting or run): the ingest deletes it
    # after its batch's commit, and a copy another batch still has to archive must not go with it.
    handle, name = tempfile.mkstemp(prefix=f"{COPY_PREFIX}{owner_tag()}-", suffix=".pdf", dir=cache_dir())
    os.close(handle)
    target = Path(name)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError:
        tmp.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        return None
    return target


def write_copy(
    pending: PendingCopy, kept: list[dict[str, Any]] | None = None, gone: list[dict[str, Any]] | None = None
) -> Path | None:
    """The copy of a pending document to archive, in the document cache: its own blank pages, and
    with ``gone`` (items the index withholds) also theirs and all but the ``kept`` items' pages;
    None when none can be made safely.  Delete it (``is_copy``) once it is archived."""
    blank = set(pending.blank)
    if gone:
        withheld = pages_to_blank(kept or [], gone, pending.page_count)
        if not withheld:
            return None  # nothing of the withheld items could be placed: deny
        blank |= withheld
    copy = publishable_copy(Path(pending.source), blank, pending.page_count)
    return copy if is_copy(copy) else None


def copy_name(pending: PendingCopy) -> str | None:
    """The archive name (content hash, ``.pdf``) the copy with only the document's own pages blank
    has, made in memory: the name an earlier batch may have archived it under, and its items link
    to, when this batch must not write it (it shows items the index withholds)."""
    data = blanked_pdf(Path(pending.source), set(pending.blank))
    return None if data is None else f"{hashlib.sha256(data).hexdigest()}.pdf"


def is_copy(file: str | Path | None) -> bool:
    """Whether ``file`` is a copy ``publishable_copy`` wrote (not the source document itself)."""
    if not file:
        return False
    path = Path(file)
    return path.name.startswith(COPY_PREFIX) and path.parent.resolve() == cache_dir().resolve()


def discard(meetings: Iterable[Any]) -> int:
    """Delete the copies made for these meetings' documents (once their batch is committed, or
    given up): what is shown is the archived copy, pruned with the items that refer to it.
    Returns the number of files deleted."""
    deleted = 0
    for meeting in meetings:
        document = getattr(meeting, "document", None)
        file = getattr(document, "file", None)
        if is_copy(file):
            try:
                Path(file).unlink()  # type: ignore[arg-type]
                deleted += 1
            except FileNotFoundError:
                pass
    return deleted


def owner_tag() -> str:
    """``<pid>-<start>`` of the process that will delete the copies written now: its id, and
    when it started, so a later process given the same id is not taken for it."""
    pid = os.getpid()
    return f"{pid}-{_started(pid) or 0}"


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks after boot, ``/proc/<pid>/stat``); None when no
    such process runs; "" when that cannot be told (no ``/proc``: then it is taken to run)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except OSError:
            pass  # another user's process: it runs
        return ""
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()  # after the command name, which may hold spaces
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int, start: str) -> bool:
    started = _started(pid)
    return started is not None and (started == "" or start == "0" or started == start)


def sweep_stale_copies() -> int:
    """Delete the copies no running process will delete: those of a run killed between parsing and
    its commit (SIGKILL, a power cut), which hold the open pages of a document as it stood then —
    pages of items closed or forgotten since included.  A copy is named by the process that
    deletes it (``owner_tag``); one whose process still runs (another ingest, perhaps into another
    index sharing the cache) is left alone.  Also the copies earlier versions named by no one
    (``<32 hex>.pdf``, kept for good; ``published-<8 random>.pdf``).  Returns the number deleted."""
    deleted = 0
    folder = cache_dir()
    for path in folder.iterdir():
        name = path.name
        owned = _OWNED.fullmatch(name)
        if owned is not None:
            if _alive(int(owned[1]), owned[2]):
                continue
        elif not (_UNOWNED.fullmatch(name) or _OLD_COPY.fullmatch(name)):
            continue
        try:
            path.unlink()
            deleted += 1
        except (FileNotFoundError, IsADirectoryError):
            pass
    return deleted


def _page_size(page: object) -> tuple[float, float]:
    """A page's size in points; A4 when the file's page box is missing or damaged."""
    try:
        box = page.mediabox  # type: ignore[attr-defined]
        return float(box.width), float(box.height)
    except Exception:
        return 595.0, 842.0


# -- when an item of an archived document closes while others stay open -------------------------


def item_span(source: dict[str, Any]) -> tuple[int, int | None, float] | None:
    """(first page, last page or None when not recorded, position in the agenda) of an item read from
    a whole-meeting document, from its ``source_document`` record (with ``position`` added);
    None when its page is not known."""
    page = source.get("page")
    if not isinstance(page, int) or page < 1:
        return None
    last = source.get("last_page")
    position = source.get("position")
    order = float(position) if isinstance(position, int | float) else 0.0
    return page, last if isinstance(last, int) and last >= page else None, order


def pages_to_blank(kept: list[dict[str, Any]], gone: list[dict[str, Any]], page_count: int) -> set[int] | None:
    """The pages of a published document to blank once the ``gone`` items closed (or were forgotten)
    while the ``kept`` items stay open; None when that cannot be told (an item's page unknown).

    Default deny: only pages of the open items are kept — not the pages of a gone item, even where
    one is shared with an open item, nor the front page, a table of contents naming the gone item's
    title, or what follows the last item.  An item whose last page was not recorded (indexed before
    it was) runs to the page where the next item starts, that page included."""
    spans = [item_span(s) for s in kept], [item_span(s) for s in gone]
    if any(span is None for side in spans for span in side):
        return None
    ordered = sorted(
        [(span, keep) for keep, side in ((True, spans[0]), (False, spans[1])) for span in side if span is not None],
        key=lambda entry: (entry[0][0], entry[0][2]),
    )
    keep_pages: set[int] = set()
    gone_pages: set[int] = set()
    for n, ((first, last, _), keep) in enumerate(ordered):
        if last is None:
            last = ordered[n + 1][0][0] if n + 1 < len(ordered) else page_count
        (keep_pages if keep else gone_pages).update(range(first, min(max(last, first), page_count) + 1))
    return set(range(1, page_count + 1)) - (keep_pages - gone_pages)


def reblanked_copy(archived: Path | bytes, kept: list[dict[str, Any]], gone: list[dict[str, Any]]) -> Path | None:
    """A new published copy of an archived whole-meeting document, with the ``gone`` items' pages
    (and all but the ``kept`` items' pages) blank; None when none can be made safely — a DOCX,
    an unreadable file, an item's page unknown, nothing left to show.  The copy is written to
    the document cache; delete it (``is_copy``) once it is archived."""
    if isinstance(archived, Path) and archived.suffix.lower() != ".pdf":
        return None
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        found = io.BytesIO(archived) if isinstance(archived, bytes) else str(archived)
        page_count = len(pypdf.PdfReader(found, strict=False).pages)
    except Exception:  # pypdf raises many kinds on a damaged file
        return None
    blank = pages_to_blank(kept, gone, page_count)
    if not blank:
        return None  # nothing of the gone items could be placed (or nothing to do): deny
    copy = publishable_copy(archived, blank, page_count)
    return copy if is_copy(copy) else None
