"""Closed content leaves the database's files only when ``minutes optimize`` rewrites them.

When an item turns closed, its rows (postings, terms, stored document, archived file) are
deleted in the ingest's transaction and no query reaches them.  But PostgreSQL only marks a
deleted row dead: its bytes stay in the table and index files, and the ingest's VACUUM (as
autovacuum) just lets later rows overwrite them some day.  ``minutes optimize`` rewrites the
content tables (VACUUM FULL, then ANALYZE), and the ingest says so when it closed anything.
The write-ahead log is another matter: what it logged stays until the segment is recycled.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.leak.test_versions import BILAG_WORD, ITEM_WORD, version
from tests.postgres import postgres_location


def database_files(url: str) -> list[Path]:
    """Every file of this database's own folder (tables, indexes, TOAST, free space maps)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT current_setting('data_directory'), oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    folder = Path(row[0]) / "base" / str(row[1])
    return sorted(p for p in folder.iterdir() if p.is_file())


def files_holding(url: str, word: str) -> list[str]:
    with psycopg.connect(url) as conn:
        conn.execute("CHECKPOINT")  # the shared buffers' pages reach the files
    return [p.name for p in database_files(url) if word.encode() in _bytes_of(p)]


def _bytes_of(path: Path) -> bytes:
    """A file's bytes, or none when the server removed it since the folder was listed (its relation
    cache file, ``pg_internal.init``, goes when a table is rewritten): a file gone holds nothing."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_optimize_rewrites_an_items_old_rows_out_of_the_table_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_location()
    assert main(["ingest", str(version(tmp_path, "referat", "referat", "open")), "--index", url]) == 0
    assert files_holding(url, ITEM_WORD) and files_holding(url, BILAG_WORD)  # the check can fail
    capsys.readouterr()

    assert main(["ingest", str(version(tmp_path, "dagsorden", "dagsorden", "closed")), "--index", url]) == 0
    out = capsys.readouterr().out
    assert "1 item(s) closed or withdrawn" in out and "minutes optimize" in out
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM")  # what the ingest and autovacuum do: not enough
    assert files_holding(url, ITEM_WORD), "dead rows of the closed item are still in the files"

    assert main(["optimize", "--index", url]) == 0
    assert "content tables rewritten" in capsys.readouterr().out
    assert files_holding(url, ITEM_WORD) == [] and files_holding(url, BILAG_WORD) == []


def test_an_ingest_that_closes_nothing_says_nothing_of_optimize(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_location()
    source = version(tmp_path, "referat", "referat", "open")
    assert main(["ingest", str(source), "--index", url]) == 0
    assert main(["ingest", str(source), "--index", url]) == 0
    assert "minutes optimize" not in capsys.readouterr().out


def test_a_take_down_says_so_too_and_optimize_rewrites_it_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``minutes forget`` leaves the same dead rows as a closure: it names ``minutes optimize`` as the
    ingest does (it said nothing)."""
    url = postgres_location()
    assert main(["ingest", str(version(tmp_path, "referat", "referat", "open")), "--index", url]) == 0
    capsys.readouterr()
    service = SearchService(url)
    try:
        meeting = service.search(SearchRequest(q=ITEM_WORD)).results[0]["meeting_id"]
    finally:
        service.close()
    assert main(["forget", meeting, "--reason", "test", "--index", url]) == 0
    out = capsys.readouterr().out
    assert "taken down; their old rows stay" in out and "minutes optimize" in out
    assert files_holding(url, ITEM_WORD), "dead rows of the forgotten meeting are still in the files"
    assert main(["optimize", "--index", url]) == 0
    assert files_holding(url, ITEM_WORD) == [] and files_holding(url, BILAG_WORD) == []


def test_optimize_refuses_the_embedded_merges_factor_in_one_line_before_touching_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--factor`` sets how many Whoosh segments one merge takes; PostgreSQL's optimize is a table
    rewrite with nothing of the kind.  It was accepted and ignored (the rewrite ran, exit 0)."""
    url = postgres_location()
    assert main(["ingest", str(version(tmp_path, "referat", "referat", "open")), "--index", url]) == 0
    capsys.readouterr()
    assert main(["optimize", "--index", url, "--factor", "2"]) == 2
    said = capsys.readouterr()
    assert said.out == ""  # no rewrite ran
    assert said.err == (
        "minutes optimize: error: argument --factor: applies to the embedded index (a folder) only; "
        "on PostgreSQL optimize rewrites the tables and has no segments to merge\n"
    )
    assert main(["optimize", "--index", url]) == 0  # without it, the rewrite as before
    assert "content tables rewritten" in capsys.readouterr().out
