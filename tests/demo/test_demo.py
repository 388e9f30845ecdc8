"""The demo shows the product: every curl example of README.md and docs/api.md answers what it
shows against the demo data, attachments open from the archive, and the command line reads well."""

from __future__ import annotations

import csv
import io
import re
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from flask import Flask
from lxml import etree

from tests.conftest import REPO
from tests.demo.conftest import Demo

CURL = re.compile(r"curl -s '(?P<url>http://127\.0\.0\.1:8080[^']*)'(?P<rest>[^\n]*)")
DOCS = [REPO / "README.md", REPO / "docs" / "api.md"]


def examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for match in CURL.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, match["url"], match["rest"]))
    return found


def test_the_docs_have_examples() -> None:
    assert len(examples()) >= 5


@pytest.mark.parametrize(("doc", "url", "rest"), examples(), ids=[f"{d}:{u[21:60]}" for d, u, _ in examples()])
def test_each_example_returns_what_it_shows(demo_app: Flask, doc: str, url: str, rest: str) -> None:
    assert url.isascii() and " " not in url, f"{doc}: percent-encode {url}"  # waitress answers a raw Ø with 400
    client = demo_app.test_client()
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if "<id>" in target:
        target = target.replace("<id>", item_with_case_history(demo_app))
    response = client.get(target)
    assert response.status_code == 200, (doc, target, response.data[:300])
    if parts.path == "/api/search":
        data = response.get_json()
        assert data["total"] > 0 and data["results"], (doc, target)
        if ".url" in rest:
            assert data["results"][0]["url"].startswith("http")
    elif parts.path.startswith("/api/items/"):
        data = response.get_json()
        if "case_history" in rest:
            assert [entry["title"] for entry in data["case_history"]], (doc, target)
    elif parts.path == "/feed.atom":
        feed = etree.fromstring(response.data)
        assert feed.findall("{http://www.w3.org/2005/Atom}entry"), (doc, target)
    elif parts.path.startswith("/export"):
        text = response.data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if "excel" in parts.path else ","))
        assert len(rows) > 1 and rows[0][0] == "id", (doc, target)
    else:
        raise AssertionError(f"{doc}: no check written for {url}")


def item_with_case_history(app: Flask) -> str:
    client = app.test_client()
    for page in range(1, 40):
        results = client.get(f"/api/search?sort=newest&page={page}").get_json()["results"]
        for result in results:
            if result.get("case_number") and client.get(f"/api/items/{result['id']}").get_json()["case_history"]:
                return str(result["id"])
    raise AssertionError("no item in the demo has a case history")


def test_attachments_open_from_the_archive(demo_app: Flask) -> None:
    """The demo includes real exports with their files: their bilag links serve the archived file."""
    client = demo_app.test_client()
    opened = 0
    for q in ("kultur", "sundhed", "kronisk", "rusmidler", "referat"):
        for result in client.get(f"/api/search?q={q}").get_json()["results"]:
            for attachment in result["attachments"]:
                if not attachment.get("url") or "/bilag/" not in attachment["url"]:
                    continue
                response = client.get(urlsplit(attachment["url"]).path)
                if response.status_code == 302:
                    continue  # a file that lives at its source
                assert response.status_code == 200, attachment
                if response.mimetype == "application/pdf":
                    assert response.data.startswith(b"%PDF")
                opened += 1
    assert opened >= 5, "the demo must open archived attachments"


def test_demo_output_is_danish_and_singular_where_it_should_be(demo: Demo) -> None:
    assert re.search(r"sample search 'sociale medier': \d+ resultat(er)?( \(\d+ med begge ord\))?\n", demo.output)
    assert "1 resultater" not in demo.output
    one = demo.minutes("search", '"Sociale medier i arbejdsmæssig sammenhæng"', "--index", str(demo.index))
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith("1 resultat\n")


def test_the_demo_data_is_all_minutes(demo: Demo) -> None:
    """A newcomer's first command rejected three files of data/ (a portal's listing pages and a case
    list, kept for the format tests), and every `minutes reindex` of the demo index read the folder
    again, rejected them again and exited 1. data/ holds only what an ingest reads."""
    rejected = [line for line in demo.errors.splitlines() if line.startswith("rejected:")]
    assert rejected == []
    assert "items added: " in demo.output


def test_search_after_demo_points_to_the_demo_index(demo: Demo) -> None:
    lost = demo.minutes("search", "skole")
    assert lost.returncode == 2
    assert "--index var/demo-index" in lost.stderr
    found = demo.minutes("search", "skole", "--index", "var/demo-index")
    assert found.returncode == 0 and "resultat" in found.stdout


