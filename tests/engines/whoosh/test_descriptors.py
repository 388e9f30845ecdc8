"""A long-running search service holds open only the files of the index it searches.

A server searches while a daily harvest commits batch after batch; each commit may merge
segments away.  Every file the service holds open is a descriptor, and a process has
about a thousand: a searcher that kept the files of merged-away segments open (a memory
map cached after its segment was deleted, say) would use them up within days.  Here one
service searches after each of a dozen commits of real rows, and every descriptor it holds
into the index folder must name a file that is still there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, load_benchmark
from tests.helpers import quiet_ingest

PROC_FDS = Path("/proc/self/fd")
# the benchmark's own helpers: the rows split into commits, the descriptors counted
OPEN_FILES = load_benchmark("open_files.py", "open_files")
COMMITS = 12
ROWS_PER_COMMIT = 15

pytestmark = pytest.mark.skipif(not PROC_FDS.is_dir(), reason="counts descriptors through /proc/self/fd (Linux)")


def test_a_service_searching_across_commits_holds_no_deleted_segment_open(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    batches = OPEN_FILES.batches(CORPUS_CSV, tmp_path / "in", COMMITS + 1, ROWS_PER_COMMIT)
    quiet_ingest([batches[0]], root)
    service = SearchService(root)
    service.search(SearchRequest(q="byrådet"))
    seen_segments: set[str] = set()
    most_open = 0
    for batch in batches[1:]:
        quiet_ingest([batch], root)
        assert service.search(SearchRequest(q="byrådet")).total > 0
        open_files = OPEN_FILES.open_files(root)
        held_deleted = [name for name in open_files if name.endswith(" (deleted)")]
        assert held_deleted == [], f"files of merged-away segments still open: {held_deleted}"
        assert all(Path(name).exists() for name in open_files)
        seen_segments |= {Path(name).name.split(".")[0] for name in open_files}
        most_open = max(most_open, len(open_files))
    live = {Path(name).name.split(".")[0] for name in OPEN_FILES.open_files(root)}
    assert seen_segments - live, "no segment was merged away: the commits did not test what they should"
    # bounded by the live segments (a dozen or so files each), not by the commits so far
    assert len(OPEN_FILES.open_files(root)) <= most_open
