"""A long-running search service holds open only the files of the index it searches.

A server searches while a daily harvest commits batch after batch; each commit may merge
segments away.  Every file the service holds open is a descriptor, and a process has
about a thousand: a searcher that kept the files of merged-away segments open (a memory
map cached after its segment was deleted, say) would use them up within days.  Here one
service searches after each of a dozen commits of real rows, and every descriptor it holds
into the index folder must name a file that is still there.
"""

from __future__ import annotations

import csv
import gc
import os
from pathlib import Path

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.helpers import quiet_ingest

PROC_FDS = Path("/proc/self/fd")
COMMITS = 12
ROWS_PER_COMMIT = 15

pytestmark = pytest.mark.skipif(not PROC_FDS.is_dir(), reason="counts descriptors through /proc/self/fd (Linux)")


def _batches(folder: Path) -> list[Path]:
    """The sample rows of the open dataset, a few to a file, one file per commit."""
    csv.field_size_limit(1 << 30)
    with CORPUS_CSV.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert len(rows) >= (COMMITS + 1) * ROWS_PER_COMMIT
    paths = []
    for n in range(COMMITS + 1):
        path = folder / f"batch-{n:02}" / "digst.csv"
        path.parent.mkdir(parents=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows[n * ROWS_PER_COMMIT : (n + 1) * ROWS_PER_COMMIT])
        paths.append(path)
    return paths


def _open_files_under(root: Path) -> list[str]:
    """What this process's descriptors name inside ``root`` (a deleted file ends in " (deleted)")."""
    gc.collect()  # an ingest in this process leaves cyclic garbage that may still hold a file
    names = []
    for fd in os.listdir(PROC_FDS):
        try:
            target = os.readlink(PROC_FDS / fd)
        except OSError:  # closed since the listing (the listing's own descriptor)
            continue
        if target.startswith(str(root.resolve())):
            names.append(target)
    return names


def test_a_service_searching_across_commits_holds_no_deleted_segment_open(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    batches = _batches(tmp_path / "in")
    quiet_ingest([batches[0]], root)
    service = SearchService(root)
    service.search(SearchRequest(q="byrådet"))
    seen_segments: set[str] = set()
    most_open = 0
    for batch in batches[1:]:
        quiet_ingest([batch], root)
        assert service.search(SearchRequest(q="byrådet")).total > 0
        open_files = _open_files_under(root)
        held_deleted = [name for name in open_files if name.endswith(" (deleted)")]
        assert held_deleted == [], f"files of merged-away segments still open: {held_deleted}"
        assert all(Path(name).exists() for name in open_files)
        seen_segments |= {Path(name).name.split(".")[0] for name in open_files}
        most_open = max(most_open, len(open_files))
    live = {Path(name).name.split(".")[0] for name in _open_files_under(root)}
    assert seen_segments - live, "no segment was merged away: the commits did not test what they should"
    # bounded by the live segments (a dozen or so files each), not by the commits so far
    assert len(_open_files_under(root)) <= most_open
