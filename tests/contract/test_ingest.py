"""Writing, for every engine: idempotent re-import, referat over dagsorden, closed stubs,
deletes, bad files among good ones, and reindex that swaps in a whole new index."""

from __future__ import annotations

import contextlib
import copy
import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.engines import open_engine
from indexer.engines.base import EngineMissing
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED
from tests.contract.engines import NOT_THERE, EngineFactory
from tests.helpers import NORDDJURS, Opened, closed_copy, dagsorden_of, quiet_ingest, seed_meeting, variant, write_jsonl


def all_ids(location: str) -> list[str]:
    with contextlib.closing(open_engine(location)) as engine:
        return sorted(item.id for item in engine.iter_items())


def test_an_index_that_is_not_there_is_reported_not_created(engine_factory: EngineFactory, tmp_path: Path) -> None:
    """A folder says to ingest, a database to run ``minutes db init``; neither is created by a read."""
    location = NOT_THERE[engine_factory](tmp_path)
    with pytest.raises(EngineMissing, match=r"minutes (ingest|db init)"):
        open_engine(location)
    with pytest.raises(EngineMissing):
        SearchService(location)
    assert main(["search", "budget", "--index", location]) == 2
    with pytest.raises(EngineMissing):
        open_engine(location)  # still nothing there


def test_reingesting_the_seed_changes_nothing(location: str, opened: Opened) -> None:
    first = quiet_ingest([SEED], location, context=NORDDJURS)
    assert (first.items_added, first.items_updated) == (1, 0)
    ids = all_ids(location)
    second = quiet_ingest([SEED], location, context=NORDDJURS)
    assert (second.items_added, second.items_updated, second.items_skipped) == (0, 0, 1)
    assert all_ids(location) == ids
    assert opened.service(location).search(SearchRequest(q="sociale medier")).total == 1


def test_referat_supersedes_dagsorden_and_not_the_other_way(location: str, tmp_path: Path, opened: Opened) -> None:
    referat = seed_meeting()
    dagsorden = dagsorden_of(referat)
    assert dagsorden.items[0].id == referat.items[0].id  # one meeting, one item
    quiet_ingest([write_jsonl(tmp_path / "dagsorden.jsonl", [dagsorden])], location)
    assert opened.service(location).get_item(referat.items[0].id)["type"] == "dagsorden"
    summary = quiet_ingest([write_jsonl(tmp_path / "referat.jsonl", [referat])], location)
    assert summary.items_updated == 1
    item = opened.service(location).get_item(referat.items[0].id)
    assert item["type"] == "referat"
    assert "anerkender arbejdet med guiden" in item["decision"]
    # An older dagsorden ingested again never replaces the referat.
    again = quiet_ingest([tmp_path / "dagsorden.jsonl"], location)
    assert again.items_skipped == 1
    assert opened.service(location).get_item(referat.items[0].id)["type"] == "referat"
    assert len(all_ids(location)) == 1


def test_a_closed_item_is_a_stub_that_no_search_finds(location: str, tmp_path: Path, opened: Opened) -> None:
    secret = "hemmeligord"
    closed = closed_copy(seed_meeting(), secret)
    summary = quiet_ingest([write_jsonl(tmp_path / "closed.jsonl", [closed])], location)
    assert summary.closed_items == 1
    (stored,) = list(opened.engine(location).iter_items())
    assert stored.access == "closed" and stored.texts == {}
    assert secret not in repr(stored) and "Sociale medier" not in repr(stored)
    service = opened.service(location)
    assert service.get_item(closed.items[0].id) is None
    assert service.search(SearchRequest(q="")).total == 0
    assert service.search(SearchRequest(q=secret)).total == 0
    assert service.search(SearchRequest(q="sociale medier")).total == 0
    assert [i["title"] for i in service.meeting_items(closed.id)] == ["Lukket punkt"]
    assert service.stats()["closed_items"] == 1 and service.stats()["open_items"] == 0


