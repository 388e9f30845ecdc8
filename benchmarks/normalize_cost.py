"""What normalising the Whoosh query costs: Whoosh's own ``normalize`` against ours, per search.

    .venv/bin/python benchmarks/normalize_cost.py --index DIR [--rounds 5]

DIR is an index over the demo data (``benchmarks/relevance.py --workdir W`` leaves one in
``W/dev/minutes-search``).  Every dev query runs through ``SearchService.search`` once; each
Whoosh query the engine is asked (the typed words, a correction, the items holding most of the
words) is kept as built, before normalisation.  Each is then normalised ``--rounds`` times both
ways, checked equal (Whoosh's ``==`` and ``repr``), and the milliseconds per search summed:
all dev queries, and those that found nothing whole (their list is the items holding most of
the words, where a word repeats in many combinations).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from indexer.engines.whoosh import engine as whoosh_engine
from indexer.engines.whoosh.normalize import normalized
from indexer.search.service import SearchRequest, SearchService

sys.path.insert(0, str(Path(__file__).resolve().parent))
import relevance  # the benchmark's own judged queries


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    service = SearchService(args.index)
    built: dict[str, list[Any]] = defaultdict(list)
    current = [""]
    translate = whoosh_engine.QueryTranslator.translate

    def keep(self: whoosh_engine.QueryTranslator, node: Any) -> Any:
        if node is not None:
            built[current[0]].append(self._translate(node, {}, {}))
        return translate(self, node)

    whoosh_engine.QueryTranslator.translate = keep  # type: ignore[method-assign]
    partial: set[str] = set()
    for query in relevance.load_queries(("dev",)):
        current[0] = query.text
        if service.search(SearchRequest(q=query.text)).partial is not None:
            partial.add(query.text)
    whoosh_engine.QueryTranslator.translate = translate  # type: ignore[method-assign]

    costs: dict[str, list[float]] = {"whoosh": [], "ours": []}
    for trees in built.values():
        for tree in trees:
            theirs, ours = tree.normalize(), normalized(tree)
            if not (theirs == ours and repr(theirs) == repr(ours)):
                raise SystemExit(f"normalised differently: {tree!r}")
        for name, normalise in (("whoosh", lambda q: q.normalize()), ("ours", normalized)):
            rounds = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                for tree in trees:
                    normalise(tree)
                rounds.append(time.perf_counter() - start)
            costs[name].append(statistics.median(rounds))
    texts = list(built)
    print(
        f"{len(texts)} dev queries, {sum(len(t) for t in built.values())} Whoosh queries, load {os.getloadavg()[0]:.1f}"
    )
    for label, chosen in (("all", texts), ("nothing whole", [t for t in texts if t in partial])):
        rows = [texts.index(t) for t in chosen]
        for name in ("whoosh", "ours"):
            samples = [costs[name][i] for i in rows]
            print(
                f"{label:>14} ({len(rows)}) {name:>6}: p50 {_p(samples, 0.5):.2f} ms, p95 {_p(samples, 0.95):.2f} ms,"
                f" max {_p(samples, 1.0):.1f} ms, sum {sum(samples):.2f} s"
            )


if __name__ == "__main__":
    main()
