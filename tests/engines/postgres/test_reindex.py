"""`minutes reindex` on PostgreSQL builds beside the live tables and swaps them in at once.

Readers see every old item while it runs; a reindex killed with SIGKILL, or stopped with
Ctrl-C or SIGTERM, leaves the old content served, and the next one works.  (A failing source,
and items closed before a reindex, on both engines: ``tests/contract/test_reindex.py``.)
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from benchmarks.generate_corpus import write_corpus
from indexer.cli import main
from indexer.engines.postgres.engine import Database, Filters
from indexer.engines.postgres.query import AllQ
from indexer.engines.postgres.rebuild import BUILD, PREVIOUS
from indexer.engines.postgres.server import LocalServer
from tests.conftest import CORPUS_CSV
from tests.engines.postgres.test_crash import _consistent
from tests.faults.test_ctrl_c import group_members
from tests.postgres import other_sessions, postgres_location

PYTHON = sys.executable
_copies = itertools.count(1)


def _ids(url: str) -> dict[str, str]:
    """id → access of every item the live tables hold."""
    with psycopg.connect(url) as conn:
        return {str(i): str(a) for i, a in conn.execute("SELECT id, access FROM items").fetchall()}


def _built(url: str) -> int:
    """Items a rebuild has committed into its own schema so far (-1: no rebuild schema)."""
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute(f"SELECT count(*) FROM {BUILD}.items").fetchone()
        except psycopg.errors.UndefinedTable:  # not begun, or swapped in since
            return -1
    return int(row[0]) if row else 0


def _leftover_schemas(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", ([BUILD, PREVIOUS],))
        return [str(r[0]) for r in rows.fetchall()]


def _corpus_sources(url: str, tmp: Path, parts: int = 3, items: int = 400) -> None:
    """Several recorded sources (folders of the generated corpus), ingested one by one."""
    for n in range(parts):
        folder = tmp / f"source-{n}"
        write_corpus(folder, items, items_per_file=100, csv_path=CORPUS_CSV, seed=11 + n)
        assert main(["ingest", str(folder), "--index", url, "--workers", "1"]) == 0


@dataclass(frozen=True)
class Corpus:
    """A database holding the ingested sources, and the folder of those sources."""

    url: str
    sources: Path


@pytest.fixture(scope="module")
def corpus_template(pg_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The sources ingested once, through ``minutes ingest``, into a database each test copies.

    Every test starts from the same state it built itself before (three sources of 400 items,
    ingested one by one): PostgreSQL copies the database file by file (CREATE DATABASE …
    TEMPLATE), so the 1,200 items are parsed and written once for the module, not once a test."""
    sources = tmp_path_factory.mktemp("reindex-sources")
    url = postgres_location()
    _corpus_sources(url, sources)
    assert other_sessions(url) == 0, "the template database is still in use"
    return Corpus(url, sources)


@pytest.fixture
def corpus(pg_server: LocalServer, corpus_template: Corpus) -> Corpus:
    """A fresh copy of the template database, with the same recorded sources."""
    name = f"reindex_{next(_copies)}"
    template = conninfo_to_dict(corpus_template.url)["dbname"]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return Corpus(pg_server.url(name), corpus_template.sources)


def _reindex(url: str) -> subprocess.Popen[bytes]:
    """``minutes reindex`` in batches of 300 items: it reads all sources in one run of the ingest's
    batches (5,000 items), which would write the 1,200 items in one commit, and these tests look
    at the rebuild between its commits."""
    return subprocess.Popen(
        [PYTHON, "-m", "indexer.cli", "reindex", "--index", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "MINUTES_BATCH_SIZE": "300"},
    )