def test_delete_items_and_meetings(location: str, tmp_path: Path, opened: Opened) -> None:
    seed = seed_meeting()
    later = variant(seed, committee="Økonomiudvalget", start=seed.start.replace(year=2023))
    quiet_ingest([write_jsonl(tmp_path / "two.jsonl", [seed, later])], location)
    engine = opened.engine(location)  # the services below share it
    assert SearchService(engine).search(SearchRequest(q="sociale medier")).total == 2
    with engine.writing():
        assert engine.delete_items([later.items[0].id, "no-such-item"]) == 1
    engine.refresh()
    assert SearchService(engine).search(SearchRequest(q="sociale medier")).total == 1
    with engine.writing():
        assert engine.delete_meetings([seed.id]) == 1
    engine.refresh()
    assert SearchService(engine).search(SearchRequest(q="")).total == 0
    assert engine.item(seed.items[0].id) is None


def test_bad_file_among_good_ones_is_named_and_the_rest_indexed(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: Opened
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "minutes.json").write_text('{"municipality": "Norddjurs Kommune"}', "utf-8")
    (folder / "garbage.xml").write_bytes(b"<Publication><Meeting>\x00\x01 truncated")
    (folder / "notes.bin").write_bytes(bytes(range(256)))
    code = main(["ingest", str(folder), "--index", location])
    out, err = capsys.readouterr()
    assert code == 1
    assert "garbage.xml" in err and "notes.bin" in err
    assert all(line.startswith(("rejected: ", "warning: ")) for line in err.strip().splitlines())
    assert "items added: 1" in out
    assert opened.service(location).search(SearchRequest(q="sociale medier")).total == 1


def test_reindex_rebuilds_from_recorded_sources(
    location: str, capsys: pytest.CaptureFixture[str], opened: Opened
) -> None:
    quiet_ingest([SEED], location, context=NORDDJURS)
    service = opened.service(location)
    before = service.search(SearchRequest(q="sociale medier")).results
    assert main(["reindex", "--index", location]) == 0
    assert "reindex complete" in capsys.readouterr().out
    service.engine.refresh()
    after = service.search(SearchRequest(q="sociale medier")).results
    assert [r["id"] for r in after] == [r["id"] for r in before]
    assert after[0]["municipality"] == "Norddjurs Kommune"  # the recorded context was used again


def test_items_a_later_copy_of_a_meeting_leaves_out_are_counted_and_warned(
    location: str, tmp_path: Path, opened: Opened
) -> None:
    """Two copies of one referat in one ingest, the second a partial one (a 6-page scan of a
    21-item referat): the later copy defines the items, and the rest were never indexed with
    nothing said but "unchanged/skipped".  They are counted apart, and a copy of the same kind
    that drops most of a meeting's items is warned about, naming both files."""
    seed = seed_meeting()
    items = []
    for n in range(1, 9):
        item = copy.deepcopy(seed.items[0])
        item.number, item.id, item.title = str(n), "", f"Punkt {n}"
        items.append(item)
    full = variant(seed, items=items, source="referat.pdf", partial=False)  # the seed is one item copied out
    scan = variant(full, items=copy.deepcopy(full.items[:2]), source="scanned-referat.pdf")
    folder = tmp_path / "copies"
    folder.mkdir()
    write_jsonl(folder / "1-full.jsonl", [full])
    write_jsonl(folder / "2-scan.jsonl", [scan])
    summary = quiet_ingest([folder], location)
    assert (summary.items_added, summary.items_lost, summary.items_skipped) == (2, 6, 2)
    [warning] = [w for w in summary.warnings if "not indexed" in w]
    assert "lists 2 of the 8 items" in warning and "the other 6 are not indexed" in warning
    assert len(opened.engine(location).sources()) == 1
    assert sorted(item.title for item in opened.engine(location).iter_items()) == ["Punkt 1", "Punkt 2"]
