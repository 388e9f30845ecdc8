"""Bad parameters: control characters never reach XML or a page; values outside the documented
form are named — as a notice on the HTML page, as a 400 for programs (JSON, Atom, CSV); a page past
the end shows the last page; a 405 says what is allowed."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from lxml import etree


@pytest.mark.parametrize("route", ["/", "/feed.atom", "/export.csv", "/api/search", "/api/suggest", "/items/%05"])
def test_control_characters_never_give_a_500(client: FlaskClient, route: str) -> None:
    response = client.get(route + "?q=%05sundhed%1B&committee=%00")
    assert response.status_code in (200, 400, 404), response.data[:200]


def test_html_page_strips_control_characters_and_searches(client: FlaskClient) -> None:
    plain = client.get("/?q=sundhed").get_data(as_text=True)
    stripped = client.get("/?q=%05sund%1Bhed").get_data(as_text=True)
    total = re.search(r"(\d+) resultat", plain)
    assert total and total.group(0) in stripped
    assert "\x05" not in stripped and "\x1b" not in stripped


def test_feed_refuses_control_characters_by_name(client: FlaskClient) -> None:
    response = client.get("/feed.atom?q=%05")
    assert response.status_code == 400
    assert "«q»" in response.get_data(as_text=True)
    ok = client.get("/feed.atom?q=sundhed")
    etree.fromstring(ok.data)  # well-formed


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sort=bogus", "bogus"),
        ("year=abc", "abc"),
        ("type=foo", "foo"),
        ("to=null", "null"),
        ("from=2016-13-01", "2016-13-01"),
        ("page=true&page=true", "«page»"),
        ("page=0", "«0»"),
        ("to=%0D", "Til-datoen"),  # blanks alone are neither the empty "no limit" nor a date
        ("from=%20%20", "Fra-datoen"),
    ],
)
def test_unusable_values_are_named(client: FlaskClient, query: str, named: str) -> None:
    api = client.get("/api/search?q=sundhed&" + query)
    assert api.status_code == 400
    assert named in api.get_json()["error"]
    assert client.get("/export.csv?q=sundhed&" + query).status_code == 400
    page = client.get("/?q=sundhed&" + query)
    assert page.status_code == 200
    notices = re.findall(r'<p class="notice" role="status">(.*?)</p>', page.get_data(as_text=True))
    assert any(named in n for n in notices), notices


def test_long_query_and_per_page_are_named(client: FlaskClient) -> None:
    page = client.get("/?q=" + "sundhed+" * 80 + "&per_page=50").get_data(as_text=True)
    assert "afkortet til de første 500 tegn" in page
    assert "Antal pr. side kan ikke vælges" in page
    api = client.get("/api/search?q=sundhed&per_page=50").get_json()
    assert any("Antal pr. side" in n for n in api["notices"])


@pytest.mark.parametrize("route", ["/api/search", "/api/suggest", "/feed.atom", "/export.csv"])
def test_a_query_over_500_characters_answers_400_wherever_programs_read(client: FlaskClient, route: str) -> None:
    """As docs/api.md says; the suggestions cut it to 100 characters and answered 200."""
    assert client.get(route, query_string={"q": "sundhed " * 80}).status_code == 400
    assert client.get(route, query_string={"q": "sundhed"}).status_code == 200


@pytest.mark.parametrize("route", ["/api/search", "/feed.atom", "/export.csv", "/export-excel.csv"])
@pytest.mark.parametrize("q", ["?", "OG ELLER", '""'])
def test_a_query_of_nothing_to_search_answers_400_wherever_programs_read(
    client: FlaskClient, route: str, q: str
) -> None:
    """The feed and the exports answered an empty 200 (a feed reader would subscribe to nothing)."""
    response = client.get(route, query_string={"q": q})
    assert response.status_code == 400
    assert "ingen ord at søge efter" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["?", "OG ELLER", '""', "udvalg:"])
def test_a_query_of_nothing_to_search_names_itself_as_other_400s_do(client: FlaskClient, q: str) -> None:
    """docs/api.md: a 400 from /api/search carries ``error``, ``status`` and the reasons in ``notices``.
    A query with nothing to search answered 400 with ``notices`` empty and no ``status``, so a program
    reading the reasons where every other refusal puts them found none."""
    body = client.get("/api/search", query_string={"q": q}).get_json()
    assert body["status"] == 400
    assert body["error"] and "ingen ord at søge efter" in body["error"]
    assert body["error"] in body["notices"]


def test_empty_form_fields_are_no_news(client: FlaskClient) -> None:
    """The search form sends its date fields empty: no notice, and the API accepts them too."""
    page = client.get("/?q=sundhed&from=&to=").get_data(as_text=True)
    assert 'class="notice"' not in page
    assert client.get("/api/search?q=sundhed&from=&to=").status_code == 200


def test_page_past_the_end_shows_the_last_page(client: FlaskClient) -> None:
    first = client.get("/api/search?q=sundhed").get_json()
    assert first["pages"] >= 2
    late = client.get("/api/search?q=sundhed&page=999").get_json()
    assert late["page"] == first["pages"]
    assert late["results"]
    assert late["links"]["next"] is None
    assert "998" not in late["links"]["prev"]
    html = client.get("/?q=sundhed&page=999").get_data(as_text=True)
    assert f"Side 999 findes ikke; her er den sidste side, {first['pages']}." in html
    assert "page=998" not in html


def test_405_names_the_allowed_methods(client: FlaskClient) -> None:
    for route in ("/api/search", "/", "/feed.atom"):
        response = client.post(route)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("query", "refused", "ignored"),
    [
        ("page=2&page=3", "Parameteren «page» må kun angives én gang.", "den første værdi er brugt"),
        ("year=14", "Året «14» er ikke et årstal: skriv det med fire cifre, fx 2022.", "blev ignoreret"),
        ("from=2016-13-01", "Fra-datoen «2016-13-01» er ikke en dato: skriv den som ÅÅÅÅ-MM-DD.", "blev ignoreret"),
        ("type=memo", "Dokumenttypen «memo» findes ikke: brug dagsorden eller referat.", "blev ignoreret"),
        ("sort=best", "Sorteringen «best» findes ikke: brug relevance, newest eller oldest.", "blev ignoreret"),
        ("page=0", "Sidetallet «0» findes ikke: brug et tal fra 1 til 1000.", "blev ignoreret"),
    ],
)
def test_a_refusal_says_what_is_wrong_and_the_page_what_it_did_instead(
    client: FlaskClient, query: str, refused: str, ignored: str
) -> None:
    """The API refuses the request: its 400 does not say the value was ignored or the first one used
    (nothing was searched); the HTML page, which does search without it, says what it did."""
    answer = client.get(f"/api/search?q=vej&{query}")
    assert answer.status_code == 400
    assert answer.get_json()["notices"] == [refused] and ignored not in answer.get_data(as_text=True)
    assert refused in client.get(f"/export.csv?q=vej&{query}").get_data(as_text=True)
    page = client.get(f"/?q=vej&{query}").get_data(as_text=True)
    notices = re.findall(r'<p class="notice" role="status">(.*?)</p>', page)
    assert any(ignored in notice for notice in notices), notices


@pytest.mark.parametrize(
    "route", ["/", "/api/search", "/api/suggest", "/feed.atom", "/export.csv", "/export-excel.csv"]
)
@pytest.mark.parametrize("query", ["q=%FF%FE", "q=sundhed%E6", "q=sundhed&committee=%C3"])
def test_a_parameter_that_is_no_utf8_answers_400_naming_it(client: FlaskClient, route: str, query: str) -> None:
    """Werkzeug keeps such a value as its escaped text ("%FF%FE"), which was searched (200)."""
    name = query.rsplit("&", 1)[-1].split("=")[0]
    response = client.get(f"{route}?{query}")
    assert response.status_code == 400, response.data[:200]
    line = f"Parameteren «{name}» er ikke gyldig UTF-8."
    if route.startswith("/api/"):
        data = response.get_json()
        assert data["status"] == 400 and data["notices"] == [line] and data["error"] == line
    elif route == "/":
        page = response.get_data(as_text=True)
        assert line in page and "%FF" not in page and "0 resultater" in page  # nothing searched
    else:
        assert response.get_data(as_text=True) == line + "\r\n"


def test_a_name_that_is_no_utf8_is_named_escaped(client: FlaskClient) -> None:
    response = client.get("/api/search?q=sundhed&x%FF=1")
    assert response.status_code == 400
    assert response.get_json()["notices"] == ["Parameteren «x%FF» er ikke gyldig UTF-8."]


def test_utf8_letters_escaped_are_read(client: FlaskClient) -> None:
    """Æ, ø and å escaped as UTF-8 (what a browser sends) are no refusal."""
    assert client.get("/api/search?q=%C3%A6ldre%20s%C3%B8").status_code == 200
    assert client.get("/?q=%C3%A6ldre").status_code == 200
