"""Date sorts and browsing on a PostgreSQL database: wall time per search, in process.

    python benchmarks/postgres_date_sorts.py --index postgresql://… [--code DIR] [--rounds 60] [--explain]

Browsing (no query) newest and oldest first, newest first at offset 500, and one word newest and
oldest first, each a page of 10 with every facet counted, through the engine (``SearchSpec``)
as the web UI asks it: wall p50/p95 of ``--rounds`` searches after three unmeasured ones, and
the server's CPU per search (the mean; run it where no one else queries that server).  The
date sorts order a meeting start's items by meeting id, agenda position and id, so these are
the searches that order hits by more than a score.

``--code DIR`` imports ``indexer`` from another source tree (``git archive main | tar -x -C
DIR``), so an older version is measured by the same script: build a database with the older
code, copy it (``CREATE DATABASE b TEMPLATE a``), upgrade the copy with ``minutes db init``,
and run this alternately on the two.  ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of each
case's search statement once.  Prints the load average before and after.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _code_tree(argv: list[str]) -> Path:
    """The tree ``--code`` names (the repository by default): it must come first on the path
    before anything imports ``indexer``."""
    for n, arg in enumerate(argv):
        if arg == "--code" and n + 1 < len(argv):
            return Path(argv[n + 1]).resolve()
        if arg.startswith("--code="):
            return Path(arg.split("=", 1)[1]).resolve()
    return Path(__file__).resolve().parents[1]


sys.path.insert(0, str(_code_tree(sys.argv[1:])))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from benchmarks.postgres_search import captured, explain, postmaster_pid, server_cpu_s  # noqa: E402

# (label, query, sort, offset)
CASES: list[tuple[str, str | None, str, int]] = [
    ("browse newest", None, "newest", 0),
    ("browse oldest", None, "oldest", 0),
    ("browse newest, offset 500", None, "newest", 500),
    ("'budget' newest", "budget", "newest", 0),
    ("'budget' oldest", "budget", "oldest", 0),
]


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="postgresql:// URL of an ingested database")
    parser.add_argument("--code", type=Path, help="a source tree to import indexer from (an older version)")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)

    import indexer
    from indexer.engines.base import SearchSpec
    from indexer.search.service import SearchService

    print(f"code: {Path(indexer.__file__).parents[1]}; load {_load()}")
    postmaster = postmaster_pid(args.index)
    service = SearchService(args.index)
    try:
        for label, q, sort, offset in CASES:
            node = service.query(q) if q else None
            spec = SearchSpec(query=node, sort=sort, limit=10, offset=offset, with_facets=True)
            for _ in range(3):
                service.engine.search(spec)
            if args.explain:
                with captured() as seen:
                    service.engine.search(spec)
                explain(args.index, [s for s in seen if "'hit'" in str(s[0])])
            walls = []
            cpu = server_cpu_s(postmaster)
            for _ in range(args.rounds):
                start = time.perf_counter()
                service.engine.search(spec)
                walls.append(time.perf_counter() - start)
            cpu = (server_cpu_s(postmaster) - cpu) / args.rounds
            walls.sort()
            p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
            print(
                f"  {label}: wall p50 {statistics.median(walls) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms; "
                f"server CPU {cpu * 1000:.2f} ms"
            )
    finally:
        service.close()
    print(f"load {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
