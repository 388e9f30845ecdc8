"""The URL's search state: the parser and writer live in ``indexer.search.params``, shared with
the ``minutes search`` command (the same checks and notices on every side)."""

from __future__ import annotations

from indexer.search.params import (
    KINDS,
    LIST_PARAMS,
    MAX_QUERY,
    SINGLE_PARAMS,
    ParsedParams,
    filters_of,
    parse_search_args,
    search_args,
    search_to_the_end,
    toggled,
)

__all__ = [
    "KINDS",
    "LIST_PARAMS",
    "MAX_QUERY",
    "SINGLE_PARAMS",
    "ParsedParams",
    "filters_of",
    "parse_search_args",
    "search_args",
    "search_to_the_end",
    "toggled",
]
