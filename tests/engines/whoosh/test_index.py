"""Index behaviour on the seed and the corpus: ids, updates, closed content, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.engines.whoosh.index import IndexCorrupt, IndexMissing, MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED
from tests.helpers import NORDDJURS, closed_copy, dagsorden_of, quiet_ingest, seed_meeting, write_jsonl


def all_ids(root: Path) -> list[str]:
    index = MinutesIndex.open(root)
    return sorted(f["id"] for f in index.iter_stored())


def test_reingesting_the_seed_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    first = quiet_ingest([SEED], root, context=NORDDJURS)
    assert (first.items_added, first.items_updated) == (1, 0)
    ids = all_ids(root)
    second = quiet_ingest([SEED], root, context=NORDDJURS)
    assert (second.items_added, second.items_updated, second.items_skipped) == (0, 0, 1)
    assert all_ids(root) == ids


def test_referat_supersedes_dagsorden_and_not_the_other_way(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    referat = seed_meeting()
    dagsorden = dagsorden_of(referat)
    assert dagsorden.items[0].id == referat.items[0].id  # one meeting, one item
    quiet_ingest([write_jsonl(tmp_path / "dagsorden.jsonl", [dagsorden])], root)
    service = SearchService(root)
    assert service.get_item(referat.items[0].id)["type"] == "dagsorden"
    summary = quiet_ingest([write_jsonl(tmp_path / "referat.jsonl", [referat])], root)
    assert summary.items_updated == 1
    item = SearchService(root).get_item(referat.items[0].id)
    assert item["type"] == "referat"
    assert "anerkender arbejdet med guiden" in item["decision"]
    # An older dagsorden ingested again never replaces the referat.
    again = quiet_ingest([tmp_path / "dagsorden.jsonl"], root)
    assert again.items_skipped == 1
    assert SearchService(root).get_item(referat.items[0].id)["type"] == "referat"
    assert len(all_ids(root)) == 1


def test_closed_item_is_a_stub_without_text(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    secret = "hemmeligord"
    closed = closed_copy(seed_meeting(), secret)
    summary = quiet_ingest([write_jsonl(tmp_path / "closed.jsonl", [closed])], root)
    assert summary.closed_items == 1
    index = MinutesIndex.open(root)
    (stored,) = list(index.iter_stored())
    assert stored["access"] == "closed"
    assert secret not in json.dumps(stored, ensure_ascii=False, default=str)
    assert "Sociale medier" not in json.dumps(stored, ensure_ascii=False, default=str)
    with index.ix.reader() as reader:
        for fieldname in index.ix.schema.names():
            if index.ix.schema[fieldname].indexed:
                terms = [
                    t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t) for t in reader.lexicon(fieldname)
                ]
                assert not any(secret in t for t in terms), fieldname
    service = SearchService(root)
    assert service.get_item(closed.items[0].id) is None
    assert service.search(SearchRequest(q="")).total == 0
    assert service.search(SearchRequest(q="sociale medier")).total == 0


def test_bad_file_among_good_ones_is_named_and_the_rest_indexed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "minutes.json").write_text('{"municipality": "Norddjurs Kommune"}', "utf-8")
    (folder / "garbage.xml").write_bytes(b"<Publication><Meeting>\x00\x01 truncated")
    (folder / "notes.bin").write_bytes(bytes(range(256)))
    root = tmp_path / "ix"
    code = main(["ingest", str(folder), "--index", str(root)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "garbage.xml" in err and "notes.bin" in err
    assert all(line.startswith(("rejected: ", "warning: ")) for line in err.strip().splitlines())
    assert "items added: 1" in out
    assert SearchService(root).search(SearchRequest(q="sociale medier")).total == 1


def test_missing_index_is_reported_not_created(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing):
        SearchService(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_broken_index_is_reported_never_recreated(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    live = MinutesIndex.live_dir(root).resolve()
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match="reindex"):
        MinutesIndex.open(root)
    assert list(live.glob("*.toc"))  # nothing was silently replaced


def test_reindex_rebuilds_from_recorded_sources_and_swaps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ix"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    assert main(["ingest", str(folder), "--index", str(root), "--municipality", "Norddjurs Kommune"]) == 0
    before = MinutesIndex.live_dir(root).resolve()
    ids = all_ids(root)
    service = SearchService(root)  # a reader open across the swap
    assert main(["reindex", "--index", str(root)]) == 0
    after = MinutesIndex.live_dir(root).resolve()
    assert after != before and not before.exists()
    assert all_ids(root) == ids
    hit = service.search(SearchRequest(q="sociale medier")).results[0]
    assert hit["municipality"] == "Norddjurs Kommune"
    capsys.readouterr()


def test_segments_are_separate_files_read_through_the_page_cache(tmp_path: Path) -> None:
    # A compound segment would be copied into memory by every searcher (one per server thread).
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    live = MinutesIndex.live_dir(root).resolve()
    names = [p.name for p in live.iterdir()]
    assert not any(name.endswith(".seg") for name in names)
    assert any(name.endswith(".pst") for name in names)
