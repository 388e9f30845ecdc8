"""Input formats: one module per format, one contract.

Each module defines ``NAME`` (str), ``detect(path) -> bool`` and
``parse(path, context) -> Iterable[Meeting]``.  ``detect`` must be cheap (a
name check or a peek at the first bytes); ``parse`` raises ``FormatError`` for
input it cannot read and records smaller problems (a missing attachment file)
in ``Meeting.warnings`` instead of stopping.
"""

from __future__ import annotations

import codecs
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Protocol

from indexer.model import Access, Meeting

MANIFEST_NAME = "minutes.json"  # sidecar metadata for a folder, see sidecar.py
ATTACHMENT_SUFFIXES = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".tif",
    ".tiff",
    ".msg",
    ".rtf",
    ".odt",
    ".zip",
}


# Files inside a claimed export folder that belong to the export itself.
EXPORT_SUFFIXES = {".xml", ".htm", ".html", ".json"}


# A section's text is cut here (an attachment's at 2,000,000, see ``indexer.attachments``): a 16 MB
# section took 37 s and 1.6 GB to index, and no item's text is a book.
MAX_SECTION_CHARS = 1_000_000


def cap_sections(meetings: Iterable[Meeting], path: Path, max_chars: int = MAX_SECTION_CHARS) -> None:
    """Cut each open section's text at ``max_chars``, with a warning naming the file and the item; a
    section cut loses its HTML (its page shows the text kept).  This runs before the closed-content
    boundary: closed meetings, items and sections are left to it (it drops them whole), so no
    warning names their titles or headings."""
    for meeting in meetings:
        if meeting.access != Access.OPEN:
            continue
        for item in meeting.items:
            if item.access != Access.OPEN:
                continue
            for section in item.sections:
                if section.access == Access.OPEN and len(section.text) > max_chars:
                    meeting.warnings.append(
                        f"{path}: item {f'{item.number} {item.title}'.strip()[:60]!r}: section {section.heading!r} has "
                        f"{len(section.text):,} characters; cut at {max_chars:,}"
                    )
                    cut = section.text[:max_chars]
                    section.text = cut[: cut.rfind(" ")] if " " in cut[-200:] else cut
                    section.html = None


class FormatError(Exception):
    """An input that cannot be read; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def read_input(path: Path) -> bytes:
    """The bytes of an input file; unreadable or empty files become a FormatError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise FormatError(path, "empty file")
    return data


