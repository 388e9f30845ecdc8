"""Shared pieces of the harvester tests: the portal, a quick harvest, an index dump to compare."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from indexer.cli import ingest
from indexer.engines.whoosh.index import IngestSummary, MinutesIndex
from indexer.formats import IngestContext
from indexer.harvest.client import Politeness
from indexer.harvest.firstagenda import HarvestOptions, HarvestSummary, harvest
from tests.harvest.portal import GREVE

CONTACT = "harvest-tests@example.invalid"


def fast(**changes: Any) -> Politeness:
    """Politeness for loopback tests: no rate limit, quick backoff and timeouts."""
    settings: dict[str, Any] = {"contact": CONTACT, "rate": 0, "backoff": 0.001, "timeout": 5.0, "retries": 2}
    settings.update(changes)
    return Politeness(**settings)


def run(base: str, root: Path, politeness: Politeness | None = None, **options: Any) -> HarvestSummary:
    options.setdefault("attachments", False)
    return harvest(base, root, politeness or fast(), HarvestOptions(**options), stream=io.StringIO())


def documents(*prefixes: str) -> list[Path]:
    found = sorted(GREVE.glob("*.json"))
    if not prefixes:
        return found
    return [p for p in found if p.name.startswith(prefixes)]


def subset() -> list[Path]:
    """Eleven meetings, every committee once (its shortest meeting) plus Økonomiudvalget 10-04-2024
    (27 items, 4 closed): small enough to ingest several times in a test."""
    shortest: dict[str, tuple[int, Path]] = {}
    for path in documents():
        document = json.loads(path.read_bytes())
        committee, size = document["Udvalg"]["Navn"], len(document["Dagsordenpunkter"])
        if committee not in shortest or size < shortest[committee][0]:
            shortest[committee] = (size, path)
    chosen = [path for _, path in shortest.values()]
    chosen += documents("Økonomiudvalget_2024-04-10")
    return sorted(set(chosen))


def ingest_directly(paths: list[Path], root: Path, context: IngestContext | None = None) -> IngestSummary:
    return ingest(paths, root, context or IngestContext(), "firstagenda", workers=1, stream=io.StringIO())


_HOST = re.compile(r"^https?://[^/]+")


def dump(root: Path) -> dict[str, dict[str, Any]]:
    """Every stored document by id, with attachment links reduced to their path (the host
    is the portal's — the real one in the files, 127.0.0.1 in a harvest)."""
    out: dict[str, dict[str, Any]] = {}
    for stored in MinutesIndex.open(root).iter_stored():
        fields = dict(stored)
        doc = json.loads(fields.pop("doc"))
        for attachment in doc.get("attachments", []):
            if attachment.get("source_url"):
                attachment["source_url"] = _HOST.sub("", attachment["source_url"])
        fields["doc"] = doc
        out[fields["id"]] = fields
    return out


def meeting_id_of(path: Path) -> str:
    return str(json.loads(path.read_bytes())["Id"])


# The meeting the default ``portal`` fixture serves (tests/harvest/conftest.py): four items with
# attachments, one of them closed.
ONE_MEETING = documents("Social- og Handicapudvalget_2024-01-08")[0]
