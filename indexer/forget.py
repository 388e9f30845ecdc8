"""Take-downs: ``minutes forget ITEM_ID|MEETING_ID … --reason …``.

A citizen's request under the GDPR, or a publishing mistake: the item (or every
item of the meeting) leaves the index, its segments are rewritten so no posting
or stored field of it stays on disk, and its archived files and cached text are
deleted unless another open item refers to them.  The take-down is recorded in
``forgotten.json`` beside the index — id, time and reason, never any content —
and the closed-content boundary (``indexer.public``) leaves those ids out of
every later ingest, so re-importing the same source does not bring them back
unless the operator passes ``--allow-forgotten``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REGISTRY = "forgotten.json"


@dataclass
class TakeDown:
    id: str
    kind: str  # "item" | "meeting" | "unknown" (not in the index when forgotten)
    at: str  # ISO 8601, UTC
    reason: str
    items_removed: int = 0


class Registry:
    """The take-downs recorded for one index folder."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / REGISTRY

    def entries(self) -> list[TakeDown]:
        try:
            data: Any = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except ValueError as exc:
            raise ValueError(f"{self.path}: not valid JSON ({exc}); fix or restore it before ingesting") from exc
        return [TakeDown(**entry) for entry in data if isinstance(entry, dict)]

    def ids(self) -> frozenset[str]:
        return frozenset(entry.id for entry in self.entries())

    def add(self, entries: list[TakeDown]) -> None:
        known = {e.id: e for e in self.entries()}
        for entry in entries:
            known[entry.id] = entry
        self._write(list(known.values()))

    def remove(self, ids: set[str]) -> list[TakeDown]:
        entries = self.entries()
        gone = [e for e in entries if e.id in ids]
        if gone:
            self._write([e for e in entries if e.id not in ids])
        return gone

    def _write(self, entries: list[TakeDown]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{REGISTRY}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(self.path)


def record(registry: Any, entries: list[TakeDown]) -> dict[str, TakeDown]:
    """Add ``entries`` to ``registry`` (``forgotten.json`` or the database's table), except an id
    found nowhere now that is recorded already: a repeated ``minutes forget`` would replace when,
    why and what its take-down removed with "unknown" and the new reason.  Those earlier records
    are kept, and returned by id for the command to say so."""
    known = {entry.id: entry for entry in registry.entries()}
    kept = {e.id: known[e.id] for e in entries if e.kind == "unknown" and e.id in known}
    registry.add([e for e in entries if e.id not in kept])
    return kept


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
