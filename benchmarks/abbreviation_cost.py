"""What the abbreviations the text defines cost: at ingest, and per search.

    .venv/bin/python benchmarks/abbreviation_cost.py --index /tmp/rel-abbrev/minutes-search [--rounds 3]
    .venv/bin/python benchmarks/abbreviation_cost.py --postgres-demo [--rounds 3]
    .venv/bin/python benchmarks/abbreviation_cost.py --index DIR/minutes-search --shared [--rounds 5]

``--index`` is a Whoosh index folder (``benchmarks/relevance.py --workdir DIR`` leaves one in
``DIR/minutes-search``).  Reports, in CPU seconds of this process (the machine may be shared):

* ingest side: finding the definitions in every open item's stored text
  (``RouteSeen.of_stored``, what an engine runs per written item), against reading the routes
  alone, per item;
* ``--postgres-demo``: the full names' query-side cost on PostgreSQL (wall and client CPU), over
  the demo rows on a throwaway server;
* query side: every development query searched through
  ``SearchService.search`` with the learnt definitions read and used, and with them off,
  ``--rounds`` times each, alternating; per query, the mean, and the p95 of the queries the
  definitions change; and the same with the full names off (``SearchService.full_names``: a full
  name typed also searching its abbreviation), against the queries that rewrite changes;
* ``--shared``: the queries the definitions shared across municipalities change
  (``query.shared_definitions``), searched with the sharing on and off; and every query the
  abbreviation rewrites change, with the snippet's preference for the rewritten words
  (``query.rewritten_words``) on and off.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from indexer.analysis import bodies
from indexer.search import query as ast
from indexer.search.service import SearchRequest, SearchService

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from relevance import QUERY_SETS  # noqa: E402  (the benchmark beside this one)

QUERY_FILES = QUERY_SETS["dev"]  # the development part only: the test part is not run here


def _cpu() -> float:
    return time.process_time()


def ingest_side(service: SearchService) -> dict[str, Any]:
    """CPU per open item of reading its route evidence with and without the definitions."""
    searcher = service.engine.searcher()  # type: ignore[attr-defined]
    stored = [f for f in searcher.all_stored_fields() if f.get("access") == "open"]
    real = bodies.text_definitions
    timings = {}
    for label, finder in (("routes only", lambda text: []), ("routes and definitions", real)):
        bodies.text_definitions = finder  # type: ignore[assignment]
        try:
            start = _cpu()
            found = sum(len(seen.definitions) for f in stored if (seen := bodies.RouteSeen.of_stored(f)) is not None)
            timings[label] = (_cpu() - start, found)
        finally:
            bodies.text_definitions = real
    extra = timings["routes and definitions"][0] - timings["routes only"][0]
    return {
        "open items": len(stored),
        "definitions found (with repeats)": timings["routes and definitions"][1],
        "CPU s, routes only": round(timings["routes only"][0], 3),
        "CPU s, routes and definitions": round(timings["routes and definitions"][0], 3),
        "CPU ms per item, definitions": round(1000 * extra / max(1, len(stored)), 3),
    }


def query_side(service: SearchService, rounds: int) -> dict[str, Any]:
    queries = [json.loads(line)["q"] for path in QUERY_FILES for line in path.read_text("utf-8").splitlines() if line]
    table = service.definition_table()
    changed = {
        q
        for q in queries
        if ast.expand_definitions(ast.parse(q), table) != ast.parse(q) and ast.defines_any(ast.parse(q))
    }
    names = service.full_names()
    renamed = {q for q in queries if ast.expand_full_names(ast.parse(q), names) != ast.parse(q)}
    real, real_names = SearchService.definition_table, SearchService.full_names
    per: dict[str, dict[str, list[float]]] = {"on": {}, "off": {}, "no full names": {}}
    for _ in range(rounds):
        for mode in ("off", "no full names", "on"):
            if mode == "off":
                SearchService.definition_table = lambda self: {}  # type: ignore[method-assign]
            if mode != "on":
                SearchService.full_names = lambda self: {}  # type: ignore[method-assign]
            try:
                for q in queries:
                    start = _cpu()
                    service.search(SearchRequest(q=q, per_page=10))
                    per[mode].setdefault(q, []).append(_cpu() - start)
            finally:
                SearchService.definition_table = real  # type: ignore[method-assign]
                SearchService.full_names = real_names  # type: ignore[method-assign]

    def summary(mode: str, subset: set[str] | None = None) -> dict[str, float]:
        means = [statistics.mean(v) for q, v in per[mode].items() if subset is None or q in subset]
        if not means:
            return {}
        ordered = sorted(means)
        return {
            "queries": len(means),
            "mean ms": round(1000 * statistics.mean(means), 2),
            "p95 ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        }

    return {
        "all queries, definitions off": summary("off"),
        "all queries, definitions on, full names off": summary("no full names"),
        "all queries, definitions and full names on": summary("on"),
        "queries the definitions change, off": summary("off", changed),
        "queries the definitions change, on": summary("no full names", changed),
        "queries the full names change, off": summary("no full names", renamed),
        "queries the full names change, on": summary("on", renamed),
    }


def shared_side(service: SearchService, rounds: int) -> dict[str, Any]:
    """CPU per search of the shared definitions and of the snippets' rewritten words, each on and
    off, ``rounds`` times alternating, over the development queries they change."""
    queries = [json.loads(line)["q"] for path in QUERY_FILES for line in path.read_text("utf-8").splitlines() if line]
    real_share, real_words = ast.shared_definitions, ast.rewritten_words

    def unshared(definitions: Any, routes: Any = None, committees: Any = ()) -> Any:
        return definitions or {}

    def fresh() -> None:  # the service keeps what it built per learnt table
        service._shared = service._full_names = None

    def rewritten(q: str) -> ast.Node | None:
        return service.query(q)

    on = {q: rewritten(q) for q in queries}
    ast.shared_definitions = unshared  # type: ignore[assignment]
    fresh()
    try:
        shared_changed = {q for q in queries if rewritten(q) != on[q]}
    finally:
        ast.shared_definitions = real_share
        fresh()
    snippet_changed = {q for q in queries if ast.rewritten_words(ast.parse(q), on[q])}
    per: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for mode in ("not shared", "shared", "snippets as before", "snippets prefer"):
            if mode == "not shared":
                ast.shared_definitions = unshared  # type: ignore[assignment]
            if mode == "snippets as before":
                ast.rewritten_words = lambda typed, rewritten: []  # type: ignore[assignment]
            fresh()
            subset = shared_changed if mode in ("not shared", "shared") else snippet_changed
            try:
                for q in sorted(subset):
                    start = _cpu()
                    service.search(SearchRequest(q=q, per_page=10))
                    per.setdefault(mode, {}).setdefault(q, []).append(_cpu() - start)
            finally:
                ast.shared_definitions, ast.rewritten_words = real_share, real_words
                fresh()

    def summary(mode: str) -> dict[str, float]:
        means = sorted(statistics.mean(v) for v in per.get(mode, {}).values())
        if not means:
            return {}
        return {
            "queries": len(means),
            "mean ms": round(1000 * statistics.mean(means), 2),
            "p95 ms": round(1000 * means[min(len(means) - 1, int(0.95 * len(means)))], 2),
        }

    return {mode: summary(mode) for mode in ("not shared", "shared", "snippets as before", "snippets prefer")}


def postgres_side(rounds: int) -> dict[str, Any]:
    """PostgreSQL over the demo rows (a throwaway server): every development query's wall time and
    this process's CPU with the full names on and off (off also skips reading the learnt tables,
    one generation query each per search)."""
    import io
    import tempfile

    import psycopg

    from indexer.cli import ingest
    from indexer.engines.postgres import schema
    from indexer.engines.postgres.engine import Database
    from indexer.engines.postgres.index import PostgresIndex
    from indexer.engines.postgres.server import TEST_SETTINGS, temporary_server

    queries = [json.loads(line)["q"] for path in QUERY_FILES for line in path.read_text("utf-8").splitlines() if line]
    with temporary_server(TEST_SETTINGS) as server, tempfile.TemporaryDirectory() as tmp:
        url = server.create_database("abbreviations")
        with psycopg.connect(url) as conn:
            schema.init(conn)
        database = Database(url)
        ingest(
            [REPO / "data" / "digst" / "digst-demo.csv"],
            Path(tmp),
            workers=1,
            stream=io.StringIO(),
            target=PostgresIndex(database),
        )
        database.close()
        service = SearchService(url)
        real = SearchService.full_names
        wall: dict[str, list[float]] = {"on": [], "off": []}
        cpu = {"on": 0.0, "off": 0.0}
        try:
            for _ in range(rounds):
                for mode in ("off", "on"):
                    if mode == "off":
                        SearchService.full_names = lambda self: {}  # type: ignore[method-assign]
                    try:
                        for q in queries:
                            start, start_cpu = time.perf_counter(), _cpu()
                            service.search(SearchRequest(q=q, per_page=10))
                            wall[mode].append(time.perf_counter() - start)
                            cpu[mode] += _cpu() - start_cpu
                    finally:
                        SearchService.full_names = real  # type: ignore[method-assign]
        finally:
            service.close()
    return {
        f"full names {mode}": {
            "searches": len(wall[mode]),
            "wall mean ms": round(1000 * statistics.mean(wall[mode]), 2),
            "wall p50 ms": round(1000 * statistics.median(wall[mode]), 2),
            "client CPU mean ms": round(1000 * cpu[mode] / len(wall[mode]), 2),
        }
        for mode in ("off", "on")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="a Whoosh index folder")
    parser.add_argument("--postgres-demo", action="store_true", help="PostgreSQL over the demo rows instead")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", action="store_true", help="only the shared definitions and the snippets")
    args = parser.parse_args()
    if args.postgres_demo:
        load = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps({"load average": load, "postgresql": postgres_side(args.rounds)}, indent=2))
        return
    if args.index is None:
        parser.error("--index: a Whoosh index folder is needed (or --postgres-demo)")
    service = SearchService(args.index)
    if args.shared:
        try:
            load = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps({"load average": load, "search": shared_side(service, args.rounds)}, indent=2))
        finally:
            service.close()
        return
    try:
        report = {
            "load average": [round(x, 2) for x in os.getloadavg()],
            "ingest": ingest_side(service),
            "search": query_side(service, args.rounds),
        }
    finally:
        service.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
