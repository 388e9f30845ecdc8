"""Both engines side by side on the same corpus and queries: embedded Whoosh and PostgreSQL.

    python benchmarks/engines.py --items 10000 --work /tmp/engines-10k [--replica]

Generates the corpus (``generate_corpus.py``), starts a throwaway PostgreSQL 18 on a
loopback port (``indexer.engines.postgres.server``; durable settings: fsync on), and
measures for each engine: ``minutes ingest`` as a whole process (items/s, peak memory
of the ingest process tree, and for PostgreSQL the server's processes too), the size
on disk (index folder / ``pg_database_size``), the time to open the index and answer
the first query in a fresh process, and search latency with total and all facet counts
(1 word, 2 words, phrase, filtered) through the same ``SearchService.search`` path.
With ``--replica`` the PostgreSQL searches are also run against a streaming replica
(same host: it shows the replica answers as fast, not that it adds capacity here).
Prints a Markdown table and writes ``WORK/engines.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import write_corpus  # noqa: E402
from benchmarks.proctree import tree_memory_kb  # noqa: E402
from benchmarks.scale import PYTHON, build_queries, folder_mb, run_measured, time_calls  # noqa: E402

FIRST_QUERY = (
    "import sys, time; t = time.perf_counter(); from indexer.cli import open_search_service; "
    "from indexer.search.service import SearchRequest; s = open_search_service(sys.argv[1]); "
    "r = s.search(SearchRequest(q='budget')); print(time.perf_counter() - t, r.total)"
)


def server_rss_mb(data_dir: Path) -> float:
    """Resident memory of every process of the PostgreSQL server (postmaster and backends)."""
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return 0.0
    resident, _ = tree_memory_kb(int(pid_file.read_text().split()[0]))
    return resident / 1024


def search_latency(location: str, queries: Any, read_replica: str | None = None) -> dict[str, dict[str, float]]:
    from indexer.cli import open_search_service
    from indexer.search.service import SearchRequest

    service = open_search_service(location, read_replica)
    if not isinstance(location, str) or "://" not in location:
        service = type(service)(location, postings_cache_mb=0)  # the embedded engine's cold figure

    def call(request: SearchRequest) -> Any:
        def run() -> None:
            response = service.search(request)
            assert response.error is None and "committee" in response.facets

        return run

    kinds = {
        "1 word": [SearchRequest(q=q) for q in queries.one_word],
        "2 words": [SearchRequest(q=q) for q in queries.two_words],
        "phrase": [SearchRequest(q=q) for q in queries.phrases],
        "filtered": [SearchRequest(q=w, committee=[c], year=["2015", "2016", "2017"]) for w, c in queries.filtered],
    }
    return {name: asdict(time_calls([call(r) for r in batch])) for name, batch in kinds.items()}


def first_query_s(location: str) -> float:
    out = subprocess.run([PYTHON, "-c", FIRST_QUERY, location], capture_output=True, text=True, check=True, cwd=REPO)
    return round(float(out.stdout.split()[0]), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--replica", action="store_true", help="also search a streaming replica")
    args = parser.parse_args(argv)
    from indexer.engines.postgres.server import LocalServer, temporary_server

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        print(f"generating {args.items} items …", flush=True)
        write_corpus(corpus, args.items)
    queries = build_queries(corpus, args.queries)
    result: dict[str, Any] = {"items": args.items, "cores": os.cpu_count(), "batch_size": args.batch_size}

    whoosh_dir = work / "whoosh"
    subprocess.run(["rm", "-rf", str(whoosh_dir)], check=True)
    print("whoosh: ingest …", flush=True)
    command = [PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", str(whoosh_dir)]
    seconds, peak, code, _ = run_measured([*command, "--batch-size", str(args.batch_size)])
    result["whoosh"] = {
        "ingest_items_per_s": round(args.items / seconds, 1),
        "ingest_peak_mb": round(peak, 1),
        "disk_mb": round(folder_mb(whoosh_dir), 1),
        "first_query_s": first_query_s(str(whoosh_dir)),
        "search": search_latency(str(whoosh_dir), queries),
        "returncode": code,
    }
    print(json.dumps(result["whoosh"]), flush=True)

    settings = {"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "15min"}
    with temporary_server(settings, prefix="minutes-bench-pg-") as server:
        url = server.create_database("minutes")
        subprocess.run([PYTHON, "-m", "indexer.cli", "db", "init", "--index", url], check=True, cwd=REPO)
        print("postgres: ingest …", flush=True)
        command = [PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", url]
        seconds, peak, code, _ = run_measured([*command, "--batch-size", str(args.batch_size)])
        from indexer.engines.postgres.engine import Database

        engine = Database(url)
        pg: dict[str, Any] = {
            "ingest_items_per_s": round(args.items / seconds, 1),
            "ingest_peak_mb": round(peak, 1),
            "server_rss_mb_after_ingest": round(server_rss_mb(server.data_dir), 1),
            "disk_mb": round(engine.size_bytes() / 1e6, 1),
            "first_query_s": first_query_s(url),
            "search": search_latency(url, queries),
            "returncode": code,
        }
        pg["server_rss_mb_after_search"] = round(server_rss_mb(server.data_dir), 1)
        engine.close()
        if args.replica:
            replica: LocalServer = server.start_replica(server.root.parent / "standby")
            try:
                time.sleep(1)
                pg["replica_search"] = search_latency(url, queries, replica.url("minutes"))
            finally:
                replica.destroy()
        result["postgres"] = pg
        print(json.dumps(pg), flush=True)
    (work / "engines.json").write_text(json.dumps(result, indent=1), "utf-8")
    print(markdown(result))
    return 0


def markdown(result: dict[str, Any]) -> str:
    w, p = result["whoosh"], result["postgres"]
    rows = [
        f"| {result['items']:,} items | Whoosh (embedded) | PostgreSQL |",
        "|---|---|---|",
        f"| ingest, items/s | {w['ingest_items_per_s']} | {p['ingest_items_per_s']} |",
        f"| ingest peak memory, MB | {w['ingest_peak_mb']} | {p['ingest_peak_mb']} (+ server {p['server_rss_mb_after_ingest']}) |",
        f"| disk, MB | {w['disk_mb']} | {p['disk_mb']} |",
        f"| open + first query, s | {w['first_query_s']} | {p['first_query_s']} |",
    ]
    for kind in w["search"]:
        a, b = w["search"][kind], p["search"][kind]
        line = f"| search p50 / p95 ms, {kind} | {a['p50_ms']} / {a['p95_ms']} | {b['p50_ms']} / {b['p95_ms']}"
        if "replica_search" in p:
            r = p["replica_search"][kind]
            line += f" (replica {r['p50_ms']} / {r['p95_ms']})"
        rows.append(line + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
