"""Our normalisation of Whoosh queries gives Whoosh's own, without its repeated work.

Every query the search service builds (the typed words, their corrections, the items holding
most of the words) is normalised both ways and compared by Whoosh's ``==`` and ``repr`` (which
shows every boost); then each of Whoosh's rules on its own, on queries built by hand.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import whoosh.query as wq
from whoosh.query import qcore

from indexer.cli import ingest
from indexer.engines.whoosh import engine as whoosh_engine
from indexer.engines.whoosh.index import MinutesIndex
from indexer.engines.whoosh.normalize import normalized
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED

QUERIES = [
    "vejbelysning budget skole fjernvarme lokalplan cykelsti",  # no item holds all six
    "ØU budget",
    "beslutning om affaldsplan i kommunen",
    '"teknisk udvalg" vej IKKE cykelsti',
    "titel:budget ELLER beslutning:godkendt",
    "skole OR daginstitution",
    "budgett 2071",
    "vindmølle*",
]


def _same(query: wq.Query) -> None:
    theirs, ours = query.normalize(), normalized(query)
    assert theirs == ours and repr(theirs) == repr(ours), query


def test_every_query_the_service_builds_normalises_as_whoosh_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([SEED], root, workers=1, stream=io.StringIO()).items_added
    built: list[wq.Query] = []
    translate = whoosh_engine.QueryTranslator.translate

    def keep(self: whoosh_engine.QueryTranslator, node: Any) -> wq.Query:
        if node is not None:
            built.append(self._translate(node, {}, {}))
        return translate(self, node)

    monkeypatch.setattr(whoosh_engine.QueryTranslator, "translate", keep)
    service = SearchService(root)
    for text in QUERIES:
        service.search(SearchRequest(q=text))
    assert len(built) > len(QUERIES)  # the corrections and the near answers were asked too
    for query in built:
        _same(query)


def test_a_one_clause_or_gives_its_boost_to_the_clause_and_the_clause_is_not_changed() -> None:
    inner = wq.Or([wq.Term("body", "budget"), wq.Term("title", "budget", boost=3.0)])
    outer = wq.Or([inner], boost=0.25)
    _same(outer)
    assert normalized(outer).boost == 0.25 and inner.boost == 1.0  # a copy was boosted


def test_nested_queries_of_one_kind_are_flattened_with_their_boosts_multiplied() -> None:
    query = wq.And([wq.Term("body", "a"), wq.And([wq.Term("body", "b", boost=2.0), wq.Term("body", "c")], boost=3.0)])
    _same(query)
    assert [q.boost for q in normalized(query).subqueries] == [1.0, 6.0, 3.0]


def test_duplicates_and_empty_queries_are_dropped() -> None:
    term = wq.Term("body", "budget")
    _same(wq.Or([term, wq.Term("body", "budget"), qcore.NullQuery, wq.Term("body", "skole")]))
    _same(wq.Or([qcore.NullQuery, qcore.NullQuery]))
    _same(wq.And([wq.Term("body", "budget"), wq.Every("body"), wq.Term("title", "budget")]))
    _same(wq.Or([wq.Term("body", "budget"), wq.Every()]))


def test_two_clause_queries_and_not_follow_whoosh() -> None:
    budget, skole = wq.Term("body", "budget"), wq.Term("body", "skole")
    for query in (
        wq.AndNot(budget, qcore.NullQuery),
        wq.AndNot(qcore.NullQuery, skole),
        wq.AndMaybe(budget, wq.Or([skole], boost=10.0)),
        wq.AndMaybe(qcore.NullQuery, skole),
        wq.Not(wq.Or([skole])),
        wq.Not(wq.Or([qcore.NullQuery])),
        wq.Or([wq.AndMaybe(budget, skole)], boost=0.5),  # the boost goes on to both clauses
        wq.Or([wq.AndNot(budget, skole)], boost=0.5),  # only to the first
    ):
        _same(query)


def test_a_shared_clause_is_normalised_once() -> None:
    shared = wq.Or([wq.Term("body", "budget"), wq.Term("title", "budget")])
    query = wq.Or([wq.And([shared, wq.Term("body", "skole")]), wq.And([shared, wq.Term("body", "vej")])])
    _same(query)
    first, second = normalized(query).subqueries
    assert first.subqueries[0] is second.subqueries[0]
