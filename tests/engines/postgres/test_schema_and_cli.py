"""``minutes db init`` creates or upgrades the schema; nothing else ever does."""

from __future__ import annotations

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres import schema


def test_commands_on_an_uninitialised_database_say_to_run_db_init(
    pg_empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["search", "budget"], ["stats"], ["ingest", "data/seed"]):
        assert main([*argv, "--index", pg_empty_url]) == 2
        err = capsys.readouterr().err
        assert "minutes db init --index" in err and "not initialised" in err
    with psycopg.connect(pg_empty_url) as conn:
        assert schema.current_version(conn) is None  # nothing was created behind the user's back


def test_db_init_creates_then_finds_nothing_to_do(pg_empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init", "--index", pg_empty_url]) == 0
    assert f"to version {schema.LATEST}" in capsys.readouterr().out
    assert main(["db", "init", "--index", pg_empty_url]) == 0
    assert "up to date" in capsys.readouterr().out
    with psycopg.connect(pg_empty_url) as conn:
        assert schema.current_version(conn) == schema.LATEST
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"items", "postings", "term_stats", "field_stats", "attachments", "municipalities"} <= tables


def test_an_outdated_schema_is_refused_until_upgraded(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(f"DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = %s", (schema.LATEST,))
        conn.execute(f"INSERT INTO {schema.SCHEMA_VERSION_TABLE} (version, what) VALUES (0, 'older')")
    assert main(["stats", "--index", pg_url]) == 2
    assert "needs" in capsys.readouterr().err


def test_every_table_carries_the_municipality(pg_url: str) -> None:
    """The Citus distribution column: one municipality's rows can live on one shard."""
    with psycopg.connect(pg_url) as conn:
        for table in schema.DISTRIBUTED:
            columns = {
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
                )
            }
            assert "muni" in columns, table
            keys = conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisunique",
                (table,),
            ).fetchall()
            assert ("muni",) in keys, f"{table}: unique keys must include the distribution column"


def test_citus_is_refused_clearly_where_it_is_not_installed(
    pg_empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "init", "--citus", "--index", pg_empty_url]) == 2
    assert "citus extension is not installed" in capsys.readouterr().err
