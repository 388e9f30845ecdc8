"""Meeting pages (/meetings/<id>) and their JSON twin (/api/meetings/<id>): the committee, the
date, the kind and the place, the agenda in order with closed items as numbered stubs, and the
whole-meeting document an open item was read from.  Item pages and the API link to them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask.testing import FlaskClient

from indexer.cli import main
from tests.helpers import quiet_ingest
from tests.leak.test_versions import ITEM_WORD, version
from webui import create_app

from .conftest import CLOSED_WORD, XSS_TITLE
from .test_items import find_id


def meeting_of(client: FlaskClient, item_id: str) -> str:
    return str(client.get(f"/api/items/{item_id}").get_json()["meeting_id"])


def test_a_meeting_page_lists_its_agenda_with_closed_items_as_numbered_stubs(client: FlaskClient) -> None:
    """Testrup's Teknik- og Miljøudvalget on 4 March 2021: items 1 and 3 open, item 2 closed."""
    meeting_id = meeting_of(client, find_id(client, "vejbump", XSS_TITLE))
    response = client.get(f"/meetings/{meeting_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Teknik- og Miljøudvalget – 4. marts 2021</h1>" in html
    assert '<time datetime="2021-03-04">4. marts 2021</time>' in html
    assert "<dd>Referat</dd>" in html and "<dd>Testrup Kommune</dd>" in html
    agenda = re.findall(r'<li><span class="num">(\d+)\.</span>\s*(.*?)</li>', html, re.S)
    assert [number for number, _ in agenda] == ["1", "2", "3"]
    assert agenda[0][1].startswith('<a href="/items/') and "Vejbump på Skolevej" in agenda[0][1]
    assert agenda[1][1] == '<span class="closed">Lukket punkt</span>'  # no link, no title, no text
    assert agenda[2][1].startswith('<a href="/items/') and "Trafikplan for midtbyen" in agenda[2][1]
    assert CLOSED_WORD not in html and "21/9999" not in html
    assert f'href="/api/meetings/{meeting_id}"' in html


def test_the_meeting_json_twin_says_the_same(client: FlaskClient) -> None:
    meeting_id = meeting_of(client, find_id(client, "vejbump", XSS_TITLE))
    response = client.get(f"/api/meetings/{meeting_id}")
    assert response.status_code == 200
    meeting = response.get_json()
    assert (meeting["committee"], meeting["meeting_date"][:10], meeting["type"]) == (
        "Teknik- og Miljøudvalget",
        "2021-03-04",
        "referat",
    )
    assert meeting["url"] == f"http://localhost/meetings/{meeting_id}"
    assert [(i["number"], i["title"], i["access"]) for i in meeting["items"]] == [
        ("1", XSS_TITLE, "open"),
        ("2", "Lukket punkt", "closed"),
        ("3", "Trafikplan for midtbyen", "open"),
    ]
    closed = meeting["items"][1]
    assert closed["id"] is None and closed["url"] is None
    assert CLOSED_WORD not in response.get_data(as_text=True)
    assert meeting["documents"] == []


def test_item_pages_and_the_api_link_to_the_meeting(client: FlaskClient) -> None:
    item_id = find_id(client, "vejbump", XSS_TITLE)
    meeting_id = meeting_of(client, item_id)
    item = client.get(f"/api/items/{item_id}").get_json()
    assert item["meeting_url"] == f"http://localhost/meetings/{meeting_id}"
    assert item["meeting_api_url"] == f"http://localhost/api/meetings/{meeting_id}"
    hit = next(r for r in client.get("/api/search?q=vejbump").get_json()["results"] if r["id"] == item_id)
    assert hit["meeting_url"] == item["meeting_url"]
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert f'<a href="/meetings/{meeting_id}"><time datetime="2021-03-04">4. marts 2021</time> (Referat)</a>' in html
    assert '<dd><a href="/?committee=Teknik-+og+Milj%C3%B8udvalget">Teknik- og Miljøudvalget</a></dd>' in html


def test_a_meeting_known_by_its_year_alone_is_dated_by_the_year(tmp_path: Path) -> None:
    """The open dataset dates some meetings by the year only: the page says the year, never a
    made-up 1 January; the place is shown as the source gives it."""
    meeting = {
        "municipality": "Testrup Kommune",
        "committee": "Teknik- og Miljøudvalget",
        "start": "2016-01-01T00:00:00",
        "date_precision": "year",
        "kind": "referat",
        "location": "Rådhuset, mødelokale 2",
        "access": "open",
        "items": [{"number": "1", "title": "Vintertjeneste", "access": "open"}],
    }
    source = tmp_path / "year.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", encoding="utf-8")
    root = tmp_path / "ix"
    quiet_ingest([source], root)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    meeting_id = client.get("/api/search?q=vintertjeneste").get_json()["results"][0]["meeting_id"]
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "<h1>Teknik- og Miljøudvalget – 2016</h1>" in page
    assert '<time datetime="2016">2016</time>' in page and "januar" not in page
    assert "<dd>Rådhuset, mødelokale 2</dd>" in page
    data = client.get(f"/api/meetings/{meeting_id}").get_json()
    assert (data["meeting_date"], data["date_precision"], data["location"]) == (
        "2016",
        "year",
        "Rådhuset, mødelokale 2",
    )


def test_a_meeting_read_from_one_document_links_it(client: FlaskClient) -> None:
    """Aarhus Byråd 27 August 2025 was read from one PDF of the whole meeting."""
    hits = client.get("/api/search?q=aarhus&from=2025-08-27&to=2025-08-27").get_json()["results"]
    meeting_id = hits[0]["meeting_id"]
    meeting = client.get(f"/api/meetings/{meeting_id}").get_json()
    [document] = meeting["documents"]
    assert document["title"] == "Aarhus_Byråd-Aarhus_Byråd_den_27._august_2025.pdf"
    response = client.get(document["url"].replace("http://localhost", ""))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    html = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f'<a href="{document["url"].replace("http://localhost", "")}">{document["title"]}</a>' in html


def test_unknown_meetings_are_404_and_a_taken_down_meeting_is_410(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "referat", "referat", "open")], root)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    meeting_id = client.get(f"/api/search?q={ITEM_WORD}").get_json()["results"][0]["meeting_id"]
    assert client.get(f"/meetings/{meeting_id}").status_code == 200
    assert client.get("/meetings/0123456789abcdef").status_code == 404
    assert client.get("/api/meetings/0123456789abcdef").status_code == 404
    assert client.get("/meetings/..%2fsources.json").status_code == 404
    assert main(["forget", meeting_id, "--reason", "udgivet ved en fejl", "--index", str(root)]) == 0
    for url in (f"/meetings/{meeting_id}", f"/api/meetings/{meeting_id}"):
        assert client.get(url).status_code == 410, url
    assert "Mødet er fjernet" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
