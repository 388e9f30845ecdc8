"""Search state lives in the URL: one parser and one writer for HTML, API, feed and CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer.search.service import MAX_PAGE, SORTS, SearchRequest, parse_iso_date

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
    document): the HTML page ignores it with a notice, machine formats answer 400."""

    request: SearchRequest
    notices: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _values(args: MultiDict[str, str], name: str) -> list[str]:
    seen: list[str] = []
    for value in args.getlist(name):
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen[:20]


def _shown(value: str) -> str:
    return value if len(value) <= 30 else value[:29] + "…"


def parse_search_args(args: MultiDict[str, str], per_page: int = 10, default_sort: str | None = None) -> ParsedParams:
    """URL query → SearchRequest; unusable values are dropped with a notice, never an error."""
    notices: list[str] = []
    rejected: list[str] = []

    def reject(message: str, tell: bool = True) -> None:
        rejected.append(message)
        if tell:  # an empty field from a form is no news to the person who sent it
            notices.append(message)

    for name in ("sort", "page", "type", "year"):
        if any(not value.strip() for value in args.getlist(name)):
            reject(f"Parameteren «{name}» er tom.", tell=False)

    for name in SINGLE_PARAMS:
        if len(args.getlist(name)) > 1:
            reject(f"Parameteren «{name}» må kun angives én gang; den første værdi er brugt.")
    lists = {attr: _values(args, name) for name, attr in LIST_PARAMS.items()}
    for kind in [k for k in lists["kind"] if k not in KINDS]:
        reject(f"Dokumenttypen «{_shown(kind)}» findes ikke og blev ignoreret: brug dagsorden eller referat.")
    lists["kind"] = [k for k in lists["kind"] if k in KINDS]
    for year in [y for y in lists["year"] if not (y.isascii() and y.isdigit() and len(y) == 4)]:
        reject(f"Året «{_shown(year)}» blev ignoreret: skriv det med fire cifre, fx 2022.")
    lists["year"] = [y for y in lists["year"] if y.isascii() and y.isdigit() and len(y) == 4]
    dates = {}
    for name, label in (("from", "Fra-datoen"), ("to", "Til-datoen")):
        given = args.get(name) or ""
        raw = given.strip()
        parsed = parse_iso_date(raw) if raw else None
        # empty means no limit; blanks alone (a stray "\r") are neither empty nor a date
        if given and (parsed is None or len(raw) != 10 or not raw.isascii()):
            reject(f"{label} «{_shown(given)}» blev ignoreret: skriv den som ÅÅÅÅ-MM-DD.")
            parsed = None
        dates[name] = parsed
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        # a reversed range would silently find nothing; the user meant the span between them
        dates["from"], dates["to"] = dates["to"], dates["from"]
        notices.append("Fra-datoen lå efter til-datoen; de er byttet om.")
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        reject(f"Søgningen er afkortet til de første {MAX_QUERY} tegn.")
        q = q[:MAX_QUERY].strip()
    sort = (args.get("sort") or "").strip()
    if sort and sort not in SORTS:
        reject(f"Sorteringen «{_shown(sort)}» findes ikke og blev ignoreret: brug relevance, newest eller oldest.")
    if sort not in SORTS:
        sort = default_sort or ("relevance" if q else "newest")
    raw_page = (args.get("page") or "").strip()
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 0
    if raw_page and not 1 <= page <= MAX_PAGE:
        reject(f"Sidetallet «{_shown(raw_page)}» blev ignoreret: brug et tal fra 1 til {MAX_PAGE}.")
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


def _switch(args: MultiDict[str, str], name: str) -> bool:
    """A yes/no URL parameter: on for 1, true or ja; anything else leaves it off."""
    return (args.get(name) or "").strip().casefold() in ("1", "true", "ja")


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