# Byte order marks of the wide encodings, longest first (UTF-32LE's begins as UTF-16LE's does).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, errors: str = "strict") -> str:
    """Text of a plain-text input (a text agenda, a CSV): UTF-16 or UTF-32 when a byte order mark
    says so (Excel's "Unicode text" export is UTF-16LE), else UTF-8 (a BOM dropped) when the bytes
    are valid UTF-8, else Windows-1252 (what Danish Windows tools save), else Latin-1.
    ``errors="replace"`` for a peek whose last character may be cut in two."""
    for bom, wide in _WIDE_BOMS:
        if data.startswith(bom):
            width = 4 if "32" in wide else 2
            if errors != "strict":
                data = data[: len(data) // width * width]
            return data[len(bom) :].decode(wide, errors)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass
class IngestContext:
    """Metadata given on the command line or in a manifest beside the files,
    for sources whose text lacks it (the seed's municipality, say)."""

    municipality: str | None = None
    committee: str | None = None
    meeting_date: date | None = None
    extract_text: bool = True  # extract attachment text (PDF, DOCX)
    extras: dict[str, str] = field(default_factory=dict)


class FormatModule(Protocol):
    NAME: str

    def detect(self, path: Path) -> bool: ...

    def parse(self, path: Path, context: IngestContext) -> Iterable[Meeting]: ...


# Order matters: the most specific detectors first, plain text last.
FORMAT_MODULES = [
    "jsonl",
    "digst",
    "publication",
    "acadre",
    "edoc",
    "edoc_fujitsu",
    "sbsys",
    "firstagenda",
    "archive",
    "document",
    "agenda_text",
]


def available_formats() -> dict[str, FormatModule]:
    found: dict[str, FormatModule] = {}
    for name in FORMAT_MODULES:
        try:
            module: ModuleType = importlib.import_module(f"indexer.formats.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"indexer.formats.{name}":
                continue
            raise
        found[module.NAME] = module  # type: ignore[assignment]
        for variant in getattr(module, "VARIANTS", ()):  # e.g. document-edoc: a layout forced by hand
            found[variant.NAME] = variant
    return found


def detect_format(path: Path) -> FormatModule | None:
    for module in available_formats().values():
        try:
            if module.detect(path):
                return module
        except OSError:
            return None
    return None


def iter_inputs(
    paths: Iterable[Path], forced: str | None = None, notes: list[str] | None = None, skip: Iterable[Path] = ()
) -> Iterator[tuple[Path, FormatModule | None]]:
    """Walk the given files and folders, yielding each input with its format.

    A folder that a format claims as a whole (an Acadre or eDoc export, say) is
    yielded once; other folders are walked and each file is tried on its own.
    Files a folder-format claims are not yielded again.

    A symbolic link is followed only while it stays inside the folder given, and a
    folder already walked (a link back up) is not walked again; each link skipped is
    one line in ``notes``.  Folders in ``skip`` are not walked into: the index an ingest
    writes to, kept inside its input folder, is not input (its files were rejected one by one,
    and its archived documents read as meetings).  A path given is read even inside one
    (``minutes harvest`` keeps its documents in the index folder and ingests them by name).
    """
    formats = available_formats()
    if forced is not None and forced not in formats:
        raise FormatError(forced, f"unknown format; known: {', '.join(sorted(formats))}")
    skipped = frozenset(Path(folder).resolve() for folder in skip)
    for path in paths:
        path = Path(path)
        walk = _Walk(formats, path.resolve() if path.is_dir() else path.resolve().parent, notes, skipped)
        if path.is_dir():
            walk.seen.add(path.resolve())
        yield from walk.walk(path, forced)


class _Walk:
    """One walk below one input folder (``root``): where links may lead, which folders were seen."""

    def __init__(
        self, formats: dict[str, FormatModule], root: Path, notes: list[str] | None, skip: frozenset[Path] = frozenset()
    ) -> None:
        self.formats = formats
        self.root = root
        self.seen: set[Path] = set()
        self.notes = notes if notes is not None else []
        self.skip = skip  # folders never walked into (the index being written)

    def children(self, folder: Path, export: bool = False) -> list[Path]:
        """The entries of ``folder`` the walk may enter: links leading outside the input folder,
        and folders already walked (a loop), are left out with a note.  In an ``export``, a
        linked attachment is the export's to name (it is read through its meeting)."""
        kept = []
        for child in sorted(folder.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_symlink():
                target = child.resolve()
                if target != self.root and self.root not in target.parents:
                    if not (export and child.suffix.lower() in ATTACHMENT_SUFFIXES):
                        self.notes.append(f"{child}: symbolic link points outside the input folder; skipped")
                    continue
                if not target.exists():
                    self.notes.append(f"{child}: symbolic link leads nowhere; skipped")
                    continue
            if child.is_dir():
                target = child.resolve()
                if target in self.skip:
                    continue
                if target in self.seen:
                    if child.is_symlink():  # a loop (a link up), or a second way into one folder
                        self.notes.append(f"{child}: symbolic link leads to {target}, already read; skipped")
                    continue
                self.seen.add(target)
            kept.append(child)
        return kept

    def walk(self, path: Path, forced: str | None) -> Iterator[tuple[Path, FormatModule | None]]:
        formats = self.formats
        if forced is not None:
            forced_module = formats[forced]
            if path.is_dir() and not forced_module.detect(path):
                for child in self.children(path):
                    yield from self.walk(child, forced)
                return
            yield path, forced_module
            return
        if path.is_dir():
            module = detect_format(path)
            children = self.children(path, export=module is not None)
            if module is not None:
                # The export's manifest, attachments and subfolders belong to it; other
                # loose documents beside it (a text item, a CSV) are still read on their own.
                yield path, module
                for child in children:
                    if (
                        child.is_file()
                        and child.name != MANIFEST_NAME
                        and child.suffix.lower() not in ATTACHMENT_SUFFIXES | EXPORT_SUFFIXES
                    ):
                        yield child, detect_format(child)
                if not getattr(module, "CLAIMS_SUBFOLDERS", False):
                    # Its sub-folders hold the export's attachments, or other meetings: a folder
                    # of many exports stacked in one another is read whole, never cut at the top.
                    for child in children:
                        if child.is_dir():
                            yield from self.within_export(child)
                return
            referenced = _referenced_files(children, formats)
            for child in children:
                if child.name == MANIFEST_NAME or _is_prose(child):
                    continue
                if child.resolve() in referenced:
                    continue  # an attachment a text agenda beside it names (a .txt, say): read with it
                if child.is_file() and child.suffix.lower() in ATTACHMENT_SUFFIXES:
                    # Attachments are reached through their meeting's manifest; a loose PDF or
                    # DOCX outside any export is read when it is a whole-meeting document.
                    for name in ("archive", "document"):
                        module = formats.get(name)
                        if module is not None and module.detect(child):
                            yield child, module
                            break
                    continue
                yield from self.walk(child, None)
            return
        yield path, detect_format(path)

    def within_export(self, folder: Path) -> Iterator[tuple[Path, FormatModule | None]]:
        """A sub-folder of an export: another export in it is read, attachments and the
        export's own files are not inputs (they are read through their meeting)."""
        if detect_format(folder) is not None:
            yield from self.walk(folder, None)
            return
        for child in self.children(folder, export=True):
            if child.name == MANIFEST_NAME:
                continue
            if child.is_dir():
                yield from self.within_export(child)
            elif child.suffix.lower() not in ATTACHMENT_SUFFIXES:
                module = detect_format(child)
                if module is not None:  # a loose meeting file (a text agenda, JSON Lines …)
                    yield child, module


def _referenced_files(children: list[Path], formats: dict[str, FormatModule]) -> set[Path]:
    """Files that a sibling input names as its attachments (only text agendas do so by name)."""
    found: set[Path] = set()
    for module in formats.values():
        referenced = getattr(module, "referenced_files", None)
        if referenced is None:
            continue
        for child in children:
            if child.is_file() and not child.name.startswith(".") and module.detect(child):
                found |= referenced(child)
    return found


_PROSE_NAMES = ("readme", "licence", "license", "notice", "copying", "sources")


def _is_prose(path: Path) -> bool:
    """A README or licence note shipped beside data is not an input to reject."""
    return (
        path.is_file() and path.stem.casefold().startswith(_PROSE_NAMES) and path.suffix.lower() in {".md", ".txt", ""}
    )
