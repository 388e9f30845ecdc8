"""Build small indexes from real inputs for index and search tests."""

from __future__ import annotations

import copy
import io
import json
import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from indexer.cli import ingest
from indexer.engines.base import WriteSummary
from indexer.formats import IngestContext
from indexer.formats.agenda_text import parse as parse_agenda_text
from indexer.model import Access, Meeting, MeetingKind
from tests.conftest import SEED

NORDDJURS = IngestContext(municipality="Norddjurs Kommune")


class Opened:
    """Search services, engines and web apps a test opens over an index, closed when it ends
    (the ``opened`` fixture): a database's connection pool has threads of its own, and left to
    the garbage collector its ``__del__`` ran in one of them ("cannot join current thread")."""

    def __init__(self) -> None:
        self._closers: list[Callable[[], None]] = []

    def service(self, location: Any, **options: Any) -> Any:
        from indexer.search.service import SearchService

        service = SearchService(location, **options)
        self._closers.append(service.close)
        return service

    def engine(self, location: str, create: bool = False) -> Any:
        from indexer.engines import open_engine

        engine = open_engine(location, create=create)
        self._closers.append(engine.close)
        return engine

    def app(self, location: str) -> Any:
        from webui import close_app, create_app

        app = create_app({"INDEX_DIR": location, "TESTING": True})
        self._closers.append(lambda: close_app(app))
        return app

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()


def seed_meeting() -> Meeting:
    meetings = list(parse_agenda_text(SEED, NORDDJURS))
    assert len(meetings) == 1
    return meetings[0]


def write_jsonl(path: Path, meetings: list[Meeting]) -> Path:
    path.write_text("\n".join(json.dumps(m.to_dict(), ensure_ascii=False) for m in meetings) + "\n", "utf-8")
    return path


def variant(meeting: Meeting, **changes: object) -> Meeting:
    """A copy of a real meeting with some fields changed (a later meeting of the same case, say)."""
    clone = copy.deepcopy(meeting)
    for key, value in changes.items():
        setattr(clone, key, value)
    return clone.finalise()


def closed_copy(meeting: Meeting, secret: str) -> Meeting:
    """The seed item as a closed item, with a distinctive word planted in its text."""
    clone = copy.deepcopy(meeting)
    item = clone.items[0]
    item.access = Access.CLOSED
    item.title = f"{item.title} {secret}"
    for section in item.sections:
        section.text += f" {secret}"
    return clone.finalise()


def dagsorden_of(meeting: Meeting) -> Meeting:
    clone = copy.deepcopy(meeting)
    clone.kind = MeetingKind.DAGSORDEN
    for item in clone.items:
        item.decisions = []
        item.sections = [s for s in item.sections if s.kind.value != "decision"]
    return clone.finalise()


def quiet_ingest(paths: list[Path], root: Path | str, **kwargs: object) -> WriteSummary:
    """Ingest into an index location (a folder or a URL) without progress output."""
    return ingest(paths, root, stream=io.StringIO(), workers=1, **kwargs)  # type: ignore[arg-type]


def replace_keeping_deleted(root: Path, meeting: Meeting) -> None:
    """Replace the meeting's first item without rewriting its old segment, as an index written
    before ingest purged replaced documents holds it: a deleted document readers must skip."""
    from indexer.engines.whoosh.index import MinutesIndex
    from indexer.public import ensure_public

    index = MinutesIndex.open(root)
    public = ensure_public(meeting)
    writer = index._writer()
    writer.update_document(**index.document_for(public, public.items[0], 0, WriteSummary()))
    writer.commit(merge=False)


def twins_of_seed() -> list[Meeting]:
    """The seed's item again at three later meetings of three committees each: nine items of one
    text (so every engine scores them alike), three to a date, with ids of their own."""
    seed = seed_meeting()
    return [
        variant(seed, committee=committee, start=seed.start.replace(year=year))
        for year in (2023, 2019, 2024)
        for committee in ("Økonomiudvalget", "Teknisk Udvalg", "Børne- og Ungeudvalget")
    ]


