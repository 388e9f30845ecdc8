"""A case's treatments found by their text, on each engine: one row of a page, and the item page's history.

The seed item carries no case number, as the open dataset's rows do not: the same text under the
same title before the Økonomiudvalg two weeks later is the same case; a copy in another
municipality is another.
"""

from __future__ import annotations

from pathlib import Path

from indexer.model import Meeting
from indexer.search.service import SearchRequest
from tests.helpers import Opened, quiet_ingest, seed_meeting, write_jsonl


def _copies() -> tuple[Meeting, Meeting, Meeting]:
    first, later, elsewhere = seed_meeting(), seed_meeting(), seed_meeting()
    later.committee, later.start = "Økonomiudvalget", later.start.replace(day=19)
    elsewhere.municipality = "Syddjurs Kommune"
    for meeting in (later, elsewhere):
        meeting.finalise()
    assert first.items[0].case_number is None
    return first, later, elsewhere


def test_treatments_by_their_text(location: str, tmp_path: Path, opened: Opened) -> None:
    first, later, elsewhere = _copies()
    quiet_ingest([write_jsonl(tmp_path / "copies.jsonl", [first, later, elsewhere])], location)
    service = opened.service(location)
    # one row per municipality: the Norddjurs treatments folded, Syddjurs's copy its own
    response = service.search(SearchRequest(q="sociale medier"))
    assert response.total == 3
    rows = {r["municipality"]: [t["id"] for t in r.get("also_treated", [])] for r in response.results}
    assert len(response.results) == 2 and rows["Syddjurs Kommune"] == []
    assert sorted(
        [*rows["Norddjurs Kommune"], *(r["id"] for r in response.results if r["municipality"] == "Norddjurs Kommune")]
    ) == sorted([first.items[0].id, later.items[0].id])
    # the item page's history: the other treatment, either way; none for the other municipality's
    history = service.case_history(first.items[0].id)
    assert [(h["committee"], h["meeting_date"][:10]) for h in history] == [("Økonomiudvalget", "2022-12-19")]
    assert [h["committee"] for h in service.case_history(later.items[0].id)] == ["Områdeudvalget for Administrationen"]
    assert service.case_history(elsewhere.items[0].id) == []
