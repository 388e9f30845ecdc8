"""Closed content, for every engine: words planted only in a closed item, a closed section
and a closed attachment reach no search, count, suggestion, item, feed or archive."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from indexer.cli import ingest
from indexer.search.service import SearchRequest
from tests.helpers import Opened
from tests.leak.test_closed_content import SECRETS, meeting_line


@pytest.fixture()
def planted(location: str, tmp_path: Path) -> str:
    source = tmp_path / "meetings.jsonl"
    source.write_text(meeting_line(tmp_path) + "\n", "utf-8")
    summary = ingest([source], location, workers=1)
    assert summary.rejected == [] and summary.closed_items == 1
    return location


def assert_clean(value: object, where: str, echoed: str = "") -> None:
    text = json.dumps(value, ensure_ascii=False, default=str).lower()
    for word in SECRETS:
        if echoed and word.startswith(echoed.lower()):
            continue
        assert word not in text, f"{word} leaked through {where}"


def test_no_search_count_or_suggestion_reveals_a_closed_word(planted: str, opened: Opened) -> None:
    service = opened.service(planted)
    for word in [*SECRETS, "skolestruktur", "fortroligt", "lukket", ""]:
        response = service.search(SearchRequest(q=word))
        assert_clean([response.results, response.facets, response.suggestion], f"search {word!r}")
        assert_clean(service.suggest(word[:6]), f"suggest {word[:6]!r}")
        assert_clean(service.did_you_mean(word[:-1] + "x") if word else None, "did you mean")
    for word in SECRETS:
        assert service.search(SearchRequest(q=word)).total == 0
        assert not service.engine.has_word(word)
        assert not any(word.startswith(w) for w, _ in service.engine.completions(word[:5]))
    assert_clean(service.stats(), "stats")
    assert service.search(SearchRequest(q="skolestruktur")).total == 1  # the open item is found


def test_no_item_page_history_or_attachment_reveals_a_closed_word(planted: str, opened: Opened) -> None:
    service = opened.service(planted)
    items = list(opened.engine(planted).iter_items())
    assert sorted(i.access for i in items) == ["closed", "open", "open"]
    for stored in items:
        assert_clean(stored, f"stored item {stored.id}")
        assert_clean(service.get_item(stored.id), "get_item")
        assert_clean(service.similar(stored.id), "similar")
        assert_clean(service.case_history(stored.id), "case history")
        assert_clean(service.meeting_items(stored.meeting_id), "meeting items")
        assert all(service.attachment(stored.id, n) is None for n in range(3))  # the closed attachment is gone
    closed = next(i for i in items if i.access == "closed")
    assert service.get_item(closed.id) is None


def test_web_endpoints_reveal_no_closed_word(planted: str, opened: Opened) -> None:
    client = opened.app(planted).test_client()
    items = list(opened.engine(planted).iter_items())
    urls = ["/", "/feed.atom", "/export.csv", "/api/search?q=", "/api/suggest?q=zqxluk"]
    urls += [f"/api/search?q={word}" for word in SECRETS]
    urls += [f"/items/{i.id}" for i in items] + [f"/api/items/{i.id}" for i in items]
    urls += [f"/items/{i.id}/bilag/{n}" for i in items for n in (1, 2)]
    urls += [f"{at}/{meeting}" for meeting in {i.meeting_id for i in items} for at in ("/meetings", "/api/meetings")]
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True).lower()
        echoed = url.rsplit("=", 1)[-1] if "?q=" in url else ""
        for word in SECRETS:
            if echoed and word.startswith(echoed):
                continue
            assert word not in body, f"{word} leaked through {url}"


def test_an_item_page_reads_nothing_of_a_closed_item_of_its_case(location: str, tmp_path: Path, opened: Opened) -> None:
    """``SearchService.item_page`` (round 33: one read for the page, its case history and
    "Lignende sager", the similar list from lazy hits on the embedded engine, kept by their case
    postings unread): a closed item of the same case, written in the same words, is in none of
    them, and its own page is None, on every engine."""
    words = "vandløbsregulativ grødeskæring bredejere vedligeholdelse"
    meeting = {
        "municipality": "Favrskov Kommune",
        "committee": "Teknik- og Miljøudvalget",
        "start": "2021-05-04T16:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": str(n),
                "title": title,
                "access": access,
                "case_number": "06.02.03-P20-1-21",
                "sections": [{"heading": "Sagsfremstilling", "text": f"{title}: {words}.", "access": "open"}],
            }
            for n, (title, access) in enumerate(
                [
                    ("Vandløbsregulativ for Lilleå", "open"),
                    ("Vandløbsregulativ for Gudenå", "open"),
                    (f"Erstatning til bredejer {SECRETS[0]}", "closed"),
                ],
                start=1,
            )
        ],
    }
    source = tmp_path / "case.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    assert ingest([source], location, workers=1).closed_items == 1
    service = opened.service(location)
    items = list(opened.engine(location).iter_items())
    closed = next(i for i in items if not i.is_open)
    assert service.item_page(closed.id) is None
    shown = 0
    for stored in (i for i in items if i.is_open):
        page = service.item_page(stored.id)
        assert page is not None
        assert_clean(dataclasses.asdict(page), "item page")
        listed = [e["id"] for e in [*page.case_history, *page.similar, *page.meeting_items]]
        assert closed.id not in [e["id"] for e in [*page.case_history, *page.similar]]
        shown += len(page.case_history)
        assert listed, "the page lists the other open item, so the check can fail"
    assert shown == 2  # each open item's history holds the other one
