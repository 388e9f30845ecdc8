"""Search state lives in the URL: one parser and one writer for HTML, API, feed, CSV and the
``minutes search`` command, which reads its options as the API reads its parameters (the same
checks, the same notices, the same refusals).  No web framework here: a query string is anything
with ``getlist`` (werkzeug's MultiDict, or ``Params`` built from command-line options)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from indexer.search.service import MAX_PAGE, SORTS, SearchRequest, SearchResponse, parse_iso_date


class QueryArgs(Protocol):
    """What the parser reads of a query string (werkzeug's MultiDict is one)."""

    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...


class Params:
    """A query string built from pairs (the command line's options): repeated names allowed."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs = [(key, value) for key, value in pairs]

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]

    def __contains__(self, key: object) -> bool:
        return any(name == key for name, _ in self.pairs)


# URL parameter → SearchRequest list attribute
LIST_PARAMS = {
    "committee": "committee",
    "topic": "topic",
    "municipality": "municipality",
    "type": "kind",
    "year": "year",
}


MAX_QUERY = 500
SINGLE_PARAMS = ("q", "from", "to", "sort", "page")
KINDS = ("dagsorden", "referat")


@dataclass
class ParsedParams:
    """The search request plus what the user should be told about ignored input.

    ``rejected`` names each value that does not fit the documented form (the OpenAPI
    document), as the refusal says it: the HTML page ignores the value and says so in a
    notice, machine formats (and the command line) refuse the request with these lines."""

    request: SearchRequest
    notices: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _first(args: QueryArgs, name: str) -> str | None:
    values = args.getlist(name)
    return values[0] if values else None


def _values(args: QueryArgs, name: str) -> list[str]:
    seen: list[str] = []
    for value in args.getlist(name):
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen[:20]


def _shown(value: str) -> str:
    return value if len(value) <= 30 else value[:29] + "…"


def parse_search_args(args: QueryArgs, per_page: int = 10, default_sort: str | None = None) -> ParsedParams:
    """URL query → SearchRequest; unusable values are dropped with a notice, never an error
    (``rejected`` says how a program that sent them is answered instead)."""
    notices: list[str] = []
    rejected: list[str] = []

    def reject(refusal: str, ignored: str | None = None, tell: bool = True) -> None:
        """``refusal``: what is wrong, for a request that is refused; ``ignored``: what the page
        did instead, for its notice (the refusal when the same words say it)."""
        rejected.append(refusal)
        if tell:  # an empty field from a form is no news to the person who sent it
            notices.append(ignored or refusal)

    for name in ("sort", "page", "type", "year"):
        if any(not value.strip() for value in args.getlist(name)):
            reject(f"Parameteren «{name}» er tom.", tell=False)

    for name in SINGLE_PARAMS:
        if len(args.getlist(name)) > 1:
            said = f"Parameteren «{name}» må kun angives én gang"
            reject(f"{said}.", f"{said}; den første værdi er brugt.")
    lists = {attr: _values(args, name) for name, attr in LIST_PARAMS.items()}
    for kind in [k for k in lists["kind"] if k not in KINDS]:
        said = f"Dokumenttypen «{_shown(kind)}» findes ikke"
        reject(f"{said}: brug dagsorden eller referat.", f"{said} og blev ignoreret: brug dagsorden eller referat.")
    lists["kind"] = [k for k in lists["kind"] if k in KINDS]
    for year in [y for y in lists["year"] if not (y.isascii() and y.isdigit() and len(y) == 4)]:
        hint = "skriv det med fire cifre, fx 2022."
        reject(f"Året «{_shown(year)}» er ikke et årstal: {hint}", f"Året «{_shown(year)}» blev ignoreret: {hint}")
    lists["year"] = [y for y in lists["year"] if y.isascii() and y.isdigit() and len(y) == 4]
    dates = {}
    for name, label in (("from", "Fra-datoen"), ("to", "Til-datoen")):
        given = _first(args, name) or ""
        raw = given.strip()
        parsed = parse_iso_date(raw) if raw else None
        # empty means no limit; blanks alone (a stray "\r") are neither empty nor a date
        if given and (parsed is None or len(raw) != 10 or not raw.isascii()):
            hint = "skriv den som ÅÅÅÅ-MM-DD."
            reject(
                f"{label} «{_shown(given)}» er ikke en dato: {hint}",
                f"{label} «{_shown(given)}» blev ignoreret: {hint}",
            )
            parsed = None
        dates[name] = parsed
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        # a reversed range would silently find nothing; the user meant the span between them
        dates["from"], dates["to"] = dates["to"], dates["from"]
        notices.append("Fra-datoen lå efter til-datoen; de er byttet om.")
    q = (_first(args, "q") or "").strip()
    if len(q) > MAX_QUERY:
        reject(f"Søgningen er over {MAX_QUERY} tegn.", f"Søgningen er afkortet til de første {MAX_QUERY} tegn.")
        q = q[:MAX_QUERY].strip()
    sort = (_first(args, "sort") or "").strip()
    if sort and sort not in SORTS:
        said, hint = f"Sorteringen «{_shown(sort)}» findes ikke", "brug relevance, newest eller oldest."
        reject(f"{said}: {hint}", f"{said} og blev ignoreret: {hint}")
    if sort not in SORTS:
        sort = default_sort or ("relevance" if q else "newest")
    raw_page = (_first(args, "page") or "").strip()
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 0
    if raw_page and not 1 <= page <= MAX_PAGE:
        hint = f"brug et tal fra 1 til {MAX_PAGE}."
        reject(
            f"Sidetallet «{_shown(raw_page)}» findes ikke: {hint}",
            f"Sidetallet «{_shown(raw_page)}» blev ignoreret: {hint}",
        )
        page = 1
    if "per_page" in args:
        notices.append(f"Antal pr. side kan ikke vælges; en side viser {per_page} punkter.")
    request = SearchRequest(
        q=q,
        committee=lists["committee"],
        topic=lists["topic"],
        municipality=lists["municipality"],
        kind=lists["kind"],
        year=lists["year"],
        date_from=dates["from"],
        date_to=dates["to"],
        sort=sort,
        page=page or 1,
        per_page=per_page,
        literal=_switch(args, "literal"),
        every_treatment=_switch(args, "every_treatment"),
    ).normalised()
    return ParsedParams(request, notices, rejected)


def _switch(args: QueryArgs, name: str) -> bool:
    """A yes/no URL parameter: on for 1, true or ja; anything else leaves it off."""
    return (_first(args, name) or "").strip().casefold() in ("1", "true", "ja")


def search_args(request: SearchRequest, **changes: Any) -> dict[str, Any]:
    """SearchRequest → URL parameters for url_for; ``changes`` override (None removes)."""
    out: dict[str, Any] = {}
    if request.q:
        out["q"] = request.q
    for name, attr in LIST_PARAMS.items():
        values = getattr(request, attr)
        if values:
            out[name] = list(values)
    if request.date_from:
        out["from"] = request.date_from.isoformat()
    if request.date_to:
        out["to"] = request.date_to.isoformat()
    default_sort = "relevance" if request.q else "newest"
    if request.sort != default_sort:
        out["sort"] = request.sort
    if request.page > 1:
        out["page"] = request.page
    if request.literal:
        out["literal"] = "1"
    if request.every_treatment:
        out["every_treatment"] = "1"
    for key, value in changes.items():
        if value is None or value == [] or value == "":
            out.pop(key, None)
        else:
            out[key] = value
    if out.get("page") == 1:
        out.pop("page")
    return out


def toggled(request: SearchRequest, name: str, value: str) -> dict[str, Any]:
    """Parameters with one facet value added or removed; paging starts over."""
    current = list(getattr(request, LIST_PARAMS[name]))
    matches = [v for v in current if v.casefold() == value.casefold()]
    if matches:
        current = [v for v in current if v not in matches]
    else:
        current.append(value)
    return search_args(request, **{name: current, "page": None})


def filters_of(request: SearchRequest) -> dict[str, Any]:
    """The filters a response was searched with (``filters`` in the API's and the CLI's JSON)."""
    return {
        "committee": request.committee,
        "topic": request.topic,
        "municipality": request.municipality,
        "type": request.kind,
        "year": request.year,
        "from": request.date_from.isoformat() if request.date_from else None,
        "to": request.date_to.isoformat() if request.date_to else None,
    }


def search_to_the_end(
    params: ParsedParams, search: Callable[[ParsedParams], SearchResponse]
) -> tuple[SearchResponse, list[str]]:
    """Search, and show the last page when the one asked for is past the end (an old link, a
    hand-edited URL, a too high ``--page``), with a notice; the parser's notices come first."""
    notices = list(params.notices)
    response = search(params)
    if response.total and params.request.page > response.pages:
        notices.append(f"Side {params.request.page} findes ikke; her er den sidste side, {response.pages}.")
        params.request.page = response.pages
        response = search(params)
    notices += response.notices  # the service's own: a filter value read otherwise or naming nothing
    return response, notices
