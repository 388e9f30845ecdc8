"""Closed content never leaves the index; feeds, CSV and the OpenAPI document are well formed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from indexer.formats import IngestContext, available_formats
from indexer.model import Access
from tests.conftest import SAMPLES

from .conftest import CLOSED_ATTACHMENT_WORD, CLOSED_WORD, XSS_TITLE, _meetings

ATOM = "{http://www.w3.org/2005/Atom}"
FUJITSU = SAMPLES / "edoc-fujitsu"


def fujitsu_closed_item_ids() -> list[tuple[str, str]]:
    parser = available_formats()["edoc-fujitsu"]
    found = []
    for path in sorted(FUJITSU.rglob("*")):
        if not parser.detect(path):
            continue
        for meeting in parser.parse(path, IngestContext()):
            for item in meeting.items:
                if item.access != Access.OPEN:
                    found.append((item.id, item.title))
    return found


def closed_items(tmp_path: Path) -> list[tuple[str, str]]:
    """(id, title) of the closed items in the web index's own JSON Lines meetings (ids are made
    from the meeting and item, not the file, so parsing them again gives the indexed ids)."""
    path = tmp_path / "testrup.jsonl"
    path.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in _meetings()) + "\n", encoding="utf-8")
    meetings = available_formats()["jsonl"].parse(path, IngestContext())
    found = [(item.id, item.title) for meeting in meetings for item in meeting.items if item.access != Access.OPEN]
    assert [title for _, title in found] == [f"Salg af grund ({CLOSED_WORD})"], found
    return found


def everything_public(client: FlaskClient, prefix: str) -> str:
    """Every listing a visitor can get without naming the word: all pages, facets, feed, CSV, suggestions."""
    first = client.get("/api/search?per_page=100").get_json()
    parts = [
        client.get("/api/search", query_string={"page": p}).get_data(as_text=True) for p in range(1, first["pages"] + 1)
    ]
    parts += [client.get("/", query_string={"page": p}).get_data(as_text=True) for p in range(1, first["pages"] + 1)]
    parts += [
        client.get("/api/suggest", query_string={"q": prefix}).get_data(as_text=True),
        client.get("/feed.atom").get_data(as_text=True),
        client.get("/export.csv").get_data(as_text=True),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("word", [CLOSED_WORD, CLOSED_ATTACHMENT_WORD, "møgsag"])
def test_closed_content_is_nowhere(client: FlaskClient, word: str, tmp_path: Path) -> None:
    assert word.casefold() not in everything_public(client, word[:5]).casefold()
    data = client.get("/api/search", query_string={"q": word, "literal": "1"}).get_json()
    assert data["total"] == 0 and data["results"] == []
    assert all(v["count"] == 0 for values in data["facets"].values() for v in values)
    feed = etree.fromstring(client.get("/feed.atom", query_string={"q": word}).data)
    assert feed.findall(f"{ATOM}entry") == []
    html = client.get("/", query_string={"q": word, "literal": "1"}).get_data(as_text=True)
    assert "0 resultater" in html and 'class="hit"' not in html
    corrected = client.get("/api/search", query_string={"q": word}).get_json()  # a correction from open words
    assert corrected["total"] == 0 or corrected["corrected_from"] == word
    # The exports list exactly what the page lists (the open words' items when the page corrects
    # the word), and nothing of a closed item: not its id, title, case number or text.
    pages = [corrected["results"]] + [
        client.get("/api/search", query_string={"q": word, "page": n}).get_json()["results"]
        for n in range(2, corrected["pages"] + 1)
    ]
    listed = [hit["id"] for page in pages for hit in page]
    closed = closed_items(tmp_path) + fujitsu_closed_item_ids()
    assert not {item_id for item_id, _ in closed} & set(listed)
    for export, delimiter in (("/export.csv", ","), ("/export-excel.csv", ";")):
        text = client.get(export, query_string={"q": word}).get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert [row[0] for row in rows[1:]] == listed, export
        folded = text.casefold()
        for secret in (CLOSED_WORD, CLOSED_ATTACHMENT_WORD, "møgsag", "fortroligt om", "21/9999"):
            assert secret.casefold() not in folded, (export, secret)
        for item_id, title in closed:
            assert item_id not in text and title.casefold() not in folded, (export, title)
        literal = client.get(export, query_string={"q": word, "literal": "1"}).get_data(as_text=True)
        assert len(literal.lstrip("\ufeff").splitlines()) == 1, export  # the header only


def test_fujitsu_closed_item_is_not_served(client: FlaskClient) -> None:
    closed = fujitsu_closed_item_ids()
    assert any("møgsag" in title for _, title in closed), closed
    for item_id, _ in closed:
        assert client.get(f"/items/{item_id}").status_code == 404
        assert client.get(f"/api/items/{item_id}").status_code == 404
        assert client.get(f"/items/{item_id}/bilag/1").status_code == 404


def test_xss_payload_renders_inert(client: FlaskClient) -> None:
    for url in ("/?q=vejbump", "/?q=skolevej&sort=newest"):
        html = client.get(url).get_data(as_text=True)
        assert '<script>alert("titel")' not in html
        assert "&lt;script&gt;alert(" in html
    reflected = client.get("/", query_string={"q": '"><script>alert(3)</script>'}).get_data(as_text=True)
    assert "<script>alert(3)" not in reflected
    api_title = client.get("/api/search?q=vejbump").get_json()["results"]
    assert XSS_TITLE in [r["title"] for r in api_title]  # JSON carries the text as text


def test_atom_feed_parses_newest_first(client: FlaskClient) -> None:
    response = client.get("/feed.atom?q=vejbump")
    assert response.mimetype == "application/atom+xml"
    root = etree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert XSS_TITLE in titles  # markup in a title is text in the feed, not elements
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/items/")
    html = client.get("/?q=vejbump").get_data(as_text=True)
    assert 'type="application/atom+xml" href="/feed.atom?q=vejbump"' in html


def test_csv_export_parses(client: FlaskClient) -> None:
    response = client.get("/export.csv?q=vejbump")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    assert list(rows[0]) == [
        "id",
        "title",
        "committee",
        "municipality",
        "meeting_date",
        "item_number",
        "case_number",
        "decision",
        "url",
    ]
    row = next(r for r in rows if r["title"] == "Vejbump på Skolevej, finansiering")
    assert row["meeting_date"] == "2021-05-06" and row["municipality"] == "Testrup Kommune"
    assert row["url"] == f"http://localhost/items/{row['id']}"
    everything = client.get("/export.csv").get_data(as_text=True).lstrip("\ufeff")
    total = client.get("/api/search").get_json()["total"]
    assert len(list(csv.DictReader(io.StringIO(everything)))) == total


def test_csv_export_is_bounded(app, client: FlaskClient) -> None:
    app.config["EXPORT_LIMIT"] = 5
    try:
        response = client.get("/export.csv")
    finally:
        app.config["EXPORT_LIMIT"] = 5000
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 5
    assert response.headers["X-Result-Truncated"].startswith("5 of ")


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.data)
    assert doc["openapi"].startswith("3.")
    assert {"/api/search", "/api/items/{id}", "/api/suggest"} <= set(doc["paths"])
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {
        "q",
        "committee",
        "topic",
        "municipality",
        "type",
        "year",
        "from",
        "to",
        "sort",
        "page",
        "literal",
        "every_treatment",
    }
    refs = {ref.split("/")[-1] for ref in _refs(doc)}
    assert refs <= set(doc["components"]["schemas"])


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_api_docs_exist() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "api.md"
    assert "/api/search" in doc.read_text(encoding="utf-8")
