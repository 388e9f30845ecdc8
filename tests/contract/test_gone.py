"""Withdrawn and taken-down items on every engine: their old URLs answer 410 Gone, an item that
comes back is served again, closed items stay 404, a take-down keeps the item out of later
ingests, and what went leaves the text cache too.  The real Ballerup Publication export,
edited into versions of one meeting (``tests.leak.test_versions``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.cli import main
from indexer.engines.postgres import is_database_url
from tests.helpers import Opened, quiet_ingest
from tests.leak.test_versions import BILAG_WORD, ITEM_WORD, version


def client_for(opened: Opened, location: str) -> FlaskClient:
    client: FlaskClient = opened.app(location).test_client()
    return client


def urls_of(client: FlaskClient) -> list[str]:
    """The planted item's page, JSON and first attachment."""
    results = client.get(f"/api/search?q={ITEM_WORD}").get_json()["results"]
    assert len(results) == 1
    return [f"/items/{results[0]['id']}", f"/api/items/{results[0]['id']}", f"/items/{results[0]['id']}/bilag/1"]


def text_cache(location: str) -> Path:
    if is_database_url(location):
        return Path(os.environ["XDG_CACHE_HOME"]) / "minutes-search" / "textcache"
    return Path(location) / "textcache"


def cached_words(location: str) -> bool:
    folder = text_cache(location)
    return any(BILAG_WORD.encode() in p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_a_withdrawn_item_answers_410_and_is_served_again_when_it_comes_back(
    location: str, tmp_path: Path, opened: Opened
) -> None:
    quiet_ingest([version(tmp_path, "d", "dagsorden", "open")], location)
    client = client_for(opened, location)
    urls = urls_of(client)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert cached_words(location)  # the attachment's text was cached, so the check below can fail

    summary = quiet_ingest([version(tmp_path, "r1", "referat", "gone")], location)  # the referat drops it
    assert summary.items_removed == 1
    assert [client.get(url).status_code for url in urls] == [410, 410, 410]
    assert client.get(urls[1]).get_json()["status"] == 410
    assert client.get(f"/api/search?q={ITEM_WORD}").get_json()["total"] == 0
    assert not cached_words(location)  # its attachment's text left the cache with it
    assert client.get("/items/0123456789abcdef").status_code == 404  # never published: not gone

    quiet_ingest([version(tmp_path, "r2", "referat", "open")], location)  # back in a later version
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_a_closed_item_is_404_not_gone(location: str, tmp_path: Path, opened: Opened) -> None:
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], location)
    client = client_for(opened, location)
    urls = urls_of(client)
    quiet_ingest([version(tmp_path, "v2", "referat", "closed")], location)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert not cached_words(location)


def test_forget_takes_items_and_meetings_down_and_keeps_them_out(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: Opened
) -> None:
    export = version(tmp_path, "v1", "referat", "open")
    quiet_ingest([export], location)
    client = client_for(opened, location)
    urls = urls_of(client)
    item_id = urls[0].rsplit("/", 1)[1]
    assert main(["forget", item_id, "--reason", "borgerens anmodning", "--index", location]) == 0
    assert f"{item_id}: item forgotten (1 item(s)" in capsys.readouterr().out
    assert [client.get(url).status_code for url in urls] == [410, 410, 410]
    assert not cached_words(location)

    others = client.get("/api/search?q=&per_page=50").get_json()["results"]
    assert others and all(hit["id"] != item_id for hit in others)
    meeting_id = client.get(f"/api/items/{others[0]['id']}").get_json()["meeting_id"]
    assert main(["forget", meeting_id, "--reason", "udgivet ved en fejl", "--index", location]) == 0
    assert client.get(f"/items/{others[0]['id']}").status_code == 410
    assert client.get(f"/meetings/{meeting_id}").status_code == 410  # the meeting's own page too
    assert client.get(f"/api/meetings/{meeting_id}").status_code == 410
    assert client.get("/api/search?q=").get_json()["total"] == 0

    quiet_ingest([export], location)  # the same source again: the take-downs hold
    assert client.get("/api/search?q=").get_json()["total"] == 0
    capsys.readouterr()
    assert main(["stats", "--index", location, "--json"]) == 0
    out = capsys.readouterr().out
    recorded = json.loads(out[out.index("{") :])["forgotten"]
    assert {e["id"]: e["kind"] for e in recorded} == {item_id: "item", meeting_id: "meeting"}
    assert ITEM_WORD not in json.dumps(recorded)  # ids, times and reasons only

    quiet_ingest([export], location, allow_forgotten=True)  # the operator lets them in again
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert client.get(f"/meetings/{meeting_id}").status_code == 200
    assert main(["stats", "--index", location, "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["forgotten"] == []


def test_forgetting_an_item_again_keeps_the_record_of_its_take_down(
    location: str, tmp_path: Path, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second ``minutes forget`` of an id already taken down replaced its record (kind "item", the
    time, the reason, one item removed) with "unknown", the new time and reason, and said it was never
    in the index: the record of what the take-down removed, and why, was lost."""
    quiet_ingest([version(tmp_path, "d", "dagsorden", "open")], location)
    item_id = urls_of(client_for(opened, location))[0].rsplit("/", 1)[1]
    assert main(["forget", item_id, "--reason", "request 1", "--index", location]) == 0
    capsys.readouterr()
    assert main(["forget", item_id, "--reason", "request 2", "--index", location]) == 0
    said = capsys.readouterr().out
    assert f"{item_id}: already taken down" in said and "not in the index" not in said
    assert main(["stats", "--json", "--index", location]) == 0
    records = json.loads(capsys.readouterr().out)["forgotten"]
    assert [(r["id"], r["kind"], r["reason"], r["items_removed"]) for r in records] == [
        (item_id, "item", "request 1", 1)
    ]
    assert main(["forget", "0123456789abcdef", "--reason", "never here", "--index", location]) == 0
    assert "0123456789abcdef: not in the index; recorded" in capsys.readouterr().out  # a new id is still recorded
