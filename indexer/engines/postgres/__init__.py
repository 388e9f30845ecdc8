"""PostgreSQL server engine: our Danish terms stored in the server, BM25F and facets in SQL, Citus-ready."""

from __future__ import annotations

from pathlib import Path


def is_database_url(location: str | Path) -> bool:
    """Whether an index location names a PostgreSQL database rather than a folder."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def __getattr__(name: str) -> object:
    """``PostgresEngine`` (the ``base.Engine``) is imported on first use: the driver loads only then."""
    if name == "PostgresEngine":
        from indexer.engines.postgres.adapter import PostgresEngine

        return PostgresEngine
    raise AttributeError(name)
