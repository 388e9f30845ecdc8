"""The JSON twins of the HTML pages, autocomplete, and the OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from indexer.search.meetings import public_meeting
from indexer.search.service import SearchRequest

from .openapi import openapi_document
from .params import MAX_QUERY, filters_of, search_args, toggled
from .search_state import abort_missing, rejected_parameters, run_search, service, undecodable_notices
from .viewmodels import facet_value_label
from .views import ITEM_ID

api = Blueprint("api", __name__, url_prefix="/api")


def _with_url(entry: dict[str, Any]) -> dict[str, Any]:
    out = dict(entry)
    if out.get("id") and out.get("access", "open") == "open":
        out["url"] = url_for("views.item", item_id=out["id"], _external=True)
        out["api_url"] = url_for("api.item", item_id=out["id"], _external=True)
        if out.get("meeting_id"):
            out["meeting_url"] = url_for("views.meeting", meeting_id=out["meeting_id"], _external=True)
            out["meeting_api_url"] = url_for("api.meeting", meeting_id=out["meeting_id"], _external=True)
    else:
        out["url"] = None
    return out


def _hit_with_urls(hit: dict[str, Any]) -> dict[str, Any]:
    """A result with its links, and those of the case's other treatments listed under it: each is
    an open item the page links, so a program finds it as it finds the row."""
    out = _with_url(hit)
    if out.get("also_treated"):
        out["also_treated"] = [_with_url(t) for t in out["also_treated"]]
    return out


def _facets_with_labels(req: SearchRequest, facets: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Each facet value also carries what the HTML page shows (topic names, Danish
    document types) and the API link that toggles it, keyed by the service's facet names."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, values in facets.items():
        param = "type" if name == "kind" else name
        out[name] = [
            {
                **value,
                "label": facet_value_label(param, value["value"]),
                "url": url_for("api.search", _external=True, **toggled(req, param, value["value"])),
            }
            for value in values
        ]
    return out


@api.get("/search")
def search() -> tuple[dict[str, Any], int]:
    rejected = rejected_parameters()
    if rejected:  # a program sent it: say so rather than answer a different question
        return {"error": " ".join(rejected), "status": 400, "notices": rejected}, 400
    run = run_search()
    response, req = run.response, run.params.request
    data = response.to_dict()
    data["results"] = [_hit_with_urls(r) for r in data["results"]]
    data["facets"] = _facets_with_labels(req, data["facets"])
    data["filters"] = filters_of(req)
    data["notices"] = run.notices
    if response.error:
        # As every other refusal answers (docs/api.md): the status and the reason among the notices,
        # where a program reads why a 400 came back.
        data["status"] = 400
        if response.error not in data["notices"]:
            data["notices"] = [*data["notices"], response.error]

    def link(page: int) -> str:
        return url_for("api.search", _external=True, **search_args(req, page=page))

    pages = response.pages
    data["links"] = {
        "self": link(req.page),
        "first": link(1),
        "last": link(pages),
        "next": link(req.page + 1) if req.page < pages else None,
        "prev": link(req.page - 1) if req.page > 1 else None,
        "html": url_for("views.search", _external=True, **search_args(req)),
    }
    return data, 400 if response.error else 200


@api.get("/items/<item_id>")
def item(item_id: str) -> dict[str, Any]:
    search = service()
    found = search.item_page(item_id)
    if found is None:
        abort_missing(item_id)
    data = _with_url(found.item)
    source = data.get("source_document")
    if source:
        # Read from a whole-meeting document: link to the page where the item starts.
        page = f"#page={source['page']}" if source.get("page") else ""
        available = source.get("available")
        source = {k: v for k, v in source.items() if k != "available"}
        source["url"] = url_for("views.source_document", item_id=item_id, _external=True) + page if available else None
        data["source_document"] = source
    data["meeting_items"] = [_with_url(e) for e in found.meeting_items]
    data["case_history"] = [_with_url(e) for e in found.case_history]
    data["similar"] = [_with_url(e) for e in found.similar]
    return data


@api.get("/meetings/<meeting_id>")
def meeting(meeting_id: str) -> dict[str, Any]:
    """The meeting page's twin: its facts, its items in agenda order (closed ones as numbered
    "Lukket punkt" stubs with no id or url) and its whole-meeting documents."""
    data = public_meeting(service(), meeting_id) if ITEM_ID.fullmatch(meeting_id) else None
    if data is None:
        abort_missing(meeting_id)
    data["items"] = [_with_url(entry) for entry in data["items"]]
    data["documents"] = [
        {
            "title": document["title"],
            "media_type": document["media_type"],
            "url": url_for("views.source_document", item_id=document["item_id"], _external=True)
            if document["available"]
            else None,
        }
        for document in data["documents"]
    ]
    data["url"] = url_for("views.meeting", meeting_id=meeting_id, _external=True)
    return data


@api.get("/suggest")
def suggest() -> tuple[dict[str, Any], int]:
    from flask import g, request

    if undecodable := undecodable_notices():
        return {"error": " ".join(undecodable), "status": 400, "notices": undecodable}, 400
    if g.get("stripped_parameters"):
        message = "Parameteren «q» indeholder kontroltegn."
        return {"error": message, "status": 400, "notices": [message]}, 400
    typed = (request.args.get("q") or "").strip()
    if len(typed) > MAX_QUERY:  # as the search answers it (docs/api.md)
        message = f"Søgningen er over {MAX_QUERY} tegn."
        return {"error": message, "status": 400, "notices": [message]}, 400
    prefix = typed[:100]  # the start of a word being typed: more never finds more
    return {"query": prefix, "suggestions": service().suggest(prefix)}, 200


@api.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return openapi_document(url_for("views.search", _external=True).rstrip("/"))