def _meeting_start(hit: Any) -> datetime:
    """A hit's meeting start as engines sort by it: wall-clock time, undated as the earliest."""
    text = (hit.item.doc.get("meeting") or {}).get("start")
    if not text:
        return datetime.min
    if text.isdigit():  # a date known to the year only sorts at the start of its year
        return datetime(int(text), 1, 1)
    return datetime.fromisoformat(text).replace(tzinfo=None)


def tie_rule_order(hits: list[Any]) -> list[str]:
    """The ids of ``base.Hit``s in the order the engine contract puts them: higher score first,
    among scores alike (``alike``) the newest meeting (its wall-clock start; undated last), then the id."""
    ranked = sorted(hits, key=lambda hit: hit.item.id)
    ranked = sorted(ranked, key=_meeting_start, reverse=True)  # sorts are stable: equal starts keep id order
    ranked = sorted(ranked, key=lambda hit: -alike(hit.score))
    return [hit.item.id for hit in ranked]


def date_rule_order(hits: list[Any], newest_first: bool) -> list[str]:
    """The ids of ``base.Hit``s in the order the engine contract puts a date sort: by meeting
    start (newest or oldest first; undated last or first), then by meeting id, agenda position
    and item id, so a meeting's items come in agenda order."""
    ranked = sorted(hits, key=lambda hit: (hit.item.meeting_id, hit.item.position, hit.item.id))
    return [hit.item.id for hit in sorted(ranked, key=_meeting_start, reverse=newest_first)]


def alike(score: float | None) -> float:
    """A score as engines compare it for ties (``base.TIE_SCALE``)."""
    from indexer.engines.base import TIE_SCALE

    return math.floor(float(score or 0.0) * TIE_SCALE)


# Words only the planted titled-closed attachments hold (title, text), and the open controls'.
TITLED_CLOSED_WORDS = ("qzvluktitel", "qzvluktekst")
TITLED_OPEN_WORDS = ("qzvaabtitel", "qzvaabtekst")


def plant_titled_closed(folder: Path, marks: tuple[str, str] = ("Bilag 2 (lukket) -", "Notat - Lukket")) -> Path:
    """A meeting (JSON Lines, with text files) whose source states every attachment open, two of
    them titled closed (``marks``): "Bilag 2 (lukket) - …" between two open attachments with text,
    and the only attachment of a second item.  What an index made before round 32 (which did not
    close an attachment by its title) published in full: title, text and file."""
    folder.mkdir(parents=True, exist_ok=True)
    title, text = TITLED_CLOSED_WORDS
    open_title, open_text = TITLED_OPEN_WORDS
    files = {
        "kort.txt": f"Kort over området {open_text} med stier og veje.",
        "personale.txt": f"Personalesagen {text} om en navngiven medarbejder.\n\nAfsnit to {text}.",
        "budget.txt": f"Budgetnotat {open_text} for 2024.",
    }
    for name, content in files.items():
        (folder / name).write_text(content, "utf-8")
    meeting = {
        "municipality": "Favrskov Kommune",
        "committee": "Økonomiudvalget",
        "start": "2024-04-02T16:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": "1",
                "title": "Stier i området",
                "access": "open",
                "sections": [
                    {"heading": "Sagsfremstilling", "text": "Stierne i området er gennemgået.", "access": "open"}
                ],
                "attachments": [
                    {"number": "1", "title": f"Bilag 1 - Kort {open_title}", "access": "open", "file": "kort.txt"},
                    {
                        "number": "2",
                        "title": f"{marks[0]} Personalesag {title}",
                        "access": "open",
                        "file": "personale.txt",
                    },
                    {"number": "3", "title": f"Bilag 3 - Budget {open_title}", "access": "open", "file": "budget.txt"},
                ],
            },
            {
                "number": "2",
                "title": "Personaleforhold",
                "access": "open",
                "sections": [
                    {"heading": "Sagsfremstilling", "text": "Orientering om personaleforhold.", "access": "open"}
                ],
                "attachments": [
                    {"number": "1", "title": f"{marks[1]} {title}", "access": "open", "file": "personale.txt"},
                ],
            },
        ],
    }
    path = folder / "moede.jsonl"
    path.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    return path
