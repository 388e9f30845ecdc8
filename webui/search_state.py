"""Running a search from URL parameters, shared by the HTML views, the API, the feed and CSV."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NoReturn

from flask import abort, current_app, g, request

from indexer.engines.base import EngineUnavailable
from indexer.search.service import SearchResponse, SearchService

from .params import ParsedParams, parse_search_args, search_to_the_end

log = logging.getLogger(__name__)
FRIENDLY_ERROR = "Søgningen kunne ikke gennemføres. Prøv at skrive den enklere, fx uden specialtegn."


@dataclass
class SearchRun:
    params: ParsedParams
    response: SearchResponse
    notices: list[str] = field(default_factory=list)


def service() -> SearchService:
    from webui import search_service

    return search_service(current_app)


def abort_missing(item_id: str) -> NoReturn:
    """404, or 410 Gone for an item that was published and then withdrawn or taken down."""
    if service().gone(item_id):
        abort(410)
    abort(404)


def run_search(
    per_page: int | None = None,
    default_sort: str | None = None,
    page: int | None = None,
    sort: str | None = None,
    literal: bool = False,
    every_treatment: bool = False,
) -> SearchRun:
    """Parse the current request's parameters and search; a failing query becomes a message.

    ``literal``: the words as typed, never their correction (a feed follows what was subscribed to);
    ``every_treatment``: each treatment of a case its own result (a feed: each is news).
    """
    params = parse_search_args(
        request.args, per_page=per_page or current_app.config["PER_PAGE"], default_sort=default_sort
    )
    if page is not None:
        params.request.page = page
    if sort is not None:
        params.request.sort = sort
    if literal:
        params.request.literal = True
    if every_treatment:
        params.request.every_treatment = True
    undecodable = undecodable_notices()
    if undecodable:  # nothing is searched for a parameter that could not be read
        return SearchRun(params, SearchResponse(params.request, 0, [], {}, error=" ".join(undecodable)))
    response, notices = search_to_the_end(params, _search)
    return SearchRun(params, response, notices)


def _search(params: ParsedParams) -> SearchResponse:
    try:
        return service().search(params.request)
    except EngineUnavailable:  # the database is down: a 503 (``engine_unavailable``), not the query's fault
        raise
    except Exception:  # a query the engine chokes on is the user's problem to rephrase, not a 500
        log.exception("search failed for %r", params.request.q)
        return SearchResponse(params.request, 0, [], {}, error=FRIENDLY_ERROR)


def rejected_parameters() -> list[str]:
    """What machine formats (JSON, Atom, CSV) refuse: values outside the documented form."""
    from webui import CONTROL_CHARACTERS

    stripped = [
        f"Parameteren «{CONTROL_CHARACTERS.sub('', name)}» indeholder kontroltegn."
        for name in g.get("stripped_parameters", [])
    ]
    return undecodable_notices() + stripped + parse_search_args(request.args).rejected


def undecodable_notices() -> list[str]:
    """One line for each parameter that is no UTF-8 (``webui.clean_parameters`` took it out)."""
    from webui import undecodable_notice

    return [undecodable_notice(name) for name in g.get("undecodable_parameters", [])]
