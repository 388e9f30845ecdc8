"""HTTP around closed content: archived files cannot act as pages of the site, nothing about an
item is cached past its closure, and HTML from any input is sanitised for every output."""

from __future__ import annotations

import io
import json
from pathlib import Path

from flask.testing import FlaskClient

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.leak.test_versions import ITEM_WORD, version

from .conftest import XSS_TITLE


def _attachment_urls(index_dir: Path, suffix: str) -> list[str]:
    urls = []
    for stored in MinutesIndex.open(index_dir).iter_stored():
        if stored.get("access") != "open":
            continue
        for n, attachment in enumerate(json.loads(stored["doc"]).get("attachments", []), start=1):
            if (attachment.get("archive_name") or "").endswith(suffix):
                urls.append(f"/items/{stored['id']}/bilag/{n}")
    return urls


def test_pdf_inline_office_files_as_downloads_never_sniffed(client: FlaskClient, index_dir: Path) -> None:
    pdfs, docx = _attachment_urls(index_dir, ".pdf"), _attachment_urls(index_dir, ".docx")
    assert pdfs and docx
    for url, inline in ((pdfs[0], True), (docx[0], False)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == "sandbox"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers.get("Content-Disposition", "")
        if inline:
            assert response.mimetype == "application/pdf" and not disposition.startswith("attachment")
        else:  # the type is never the input's: an office file is bytes to save
            assert response.mimetype == "application/octet-stream" and disposition.startswith("attachment")
        cache = response.headers["Cache-Control"]
        assert "no-cache" in cache and "public" not in cache and "86400" not in cache
        assert response.headers.get("ETag") and response.headers.get("Last-Modified")
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_item_pages_are_revalidated_search_pages_briefly_cached(client: FlaskClient, index_dir: Path) -> None:
    item_id = SearchService(index_dir).search(SearchRequest(q="vejbump")).results[0]["id"]
    for url in (f"/items/{item_id}", f"/api/items/{item_id}"):
        response = client.get(url)
        assert "no-cache" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert "max-age=300" in client.get("/?q=vejbump").headers["Cache-Control"]


def test_json_api_returns_sanitised_html(client: FlaskClient) -> None:
    hit = next(r for r in client.get("/api/search?q=vejbump").get_json()["results"] if r["title"] == XSS_TITLE)
    item = client.get(f"/api/items/{hit['id']}").get_json()
    html = " ".join(s.get("html") or "" for s in item["sections"])
    assert "Borgerne ønsker vejbump" in html
    for dangerous in ("<script", "onerror", "javascript:", "<img"):
        assert dangerous not in html


def test_a_closed_items_urls_answer_404_at_once(tmp_path: Path) -> None:
    from webui import create_app

    root = tmp_path / "ix"
    ingest([version(tmp_path, "v1", "referat", "open")], root, workers=1, stream=io.StringIO())
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    hit = client.get(f"/api/search?q={ITEM_WORD}").get_json()["results"][0]
    urls = [hit["url"], f"/api/items/{hit['id']}", f"/items/{hit['id']}/bilag/1"]
    tags = {url: client.get(url).headers.get("ETag") for url in urls}
    assert all(tags.values())
    ingest([version(tmp_path, "v2", "referat", "closed")], root, workers=1, stream=io.StringIO())
    for url in urls:  # the running server, a revalidating cache: both get the 404
        assert client.get(url).status_code == 404
        assert client.get(url, headers={"If-None-Match": tags[url]}).status_code == 404
