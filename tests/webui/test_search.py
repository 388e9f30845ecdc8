"""The search page and its JSON twin over an index of real inputs."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from lxml import etree
from lxml import html as lxml_html
from werkzeug.datastructures import MultiDict

from webui.params import parse_search_args, search_args

from .conftest import CLOSED_WORD, XSS_TITLE


def api(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    data: dict = response.get_json()
    return data


def test_search_page_renders_hits_and_facets(client: FlaskClient) -> None:
    response = client.get("/?q=sociale+medier")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="da">' in html
    assert "Sociale medier i arbejdsmæssig sammenhæng" in html
    assert "5. december 2022" in html  # Danish date of the seed meeting
    assert "<mark>" in html  # highlighted snippet
    for heading in ("Udvalg", "År", "Dokumenttype"):
        assert f">{heading}</h3>" in html
    assert 'rel="alternate" type="application/json"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    data = api(client, "/api/search?q=sociale+medier")
    assert data["results"][0]["title"] == "Sociale medier i arbejdsmæssig sammenhæng"
    assert data["results"][0]["url"].endswith(f"/items/{data['results'][0]['id']}")


def test_municipality_facet_shows_with_several_municipalities(client: FlaskClient) -> None:
    data = api(client, "/api/search")
    municipalities = {v["value"] for v in data["facets"]["municipality"]}
    assert {"Norddjurs Kommune", "Testrup Kommune"} <= municipalities
    assert ">Kommune</h3>" in client.get("/").get_data(as_text=True)


def test_facet_filter_and_removable_chip(client: FlaskClient) -> None:
    everything = api(client, "/api/search")
    committee = everything["facets"]["committee"][0]
    data = api(client, "/api/search?committee=" + committee["value"])
    assert data["total"] == committee["count"] > 0
    assert {r["committee"] for r in data["results"]} == {committee["value"]}
    html = client.get("/", query_string={"committee": committee["value"]}).get_data(as_text=True)
    chip = re.search(r'<a class="chip" href="([^"]+)" aria-label="Fjern filter Udvalg: ([^"]+)"', html)
    assert chip is not None
    assert "committee" not in parse_qs(urlsplit(chip.group(1).replace("&amp;", "&")).query)
    expected = "1 resultat" if data["total"] == 1 else f"{data['total']} resultater"
    assert expected in html


def test_two_committees_widen_the_result(client: FlaskClient) -> None:
    facets = api(client, "/api/search")["facets"]["committee"]
    first, second = facets[0], facets[1]
    data = api(client, f"/api/search?committee={first['value']}&committee={second['value']}")
    assert data["total"] == first["count"] + second["count"]


def test_sort_newest_and_oldest(client: FlaskClient) -> None:
    newest = [r["meeting_date"][:10] for r in api(client, "/api/search?sort=newest")["results"] if r["meeting_date"]]
    oldest = [r["meeting_date"][:10] for r in api(client, "/api/search?sort=oldest")["results"] if r["meeting_date"]]
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)
    assert newest[0] > oldest[0]


def test_paging_links_and_pages_differ(client: FlaskClient) -> None:
    first = api(client, "/api/search")
    assert first["pages"] > 2
    assert first["links"]["prev"] is None
    second = api(client, first["links"]["next"].replace("http://localhost", ""))
    assert second["page"] == 2
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert second["links"]["prev"].endswith("/api/search")  # page 1 is the plain URL
    last = api(client, first["links"]["last"].replace("http://localhost", ""))
    assert last["page"] == first["pages"] and last["links"]["next"] is None
    html = client.get("/?page=2").get_data(as_text=True)
    assert 'aria-current="page" class="current">2<' in html
    # every page number is a link named "Side N", the current one too (it was read as a bare "2")
    numbers = lxml_html.fromstring(html).xpath('//nav[@class="pagination"]//a[not(@rel)]')
    assert numbers and all(a.get("aria-label") == f"Side {a.text_content().strip()}" for a in numbers)
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_permalink_round_trip(client: FlaskClient) -> None:
    args = MultiDict(
        [("q", "vejbump"), ("committee", "Økonomiudvalget"), ("committee", "Teknik- og Miljøudvalget"),
         ("year", "2021"), ("type", "referat"), ("from", "2021-01-01"), ("to", "2021-12-31"),
         ("sort", "oldest"), ("page", "1")]
    )  # fmt: skip
    request = parse_search_args(args).request
    again = parse_search_args(MultiDict(list(_flatten(search_args(request))))).request
    assert again == request
    data = api(client, "/api/search?" + "&".join(f"{k}={v}" for k, v in args.items(multi=True)))
    assert data["sort"] == "oldest" and data["filters"]["from"] == "2021-01-01"
    titles = [r["title"] for r in data["results"]]
    assert set(titles) == {XSS_TITLE, "Trafikplan for midtbyen", "Vejbump på Skolevej, finansiering"}
    assert titles[-1] == "Vejbump på Skolevej, finansiering"  # oldest first
    assert data["links"]["self"].count("committee=") == 2


def _flatten(args: dict) -> list[tuple[str, str]]:
    return [(k, str(x)) for k, v in args.items() for x in (v if isinstance(v, list) else [v])]


def test_date_range_filters(client: FlaskClient) -> None:
    data = api(client, "/api/search?from=2021-01-01&to=2021-12-31")
    assert data["total"] >= 3
    assert all("2021-01-01" <= r["meeting_date"][:10] <= "2021-12-31" for r in data["results"])


def test_a_query_without_words_is_a_friendly_message(client: FlaskClient) -> None:
    for q in ("AND OR", 'IKKE ""'):
        response = client.get("/", query_string={"q": q})
        assert response.status_code == 200
        assert "Søgningen kunne ikke forstås" in response.get_data(as_text=True)
        api_response = client.get("/api/search", query_string={"q": q})
        assert api_response.status_code == 400
        assert "ingen ord" in api_response.get_json()["error"]
    # Syntax we do not have is searched as words, never an error.
    data = api(client, "/api/search?q=date:[a TO b]")
    assert data["error"] is None


def test_garbage_parameters_never_fail(client: FlaskClient) -> None:
    for query in (
        "page=abc",
        "page=-4",
        "from=31-12-2021",
        "sort=sideways",
        "year=twenty",
        "type=memo",
        "q=((((",
        'q="åben',
    ):
        response = client.get("/?" + query)
        assert response.status_code == 200, query
    html = client.get("/?from=31-12-2021").get_data(as_text=True)
    assert "blev ignoreret" in html


def test_a_typo_shows_the_corrections_results(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=medjer")
    assert data["corrected_from"] == "medjer" and data["total"] > 0
    corrected = data["query"]
    html = client.get("/?q=medjer").get_data(as_text=True)
    assert f"Viser resultater for «{corrected}». Søg i stedet efter" in html
    assert "literal=1" in html and "«medjer»</a>" in html
    # The CSV exports list what the page lists, in its order: the correction's items; asked for
    # literally, nothing. The Atom feed is always literal: it follows the words subscribed to.
    pages = [api(client, f"/api/search?q=medjer&page={n}")["results"] for n in range(1, data["pages"] + 1)]
    listed = [hit["id"] for page in pages for hit in page]
    for export in ("/export.csv", "/export-excel.csv"):
        text = client.get(f"{export}?q=medjer").get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter="," if export == "/export.csv" else ";"))
        assert [row[0] for row in rows[1:]] == listed and len(listed) == data["total"], export
        literal = client.get(f"{export}?q=medjer&literal=1").get_data(as_text=True).lstrip("\ufeff")
        assert len(literal.splitlines()) == 1, export  # the header only
    feed = etree.fromstring(client.get("/feed.atom?q=medjer").data)
    assert feed.findall("{http://www.w3.org/2005/Atom}entry") == []
    corrected_feed = etree.fromstring(client.get(f"/feed.atom?q={corrected}").data)
    assert len(corrected_feed.findall("{http://www.w3.org/2005/Atom}entry")) == min(
        data["total"], client.application.config["FEED_SIZE"]
    )


def test_a_typo_whose_correction_finds_a_few_lists_what_the_words_typed_right_list(client: FlaskClient) -> None:
    """ "socale medier" runs as "sociale medier", which two items hold: the items holding one of the
    words follow, as they follow "sociale medier"; the page says which query ran and how far it
    went, its next pages search the correction (not literally), its export lists the same."""
    right = api(client, "/api/search?q=sociale+medier")
    data = api(client, "/api/search?q=socale+medier")
    assert (data["corrected_from"], data["query"], data["typed_total"]) == ("socale medier", "sociale medier", 0)
    assert data["partial"] == right["partial"] and data["partial"]["whole"] == 2
    assert data["total"] == right["total"] > 10
    assert [hit["id"] for hit in data["results"]] == [hit["id"] for hit in right["results"]]
    html = client.get("/?q=socale+medier").get_data(as_text=True)
    assert "Viser resultater for «sociale medier». Søg i stedet efter" in html
    assert (
        "Kun 2 resultater indeholder alle ord i «sociale medier»; derefter resultater med mindst 1 af de 2 ord." in html
    )
    following = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert following is not None
    args = parse_qs(urlsplit(following.group(1).replace("&amp;", "&")).query)
    assert args == {"q": ["sociale medier"], "page": ["2"]}
    second = api(client, "/api/search?q=sociale+medier&page=2")
    assert [hit["id"] for hit in second["results"]] == [
        hit["id"] for hit in api(client, "/api/search?q=socale+medier&page=2")["results"]
    ]
    text = client.get("/export.csv?q=socale+medier").get_data(as_text=True).lstrip("\ufeff")
    exported = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert exported[:10] == [hit["id"] for hit in data["results"]] and len(exported) == data["total"]


def test_no_item_with_every_word_shows_those_with_most(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=sociale+medier+vindmøller")
    assert data["partial"] == {
        "least": 1,
        "typed": 3,
        "whole": 0,
        "words": ["sociale", "medier", "vindmøller"],
        "optional": [],
        "bodies": [],
        "places": [],
        "among": False,
    }
    assert data["total"] > 0
    html = client.get("/?q=sociale+medier+vindmøller").get_data(as_text=True)
    assert "Ingen resultater indeholder alle ord i «sociale medier vindmøller»" in html
    assert "Viser resultater med mindst 1 af de 3 ord." in html
    # each hit says which words it lacks ("Svar på forslag … om vindmøller på Aarhus Havn" lacks
    # "medier"): those lacking one first; the list, of a few (``FEW_HITS``), goes on to those lacking two
    lacking = [len(hit["missing"]) for hit in data["results"]]
    assert lacking[0] == 1 and lacking == sorted(lacking) and set(lacking) == {1, 2}
    seed = next(hit for hit in data["results"] if hit["title"] == "Sociale medier i arbejdsmæssig sammenhæng")
    assert seed["missing"] == ["vindmøller"]
    assert 'class="missing">Mangler: <s>vindmøller</s></p>' in html
    # Two items hold both words: they come first, then those holding one of them.
    few = api(client, "/api/search?q=sociale+medier")
    whole = few["partial"]["whole"]
    assert whole >= 1 and all("missing" not in hit for hit in few["results"][:whole])
    assert all(len(hit["missing"]) == 1 for hit in few["results"][whole:])
    html = client.get("/?q=sociale+medier").get_data(as_text=True)
    assert f"Kun {whole} resultat" in html and "derefter resultater med mindst 1 af de 2 ord." in html

    # The page's CSV export holds what the page showed; asked for literally, nothing.
    def rows(url: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True).lstrip("\ufeff"))))[1:]

    assert len(rows("/export.csv?q=sociale+medier+vindmøller")) == data["total"]
    assert rows("/export.csv?q=sociale+medier+vindmøller&literal=1") == []
    # after a few whole answers too: the page's items, in its order
    page = api(client, "/api/search?q=sociale+medier&per_page=100")
    exported = [row[0] for row in rows("/export.csv?q=sociale+medier")]
    assert len(exported) == page["total"] and exported[: len(page["results"])] == [hit["id"] for hit in page["results"]]


def test_did_you_mean_when_searching_literally(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=medjer&literal=1")
    assert data["total"] == 0 and data["suggestion"] and data["corrected_from"] is None
    html = client.get("/?q=medjer&literal=1").get_data(as_text=True)
    assert "Mente du:" in html and f">{data['suggestion']}</a>" in html


def test_suggest(client: FlaskClient) -> None:
    data = api(client, "/api/suggest?q=sund")
    values = [s["value"] for s in data["suggestions"]]
    assert "Sundheds- og Forebyggelsesudvalget" in values
    assert api(client, "/api/suggest?q=s")["suggestions"] == []


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "<script>" not in response.get_data(as_text=True)  # no inline script


def test_service_is_opened_once(app, client: FlaskClient) -> None:
    from webui import search_service

    before = search_service(app)
    client.get("/?q=vejbump")
    client.get("/api/search?q=vejbump")
    assert search_service(app) is before


def test_a_misspelt_word_that_still_finds_something_gets_a_suggestion(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=indsatts&literal=1")
    assert data["total"] > 0 and data["corrected_from"] is None
    assert data["suggestion"] == "indsats"


def test_a_misspelt_word_with_a_few_hits_keeps_them_first_then_the_corrections(client: FlaskClient) -> None:
    literal = api(client, "/api/search?q=indsatts&literal=1")
    typed = literal["total"]
    data = api(client, "/api/search?q=indsatts")
    assert 0 < typed <= 3 and data["corrected_from"] is None and data["query"] == "indsatts"
    assert (data["also_corrected"], data["typed_total"], data["suggestion"]) == ("indsats", typed, None)
    assert data["total"] == typed + data["corrected_total"] and data["corrected_total"] > 0
    assert [hit["id"] for hit in data["results"][:typed]] == [hit["id"] for hit in literal["results"]]
    assert all("correction" not in hit for hit in data["results"][:typed])
    assert all(hit["correction"] == "indsats" for hit in data["results"][typed:])
    html = client.get("/?q=indsatts").get_data(as_text=True)
    label = "resultat" if typed == 1 else "resultater"
    line = re.search(
        r"Kun (\d+) (\w+) for <a href=\"([^\"]+)\">«indsatts»</a>; derefter resultater for "
        r"<a href=\"([^\"]+)\">«indsats»</a>\.",
        html,
    )
    assert line and (int(line[1]), line[2]) == (typed, label) and "Mente du:" not in html
    # the typed words link to their own items alone, the correction to its search
    assert parse_qs(urlsplit(line[3].replace("&amp;", "&")).query) == {"q": ["indsatts"], "literal": ["1"]}
    assert parse_qs(urlsplit(line[4].replace("&amp;", "&")).query) == {"q": ["indsats"]}
    assert html.count('class="corrected">Fundet for «indsats»</p>') == min(10, data["total"]) - typed
    # The CSV export lists what the page lists, in its order; asked for literally, the typed words' alone.
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?q=indsatts").get_data(as_text=True).lstrip("\ufeff"))))
    pages = [api(client, f"/api/search?q=indsatts&page={n}")["results"] for n in range(1, data["pages"] + 1)]
    listed = [hit["id"] for page in pages for hit in page]
    assert [row[0] for row in rows[1:]] == listed and len(set(listed)) == data["total"]
    literal_rows = client.get("/export.csv?q=indsatts&literal=1").get_data(as_text=True).lstrip("\ufeff")
    assert len(list(csv.reader(io.StringIO(literal_rows)))) == 1 + typed


def test_a_correct_inflection_is_never_corrected(client: FlaskClient) -> None:
    for q in ("budgetterne", "skolerne"):
        data = api(client, f"/api/search?q={q}")
        assert data["total"] > 0 and data["suggestion"] is None, q


def test_a_few_hits_then_the_corrections_then_those_holding_most_words_say_so(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=indsatts+bolig")
    assert (data["typed_total"], data["also_corrected"]) == (1, "indsats bolig")
    assert data["partial"] == {
        "least": 1,
        "typed": 2,
        "whole": 1,
        "words": ["indsatts", "bolig"],
        "optional": [],
        "bodies": [],
        "places": [],
        "among": False,
    }
    assert 1 + data["corrected_total"] < 10
    # ten items: a row's other treatments of its case are listed under it ("Silkeborgvej 228")
    rows = data["results"]
    assert len(rows) + sum(len(hit.get("also_treated", [])) for hit in rows) == 10
    assert [("correction" in hit, bool(hit.get("missing"))) for hit in rows] == [(False, False)] + [
        (True, False)
    ] * data["corrected_total"] + [(False, True)] * (len(rows) - 1 - data["corrected_total"])
    html = client.get("/?q=indsatts+bolig").get_data(as_text=True)
    assert "derefter resultater for <a href=" in html and "«indsats bolig»</a>." in html
    assert "Til sidst resultater med mindst 1 af de 2 ord i «indsatts bolig»." in html
    assert "indeholder alle ord" not in html, "one line for the typed words' items, not two"
    assert 'class="missing">Mangler: <s>' in html


def test_a_word_typed_without_its_danish_letter_is_searched_as_written_and_the_page_says_so(
    client: FlaskClient,
) -> None:
    """ "oensker" is "ønsker" typed on a keyboard without ø, as an open item writes it: the search
    runs as written and says so as a correction does, with a link to the words as typed."""
    data = api(client, "/api/search?q=borgerne+oensker+vejbump")
    assert data["query"] == "borgerne ønsker vejbump" and data["total"] >= 1
    assert (data["corrected_from"], data["typed_total"]) == ("borgerne oensker vejbump", None)
    html = client.get("/?q=borgerne+oensker+vejbump").get_data(as_text=True)
    assert "Viser resultater for «borgerne ønsker vejbump». Søg i stedet efter" in html
    assert "literal=1" in html and "«borgerne oensker vejbump»</a>" in html


def test_a_closed_items_word_is_never_respelt(client: FlaskClient) -> None:
    """Only open items' words are spellings to go by: a closed item's word typed with oe for ø is
    searched as typed, and finds nothing, as the word itself does."""
    typed = CLOSED_WORD.replace("ø", "oe")
    data = api(client, f"/api/search?q={typed}")
    assert data["query"] == typed and data["total"] == 0 and data["corrected_from"] is None
    assert CLOSED_WORD not in client.get(f"/?q={typed}").get_data(as_text=True)


def test_one_case_treated_twice_is_one_hit_with_a_link_to_the_other(client: FlaskClient) -> None:
    """Aarhus's Teknisk Udvalg and then its Byråd treated "Udviklingsplan Aarhus Ø" with the same
    case text: the page lists it once, the other treatment linked under it, as the API does."""
    data = api(client, "/api/search?q=udviklingsplan+aarhus+%C3%B8")
    rows = [r for r in data["results"] if r["title"] == "Udviklingsplan Aarhus Ø - endelig vedtagelse"]
    assert len(rows) == 1 and [t["committee"] for t in rows[0]["also_treated"]] == ["Teknisk Udvalg"]
    other = rows[0]["also_treated"][0]["id"]
    html = client.get("/?q=udviklingsplan+aarhus+%C3%B8").get_data(as_text=True)
    assert html.count("Udviklingsplan Aarhus Ø - endelig vedtagelse</a>") == 1
    assert re.search(
        rf'Også behandlet: <a href="/items/{other}[^"]*">Teknisk Udvalg · <time datetime="2025-10-01">', html
    )
    assert client.get(f"/items/{other}").status_code == 200
    # a feed lists each treatment: each is news to whoever follows the search
    feed = etree.fromstring(client.get("/feed.atom?q=udviklingsplan+aarhus+%C3%B8").data)
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert titles.count("Udviklingsplan Aarhus Ø - endelig vedtagelse") == 2


def test_a_treatment_listed_under_a_row_links_its_item_and_meeting(client: FlaskClient) -> None:
    """docs/api.md: every open item in /api/search has its ``url``, ``api_url``, ``meeting_url`` and
    ``meeting_api_url``. A treatment folded under a row (``also_treated``) had only its id, where the
    page links it; each link now answers that item and its meeting."""
    data = api(client, "/api/search?q=udviklingsplan+aarhus+%C3%B8")
    treatments = [t for r in data["results"] for t in r.get("also_treated", [])]
    assert treatments
    for t in treatments:
        assert t["url"].endswith(f"/items/{t['id']}") and t["api_url"].endswith(f"/api/items/{t['id']}")
        assert api(client, t["api_url"])["id"] == t["id"]
        assert api(client, t["meeting_api_url"])["id"] == t["meeting_id"]
        assert client.get(t["meeting_url"]).status_code == 200


def test_the_url_says_whether_a_cases_treatments_are_listed_apart(client: FlaskClient) -> None:
    """``every_treatment=1`` lists each treatment as a row of its own, in the page and its JSON
    twin; the page links between the two ways, and a page with nothing to fold offers neither."""
    title = "Udviklingsplan Aarhus Ø - endelig vedtagelse"
    folded = api(client, "/api/search?q=udviklingsplan+aarhus+%C3%B8")
    apart = api(client, "/api/search?q=udviklingsplan+aarhus+%C3%B8&every_treatment=1")
    assert apart["total"] == folded["total"]
    rows = [r for r in apart["results"] if r["title"] == title]
    assert len(rows) == 2 and not any(r.get("also_treated") for r in apart["results"])
    assert {r["id"] for r in rows} == {
        next(r for r in folded["results"] if r["title"] == title)["id"],
        *(t["id"] for r in folded["results"] if r["title"] == title for t in r["also_treated"]),
    }
    assert "every_treatment=1" in apart["links"]["next" if apart["links"]["next"] else "self"]
    html = client.get("/?q=udviklingsplan+aarhus+%C3%B8").get_data(as_text=True)
    assert re.search(
        r'class="treatments-switch"><a href="/\?q=[^"]*every_treatment=1">Vis hver behandling for sig', html
    )
    html = client.get("/?q=udviklingsplan+aarhus+%C3%B8&every_treatment=1").get_data(as_text=True)
    assert html.count(f"{title}</a>") == 2 and "Også behandlet" not in html
    switch = re.search(r'class="treatments-switch"><a href="([^"]*)">Saml behandlinger af samme sag', html)
    assert switch and "every_treatment" not in switch.group(1)
    # the choice survives a new query from the search box
    assert 'name="every_treatment" value="1"' in html
    assert 'class="treatments-switch"' not in client.get("/?q=sociale+medier").get_data(as_text=True)


def test_the_services_notices_reach_the_page_and_the_api(client: FlaskClient) -> None:
    """A filter value naming no committee is said so, on the page and in the API's notices."""
    data = api(client, "/api/search?q=sociale&committee=Intetudvalg")
    assert data["total"] == 0
    assert "Intet udvalg hedder «Intetudvalg», så intet er fundet i det." in data["notices"]
    page = client.get("/?q=sociale&committee=Intetudvalg").get_data(as_text=True)
    assert "Intet udvalg hedder «Intetudvalg»" in page
