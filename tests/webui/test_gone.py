"""Withdrawn and taken-down items: their old URLs (page, JSON, attachment files) answer
410 Gone at once on a running server; closed and unknown ids stay 404; an item that
comes back is served again.  The real Ballerup Publication export, edited into versions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from flask.testing import FlaskClient

from indexer.cli import main
from indexer.engines.whoosh.index import MinutesIndex
from indexer.gone import Gone
from tests.helpers import quiet_ingest
from tests.leak.test_versions import ITEM_WORD, version
from webui import create_app


def client_for(root: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()


def urls_of(client: FlaskClient) -> list[str]:
    hit = client.get(f"/api/search?q={ITEM_WORD}").get_json()["results"][0]
    return [f"/items/{hit['id']}", f"/api/items/{hit['id']}", f"/items/{hit['id']}/bilag/1"]


def test_a_withdrawn_items_urls_answer_410_at_once(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "open")], root)
    client = client_for(root)
    urls = urls_of(client)
    tags = {url: client.get(url).headers.get("ETag") for url in urls}
    assert all(client.get(url).status_code == 200 for url in urls)
    quiet_ingest([version(tmp_path, "referat", "referat", "gone")], root)  # the item is withdrawn
    for url in urls:  # the same running server, and a cache revalidating its copy
        assert client.get(url).status_code == 410, url
        assert client.get(url, headers={"If-None-Match": tags[url]}).status_code == 410, url
        assert "no-store" in client.get(url).headers["Cache-Control"]
    assert client.get(urls[1]).get_json()["status"] == 410
    # The refreshed searcher reads the new segments only: the old ones held the item (a 500 before).
    assert client.get(f"/api/search?q={ITEM_WORD}&literal=1").get_json()["total"] == 0
    assert "Punktet er fjernet" in client.get(urls[0]).get_data(as_text=True)
    assert ITEM_WORD not in (root / "gone.json").read_text("utf-8")  # ids only, never content
    assert client.get("/items/0123456789abcdef").status_code == 404  # never published: not gone


def test_closed_items_stay_404_and_a_returning_item_is_served(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], root)
    client = client_for(root)
    urls = urls_of(client)
    quiet_ingest([version(tmp_path, "v2", "referat", "closed")], root)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]  # closed is not gone
    with MinutesIndex.open(root).ix.searcher() as searcher:
        closed = [f["id"] for f in searcher.all_stored_fields() if f["access"] == "closed"]
    assert urls[0].endswith(closed[0]) or closed  # the stub is there, under the same id

    root2 = tmp_path / "ix2"
    quiet_ingest([version(tmp_path, "d", "dagsorden", "open")], root2)
    client2 = client_for(root2)
    urls2 = urls_of(client2)
    quiet_ingest([version(tmp_path, "r1", "referat", "gone")], root2)
    assert client2.get(urls2[0]).status_code == 410
    quiet_ingest([version(tmp_path, "r2", "referat", "open")], root2)  # back in a later version
    assert [client2.get(url).status_code for url in urls2] == [200, 200, 200]


def test_forgotten_items_and_meetings_answer_410(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], root)
    client = client_for(root)
    urls = urls_of(client)
    item_id = urls[0].rsplit("/", 1)[1]
    assert main(["forget", item_id, "--reason", "borgerens anmodning", "--index", str(root)]) == 0
    assert [client.get(url).status_code for url in urls] == [410, 410, 410]
    with MinutesIndex.open(root).ix.searcher() as searcher:
        others = [(f["id"], f["meeting_id"]) for f in searcher.all_stored_fields() if f["access"] == "open"]
    assert client.get(f"/items/{others[0][0]}").status_code == 200
    assert main(["forget", others[0][1], "--reason", "udgivet ved en fejl", "--index", str(root)]) == 0
    for other, _ in others:
        assert client.get(f"/items/{other}").status_code == 410
        assert client.get(f"/api/items/{other}").status_code == 410
    gone = json.loads((root / "gone.json").read_text("utf-8"))
    assert set(gone) == {item_id, *(o for o, _ in others), others[0][1]}  # the meeting's page is gone too


def test_a_gone_list_rewritten_within_one_clock_tick_is_read_again(tmp_path: Path) -> None:
    """Two removals in quick succession may leave ``gone.json`` with the same modification time
    (a coarse file-system clock, or a fast machine); the running server must still see the
    second list, not keep the first."""
    reader, writer = Gone(tmp_path), Gone(tmp_path)
    gone = tmp_path / "gone.json"
    then = time.time_ns() - 10_000_000_000  # both writes stamped alike, ten seconds ago
    writer.add(["a"])
    os.utime(gone, ns=(then, then))
    assert reader.ids() == {"a"}  # read, and kept
    writer.add(["b"])
    os.utime(gone, ns=(then, then))
    assert reader.ids() == {"a", "b"}
