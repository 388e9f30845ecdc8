"""What a quoted phrase costs where bulk matching leaves it to Whoosh's own matchers.

    PYTHONPATH=. .venv/bin/python benchmarks/fallback_phrases.py [--index DIR] [--rounds 5] [--runs 3]

Bulk matching (``engines/whoosh/bulkmatch.py``) evaluates words, phrases, AND/OR and "a IKKE b";
a wildcard or a NOT standing alone goes to Whoosh's matchers, the phrase's with it
(``GappedPhrase.matcher`` since the stop words keep their places).  The phrases are 2-4 title
words side by side in the demo data's own titles (``data/``, built into a temporary index as
``similar_cost.py`` does, or ``--index``): "common" when each word that is not a stop word is in
at least ``COMMON`` titles, "rare" when one is in at most ``RARE``.  Each phrase is asked in five
shapes: with a wildcard word ("P" plan*), with NOT and a wildcard ("P" IKKE plan*), under NOT
(plan* IKKE "P"), NOT alone (IKKE "P") and, as the bulk path's reference, "P" IKKE word.  A shape's
cost per phrase is the median of ``--rounds`` asks of the service's first page; printed per shape
and kind: p50 and p95 in milliseconds for each of ``--runs`` runs, in wall time and in the
process's CPU time (the steadier of the two on a shared machine), the load average, and a
checksum of every page's ids and totals (two versions that answer alike print the same one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import similar_cost  # the demo index, built as the other benchmarks build it

from indexer.analysis.danish import DANISH_STOP_WORDS
from indexer.search.service import SearchRequest, SearchService

COMMON = 8  # titles a word is in, at least, for a phrase of common words
RARE = 2  # titles the rarest word is in, at most, for a phrase of rare words
PER_KIND = 6  # phrases per length and kind
SHAPES = {
    "wildcard": '"{p}" {w}*',
    "not wildcard": '"{p}" IKKE {w}*',
    "under not": '{w}* IKKE "{p}"',
    "not alone": 'IKKE "{p}"',
    "bulk (ref)": '"{p}" IKKE {w}',
}


def phrases(titles: list[str]) -> tuple[dict[str, list[str]], str]:
    """Per kind, phrases of 2-4 neighbouring title words (first met first), and the wildcard's
    stem: the first four letters of the commonest title word that is not a stop word."""
    split = [re.findall(r"[^\W\d_]+", title.lower()) for title in titles]
    counts = Counter(word for words in split for word in set(words))
    content = [w for w, _ in counts.most_common() if w not in DANISH_STOP_WORDS and len(w) >= 5]
    found: dict[str, list[str]] = {"common": [], "rare": []}
    seen: set[str] = set()
    for length in (2, 3, 4):
        taken = Counter[str]()
        for words in split:
            for start in range(len(words) - length + 1):
                window = words[start : start + length]
                kept = [w for w in window if w not in DANISH_STOP_WORDS]
                if len(kept) < 2 or window[0] in DANISH_STOP_WORDS or window[-1] in DANISH_STOP_WORDS:
                    continue
                text = " ".join(window)
                fewest = min(counts[w] for w in kept)
                kind = "common" if fewest >= COMMON else "rare" if fewest <= RARE else None
                if kind is None or text in seen or taken[kind] >= PER_KIND:
                    continue
                seen.add(text)
                taken[kind] += 1
                found[kind].append(text)
    return found, content[0][:4]


@contextmanager
def demo_index(given: str | None) -> Iterator[str]:
    """The index given, or a fresh demo index (removed afterwards)."""
    if given:
        yield given
        return
    with similar_cost.demo_locations(["whoosh"]) as locations:
        yield locations["whoosh"]


def _ms(samples: list[float], q: float) -> float:
    return float(np.quantile(np.asarray(samples), q, method="nearest")) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", help="a demo index already built (by this tree's code)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with demo_index(args.index) as location:
        service = SearchService(location)
        try:
            titles = sorted(item.title for item in service.engine.iter_items() if item.is_open and item.title)
            kinds, stem = phrases(titles)
            print(
                f"{len(titles)} open titles; wildcard {stem}*; " + ", ".join(f"{k} {len(v)}" for k, v in kinds.items())
            )
            print("  " + " | ".join(f"{k}: " + "; ".join(v) for k, v in kinds.items()))
            pages = hashlib.sha256()
            for shape, form in SHAPES.items():
                for kind, texts in kinds.items():
                    queries = [form.format(p=p, w=stem) for p in texts]
                    for q in queries:  # answers, and the caches filled before timing
                        result = service.search(SearchRequest(q=q))
                        pages.update(f"{q}:{result.total}:{' '.join(hit['id'] for hit in result.results)}".encode())
                    wall, cpu = [], []
                    for _ in range(args.runs):
                        costs, cpu_costs = [], []
                        for q in queries:
                            samples, cpu_samples = [], []
                            for _ in range(args.rounds):
                                start, start_cpu = time.perf_counter(), time.process_time()
                                service.search(SearchRequest(q=q))
                                samples.append(time.perf_counter() - start)
                                cpu_samples.append(time.process_time() - start_cpu)
                            costs.append(statistics.median(samples))
                            cpu_costs.append(statistics.median(cpu_samples))
                        wall.append(f"{_ms(costs, 0.5):.1f}/{_ms(costs, 0.95):.1f}")
                        cpu.append(f"{_ms(cpu_costs, 0.5):.1f}/{_ms(cpu_costs, 0.95):.1f}")
                    print(f"{shape:>13} {kind:>6}: p50/p95 ms per run {'  '.join(wall)};  its CPU {'  '.join(cpu)}")
            print(f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}; pages {pages.hexdigest()[:12]}")
        finally:
            service.close()


if __name__ == "__main__":
    main()
