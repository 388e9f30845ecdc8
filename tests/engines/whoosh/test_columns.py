"""Columns read from the segments' files equal what Whoosh answers document by document.

A real multi-segment index (the corpus in several commits, with a closed item and
a replaced item, so one segment carries a deleted document): the open set, every
facet value of every document and every topic's documents must be exactly what
Whoosh's own queries and column readers give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh.query import Term

from indexer.engines.whoosh.columns import load_columns
from indexer.engines.whoosh.index import FACET_COLUMNS
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.helpers import NORDDJURS, closed_copy, quiet_ingest, replace_keeping_deleted, seed_meeting, write_jsonl


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    tmp = tmp_path_factory.mktemp("columns")
    root = tmp / "ix"
    seed = seed_meeting()
    quiet_ingest([write_jsonl(tmp / "seed.jsonl", [seed])], root, context=NORDDJURS)
    quiet_ingest([CORPUS_CSV], root, batch_size=150)
    secret = closed_copy(seed, "hemmeligord")
    secret.id = secret.id + "-closed"
    for item in secret.items:
        item.id = item.id + "-closed"
    quiet_ingest([write_jsonl(tmp / "closed.jsonl", [secret])], root, context=NORDDJURS)
    changed = seed_meeting()
    changed.items[0].sections[0].text += " Revideret udgave."
    changed.finalise()
    replace_keeping_deleted(root, changed)  # ingest would rewrite the old segment
    return SearchService(root)


def test_columns_equal_whoosh_document_by_document(service: SearchService) -> None:
    searcher = service.engine.searcher()  # type: ignore[attr-defined]
    reader = searcher.reader()
    assert len(reader.leaf_readers()) > 2 and reader.has_deletions()
    columns = load_columns(reader, FACET_COLUMNS)
    assert columns is not None
    expected_open = sorted(searcher.docs_for_query(Term("access", "open")))
    assert np.flatnonzero(columns.open_mask).tolist() == expected_open
    assert len(expected_open) < reader.doc_count(), "the closed item is not open"
    for name in FACET_COLUMNS:
        values, codes = columns.facets[name]
        expected = list(reader.column_reader(name))
        assert [values[c] for c in codes.tolist()] == expected, name
        assert len(set(expected)) > 1 or name == "kind"
    assert columns.topics
    for code, docs in columns.topics.items():
        found = sorted(d for d in searcher.docs_for_query(Term("topic", code)) if d in set(expected_open))
        assert docs.tolist() == found, code


def test_search_counts_come_from_the_persisted_columns(service: SearchService) -> None:
    response = service.search(SearchRequest(q="budget"))
    assert response.total > 0
    total_by_committee = sum(f["count"] for f in response.facets["committee"])
    assert total_by_committee == response.total
    assert service.search(SearchRequest(q="hemmeligord")).total == 0


def test_an_index_opens_without_reading_documents(service: SearchService, tmp_path: Path) -> None:
    """A fresh service answers its first query from the columns: Whoosh's per-document
    column reader is never asked."""
    from whoosh.reading import SegmentReader

    fresh = SearchService(service.engine.location)
    calls = []
    original = SegmentReader.column_reader

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return original(self, *args, **kwargs)

    SegmentReader.column_reader = spy  # type: ignore[method-assign]
    try:
        response = fresh.search(SearchRequest(q="budget"))
    finally:
        SegmentReader.column_reader = original  # type: ignore[method-assign]
    assert response.total > 0
    assert [c for c in calls if c and c[0] in FACET_COLUMNS] == []
