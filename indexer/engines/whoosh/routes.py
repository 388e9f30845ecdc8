"""Route abbreviations and defined abbreviations learnt at ingest, kept beside the Whoosh index
they were learnt from.

Each generation folder holds ``routes.json``: the open items' route evidence
(``indexer.analysis.bodies.RouteEvidence``) and the tables learnt from it (routes, and the
abbreviations the text defines: ``definitions.py``), stamped with
the Whoosh generation (table of contents) it describes.  Every commit made through
``MinutesIndex`` updates it right after the commit, from the items the commit added,
replaced and removed.  A reader uses it only when the stamp is its own generation; any
other state (a crash between commit and file, a commit made elsewhere, an older version's
evidence) reads as "nothing learnt" and the next write recounts from the stored items.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from indexer.analysis.bodies import DefinitionTable, RouteEvidence, RouteTable

ROUTES_FILE = "routes.json"

# One change to the evidence: an item's stored fields, counted in (1) or out (-1).
Change = tuple[dict[str, Any], int]


def folder_of(ix: Any) -> Path | None:
    """The folder of a Whoosh index's files (None for an index not kept in a folder)."""
    folder = getattr(getattr(ix, "storage", None), "folder", None)
    return Path(folder) if folder else None


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / ROUTES_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load(folder: Path | None, generation: int | None) -> RouteEvidence | None:
    """The evidence of exactly this generation, or None."""
    data = _read(folder) if folder is not None else None
    if data is None or generation is None or data.get("generation") != generation:
        return None
    return RouteEvidence.from_json(data.get("evidence"))


def learnt(folder: Path | None, generation: int | None) -> RouteTable | None:
    """The learnt table of exactly this generation, or None (a reader then learns nothing)."""
    data = _read(folder) if folder is not None else None
    if data is None or generation is None or data.get("generation") != generation:
        return None
    if RouteEvidence.from_json(data.get("evidence")) is None:
        return None
    table = data.get("table")
    return table if isinstance(table, dict) else None


def learnt_definitions(folder: Path | None, generation: int | None) -> DefinitionTable | None:
    """The abbreviations the open text defines, learnt for exactly this generation, or None."""
    data = _read(folder) if folder is not None else None
    if data is None or generation is None or data.get("generation") != generation:
        return None
    if RouteEvidence.from_json(data.get("evidence")) is None:
        return None
    table = data.get("definitions")
    return table if isinstance(table, dict) else None


def recount(searcher: Any) -> RouteEvidence:
    """The evidence of every open item, read from the stored fields (a first write, or a repair)."""
    evidence = RouteEvidence()
    for fields in searcher.all_stored_fields():
        evidence.count_stored(fields)
    return evidence


def save(folder: Path | None, evidence: RouteEvidence, generation: int) -> None:
    """Write the evidence and its table for ``generation`` (atomically: a reader sees the
    old file or the new one)."""
    if folder is None:
        return
    data = {
        "generation": generation,
        "evidence": evidence.to_json(),
        "table": evidence.learn(),
        "definitions": evidence.learn_definitions(),
    }
    tmp = folder / f".{ROUTES_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, folder / ROUTES_FILE)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
