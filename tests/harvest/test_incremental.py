"""`minutes harvest` against a local portal serving the 189 recorded Greve meetings.

Done-when of the harvester: the harvest builds the same index as ingesting the files
directly; a second run fetches nothing; after the portal changes one meeting, a third
run fetches only it.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.formats import IngestContext
from indexer.search.service import SearchRequest, SearchService
from tests.harvest.helpers import documents, dump, fast, ingest_directly, meeting_id_of, run, subset
from tests.harvest.portal import Portal

ALL = documents()
SUBSET = subset()
OEKONOMI = next(p for p in ALL if p.name.startswith("Økonomiudvalget_2024-04-10"))


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("direct") / "ix"
    summary = ingest_directly(SUBSET, root)
    assert summary.rejected == []
    return dump(root)


@pytest.fixture()
def portal() -> Iterator[Portal]:
    served = Portal(SUBSET)
    served.start()
    yield served
    served.stop()


def test_same_index_as_direct_ingest_then_nothing_then_only_the_changed_meeting(
    portal: Portal, direct: dict[str, dict], tmp_path: Path
) -> None:
    root = tmp_path / "ix"
    base = portal.url

    first = run(base, root)
    assert (first.meetings_seen, first.new, first.changed, first.unchanged, first.failed) == (11, 11, 0, 0, 0)
    assert first.problems == []
    harvested = dump(root)
    assert len(harvested) == len(direct) == 62
    assert harvested == direct
    assert sum(1 for d in harvested.values() if d["access"] == "closed") == 5
    assert len(portal.served("/api/agenda/dagsorden/")) == 11
    assert not portal.served("/vis/pdf/bilag/", status=None)  # --no-attachments

    # Second run: every meeting is asked for with its validators and answered 304.
    before = len(portal.hits)
    second = run(base, root)
    new_hits = portal.hits[before:]
    assert (second.new, second.changed, second.unchanged, second.failed) == (0, 0, 11, 0)
    assert [h for h in new_hits if h.path.startswith("/api/agenda/dagsorden/") and h.status == 200] == []
    assert sum(1 for h in new_hits if h.status == 304) == 11
    assert all(h.conditional for h in new_hits if h.path.startswith("/api/agenda/dagsorden/"))
    assert second.ingest.items_added == second.ingest.items_updated == 0
    assert dump(root) == direct

    # The portal publishes a new version of one meeting: only it is fetched and re-indexed.
    ident = meeting_id_of(OEKONOMI)

    def amend(document: dict) -> None:
        point = document["Dagsordenpunkter"][1]
        point["Felter"][0]["Html"] = point["Felter"][0]["Html"].replace(
            "Sagen blev drøftet.", "Sagen blev drøftet grundigt og udsat til augustmødet."
        )

    portal.change(ident, amend)
    before = len(portal.hits)
    third = run(base, root)
    fetched = [h.path for h in portal.hits[before:] if h.path.startswith("/api/agenda/dagsorden/") and h.status == 200]
    assert fetched == [f"/api/agenda/dagsorden/{ident}"]
    assert (third.new, third.changed, third.unchanged, third.failed) == (0, 1, 10, 0)
    assert (third.ingest.items_updated, third.ingest.items_added) == (1, 0)
    hits = SearchService(root).search(SearchRequest(q='"udsat til augustmødet"'))
    assert [h["title"] for h in hits.results] == ["Ledelse i Greve Kommune"]
    after = dump(root)
    changed = [k for k in after if after[k] != direct[k]]
    assert len(changed) == 1 and after[changed[0]]["title"] == "Ledelse i Greve Kommune"


@pytest.mark.slow
def test_all_189_meetings_harvest_to_the_same_index_as_direct_ingest(tmp_path: Path) -> None:
    portal = Portal(ALL)
    base = portal.start()
    try:
        ingest_directly(ALL, tmp_path / "direct")
        first = run(base, tmp_path / "ix", fast(timeout=10.0))
        assert (first.meetings_seen, first.new, first.failed) == (189, 189, 0)
        harvested = dump(tmp_path / "ix")
        assert len(harvested) == 2991
        assert sum(1 for d in harvested.values() if d["access"] == "closed") == 216
        assert harvested == dump(tmp_path / "direct")
        second = run(base, tmp_path / "ix", fast(timeout=10.0))
        assert (second.unchanged, second.ingest.items_added, second.ingest.items_updated) == (189, 0, 0)
    finally:
        portal.stop()


def test_portal_without_validators_costs_bodies_but_ingests_nothing(tmp_path: Path) -> None:
    portal = Portal(documents("Social- og Handicapudvalget_2024"), validators=False)
    base = portal.start()
    try:
        root = tmp_path / "ix"
        first = run(base, root)
        assert first.new == 5
        before = dump(root)
        second = run(base, root)
        assert (second.new, second.changed, second.unchanged) == (0, 0, 5)
        assert second.ingest.items_added == second.ingest.items_updated == 0
        assert dump(root) == before
    finally:
        portal.stop()


def test_since_and_committee_select_meetings(tmp_path: Path) -> None:
    portal = Portal(ALL)
    base = portal.start()
    try:
        from datetime import date

        summary = run(
            base, tmp_path / "ix", since=date(2024, 1, 1), committees=["Social- og Handicapudvalget", "Byråd 2022-2025"]
        )
        expected = [
            p
            for p in ALL
            if p.name.startswith(("Social- og Handicapudvalget_", "Byråd 2022-2025_"))
            and p.name.split("_")[1] >= "2024"
        ]
        assert summary.meetings_seen == summary.new == len(expected) > 5
        assert len(portal.served("/api/agenda/dagsorden/")) == len(expected)
    finally:
        portal.stop()


def test_stored_documents_hold_no_closed_content_and_reindex_reads_them(tmp_path: Path) -> None:
    portal = Portal([OEKONOMI])
    base = portal.start()
    try:
        root = tmp_path / "ix"
        run(base, root)
    finally:
        portal.stop()
    raw = json.loads(OEKONOMI.read_text("utf-8"))
    closed_words = [
        p["Caption"][len("Lukket: ") :].strip() for p in raw["Dagsordenpunkter"] if p["Caption"].startswith("Lukket: ")
    ]
    assert len(closed_words) == 4
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".txt"):
            text = path.read_text("utf-8", errors="replace")
            for words in closed_words:
                assert words not in text, (path, words)
    # The stored, redacted documents are the recorded source: a direct ingest of them is the same index.
    copy = tmp_path / "again"
    shutil.copytree(root / "harvest", copy)
    stored = sorted(copy.rglob("meetings/*.json"))
    assert len(stored) == 1
    ingest_directly(stored, tmp_path / "ix2", IngestContext())
    assert dump(tmp_path / "ix2") == dump(root)
    # And `minutes reindex` rebuilds the harvested index from them.
    before = dump(root)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["reindex", "--index", str(root)]) == 0
    assert dump(root) == before


def meeting_of(stored: dict[str, dict]) -> str:
    """The meeting id of Økonomiudvalget 10-04-2024 among stored items."""
    return next(d["meeting_id"] for d in stored.values() if d["title"] == "Ledelse i Greve Kommune")


def test_a_dagsorden_that_becomes_a_referat_with_an_added_item(
    portal: Portal, direct: dict[str, dict], tmp_path: Path
) -> None:
    """The portal first publishes Økonomiudvalget 10-04-2024 as a dagsorden (not ``Afsluttet``, no
    "Beslutning" sections, one item not yet on it); later the referat, the real recorded document.
    Only that meeting is fetched again, and the index ends as a direct ingest of the referat."""

    ident = meeting_id_of(OEKONOMI)
    referat = json.loads(OEKONOMI.read_bytes())

    def as_dagsorden(document: dict) -> None:
        document["Moede"]["Afsluttet"] = False
        document["Dagsordenpunkter"] = [
            p for p in document["Dagsordenpunkter"] if p["Caption"] != "Befolkningsprognose 2024"
        ]
        for point in document["Dagsordenpunkter"]:
            for field in point["Felter"]:
                field["Html"] = re.sub(r"<div><h3>Beslutning</h3>.*?</div>", "", field["Html"], flags=re.S)

    portal.change(ident, as_dagsorden)
    root = tmp_path / "ix"
    first = run(portal.url, root)
    assert (first.new, first.failed) == (11, 0)
    service = SearchService(root)
    assert service.search(SearchRequest(q="Befolkningsprognose")).total == 0
    assert service.search(SearchRequest(q='"Sagen blev drøftet"')).total == 0  # item 2's decision
    dagsorden = dump(root)
    assert len(dagsorden) == 61
    assert sorted({d["kind"] for d in dagsorden.values() if d["meeting_id"] == meeting_of(dagsorden)}) == ["dagsorden"]

    portal.change(ident, lambda document: document.update(copy.deepcopy(referat)))
    before = len(portal.hits)
    second = run(portal.url, root)
    fetched = [h.path for h in portal.hits[before:] if h.path.startswith("/api/agenda/dagsorden/") and h.status == 200]
    assert fetched == [f"/api/agenda/dagsorden/{ident}"]
    assert (second.changed, second.unchanged, second.failed) == (1, 10, 0)
    assert (second.ingest.items_added, second.ingest.items_updated) == (1, 26)  # the added item; the rest now referat
    service = SearchService(root)
    assert service.search(SearchRequest(q="Befolkningsprognose")).total == 1
    assert [h["title"] for h in service.search(SearchRequest(q='"Sagen blev drøftet"')).results] == [
        "Ledelse i Greve Kommune"
    ]
    assert dump(root) == direct
