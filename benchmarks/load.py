"""Loopback load test: many concurrent clients against ``minutes serve`` for a bounded time.

    python benchmarks/load.py --duration 60                      # smoke run
    python benchmarks/load.py --index /tmp/bench/ix10k           # 20 clients, 10 minutes

The script starts ``minutes serve`` itself on a free port of 127.0.0.1 over
``--index`` (or over a fresh index of ``data/`` plus the format samples in data/samples
built in a temporary folder), warms up, then lets ``--clients`` threads send
mixed traffic until ``--duration`` seconds or ``--max-requests`` requests have
passed, whichever comes first: search pages with one or two words taken from
the index's own item titles, facet-filtered searches, sorted and paged
searches, JSON API searches, item pages (ids seen in earlier responses) and
autocomplete.  It reports throughput, p50/p95/p99 latency per request kind and
overall, and errors (any status outside 2xx/3xx, or an exception), prints a
Markdown table and stops the server.  Only loopback hosts are accepted: this
is a test of our own server, never of someone else's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.proctree import tree_cpu_s  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WORD = re.compile(r"[a-zæøåéü]{4,}")
MAX_PAGE = 1000  # indexer.search.service.MAX_PAGE: the last results page the service serves
ITEM_LINK = re.compile(r"/items/([0-9a-f]{8,64})\b")
# Share of each kind in the traffic: mostly searches, as on a public archive.
MIX: dict[str, int] = {
    "search_html": 30,
    "search_facet": 15,
    "search_sorted_paged": 10,
    "api_search": 15,
    "item_page": 20,
    "suggest": 10,
}


def refuse_remote(host: str) -> str:
    """Only our own machine may be loaded."""
    if host not in LOOPBACK:
        raise SystemExit(f"load.py only runs against loopback (127.0.0.1, localhost, ::1), not {host!r}")
    return host


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def build_demo_index(target: Path) -> Path:
    """The demo data and every format sample, ingested as a user would (``minutes ingest``)."""
    sources = [REPO / "data"]
    command = [sys.executable, "-m", "indexer.cli", "ingest", *map(str, sources), "--index", str(target)]
    print(f"building index: {' '.join(command)}", flush=True)
    # a non-zero exit only says some inputs were rejected (e.g. files of no known format)
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not (target / "current").exists():
        raise SystemExit(f"ingest built no index: {done.stderr.decode(errors='replace')[-2000:]}")
    return target


@dataclass
class Server:
    """``minutes serve`` as a child process; stopped by pid, never by name."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    log: Path

    @classmethod
    def start(cls, index: Path, host: str, threads: int, workers: int = 1) -> Server:
        port = free_port(host)
        command = [sys.executable, "-m", "indexer.cli", "serve", "--index", str(index)]
        command += ["--host", host, "--port", str(port), "--threads", str(threads), "--workers", str(workers)]
        # The server's log goes to a file: an unread pipe fills up and would stall its threads.
        log = tempfile.NamedTemporaryFile(prefix="minutes-serve-", suffix=".log", delete=False)  # noqa: SIM115
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        server = cls(process, host, port, Path(log.name))
        deadline = time.monotonic() + 120
        last = "no answer"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                err = server.log.read_text("utf-8", "replace")
                raise SystemExit(f"minutes serve exited with {process.returncode}: {err[-2000:]}")
            try:
                status, _ = server.fetch("/api/search?q=")
                if status == 200:
                    return server
                last = f"HTTP {status}"
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        server.stop()
        raise SystemExit(f"minutes serve did not answer within 120 s ({last})")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def fetch(self, path: str) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_summary(self) -> dict[str, Any]:
        """What waitress said: how deep its task queue got (requests waiting for a thread), other lines."""
        lines = self.log.read_text("utf-8", "replace").splitlines() if self.log.exists() else []
        depths = [int(m.group(1)) for line in lines if (m := re.search(r"Task queue depth is (\d+)", line))]
        said = ("Task queue depth", "serving", "took no new requests")  # the queue, the start and the stop
        other = [line for line in lines if not any(word in line for word in said)]
        self.log.unlink(missing_ok=True)
        return {"queue_warnings": len(depths), "max_queue_depth": max(depths, default=0), "other_log": other[-20:]}


