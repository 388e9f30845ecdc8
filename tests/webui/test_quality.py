"""Accessibility structure, export safety, feed validity, caching and JSON/HTML parity,
checked over every public item of an index built from the real samples."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree, html

from indexer.search.service import SearchRequest
from indexer.topics import TOPIC_NAMES
from webui import search_service
from webui.views import csv_cell

from .conftest import FORMULA_TITLE

ATOM = "{http://www.w3.org/2005/Atom}"


def open_item_ids(app: Flask) -> list[str]:
    return sorted(item.id for item in search_service(app).engine.iter_items() if item.is_open)


def spoken_text(element: html.HtmlElement) -> str:
    """Text a screen reader announces: aria-hidden parts left out."""
    clone = html.fromstring(html.tostring(element))
    for hidden in clone.xpath('.//*[@aria-hidden="true"]'):
        hidden.drop_tree()
    return re.sub(r"\s+", " ", clone.text_content()).strip()


def test_every_item_page_has_named_headings_in_order(app: Flask, client: FlaskClient) -> None:
    ids = open_item_ids(app)
    assert len(ids) > 100, "the samples give many items"
    for item_id in ids:
        response = client.get(f"/items/{item_id}")
        assert response.status_code == 200, item_id
        tree = html.fromstring(response.get_data(as_text=True))
        headings = tree.xpath("//h1|//h2|//h3|//h4")
        assert [h.tag for h in headings].count("h1") == 1, item_id
        levels = [int(h.tag[1]) for h in headings]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (item_id, levels)
        for heading in headings:
            text = spoken_text(heading)
            assert text, f"empty <{heading.tag}> on {item_id}"
            assert not re.match(r"(?i)beslutning\s+beslutning", text), (item_id, text)
        for decision in tree.xpath('//section[contains(@class, "decision")]'):
            assert decision.xpath('.//span[@class="badge"]'), "the decision is visibly marked"


def test_attachment_labels_do_not_repeat_bilag(app: Flask, client: FlaskClient) -> None:
    seen = 0
    for item_id in open_item_ids(app):
        page = client.get(f"/items/{item_id}").get_data(as_text=True)
        labels = html.fromstring(page).xpath('//ul[@class="attachments"]/li')
        for li in labels:
            text = re.sub(r"\s+", " ", li.text_content()).strip()
            assert not re.match(r"(?i)bilag \d+: bilag\b", text), text
            seen += 1
    assert seen > 50


def test_item_page_names_its_topics(app: Flask, client: FlaskClient) -> None:
    item = next(
        data for item_id in open_item_ids(app) if (data := client.get(f"/api/items/{item_id}").get_json())["topics"]
    )
    tree = html.fromstring(client.get(f"/items/{item['id']}").get_data(as_text=True))
    facts = dict(zip(tree.xpath("//dl[@class='facts']/dt/text()"), tree.xpath("//dl[@class='facts']/dd"), strict=True))
    links = facts["Emne"].xpath(".//a")
    codes = [t["code"] for t in item["topics"]]
    assert [a.text for a in links] == [f"{c} {TOPIC_NAMES[c]}" for c in codes]
    assert links[0].get("href") == f"/?topic={codes[0]}"


def test_search_form_labels_and_landmarks(client: FlaskClient) -> None:
    page = client.get("/?q=vejbump&committee=Økonomiudvalget&from=2021-01-01").get_data(as_text=True)
    tree = html.fromstring(page)
    assert tree.get("lang") == "da"
    assert tree.xpath("//a[@href='#indhold']")[0].text == "Spring til indhold"
    assert len(tree.xpath("//*[@role='search'] | //search")) == 1, "one search landmark"
    for control in tree.xpath("//form//input[not(@type='hidden')] | //form//select"):
        labels = tree.xpath(f"//label[@for='{control.get('id')}']")
        assert labels and labels[0].text_content().strip(), control.get("name")
    assert tree.xpath("//label[@for='from']")[0].text == "Fra dato"
    assert tree.xpath("//label[@for='to']")[0].text == "Til dato"
    fieldset = tree.xpath("//fieldset[legend='Mødedato']")[0]
    assert not fieldset.xpath(".//select"), "sorting is not part of the date group"
    for facet in tree.xpath("//section[@class='facet']"):
        assert facet.xpath("./ul/li/a"), "facet values are a list of links"
    chips = tree.xpath("//nav[@aria-label='Valgte filtre']//a")
    names = [c.get("aria-label") or c.text_content().strip() for c in chips]
    assert "Fjern filter Udvalg: Økonomiudvalget" in names
    assert any(n.startswith("Fjern filter Fra: 1. januar 2021") for n in names)
    assert "Fjern alle filtre" in names


def test_reversed_date_range_is_swapped_with_a_notice(client: FlaskClient) -> None:
    data = client.get("/api/search?q=vejbump&from=2021-12-31&to=2021-04-01").get_json()
    assert data["filters"]["from"] == "2021-04-01" and data["filters"]["to"] == "2021-12-31"
    assert [r["title"] for r in data["results"]] == ["Vejbump på Skolevej, finansiering"]
    assert any("byttet om" in n for n in data["notices"])
    page = client.get("/?q=vejbump&from=2021-12-31&to=2021-04-01").get_data(as_text=True)
    assert 'value="2021-04-01"' in page and "byttet om" in page


def test_year_facet_follows_the_date_range(client: FlaskClient) -> None:
    data = client.get("/api/search?from=2021-01-01&to=2021-12-31").get_json()
    assert [v["value"] for v in data["facets"]["year"]] == ["2021"]
    assert data["facets"]["year"][0]["count"] == data["total"]
    outside = client.get("/api/search?from=2021-01-01&to=2021-12-31&year=2016").get_json()
    assert outside["total"] == 0
    assert {"value": "2016", "count": 0, "selected": True} in [
        {k: v[k] for k in ("value", "count", "selected")} for v in outside["facets"]["year"]
    ], "a selected year outside the range still shows, so it can be removed"


def test_csv_cells_never_start_a_formula(client: FlaskClient) -> None:
    for value in ("=1+1", "+45 12", "-2", "@SUM(A1)", "\tx"):
        assert csv_cell(value) == "'" + value
    assert csv_cell("Vejbump") == "Vejbump" and csv_cell(None) == ""
    text = client.get("/export.csv?q=vintertjenesten").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if FORMULA_TITLE in r["title"])
    assert row["title"] == "'" + FORMULA_TITLE
    assert row["decision"] == "'- Indstillingen blev godkendt."
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), row


def test_csv_export_matches_the_search_order(app: Flask, client: FlaskClient) -> None:
    api = client.get("/api/search?q=skole&sort=oldest&per_page=100").get_json()
    # every item a page shows, a case's other treatments listed under its row too
    rows = list(api["results"])
    for page in range(2, api["pages"] + 1):
        rows += client.get(f"/api/search?q=skole&sort=oldest&page={page}").get_json()["results"]
    ids = [i for r in rows for i in (r["id"], *(t["id"] for t in r.get("also_treated", [])))]
    text = client.get("/export.csv?q=skole&sort=oldest").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == api["total"] > 10
    assert [r["meeting_date"] for r in rows] == sorted(r["meeting_date"] for r in rows)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    total, summaries = search_service(app).iter_summaries(SearchRequest(q="skole", sort="oldest"), 5)
    assert total == api["total"] and len(summaries) == 5


def test_atom_feed_is_valid(client: FlaskClient) -> None:
    root = etree.fromstring(client.get("/feed.atom").data)
    rfc3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 50
    stamps = [e.findtext(f"{ATOM}updated") for e in entries]
    assert all(rfc3339.match(s) for s in [*stamps, root.findtext(f"{ATOM}updated")]), stamps
    assert root.findtext(f"{ATOM}updated") == max(stamps, key=datetime.fromisoformat)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)  # stable, host-free
    assert root.findtext(f"{ATOM}id").startswith("urn:uuid:") and root.find(f"{ATOM}link[@rel='self']").get("href")
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.find(f"{ATOM}author/{ATOM}name").text
        for category in entry.findall(f"{ATOM}category"):
            assert category.get("term")
    assert "Mødearkivet" in root.findtext(f"{ATOM}title")


@pytest.mark.parametrize("url", ["/?q=skole", "/api/search?q=skole", "/feed.atom?q=skole", "/export.csv?q=skole"])
def test_cache_headers_and_revalidation(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    assert first.cache_control.public and first.cache_control.max_age == 300
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_errors_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/items/0123456789abcdef").headers["Cache-Control"] == "no-store"
    assert client.get("/api/items/nope").headers["Cache-Control"] == "no-store"


def test_json_twin_carries_what_the_search_page_shows(client: FlaskClient) -> None:
    query = "/?q=skole&type=referat"
    tree = html.fromstring(client.get(query).get_data(as_text=True))
    data = client.get("/api" + query.replace("/?", "/search?")).get_json()
    page_facets = {
        section.get("aria-labelledby").removeprefix("facet-"): [
            (a.xpath(".//span[@class='facet-label']")[0].text, int(a.xpath(".//span[@class='count']")[0].text[1:-1]))
            for a in section.xpath(".//a")
        ]
        for section in tree.xpath("//section[@class='facet']")
    }
    assert "topic" in page_facets
    for name, shown in page_facets.items():
        key = "kind" if name == "type" else name
        assert [(v["label"], v["count"]) for v in data["facets"][key]] == shown, name
    assert all(v["url"].startswith("http://localhost/api/search?") for v in data["facets"]["topic"])
    titles = [a.text for a in tree.xpath("//li[@class='hit']/h3/a")]
    assert titles == [r["title"] for r in data["results"]]
    assert tree.xpath("//h2[@id='resultater-overskrift']")[0].text.startswith(f"{data['total']} resultater")


def test_a_new_query_from_the_front_page_ranks_by_relevance(client: FlaskClient) -> None:
    """Browsing lists newest first; the form must not carry that order into a typed query."""
    front = html.fromstring(client.get("/").get_data(as_text=True))
    assert not front.xpath("//form//*[@name='sort']")
    chosen = html.fromstring(client.get("/?q=vejbump&sort=oldest").get_data(as_text=True))
    assert chosen.xpath("//form//input[@type='hidden'][@name='sort']/@value") == ["oldest"]
    assert client.get("/api/search?q=vejbump").get_json()["sort"] == "relevance"


def link_purpose(tree: html.HtmlElement, link: html.HtmlElement) -> str:
    """What a screen reader gives for a link on focus: its name (aria-label, else its text) and the
    text of what it is described by."""
    name = link.get("aria-label") or spoken_text(link)
    described = [
        spoken_text(target)
        for ref in (link.get("aria-describedby") or "").split()
        for target in tree.xpath(f'//*[@id="{ref}"]')
    ]
    return " | ".join([name, *described])


def ambiguous_links(page: str) -> dict[str, set[str]]:
    """Links whose name and description are alike but lead to different places."""
    tree = html.fromstring(page)
    targets: dict[str, set[str]] = {}
    for link in tree.xpath("//a[@href]"):
        targets.setdefault(link_purpose(tree, link), set()).add(link.get("href").split("?")[0])
    return {purpose: hrefs for purpose, hrefs in targets.items() if len(hrefs) > 1}


def test_links_to_different_items_never_sound_alike(app: Flask, client: FlaskClient) -> None:
    """Many items share a title ("Bemærkninger til dagsordenen", "(uden titel)", a case's treatments):
    a screen reader's list of links said the same words for each, on the search page (no committee or
    date with the title), in a meeting's agenda (no item number) and under "Sagens historik" and
    "Lignende sager". Each now says what tells them apart: the number in the agenda's link, the line
    under a hit's or a related case's title as its description."""
    pages = [f"/items/{item_id}" for item_id in open_item_ids(app)]
    meetings = {client.get(f"/api/items/{item_id}").get_json()["meeting_id"] for item_id in open_item_ids(app)}
    pages += [f"/meetings/{meeting_id}" for meeting_id in sorted(meetings)]
    pages += ["/?q=bemærkninger+til+dagsordenen", "/?q=eventuelt", "/?q=udviklingsplan+aarhus+ø&every_treatment=1"]
    titles = Counter(
        hit["title"]
        for page in (1, 2)
        for hit in client.get(f"/api/search?sort=oldest&page={page}").get_json()["results"]
    )
    assert titles.most_common(1)[0][1] > 1, "the first pages hold items of one title"
    pages += ["/?sort=oldest", "/?sort=oldest&page=2"]
    found = {page: ambiguous_links(client.get(page).get_data(as_text=True)) for page in pages}
    assert {page: links for page, links in found.items() if links} == {}


LANDMARKS = {"main": "main", "nav": "navigation", "aside": "complementary", "form": "form", "section": "region"}


def landmarks(tree: html.HtmlElement) -> list[tuple[str, str]]:
    """The page's named landmarks as a screen reader lists them: (role, name); a section or form is
    one only when it is named."""
    found = []
    for element in tree.xpath("//main|//nav|//aside|//form|//section"):
        name = element.get("aria-label") or " ".join(
            spoken_text(target)
            for ref in (element.get("aria-labelledby") or "").split()
            for target in tree.xpath(f'//*[@id="{ref}"]')
        )
        if element.tag in ("section", "form") and not name:
            continue
        found.append((element.get("role") or LANDMARKS[element.tag], name))
    return found


def test_an_items_landmarks_are_the_pages_parts_each_named_once(app: Flask, client: FlaskClient) -> None:
    """Each of the item's own sections was a landmark named by its heading: 14 regions on one page, two
    "Sagsfremstilling" and two "Bilag" (the source's and the page's). Landmarks are now the page's
    parts, each named once; the item's sections keep their headings."""
    for item_id in open_item_ids(app):
        found = landmarks(html.fromstring(client.get(f"/items/{item_id}").get_data(as_text=True)))
        assert len(found) == len(set(found)), (item_id, found)
        assert ("region", "Bilag") in found and ("region", "Fraværende") in found
