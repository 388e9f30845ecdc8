"""Compounds as people search them, end to end over the corpus rows, for every engine.

Suspended compounds ("handicap- og psykiatriområdet") are found by the completed first
conjunct ("handicapområdet"); a modifier compound ("regnvand") finds the longer compounds
it heads ("regnvandsbassin"), and a compound's right-hand compound ("pumpeanlæg") finds the
longer one it ends ("varmepumpeanlæg").  Each found item must hold the written form and not
the searched word itself, so only the analysis can have found it.
"""

from __future__ import annotations

import re

import pytest

from indexer.search.service import SearchRequest, SearchService


def _found(service: SearchService, q: str) -> set[str]:
    return {r["id"] for r in service.search(SearchRequest(q=q, per_page=100, literal=True)).results}


def _text(service: SearchService, item_id: str) -> str:
    item = service.get_item(item_id)
    assert item is not None
    parts = [item["title"], item.get("decision") or ""] + [s.get("text") or "" for s in item["sections"]]
    return "\n".join(parts).casefold()


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ("jobprofil", "job- og personprofil"),  # suspended compounds
        ("handicapområdet", "handicap- og psykiatriområdet"),
        ("vejområdet", "vej- og parkområdet"),
        ("boligområde", "bolig- og erhvervsområde"),
        ("regnvand", "regnvandsbassin"),  # the modifier compound finds what it heads
        ("spildevand", "spildevandsplan"),
        ("pumpeanlæg", "varmepumpeanlæg"),  # and the right-hand compound what it ends
    ],
)
def test_a_compound_is_found_by_the_word_people_search(browsed: SearchService, query: str, written: str) -> None:
    holding = {i for i in _found(browsed, f'"{written}"') if written in _text(browsed, i)}
    assert holding, f"the rows hold {written!r}"
    assert holding <= _found(browsed, query), query
    only_written = [i for i in holding if not re.search(rf"\b{query}\b", _text(browsed, i))]
    assert only_written, f"some item holds {written!r} but never the word {query!r}"
