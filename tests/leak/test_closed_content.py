"""Closed content never leaks: words planted only in closed parts appear on no endpoint.

A JSON Lines meeting (canonical model) carries a closed item, a closed section
of an open item and a closed attachment, each with its own distinctive word,
plus XSS payloads in open titles and section HTML.  Everything a visitor or an
API client can reach is then searched for those words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService

CLOSED_ITEM_WORD = "zqxlukketpunktord"
CLOSED_SECTION_WORD = "zqxlukketafsnitord"
CLOSED_ATTACHMENT_WORD = "zqxlukketbilagord"
# A decision a closed section writes, listed again in the item's decisions without a mark; one
# marked closed in the list itself; an earlier decision the closed history section writes.
CLOSED_DECISION_WORD = "zqxlukketbeslutningord"
MARKED_DECISION_WORD = "zqxmaerketbeslutningord"
CLOSED_HISTORY_WORD = "zqxlukkethistorikord"
OPEN_DECISION_WORD = "zqxaabenbeslutningord"  # the control: an open decision is published
SECRETS = [
    CLOSED_ITEM_WORD,
    CLOSED_SECTION_WORD,
    CLOSED_ATTACHMENT_WORD,
    CLOSED_DECISION_WORD,
    MARKED_DECISION_WORD,
    CLOSED_HISTORY_WORD,
]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def meeting_line(tmp: Path) -> str:
    closed_file = tmp / "lukket.txt"
    closed_file.write_text(f"fortroligt {CLOSED_ATTACHMENT_WORD}", "utf-8")
    return json.dumps(
        {
            "municipality": "Testkommune",
            "committee": "Teknik- og Miljøudvalget",
            "start": "2020-03-02T16:00:00",
            "kind": "referat",
            "access": "open",
            "items": [
                {
                    "number": "1",
                    "title": f"Ny skolestruktur {XSS}",
                    "access": "open",
                    "case_number": "710-2020-1",
                    "sections": [
                        {
                            "heading": "Sagsfremstilling",
                            "text": "Skolestruktur og budget for udvalget.",
                            "html": f"<p>Skolestruktur {XSS}</p>",
                            "access": "open",
                        },
                        {
                            "heading": "Fortroligt",
                            "text": f"Lukket afsnit {CLOSED_SECTION_WORD} skolestruktur",
                            "access": "closed",
                        },
                        {
                            "heading": "Beslutning i Teknik- og Miljøudvalget den 02-03-2020",
                            "text": f"Udvalget besluttede {CLOSED_DECISION_WORD} af personhensyn.",
                            "kind": "decision",
                            "access": "closed",
                        },
                        {
                            "heading": "Sagens forløb",
                            "text": f"Tidligere besluttet {CLOSED_HISTORY_WORD}.",
                            "kind": "history",
                            "access": "closed",
                        },
                    ],
                    "decisions": [
                        {
                            "body": "Teknik- og Miljøudvalget",
                            "date": "2020-03-02",
                            "text": f"Udvalget besluttede  {CLOSED_DECISION_WORD} af personhensyn.",
                        },
                        {"body": "Byrådet", "date": "2020-03-09", "text": MARKED_DECISION_WORD, "access": "closed"},
                    ],
                    "history": [
                        {"body": "Byrådet", "date": "2019-05-01", "text": f"Tidligere besluttet {CLOSED_HISTORY_WORD}."}
                    ],
                },
                {
                    "number": "3",
                    "title": "Trafikplan",
                    "access": "open",
                    "sections": [
                        {
                            "heading": "Beslutning",
                            "text": f"Godkendt {OPEN_DECISION_WORD}.",
                            "kind": "decision",
                            "access": "open",
                        },
                        {"heading": "Fortroligt", "text": "Et lukket afsnit.", "access": "closed"},
                    ],
                    "decisions": [
                        {
                            "body": "Teknik- og Miljøudvalget",
                            "date": "2020-03-02",
                            "text": f"Godkendt {OPEN_DECISION_WORD}.",
                        }
                    ],
                    "attachments": [
                        {
                            "number": "1",
                            "title": f"Lukket bilag {CLOSED_ATTACHMENT_WORD}",
                            "access": "closed",
                            "file": str(closed_file),
                            "text": f"bilagstekst {CLOSED_ATTACHMENT_WORD}",
                        },
                    ],
                },
                {
                    "number": "2",
                    "title": f"Personalesag {CLOSED_ITEM_WORD}",
                    "access": "closed",
                    "case_number": "710-2020-2",
                    "sections": [
                        {
                            "heading": "Sagsfremstilling",
                            "text": f"Skolestruktur {CLOSED_ITEM_WORD} fortroligt",
                            "access": "open",
                        }
                    ],
                },
            ],
        },
        ensure_ascii=False,
    )


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("leak")
    source = tmp / "meetings.jsonl"
    source.write_text(meeting_line(tmp) + "\n", "utf-8")
    summary = ingest([source], tmp / "ix", workers=1)
    assert summary.rejected == []
    assert summary.closed_items == 1
    return tmp / "ix"


def assert_clean(text: str, where: str, echoed: str = "") -> None:
    """No closed word in ``text``; ``echoed`` is the visitor's own query, which a page may repeat."""
    lowered = text.lower()
    for word in SECRETS:
        if echoed and word.startswith(echoed.lower()):
            continue
        assert word not in lowered, f"{word} leaked through {where}"


