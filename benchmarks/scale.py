"""Scale benchmark: ingest, index size, memory and search latency at one corpus size,
side by side with naive Whoosh (StandardAnalyzer, one process, one commit) and,
when the ``bench`` extra is installed, tantivy-py (Rust; the near-limit reference).

One command per size reproduces the README's figures (batches of 5,000 items,
``minutes ingest``'s default; 30 queries of each kind at 100k and 1M):

    python benchmarks/scale.py --items 10000 --work /tmp/bench-10k
    python benchmarks/scale.py --items 100000 --work /tmp/bench-100k --queries 30
    python benchmarks/scale.py --items 1000000 --work /tmp/bench-1m --queries 30 --skip-naive

(naive Whoosh's single commit of 1M items never finished: hence ``--skip-naive`` at 1M.)
A run can be split: ``--ingest-only`` first, then ``--reuse`` measures search on the
indexes already in WORK and keeps the ingest figures of its ``results.json``.

Ingest is timed as a whole process (``minutes ingest`` and ``naive_ingest.py``
in subprocesses); peak memory is the largest sum of resident memory over the
process tree (forked writers included), sampled with psutil (``proctree.py``).  Query latency is
measured in-process through ``SearchService.search`` (top 10, total count and
all facet counts) with the decoded-postings cache off and, as "repeated", with it
on after one pass over the same queries; and over HTTP against ``minutes serve``
on 127.0.0.1 with the cache off.
Then ``benchmarks/load.py`` runs 20 clients on 127.0.0.1 against ``minutes serve`` with one
and with two server processes (``--load-seconds`` each, 45 by default; the server's CPU is
read with psutil).  The load average when each stage began is printed with the table.
"Open + first query" is a fresh process opening the index and answering one word
with its facet counts (imports excluded; the operating system's cache warm).
Results are printed as a Markdown table, with our ratio to naive Whoosh and to
tantivy, and written to ``WORK/results.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import COMMITTEES, write_corpus  # noqa: E402
from benchmarks.proctree import tree_memory_kb  # noqa: E402


@dataclass
class IngestRun:
    seconds: float
    items_per_s: float
    peak_rss_mb: float
    index_mb: float
    returncode: int
    peak_pss_mb: float = 0.0  # proportional set size: pages shared by forked workers counted once
    cpu_s: float = 0.0  # user + system CPU of the whole process tree: fair when the machine is shared


@dataclass
class Latency:
    p50_ms: float
    p95_ms: float
    n: int
    # CPU time of each call (the benchmark process's for in-process searches, the server's
    # threads' for HTTP): on a shared machine wall time measures the load, CPU time the work
    cpu_p50_ms: float = 0.0
    cpu_p95_ms: float = 0.0


@dataclass
class ScaleResult:
    items: int
    cores: int
    batch_size: int
    ours: IngestRun | None = None
    naive: IngestRun | None = None
    search: dict[str, Latency] = field(default_factory=dict)
    naive_search: dict[str, Latency] = field(default_factory=dict)
    tantivy: IngestRun | None = None
    tantivy_search: dict[str, Latency] = field(default_factory=dict)
    open_first_query_ms: dict[str, float] = field(default_factory=dict)  # engine → median of 3 fresh processes
    open_first_query_cpu_ms: dict[str, float] = field(default_factory=dict)  # the same, CPU time of the process
    analysis_load_ms: float = 0.0  # of those, loading the Danish dictionaries (any search needs them once)
    http: dict[str, Latency] = field(default_factory=dict)
    load: dict[str, dict[str, Any]] = field(default_factory=dict)  # "1 worker" / "2 workers" → load.py's figures
    load_average: dict[str, list[float]] = field(default_factory=dict)  # stage → 1/5/15-minute load when it began


# -- process measurement ---------------------------------------------------------


def _proc_kb(pid: int, file: str, label: str) -> int:
    """One "Label: N kB" figure of /proc/PID/FILE (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(label):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, float]:
    """(wall seconds, peak tree RSS in MB, return code, peak tree PSS in MB) of a command."""
    seconds, peak, code, pss, _cpu = run_measured_with_cpu(command, env)
    return seconds, peak, code, pss


