"""JSON Lines in the canonical model: one meeting per line, as ``Meeting.to_dict()`` writes it.

The exchange format for sources we have no parser for (a script can emit it)
and the form a reindex reads back.  See docs/jsonl-format.md.  A line that is
not a valid meeting becomes a warning naming ``file:line`` on a neighbouring
meeting; the other lines still load.  A file without a single valid line is
a FormatError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from indexer.formats import FormatError, IngestContext
from indexer.model import Access, Meeting, meeting_from_dict
from indexer.sidecar import load_sidecar, sidecar_start

NAME = "jsonl"

SUFFIXES = {".jsonl", ".ndjson"}


def detect(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES


def parse(path: Path, context: IngestContext) -> Iterable[Meeting]:
    try:
        handle = path.open("r", encoding="utf-8-sig", errors="strict", newline="")
    except OSError as exc:
        raise FormatError(path, f"cannot read file ({exc.strerror or exc})") from exc
    pending_warnings: list[str] = []
    meta = load_sidecar(path, context, pending_warnings)
    held: Meeting | None = None
    valid = 0
    bad = 0
    with handle:
        for number, line in _numbered_lines(path, handle):
            if not line.strip():
                continue
            try:
                meeting = _meeting_from_line(line)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                bad += 1
                problem = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
                warning = f"{path}:{number}: skipped, not a meeting ({problem})"
                if held is not None:
                    held.warnings.append(warning)
                else:
                    pending_warnings.append(warning)
                continue
            valid += 1
            _apply_sidecar(meeting, meta, path)
            if pending_warnings:
                meeting.warnings[:0] = pending_warnings
                pending_warnings = []
            if held is not None:
                yield held
            held = meeting
    if held is None:
        detail = f"{bad} invalid line(s)" if bad else "empty file"
        raise FormatError(path, f"no valid meeting line ({detail})")
    held.warnings.extend(pending_warnings)
    yield held


def _numbered_lines(path: Path, handle: Iterable[str]) -> Iterator[tuple[int, str]]:
    try:
        yield from enumerate(handle, start=1)
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"not UTF-8 text ({exc.reason})") from exc


def _meeting_from_line(line: str) -> Meeting:
    data: Any = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    if "items" not in data:  # an item, a record of another kind: never an empty meeting
        keys = ", ".join(sorted(map(str, data))[:5]) or "none"
        raise ValueError(f"no 'items' list (keys: {keys})")
    if not isinstance(data["items"], list):
        raise ValueError("'items' must be a list")
    for item in data.get("items", []):
        if not isinstance(item, dict):
            raise ValueError("every item must be a JSON object")
    return meeting_from_dict(data)


def _apply_sidecar(meeting: Meeting, meta: dict[str, Any], path: Path) -> None:
    """The line says what it knows; the sidecar fills only what it leaves blank."""
    if not meeting.municipality and meta.get("municipality"):
        meeting.municipality = meta["municipality"]
    if not meeting.committee and meta.get("committee"):
        meeting.committee = meta["committee"]
    if meeting.start is None:
        meeting.start = sidecar_start(meta)
    if not meeting.source:
        meeting.source = str(path)
    _confine_attachment_files(meeting, path)
    if not meeting.source_format:
        meeting.source_format = NAME
    meeting.finalise()


def _confine_attachment_files(meeting: Meeting, path: Path) -> None:
    """Attachment files are read relative to the JSONL file's folder and never outside it,
    so a line cannot make the archive copy (and publish) an arbitrary file of the server.

    The file of a closed attachment, or of any attachment of a closed item or meeting, is
    dropped unread and unnamed: its name may name the closed matter ("Personalesag <name>.docx")
    and must not appear in a warning."""
    folder = path.parent.resolve()
    for item in meeting.items:
        for attachment in item.attachments:
            if not attachment.file:
                continue
            if not (meeting.access == Access.OPEN and item.is_open and attachment.is_open):
                attachment.file = None
                attachment.text_status = "no-file"
                continue
            reference = attachment.file.replace("\\", "/")
            candidate = (folder / reference).resolve()
            if candidate.is_relative_to(folder) and not re.match(r"^[A-Za-z]:", reference):
                attachment.file = str(candidate)
            else:
                meeting.warnings.append(
                    f"{path}: attachment file {attachment.file!r} is outside the file's folder; ignored"
                )
                attachment.file = None
                attachment.text_status = "missing"
