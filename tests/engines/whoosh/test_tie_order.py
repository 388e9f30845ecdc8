"""The same items give the same result lists, ties included, whatever segments a build made.

A batch of 400 items or more is written by forked writers (``WRITER_PROCS``) that take 200-item
chunks as each comes free, so which segment, and so which document number, an item gets varies
from build to build.  Hits that score alike are ranked by the items (``tie_keys``), so two builds
of the same inputs, one through the forked writers in one batch and one by a single writer in
small batches in the reverse order, must rank every query alike, bulk matching and Whoosh's
matchers both; and list every date sort and browsing page alike, a meeting's items in agenda
order (``date_keys``), not by document number.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from indexer.engines.base import Hit, SearchSpec
from indexer.engines.whoosh import index as whoosh_index
from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV
from tests.helpers import alike, date_rule_order, quiet_ingest, tie_rule_order, twins_of_seed, write_jsonl

# A phrase of two words: '"til orientering"' was "orientering" alone (its stop word had no place in
# the stemmed fields) until a phrase kept its edge stop words; the three items writing it tie on nothing.
QUERIES = ["sociale medier", "budget", "vej", "lokalplan", '"sociale medier"', "medier ELLER skole", "udvalg*"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    meetings = [*list(parse_digst(CORPUS_CSV, IngestContext())), *twins_of_seed()]
    assert sum(len(m.items) for m in meetings) >= whoosh_index.PARALLEL_BATCH_MIN
    tmp = tmp_path_factory.mktemp("ties")
    forward = write_jsonl(tmp / "forward.jsonl", meetings)
    backward = write_jsonl(tmp / "backward.jsonl", meetings[::-1])
    built = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whoosh_index, "WRITER_PROCS", 2)
        quiet_ingest([forward], tmp / "forked")  # one batch: two forked writers
        built["forked"] = tmp / "forked"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whoosh_index, "WRITER_PROCS", 1)
        quiet_ingest([backward], tmp / "single", batch_size=150)  # one writer, a commit per 150 items
        built["single"] = tmp / "single"
    return built


def _ranked(root: Path, q: str, bulk_matching: bool) -> list[Hit]:
    service = SearchService(root, bulk_matching=bulk_matching)
    try:
        node = service.query(q)
        return service.engine.search(SearchSpec(query=node, limit=10**6, with_facets=False)).hits
    finally:
        service.close()


def test_the_builds_number_the_items_differently(builds: dict[str, Path]) -> None:
    """The premise: the same items, in other segments and another document order."""
    numbers = []
    for root in builds.values():
        service = SearchService(root)
        try:
            searcher = service.engine.searcher()
            numbers.append([searcher.document_number(id=m.items[0].id) for m in twins_of_seed()])
            assert searcher.doc_count() == sum(1 for _ in service.engine.iter_items())
        finally:
            service.close()
    forked, single = numbers
    assert sorted(range(9), key=forked.__getitem__) != sorted(range(9), key=single.__getitem__)


@pytest.mark.parametrize("bulk_matching", [True, False], ids=["bulk", "whoosh-matchers"])
@pytest.mark.parametrize("q", QUERIES)
def test_two_builds_rank_every_query_alike_ties_included(builds: dict[str, Path], q: str, bulk_matching: bool) -> None:
    forked, single = (_ranked(root, q, bulk_matching) for root in builds.values())
    assert [h.item.id for h in forked] == [h.item.id for h in single]
    assert [h.score for h in forked] == pytest.approx([h.score for h in single], rel=1e-12)
    assert [h.item.id for h in forked] == tie_rule_order(forked)
    # Ties are there to order: some neighbours score alike.
    scores = [alike(h.score) for h in forked]
    assert any(a == b for a, b in itertools.pairwise(scores)), q


# Browsing (no query) and date sorts of a query bulk matching answers and of one Whoosh's matchers answer.
DATE_SORTS = [(None, "newest"), (None, "oldest"), ("budget", "newest"), ("vej", "oldest"), ("udvalg*", "newest")]


def _dated(root: Path, q: str | None, sort: str, bulk_matching: bool, limit: int = 10**6) -> list[str]:
    service = SearchService(root, bulk_matching=bulk_matching)
    try:
        node = service.query(q) if q else None
        hits = service.engine.search(SearchSpec(query=node, sort=sort, limit=limit, with_facets=False)).hits
        if limit == 10**6:
            assert [h.item.id for h in hits] == date_rule_order(hits, newest_first=sort == "newest")
        return [h.item.id for h in hits]
    finally:
        service.close()


@pytest.mark.parametrize("bulk_matching", [True, False], ids=["bulk", "whoosh-matchers"])
@pytest.mark.parametrize(("q", "sort"), DATE_SORTS)
def test_two_builds_list_date_sorts_alike_in_agenda_order(
    builds: dict[str, Path], q: str | None, sort: str, bulk_matching: bool
) -> None:
    forked, single = (_dated(root, q, sort, bulk_matching) for root in builds.values())
    assert forked == single
    # Some meeting lists several items, one after another (what agenda order orders).
    assert any(len(set(run)) == 1 for run in itertools.pairwise(_meetings(builds["forked"], forked)))
    # The first page of 10 (browsing's), cut through a meeting or not, is the list's start.
    assert _dated(builds["single"], q, sort, bulk_matching, limit=10) == forked[:10]


def _meetings(root: Path, ids: list[str]) -> list[str]:
    service = SearchService(root)
    try:
        return [item.meeting_id for item in map(service.engine.item, ids) if item is not None]
    finally:
        service.close()
