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


def has_something_to_search(query: dict[str, Any] | None) -> bool:
    """A ``q`` of only operators, brackets or empty quotes ("?", "OR", "(", "titel:") fits the
    document's string but is a documented 400 (docs/api.md: nothing to search); no schema can say
    so, and tests/webui/test_bad_parameters.py checks those answers. Positive cases keep the rest."""
    q = (query or {}).get("q")
    return not isinstance(q, str) or not nothing_to_search(SearchRequest(q=q).normalised())


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
                assume(has_something_to_search(case.query))
            case.call_and_validate()

        try:
            check()
        except Unsatisfiable:
            # nothing in this operation's parameters can be made invalid on the wire
            assert mode == GenerationMode.NEGATIVE, operation.label
