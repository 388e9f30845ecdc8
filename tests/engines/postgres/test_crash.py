"""kill -9 of an ingest into PostgreSQL: committed batches stay, whole and consistent; a rerun completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from benchmarks.generate_corpus import write_corpus
from tests.conftest import CORPUS_CSV

PYTHON = sys.executable
BATCH = 150


def _counts(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        items = conn.execute("SELECT count(*) FROM items").fetchone()
        generation = conn.execute("SELECT generation FROM state WHERE muni = 0").fetchone()
    return int(items[0]) if items else 0, int(generation[0]) if generation else 0


def _consistent(url: str) -> None:
    """Every statistic agrees with the postings and items actually there: no half batch."""
    with psycopg.connect(url) as conn:
        wrong_df = conn.execute(
            "SELECT count(*) FROM (SELECT muni, field, term, count(*) AS n, sum(tf) AS f FROM postings GROUP BY 1, 2, 3) p "
            "FULL JOIN term_stats t USING (muni, field, term) WHERE p.n IS DISTINCT FROM t.df OR p.f IS DISTINCT FROM t.cf"
        ).fetchone()
        assert wrong_df == (0,)
        wrong_docs = conn.execute(
            "SELECT count(*) FROM (SELECT muni, count(*) AS n FROM items GROUP BY muni) i "
            "FULL JOIN (SELECT muni, docs FROM field_stats WHERE field = 0) f USING (muni) WHERE i.n IS DISTINCT FROM f.docs"
        ).fetchone()
        assert wrong_docs == (0,)
        orphans = conn.execute(
            "SELECT count(*) FROM postings p WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.muni = p.muni AND i.docno = p.docno)"
        ).fetchone()
        assert orphans == (0,)


def test_kill_9_mid_ingest_keeps_committed_batches(pg_url: str, tmp_path: Path) -> None:
    items = 1500
    corpus = tmp_path / "corpus"
    write_corpus(corpus, items, items_per_file=100, csv_path=CORPUS_CSV, seed=5)
    command = [PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", pg_url, "--batch-size", str(BATCH)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and _counts(pg_url)[1] < 2 and process.poll() is None:
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept, batches = _counts(pg_url)
    assert batches >= 2 and 0 < kept < items, (kept, batches)
    _consistent(pg_url)
    # The rerun adds what was lost and duplicates nothing.
    assert subprocess.run(command, capture_output=True).returncode == 0
    done, _ = _counts(pg_url)
    _consistent(pg_url)
    with psycopg.connect(pg_url) as conn:
        distinct = conn.execute("SELECT count(DISTINCT id) FROM items").fetchone()
    assert distinct == (done,) and done > kept
