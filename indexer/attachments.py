"""Attachment files: find them as exports name them, extract their text.

Exports write Windows paths with backslashes and disagree with the disk about
case (".PDF" vs ".pdf"), so files are resolved segment by segment,
case-insensitively, and never outside the export's own folder.  Text comes from
PDF (pypdf) and DOCX (python-docx); legacy .DOC keeps its metadata only.
Extraction is cached by the file's content hash, so re-ingesting is cheap.
"""

from __future__ import annotations

import _weakrefset
import gc
import hashlib
import json
import logging
import os
import re
import signal
import sys
import threading
import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.model import Attachment

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
}

MAX_EXTRACT_CHARS = 2_000_000  # keep one giant attachment from swamping the index
# Limits per attachment file: a broken or hostile file is refused or cut, never allowed to
# hold the ingest (and its lock) for ever or to fill the memory.
MAX_FILE_BYTES = int(os.environ.get("MINUTES_MAX_ATTACHMENT_MB") or 200) * 1_000_000
MAX_PDF_PAGES = int(os.environ.get("MINUTES_MAX_PDF_PAGES") or 2000)
MAX_INFLATED_BYTES = 200_000_000  # all members of a DOCX together, once unpacked
MAX_INFLATE_RATIO = 200  # a member that unpacks to more than 200× its packed size is a zip bomb
MAX_TEXT_BYTES = MAX_EXTRACT_CHARS * 4  # a .txt is read this far (UTF-8 is at most 4 bytes a character)
EXTRACT_TIMEOUT_S = float(os.environ.get("MINUTES_EXTRACT_TIMEOUT_S") or 120)


def resolve_file(base: Path, reference: str) -> Path | None:
    """Find ``reference`` (relative, maybe with backslashes, maybe wrong case) under ``base``.

    Returns None when it does not exist or would leave ``base``.  An absolute
    Windows path ("C:\\publish\\eDagsorden\\Publication32\\Enclosures\\1.pdf", as the
    exporting server saw it) is looked up by its trailing parts under ``base``.
    """
    if not reference:
        return None
    parts = _parts(reference)
    if not parts or any(p == ".." for p in parts) or any(len(p.encode("utf-8", "replace")) > 255 for p in parts):
        return None  # ".." never leaves the export; no file system takes a name over 255 bytes
    if re.match(r"^[A-Za-z]:$", parts[0]):
        for start in range(1, len(parts)):
            found = _resolve_parts(base, parts[start:])
            if found is not None:
                return found
        return None
    return _resolve_parts(base, parts)


def _parts(reference: str) -> list[str]:
    """The names of ``reference`` as ``resolve_file`` reads them: either slash separates, a
    leading one (as in "\\Attachments\\1.pdf") is under the export like any other."""
    return [p for p in re.split(r"[\\/]+", reference.strip()) if p not in ("", ".")]


def looked_for(base: Path, reference: str) -> Path:
    """The path ``resolve_file`` looked for ``reference`` at, for a warning to name: under
    ``base`` (a leading slash does not leave it, a Windows drive letter is dropped)."""
    parts = _parts(reference)
    if parts and re.match(r"^[A-Za-z]:$", parts[0]):
        parts = parts[1:]
    return base.joinpath(*parts)


def _resolve_parts(base: Path, parts: list[str]) -> Path | None:
    base = base.resolve()
    current = base
    for part in parts:
        candidate = current / part
        if not candidate.exists():
            try:
                wanted = _name_key(part)
                matches = sorted(c for c in current.iterdir() if _name_key(c.name) == wanted)
            except (NotADirectoryError, FileNotFoundError, PermissionError):
                return None
            if not matches:
                return None
            candidate = matches[0]
        current = candidate
    resolved = current.resolve()
    if resolved != base and base not in resolved.parents:
        return None
    return resolved if resolved.is_file() else None


def _leaves(base: Path, named: Path) -> bool:
    """Whether ``named`` (a reference joined to ``base``) exists but leads outside ``base``: a
    symbolic link to /etc/passwd, a "../" climbing out."""
    try:
        if not (named.is_symlink() or named.exists()):
            return False
        target, root = named.resolve(), base.resolve()
    except (OSError, RuntimeError):  # a link loop
        return True
    return target != root and root not in target.parents


