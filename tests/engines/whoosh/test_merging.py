"""The tiered merge at the end of an ingest: few segments, the same answers, crash safe.

The policy is checked on segment sizes (an ingest of many batches stays at a bounded
number of segments, each item rewritten a few times at most), and the merge on the real
corpus: a multi-segment index with a deleted document answers every judged query the
same before and after, readers searching during the merge see every item throughout,
and a merge killed with SIGKILL half way leaves the index as it was.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3PerDocReader

from benchmarks.generate_corpus import write_corpus
from indexer import cli
from indexer.engines.whoosh import engine as whoosh_engine
from indexer.engines.whoosh.index import MinutesIndex
from indexer.engines.whoosh.merging import MAX_SEGMENTS, level, plan_merges
from indexer.formats import IngestContext, detect_format
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, quiet_ingest, replace_keeping_deleted, seed_meeting

QUERIES = Path(__file__).resolve().parents[2] / "relevance" / "queries.jsonl"
EXTRA = ["budget", "skole OR daginstitution", '"teknisk udvalg"', "vej ANDNOT cykelsti", "udvalg:økonomiudvalget"]


def _merged(sizes: list[int], plan: list[tuple[int, int]]) -> list[int]:
    """Sizes after the planned merges (each range becomes one segment, in place)."""
    out, at = [], 0
    for first, last in plan:
        out += [*sizes[at:first], sum(sizes[first : last + 1])]
        at = last + 1
    return out + sizes[at:]


def test_levels_are_factors_of_ten_from_the_base() -> None:
    assert [level(n) for n in (0, 999, 1_000, 2_500, 9_999, 10_000, 250_000, 1_000_000)] == [0, 0, 1, 1, 1, 2, 3, 4]


def test_a_million_items_in_batches_end_in_few_segments_each_item_rewritten_once() -> None:
    sizes = [2_500] * 400  # what a 1M ingest leaves: two segments a batch of 5,000
    plan = plan_merges(sizes)
    assert plan == [(0, 99), (100, 199), (200, 299), (300, 399)]  # flattened: 100 segments into one, once
    assert _merged(sizes, plan) == [250_000] * 4
    assert plan_merges(_merged(sizes, plan)) == []


def test_many_ingests_stay_bounded_and_rewrite_each_item_a_few_times() -> None:
    """500 ingests of one batch each (two segments of 2,500), merging after every one."""
    sizes: list[int] = []
    rewritten = 0
    most = 0
    for _ in range(500):
        sizes += [2_500, 2_500]
        plan = plan_merges(sizes)
        rewritten += sum(sum(sizes[a : b + 1]) for a, b in plan)
        sizes = _merged(sizes, plan)
        most = max(most, len(sizes))
        assert plan_merges(sizes) == []
    assert sum(sizes) == 2_500_000
    assert most <= 3 * 9 + 2  # at most nine a level, three levels below 2.5M (plus the new pair)
    assert rewritten / sum(sizes) <= 4  # each item rewritten about once a level


def test_sizes_that_never_line_up_are_bounded_by_the_cap() -> None:
    sizes = [10, 5_000] * 40  # levels alternate: no ten neighbours of one level
    merged = _merged(sizes, plan_merges(sizes))
    assert len(merged) <= MAX_SEGMENTS and sum(merged) == sum(sizes)


def test_merges_are_of_neighbours_and_leave_small_indexes_alone() -> None:
    assert plan_merges([]) == [] and plan_merges([2_500] * 9) == []
    for first, last in plan_merges([300, 50_000] + [2_600] * 23 + [40]):
        assert last > first
    assert plan_merges([300, 50_000] + [2_600] * 23 + [40]) == [(2, 11), (12, 21)]


def _answers(root: Path) -> list[tuple[object, ...]]:
    service = SearchService(root)
    queries = [json.loads(line)["q"] for line in QUERIES.read_text("utf-8").splitlines() if line.strip()] + EXTRA
    out: list[tuple[object, ...]] = []
    for q in queries:
        for page in (1, 2):
            found = service.search(SearchRequest(q=q, page=page))
            assert found.error is None
            out.append(
                (q, page, found.total, found.facets, [(r["id"], r["score"], r["snippet"]) for r in found.results])
            )
    browsed = service.search(SearchRequest(q="", page=3))
    out.append(("", 3, browsed.total, browsed.facets, [(r["id"], None, "") for r in browsed.results]))
    return out


def _build(root: Path, deleted: bool) -> Path:
    """The real corpus and the seed in several segments (a commit a batch of 60 items, merged
    by nobody yet); ``deleted``: one segment holds a replaced, deleted document."""
    quiet_ingest([SEED], root, context=NORDDJURS)
    index = MinutesIndex.open(root)
    module = detect_format(CORPUS_CSV)
    assert module is not None
    index.add_meetings(list(module.parse(CORPUS_CSV, IngestContext())), batch_size=60, merge=False)
    if deleted:
        changed = seed_meeting()
        changed.items[0].sections[0].text += " Revideret udgave."
        changed.finalise()
        replace_keeping_deleted(root, changed)
    segments = index.ix._segments()
    assert len(segments) >= 6 and any(s.has_deletions() for s in segments) == deleted
    return root


@pytest.fixture()
def index_root(tmp_path: Path) -> Path:
    return _build(tmp_path / "ix", deleted=False)


def test_a_merge_keeps_every_answer_to_the_last_digit(index_root: Path) -> None:
    root = index_root
    before = _answers(root)
    index = MinutesIndex.open(root)
    segments = len(index.ix._segments())
    assert index.merge_segments(factor=3) >= 1
    assert len(index.ix._segments()) < segments
    assert _answers(root) == before  # totals, facets, order, scores and snippets


def test_a_merge_drops_a_deleted_document_and_keeps_the_answers(tmp_path: Path) -> None:
    """A deleted document still counts in Whoosh's statistics (document frequencies, average
    field lengths) until a merge drops it, so scores move a little (a word it shared with one
    other item is rarer after); nothing else does."""
    index_root = _build(tmp_path / "ix", deleted=True)
    before = _answers(index_root)
    index = MinutesIndex.open(index_root)
    items = index.doc_count()
    assert index.merge_segments(factor=3) >= 1
    after_segments = index.ix._segments()
    assert not any(s.has_deletions() for s in after_segments)
    assert sum(s.doc_count_all() for s in after_segments) == items  # the deleted document is gone
    after = _answers(index_root)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert old[:4] == new[:4]  # query, page, total, facets
    # The same items in the same order over both pages, but for near ties (scores within 5 %),
    # which the slightly changed statistics may turn round ("vej ANDNOT cykelsti": 20.627 and
    # 20.624 before, 20.609 and 20.611 after), across a page's end too.
    for query in dict.fromkeys(a[0] for a in before):
        old = [r for a in before if a[0] == query for r in a[4]]
        new = [r for a in after if a[0] == query for r in a[4]]
        if not query:
            assert [r[0] for r in old] == [r[0] for r in new]
            continue
        old_at = {item: (rank, score, snippet) for rank, (item, score, snippet) in enumerate(old)}
        new_at = {item: rank for rank, (item, _, _) in enumerate(new)}
        for item, new_score, new_snippet in new:
            if item not in old_at:  # came in at the end, level with the one it replaced
                assert new_score == pytest.approx(old[-1][1], rel=0.05), (query, item)
                continue
            rank, old_score, old_snippet = old_at[item]
            assert new_score == pytest.approx(old_score, rel=0.1) and new_snippet == old_snippet
            for other, (other_rank, other_score, _) in old_at.items():
                if other in new_at and (other_rank < rank) != (new_at[other] < new_at[item]):
                    assert old_score == pytest.approx(other_score, rel=0.05), (query, item, other)


def test_readers_during_a_merge_see_every_item(index_root: Path) -> None:
    service = SearchService(index_root)
    expected = service.search(SearchRequest(q="budget")).total
    items = MinutesIndex.open(index_root).doc_count()
    seen: list[tuple[int, int]] = []
    errors: list[str] = []  # full tracebacks: a failure under load must say where it happened
    done = threading.Event()

    def search() -> None:
        while not done.is_set():
            try:
                reader = SearchService(index_root)
                seen.append((reader.search(SearchRequest(q="budget")).total, reader.engine.searcher().doc_count()))
            except Exception:  # a search failing mid-merge is what this test is about
                errors.append(traceback.format_exc())
                return

    thread = threading.Thread(target=search)
    thread.start()
    try:
        MinutesIndex.open(index_root).merge_segments(factor=2)
    finally:
        done.set()
        thread.join(timeout=120)
    assert not errors, "\n".join(errors)
    wrong = [found for found in seen if found != (expected, items)]
    assert seen and not wrong, f"expected {(expected, items)}, got {wrong[:10]} ({len(wrong)} of {len(seen)})"


def _merging_when_first_called(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, root: Path, last_segment_only: bool = False
) -> list[int]:
    """Make ``owner.name`` run a whole merge (every segment's files deleted) the first time it
    is called (``last_segment_only``: for the last segment, its first argument being that
    segment's per-document reader), then do its work: the interleaving a loaded machine
    produces now and then."""
    original = getattr(owner, name)
    last = MinutesIndex.open(root).ix._segments()[-1].segment_id()
    merges: list[int] = []

    def merging_first(*args: Any, **kwargs: Any) -> Any:
        if not merges and (not last_segment_only or args[0]._segment.segment_id() == last):
            merges.append(MinutesIndex.open(root).merge_segments(factor=2))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, merging_first)
    return merges


def _page(service: SearchService, request: SearchRequest) -> tuple[object, ...]:
    found = service.search(request)
    assert found.error is None and found.total
    ranked = [(r["id"], r["score"], r["snippet"]) for r in found.results]
    return found.total, found.facets, ranked, service.engine.searcher().doc_count()


# "ØU" is rewritten by the committee names of the searcher's state (raising the
# Økonomiudvalget's items); browsing newest first reads every segment's date column.
RAISED = SearchRequest(q="ØU budget")
NEWEST = SearchRequest(q="", sort="newest", page=2)


@pytest.mark.parametrize(
    ("hook", "request_"),
    [
        # the searcher has listed its segments and opened their stored fields, not the last one's lengths
        ((W3PerDocReader, "doc_field_length"), RAISED),
        # ... and their lengths, not their facet columns
        ((whoosh_engine, "load_columns"), RAISED),
        # ... and every file; the merge commits while a search sorts by date
        ((whoosh_engine, "_date_column"), NEWEST),
    ],
    ids=["before-lengths", "before-facet-columns", "before-dates"],
)
def test_a_merge_deleting_a_searchers_segments_as_it_opens_them_changes_no_answer(
    index_root: Path, monkeypatch: pytest.MonkeyPatch, hook: tuple[object, str], request_: SearchRequest
) -> None:
    """A merge that commits while a searcher opens or reads its segments' files: the files
    it has not opened yet are gone.  Whoosh reads a missing column as "none" (no facet
    codes, lengths of 0, no dates); the searcher must neither fail nor answer from that,
    but open the merged state, or read the files it holds open."""
    expected = _page(SearchService(index_root), replace(request_))
    segments = len(MinutesIndex.open(index_root).ix._segments())
    merges = _merging_when_first_called(monkeypatch, *hook, index_root, last_segment_only=hook[1] == "doc_field_length")
    assert _page(SearchService(index_root), replace(request_)) == expected
    assert merges and merges[0] >= 1 and len(MinutesIndex.open(index_root).ix._segments()) < segments


KILLED_MERGE = """
import sys, time
from pathlib import Path
from typing import Any
from indexer.engines.whoosh import bulkwriter
from indexer.engines.whoosh import engine as whoosh_engine
from indexer.engines.whoosh.index import MinutesIndex

write_terms = bulkwriter._write_terms

def slowly(*args, **kwargs):
    write_terms(*args, **kwargs)
    print("writing", flush=True)
    time.sleep(60)

bulkwriter._write_terms = slowly
MinutesIndex.open(Path(sys.argv[1])).merge_segments(factor=2)
"""


def test_a_merge_killed_half_way_leaves_the_index_usable_and_a_rerun_finishes(index_root: Path) -> None:
    before = _answers(index_root)
    segments = len(MinutesIndex.open(index_root).ix._segments())
    process = subprocess.Popen([sys.executable, "-c", KILLED_MERGE, str(index_root)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "writing"  # inside the first merge's segment
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    index = MinutesIndex.open(index_root)
    assert len(index.ix._segments()) == segments  # nothing of the killed merge was committed
    assert _answers(index_root) == before
    assert index.merge_segments(factor=2) >= 1
    assert _answers(index_root) == before
    live = MinutesIndex.live_dir(index_root).resolve()
    named = {s.segment_id() for s in index.ix._segments()}
    leftovers = {p.name.split(".")[0] for p in live.iterdir() if not p.name.endswith(".toc")} - named
    # the killed merge's files are gone (the lock file stays: an flock, released with the process)
    assert not [name for name in leftovers if name.startswith("minutes_") and name != "minutes_WRITELOCK"]


def test_an_ingest_of_many_batches_ends_with_its_segments_merged(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_corpus(corpus, 600, items_per_file=20, csv_path=CORPUS_CSV, seed=5)
    quiet_ingest([corpus], root, batch_size=30)  # 20 batches: 20 small segments before the end
    index = MinutesIndex.open(root)
    sizes = [s.doc_count() for s in index.ix._segments()]
    assert len(sizes) < 10 and plan_merges(sizes) == []
    assert sum(sizes) == index.doc_count() == 600


def test_optimize_command_merges_an_existing_index(index_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _answers(index_root)
    segments = len(MinutesIndex.open(index_root).ix._segments())
    assert cli.main(["optimize", "--index", str(index_root), "--factor", "2"]) == 0
    after = len(MinutesIndex.open(index_root).ix._segments())
    assert f"{segments} segments -> {after}" in capsys.readouterr().out and after < segments
    assert _answers(index_root) == before
    assert cli.main(["optimize", "--index", str(index_root)]) == 0  # the ingest's factor when none is given
    assert _answers(index_root) == before
    capsys.readouterr()
    for factor in ("1", "x"):  # refused as the other options are: the command's name, "error:", the option
        with pytest.raises(SystemExit) as refused:
            cli.main(["optimize", "--index", str(index_root), "--factor", factor])
        assert refused.value.code == 2
        said = capsys.readouterr().err.splitlines()[-1]
        assert said == f"minutes optimize: error: argument --factor: '{factor}' is not a whole number of 2 or more"


def test_opening_rides_out_a_commit_that_deletes_the_table_of_contents_it_listed(index_root: Path) -> None:
    """A reader opening while a merge commits: the table of contents it listed is deleted before it
    reads the schema from it (CI once: FileNotFoundError '_minutes_9.toc' in check_format)."""
    from indexer.engines.whoosh.index import check_format

    ix = MinutesIndex.open(index_root).ix

    class Committed:
        """The index as a reader sees it when the newest state is replaced once under it."""

        def __init__(self) -> None:
            self.replaced = False

        def _segments(self):  # type: ignore[no-untyped-def]
            return ix._segments()

        @property
        def schema(self):  # type: ignore[no-untyped-def]
            if not self.replaced:
                self.replaced = True
                raise FileNotFoundError("_minutes_9.toc")
            return ix.schema

    check_format(index_root, Committed())
