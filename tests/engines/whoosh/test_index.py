"""What only the embedded index shows: its lexicon, its folder, its swap.  Re-import, referat over
dagsorden and bad files among good ones are in the engine contract suite (tests/contract/), which
runs on this engine too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate_corpus import write_corpus
from indexer import workers
from indexer.cli import main
from indexer.engines.whoosh import index as index_module
from indexer.engines.whoosh.index import IndexCorrupt, IndexMissing, MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, REPO, SEED
from tests.helpers import NORDDJURS, closed_copy, quiet_ingest, seed_meeting, variant, write_jsonl


def all_ids(root: Path) -> list[str]:
    index = MinutesIndex.open(root)
    return sorted(f["id"] for f in index.iter_stored())


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


def test_a_table_deleted_by_a_commit_meanwhile_is_no_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit deletes the table of contents a reader has just listed: the reader opens the newer one."""
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    real_open = index_module._open_whoosh
    calls: list[Path] = []

    def open_after_a_commit(folder: Path) -> object:
        calls.append(folder)
        if len(calls) < 3:  # the table this reader listed is gone
            raise FileNotFoundError(2, "No such file or directory", str(folder / "_MAIN_1.toc"))
        return real_open(folder)

    monkeypatch.setattr(index_module, "_open_whoosh", open_after_a_commit)
    assert MinutesIndex.open(root).doc_count() > 0
    assert len(calls) == 3


def test_a_table_that_stays_missing_is_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)

    def always_missing(folder: Path) -> object:
        raise FileNotFoundError(2, "No such file or directory", str(folder / "_MAIN_1.toc"))

    monkeypatch.setattr(index_module, "_open_whoosh", always_missing)
    with pytest.raises(IndexCorrupt, match="reindex"):
        MinutesIndex.open(root)


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


def test_reindex_writes_in_the_batches_of_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rebuild commits as ``minutes ingest`` did ($MINUTES_BATCH_SIZE items a batch, two
    segments each by the forked writers) and leaves the same segments: it wrote in smaller
    batches once, so more segments, and the tiered merge then rewrote every item again."""
    monkeypatch.setenv("MINUTES_BATCH_SIZE", "400")
    root = tmp_path / "ix"
    write_corpus(tmp_path / "in", 1200, items_per_file=200, csv_path=CORPUS_CSV, seed=3)
    assert main(["ingest", str(tmp_path / "in"), "--index", str(root), "--workers", "1"]) == 0
    ingested = len(MinutesIndex.open(root).ix._segments())
    ids = all_ids(root)
    assert ingested >= 5  # three batches of two files (400 items or so), the larger ones two segments
    assert main(["reindex", "--index", str(root)]) == 0
    assert len(MinutesIndex.open(root).ix._segments()) == ingested
    assert all_ids(root) == ids
    capsys.readouterr()


def answers(root: Path) -> list[tuple[int, list[str]]]:
    """Each of a few searches and the browse: its total and every item it finds, all pages read.
    The items' order is not compared: items of equal score keep the order of the segments that
    hold them, and a reindex lays the segments out anew."""
    service = SearchService(root)
    try:
        found = []
        for q in ("kommune", "skole budget", ""):
            first = service.search(SearchRequest(q=q, per_page=100))
            ids = [hit["id"] for hit in first.results]
            for page in range(2, first.pages + 1):
                ids += [hit["id"] for hit in service.search(SearchRequest(q=q, per_page=100, page=page)).results]
            found.append((first.total, sorted(ids)))
        return found
    finally:
        service.close()


def test_reindex_of_many_sources_merges_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An index fed file by file records a source a file.  Its reindex reads them all in one run
    (the ingest's batches across sources, one merge at the end) and leaves the segments one
    ingest of the same files leaves; source by source, it committed and merged once a source
    and left the small segments of each.  Searches answer the same before and after."""
    monkeypatch.setenv("MINUTES_BATCH_SIZE", "400")
    files = write_corpus(tmp_path / "in", 800, items_per_file=25, csv_path=CORPUS_CSV, seed=5)
    many, one = tmp_path / "many", tmp_path / "one"
    for file in files:
        quiet_ingest([file], many)
    assert len(MinutesIndex.open(many).sources()) == len(files) >= 25
    assert main(["ingest", str(tmp_path / "in"), "--index", str(one), "--workers", "1"]) == 0
    in_one = len(MinutesIndex.open(one).ix._segments())
    ids, before = all_ids(many), answers(many)
    assert before[0][0] > 50 and before[1][0] > 0 and len(before[0][1]) == before[0][0]
    assert main(["reindex", "--index", str(many)]) == 0
    assert len(MinutesIndex.open(many).ix._segments()) <= in_one
    assert all_ids(many) == ids == all_ids(one)
    assert answers(many) == before
    capsys.readouterr()


