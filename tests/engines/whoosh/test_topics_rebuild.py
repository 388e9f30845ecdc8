"""`minutes topics load/rebuild` re-classifies stored items in place, with no re-ingest."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.helpers import quiet_ingest, seed_meeting, write_jsonl

KLE_FIXTURE = Path(__file__).resolve().parents[2] / "topics" / "fixtures" / "kle-emneplan-invented.xml"


def test_topics_load_reclassifies_without_reingest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = seed_meeting()
    festival = copy.deepcopy(seed.items[0])
    festival.number, festival.title, festival.case_number = "2", "Jonglørtræf på torvet", None
    for section in festival.sections:
        section.text = "Ansøgning om jonglørtræf i sommerferien."
    seed.items.append(festival)
    seed.finalise()
    root = tmp_path / "ix"
    quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [seed])], root)
    before = SearchService(root)
    festival_id = seed.items[1].id
    assert not any(t["source"] == "kle-file" for t in before.get_item(festival_id)["topics"])

    assert main(["topics", "load", str(KLE_FIXTURE), "--index", str(root)]) == 0
    assert "item(s) changed" in capsys.readouterr().out

    after = SearchService(root)
    topics = after.get_item(festival_id)["topics"]
    assert topics[0]["code"] == "20" and topics[0]["source"] == "kle-file"
    # Every other field still searches as before: the document was rebuilt whole.
    assert [r["id"] for r in after.search(SearchRequest(q="jonglørtræf")).results] == [festival_id]
    assert after.search(SearchRequest(q='"guide til arbejdspladser"')).total == 1
    assert [r["id"] for r in after.search(SearchRequest(q="", topic=["20"])).results] == [festival_id]
    assert {"value": "20", "count": 1, "selected": False} in after.search(SearchRequest(q="")).facets["topic"]
    assert after.search(SearchRequest(q="emne:20")).total == 1

    # Running it again changes nothing.
    assert main(["topics", "rebuild", "--index", str(root)]) == 0
    assert "0 item(s) changed" in capsys.readouterr().out