def run_measured_with_cpu(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, int, float, float]:
    """``run_measured`` and the CPU seconds (user + system) of the command's process tree."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    while process.poll() is None:
        resident, proportional = tree_memory_kb(process.pid)
        peak, peak_pss = max(peak, resident), max(peak_pss, proportional)
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0 and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode("utf-8", "replace")[-2000:])
    return seconds, peak / 1024, process.returncode, peak_pss / 1024, cpu


def _peak_rss_kb(pid: int) -> int:
    """The largest resident size a process has had."""
    return _proc_kb(pid, "status", "VmHWM:")


def measure_ingest(command: list[str], items: int, index_dir: Path) -> IngestRun:
    """One ingest command timed as a whole process, with its memory and the index it wrote."""
    seconds, peak, code, pss, cpu = run_measured_with_cpu(command)
    return IngestRun(
        round(seconds, 1),
        round(items / seconds, 1),
        round(peak, 1),
        round(folder_mb(index_dir), 1),
        code,
        round(pss, 1),
        round(cpu, 1),
    )


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# -- queries -----------------------------------------------------------------------


@dataclass
class QuerySet:
    one_word: list[str]
    two_words: list[str]
    phrases: list[str]
    filtered: list[tuple[str, str]]  # (word, committee)


def build_queries(corpus: Path, count: int, seed: int = 7) -> QuerySet:
    """Words and phrases drawn from the corpus itself, mid-frequency so they hit."""
    rng = random.Random(seed)
    words: Counter[str] = Counter()
    bigrams: list[str] = []
    first = sorted(corpus.glob("*.jsonl"))[0]
    with first.open(encoding="utf-8") as handle:
        for line in handle:
            for item in json.loads(line)["items"]:
                text = " ".join(s["text"] for s in item["sections"])
                tokens = re.findall(r"[a-zæøå]{5,}", text.lower())
                words.update(tokens)
                bigrams += [f"{a} {b}" for a, b in itertools.pairwise(tokens)][:20]
    common = [w for w, n in words.most_common(600)[40:]]
    return QuerySet(
        one_word=[rng.choice(common) for _ in range(count)],
        two_words=[f"{rng.choice(common)} {rng.choice(common)}" for _ in range(count)],
        phrases=[f'"{rng.choice(bigrams)}"' for _ in range(count)],
        filtered=[(rng.choice(common), rng.choice(COMMITTEES)) for _ in range(count)],
    )


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


def percentiles(samples: list[float], cpu_samples: list[float] | None = None) -> Latency:
    p50, p95 = _p50_p95(samples)
    cpu_p50, cpu_p95 = _p50_p95(cpu_samples) if cpu_samples else (0.0, 0.0)
    return Latency(p50_ms=p50, p95_ms=p95, n=len(samples), cpu_p50_ms=cpu_p50, cpu_p95_ms=cpu_p95)


def time_calls(calls: list[Any], cpu_clock: Any = time.process_time) -> Latency:
    """Wall and CPU time of each call, after five warm-up calls.  ``cpu_clock`` is this
    process's CPU time unless the work happens elsewhere (a server: see ``proctree.tree_cpu_s``)."""
    for call in calls[:5]:  # warm caches and readers
        call()
    samples, cpu_samples = [], []
    for call in calls:
        cpu_started = cpu_clock()
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
        cpu_samples.append(cpu_clock() - cpu_started)
    return percentiles(samples, cpu_samples)


