"""What `minutes reindex` costs on both engines, and what a reader sees while it runs.

    nice -n 5 .venv/bin/python benchmarks/reindex_cost.py --items 10000 --work /tmp/reindex-10k

Generates a corpus (``benchmarks/generate_corpus.py``), ingests it with ``minutes ingest`` into a
Whoosh index and into a throwaway PostgreSQL server (as ``benchmarks/engines.py`` starts one), then
times ``minutes reindex`` on each as a whole process: wall, CPU of the command's process tree
(forked writers included) and, on PostgreSQL, CPU of the server (postmaster and backends, the
reaped ones included).  Throughout each reindex one reader in this process searches a common word
and a browse of everything, 0.1 s after each answer, through ``SearchService`` as the web UI does:
it reports how many answers it got, errors, the longest wait for one answer, and whether the totals
it saw stayed those of before the reindex (they must: the same sources are read again).
The load average is printed beside each stage.  Needs the ``bench`` extra (psutil).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import write_corpus  # noqa: E402

WORD = "kommune"  # in most generated items
PAUSE_S = 0.1


@dataclass
class ReaderLog:
    answers: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    totals: set[tuple[int, int]] = field(default_factory=set)

    def summary(self, expected: tuple[int, int]) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "errors": len(self.errors),
            "first_error": self.errors[0] if self.errors else None,
            "p50_ms": round(statistics.median(self.latencies) * 1000, 1) if self.latencies else None,
            "max_ms": round(max(self.latencies) * 1000, 1) if self.latencies else None,
            "totals_seen": sorted(self.totals),
            "totals_unchanged": self.totals <= {expected},
        }


def _totals(service: Any) -> tuple[int, int]:
    from indexer.search.service import SearchRequest

    word = service.search(SearchRequest(q=WORD))
    everything = service.search(SearchRequest(q=""))
    if word.error or everything.error:
        raise RuntimeError(word.error or everything.error)
    return word.total, everything.total


def _read_until(location: str, stop: threading.Event, log: ReaderLog) -> None:
    from indexer.cli import open_search_service

    service = open_search_service(location, None)
    try:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                log.totals.add(_totals(service))
                log.answers += 1
            except Exception as exc:  # counted and reported: a reader must never see one
                log.errors.append(f"{type(exc).__name__}: {exc}")
            log.latencies.append(time.perf_counter() - started)
            stop.wait(PAUSE_S)  # a reader, not a load test: about ten searches a second
    finally:
        service.close()


def _server_cpu_s(data_dir: Path | None) -> float:
    """CPU seconds of the PostgreSQL server so far: postmaster, its reaped backends and live ones."""
    if data_dir is None:
        return 0.0
    import psutil

    postmaster = psutil.Process(int((data_dir / "postmaster.pid").read_text().split()[0]))
    times = postmaster.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in postmaster.children(recursive=True):
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def _run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (process tree) of a command that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(location: str, data_dir: Path | None) -> dict[str, Any]:
    from indexer.cli import open_search_service

    service = open_search_service(location, None)
    expected = _totals(service)
    service.close()
    log = ReaderLog()
    stop = threading.Event()
    reader = threading.Thread(target=_read_until, args=(location, stop, log))
    load = os.getloadavg()[0]
    server_before = _server_cpu_s(data_dir)
    reader.start()
    try:
        wall, cpu = _run([PYTHON, "-m", "indexer.cli", "reindex", "--index", location])
    finally:
        stop.set()
        reader.join()
    result = {
        "load_average": round(load, 2),
        "reindex_wall_s": round(wall, 1),
        "reindex_cpu_s": round(cpu, 1),
        "totals_before": expected,
        "reader": log.summary(expected),
    }
    if data_dir is not None:
        result["server_cpu_s"] = round(_server_cpu_s(data_dir) - server_before, 1)
    service = open_search_service(location, None)
    result["totals_after"] = _totals(service)
    service.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--engine", choices=["whoosh", "postgres", "both"], default="both")
    args = parser.parse_args(argv)
    from indexer.engines.postgres.server import temporary_server

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        write_corpus(corpus, args.items)
    results: dict[str, Any] = {"items": args.items, "cores": os.cpu_count()}
    if args.engine in ("whoosh", "both"):
        root = work / "whoosh"
        subprocess.run(["rm", "-rf", str(root)], check=True)
        wall, cpu = _run([PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", str(root)])
        results["whoosh"] = {"ingest_wall_s": round(wall, 1), "ingest_cpu_s": round(cpu, 1), **measure(str(root), None)}
        print(json.dumps({"whoosh": results["whoosh"]}), flush=True)
    if args.engine in ("postgres", "both"):
        settings = {"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "15min"}
        with temporary_server(settings, prefix="minutes-bench-pg-") as server:
            url = server.create_database("minutes")
            _run([PYTHON, "-m", "indexer.cli", "db", "init", "--index", url])
            wall, cpu = _run([PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", url])
            results["postgres"] = {
                "ingest_wall_s": round(wall, 1),
                "ingest_cpu_s": round(cpu, 1),
                **measure(url, server.data_dir),
            }
            print(json.dumps({"postgres": results["postgres"]}), flush=True)
    (work / "reindex-results.json").write_text(json.dumps(results, indent=2, default=list), encoding="utf-8")
    print(json.dumps(results, indent=2, default=list))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
