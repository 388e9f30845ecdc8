"""One request reads one state of the embedded index.

Inside ``Engine.reading`` (a search with its facets, "Mente du" and correction) the thread's
searcher is looked at once and kept, so a commit made meanwhile shows in the next request, not in
half of this one; outside it every read sees each commit at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from indexer.search.service import SearchRequest
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, Opened, quiet_ingest


@pytest.fixture
def opened() -> Iterator[Opened]:
    things = Opened()
    yield things
    things.close()


def _commit_more(location: str, opened: Opened) -> None:
    meetings = list({m.id: m for m in list(parse_digst(CORPUS_CSV, IngestContext()))[:20]}.values())
    writer = opened.engine(location, create=True)
    with writer.writing():
        writer.write(meetings)
        writer.finish()


def test_a_commit_during_a_request_shows_in_the_next_one(tmp_path: Path, opened: Opened) -> None:
    location = str(tmp_path / "ix")
    quiet_ingest([SEED], location, context=NORDDJURS)
    service = opened.service(location)
    before = service.search(SearchRequest(q="")).total
    with service.engine.reading():
        assert service.search(SearchRequest(q="")).total == before
        searcher = service.engine.searcher()
        _commit_more(location, opened)
        service.engine.refresh()  # as a served index is told of a commit
        with service.engine.reading():  # nested: the outer request's state holds
            assert service.engine.searcher() is searcher
        assert service.search(SearchRequest(q="")).total == before
        assert service.engine.searcher() is searcher
    after = service.search(SearchRequest(q="")).total
    assert after > before


def test_outside_a_request_every_read_sees_each_commit(tmp_path: Path, opened: Opened) -> None:
    location = str(tmp_path / "ix")
    quiet_ingest([SEED], location, context=NORDDJURS)
    service = opened.service(location)
    engine = service.engine
    before = engine.searcher().doc_count()
    _commit_more(location, opened)
    engine.refresh()
    assert engine.searcher().doc_count() > before
