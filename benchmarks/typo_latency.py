"""What "Mente du" costs a search: the dev typo queries and the queries they were made from.

    .venv/bin/python benchmarks/typo_latency.py --index DIR [--rounds 3]

DIR is an index over the demo data (``benchmarks/relevance.py --workdir W`` leaves one in
``W/minutes-search``).  Each query of ``tests/relevance/queries-dev-typo.jsonl`` (a slip: most
find nothing, so the correction is found and its results searched) and each source query it
was made from (spelt right) runs through ``SearchService.search`` once to warm up and then
``--rounds`` times; p50 / p95 of wall and CPU milliseconds per query, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from indexer.search.service import SearchRequest, SearchService

REPO = Path(__file__).resolve().parents[1]
TYPOS = REPO / "tests" / "relevance" / "queries-dev-typo.jsonl"


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def measure(service: SearchService, queries: list[str], rounds: int) -> dict[str, float]:
    for q in queries:
        service.search(SearchRequest(q=q))
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for q in queries:
            c, w = time.process_time(), time.perf_counter()
            service.search(SearchRequest(q=q))
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
    return {
        "wall_p50": statistics.median(wall) * 1000,
        "wall_p95": _p(wall, 0.95),
        "cpu_p50": statistics.median(cpu) * 1000,
        "cpu_p95": _p(cpu, 0.95),
        "cpu_total_s": sum(cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    typed, meant = [], []
    for line in TYPOS.read_text("utf-8").splitlines():
        data = json.loads(line)
        typed.append(data["q"])
        meant.append(data["note"].split("from '", 1)[1].split("'", 1)[0])
    service = SearchService(args.index)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label, queries in (("typo queries", typed), ("their sources, spelt right", meant)):
        m = measure(service, queries, args.rounds)
        print(
            f"{label} ({len(queries)} × {args.rounds}): wall p50 / p95 {m['wall_p50']:.1f} / {m['wall_p95']:.1f} ms, "
            f"CPU p50 / p95 {m['cpu_p50']:.1f} / {m['cpu_p95']:.1f} ms, CPU total {m['cpu_total_s']:.2f} s"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    service.close()


if __name__ == "__main__":
    main()
