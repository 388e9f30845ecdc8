"""A translator keeps the words and phrases it has translated, and each node object it met in
one query: every query translates to what a fresh translator makes of it.

The queries are the service's own (the typed words, their corrections, the items holding most of
the words) for judged dev query texts, asked in turn of one index, so later queries meet words the
earlier ones left in the translator.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import whoosh.query as wq

from indexer.cli import ingest
from indexer.engines.whoosh import engine as whoosh_engine
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED

DEV_QUERIES = Path(__file__).resolve().parents[2] / "relevance" / "queries.jsonl"


def _texts(limit: int) -> list[str]:
    lines = DEV_QUERIES.read_text("utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()][:limit]


def test_a_translator_used_again_translates_as_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([SEED], root, workers=1, stream=io.StringIO()).items_added
    asked: list[tuple[ast.Node, wq.Query]] = []
    translate = whoosh_engine.QueryTranslator.translate

    def keep(self: whoosh_engine.QueryTranslator, node: Any) -> wq.Query:
        result = translate(self, node)
        if node is not None:
            asked.append((node, result))
        return result

    monkeypatch.setattr(whoosh_engine.QueryTranslator, "translate", keep)
    service = SearchService(root)
    texts = _texts(150)
    for text in texts + texts:  # the second time round, every word is in the translator already
        service.search(SearchRequest(q=text))
    schema = MinutesIndex.open(root).ix.schema
    assert len(asked) > 2 * len(texts)  # corrections and near answers were translated too
    for node, kept in asked:
        fresh = translate(whoosh_engine.QueryTranslator(schema), node)
        assert kept == fresh and repr(kept) == repr(fresh), node


def test_the_same_word_twice_is_one_whoosh_query_and_a_full_cache_forgets_the_oldest(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    MinutesIndex.create(root, profile="danish")
    translator = whoosh_engine.QueryTranslator(MinutesIndex.open(root).ix.schema)
    word = ast.Word("vejbelysning")
    first = translator._leaf(word)
    assert translator._leaf(ast.Word("vejbelysning")) is first
    for n in range(whoosh_engine.TRANSLATED_LEAVES):
        translator._leaf(ast.Word(f"ord{n}"))
    again = translator._leaf(word)
    assert again is not first and again == first  # forgotten, then translated alike
