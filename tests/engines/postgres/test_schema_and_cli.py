"""``minutes db init`` creates or upgrades the schema; nothing else ever does."""

from __future__ import annotations

import psycopg
import pytest

from indexer.analysis import ANALYSIS_VERSION, UNSTAMPED_ANALYSIS
from indexer.cli import main
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database
from tests.conftest import SEED

# Migration 9 undone: what a database of schema version 8 (before analysis stamps) holds.
BACK_TO_8 = f"""
ALTER TABLE state DROP COLUMN analysis;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 9;
"""


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


def test_a_version_8_database_upgrades_in_place_and_reads_as_written_before_stamps(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["ingest", str(SEED), "--index", pg_url, "--municipality", "Norddjurs Kommune", "--workers", "1"]
    assert main(argv) == 0
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_8)  # type: ignore[arg-type]
    capsys.readouterr()
    assert main(["search", "sociale", "--index", pg_url]) == 2
    assert f"needs {schema.LATEST}" in capsys.readouterr().err
    with psycopg.connect(pg_url) as conn:
        report = schema.init(conn)
    assert (report.before, report.applied) == (8, [9])
    database = Database(pg_url)
    try:
        assert database.analysis_version() == UNSTAMPED_ANALYSIS  # its terms are the older analysis's
    finally:
        database.close()
    assert main(["search", "sociale", "medier", "--index", pg_url]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 resultat")
    assert [line for line in err.splitlines() if "older text analysis" in line and "minutes reindex" in line]


def test_an_empty_version_8_database_upgrades_to_this_analysis(pg_url: str) -> None:
    """Nothing written before the upgrade: what gets written is this analysis's."""
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_8)  # type: ignore[arg-type]
        assert schema.init(conn).applied == [9]
    database = Database(pg_url)
    try:
        assert database.analysis_version() == ANALYSIS_VERSION
    finally:
        database.close()
