"""`minutes reindex` on every engine: access only tightens across it, and a source that fails
leaves the old index served.

The real Ballerup Publication export edited into versions of one meeting
(``tests.leak.test_versions``): its SAPA item is closed, then published open again.  After a
reindex the item stays closed though no version in the sources closes it any more, and when its
meeting leaves the source folder the record of the closure stays, so that the meeting coming
back open keeps the item closed.  Checked through search and the item, and in the index files
(Whoosh) or the tables (PostgreSQL).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.generate_corpus import write_corpus
from indexer.cli import main
from indexer.engines.postgres import is_database_url
from indexer.search.service import SearchRequest
from tests.conftest import CORPUS_CSV
from tests.helpers import Opened, quiet_ingest
from tests.leak.disk import hits_on_disk
from tests.leak.test_versions import BALLERUP, ITEM_WORD, WORDS, version


def closed_ids(opened: Opened, location: str) -> set[str]:
    engine = opened.engine(location)
    return {item.id for item in engine.iter_items() if item.access != "open"}


def all_ids(opened: Opened, location: str) -> list[str]:
    return sorted(item.id for item in opened.engine(location).iter_items())


def assert_nowhere(opened: Opened, location: str) -> None:
    """The planted words are in no search, and nowhere in the index's files or tables."""
    service = opened.service(location)
    assert all(service.search(SearchRequest(q=word)).total == 0 for word in WORDS)
    if is_database_url(location):
        from tests.engines.postgres.test_versions import traces

        assert traces(location) == {"postings": 0, "items": 0, "files": 0}
    else:
        assert hits_on_disk(Path(location), WORDS) == []


def test_items_closed_before_a_reindex_stay_closed(location: str, tmp_path: Path, opened: Opened) -> None:
    source = tmp_path / "source"  # one recorded source holding two meetings
    source.mkdir()
    version(tmp_path, "first", "referat", "closed").rename(source / "meeting")
    shutil.copytree(BALLERUP.parent / "aarhus-moedesystemgruppen-2016", source / "other")
    assert main(["ingest", str(source), "--index", location, "--workers", "1"]) == 0
    closed = closed_ids(opened, location)  # the SAPA item, and one the export itself closes
    assert len(closed) == 2
    # The meeting was published again with the item open: the re-import keeps it closed …
    shutil.rmtree(source / "meeting")
    version(tmp_path, "second", "referat", "open").rename(source / "meeting")
    assert quiet_ingest([source], location).kept_closed == 1
    # … and so does a reindex, though no version in the source closes it any more.
    assert main(["reindex", "--index", location]) == 0
    assert closed_ids(opened, location) == closed
    assert opened.service(location).search(SearchRequest(q="standard it-arbejdsplads")).total >= 1  # the rest
    assert_nowhere(opened, location)
    # A meeting that leaves the source keeps the record of its closed item through a reindex,
    # so when it comes back open the item stays closed.
    shutil.rmtree(source / "meeting")
    assert main(["reindex", "--index", location]) == 0
    assert closed_ids(opened, location) == closed
    back = quiet_ingest([version(tmp_path, "third", "referat", "open")], location)
    assert back.kept_closed == 1
    assert closed <= closed_ids(opened, location)
    assert opened.service(location).search(SearchRequest(q=ITEM_WORD)).total == 0
    assert_nowhere(opened, location)


