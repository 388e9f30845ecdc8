"""Item pages, attachments, and their JSON twin."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from flask.testing import FlaskClient

from tests.conftest import SAMPLES

from .conftest import CASE_NUMBER, CLOSED_ATTACHMENT_WORD, XSS_TITLE
from .test_search import api


def find_id(client: FlaskClient, q: str, title: str) -> str:
    data = client.get("/api/search", query_string={"q": q}).get_json()
    for result in data["results"]:
        if result["title"] == title:
            return str(result["id"])
    raise AssertionError(f"{title!r} not found for {q!r}: {[r['title'] for r in data['results']]}")


@cache
def sample_file_hashes() -> frozenset[str]:
    return frozenset(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix.lower() == ".pdf"
    )


def test_item_page_sections_decision_absentees_attachments(client: FlaskClient) -> None:
    item_id = find_id(client, "sociale medier", "Sociale medier i arbejdsmæssig sammenhæng")
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    item = client.get(f"/api/items/{item_id}").get_json()
    assert f"<h1>{item['title']}</h1>" in html
    headings = [s["heading"] for s in item["sections"]]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions), "sections in order"
    assert 'class="section decision"' in html and 'class="badge"' in html
    assert ">Fraværende</h2>" in html
    for name in item["absentees"]:
        assert name in html
    assert item["absentees"], "the seed names absentees"
    for attachment in item["attachments"]:
        assert attachment["title"] in html
        assert f"Journalnr. {attachment['journal_number']}" in html
    assert "5. december 2022" in html
    assert f'href="/api/items/{item_id}"' in html


def test_item_json_twin_matches_page(client: FlaskClient) -> None:
    item_id = find_id(client, "vejbump", XSS_TITLE)
    item = client.get(f"/api/items/{item_id}").get_json()
    assert item["case_number"] == CASE_NUMBER
    assert item["url"] == f"http://localhost/items/{item_id}"
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert [e["title"] for e in item["case_history"]] == ["Vejbump på Skolevej, finansiering"]
    assert "Vejbump på Skolevej, finansiering" in html and ">Sagens historik</h2>" in html
    assert ">Lignende sager</h2>" in html
    for similar in item["similar"]:
        assert similar["url"].endswith(f"/items/{similar['id']}")
    meeting = item["meeting_items"]
    assert [m["number"] for m in meeting] == ["1", "2", "3"]
    closed = meeting[1]
    assert closed["access"] == "closed" and closed["title"] == "Lukket punkt" and closed["url"] is None
    assert '<span class="closed">Lukket punkt</span>' in html
    assert "Karen Fraværsen" in html  # absentee of the meeting


def test_attachment_route_serves_archived_pdf(client: FlaskClient) -> None:
    served = 0
    for page in range(1, 20):
        data = client.get("/api/search", query_string={"page": page, "sort": "oldest"}).get_json()
        for result in data["results"]:
            for attachment in result["attachments"]:
                url = attachment["url"]
                if not url or attachment["media_type"] != "application/pdf":
                    continue
                response = client.get(url.replace("http://localhost", ""))
                if response.status_code == 302:
                    continue  # known only by its source URL
                assert response.status_code == 200, url
                assert response.mimetype == "application/pdf"
                assert response.data.startswith(b"%PDF")
                assert hashlib.sha256(response.data).hexdigest() in sample_file_hashes()
                assert "filename" in response.headers["Content-Disposition"]
                served += 1
                html = client.get(f"/items/{result['id']}").get_data(as_text=True)
                assert f'href="{url}"' in html
        if served >= 3 or page >= data["pages"]:
            break
    assert served >= 1, "the samples include archived PDF attachments"


def test_attachment_route_rejects_bad_numbers_and_paths(client: FlaskClient) -> None:
    item_id = find_id(client, "vejbump", XSS_TITLE)
    item = client.get(f"/api/items/{item_id}").get_json()
    assert [a["title"] for a in item["attachments"]] == ["Kort over Skolevej"]  # the closed one is gone
    assert CLOSED_ATTACHMENT_WORD not in client.get(f"/items/{item_id}").get_data(as_text=True)
    for url in (
        f"/items/{item_id}/bilag/0",
        f"/items/{item_id}/bilag/1",  # open, but no file and no URL
        f"/items/{item_id}/bilag/2",  # the closed attachment's place
        f"/items/{item_id}/bilag/99",
        f"/items/{item_id}/bilag/-1",
        f"/items/{item_id}/bilag/..%2f..%2fsources.json",
        "/items/..%2f..%2fsources.json/bilag/1",
        "/items/0000000000000000/bilag/1",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Siden findes ikke" in response.get_data(as_text=True)


def test_unknown_item_is_a_danish_404(client: FlaskClient) -> None:
    response = client.get("/items/ffffffffffffffff")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)
    api_response = client.get("/api/items/ffffffffffffffff")
    assert api_response.status_code == 404 and api_response.get_json()["status"] == 404


def test_section_html_is_shown_sanitised(client: FlaskClient) -> None:
    item_id = find_id(client, "vejbump", XSS_TITLE)
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    body = html[html.index("<main") :]
    assert "<p>Borgerne ønsker vejbump.</p>" in body
    assert "<script>" not in body and "onerror" not in body and "javascript:" not in body
    assert "&lt;script&gt;alert(&#34;titel&#34;)&lt;/script&gt; Vejbump" in body or "&lt;script&gt;" in body
    assert re.search(r"<h1>&lt;script&gt;", body)


def test_similar_items_share_the_subject_or_are_not_shown(client: FlaskClient) -> None:
    """The social-media guide has no neighbour on its subject in the demo: it shows none.
    A local plan's neighbours are local plans."""
    seed = api(client, "/api/search?q=sociale+medier+arbejdsmæssig")["results"][0]
    assert seed["title"] == "Sociale medier i arbejdsmæssig sammenhæng"
    assert api(client, f"/api/items/{seed['id']}")["similar"] == []
    plan = api(client, "/api/search?q=lokalplan+1221")["results"][0]
    similar = api(client, f"/api/items/{plan['id']}")["similar"]
    assert similar and all("lokalplan" in s["title"].lower() for s in similar)


