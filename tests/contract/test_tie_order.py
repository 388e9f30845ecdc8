"""Hits that score alike are ordered by the items themselves, the same on every engine.

The seed's item is published again at nine later meetings (``twins_of_seed``): ten items of
one text, which every engine scores alike for any query.  They must come newest meeting first,
then by id (the engine contract, ``base.id_order``), on every engine, wherever in the list
they stand and however the page cuts them; before, each engine ordered them by its own
document numbers, which follow the order written (not the rule's, in these inputs).

Date sorts and browsing list a meeting's items in agenda order (``date_rule_order``): the
corpus meeting of most items is published again with its first item corrected, which an
engine writes as a new document after the others (so its document number is the meeting's
last), and the twins start three meetings at one time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.engines.base import SearchSpec
from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from indexer.model import Meeting
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV, SEED
from tests.contract.engines import ENGINES, EngineFactory
from tests.helpers import (
    NORDDJURS,
    Opened,
    alike,
    date_rule_order,
    quiet_ingest,
    tie_rule_order,
    twins_of_seed,
    variant,
    write_jsonl,
)

EVERYTHING = 10**6
# Words of the seed's text: one it names once among many words, its title's two, a phrase, and
# a prefix (a query Whoosh's own matchers answer, not bulk matching).
QUERIES = ["sociale medier", "medier", '"sociale medier"', "arbejdsmæssig", "medie*"]


def _corrected() -> Meeting:
    """The corpus meeting of most items, its first item's title corrected."""
    meeting = max(parse_digst(CORPUS_CSV, IngestContext()), key=lambda m: len(m.items))
    assert len(meeting.items) >= 3
    corrected = variant(meeting)
    corrected.items[0].title += " (rettet)"
    return corrected


def _build(factory: EngineFactory, tmp: Path) -> str:
    tmp.mkdir(parents=True, exist_ok=True)
    location = factory(tmp)
    quiet_ingest([SEED], location, context=NORDDJURS)
    quiet_ingest([write_jsonl(tmp / "twins.jsonl", twins_of_seed()), CORPUS_CSV], location)
    quiet_ingest([write_jsonl(tmp / "corrected.jsonl", [_corrected()])], location)
    return location


@pytest.fixture(scope="module", params=ENGINES)
def twins(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Per engine, read-only: the seed, its nine twins and the corpus rows."""
    return _build(request.param, tmp_path_factory.mktemp("twins"))


@pytest.mark.parametrize("q", QUERIES)
def test_hits_that_score_alike_come_newest_meeting_first_then_by_id(twins: str, opened: Opened, q: str) -> None:
    service = opened.service(twins)
    node = service.query(q)
    assert node is not None
    hits = service.engine.search(SearchSpec(query=node, limit=EVERYTHING, with_facets=False)).hits
    ids = [hit.item.id for hit in hits]
    twin_ids = {m.items[0].id for m in twins_of_seed()}
    assert twin_ids <= set(ids), "every twin is found"
    scores = {hit.item.id: alike(hit.score) for hit in hits}
    assert len({scores[i] for i in twin_ids}) == 1, "the twins score alike"
    assert ids == tie_rule_order(hits)
    # A page that cuts through the equals holds the first of them by the same rule.
    first = ids.index(next(i for i in ids if i in twin_ids))
    page = service.engine.search(SearchSpec(query=node, limit=first + 4, with_facets=False)).hits
    assert [hit.item.id for hit in page] == ids[: first + 4]


def test_both_engines_order_the_equals_alike(tmp_path: Path, opened: Opened) -> None:
    """The engines' scores differ (PostgreSQL reads exact field lengths, Whoosh a byte per
    length), so whole lists may; the order of the items they both score alike may not."""
    orders = []
    for n, engine in enumerate(ENGINES):
        factory: EngineFactory = engine.values[0]
        service: SearchService = opened.service(_build(factory, tmp_path / str(n)))
        orders.append(
            {
                q: [
                    hit.item.id
                    for hit in service.engine.search(SearchSpec(query=service.query(q), limit=EVERYTHING)).hits
                    if hit.item.title.startswith("Sociale medier")
                ]
                for q in QUERIES
            }
        )
    whoosh, postgres = orders
    assert all(len(ids) == 10 for ids in whoosh.values())
    assert whoosh == postgres


DATE_SORTS = [(None, "newest"), (None, "oldest"), ("udvalg", "newest"), ("udvalg", "oldest"), ("medie*", "oldest")]


def _dated(service: SearchService, q: str | None, sort: str, limit: int = EVERYTHING) -> list[str]:
    node = service.query(q) if q else None
    hits = service.engine.search(SearchSpec(query=node, sort=sort, limit=limit, with_facets=False)).hits
    assert all(hit.score is None for hit in hits)
    if limit == EVERYTHING:
        assert [hit.item.id for hit in hits] == date_rule_order(hits, newest_first=sort == "newest")
    return [hit.item.id for hit in hits]


@pytest.mark.parametrize(("q", "sort"), DATE_SORTS)
def test_date_sorts_list_a_meetings_items_in_agenda_order(twins: str, opened: Opened, q: str | None, sort: str) -> None:
    service = opened.service(twins)
    ids = _dated(service, q, sort)
    corrected = _corrected()
    if q is None:
        # The corrected meeting's items, its first (written last) first, one after another.
        wanted = [item.id for item in corrected.items if item.is_open]
        first = ids.index(wanted[0])
        assert ids[first : first + len(wanted)] == wanted
    # A page that cuts through a date holds the first items by the same rule.
    for cut in (1, 7, 25):
        assert _dated(service, q, sort, limit=cut) == ids[:cut]


def test_both_engines_list_date_sorts_alike(tmp_path: Path, opened: Opened) -> None:
    lists = []
    for n, engine in enumerate(ENGINES):
        factory: EngineFactory = engine.values[0]
        service: SearchService = opened.service(_build(factory, tmp_path / str(n)))
        lists.append({(q, sort): _dated(service, q, sort) for q, sort in DATE_SORTS})
    whoosh, postgres = lists
    assert all(whoosh.values())
    assert whoosh == postgres