def _threads_cpu_s(pid: int) -> float:
    """CPU seconds all threads of a process have run, from the scheduler's nanosecond
    counters (/proc/PID/task/*/schedstat; the tick-based counters are too coarse per request)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text("ascii").split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended between listing and reading
    return total / 1e9


def measure_search(index_dir: Path, queries: QuerySet) -> dict[str, Latency]:
    """Each kind twice: with the decoded-postings cache off (every query decodes its
    posting lists: the cold figure), then with the default cache after one pass over
    the same queries (a server's steady state for words people search again)."""
    from indexer.search.service import SearchRequest, SearchService

    def run(service: SearchService, request: SearchRequest) -> Any:
        def call() -> None:
            response = service.search(request)
            assert response.error is None, response.error
            assert "committee" in response.facets

        return call

    def requests() -> dict[str, list[SearchRequest]]:
        return {
            "1 word": [SearchRequest(q=q) for q in queries.one_word],
            "2 words": [SearchRequest(q=q) for q in queries.two_words],
            "phrase": [SearchRequest(q=q) for q in queries.phrases],
            "filtered": [SearchRequest(q=w, committee=[c], year=["2015", "2016", "2017"]) for w, c in queries.filtered],
        }

    cold = SearchService(index_dir, postings_cache_mb=0)
    out = {name: time_calls([run(cold, r) for r in batch]) for name, batch in requests().items()}
    warm = SearchService(index_dir)
    for name, batch in requests().items():
        for request in batch:
            warm.search(request)
        out[f"{name}, repeated"] = time_calls([run(warm, r) for r in batch])
    return out


def measure_naive_search(index_dir: Path, queries: QuerySet) -> dict[str, Latency]:
    """The same queries on the naive index: one field parser, top 10 plus the same kinds of facets."""
    from whoosh import index, sorting
    from whoosh.qparser import MultifieldParser
    from whoosh.query import And, Or, Term

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema)
    facets = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in ("committee", "year", "municipality")}

    def run(text: str, committee: str | None = None) -> Any:
        def call() -> None:
            query = parser.parse(text)
            filt: Any = Term("access", "open")
            if committee:
                filt = And(
                    [filt, Term("committee", committee), Or([Term("year", y) for y in ("2015", "2016", "2017")])]
                )
            results = searcher.search(query, filter=filt, limit=10, groupedby=facets)
            len(results)
            results.groups("committee")
            [hit["title"] for hit in results]

        return call

    return {
        "1 word": time_calls([run(q) for q in queries.one_word]),
        "2 words": time_calls([run(q) for q in queries.two_words]),
        "phrase": time_calls([run(q) for q in queries.phrases]),
        "filtered": time_calls([run(w, c) for w, c in queries.filtered]),
    }


def measure_tantivy_search(index_dir: Path, queries: QuerySet) -> dict[str, Latency]:
    """The same queries on tantivy: top 10 with total count and the same facets (terms aggregations)."""
    import tantivy

    from benchmarks.tantivy_ingest import open_index

    index = open_index(index_dir)
    searcher = index.searcher()
    schema = index.schema
    aggregations = {name: {"terms": {"field": name, "size": 1000}} for name in ("committee", "year", "municipality")}
    years = ["2015", "2016", "2017"]

    def run(text: str, committee: str | None = None) -> Any:
        def call() -> None:
            parts = [
                (tantivy.Occur.Must, index.parse_query(text, ["title", "body"])),
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "access", "open")),
            ]
            if committee:
                parts.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "committee", committee)))
                parts.append((tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "year", years)))
            query = tantivy.Query.boolean_query(parts)
            result = searcher.search(query, 10, count=True)
            searcher.aggregate(query, aggregations)
            [searcher.doc(address)["title"] for _score, address in result.hits]

        return call

    return {
        "1 word": time_calls([run(q) for q in queries.one_word]),
        "2 words": time_calls([run(q) for q in queries.two_words]),
        "phrase": time_calls([run(q) for q in queries.phrases]),
        "filtered": time_calls([run(w, c) for w, c in queries.filtered]),
    }


def open_probe(engine: str, index_dir: Path, word: str) -> tuple[float, float, float]:
    """(seconds to open ``index_dir`` and answer one word with total and facet counts,
    of which loading the analysis dictionaries, and the CPU seconds of the whole), in a
    fresh process, imports done first."""
    cpu_started = time.process_time()
    total, load = _open_probe(engine, index_dir, word)
    return total, load, time.process_time() - cpu_started


