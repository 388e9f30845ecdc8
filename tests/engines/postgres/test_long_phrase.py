"""A long quoted phrase on PostgreSQL is matched from one word's postings, the others looked up
beside it (``query.LONG_PHRASE``, ``query.around``), not as one join of every word's postings.

The join of eleven postings rows took the planner 1.7 s to order (and 1 ms to run): every item
page's case history searches the item's title as a phrase in its municipality, so an item with a
long title took about two seconds to show.  The pages and the searches are the same as before,
to the score.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres import query
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA

ONE_JOIN = 10**6  # LONG_PHRASE never reached: every phrase one join of its words' postings, as before


@pytest.fixture(scope="module")
def demo() -> Iterator[SearchService]:
    from tests.postgres import postgres_location

    url = postgres_location()
    assert main(["ingest", str(DATA), "--index", url, "--workers", "1"]) in (0, 1)
    service = SearchService(url)
    yield service
    service.close()


def _open_items(service: SearchService, words: int) -> list[tuple[str, str]]:
    """(id, title) of every open item whose title is a phrase of ``words`` words or more."""
    url = service.engine.location  # type: ignore[attr-defined]
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, stored->>'title' FROM items WHERE access = 'open' ORDER BY id").fetchall()
    return [(str(i), str(t)) for i, t in rows if len(re.findall(r"\w+", t)) >= words]


def _as_text(value: object) -> str:
    return json.dumps(
        dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value, default=str, sort_keys=True
    )  # type: ignore[arg-type]


def test_item_pages_are_the_same_with_long_titles_matched_from_one_word(
    demo: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _open_items(demo, query.LONG_PHRASE)
    assert len(items) > 100
    pages = {}
    for limit in (ONE_JOIN, query.LONG_PHRASE):
        monkeypatch.setattr(query, "LONG_PHRASE", limit)
        pages[limit] = [_as_text(demo.item_page(item_id)) for item_id, _ in items]
    assert pages[ONE_JOIN] == pages[query.LONG_PHRASE]
    assert sum('"case_history": []' not in page for page in pages[ONE_JOIN]) > 10  # case histories found


def test_long_phrase_searches_find_and_score_the_same(demo: SearchService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Phrases typed in quotes: an item's title, and the title with a word repeated inside it."""
    items = _open_items(demo, query.LONG_PHRASE)[::7]
    phrases = [f'"{title}"' for _, title in items]
    phrases += [f'"{" ".join((words := title.split())[:3] + words[:2] + words[3:6])}"' for _, title in items[:10]]
    found = {}
    for limit in (ONE_JOIN, query.LONG_PHRASE):
        monkeypatch.setattr(query, "LONG_PHRASE", limit)
        found[limit] = [_as_text(demo.search(SearchRequest(q=q, per_page=50))) for q in phrases]
    assert found[ONE_JOIN] == found[query.LONG_PHRASE]
    assert sum('"total": 0' not in text for text in found[ONE_JOIN]) >= len(items)


def test_a_long_phrase_is_no_join_of_every_words_postings(demo: SearchService, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the planner is given: each of the phrase's fields reads the postings of one word and
    looks the others up beside it (before: one join of p0, p1, … p10, and of q0 … q10 for the
    matched terms, per field)."""
    _, title = max(_open_items(demo, 11), key=lambda it: len(it[1].split()))
    sent: list[str] = []
    execute = psycopg.Connection.execute

    def spy(self: psycopg.Connection, statement: object, *args: object, **kwargs: object) -> object:
        sent.append(str(statement))
        return execute(self, statement, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Connection, "execute", spy)
    response = demo.search(SearchRequest(q=f'"{title}"'))
    assert response.total >= 1
    search = [s for s in sent if "WITH n0 AS" in s]
    assert len(search) == 1 and len(title.split()) >= 11
    assert "postings p0" in search[0] and "postings q0" in search[0]
    assert not re.findall(r"\bpostings [pq][1-9]", search[0])
