"""Search state lives in the URL: one parser and one writer for HTML, API, feed and CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer.search.service import SORTS, SearchRequest, parse_iso_date

# URL parameter → SearchRequest list attribute
LIST_PARAMS = {
    "committee": "committee",
    "topic": "topic",
    "municipality": "municipality",
    "type": "kind",
    "year": "year",
}


@dataclass
class ParsedParams:
    """The search request plus what the user should be told about ignored input."""

    request: SearchRequest
    notices: list[str] = field(default_factory=list)


def _values(args: MultiDict[str, str], name: str) -> list[str]:
    seen: list[str] = []
    for value in args.getlist(name):
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen[:20]


def parse_search_args(args: MultiDict[str, str], per_page: int = 10, default_sort: str | None = None) -> ParsedParams:
    """URL query → SearchRequest; unusable values are dropped with a notice, never an error."""
    notices: list[str] = []
    lists = {attr: _values(args, name) for name, attr in LIST_PARAMS.items()}
    lists["kind"] = [k for k in lists["kind"] if k in ("dagsorden", "referat")]
    lists["year"] = [y for y in lists["year"] if y.isdigit() and len(y) == 4]
    dates = {}
    for name, label in (("from", "Fra-datoen"), ("to", "Til-datoen")):
        raw = (args.get(name) or "").strip()
        parsed = parse_iso_date(raw) if raw else None
        if raw and (parsed is None or len(raw) != 10):
            notices.append(f"{label} «{raw[:20]}» blev ignoreret: skriv den som ÅÅÅÅ-MM-DD.")
            parsed = None
        dates[name] = parsed
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        # a reversed range would silently find nothing; the user meant the span between them
        dates["from"], dates["to"] = dates["to"], dates["from"]
        notices.append("Fra-datoen lå efter til-datoen; de er byttet om.")
    q = (args.get("q") or "").strip()
    sort = (args.get("sort") or "").strip()
    if sort not in SORTS:
        sort = default_sort or ("relevance" if q else "newest")
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        page = 1
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
        page=page,
        per_page=per_page,
        literal=(args.get("literal") or "") in ("1", "true", "ja"),
    ).normalised()
    return ParsedParams(request, notices)


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
