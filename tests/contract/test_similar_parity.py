""" "Lignende sager" are the same items in the same order on every engine, and never a closed one.

Each engine had its own definition (Whoosh: Bo1 words, three shared, a share of the item's own
BM25 score; PostgreSQL: its ten tf·idf terms, no bar), and 310 of the demo's 383 item pages
listed other neighbours on PostgreSQL than on Whoosh.  Now one definition
(``indexer.search.similar``) runs over both; its thresholds and order read no BM25 score, which
the engines compute a little apart (Whoosh keeps field lengths in a byte).  Checked over every
open item of the real Acadre export and the open-dataset rows, with every item of one of those
meetings copied as a closed item beside it (same words, another committee).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from indexer.model import Access
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.conftest import ACADRE
from tests.contract.engines import ENGINES
from tests.helpers import Opened, quiet_ingest, write_jsonl


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SearchService]]:
    """Per engine, read-only: the same real inputs, and a closed twin of the local-plan meeting."""
    tmp = tmp_path_factory.mktemp("similar")
    meetings = list(parse_digst(CORPUS_CSV, IngestContext()))
    planning = next(m for m in meetings if any("lokalplan" in i.title.lower() for i in m.items))
    twin = copy.deepcopy(planning)
    twin.committee = "Lukket udvalg"
    for item in twin.items:
        item.access = Access.CLOSED
    twin.finalise()
    closed = write_jsonl(tmp / "closed.jsonl", [twin])
    opened = Opened()
    found: dict[str, SearchService] = {}
    for param in ENGINES:
        factory = param.values[0]
        location = factory(tmp / param.id)
        summary = quiet_ingest([ACADRE, CORPUS_CSV, closed], location)
        assert summary.closed_items == len(twin.items) and not summary.rejected
        found[param.id] = opened.service(location)
    yield found
    opened.close()


def _open_ids(service: SearchService) -> list[str]:
    return sorted(item.id for item in service.engine.iter_items() if item.is_open)


def test_every_engine_lists_the_same_similar_items(services: dict[str, SearchService]) -> None:
    whoosh, postgres = services["whoosh"], services["postgresql"]
    ids = _open_ids(whoosh)
    assert ids == _open_ids(postgres) and len(ids) > 250
    lists = {name: {i: [s["id"] for s in service.similar(i)] for i in ids} for name, service in services.items()}
    differ = [i for i in ids if lists["whoosh"][i] != lists["postgresql"][i]]
    assert differ == []
    # not an empty agreement: most items have neighbours, several a full list
    assert sum(1 for i in ids if lists["whoosh"][i]) > len(ids) // 2
    assert sum(1 for i in ids if len(lists["whoosh"][i]) == 5) >= 20


def test_a_closed_item_is_never_a_similar_item(services: dict[str, SearchService]) -> None:
    for service in services.values():
        items = list(service.engine.iter_items())
        closed = {item.id for item in items if not item.is_open}
        assert len(closed) >= 5
        for item in items:
            listed = service.similar(item.id)
            assert not closed & {s["id"] for s in listed}, item.id
            if item.id in closed:
                assert listed == []


def test_a_commit_starts_the_kept_word_shares_over(location: str, opened: Opened) -> None:
    """Both engines keep the words' shares "Lignende sager" reads per index state (one item page
    after another asks mostly the same words): a service open across an ingest answers as one
    opened after it, shares and lists alike (every share changes: the index holds more items)."""
    quiet_ingest([CORPUS_CSV], location)
    service = opened.service(location)
    ids = _open_ids(service)[:40]
    words = ["kommunen", "lokalplan", "vej", "budget"]
    before = service.engine.word_shares(words)
    for item_id in ids:
        service.similar(item_id)
    quiet_ingest([ACADRE], location)
    fresh = opened.service(location)
    after = service.engine.word_shares(words)
    assert after == fresh.engine.word_shares(words)
    assert all(after[w] != before[w] for w in words if before[w] > 0) and any(before.values())
    assert {i: service.similar(i) for i in ids} == {i: fresh.similar(i) for i in ids}