def _name_key(name: str) -> str:
    """Compare file names as people read them: macOS/zip tools store "å" decomposed (NFD)
    while the XML spells it composed (NFC), and case differs between export and disk."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Extraction:
    text: str | None
    status: str  # extracted | empty | legacy-doc | unsupported | unreadable | missing
    problem: str | None = None


class ExtractionRefused(Exception):
    """A file over one of the limits: reported by name, its item is kept without the text."""


def extract_text(path: Path) -> Extraction:
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractionRefused(f"{size / 1e6:.0f} MB is over the {MAX_FILE_BYTES / 1e6:.0f} MB limit")
        note = None  # a limit that cut the text short, said with the file's name
        _import_readers(suffix)  # a first import is not the file's time
        with _time_limit(EXTRACT_TIMEOUT_S):
            if suffix == ".pdf":
                text, note = _pdf_text(path)
            elif suffix == ".docx":
                _check_zip(path)
                text = _docx_text(path)
            elif suffix in (".txt",):
                with path.open("rb") as fh:
                    text = fh.read(MAX_TEXT_BYTES).decode("utf-8", errors="replace")
                if size > MAX_TEXT_BYTES:
                    note = f"text cut: only the first {MAX_TEXT_BYTES:,} of {size:,} bytes read"
            elif suffix == ".doc":
                return Extraction(None, "legacy-doc", "legacy Word .doc: text not extracted")
            else:
                return Extraction(None, "unsupported", f"no text extraction for {suffix or 'files without suffix'}")
    except FileNotFoundError:
        return Extraction(None, "missing", "file not found")
    except ExtractionRefused as exc:
        return Extraction(None, "refused", f"text not extracted: {exc}")
    except _Timeout:
        return Extraction(None, "timeout", f"text not extracted: reading took over {EXTRACT_TIMEOUT_S:g} s")
    except Exception as exc:  # a broken file must never stop the meeting
        return Extraction(None, "unreadable", f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    text = _clean(text)
    if len(text) > MAX_EXTRACT_CHARS:
        text, note = text[:MAX_EXTRACT_CHARS], note or f"text cut at {MAX_EXTRACT_CHARS:,} characters"
    return Extraction(text or None, "extracted" if text else "empty", note)


def _import_readers(suffix: str) -> None:
    if suffix == ".pdf":
        import pypdf  # noqa: F401
    elif suffix == ".docx":
        import docx  # noqa: F401


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so no library's ``except Exception`` swallows it."""


