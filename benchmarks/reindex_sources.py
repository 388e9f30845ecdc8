"""What `minutes reindex` costs on Whoosh when the index was built from many small sources.

    nice -n 5 .venv/bin/python benchmarks/reindex_sources.py --items 10000 --per-source 20 --work /tmp/reindex-sources

A deployment that runs `minutes ingest` on each file as it arrives records one source a file, so
its `minutes reindex` reads hundreds or thousands of sources.  This generates a corpus
(``benchmarks/generate_corpus.py``) in files of about ``--per-source`` items, then:

* ingests each file on its own into one index (``main(["ingest", file])`` in this process, so the
  figure is the ingests' work without a Python start per file): the CPU summed over them;
* ingests the whole folder with one ``minutes ingest`` into a second index (the same items, one
  source);
* times ``minutes reindex`` on the first index as a whole process: wall, CPU of its process tree.

It prints the segments each index holds after each step, the load average beside each, and checks
that the reindexed index answers a search and a browse with the totals it gave before.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import write_corpus  # noqa: E402

WORD = "kommune"  # in most generated items


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (process tree) of a command that must succeed."""
    before = _cpu_s(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return wall, _cpu_s(resource.RUSAGE_CHILDREN) - before


def segments(root: Path) -> int:
    from indexer.engines.whoosh.index import MinutesIndex

    return len(MinutesIndex.open(root).ix._segments())


def totals(root: Path) -> tuple[int, int]:
    from indexer.cli import open_search_service
    from indexer.search.service import SearchRequest

    service = open_search_service(root, None)
    try:
        return service.search(SearchRequest(q=WORD)).total, service.search(SearchRequest(q="")).total
    finally:
        service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--per-source", type=int, default=20, help="items per generated file (one source each)")
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    from indexer.cli import main as minutes

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        write_corpus(corpus, args.items, items_per_file=args.per_source)
    files = sorted(corpus.glob("*.jsonl"))
    results: dict[str, Any] = {"items": args.items, "sources": len(files), "cores": os.cpu_count()}

    many, one = work / "many", work / "one"
    for root in (many, one):
        shutil.rmtree(root, ignore_errors=True)
    load = os.getloadavg()[0]
    cpu_before = _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        for file in files:
            if minutes(["ingest", str(file), "--index", str(many)]) != 0:
                raise RuntimeError(f"{file}: ingest failed")
    results["ingests_one_per_source"] = {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(_cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN) - cpu_before, 1),
        "load_average": round(load, 2),
        "segments": segments(many),
    }
    print(json.dumps(results), flush=True)

    load = os.getloadavg()[0]
    wall, cpu = _run([PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", str(one)])
    results["one_ingest"] = {
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "load_average": round(load, 2),
        "segments": segments(one),
    }
    print(json.dumps(results["one_ingest"]), flush=True)

    before = totals(many)
    load = os.getloadavg()[0]
    wall, cpu = _run([PYTHON, "-m", "indexer.cli", "reindex", "--index", str(many)])
    results["reindex"] = {
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "load_average": round(load, 2),
        "segments": segments(many),
        "totals_before": before,
        "totals_after": totals(many),
    }
    (work / "reindex-sources-results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