def test_readers_see_every_old_item_while_the_reindex_runs(corpus: Corpus) -> None:
    pg_url = corpus.url
    before = _ids(pg_url)
    assert len(before) > 1000
    reader = Database(pg_url)  # the engine's own reader: a pool, prepared statements and all
    process = _reindex(pg_url)
    checks = mid_rebuild = 0
    try:
        while process.poll() is None:
            seen = _ids(pg_url)
            total = reader.search(AllQ(), Filters(), "newest", 0, 0, facets=False, highlight=False).total
            assert set(seen) == set(before), "a reader saw the content change before the swap"
            assert total == sum(1 for a in before.values() if a == "open")
            checks += 1
            mid_rebuild += _built(pg_url) > 0
        out, err = process.communicate()
        assert process.returncode == 0, err.decode()
        assert b"reindex complete" in out
        # After the swap the same reader (its pooled connections too) reads the new tables.
        after = reader.search(AllQ(), Filters(), "newest", 0, 0, facets=False, highlight=False).total
    finally:
        reader.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert mid_rebuild >= 1 and checks >= mid_rebuild, (checks, mid_rebuild)
    assert _ids(pg_url) == before and after == sum(1 for a in before.values() if a == "open")
    _consistent(pg_url)
    assert _leftover_schemas(pg_url) == []


def test_a_reindex_killed_midway_leaves_the_old_content_and_the_next_one_works(corpus: Corpus) -> None:
    pg_url = corpus.url
    before = _ids(pg_url)
    with psycopg.connect(pg_url) as conn:
        attachments = conn.execute("SELECT count(*) FROM attachments").fetchone()
    process = _reindex(pg_url)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None and _built(pg_url) <= 0:
        time.sleep(0.05)
    assert process.poll() is None, "the reindex ended before a batch of it was seen"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 0 < _built(pg_url) < len(before)  # killed midway: part of the rebuild was committed
    assert _ids(pg_url) == before
    _consistent(pg_url)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM attachments").fetchone() == attachments
    # The lock died with the killed process: an ingest and a second reindex go through.
    assert main(["ingest", str(corpus.sources / "source-0"), "--index", pg_url, "--workers", "1"]) == 0
    assert main(["reindex", "--index", pg_url]) == 0
    assert _ids(pg_url) == before
    _consistent(pg_url)
    assert _leftover_schemas(pg_url) == []


def test_ctrl_c_midway_says_so_in_one_line_and_leaves_the_old_content(corpus: Corpus) -> None:
    pg_url = corpus.url
    before = _ids(pg_url)
    process = _reindex(pg_url)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None and _built(pg_url) <= 0:
        time.sleep(0.05)
    assert process.poll() is None, "the reindex ended before a batch of it was seen"
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
    _, err = process.communicate(timeout=120)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 130, err.decode()
    assert lines.count("reindex interrupted: nothing changed, the old index is still served") == 1, lines
    assert _ids(pg_url) == before
    _consistent(pg_url)
    assert _leftover_schemas(pg_url) == []  # the build was dropped on the way out


@pytest.mark.parametrize("whole_group", [False, True], ids=["command-alone", "whole-group"])
def test_sigterm_midway_says_so_in_one_line_and_leaves_the_old_content(corpus: Corpus, whole_group: bool) -> None:
    """SIGTERM, as a service manager stops a command (to it alone, or to its process group), is
    Ctrl-C's cancel: the build dropped, its parsing workers ended, exit 143 and one line."""
    pg_url = corpus.url
    before = _ids(pg_url)
    process = _reindex(pg_url)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None and _built(pg_url) <= 0:
        time.sleep(0.05)
    assert process.poll() is None, "the reindex ended before a batch of it was seen"
    assert len(group_members(process.pid)) == 3, "the command and its two parsing workers"
    if whole_group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        os.kill(process.pid, signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 143, err.decode()
    assert "Traceback" not in err.decode(), err.decode()
    assert err.decode().strip().splitlines() == [
        "reindex stopped (SIGTERM): nothing changed, the old index is still served"
    ]
    time.sleep(0.2)
    assert group_members(process.pid) == [], "a parsing worker outlived the command"
    assert _ids(pg_url) == before
    _consistent(pg_url)
    assert _leftover_schemas(pg_url) == []