@dataclass
class Vocabulary:
    """What the traffic is made of, learnt from the index through the API."""

    words: list[str]
    facets: dict[str, list[str]]
    item_ids: list[str]
    total: int

    @classmethod
    def learn(cls, server: Server, pages: int = 40, seed: int = 7) -> Vocabulary:
        status, body = server.fetch("/api/search?q=&sort=newest")
        if status != 200:
            raise SystemExit(f"warm-up search failed with HTTP {status}")
        first = json.loads(body)
        total, page_count = int(first["total"]), min(int(first["pages"]), MAX_PAGE)  # the service's last page
        if total == 0:
            raise SystemExit("the index is empty")
        facets = {
            name: [str(v["value"]) for v in values if v.get("value")]
            for name, values in first["facets"].items()
            if values
        }
        rng = random.Random(seed)
        chosen = sorted({1, page_count, *(rng.randint(1, page_count) for _ in range(pages))})
        words: Counter[str] = Counter()
        ids: list[str] = []
        for page in chosen:
            for sort in ("newest", "oldest"):
                status, body = server.fetch(f"/api/search?q=&sort={sort}&page={page}")
                if status != 200:
                    raise SystemExit(f"warm-up page {page} failed with HTTP {status}")
                for result in json.loads(body)["results"]:
                    ids.append(result["id"])
                    words.update(WORD.findall((result.get("title") or "").lower()))
        return cls(sorted(w for w, _ in words.most_common(600)), facets, sorted(set(ids)), total)


@dataclass
class Sample:
    kind: str
    seconds: float
    ok: bool
    detail: str = ""


@dataclass
class Recorder:
    """Every request's outcome; shared by the client threads."""

    max_requests: int
    samples: list[Sample] = field(default_factory=list)
    seen_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _inflight: int = 0

    def claim(self) -> bool:
        """A slot for one more request, until the request budget is spent."""
        with self.lock:
            if len(self.samples) + self._inflight >= self.max_requests:
                return False
            self._inflight += 1
            return True

    def add(self, sample: Sample, body: bytes) -> None:
        found = ITEM_LINK.findall(body[:200_000].decode("utf-8", "replace")) if sample.ok else []
        with self.lock:
            self._inflight -= 1
            self.samples.append(sample)
            if found and len(self.seen_ids) < 20_000:
                self.seen_ids.extend(found[:5])


class TrafficMaker:
    """Builds request paths of each kind from the learnt vocabulary."""

    def __init__(self, vocabulary: Vocabulary, recorder: Recorder, rng: random.Random) -> None:
        self.vocabulary = vocabulary
        self.recorder = recorder
        self.rng = rng
        self.builders: dict[str, Callable[[], str]] = {
            "search_html": self.search_html,
            "search_facet": self.search_facet,
            "search_sorted_paged": self.search_sorted_paged,
            "api_search": self.api_search,
            "item_page": self.item_page,
            "suggest": self.suggest,
        }
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]

    def next(self) -> tuple[str, str]:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        return kind, self.builders[kind]()

    def query(self) -> str:
        count = self.rng.choice((1, 1, 2))
        return " ".join(self.rng.sample(self.vocabulary.words, count))

    @staticmethod
    def encode(params: list[tuple[str, str]]) -> str:
        return urllib.parse.urlencode(params)

    def search_html(self) -> str:
        return "/?" + self.encode([("q", self.query())])

    def search_facet(self) -> str:
        params = [("q", self.query())] if self.rng.random() < 0.7 else []
        facet_names = [
            n for n in ("committee", "year", "municipality", "topic", "kind") if self.vocabulary.facets.get(n)
        ]
        for name in self.rng.sample(facet_names, min(len(facet_names), self.rng.choice((1, 1, 2)))):
            param = "type" if name == "kind" else name
            params.append((param, self.rng.choice(self.vocabulary.facets[name])))
        prefix = "/api/search?" if self.rng.random() < 0.3 else "/?"
        return prefix + self.encode(params)

    def search_sorted_paged(self) -> str:
        params = [("q", self.query())] if self.rng.random() < 0.5 else []
        params += [("sort", self.rng.choice(("newest", "oldest"))), ("page", str(self.rng.randint(1, 5)))]
        return "/?" + self.encode(params)

    def api_search(self) -> str:
        return "/api/search?" + self.encode([("q", self.query())])

    def item_page(self) -> str:
        with self.recorder.lock:
            seen = self.recorder.seen_ids[-2000:]
        pool = seen if seen and self.rng.random() < 0.7 else self.vocabulary.item_ids
        item_id = self.rng.choice(pool)
        return f"/api/items/{item_id}" if self.rng.random() < 0.2 else f"/items/{item_id}"

    def suggest(self) -> str:
        word = self.rng.choice(self.vocabulary.words)
        return "/api/suggest?" + self.encode([("q", word[: self.rng.randint(2, min(6, len(word)))])])


def client_loop(server: Server, maker: TrafficMaker, recorder: Recorder, deadline: float) -> None:
    """One visitor with a keep-alive connection, reconnecting after any failure."""
    conn = server.connection()
    while time.monotonic() < deadline and recorder.claim():
        kind, path = maker.next()
        started = time.perf_counter()
        body = b""
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = conn.getresponse()
            body = response.read()
            ok = 200 <= response.status < 400
            sample = Sample(kind, time.perf_counter() - started, ok, "" if ok else f"HTTP {response.status} {path}")
            if response.will_close:
                conn.close()
                conn = server.connection()
        except (OSError, http.client.HTTPException) as exc:
            sample = Sample(kind, time.perf_counter() - started, False, f"{type(exc).__name__}: {exc} {path}")
            conn.close()
            conn = server.connection()
        recorder.add(sample, body)
    conn.close()


