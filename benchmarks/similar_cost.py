"""What "Lignende sager" costs: every open demo item's similar list, on Whoosh and on PostgreSQL.

    python benchmarks/similar_cost.py [--rounds 3] [--profile 25] [--lists FILE] [--engine whoosh]

Builds the demo index (``data/``, as ``minutes demo`` does) in a temporary folder and in a
database on a throwaway PostgreSQL server, then asks ``SearchService.similar`` of every open item
(what an item page and ``/api/items/<id>`` ask) once in turn, then ``--rounds`` times more (an
item's cost is its median).  Prints per engine the p50, p95 and max in milliseconds, the sum in
seconds, the same of this process's CPU time when asked again (steadier than wall time on a
shared machine; PostgreSQL's server CPU is not in it), and a checksum of every list, so two versions can be shown to list alike (and both
engines to agree).  ``--lists FILE`` writes every list as JSON (per engine, item id -> ids);
``--profile N`` runs one more pass under cProfile and prints its N costliest functions
(cumulative).  Prints the load average, since the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.cli import ingest  # noqa: E402
from indexer.search.service import SearchService  # noqa: E402


@contextmanager
def demo_locations(engines: list[str]) -> Iterator[dict[str, str]]:
    """Per engine, the location of a fresh demo index (removed afterwards)."""
    import psycopg

    from indexer.engines.postgres import schema
    from indexer.engines.postgres.server import TEST_SETTINGS, temporary_server

    with tempfile.TemporaryDirectory(prefix="minutes-similar-") as tmp:
        found: dict[str, str] = {}
        if "whoosh" in engines:
            found["whoosh"] = str(Path(tmp) / "index")
            ingest([REPO / "data"], Path(found["whoosh"]), workers=1, stream=io.StringIO())
        if "postgresql" not in engines:
            yield found
            return
        with temporary_server(TEST_SETTINGS, prefix="minutes-bench-pg-") as server:
            url = server.create_database("similar")
            with psycopg.connect(url) as conn:
                schema.init(conn)
            ingest([REPO / "data"], url, workers=1, stream=io.StringIO())  # type: ignore[arg-type]
            found["postgresql"] = url
            yield found


def _ms(samples: list[float], q: float) -> float:
    return float(np.quantile(np.asarray(samples), q, method="nearest")) * 1000


def measure(name: str, location: str, rounds: int, profile: int) -> dict[str, list[str]]:
    """Print one engine's figures; return its lists."""
    service = SearchService(location)
    try:
        ids = sorted(item.id for item in service.engine.iter_items() if item.is_open)
        lists: dict[str, list[str]] = {}
        first = []
        for item_id in ids:
            start = time.perf_counter()
            lists[item_id] = [s["id"] for s in service.similar(item_id)]
            first.append(time.perf_counter() - start)
        again, cpu = [], []
        for item_id in ids:
            samples, cpu_samples = [], []
            for _ in range(rounds):
                start, start_cpu = time.perf_counter(), time.process_time()
                service.similar(item_id)
                samples.append(time.perf_counter() - start)
                cpu_samples.append(time.process_time() - start_cpu)
            again.append(statistics.median(samples))
            cpu.append(statistics.median(cpu_samples))
        digest = hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()[:12]
        print(f"{name}: {len(ids)} open items, load {os.getloadavg()[0]:.1f}, lists {digest}")
        for label, samples in (("first ask", first), ("asked again", again), ("its CPU", cpu)):
            print(
                f"  {label:>11}: p50 {_ms(samples, 0.5):.1f} ms, p95 {_ms(samples, 0.95):.1f} ms,"
                f" max {_ms(samples, 1.0):.0f} ms, sum {sum(samples):.2f} s"
            )
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for item_id in ids:
                service.similar(item_id)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(profile)
        return lists
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--lists", type=Path, help="write every list here as JSON")
    parser.add_argument("--engine", choices=("whoosh", "postgresql"), action="append")
    args = parser.parse_args()
    engines = args.engine or ["whoosh", "postgresql"]
    with demo_locations(engines) as locations:
        lists = {name: measure(name, locations[name], args.rounds, args.profile) for name in engines}
    if len(lists) == 2:
        differ = sum(1 for i in lists["whoosh"] if lists["whoosh"][i] != lists["postgresql"].get(i))
        print(f"lists that differ between the engines: {differ}")
    if args.lists:
        args.lists.write_text(json.dumps(lists, indent=1, sort_keys=True) + "\n", "utf-8")


if __name__ == "__main__":
    main()