def _rebuild_committed(root: Path, live: Path) -> bool:
    """A generation beside the live one holds a commit (its table of contents past the first)."""
    return any(
        int(toc.stem.rsplit("_", 1)[1]) >= 1
        for generation in root.glob("gen-*")
        if generation != live
        for toc in generation.glob("_minutes_*.toc")
    )


def test_reindex_of_many_sources_interrupted_midway_leaves_the_live_index(tmp_path: Path) -> None:
    """Ctrl-C after the rebuild's first commit, its batches crossing sources: one line says the old
    index is still served, and it is, unchanged; the rebuild is gone."""
    files = write_corpus(tmp_path / "in", 800, items_per_file=25, csv_path=CORPUS_CSV, seed=5)
    root = tmp_path / "ix"
    for file in files:
        quiet_ingest([file], root)
    live = MinutesIndex.live_dir(root).resolve()
    ids, before = all_ids(root), answers(root)
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "reindex", "--index", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "MINUTES_BATCH_SIZE": "60"},  # a commit every two or three sources
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and not _rebuild_committed(root, live):
            time.sleep(0.02)
        assert process.poll() is None, "the reindex ended before a commit of it was seen"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 130, err.decode()
    # The one line and nothing else: no worker's traceback (the workers leave Ctrl-C to the parent).
    assert lines == ["reindex interrupted: nothing changed, the old index is still served"], lines
    assert MinutesIndex.live_dir(root).resolve() == live
    assert [g for g in root.glob("gen-*") if g != live] == []
    assert all_ids(root) == ids and answers(root) == before


def test_segments_are_separate_files_read_through_the_page_cache(tmp_path: Path) -> None:
    # A compound segment would be copied into memory by every searcher (one per server thread).
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    live = MinutesIndex.live_dir(root).resolve()
    names = [p.name for p in live.iterdir()]
    assert not any(name.endswith(".seg") for name in names)
    assert any(name.endswith(".pst") for name in names)


class _InterruptedWhileCollected:
    """An object whose finaliser is where Ctrl-C arrives: Python prints an exception raised in a
    ``__del__`` and goes on, so the interrupt was lost there (a whoosh file lock's, seen once
    in 20 runs of the test above under load: the rebuild was swapped in and the command exited 0)."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


def test_ctrl_c_while_an_object_is_collected_still_stops_the_rebuild(tmp_path: Path) -> None:
    """The handler of a command that writes keeps a Ctrl-C that arrives in a finaliser and raises it
    before the swap: the old generation stays live and the rebuild is gone."""
    root = tmp_path / "ix"
    quiet_ingest([write_jsonl(tmp_path / "m.jsonl", [seed_meeting()])], root)
    live = MinutesIndex.live_dir(root).resolve()

    def build(fresh: MinutesIndex) -> index_module.IngestSummary:
        _InterruptedWhileCollected()  # collected at once, its __del__ interrupted
        return index_module.IngestSummary()

    with workers.stop_on_sigterm(), pytest.raises(KeyboardInterrupt):
        index_module.rebuild(root, build)
    assert MinutesIndex.live_dir(root).resolve() == live
    assert [g for g in root.glob("gen-*") if g.resolve() != live] == []


def test_ctrl_c_kept_from_a_finaliser_stops_an_ingest_before_its_next_commit(tmp_path: Path) -> None:
    """A Ctrl-C that arrived in a finaliser is raised before the ingest's next batch is committed:
    the batches committed before it stay, the one in flight is not written."""
    root = tmp_path / "ix"
    quiet_ingest([write_jsonl(tmp_path / "first.jsonl", [seed_meeting()])], root)
    ids = all_ids(root)
    later = write_jsonl(
        tmp_path / "later.jsonl", [variant(seed_meeting(), start=seed_meeting().start.replace(year=2024))]
    )
    with workers.stop_on_sigterm():
        _InterruptedWhileCollected()  # its interrupt kept, not raised here
        with pytest.raises(KeyboardInterrupt):
            quiet_ingest([later], root)
    assert all_ids(root) == ids
