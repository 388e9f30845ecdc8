"""What a search costs through the service: every judged query of a part, as the page asks it.

    .venv/bin/python benchmarks/search_time.py --index DIR [--part dev] [--rounds 3]

DIR is an index the relevance benchmark leaves (``benchmarks/relevance.py --workdir W``: the
demo data in ``W/dev/minutes-search``, every input in ``W/test/minutes-search``).  Each query's
first page (ten hits, facets, snippets, "Mente du" and the near answers when nothing whole is
found) is asked once in turn (first ask: the process's caches hold what the queries before it
filled, the first query's the index's vocabulary and name tables), then ``--rounds`` times more
(asked again: a query's cost is its median).  Prints both's p50, p95, p99 and max in milliseconds
and sums in seconds, and a checksum of every page's ids, so two versions can be shown to rank alike.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from indexer.search.service import SearchRequest, SearchService

sys.path.insert(0, str(Path(__file__).resolve().parent))
import relevance  # the benchmark's own judged queries


def _p(samples: list[float], q: float) -> float:
    """The ``q`` quantile of ``samples`` (seconds) in milliseconds, a sample itself."""
    return float(np.quantile(np.asarray(samples), q, method="nearest")) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--part", choices=tuple(relevance.QUERY_SETS), default="dev")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    service = SearchService(args.index)
    texts = list(dict.fromkeys(q.text for q in relevance.load_queries((args.part,))))
    pages = hashlib.sha256()
    first = []
    for text in texts:  # each asked first: the caches hold only what the queries before it filled
        start = time.perf_counter()
        results = service.search(SearchRequest(q=text)).results
        first.append(time.perf_counter() - start)
        pages.update(" ".join(hit["id"] for hit in results).encode())
    costs = []
    for text in texts:
        rounds = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            service.search(SearchRequest(q=text))
            rounds.append(time.perf_counter() - start)
        costs.append(statistics.median(rounds))
    service.close()
    print(f"{len(texts)} {args.part} queries over {args.index}, load {os.getloadavg()[0]:.1f}")
    for label, samples in (("first ask", first), ("asked again", costs)):
        print(
            f"{label:>11}: p50 {_p(samples, 0.5):.1f} ms, p95 {_p(samples, 0.95):.1f} ms, p99 {_p(samples, 0.99):.1f} ms,"
            f" max {_p(samples, 1.0):.0f} ms, sum {sum(samples):.1f} s"
        )
    print(f"pages {pages.hexdigest()[:12]}")


if __name__ == "__main__":
    main()
