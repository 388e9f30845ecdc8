"""Sidecar metadata: what a source's own text does not say about its meeting.

A plain-text agenda item rarely names its municipality; a CSV row may lack a
meeting date.  Such metadata comes from the command line (``IngestContext``)
or from a manifest ``minutes.json`` in the input's folder::

    {"municipality": "Norddjurs Kommune", "committee": "Økonomiudvalget",
     "meeting_date": "2022-12-05", "kind": "referat"}

The command line wins over the manifest.  Unknown values stay absent: a
parser must not invent a municipality.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from indexer.dates import parse_danish_datetime
from indexer.formats import MANIFEST_NAME, IngestContext
from indexer.model import MeetingKind

KNOWN_KEYS = ("municipality", "committee", "meeting_date", "kind", "location")


def manifest_path(path: Path) -> Path:
    """The manifest that describes ``path`` (a file or a folder)."""
    folder = path if path.is_dir() else path.parent
    return folder / MANIFEST_NAME


def load_sidecar(path: Path, context: IngestContext | None = None, warnings: list[str] | None = None) -> dict[str, Any]:
    """Merged metadata for ``path``: folder manifest first, then the context on top.

    Returns a dict with any of ``municipality`` (str), ``committee`` (str),
    ``meeting_date`` (date), ``start`` (datetime, when the manifest gives a
    time), ``kind`` (MeetingKind), ``location`` (str), plus any other string
    keys the manifest carries.  A broken manifest is reported in ``warnings``
    (when given) and otherwise ignored, so one bad file never stops a batch.
    """
    merged: dict[str, Any] = {}
    manifest = manifest_path(Path(path))
    if manifest.is_file():
        try:
            raw = json.loads(manifest.read_text("utf-8-sig"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            if warnings is not None:
                warnings.append(f"{manifest}: unreadable manifest ignored ({str(exc).splitlines()[0][:120]})")
        else:
            merged.update(_normalise(raw, manifest, warnings))
    if context is not None:
        if context.municipality:
            merged["municipality"] = context.municipality
        if context.committee:
            merged["committee"] = context.committee
        if context.meeting_date:
            merged["meeting_date"] = context.meeting_date
            start = merged.get("start")
            if isinstance(start, datetime) and start.date() != context.meeting_date:
                del merged["start"]
    return merged


def _normalise(raw: dict[str, Any], manifest: Path, warnings: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key == "meeting_date":
            parsed = parse_danish_datetime(str(value))
            if parsed is None:
                if warnings is not None:
                    warnings.append(f"{manifest}: meeting_date {value!r} is not a date; ignored")
                continue
            out["meeting_date"] = parsed.date()
            if any(sep in str(value) for sep in (":", "T", "kl")):
                out["start"] = parsed
        elif key == "kind":
            try:
                out["kind"] = MeetingKind(str(value).strip().lower())
            except ValueError:
                if warnings is not None:
                    warnings.append(f"{manifest}: kind {value!r} is neither dagsorden nor referat; ignored")
        elif isinstance(value, str):
            out[key] = value.strip()
        else:
            out[key] = value
    return out


def sidecar_start(meta: dict[str, Any]) -> datetime | None:
    """The meeting start the sidecar implies: its time when given, else midnight of its date."""
    start = meta.get("start")
    if isinstance(start, datetime):
        return start
    day = meta.get("meeting_date")
    if isinstance(day, date):
        return datetime(day.year, day.month, day.day)
    return None
