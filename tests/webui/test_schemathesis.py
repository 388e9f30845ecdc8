"""Schemathesis over /api/openapi.json: every operation, inputs generated to fit the document and
to break it, each response checked against the document (status codes, headers, schemas, server
errors, valid data accepted, invalid data refused). Bounded in examples so it stays a test."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from indexer.search.service import SearchRequest, nothing_to_search

MAX_EXAMPLES = 40  # per operation and mode: about a minute for all of them on a quiet machine
LIST_PARAMETERS = {"committee", "topic", "municipality", "type", "year"}
SCALAR_PARAMETERS = {"q", "from", "to", "sort", "page"}


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def same_on_the_wire(query: dict[str, Any] | None) -> bool:
    """Negative cases a query string cannot carry: an object, a null, a lone value where a list is
    declared (``committee=x`` is a list of one), or a name the document does not know (ignored)."""
    for name, value in (query or {}).items():
        if name not in LIST_PARAMETERS | SCALAR_PARAMETERS or value is None or isinstance(value, dict):
            return True
        if name in LIST_PARAMETERS and not isinstance(value, list):
            return True
        if isinstance(value, list) and any(isinstance(v, dict | list) or v is None for v in value):
            return True
    return False


def refused_as_documented(query: dict[str, Any] | None) -> bool:
    """A ``q`` with nothing to search (only operators, ``?``, brackets, empty quotes, a prefix
    without a value) answers 400, as the document's ``q`` says in words: no pattern in the
    document's dialect can tell those strings apart, so a positive case holding one is no valid data."""
    q = (query or {}).get("q")
    return isinstance(q, str) and nothing_to_search(SearchRequest(q=q).normalised())


@pytest.mark.parametrize("q", ["?", "OG ELLER", '""', "( )", "udvalg:", "IKKE ?"])
def test_what_positive_cases_leave_out_is_what_programs_are_refused(app: Flask, q: str) -> None:
    """The exception above is exactly the documented 400 on every route programs read."""
    assert refused_as_documented({"q": q})
    client = app.test_client()
    for route in ("/api/search", "/feed.atom", "/export.csv"):
        response = client.get(route, query_string={"q": q})
        assert response.status_code == 400, (route, q)
        assert "ingen ord at søge efter" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["sundhed", "-", "a", "§", "OG sundhed", '"a"', "udvalg:teknik"])
def test_queries_with_something_to_search_stay_valid_data(app: Flask, q: str) -> None:
    assert not refused_as_documented({"q": q})
    assert app.test_client().get("/export.csv", query_string={"q": q}).status_code == 200


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(app: Flask, mode: GenerationMode) -> None:
    operations = _operations(app)
    assert {op.label for op in operations} >= {"GET /api/search", "GET /api/items/{id}", "GET /api/suggest"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,  # the machine is shared; speed is the benchmarks' business
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            if mode == GenerationMode.NEGATIVE:
                assume(not same_on_the_wire(case.query))
            else:
                assume(not refused_as_documented(case.query))
            case.call_and_validate()

        try:
            check()
        except Unsatisfiable:
            # nothing in this operation's parameters can be made invalid on the wire
            assert mode == GenerationMode.NEGATIVE, operation.label