def _open_probe(engine: str, index_dir: Path, word: str) -> tuple[float, float]:
    if engine == "ours":
        from indexer.engines.whoosh.index import _warm_analysis
        from indexer.search.service import SearchRequest, SearchService

        started = time.perf_counter()
        _warm_analysis()  # the lemma dictionary: once per process, whatever the index
        loaded = time.perf_counter()
        response = SearchService(index_dir, postings_cache_mb=0).search(SearchRequest(q=word))
        assert response.error is None and "committee" in response.facets
        return time.perf_counter() - started, loaded - started
    if engine == "naive":
        from whoosh import index, sorting
        from whoosh.qparser import MultifieldParser
        from whoosh.query import Term

        started = time.perf_counter()
        ix = index.open_dir(str(index_dir))
        searcher = ix.searcher()
        facets = {n: sorting.FieldFacet(n, maptype=sorting.Count) for n in ("committee", "year", "municipality")}
        query = MultifieldParser(["title", "body"], ix.schema).parse(word)
        results = searcher.search(query, filter=Term("access", "open"), limit=10, groupedby=facets)
        len(results)
        results.groups("committee")
        return time.perf_counter() - started, 0.0
    import tantivy

    from benchmarks.tantivy_ingest import open_index

    started = time.perf_counter()
    tv = open_index(index_dir)
    searcher = tv.searcher()
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tv.parse_query(word, ["title", "body"])),
            (tantivy.Occur.Must, tantivy.Query.term_query(tv.schema, "access", "open")),
        ]
    )
    searcher.search(query, 10, count=True)
    searcher.aggregate(query, {n: {"terms": {"field": n, "size": 1000}} for n in ("committee", "year", "municipality")})
    return time.perf_counter() - started, 0.0


def measure_open(engine: str, index_dir: Path, word: str, runs: int = 3) -> tuple[float, float, float]:
    """Medians over fresh processes of ``open_probe`` (total, analysis load, CPU), in ms."""
    samples = []
    loads = []
    cpus = []
    for _ in range(runs):
        output = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--open-probe", engine, str(index_dir), word],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        ).stdout
        total, load, cpu = output.strip().splitlines()[-1].split()
        samples.append(float(total))
        loads.append(float(load))
        cpus.append(float(cpu))
    return tuple(round(statistics.median(values) * 1000, 1) for values in (samples, loads, cpus))  # type: ignore[return-value]


def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``minutes serve`` on a free loopback port; waits until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "indexer.cli", "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "MINUTES_POSTINGS_CACHE_MB": "0"},  # the cold figure
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return process, base
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("minutes serve exited before answering") from None
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("minutes serve did not answer within 60 s")


def measure_http(index_dir: Path, queries: QuerySet) -> dict[str, Latency]:
    process, base = start_server(index_dir)
    try:

        def get(path: str) -> Any:
            def call() -> None:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    response.read()
                    assert response.status == 200

            return call

        def page(params: dict[str, str]) -> str:
            return "/?" + urllib.parse.urlencode(params)

        def server_cpu() -> float:
            return _threads_cpu_s(process.pid)

        timings = {
            "HTML 1 word": time_calls([get(page({"q": q})) for q in queries.one_word], server_cpu),
            "HTML filtered": time_calls([get(page({"q": w, "committee": c})) for w, c in queries.filtered], server_cpu),
            "JSON 2 words": time_calls(
                [get("/api/search?" + urllib.parse.urlencode({"q": q})) for q in queries.two_words], server_cpu
            ),
        }
        peak_kb = _peak_rss_kb(process.pid)
        timings["server peak RSS MB"] = Latency(p50_ms=round(peak_kb / 1024, 1), p95_ms=round(peak_kb / 1024, 1), n=1)
        return timings
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- main ------------------------------------------------------------------------------