def test_nothing_in_the_index_files_holds_a_closed_word(index_dir: Path) -> None:
    for path in index_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for word in SECRETS:
                assert word.encode() not in data, f"{word} stored in {path}"


def test_an_open_decision_is_published_beside_a_closed_section(index_dir: Path) -> None:
    """The control: only what a closed section writes is withheld from the decisions."""
    service = SearchService(index_dir)
    found = service.search(SearchRequest(q=OPEN_DECISION_WORD)).results
    assert [hit["title"] for hit in found] == ["Trafikplan"]
    item = service.get_item(found[0]["id"])
    assert item is not None
    assert [d["text"] for d in item["decisions"]] == [f"Godkendt {OPEN_DECISION_WORD}."]


def test_search_service_reveals_no_closed_word(index_dir: Path) -> None:
    service = SearchService(index_dir)
    for word in [*SECRETS, "skolestruktur", "fortroligt", "lukket"]:
        response = service.search(SearchRequest(q=word))
        assert_clean(json.dumps(response.to_dict(), ensure_ascii=False), f"search {word}", echoed=word)
        assert_clean(json.dumps([*response.results, response.facets], ensure_ascii=False), f"search {word}")
        assert_clean(json.dumps(service.suggest(word[:6]), ensure_ascii=False), "suggest")
        assert_clean(str(service.did_you_mean(word[:-1] + "x")), "did you mean")
    for word in SECRETS:
        assert service.search(SearchRequest(q=word, literal=True)).total == 0
    assert_clean(json.dumps(service.stats(), ensure_ascii=False, default=str), "stats")
    with MinutesIndex.open(index_dir).ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    for item_id in ids:
        assert_clean(json.dumps(service.get_item(item_id), ensure_ascii=False, default=str), "get_item")
        assert_clean(json.dumps(service.similar(item_id), ensure_ascii=False, default=str), "similar")
        assert_clean(json.dumps(service.case_history(item_id), ensure_ascii=False, default=str), "case history")


def test_web_endpoints_reveal_no_closed_word_and_render_xss_inert(index_dir: Path) -> None:
    webui = pytest.importorskip("webui")
    app = webui.create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    with MinutesIndex.open(index_dir).ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    urls: list[tuple[str, str]] = []
    for word in [*SECRETS, "skolestruktur", "lukket", ""]:
        urls += [(f"/?q={word}", word), (f"/api/search?q={word}", word), (f"/api/suggest?q={word[:6]}", word[:6])]
        urls += [(f"/feed.atom?q={word}", word), (f"/export.csv?q={word}", word)]
    for item_id in ids:
        urls += [(f"/items/{item_id}", ""), (f"/api/items/{item_id}", "")]
        urls += [(f"/items/{item_id}/bilag/{n}", "") for n in range(0, 4)]
    for url, echoed in urls:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert_clean(body, url, echoed=echoed)
        if echoed in SECRETS and url.startswith("/api/search"):
            data = response.get_json()  # nothing, or the results of a correction from open words
            assert data["total"] == 0 or data["corrected_from"] == echoed
        if response.mimetype in ("text/html", "application/atom+xml"):  # JSON and CSV carry the text as data
            assert "<script>alert" not in body, f"live script on {url}"
            assert "<img src=x onerror" not in body, f"live handler on {url}"
    for trick in ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..\\..\\etc\\passwd"]:
        response = client.get(f"/items/{ids[0]}/bilag/{trick}")
        assert response.status_code in (400, 404)
        assert "root:" not in response.get_data(as_text=True)