def test_a_source_that_fails_leaves_the_old_index(
    location: str, tmp_path: Path, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder"
    write_corpus(folder, 200, items_per_file=100, csv_path=CORPUS_CSV, seed=7)
    single = tmp_path / "one-meeting.jsonl"
    write_corpus(tmp_path / "single", 30, items_per_file=30, csv_path=CORPUS_CSV, seed=99)[0].rename(single)
    assert main(["ingest", str(folder), "--index", location, "--workers", "1"]) == 0
    assert main(["ingest", str(single), "--index", location, "--workers", "1"]) == 0
    before = all_ids(opened, location)
    served = opened.service(location).search(SearchRequest(q="")).total
    single.write_text('{"this is": "no meeting"\n', encoding="utf-8")  # the source went bad since
    capsys.readouterr()
    assert main(["reindex", "--index", location]) == 1
    err = capsys.readouterr().err
    failed = [line for line in err.splitlines() if line.startswith("reindex failed")]
    assert len(failed) == 1 and "one-meeting.jsonl" in failed[0], err
    assert failed[0].endswith("nothing changed, the old index is still served")
    assert all_ids(opened, location) == before
    assert opened.service(location).search(SearchRequest(q="")).total == served > 100


def test_a_rejected_input_is_not_recorded_so_the_next_reindex_runs(
    location: str, tmp_path: Path, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    """An input that gave nothing but a rejection (a truncated export, an empty folder) is not a
    source: recorded, it made every later ``minutes reindex`` fail, "no meeting could be read",
    for good."""
    folder = tmp_path / "folder"
    write_corpus(folder, 200, items_per_file=100, csv_path=CORPUS_CSV, seed=7)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"this is": "no meeting"\n', encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["ingest", str(folder), "--index", location, "--workers", "1"]) == 0
    assert main(["ingest", str(broken), "--index", location, "--workers", "1"]) != 0
    assert main(["ingest", str(empty), "--index", location, "--workers", "1"]) != 0
    assert [s["path"] for s in opened.engine(location).sources()] == [str(folder.resolve())]
    before = all_ids(opened, location)
    capsys.readouterr()
    assert main(["reindex", "--index", location]) == 0, capsys.readouterr().err
    assert all_ids(opened, location) == before


def test_a_recorded_source_that_fails_can_be_dropped_by_the_reindex(
    location: str, tmp_path: Path, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    """An index may hold a source that gives nothing now (it went bad since, or was recorded
    before rejected inputs stopped being recorded).  The failed reindex says how to get out:
    ``--drop-source`` rebuilds without it and forgets it; the next reindex runs."""
    folder = tmp_path / "folder"
    write_corpus(folder, 200, items_per_file=100, csv_path=CORPUS_CSV, seed=7)
    single = tmp_path / "one-meeting.jsonl"
    write_corpus(tmp_path / "single", 30, items_per_file=30, csv_path=CORPUS_CSV, seed=99)[0].rename(single)
    assert main(["ingest", str(folder), "--index", location, "--workers", "1"]) == 0
    from_folder = set(all_ids(opened, location))
    assert main(["ingest", str(single), "--index", location, "--workers", "1"]) == 0
    single.write_text('{"this is": "no meeting"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["reindex", "--index", location]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("to rebuild without it: minutes reindex --index ")
    assert err[-1].endswith(f" --drop-source {single}")

    assert main(["reindex", "--index", location, "--drop-source", str(single)]) == 0
    assert set(all_ids(opened, location)) == from_folder
    assert [s["path"] for s in opened.engine(location).sources()] == [str(folder.resolve())]
    assert main(["reindex", "--index", location]) == 0

    capsys.readouterr()
    assert main(["reindex", "--index", location, "--drop-source", str(single)]) == 2  # not recorded any more
    assert capsys.readouterr().err == f"{single}: not a recorded source of this index; nothing changed\n"


def test_a_reindex_of_overlapping_sources_reports_the_meetings_the_index_holds(
    location: str, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample's folder and its one file ingested separately (as ``data/`` and
    ``data/samples/publication`` were): the reindex reads each meeting twice, and said it held
    twice as many as it does ("meetings: 47" for 44).  It says both: read N, holds M."""
    assert main(["ingest", str(CORPUS_CSV.parent), "--index", location, "--workers", "1"]) == 0
    assert main(["ingest", str(CORPUS_CSV), "--index", location, "--workers", "1"]) == 0
    held = opened.engine(location).stats().meetings
    capsys.readouterr()
    assert main(["reindex", "--index", location]) == 0
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("meetings:")]
    assert line.startswith(f"meetings: {held} in the index (read {2 * held}:"), line
    assert opened.engine(location).stats().meetings == held > 1