def measure_load(index_dir: Path, workers: int, seconds: float) -> dict[str, Any]:
    """``benchmarks/load.py``: 20 clients on 127.0.0.1 against ``minutes serve --workers N`` for
    ``seconds`` (after 10 s unrecorded), bounded in time; its overall row and the server's CPU."""
    with tempfile.TemporaryDirectory(prefix="scale-load-") as tmp:
        out = Path(tmp) / "load.json"
        command = [PYTHON, str(REPO / "benchmarks" / "load.py"), "--index", str(index_dir), "--workers", str(workers)]
        command += ["--duration", str(seconds), "--warmup", "10", "--clients", "20", "--json", str(out)]
        started = os.getloadavg()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=seconds + 400)
        if not out.exists():
            return {
                "error": (done.stderr or done.stdout).strip()[-500:],
                "load_average": [round(x, 2) for x in started],
            }
        found = json.loads(out.read_text("utf-8"))
    overall = next(row for row in found["rows"] if row["kind"] == "all")
    requests = max(1, overall["requests"])
    return {
        **{k: overall[k] for k in ("requests", "errors", "req_per_s", "p50_ms", "p95_ms", "p99_ms")},
        "seconds": found["duration_s"],
        "server_cpu_s": found.get("server_cpu_s"),
        "server_cpu_ms_per_request": round(1000 * found.get("server_cpu_s", 0.0) / requests, 2),
        "server_alive": found["server_alive_at_end"],
        "load_average": [round(x, 2) for x in started],
    }


def _stage(result: ScaleResult, name: str) -> None:
    result.load_average[name] = [round(x, 2) for x in os.getloadavg()]