class _time_limit:
    """Interrupt the block after ``seconds`` (main thread only: parser processes run there).

    An exception raised while Python runs a finaliser or a weakref or GC callback (pypdf
    makes many) is dropped, and the reading goes on; so the alarm rings again until it
    lands in the reader's own code, and a block that ends after a dropped ring is over time
    all the same.  A ring that finds the standard library's weakref bookkeeping, a
    ``__del__`` or a GC callback running waits for it (it is not cut short); one dropped in
    another callback is ours, not reported as an error, and rings again within a few ms
    (``_unraisable``).  The pauses between rings vary (``_pause``): a ring cuts the callback
    it lands in short, so a loop of callbacks starts afresh at each ring, and rings a fixed
    pause apart could land at the same point of it every time.  Once the block is left the
    alarm raises nothing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = seconds > 0 and threading.current_thread() is threading.main_thread()
        self.fired = False
        self.owner: Any = None
        self.previous: Any = None
        self.previous_hook: Any = None
        self.rings = 0

    def __enter__(self) -> None:
        if self.active:
            self.owner = sys._getframe(1)
            self.previous = signal.signal(signal.SIGALRM, self._alarm)
            self.previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if not self.active:
            return
        self.active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        sys.unraisablehook = self.previous_hook
        self.owner = None
        if self.fired and kind is None:
            raise _Timeout()

    def _alarm(self, signum: int, frame: Any) -> None:
        if not self.active or frame is None or frame.f_code is _time_limit.__exit__.__code__:
            self.fired = self.fired or self.active
            return
        caller, cleaning = frame, False
        while caller is not None and caller is not self.owner:
            cleaning = cleaning or _cleaning_up(caller.f_code)
            caller = caller.f_back
        if caller is None:  # not inside the block any more
            return
        self.fired = True
        if cleaning:  # rung again once the clean-up has likely returned
            signal.setitimer(signal.ITIMER_REAL, self._pause(0.005))
            return
        signal.setitimer(signal.ITIMER_REAL, self._pause(0.05))
        raise _Timeout()

    def _pause(self, seconds: float) -> float:
        """``seconds`` times a factor between 0.5 and 1.5 that differs from ring to ring and
        never repeats (the golden ratio's multiples, modulo 1)."""
        self.rings += 1
        return seconds * (0.5 + (self.rings * _GOLDEN_FRACTION) % 1.0)

    def _unraisable(self, unraisable: Any) -> None:
        """A ring dropped inside a callback is the limit's own, and rings again: said nowhere."""
        if unraisable.exc_type is not _Timeout:
            self.previous_hook(unraisable)
        elif self.active:
            signal.setitimer(signal.ITIMER_REAL, self._pause(0.004))


_GOLDEN_FRACTION = (5**0.5 - 1) / 2


_WEAKREF_FILES = frozenset(getattr(module, "__file__", None) for module in (weakref, _weakrefset))


def _cleaning_up(code: Any) -> bool:
    """Whether ``code`` is clean-up Python runs between any two lines and drops an exception of:
    the standard library's weakref bookkeeping, a finaliser, a GC callback."""
    return (
        code.co_filename in _WEAKREF_FILES
        or code.co_name == "__del__"
        or any(getattr(callback, "__code__", None) is code for callback in gc.callbacks)
    )


def _check_zip(path: Path) -> None:
    """Refuse a DOCX whose members unpack to more than the limits allow, before unpacking."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        total = 0
        for member in archive.infolist():
            total += member.file_size
            if member.file_size > 1_000_000 and member.file_size > MAX_INFLATE_RATIO * max(1, member.compress_size):
                raise ExtractionRefused(
                    f"{member.filename} unpacks {member.file_size // max(1, member.compress_size)}× (a zip bomb?)"
                )
        if total > MAX_INFLATED_BYTES:
            raise ExtractionRefused(
                f"unpacks to {total / 1e6:.0f} MB, over the {MAX_INFLATED_BYTES / 1e6:.0f} MB limit"
            )


def _pdf_text(path: Path) -> tuple[str, str | None]:
    """The text of the first ``MAX_PDF_PAGES`` pages, and a note when there were more."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(str(path))
    if reader.is_encrypted:
        reader.decrypt("")
    pages = reader.pages
    texts = [(pages[n].extract_text() or "") for n in range(min(len(pages), MAX_PDF_PAGES))]
    note = (
        f"text cut: only the first {MAX_PDF_PAGES:,} of {len(pages):,} pages read"
        if len(pages) > MAX_PDF_PAGES
        else None
    )
    return "\n".join(texts), note


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", "").replace("\xad", ""))
    text = re.sub(r"[ \t\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class TextCache:
    """Extracted text keyed by content hash, one JSON file per file, on disk."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get_or_extract(self, path: Path) -> tuple[str, Extraction]:
        digest = file_hash(path)
        cached = self._load(digest)
        if cached is not None:
            return digest, cached
        result = extract_text(path)
        self._store(digest, result)
        return digest, result

    def _load(self, digest: str) -> Extraction | None:
        if self.folder is None:
            return None
        target = self.folder / digest[:2] / f"{digest}.json"
        try:
            data = json.loads(target.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return Extraction(data.get("text"), data.get("status", "extracted"), data.get("problem"))

    def _store(self, digest: str, result: Extraction) -> None:
        if self.folder is None or result.status in ("unreadable", "timeout"):
            return
        target = self.folder / digest[:2] / f"{digest}.json"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"text": result.text, "status": result.status, "problem": result.problem}), "utf-8"
            )
            tmp.replace(target)
        except OSError as exc:
            log.debug("text cache not written: %s", exc)


_default_cache = TextCache(None)


def set_text_cache(folder: Path | None) -> None:
    """Point extraction at an on-disk cache (the CLI sets it beside the index)."""
    global _default_cache
    _default_cache = TextCache(folder)


def attach_file(attachment: Attachment, base: Path, reference: str | None, warnings: list[str]) -> None:
    """Resolve ``reference`` under ``base`` into ``attachment.file``; never reads the file.

    Text is extracted later, by ``indexer.public``, and only for open files of open
    items.  Problems are appended to ``warnings`` naming the file; they never raise.  A closed
    attachment's file is not looked for, whichever format asks: the warning would name it.
    """
    if not attachment.is_open or not reference:
        attachment.text_status = "no-file"
        return
    path = resolve_file(base, reference)
    if path is None:
        attachment.text_status = "missing"
        named = looked_for(base, reference)
        problem = "points outside the export; not read" if _leaves(base, named) else "attachment file not found"
        warnings.append(f"{named}: {problem}")
        return
    attachment.file = str(path)
    attachment.media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    attachment.text_status = "not-extracted"


def extract_attachment(attachment: Attachment) -> str | None:
    """Fill ``attachment.text`` from its file through the text cache; a warning naming the file, or None.

    Called by ``indexer.public`` only, after the boundary has dropped everything closed."""
    if not attachment.file:
        return None
    path = Path(attachment.file)
    try:
        _, result = _default_cache.get_or_extract(path)
    except OSError as exc:
        attachment.text_status = "missing"
        return f"{path}: attachment file not readable ({exc.strerror or exc})"
    attachment.text = result.text
    attachment.text_status = result.status
    if result.status in ("unreadable", "legacy-doc", "unsupported", "refused", "timeout") or result.problem:
        return f"{path}: {result.problem}"
    return None
