"""What `minutes reindex` costs when the index was built from many small sources.

    nice -n 5 .venv/bin/python benchmarks/reindex_sources.py --items 10000 --per-source 20 --work /tmp/reindex-sources
    nice -n 5 .venv/bin/python benchmarks/reindex_sources.py --engine postgres --items 2000 --work /tmp/reindex-sources-pg

A deployment that runs `minutes ingest` on each file as it arrives records one source a file, so
its `minutes reindex` reads hundreds or thousands of sources.  This generates a corpus
(``benchmarks/generate_corpus.py``) in files of about ``--per-source`` items, then:

* ingests each file on its own into one index (``main(["ingest", file])`` in this process, so the
  figure is the ingests' work without a Python start per file): the CPU summed over them;
* ingests the whole folder with one ``minutes ingest`` into a second index (the same items, one
  source);
* times ``minutes reindex`` on the first index as a whole process: wall, CPU of its process tree.

It prints the segments each index holds after each step (Whoosh; on PostgreSQL the CPU of the
server instead, a throwaway one as ``benchmarks/reindex_cost.py`` starts), the load average beside
each, and checks that the reindexed index answers a search and a browse with the totals it gave
before.
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


def segments(root: str) -> int | None:
    from indexer.engines.postgres import is_database_url
    from indexer.engines.whoosh.index import MinutesIndex

    return None if is_database_url(root) else len(MinutesIndex.open(Path(root)).ix._segments())


def totals(root: str) -> tuple[int, int]:
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
    parser.add_argument("--engine", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        write_corpus(corpus, args.items, items_per_file=args.per_source)
    if args.engine == "whoosh":
        for name in ("many", "one"):
            shutil.rmtree(work / name, ignore_errors=True)
        results = measure(corpus, str(work / "many"), str(work / "one"), None)
    else:
        from indexer.engines.postgres.server import temporary_server

        settings = {"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "15min"}
        with temporary_server(settings, prefix="minutes-bench-pg-") as server:
            many, one = server.create_database("many"), server.create_database("one")
            for url in (many, one):
                _run([PYTHON, "-m", "indexer.cli", "db", "init", "--index", url])
            results = measure(corpus, many, one, server.data_dir)
    results = {"items": args.items, "engine": args.engine, "cores": os.cpu_count(), **results}
    (work / "reindex-sources-results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


def measure(corpus: Path, many: str, one: str, data_dir: Path | None) -> dict[str, Any]:
    """Each file ingested on its own into ``many``, the folder at once into ``one``, then
    ``minutes reindex`` of ``many``."""
    from benchmarks.reindex_cost import _server_cpu_s
    from indexer.cli import main as minutes

    files = sorted(corpus.glob("*.jsonl"))
    results: dict[str, Any] = {"sources": len(files)}
    load = os.getloadavg()[0]
    cpu_before = _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN)
    server_before = _server_cpu_s(data_dir)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        for file in files:
            if minutes(["ingest", str(file), "--index", many]) != 0:
                raise RuntimeError(f"{file}: ingest failed")
    results["ingests_one_per_source"] = {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(_cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN) - cpu_before, 1),
        "server_cpu_s": round(_server_cpu_s(data_dir) - server_before, 1),
        "load_average": round(load, 2),
        "segments": segments(many),
    }
    print(json.dumps(results), flush=True)

    for name, command in (
        ("one_ingest", ["ingest", str(corpus), "--index", one]),
        ("reindex", ["reindex", "--index", many]),
    ):
        before = totals(many)
        load = os.getloadavg()[0]
        server_before = _server_cpu_s(data_dir)
        wall, cpu = _run([PYTHON, "-m", "indexer.cli", *command])
        results[name] = {
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "server_cpu_s": round(_server_cpu_s(data_dir) - server_before, 1),
            "load_average": round(load, 2),
            "segments": segments(one if name == "one_ingest" else many),
        }
        if name == "reindex":
            results[name].update(totals_before=before, totals_after=totals(many))
        print(json.dumps({name: results[name]}), flush=True)
    return results


if __name__ == "__main__":
    raise SystemExit(main())