BEREDSKAB = "Beredskabsplaner - negativ social kontrol, æresrelaterede konflikter og ekstremisme"


def test_attachments_are_named_as_the_source_numbers_them(client: FlaskClient) -> None:
    """Aarhus's portal lists an unnumbered "Indstilling" before "Bilag 1: …" and "Bilag 2: …"
    (firstagenda/aarhus-2025/example_agenda.html). The page names each as the source does: no
    "Bilag 1" is made up for the Indstilling, and a link labelled "Bilag 2" is bilag 2's file."""
    item_id = find_id(client, "beredskabsplaner ekstremisme", BEREDSKAB)
    item = client.get(f"/api/items/{item_id}").get_json()
    assert [(a["number"], a["title"]) for a in item["attachments"]] == [
        ("", "Indstilling"),
        ("1", "Bilag 1: Beredskabsplan negativ social kontrol og æresrelaterede konflikter"),
        ("2", "Bilag 2: Beredskabsplan ekstremisme"),
    ]
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    links = re.findall(r'<a href="http://localhost(/items/[0-9a-f]+/bilag/\d+)">([^<]*)</a>', html)
    assert [label for _, label in links] == [
        "Indstilling",
        "Bilag 1: Beredskabsplan negativ social kontrol og æresrelaterede konflikter",
        "Bilag 2: Beredskabsplan ekstremisme",
    ]
    assert "Bilag 1: Indstilling" not in html
    for (url, _), attachment in zip(links, item["attachments"], strict=True):
        # each link leads to the file of the attachment it names (here: to the portal's copy)
        response = client.get(url)
        assert response.status_code == 302 and attachment["document_id"] in response.location, url


def test_an_index_written_with_positions_for_numbers_still_shows_the_sources_numbering() -> None:
    """Indexes written before the formats read the titles' numbering hold each bilag's place as its
    number; where the titles carry the numbering, the page names them by their titles alone."""
    from webui.viewmodels import attachment_views

    stored = [
        {"number": "1", "title": "Indstilling"},
        {"number": "2", "title": "Bilag 1: Budgetredegørelsen"},
        {"number": "3", "title": "Bilag 1.1: Økonomioversigt"},
        {"number": "4", "title": "Byrådsdebat 10.09.2025"},
    ]
    assert [(a["number"], a["label"]) for a in attachment_views(stored)] == [
        ("", "Indstilling"),
        ("1", "Bilag 1: Budgetredegørelsen"),
        ("1.1", "Bilag 1.1: Økonomioversigt"),
        ("", "Byrådsdebat 10.09.2025"),
    ]
    # a source that numbers its bilag apart from their titles keeps its numbers
    printed = [{"number": "3", "title": "Kort over Skolevej"}]
    assert [a["label"] for a in attachment_views(printed)] == ["Bilag 3: Kort over Skolevej"]