def drive(
    server: Server, vocabulary: Vocabulary, clients: int, seconds: float, max_requests: int, seed: int
) -> tuple[Recorder, float]:
    """``clients`` threads of mixed traffic for ``seconds`` or ``max_requests``; returns what they saw."""
    recorder = Recorder(max_requests=max_requests)
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client_loop,
            args=(server, TrafficMaker(vocabulary, recorder, random.Random(seed + n)), recorder, deadline),
            daemon=True,
        )
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.perf_counter() - started


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (empty → 0)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class KindSummary:
    kind: str
    requests: int
    errors: int
    req_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def summarise(kind: str, samples: list[Sample], seconds: float) -> KindSummary:
    times = sorted(s.seconds * 1000 for s in samples)
    return KindSummary(
        kind=kind,
        requests=len(samples),
        errors=sum(not s.ok for s in samples),
        req_per_s=round(len(samples) / seconds, 2) if seconds else 0.0,
        p50_ms=round(percentile(times, 0.50), 1),
        p95_ms=round(percentile(times, 0.95), 1),
        p99_ms=round(percentile(times, 0.99), 1),
        max_ms=round(times[-1], 1) if times else 0.0,
    )


def markdown(rows: list[KindSummary]) -> str:
    lines = [
        "| request kind | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.kind} | {r.requests} | {r.errors} | {r.req_per_s} | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.max_ms} |"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    host = refuse_remote(args.host)
    with tempfile.TemporaryDirectory(prefix="minutes-load-") as tmp:
        index = args.index or build_demo_index(Path(tmp) / "ix")
        server = Server.start(index, host, args.server_threads, args.workers)
        try:
            vocabulary = Vocabulary.learn(server)
            print(
                f"server pid {server.process.pid} on {host}:{server.port}; {vocabulary.total} items, "
                f"{len(vocabulary.words)} query words, {len(vocabulary.item_ids)} warm-up item ids",
                flush=True,
            )
            if args.warmup > 0:  # first searches load lexicons and caches; not part of the figures
                drive(server, vocabulary, args.clients, args.warmup, args.max_requests, args.seed + 10_000)
            cpu_before = tree_cpu_s(server.process.pid)
            recorder, elapsed = drive(server, vocabulary, args.clients, args.duration, args.max_requests, args.seed)
            server_cpu = tree_cpu_s(server.process.pid) - cpu_before
            server_alive = server.process.poll() is None
        finally:
            server.stop()
            server_log = server.log_summary()
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in recorder.samples:
        by_kind[sample.kind].append(sample)
    rows = [summarise(kind, by_kind[kind], elapsed) for kind in MIX if by_kind[kind]]
    rows.append(summarise("all", recorder.samples, elapsed))
    errors = [s.detail for s in recorder.samples if not s.ok]
    return {
        "index": str(args.index or "data/ + format samples (temporary)"),
        "items": vocabulary.total,
        "clients": args.clients,
        "server_threads": args.server_threads,
        "server_workers": args.workers,
        "duration_s": round(elapsed, 1),
        "warmup_s": args.warmup,
        "cpus": os.cpu_count(),
        "server_alive_at_end": server_alive,
        "server_cpu_s": round(server_cpu, 2),  # the server's processes, during the recorded traffic
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "server_log": server_log,
        "rows": [asdict(r) for r in rows],
        "markdown": markdown(rows),
        "error_examples": errors[:20],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--index", type=Path, help="index folder (default: build one from data/ and the samples)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback only: 127.0.0.1, localhost or ::1")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic (default 600)")
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of unrecorded traffic first")
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads of minutes serve")
    parser.add_argument("--workers", type=int, default=1, help="server processes (minutes serve --workers)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    refuse_remote(args.host)
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--clients, --duration and --max-requests must be positive")
    result = run(args)
    print(
        f"\n{result['items']} items, {result['clients']} clients, {result['server_threads']} server threads, "
        f"{result.get('server_workers', 1)} server processes, "
        f"{result['duration_s']} s, {result['cpus']} CPUs\n"
    )
    print(result["markdown"])
    log = result["server_log"]
    print(f"\nserver: {log['queue_warnings']} queued-task warnings, deepest queue {log['max_queue_depth']}")
    for line in log["other_log"]:
        print("server log:", line)
    for example in result["error_examples"]:
        print("error:", example)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")
    total = result["rows"][-1]
    return 0 if total["errors"] == 0 and result["server_alive_at_end"] else 1


if __name__ == "__main__":
    sys.exit(main())