def test_closed_pipe_exits_quietly(demo: Demo) -> None:
    """`minutes search … | head -1`: the reader is gone before we write; nothing on stderr, exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "search", "vej", "--limit", "100", "--index", "var/demo-index"],
        cwd=demo.folder,
        env=demo.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "argument --limit: '0' is not a whole number from 1 to 100"),
        (["--limit", "-1"], "argument --limit: '-1' is not a whole number from 1 to 100"),
        # the API's words (indexer.search.params), one line
        (["--from", "2016-13-01"], "error: Fra-datoen «2016-13-01» er ikke en dato: skriv den som ÅÅÅÅ-MM-DD.\n"),
        (["--to", "2016-02-30"], "error: Til-datoen «2016-02-30» er ikke en dato: skriv den som ÅÅÅÅ-MM-DD.\n"),
        (["--year", "14"], "error: Året «14» er ikke et årstal: skriv det med fire cifre, fx 2022.\n"),
        (["--page", "0"], "error: Sidetallet «0» findes ikke: brug et tal fra 1 til 1000.\n"),
    ],
)
def test_bad_search_options_are_refused(demo: Demo, args: list[str], message: str) -> None:
    done = demo.minutes("search", "skole", "--index", "var/demo-index", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "argument --port: '99999' is not a whole number from 1 to 65535"),
        (["--port", "-1"], "argument --port: '-1' is not a whole number from 1 to 65535"),
        (["--threads", "0"], "argument --threads: '0' is not a whole number from 1 to 1024"),
        (["--host", "999.1.1.1"], "error: cannot listen on 999.1.1.1:8080: "),
    ],
)
def test_bad_serve_options_are_refused_before_serving(demo: Demo, args: list[str], message: str) -> None:
    """A port past 65535 was served on another (99999 − 65536), a host that is none printed a traceback,
    and no thread at all was accepted and then answered nothing."""
    done = demo.minutes("serve", "--index", "var/demo-index", *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert "serving" not in done.stdout


@pytest.mark.parametrize("command", [["search", "skole"], ["ingest", "data/seed"], ["serve"]])
def test_an_index_that_is_a_file_is_refused_by_the_option(demo: Demo, command: list[str]) -> None:
    """Not "File exists; batches committed before this are kept", nor "no index here yet; build one …"."""
    (demo.folder / "notes.txt").write_text("not an index", encoding="utf-8")
    done = demo.minutes(*command, "--index", "notes.txt")
    assert done.returncode == 2
    assert "argument --index: 'notes.txt' is a file, not an index folder" in done.stderr


def test_the_demos_help_names_the_folder_it_builds(demo: Demo) -> None:
    assert "$MINUTES_INDEX or var/demo-index" in " ".join(demo.minutes("demo", "--help").stdout.split())


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_named_not_the_index(demo: Demo, workers: str) -> None:
    """Said of the address, not as an index's failure ("batches committed before this are kept")."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = demo.minutes("serve", "--index", "var/demo-index", "--port", str(port), "--workers", workers)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert "batches" not in done.stderr and "serving" not in done.stdout


def test_a_year_alone_is_shown_as_the_year_never_as_1_january(demo_app: Flask) -> None:
    """Two Kalundborg agendas print no date: their items say 2016 in the API, the page and the feed."""
    client = demo_app.test_client()
    data = client.get("/api/search?year=2016&sort=oldest").get_json()
    year_only = [r for r in data["results"] if r["date_precision"] == "year"]
    assert year_only, "the demo has items known only to the year"
    dated = [r for r in data["results"] if r["date_precision"] == "day"]
    assert all(r["meeting_date"] == "2016" for r in year_only)
    assert all(len(r["meeting_date"]) > 10 for r in dated)
    item = year_only[0]
    page = client.get(f"/items/{item['id']}").get_data(as_text=True)
    assert '<time datetime="2016">2016</time>' in page and "1. januar 2016" not in page
    feed = etree.fromstring(client.get(f"/feed.atom?committee={item['committee']}&year=2016").data)
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in feed.findall(f"{atom}entry"):
        if entry.findtext(f"{atom}id", "").endswith(item["id"]) or entry.findtext(f"{atom}title") == item["title"]:
            assert entry.find(f"{atom}published") is None
            assert not entry.findtext(f"{atom}updated", "").startswith("2016-01-01")
    text = client.get("/export.csv?year=2016").data.decode("utf-8-sig")
    assert "2016-01-01" not in text
