"""Paging, facets, filters, sort and attachments over real exports, for every engine."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from indexer.search.service import SearchRequest, SearchService


def ids(service: SearchService, **request: object) -> list[str]:
    return [r["id"] for r in service.search(SearchRequest(**request)).results]  # type: ignore[arg-type]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_pages_follow_on_without_gaps_or_repeats(browsed: SearchService, sort: str) -> None:
    q = "" if sort != "relevance" else "udvalget"
    whole = ids(browsed, q=q, sort=sort, per_page=15)
    pages = [ids(browsed, q=q, sort=sort, per_page=5, page=n) for n in (1, 2, 3)]
    assert len(whole) == 15 and [i for page in pages for i in page] == whole


def test_newest_and_oldest_are_date_orders(browsed: SearchService) -> None:
    for sort in ("newest", "oldest"):
        dates = [r["meeting_date"] for r in browsed.search(SearchRequest(q="budget", sort=sort, per_page=50)).results]
        assert dates and dates == sorted(dates, reverse=sort == "newest")


def test_facet_counts_are_what_the_filters_return(browsed: SearchService) -> None:
    response = browsed.search(SearchRequest(q="budget"))
    committees = response.facets["committee"]
    assert sum(v["count"] for v in committees) == response.total
    for value in committees[:3]:
        narrowed = browsed.search(SearchRequest(q="budget", committee=[value["value"]]))
        assert narrowed.total == value["count"]
        assert {r["committee"] for r in narrowed.results} == {value["value"]}
    for value in response.facets["year"][:2]:
        assert browsed.search(SearchRequest(q="budget", year=[value["value"]])).total == value["count"]
    for value in response.facets["kind"]:
        assert browsed.search(SearchRequest(q="budget", kind=[value["value"]])).total == value["count"]


def test_a_phrase_is_narrower_than_its_words(browsed: SearchService) -> None:
    words = browsed.search(SearchRequest(q="kollektiv trafik")).total
    phrase = browsed.search(SearchRequest(q='"kollektiv trafik"')).total
    assert 0 < phrase <= words


def test_attachment_text_is_searchable_and_the_archived_file_served(browsed: SearchService) -> None:
    engine = browsed.engine
    with_text = [i for i in engine.iter_items() if i.is_open and i.texts.get("attachments")]
    assert with_text, "the Acadre sample has attachment text"
    item = with_text[0]
    own = " ".join(item.texts.get(f, "") for f in ("title", "decision", "body")).lower()
    word = next(w for w in re.findall(r"[a-zæøå]{9,}", item.texts["attachments"].lower()) if w not in own)
    assert item.id in ids(browsed, q=f"bilag:{word}", per_page=50)
    assert any(a.get("archive_name") for a in item.doc["attachments"]), "the sample's files are archived"
    for n, meta in enumerate(item.doc["attachments"]):
        name = meta.get("archive_name")
        if not name:
            continue
        found = browsed.attachment(item.id, n)
        assert found is not None
        data = Path(found.path).read_bytes() if found.path else found.stream.read()  # type: ignore[union-attr]
        assert hashlib.sha256(data).hexdigest() == name.split(".")[0]
    assert browsed.attachment(item.id, 999) is None
    assert browsed.attachment("no-such-item", 0) is None