def run(args: argparse.Namespace) -> ScaleResult:
    work: Path = args.work
    corpus = work / "corpus"
    if not corpus.exists():
        print(f"generating {args.items} items in {corpus} …", flush=True)
        write_corpus(corpus, args.items)
    result = ScaleResult(items=args.items, cores=os.cpu_count() or 1, batch_size=args.batch_size)
    _restore(result, work / "results.json")

    ours_dir = work / "index-ours"
    if not args.skip_ours and (not args.reuse or not ours_dir.exists()):
        subprocess.run(["rm", "-rf", str(ours_dir)], check=True)
        print("ingest (minutes ingest) …", flush=True)
        _stage(result, "ingest ours")
        command = [PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", str(ours_dir)]
        result.ours = measure_ingest([*command, "--batch-size", str(args.batch_size)], args.items, ours_dir)
        print(f"  {result.ours}", flush=True)
        _save(result, work)

    naive_dir = work / "index-naive"
    if not args.skip_naive and (not args.reuse or not naive_dir.exists()):
        subprocess.run(["rm", "-rf", str(naive_dir)], check=True)
        print("ingest (naive Whoosh) …", flush=True)
        _stage(result, "ingest naive")
        result.naive = measure_ingest(
            [PYTHON, str(REPO / "benchmarks" / "naive_ingest.py"), str(corpus), str(naive_dir)], args.items, naive_dir
        )
        print(f"  {result.naive}", flush=True)
        _save(result, work)

    tantivy_dir = work / "index-tantivy"
    use_tantivy = not args.skip_tantivy and tantivy_available()
    if use_tantivy and (not args.reuse or not tantivy_dir.exists()):
        subprocess.run(["rm", "-rf", str(tantivy_dir)], check=True)
        print("ingest (tantivy) …", flush=True)
        _stage(result, "ingest tantivy")
        result.tantivy = measure_ingest(
            [PYTHON, str(REPO / "benchmarks" / "tantivy_ingest.py"), str(corpus), str(tantivy_dir)],
            args.items,
            tantivy_dir,
        )
        print(f"  {result.tantivy}", flush=True)
        _save(result, work)

    if args.ingest_only:
        return result

    queries = build_queries(corpus, args.queries)
    print("search latency …", flush=True)
    _stage(result, "search")
    result.search = measure_search(ours_dir, queries)
    _save(result, work)
    if naive_dir.exists() and not args.skip_naive:
        result.naive_search = measure_naive_search(naive_dir, queries)
        _save(result, work)
    if use_tantivy and tantivy_dir.exists():
        result.tantivy_search = measure_tantivy_search(tantivy_dir, queries)
        _save(result, work)
    print("open + first query …", flush=True)
    _stage(result, "open")
    word = queries.one_word[0]
    engines = [("ours", ours_dir), ("naive", naive_dir), ("tantivy", tantivy_dir)]
    for engine, folder in engines:
        if folder.exists() and (engine != "tantivy" or use_tantivy):
            total, load, cpu = measure_open(engine, folder, word)
            result.open_first_query_ms[engine] = total
            result.open_first_query_cpu_ms[engine] = cpu
            if engine == "ours":
                result.analysis_load_ms = load
    _save(result, work)
    if not args.skip_http:
        print("HTTP latency …", flush=True)
        _stage(result, "http")
        result.http = measure_http(ours_dir, queries)
        _save(result, work)
    if args.load_seconds > 0:
        for workers in (1, 2):
            label = f"{workers} worker{'s' if workers > 1 else ''}"
            print(f"load, 20 clients, {label} …", flush=True)
            result.load[label] = measure_load(ours_dir, workers, args.load_seconds)
            print(f"  {result.load[label]}", flush=True)
            _save(result, work)
    return result


def _save(result: ScaleResult, work: Path) -> None:
    """Each stage's figures are written as soon as they exist: a 1M run takes hours."""
    (work / "results.json").write_text(json.dumps(asdict(result), indent=1), "utf-8")


def _restore(result: ScaleResult, path: Path) -> None:
    """Keep the ingest figures of an earlier run of the same size when its indexes are reused."""
    if not path.exists():
        return
    earlier = json.loads(path.read_text("utf-8"))
    if earlier.get("items") != result.items:
        return
    for name in ("ours", "naive", "tantivy"):
        if earlier.get(name):
            setattr(result, name, IngestRun(**earlier[name]))


def _ratio(ours: float | None, other: float | None, higher_is_better: bool = False) -> str:
    """How many times better (>1) or worse (<1) we are than ``other``."""
    if not ours or not other:
        return "–"
    return f"{(ours / other if higher_is_better else other / ours):.2f}×"


def markdown(result: ScaleResult) -> str:
    """One table: our figures, naive Whoosh's, tantivy's, and our ratio to each
    (above 1 means minutes-search is better, below 1 worse)."""
    lines = [f"### {result.items:,} items ({result.cores} cores, batch {result.batch_size})", ""]
    lines += [
        "| | minutes-search | naive Whoosh | tantivy-py | ours vs naive | ours vs tantivy |",
        "|---|---|---|---|---|---|",
    ]
    ours, naive, tv = result.ours, result.naive, result.tantivy

    def row(label: str, attr: str, higher_is_better: bool = False) -> None:
        values = [getattr(run, attr) if run else None for run in (ours, naive, tv)]
        shown = [str(v) if v is not None else "–" for v in values]
        lines.append(
            f"| {label} | {' | '.join(shown)} | {_ratio(values[0], values[1], higher_is_better)} | "
            f"{_ratio(values[0], values[2], higher_is_better)} |"
        )

    if ours:
        row("ingest items/s", "items_per_s", higher_is_better=True)
        row("ingest wall time s", "seconds")
        row("ingest CPU s (process tree, user + system)", "cpu_s")
        row("peak RSS MB (process tree)", "peak_rss_mb")
        row("peak PSS MB (process tree, shared pages split)", "peak_pss_mb")
        row("index size MB", "index_mb")
    for name, lat in result.search.items():
        other = result.naive_search.get(name)
        ref = result.tantivy_search.get(name)

        def shown(latency: Latency | None) -> str:
            return f"{latency.p50_ms} / {latency.p95_ms}" if latency else "–"

        def shown_cpu(latency: Latency | None) -> str:
            return f"{latency.cpu_p50_ms} / {latency.cpu_p95_ms}" if latency else "–"

        lines.append(
            f"| search {name} p50 / p95 ms | {shown(lat)} | {shown(other)} | {shown(ref)} | "
            f"{_ratio(lat.p95_ms, other.p95_ms if other else None)} | {_ratio(lat.p95_ms, ref.p95_ms if ref else None)} |"
        )
        lines.append(
            f"| search {name} CPU p50 / p95 ms | {shown_cpu(lat)} | {shown_cpu(other)} | {shown_cpu(ref)} | "
            f"{_ratio(lat.cpu_p95_ms, other.cpu_p95_ms if other else None)} | "
            f"{_ratio(lat.cpu_p95_ms, ref.cpu_p95_ms if ref else None)} |"
        )
    opened = result.open_first_query_ms
    if opened:
        lines.append(
            f"| open + first query ms | {opened.get('ours', '–')} | {opened.get('naive', '–')} | "
            f"{opened.get('tantivy', '–')} | {_ratio(opened.get('ours'), opened.get('naive'))} | "
            f"{_ratio(opened.get('ours'), opened.get('tantivy'))} |"
        )
        cpu = result.open_first_query_cpu_ms
        if cpu:
            lines.append(
                f"| open + first query CPU ms | {cpu.get('ours', '–')} | {cpu.get('naive', '–')} | "
                f"{cpu.get('tantivy', '–')} | {_ratio(cpu.get('ours'), cpu.get('naive'))} | "
                f"{_ratio(cpu.get('ours'), cpu.get('tantivy'))} |"
            )
        if "ours" in opened and result.analysis_load_ms:
            index_part = round(opened["ours"] - result.analysis_load_ms, 1)
            lines.append(
                f"| of which loading the Danish dictionaries / the index and query ms | "
                f"{result.analysis_load_ms} / {index_part} | | | | |"
            )
    for name, lat in result.http.items():
        lines.append(f"| HTTP {name} p50 / p95 ms | {lat.p50_ms} / {lat.p95_ms} | | | | |")
        if lat.cpu_p95_ms:
            lines.append(f"| HTTP {name} server CPU p50 / p95 ms | {lat.cpu_p50_ms} / {lat.cpu_p95_ms} | | | | |")
    for label, load in result.load.items():
        if "error" in load:
            lines.append(f"| load, 20 clients, {label} | failed: {load['error'][:120]} | | | | |")
            continue
        lines.append(
            f"| load, 20 clients, {label}: requests/s, p50 / p95 ms, errors, server CPU ms a request | "
            f"{load['req_per_s']}, {load['p50_ms']} / {load['p95_ms']}, {load['errors']} of {load['requests']}, "
            f"{load['server_cpu_ms_per_request']} | | | | |"
        )
    if result.load_average:
        stages = "; ".join(f"{k} {' / '.join(str(x) for x in v)}" for k, v in result.load_average.items())
        lines += ["", f"Load average (1 / 5 / 15 min) when each stage began: {stages}."]
        said = "; ".join(f"{k} {' / '.join(str(x) for x in v['load_average'])}" for k, v in result.load.items())
        if said:
            lines[-1] += f" Load tests: {said}."
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--open-probe"]:  # one fresh-process measurement (see measure_open)
        print(*open_probe(argv[1], Path(argv[2]), argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--work", type=Path, required=True, help="folder for the corpus, the indexes and results.json")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-ours", action="store_true", help="ingest only the naive index (runs can be split)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-tantivy", action="store_true", help="leave out tantivy even when it is installed")
    parser.add_argument("--reuse", action="store_true", help="reuse indexes already in WORK (measure search only)")
    parser.add_argument("--ingest-only", action="store_true", help="stop after the ingests (search measured later)")
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=45.0,
        help="20-client load test (benchmarks/load.py) with 1 and with 2 server processes, this long each; 0: skip",
    )
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(args)
    _save(result, args.work)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
