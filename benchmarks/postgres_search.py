"""Where a PostgreSQL search's time goes: per query kind, wall, server CPU and server time.

    python benchmarks/postgres_search.py --index postgresql://… --corpus DIR [--queries 40] [--explain]

Runs the query list of ``benchmarks/engines.py`` (``scale.build_queries`` on the corpus the
index was built from: 1 word, 2 words, phrase, filtered; total and every facet counted), and
"typo" (each 1-word query with two neighbouring letters swapped, which mostly finds nothing and
so asks "Mente du" for a correction and searches that), through ``SearchService.search`` on an
existing database, so a query-side change can be measured before and after on the same data.
For each kind: wall p50/p95 of the whole
search, the server's CPU per search (the mean over the kind: every process of the server,
the parallel workers that ended included; run it where no one else queries that server), and, when the server preloads
``pg_stat_statements``, the statements' own execution time per search, the statements (each
one round trip; BEGIN and COMMIT included) per search, and the slowest statements.  With ``--explain``, prints EXPLAIN (ANALYZE, BUFFERS) of every statement the
first query of each kind sends.  Prints the load average before and after, since the
machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from benchmarks.scale import build_queries  # noqa: E402

FILTER_YEARS = ("2015", "2016", "2017")  # as benchmarks/engines.py filters


def postmaster_pid(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'").fetchone()
    assert row is not None
    return int((Path(str(row[0])) / "postmaster.pid").read_text().split()[0])


def server_cpu_s(postmaster: int) -> float:
    """CPU seconds the server has run: its live processes (``/proc/PID/schedstat``) and the
    ended ones the postmaster reaped (parallel workers, closed sessions: its children's times)."""
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    total = 0.0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    return total + (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


def has_statements(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
        except psycopg.Error:
            return False
    return True


def statement_times(url: str) -> list[tuple[float, int, str]]:
    """(total ms, calls, query) of this database's statements since the last reset, slowest first."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT total_exec_time, calls, query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND query NOT LIKE '%pg_stat_statements%' "
            "ORDER BY total_exec_time DESC"
        ).fetchall()
        conn.execute("SELECT pg_stat_statements_reset()")
    return [(float(t), int(c), str(q)) for t, c, q in rows]


@contextmanager
def captured() -> Iterator[list[tuple[Any, Any]]]:
    """Every statement (query, params) psycopg sends while inside."""
    seen: list[tuple[Any, Any]] = []
    original = psycopg.Connection.execute

    def execute(self: psycopg.Connection, query: Any, params: Any = None, **kwargs: Any) -> Any:
        seen.append((query, params))
        return original(self, query, params, **kwargs)

    psycopg.Connection.execute = execute  # type: ignore[method-assign, assignment]
    try:
        yield seen
    finally:
        psycopg.Connection.execute = original  # type: ignore[method-assign]


def explain(url: str, statements: list[tuple[Any, Any]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for query, params in statements:
            text = query.as_string(conn) if isinstance(query, sql.Composable) else str(query)
            if not text.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params).fetchall()  # type: ignore[arg-type]
            print("---", text[:300].replace("\n", " "), "…" if len(text) > 300 else "")
            print("\n".join(str(r[0]) for r in plan))


def slip(word: str) -> str:
    """The word with its two middle letters swapped (a typing slip: "kommune" → "komumne")."""
    i = len(word) // 2 - 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="postgresql:// URL of an ingested database")
    parser.add_argument("--corpus", type=Path, required=True, help="the generated corpus the index holds")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1, help="times each query list is run")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--kinds", default="1 word,2 words,phrase,filtered,typo")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from indexer.cli import open_search_service
    from indexer.search.service import SearchRequest

    queries = build_queries(args.corpus, args.queries)
    kinds = {
        "1 word": [SearchRequest(q=q) for q in queries.one_word],
        "2 words": [SearchRequest(q=q) for q in queries.two_words],
        "phrase": [SearchRequest(q=q) for q in queries.phrases],
        "filtered": [SearchRequest(q=w, committee=[c], year=list(FILTER_YEARS)) for w, c in queries.filtered],
        "typo": [SearchRequest(q=slip(q)) for q in queries.one_word],
    }
    wanted = [k.strip() for k in args.kinds.split(",")]
    service = open_search_service(args.index)
    statements = has_statements(args.index)
    postmaster = postmaster_pid(args.index)
    result: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    for name in wanted:
        batch = kinds[name]
        if args.explain:
            with captured() as seen:
                service.search(batch[0])
            print(f"=== {name}: {batch[0].q!r}")
            explain(args.index, seen)
        for request in batch[:5]:  # warm the caches
            service.search(request)
        if statements:
            statement_times(args.index)
        walls, totals = [], []
        cpu = server_cpu_s(postmaster)
        for _ in range(args.rounds):
            for request in batch:
                started = time.perf_counter()
                response = service.search(request)
                walls.append(time.perf_counter() - started)
                totals.append(response.total)
        cpu = server_cpu_s(postmaster) - cpu
        row: dict[str, Any] = {
            "wall_p50_ms": round(statistics.median(walls) * 1000, 1),
            "wall_p95_ms": round(_p(walls, 0.95) * 1000, 1),
            "server_cpu_ms_per_search": round(cpu * 1000 / len(walls), 1),
            "hits_p50": statistics.median(totals),
            "totals": totals[: len(batch)],
        }
        if statements:
            times = statement_times(args.index)
            searches = len(batch) * args.rounds
            row["server_exec_ms_per_search"] = round(sum(t for t, _, _ in times) / searches, 1)
            row["statements_per_search"] = round(sum(c for _, c, _ in times) / searches, 2)
            row["slowest"] = [(round(t / searches, 1), c, q[:160]) for t, c, q in times[:3]]
            by_calls = sorted(times, key=lambda r: -r[1])
            row["most_called"] = [(round(c / searches, 2), " ".join(q.split())[:70]) for _, c, q in by_calls[:8]]
        result[name] = row
        print(name, json.dumps({k: v for k, v in row.items() if k != "totals"}, ensure_ascii=False), flush=True)
    result["load_after"] = os.getloadavg()[0]
    print(f"load average {result['load_before']:.1f} → {result['load_after']:.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
