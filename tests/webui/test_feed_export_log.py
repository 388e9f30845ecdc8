"""Atom entries carry published and host-independent ids; an empty feed is dated by the index;
summaries end at a word; the Excel export opens in columns; every request is logged."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from webui.views import cut_at_word

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client: FlaskClient, query: str, host: str = "localhost") -> list[etree._Element]:
    root = etree.fromstring(client.get(f"/feed.atom?{query}", base_url=f"http://{host}").data)
    return root.findall(f"{ATOM}entry")


def test_entries_have_published_and_ids_that_do_not_depend_on_the_host(client: FlaskClient) -> None:
    here = entries(client, "q=sundhed")
    there = entries(client, "q=sundhed", host="minutes.example.org")
    assert here
    ids = [e.findtext(f"{ATOM}id") for e in here]
    assert ids == [e.findtext(f"{ATOM}id") for e in there]
    assert all(i and i.startswith("urn:uuid:") for i in ids)
    assert len(set(ids)) == len(ids)
    for entry in here:
        published = entry.findtext(f"{ATOM}published")
        assert published and datetime.fromisoformat(published).tzinfo is not None
        assert "localhost" in entry.find(f"{ATOM}link").get("href")


def test_an_empty_feed_is_not_dated_1970(client: FlaskClient) -> None:
    root = etree.fromstring(client.get("/feed.atom?q=zzqqxxyy").data)
    assert root.findall(f"{ATOM}entry") == []
    updated = root.findtext(f"{ATOM}updated")
    assert updated and datetime.fromisoformat(updated).year >= 2024


def test_summaries_end_at_a_word_with_an_ellipsis(client: FlaskClient) -> None:
    summaries = [e.findtext(f"{ATOM}summary") or "" for e in entries(client, "q=sundhed")]
    assert all(len(s) <= 300 for s in summaries)
    cut = [s for s in summaries if s.endswith("…")]
    for summary in cut:
        assert summary[-2] not in " ", summary[-20:]
    text = "Udvalget godkendte indstillingen om budgetopfølgning for 2017 med de bemærkninger der fremkom"
    short = cut_at_word(text, 40)
    assert short.endswith("…") and len(short) <= 40
    assert text.startswith(short[:-1]) and text[len(short) - 1] == " "


def test_excel_export_is_semicolon_separated_with_a_bom(client: FlaskClient) -> None:
    response = client.get("/export-excel.csv?q=sundhed")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    plain = list(csv.reader(io.StringIO(client.get("/export.csv?q=sundhed").data.decode("utf-8-sig"))))
    # the rows of the machine export; the header row in Danish, for the people who open it
    assert rows[1:] == plain[1:] and len(rows) > 1
    assert plain[0] == [
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
    assert rows[0] == ["Id", "Titel", "Udvalg", "Kommune", "Mødedato", "Punkt", "Sagsnummer", "Beslutning", "Link"]
    assert "soegning-excel.csv" in response.headers["Content-Disposition"]
    assert 'href="/export-excel.csv?q=sundhed"' in client.get("/?q=sundhed").get_data(as_text=True)


@pytest.mark.parametrize("with_query", [True, False])
def test_access_log_line_per_request(app: Flask, caplog: pytest.LogCaptureFixture, with_query: bool) -> None:
    app.config["ACCESS_LOG_QUERIES"] = with_query
    try:
        with caplog.at_level(logging.INFO, logger="minutes.access"):
            app.test_client().get("/?q=Hans+Hansen")
            app.test_client().get("/items/ffffffffffffffff")
    finally:
        app.config["ACCESS_LOG_QUERIES"] = True
    lines = [r.getMessage() for r in caplog.records if r.name == "minutes.access"]
    assert len(lines) == 2
    assert '"GET /?q=Hans+Hansen HTTP/1.1" 200' in lines[0] if with_query else '"GET / HTTP/1.1" 200' in lines[0]
    assert "Hansen" not in "".join(lines) or with_query
    assert '"GET /items/ffffffffffffffff HTTP/1.1" 404' in lines[1]
    assert lines[1].endswith("ms")


def test_access_log_counts_no_body_where_none_is_sent(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """The Common Log Format's size is the body sent: a 304 (a matching ETag) and a HEAD send none,
    and their lines said the whole page's size, as if the search had been sent again."""
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="minutes.access"):
        full = client.get("/api/search?q=sundhed")
        again = client.get("/api/search?q=sundhed", headers={"If-None-Match": full.headers["ETag"]})
        head = client.head("/api/search?q=sundhed")
    assert again.status_code == 304 and not again.data and not head.data
    sizes = [r.getMessage().split('" ')[1].split()[:2] for r in caplog.records if r.name == "minutes.access"]
    assert sizes == [["200", str(len(full.data))], ["304", "-"], ["200", "-"]]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("committee=Økonomiudvalget", "Seneste dagsordenspunkter (Udvalg: Økonomiudvalget) – Mødearkivet"),
        (
            "committee=Økonomiudvalget&committee=Teknik- og Miljøudvalget&year=2021",
            "Seneste dagsordenspunkter (Udvalg: Økonomiudvalget, Teknik- og Miljøudvalget; År: 2021) – Mødearkivet",
        ),
        (
            "q=vejbump&type=referat&from=2021-01-01",
            "Søgning: vejbump (Dokumenttype: Referat; Fra: 1. januar 2021) – Mødearkivet",
        ),
        ("q=vejbump", "Søgning: vejbump – Mødearkivet"),
        ("", "Seneste dagsordenspunkter – Mødearkivet"),
    ],
)
def test_a_feeds_title_names_its_filters(client: FlaskClient, query: str, title: str) -> None:
    """A reader subscribed to several feeds tells them apart by their titles: a feed of one
    committee was titled as the feed of everything."""
    root = etree.fromstring(client.get(f"/feed.atom?{query}").data)
    assert root.findtext(f"{ATOM}title") == title
