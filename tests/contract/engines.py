"""The engines the contract suite runs against.

An engine joins the suite with one entry in ``ENGINES``: a factory that returns
the location of a fresh, empty index (a folder, or the URL of an empty database)
given a test's temporary folder. Everything else (ingest, search, items,
suggestions, the web app) goes through ``indexer.cli.ingest``, ``SearchService``
and ``webui.create_app`` exactly as the product does, so the same assertions
hold for every engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import postgres_location, uninitialised_location

EngineFactory = Callable[[Path], str]


def whoosh_location(tmp: Path) -> str:
    """The embedded engine: a folder that does not exist yet."""
    return str(tmp / "index")


def whoosh_not_there(tmp: Path) -> str:
    """Where nothing was ever indexed: a folder that does not exist."""
    return str(tmp / "nothing-here")


# Per engine, a location holding no index at all (for the "not there" contract).
NOT_THERE: dict[EngineFactory, EngineFactory] = {
    whoosh_location: whoosh_not_there,
    postgres_location: uninitialised_location,  # a database nobody ran `minutes db init` on
}

# pytest.param(factory, id=name, marks=...): a server engine's factory creates an
# empty database (or schema) on a server the test session started, and returns its URL.
ENGINES: list[Any] = [
    pytest.param(whoosh_location, id="whoosh"),
    pytest.param(postgres_location, id="postgresql"),  # a fresh database on the session's throwaway server
]
