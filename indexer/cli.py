"""The ``minutes`` command line: ingest, search, stats, reindex, topics, serve, demo."""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import logging
import os
import shlex
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from indexer.attachments import set_text_cache
from indexer.documents.publish import discard as discard_copies
from indexer.documents.publish import sweep_stale_copies
from indexer.engines import is_url, open_engine, redact
from indexer.engines.base import Engine, EngineError
from indexer.engines.postgres.cli import DATABASE_ERRORS, database_error_text
from indexer.engines.whoosh.index import IndexError_, IndexMissing, IngestSummary, MinutesIndex, rebuild
from indexer.engines.whoosh.merging import MERGE_FACTOR
from indexer.forget import REGISTRY, Registry, TakeDown, now, record
from indexer.formats import FormatError, FormatModule, IngestContext, available_formats, cap_sections, iter_inputs
from indexer.gone import GONE, Gone
from indexer.model import Meeting
from indexer.public import publish
from indexer.sanitize import MAX_DEPTH, flattened_count, printable
from indexer.search.params import Params, ParsedParams, filters_of, parse_search_args, search_args, search_to_the_end
from indexer.search.service import SearchRequest, SearchService, parse_iso_date
from indexer.workers import (
    end_processes,
    forking_workers,
    interrupt_behind,
    raise_if_stopped,
    start_worker,
    stop_of,
    stop_on_sigterm,
)

ENV_INDEX = "MINUTES_INDEX"
DEFAULT_BATCH_SIZE = 5000
REPO_DATA = Path(__file__).resolve().parents[1] / "data"
DEMO_INDEX = "var/demo-index"  # in the current folder


def default_index_dir() -> Path:
    """``$MINUTES_INDEX``, else ``$XDG_DATA_HOME/minutes-search/index`` (~/.local/share/…).
    A ``postgresql://`` URL comes back as it is (a Path would fold its ``//``)."""
    if os.environ.get(ENV_INDEX):
        return index_location(os.environ[ENV_INDEX])  # type: ignore[return-value]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "minutes-search" / "index"


def index_location(value: str) -> Path | str:
    """``--index``: a folder (the embedded engine) or a ``postgresql://`` URL (the server engine)."""
    from indexer.engines.postgres import is_database_url

    if is_database_url(value):
        return value
    folder = Path(value).expanduser()
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"'{value}' is a file, not an index folder")
    return folder


def open_search_service(location: Path | str, read_replica: str | None = None) -> SearchService:
    """The search service for an index folder or a PostgreSQL URL (reads from ``read_replica``
    or ``$MINUTES_READ_REPLICA`` when given)."""
    return SearchService(location, read_replica=read_replica)


def _postgres_ingest_target(location: Path | str) -> Any:
    from indexer.engines.postgres import is_database_url

    if not is_database_url(location):
        return None
    from indexer.engines.postgres.engine import Database
    from indexer.engines.postgres.index import PostgresIndex

    return PostgresIndex(Database(str(location)))


def warn_older_analysis(engine: Engine, stream: TextIO | None = None) -> None:
    """One line when the index was written by another text analysis than this program's
    (``Engine.analysis_warning``): what to run.  The command goes on; searches still work."""
    warning = engine.analysis_warning()
    if warning:
        (stream or sys.stderr).write(f"warning: {warning}\n")


def warn_older_analysis_at(location: Path | str, stream: TextIO | None = None) -> None:
    """``warn_older_analysis`` after a command that wrote through the ingest path (ingest,
    harvest): the index is opened just to read its stamp.  Nothing when there is no index."""
    try:
        engine = open_engine(location)
    except EngineError:
        return
    try:
        warn_older_analysis(engine, stream)
    finally:
        engine.close()


# -- progress -------------------------------------------------------------------


class Progress:
    """tqdm's progress bar on a terminal, one step a file; silent when output is piped."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total, desc=label, unit="file", file=stream, disable=not stream.isatty() or total <= 1, leave=True
        )

    def step(self, note: str = "") -> None:
        self.bar.set_postfix_str(printable(note)[:40], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


# -- ingest ---------------------------------------------------------------------


def _parse_one(
    args: tuple[str, str | None, IngestContext, str | None, frozenset[str]],
) -> tuple[str, list[Meeting], str | None]:
    """Parse one input completely (in a worker process): all of it or nothing."""
    path_text, format_name, context, cache_dir, forgotten = args
    path = Path(path_text)
    set_text_cache(Path(cache_dir) if cache_dir else None)
    if _blank(path):  # said as such, not as an unknown format or a broken PDF
        return path_text, [], f"{path}: empty file"
    if format_name is None:
        return path_text, [], f"{path}: unknown format (not a minutes export this tool reads)"
    module: FormatModule = available_formats()[format_name]
    flattened = flattened_count()
    try:
        parsed = list(module.parse(path, context))
        cap_sections(parsed, path)
        if parsed and flattened_count() > flattened:
            parsed[0].warnings.append(
                f"{path}: HTML nested more than {MAX_DEPTH} elements deep; flattened below that depth"
            )
        # The closed-content boundary, then attachment text of what is left open.
        published = (publish(m, extract=context.extract_text, forgotten=forgotten) for m in parsed)
        meetings: list[Meeting] = [m for m in published if m is not None]
    except FormatError as exc:
        return path_text, [], str(exc)
    except (OSError, UnicodeError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        problem = str(exc).splitlines()[0][:200] if str(exc) else ""
        return path_text, [], f"{path}: could not be read ({type(exc).__name__}: {problem})"
    if not meetings:
        if parsed:
            return path_text, [], None  # every meeting in it was taken down (minutes forget)
        return path_text, [], f"{path}: no meetings found in it"
    return path_text, meetings, None


def _blank(path: Path) -> bool:
    """A file with nothing but white space in it (or nothing at all)."""
    try:
        if not path.is_file() or path.stat().st_size > 65536:
            return False
        return not path.read_bytes().strip()
    except OSError:
        return False


def parse_inputs(
    inputs: Sequence[tuple[Path, FormatModule | None, IngestContext]],
    cache_dir: Path | None,
    workers: int,
    forgotten: frozenset[str] = frozenset(),
) -> Generator[tuple[str, list[Meeting], str | None], None, None]:
    """Parse each input with its own context, in the order given (results come back in order)."""
    jobs = [
        (str(path), module.NAME if module else None, context, str(cache_dir) if cache_dir else None, forgotten)
        for path, module, context in inputs
    ]
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            yield _parse_one(job)
        return
    # A bounded window of files in flight: Executor.map would submit every file at
    # once and keep all parsed meetings in memory while the writer catches up.
    window = workers * 2
    pool = ProcessPoolExecutor(max_workers=workers, initializer=start_worker, initargs=(os.getpid(),))
    pending: deque[Future[tuple[str, list[Meeting], str | None]]] = deque()
    try:
        for job in jobs:
            with forking_workers():  # the first submit forks the workers
                pending.append(pool.submit(_parse_one, job))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:  # Ctrl-C, or the caller stopped reading (GeneratorExit)
        _stop_workers(pool)
        raise
    pool.shutdown()


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the parsing workers now: shutting down would wait for the files in flight, and a
    worker stuck on one (they ignore Ctrl-C) would hold the command up for good.

    A worker ended while sending its result leaves half a message in the results pipe; the
    pool's thread reading it would wait for the rest, and the exit for that thread.  Once the
    workers are gone this process holds the pipe's last writing end: closed, the reader sees
    the end of the pipe, calls the pool broken and stops.  It is waited for here: ending while
    the interpreter's exit wakes it, it raced that wake-up (EBADF, a traceback at exit)."""
    processes = list((pool._processes or {}).values())
    results = pool._result_queue
    manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    end_processes(processes)
    if results is not None:
        results._writer.close()  # type: ignore[attr-defined]
    if manager is not None:
        manager.join(10)


@dataclass(frozen=True)
class Source:
    """One input of an ingest as ``sources.json`` records it: a file or folder, its format (None:
    detected) and the context its meetings are read with."""

    path: Path
    format: str | None = None
    context: IngestContext = field(default_factory=IngestContext)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Source:
        return cls(Path(record["path"]), record.get("format"), _context_from_dict(record.get("context", {})))


# Called once all of a source's files are parsed, before any of its meetings is committed past
# the batch they are in: the source, the meetings read from it, the problems it gave.
SourceCheck = Callable[[Source, int, list[str]], None]


def ingest(
    paths: Iterable[Path],
    index_root: Path,
    context: IngestContext | None = None,
    forced_format: str | None = None,
    workers: int | None = None,
    batch_size: int = 1000,
    record: bool = True,
    target: Any = None,  # an open MinutesIndex, or the PostgreSQL engine's PostgresIndex
    stream: TextIO = sys.stderr,
    allow_reopen: bool = False,
    allow_forgotten: bool = False,
) -> IngestSummary:
    """Parse every input and index it in batches; bad inputs are named and skipped.

    ``allow_reopen`` lets a version open an item an earlier version closed (access
    otherwise only tightens on re-import; see ``indexer.versions``); ``allow_forgotten``
    lets items taken down with ``minutes forget`` in again (their records are dropped)."""
    context = context or IngestContext()
    sources = [Source(Path(p), forced_format, context) for p in paths]
    return ingest_sources(
        sources,
        index_root,
        workers=workers,
        batch_size=batch_size,
        record=record,
        target=target,
        stream=stream,
        allow_reopen=allow_reopen,
        allow_forgotten=allow_forgotten,
    )


def ingest_sources(
    sources: Sequence[Source],
    index_root: Path,
    workers: int | None = None,
    batch_size: int = 1000,
    record: bool = True,
    target: Any = None,
    stream: TextIO = sys.stderr,
    allow_reopen: bool = False,
    allow_forgotten: bool = False,
    check: SourceCheck | None = None,
) -> IngestSummary:
    """``ingest()`` of sources that each have their own format and context: one run of batches
    across all of them (a batch holds meetings of several small sources) and one merge at the
    end.  ``check`` sees each source once its files are parsed; raising there stops the run
    before another commit."""
    own_target = target is None and is_url(index_root)
    if own_target:  # a postgresql:// URL: the server engine's writer (its schema is `minutes db init`'s)
        target = _postgres_ingest_target(index_root)
    if target is None:
        refuse_a_folder_that_is_no_index(Path(index_root))
    index = target or MinutesIndex.open_or_create(index_root)
    index.allow_reopen = allow_reopen
    registry = index.takedowns()  # forgotten.json beside the folder, the takedowns table in a database
    forgotten = frozenset() if allow_forgotten else registry.ids()
    cache_dir = index.root / "textcache"
    set_text_cache(cache_dir)
    summary = IngestSummary()
    inputs: list[tuple[Path, FormatModule | None, IngestContext]] = []
    owner: list[int] = []  # the source of each input
    problems: list[list[str]] = [[] for _ in sources]
    for n, source in enumerate(sources):
        path = source.path
        if not path.exists():
            problems[n].append(f"{path}: no such file or folder")
            continue
        found = list(iter_inputs([path], source.format, summary.warnings, skip=[index.root]))  # never the index itself
        if not found and path.is_dir():  # said, never a silent "0 meetings"
            empty = not any(c for c in path.rglob("*") if c.is_file() and not c.name.startswith("."))
            problems[n].append(
                f"{path}: empty folder, nothing to ingest"
                if empty
                else f"{path}: no minutes export or meeting file found in this folder"
            )
        inputs += [(file, module, source.context) for file, module in found]
        owner += [n] * len(found)
    summary.rejected.extend(problem for said in problems for problem in said)
    if not inputs and (target is None or own_target) and not allow_forgotten:
        # Nothing to read (every path missing or empty): said now, not after waiting up to two
        # minutes for another writer's lock only to report that writer instead of the path.
        if own_target:
            target.engine.close()
        return summary
    left = [0] * len(sources)  # files of each source not parsed yet
    for n in owner:
        left[n] += 1
    read = [0] * len(sources)
    if check:  # a source with no file to parse is judged before any work
        for n, source in enumerate(sources):
            if not left[n]:
                check(source, 0, problems[n])
    progress = Progress(len(inputs), "ingest", stream)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    pending: list[Meeting] = []
    pending_items = 0

    def flush() -> None:
        nonlocal pending_items
        raise_if_stopped()  # a Ctrl-C a finaliser swallowed stops the ingest before its next commit
        if pending:
            try:
                # One commit per flush; segments are merged once, after the last batch.
                summary.merge(index.add_meetings(pending, batch_size=max(batch_size, pending_items), merge=False))
            finally:
                discard_copies(pending)  # the published copies of documents: archived now, or given up
        pending.clear()  # in place: ``_discarding`` holds this list
        pending_items = 0

    # A caller's target is under the caller's lock (a harvest, a reindex); our own is under ours.
    lock = index.ingest_lock() if target is None or own_target else _nullcontext()
    # Closed on the way out: an interrupted or failed run stops its parsing workers at once.
    parsing = contextlib.closing(parse_inputs(inputs, cache_dir, workers, forgotten))
    with lock, parsing as parsed, _discarding(pending):
        sweep_stale_copies()  # a killed run's; never those of a process still running
        for n, (path_text, meetings, problem) in zip(owner, parsed, strict=True):
            progress.step(Path(path_text).name)
            if problem:
                summary.rejected.append(problem)
                problems[n].append(problem)
            read[n] += len(meetings)
            if check:
                left[n] -= 1
                if not left[n]:
                    check(sources[n], read[n], problems[n])
            if problem:
                continue
            pending.extend(meetings)
            pending_items += sum(len(m.items) for m in meetings)
            if pending_items >= batch_size:
                flush()
        flush()
        index.merge_segments()
        progress.close()
        if allow_forgotten:
            back = {e.id for e in registry.entries() if index.holds(e.id)}
            for entry in registry.remove(back):
                summary.warnings.append(f"{entry.id}: taken down on {entry.at} ({entry.reason}); indexed again")
        if record and (target is None or own_target):
            # A source that gave nothing but problems is not one: recorded, every later reindex
            # would fail on it ("no meeting could be read"), for good.
            index.record_sources(_source_records(s for n, s in enumerate(sources) if read[n] or not problems[n]))
        if summary.removed_ids and isinstance(index, MinutesIndex):
            Gone(index.root).add(summary.removed_ids)  # their old URLs answer 410 Gone
    if own_target:
        target.engine.close()  # the database's connections, opened above for this ingest
    return summary


# What an index folder holds besides its generations (``gen-…``): an ingest writes to a folder
# holding these, or nothing else.
_INDEX_ENTRIES = frozenset({"current", "archive", "textcache", "sources.json", "ingest.lock", "analysis.json"})


def refuse_a_folder_that_is_no_index(root: Path) -> None:
    """``--index`` naming a folder that holds other things (a folder of input data, say) is an
    error, never the place a new index is made among them: its files would then be mixed with
    the index's, and an ingest of the folder would read the index."""
    if not root.is_dir() or MinutesIndex.exists(root):
        return
    index_entries = _INDEX_ENTRIES | {REGISTRY, GONE}
    others = sorted(
        entry.name
        for entry in root.iterdir()
        if not entry.name.startswith((".", "gen-")) and entry.name not in index_entries
    )
    if others:
        raise IndexError_(
            f"{printable(str(root))}: not an index, and not empty (it holds {printable(others[0])}"
            f"{' …' if len(others) > 1 else ''}); give --index a new or empty folder, or an index"
        )


@contextlib.contextmanager
def _discarding(pending: list[Meeting]) -> Iterator[None]:
    """On the way out of an interrupted or failed ingest, delete the published copies of the
    documents read but not committed (a committed batch's are deleted by its flush)."""
    try:
        yield
    finally:
        discard_copies(pending)


def _source_records(sources: Iterable[Source]) -> list[dict[str, Any]]:
    return [
        {"path": str(s.path.resolve()), "format": s.format, "context": _context_dict(s.context)}
        for s in sources
        if s.path.exists()
    ]


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _context_dict(context: IngestContext) -> dict[str, Any]:
    data = asdict(context)
    if context.meeting_date:
        data["meeting_date"] = context.meeting_date.isoformat()
    return data


def _context_from_dict(data: dict[str, Any]) -> IngestContext:
    data = dict(data or {})
    if data.get("meeting_date"):
        data["meeting_date"] = date.fromisoformat(data["meeting_date"])
    return IngestContext(**data)


def meetings_held(location: str) -> int:
    """The meetings an index holds now (a reindex reads a meeting once per recorded source it is in)."""
    engine = open_engine(location)
    try:
        return engine.stats().meetings
    finally:
        engine.close()


def print_summary(summary: IngestSummary, out: TextIO, err: TextIO, held: int | None = None) -> None:
    """The ingest's (or reindex's) counts; ``held``: the meetings the index holds after a reindex,
    said beside those read when sources overlap (one meeting read from two recorded sources)."""
    meetings = str(summary.meetings)
    if held is not None and held != summary.meetings:
        meetings = f"{held} in the index (read {summary.meetings}: some are in more than one recorded source)"
    out.write(
        f"meetings: {meetings}  items added: {summary.items_added}  updated: {summary.items_updated}  "
        f"unchanged/skipped: {summary.items_skipped}  closed (not indexed): {summary.closed_items}  "
        f"attachments: {summary.attachments} ({summary.attachments_archived} archived)\n"
    )
    changes = [
        (summary.items_removed, "items withdrawn (not in the meeting's newest version), removed"),
        (summary.items_lost, "items not indexed: a later version of their meeting in this ingest left them out"),
        (summary.kept_closed, "items kept closed (an earlier version closed them)"),
        (summary.closed_by_older, "items closed by an older kind of document"),
        (summary.forgotten, "items left out (taken down with `minutes forget`)"),
        (summary.pruned, "archived or cached files no longer referenced, deleted"),
    ]
    for count, what in changes:
        if count:
            out.write(f"{what}: {count}\n")
    legacy = [w for w in summary.warnings if "legacy" in w.lower()]
    if legacy:
        out.write(f"note: text of {len(legacy)} legacy .DOC attachment(s) was not extracted (metadata kept)\n")
    # Each on one line whatever the names in it hold (``printable``): a file named
    # "evil\nrejected: forged line.txt" printed as two lines, the second a forged one.
    for warning in summary.warnings:
        err.write(f"warning: {printable(warning)}\n")
    for rejected in summary.rejected:
        err.write(f"rejected: {printable(rejected)}\n")


# -- commands -------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    context = IngestContext(
        municipality=args.municipality,
        committee=args.committee,
        meeting_date=args.date,
        extract_text=not args.no_text,
    )
    summary = ingest(
        args.paths,
        args.index,
        context,
        args.format,
        workers=args.workers,
        batch_size=args.batch_size,
        allow_reopen=args.allow_reopen,
        allow_forgotten=args.allow_forgotten,
    )
    print_summary(summary, sys.stdout, sys.stderr)
    if summary.tightened and is_url(str(args.index)):
        sys.stdout.write(
            COMPACT_NOTE.format(n=summary.tightened, what="closed or withdrawn", url=redact(str(args.index)))
        )
    warn_older_analysis_at(args.index)
    return 1 if summary.rejected else 0


def _search_params(args: argparse.Namespace) -> ParsedParams:
    """The options as the API reads its parameters (``indexer.search.params``): the same checks,
    normalisation and notices; ``--limit`` is the command's own (the API's pages hold ten)."""
    pairs: list[tuple[str, str]] = [("q", " ".join(args.query))] if args.query else []
    for option, name in (
        ("committee", "committee"),
        ("topic", "topic"),
        ("municipality", "municipality"),
        ("type", "type"),
        ("year", "year"),
        ("date_from", "from"),
        ("date_to", "to"),
        ("sort", "sort"),
        ("page", "page"),
    ):
        value = getattr(args, option)
        pairs += [(name, v) for v in (value if isinstance(value, list) else [value] if value is not None else [])]
    pairs += [(name, "1") for name in ("literal", "every_treatment") if getattr(args, name)]
    return parse_search_args(Params(pairs), per_page=args.limit)


def cmd_search(args: argparse.Namespace) -> int:
    params = _search_params(args)
    if params.rejected:  # as /api/search answers 400: say what is wrong rather than answer another question
        sys.stderr.write(f"error: {' '.join(params.rejected)}\n")
        return 2
    # Closed here, not left to the garbage collector: a database's pool has threads of its own.
    with contextlib.closing(open_search_service(args.index, getattr(args, "read_replica", None))) as service:
        warn_older_analysis(service.engine)
        return _print_search(service, params, args.json)


def _print_search(service: SearchService, params: ParsedParams, as_json: bool) -> int:
    response, notices = search_to_the_end(params, lambda p: service.search(p.request))
    request = params.request
    if as_json:
        data = response.to_dict()
        data["filters"] = filters_of(request)
        data["notices"] = notices

        def link(page: int) -> str:  # the API's request for the same search: relative, the server's to place
            return "/api/search?" + urlencode(search_args(request, page=page), doseq=True)

        data["links"] = {
            "self": link(request.page),
            "first": link(1),
            "last": link(response.pages),
            "next": link(request.page + 1) if request.page < response.pages else None,
            "prev": link(request.page - 1) if request.page > 1 else None,
            "html": "/?" + urlencode(search_args(request), doseq=True),
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 2 if response.error else 0
    if response.error:
        sys.stderr.write(response.error + "\n")
        return 2
    for notice in notices:  # what the page says above its results, where a pipe does not read it
        sys.stderr.write(notice + "\n")
    print(results_label(response.total))
    if response.corrected_from:
        typed, shown = response.corrected_from, response.request.q
        if response.typed_total is None:  # only spelt with æ/ø/å as the minutes write it
            print(f"Viser resultater for «{shown}», som referaterne staver det (søg med --literal for «{typed}»).")
        else:
            found = f"Kun {response.typed_total}" if response.typed_total else "Ingen"
            print(f"Viser resultater for «{shown}». {found} for «{typed}» (søg med --literal for kun den).")
    if response.also_corrected:
        typed, shown = response.request.q, response.also_corrected
        print(
            f"Kun {response.typed_total} for «{typed}»; derefter resultater for «{shown}» (søg med --literal for kun de første)."
        )
    if response.partial:  # the page's line
        print(response.partial.line(response.request.q, bool(response.also_corrected)))
    if response.suggestion:
        print(f"Mente du: {response.suggestion}")
    for n, hit in enumerate(response.results, start=(response.request.page - 1) * response.request.per_page + 1):
        day = (hit["meeting_date"] or "")[:10]
        print(f"\n{n}. {hit['title'] or '(uden titel)'}")
        print(  # as the search page: an item with no agenda number shows none
            f"   {hit['committee']} · {day}"
            + (f" · punkt {hit['item_number']}" if hit["item_number"] else "")
            + (f" · sag {hit['case_number']}" if hit["case_number"] else "")
        )
        snippet = (
            hit["snippet"]
            .replace("<mark>", "\033[1m" if sys.stdout.isatty() else "[")
            .replace("</mark>", "\033[0m" if sys.stdout.isatty() else "]")
        )
        if hit.get("snippet_field"):  # an item with no text has none
            print(f"   {hit['snippet_field']}: {html.unescape(snippet)}")
        if hit.get("correction"):
            print(f"   fundet for: {hit['correction']}")
        if hit.get("missing"):
            print(f"   mangler: {', '.join(hit['missing'])}")
        print(f"   id: {hit['id']}")
        for treatment in hit.get("also_treated", []):
            day = (treatment["meeting_date"] or "")[:10]
            print(f"   også behandlet: {treatment['committee']} · {day} · id {treatment['id']}")
    return 0


def results_label(total: int) -> str:
    """Danish: "1 resultat", "0 resultater", "12 resultater"."""
    return f"{total} resultat" if total == 1 else f"{total} resultater"


def cmd_stats(args: argparse.Namespace) -> int:
    with contextlib.closing(open_search_service(args.index, getattr(args, "read_replica", None))) as service:
        warn_older_analysis(service.engine)
        stats = service.stats()
        database = getattr(service.engine, "takedowns", None)  # the server engine keeps them in a table
        registry = database() if database is not None else Registry(Path(args.index))
        stats["forgotten"] = [asdict(e) for e in registry.entries()]
    if args.json:
        json.dump(stats, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"index: {stats['index']}")
    print(
        f"items: {stats['items']} ({stats['open_items']} open, {stats['closed_items']} closed stubs) in {stats['meetings']} meetings"
    )
    if stats["first_meeting"]:
        print(f"meetings from {stats['first_meeting']} to {stats['last_meeting']}")
    written, current = stats["analysis_version"], stats["analysis_current"]
    if written == current:
        said = "this version's"
    elif written < current:
        said = f"older than this version's {current}; run `minutes reindex --index {stats['index']}`"
    else:
        said = f"newer than this version's {current}"
    print(f"text analysis: version {written} ({said})")
    for name, counts in stats["facets"].items():
        if counts:
            top = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            print(f"{name}: {top}")
    forgotten = stats.get("forgotten") or []
    print(f"taken down (minutes forget): {len(forgotten)}")
    for entry in forgotten:
        print(f"  {entry['id']} ({entry['kind']}, {entry['at']}): {entry['reason']}")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from indexer.harvest.firstagenda import clean_after_takedown

    reason = " ".join(args.reason.split())
    if not reason:
        sys.stderr.write("error: --reason must say why (it is recorded with the id, never any content)\n")
        return 2
    wanted = list(dict.fromkeys(args.ids))
    sweep_stale_copies()  # a forget re-blanks documents in the cache too: a killed run's copies go first
    database = _postgres_ingest_target(args.index)
    if database is not None:  # one transaction; the ids go to the withdrawn table (410), the record to takedowns
        try:
            with database.ingest_lock():  # a harvest or ingest of this database is not running
                found = database.forget(wanted)
                at = now()
                kept = record(database.takedowns(), [TakeDown(i, k, at, reason, n) for i, (k, n) in found.items()])
                cleaned = clean_after_takedown(database, database.engine)
        finally:
            database.engine.close()
        _print_forgotten(found, kept)
        for line in cleaned:
            print(line)
        removed = sum(count for kind, count in found.values() if kind != "unknown")
        if removed:
            # their rows leave the tables as a closure's do: dead bytes until the tables are rewritten
            sys.stdout.write(COMPACT_NOTE.format(n=removed, what="taken down", url=redact(str(args.index))))
        return 0
    index = MinutesIndex.open(args.index)
    with index.ingest_lock():
        with index.ix.searcher() as searcher:  # the items' ids, a meeting's too: their URLs answer 410
            items = [d["id"] for i in wanted for d in [*searcher.documents(id=i), *searcher.documents(meeting_id=i)]]
        found = index.remove(wanted)
        meetings = [i for i, (kind, _) in found.items() if kind == "meeting"]  # the meeting's page too
        Gone(index.root).add(items + meetings)
        at = now()
        kept = record(Registry(index.root), [TakeDown(i, k, at, reason, n) for i, (k, n) in found.items()])
        cleaned = clean_after_takedown(index)  # under the lock: a harvest of this index is not running
    _print_forgotten(found, kept)
    for line in cleaned:
        print(line)
    return 0


def _print_forgotten(found: dict[str, tuple[str, int]], kept: dict[str, TakeDown]) -> None:
    for item_id, (kind, count) in found.items():
        if item_id in kept:
            print(f"{item_id}: already taken down at {kept[item_id].at}; that record is kept")
        elif kind == "unknown":
            print(f"{item_id}: not in the index; recorded, so it is never indexed")
        else:
            print(f"{item_id}: {kind} forgotten ({count} item(s) removed from index, archive and text cache)")


ENV_CONTACT = "MINUTES_HARVEST_CONTACT"


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not rate >= 0 or rate == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of requests per second (0 or more)")
    return rate


def cmd_harvest(args: argparse.Namespace) -> int:
    from indexer.harvest.client import HarvestError, Politeness
    from indexer.harvest.firstagenda import HarvestOptions, harvest

    contact = args.contact or os.environ.get(ENV_CONTACT, "").strip()
    if not contact:
        sys.stderr.write(
            f"error: say who runs this harvest: --contact or ${ENV_CONTACT} (an e-mail address or URL the "
            "portal's operators can reach you at; it goes in the User-Agent)\n"
        )
        return 2
    politeness = Politeness(contact=contact, rate=args.rate, concurrency=args.concurrency, retries=args.retries)
    options = HarvestOptions(
        since=args.since,
        committees=list(args.committee or []),
        municipality=args.municipality,
        attachments=not args.no_attachments,
        extract_text=not args.no_text,
        batch_items=max(1, args.batch_size),
    )
    try:
        summary = harvest(args.url, args.index, politeness, options, state_root=args.state)
    except (HarvestError, ValueError) as exc:
        if (interrupt := interrupt_behind(exc)) is not None:
            raise interrupt from None  # stopped, and a read cut short failed after: said as a stop (main)
        sys.stderr.write(f"error: {exc}; nothing indexed before was changed\n")
        return 2
    if summary.swept:
        print(summary.swept)
    print(summary.line())
    if summary.ingest.items_added or summary.ingest.items_updated:
        print_summary(summary.ingest, sys.stdout, sys.stderr)
    if summary.ingest.tightened and is_url(str(args.index)):
        sys.stdout.write(
            COMPACT_NOTE.format(n=summary.ingest.tightened, what="closed or withdrawn", url=redact(str(args.index)))
        )
    for problem in summary.problems:
        sys.stderr.write(f"failed: {problem}\n")
    warn_older_analysis_at(args.index)
    return 1 if summary.failed or summary.attachments_failed else 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from indexer.engines.postgres.cli import reindex_database

    if (done := reindex_database(args)) is not None:
        return done
    index = MinutesIndex.open_or_create(args.index, require_current_format=False)  # an older format is rebuilt
    sources = index.sources()
    if not sources and index.ix is not None and index.holds_nothing():
        # Nothing to rebuild, but an index made by an older version (its format refused on open)
        # becomes this version's: an empty generation of the current format is swapped in.
        with index.ingest_lock():
            rebuild(Path(args.index), lambda fresh: IngestSummary())
        print("reindex complete: the index holds nothing; it is now in this version's format")
        return 0
    sources, refused = sources_to_replay(sources, args.drop_source, str(args.index))
    if refused is not None:
        return refused
    total = IngestSummary()
    kept_as_is = "nothing changed, the old index is still served"

    def build(fresh: MinutesIndex) -> IngestSummary:
        replay_sources(sources, args.index, fresh, total)
        return total

    with index.ingest_lock():
        try:
            say_swept(sources)  # under the run lock: no harvest writes the folders meanwhile
            rebuild(Path(args.index), build)  # drops the new generation if it raises
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (see main)
            stop = stop_of(interrupt)
            sys.stderr.write(f"reindex {stop.word}: {kept_as_is}\n")
            return stop.status
        except (SourceFailed, OSError) as exc:
            sys.stderr.write(f"reindex failed ({printable(' '.join(str(exc).split()))}): {kept_as_is}\n")
            if isinstance(exc, SourceFailed):
                sys.stderr.write(way_out(exc.path, str(args.index)))
            return 1
        if args.drop_source:
            index.drop_sources([s["path"] for s in index.sources() if s not in sources])
        total.pruned += MinutesIndex.open(args.index).prune()  # whatever no open item refers to any more
    print_summary(total, sys.stdout, sys.stderr, held=meetings_held(str(args.index)))
    print("reindex complete: the new index is live")
    return 1 if total.rejected else 0


def say_swept(sources: list[dict[str, Any]], database: Any = None) -> set[str]:
    """Before a rebuild reads them (under the run lock), the harvest folders among ``sources``
    written under an older redaction rule are redacted again, as the next harvest would
    (``sweep_recorded``): the rebuild reads the folder as the current rule keeps it.  Returns
    the content hashes of the attachments deleted, whose cached text goes once the rebuild is live."""
    from indexer.harvest.firstagenda import sweep_recorded

    lines, released = sweep_recorded(sources, database)
    for line in lines:
        sys.stderr.write(printable(line) + "\n")
    return released


class SourceFailed(RuntimeError):
    """A recorded source gave nothing on ``reindex``: the rebuild is dropped, the live index stays."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: no meeting could be read ({problem})")
        self.path = path


def way_out(path: Path | str, index: str) -> str:
    """The line after a reindex refused for a source that fails or is gone: how to rebuild
    without it (an index may hold one recorded before ingest stopped recording rejected inputs)."""
    return f"to rebuild without it: minutes reindex --index {shlex.quote(redact(index))} --drop-source {shlex.quote(printable(str(path)))}\n"


def sources_to_replay(
    sources: list[dict[str, Any]], drop: Sequence[Path] | None, index: str
) -> tuple[list[dict[str, Any]], int | None]:
    """The recorded sources a reindex reads, less those ``--drop-source`` names; and the exit
    status when it must not start (nothing recorded, a source gone, a dropped one not recorded),
    said on stderr."""
    dropping = {str(Path(path).resolve()): path for path in drop or []}
    recorded = {str(s["path"]) for s in sources}
    unknown = [path for key, path in dropping.items() if key not in recorded]
    if unknown:
        for path in unknown:
            sys.stderr.write(f"{printable(str(path))}: not a recorded source of this index; nothing changed\n")
        return sources, 2
    sources = [s for s in sources if str(s["path"]) not in dropping]
    if not sources:
        sys.stderr.write(f"{redact(index)}: no recorded sources to rebuild from; ingest something first\n")
        return sources, 2
    gone = [s["path"] for s in sources if not Path(s["path"]).exists()]
    if gone:
        for path in gone:
            sys.stderr.write(f"{printable(str(path))}: recorded source is gone; the index was left as it was\n")
            sys.stderr.write(way_out(path, index))
        return sources, 2
    return sources, None


def default_batch_size() -> int:
    """Items per committed batch of ``minutes ingest`` and of the reindex that reads its
    sources again: $MINUTES_BATCH_SIZE, else ``DEFAULT_BATCH_SIZE``."""
    return int(os.environ.get("MINUTES_BATCH_SIZE") or 0) or DEFAULT_BATCH_SIZE


def replay_sources(sources: list[dict[str, Any]], index_root: Path, target: Any, total: IngestSummary) -> None:
    """Ingest every recorded source again into ``target`` (a rebuild not yet live), adding to
    ``total``.  A source of which no meeting could be read raises SourceFailed before another
    commit: swapping in a rebuild without it would unpublish all it held.

    All sources in one run (``ingest_sources``): batches of the ingest's size
    (``default_batch_size``) that cross sources, and one merge at the end.  Source by source, an
    index recorded from 376 files of 20 items made 376 commits and 376 merges (a vacuum each on
    PostgreSQL), 83 s CPU where one ingest of the same 10,000 items takes 13 s.  Not
    ``ingest()``'s 1,000 items a batch either: more segments for the merge to rewrite.  A
    smaller batch buys a reindex nothing: the rebuild is swapped in whole or dropped whole."""

    def check(source: Source, meetings: int, problems: list[str]) -> None:
        if problems and not meetings:
            raise SourceFailed(source.path, problems[0])

    found = ingest_sources(
        [Source.from_record(s) for s in sources],
        index_root,
        batch_size=default_batch_size(),
        record=False,
        target=target,
        check=check,
    )
    total.merge(found)


def cmd_optimize(args: argparse.Namespace) -> int:
    """Merge an existing index's segments by the ingest's tiered policy (``--factor`` smaller:
    fewer segments, more rewriting).  An ingest does this itself when it ends; this is for an
    index written before, or to merge harder."""
    if is_url(str(args.index)):
        return _optimize_database(args)
    factor = MERGE_FACTOR if args.factor is None else args.factor
    index = MinutesIndex.open(args.index)
    before = len(index.ix._segments())
    started = time.monotonic()

    def said(done: int, planned: int) -> None:
        sys.stderr.write(f"merge {done} of {planned} done\n")

    with index.ingest_lock():
        merges = index.merge_segments(factor=factor, progress=said)
    after = len(index.ix._segments())
    print(f"{args.index}: {before} segments -> {after} ({merges} merges, {time.monotonic() - started:.1f} s)")
    return 0


def _optimize_database(args: argparse.Namespace) -> int:
    """PostgreSQL: rewrite the content tables (VACUUM FULL, then ANALYZE), so the rows of items
    closed, withdrawn or forgotten leave the table files; a plain VACUUM leaves their bytes in
    the files' free space.  ``--factor`` is the Whoosh merge's (segments merged at once) and has
    nothing to set here: refused in one line before the database is opened, where it was
    accepted and ignored."""
    if args.factor is not None:
        sys.stderr.write(
            "minutes optimize: error: argument --factor: applies to the embedded index (a folder) only; "
            "on PostgreSQL optimize rewrites the tables and has no segments to merge\n"
        )
        return 2
    database = _postgres_ingest_target(args.index)
    started = time.monotonic()
    try:
        with database.ingest_lock():  # as the embedded engine's merge: not beside an ingest or a forget
            timings = database.engine.compact()
    finally:
        database.engine.close()
    spent = ", ".join(f"{table} {seconds:.1f} s" for table, seconds in timings)
    print(f"{redact(str(args.index))}: content tables rewritten ({spent}; {time.monotonic() - started:.1f} s in all)")
    return 0


# Said after an ingest into PostgreSQL that closed or withdrew items it held open, and a take-down.
COMPACT_NOTE = (
    "note: {n} item(s) {what}; their old rows stay in the database's free space "
    "until `minutes optimize --index {url}` rewrites the tables\n"
)


def cmd_topics(args: argparse.Namespace) -> int:
    import importlib

    topic_index = importlib.import_module("indexer.topic_index")
    return int(topic_index.run(args))


def cmd_serve(args: argparse.Namespace) -> int:
    from webui import ListenError, serve

    try:
        return serve(
            index_dir=args.index,
            host=args.host,
            port=args.port,
            threads=args.threads,
            read_replica=getattr(args, "read_replica", None),
            log_queries=False if args.no_query_log else None,
            workers=max(1, getattr(args, "workers", 1) or 1),
        )
    except ListenError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


def cmd_demo(args: argparse.Namespace) -> int:
    root = args.index  # a folder, or a postgresql:// URL (a database `minutes db init` made)
    if _demo_to_build(root):
        print(f"building the demo index from {REPO_DATA} into {redact(str(root))} …")
        with stop_on_sigterm():  # as an ingest (see main); serving has its own handling
            summary = ingest([REPO_DATA], root)
        print_summary(summary, sys.stdout, sys.stderr)
    with contextlib.closing(SearchService(root)) as service:
        sample = service.search(SearchRequest(q="sociale medier", per_page=3))
    whole = f" ({sample.partial.whole} med begge ord)" if sample.partial else ""
    print(f"sample search 'sociale medier': {results_label(sample.total)}{whole}")
    for hit in sample.results:
        print(f"  - {hit['title']} ({hit['committee']}, {(hit['meeting_date'] or '')[:10]})")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def _demo_to_build(location: Path | str) -> bool:
    """Whether the demo's index is still to be built: a folder with no index or an empty one, a
    database that holds no item."""
    if is_url(str(location)):
        with contextlib.closing(open_search_service(location)) as service:
            return int(service.engine.stats().items) == 0
    root = Path(location)
    return not MinutesIndex.exists(root) or MinutesIndex.open(root).doc_count() == 0


# -- argument parsing ----------------------------------------------------------


def iso_date(text: str) -> date:
    """An argparse type: a real calendar date written YYYY-MM-DD, or a clear error."""
    parsed = parse_iso_date(text) if len(text.strip()) == 10 else None
    if parsed is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2016-12-01")
    return parsed


def positive_int(upper: int) -> Any:
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= upper:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 1 to {upper}")
        return value

    return check


def merge_factor(text: str) -> int:
    """``optimize --factor``: refused by the parser, as ``--limit`` is (a merge of one segment at a time merges nothing)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 2 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minutes", description="Search and archive for Danish municipal committee minutes."
    )
    parser.add_argument("--version", action="version", version="minutes-search 0.1.0")
    sub = parser.add_subparsers(dest="command", required=True)

    def index_option(p: argparse.ArgumentParser, fallback: Path | None = None) -> None:
        p.add_argument(
            "--index",
            type=index_location,
            # $MINUTES_INDEX read as --index is (a postgresql:// URL stays one: a Path folds its "//")
            default=index_location(os.environ.get(ENV_INDEX) or str(fallback)) if fallback else default_index_dir(),
            help=f"index folder or postgresql:// URL (default: ${ENV_INDEX} or {fallback or default_index_dir()})",
        )

    p = sub.add_parser("ingest", help="read minutes and add them to the index")
    p.add_argument("paths", nargs="+", type=Path)
    index_option(p)
    p.add_argument(
        "--format",
        choices=sorted(n for n, m in available_formats().items() if getattr(m, "FORCEABLE", True)),
        help="skip detection and read every input as this format",
    )
    p.add_argument("--municipality", help="municipality, for inputs whose text lacks it")
    p.add_argument("--committee", help="committee, for inputs whose text lacks it")
    p.add_argument("--date", type=iso_date, help="meeting date YYYY-MM-DD, for inputs whose text lacks it")
    p.add_argument("--no-text", action="store_true", help="do not extract attachment text")
    p.add_argument(
        "--allow-reopen",
        action="store_true",
        help="let these inputs open items an earlier version closed (access otherwise only tightens)",
    )
    p.add_argument(
        "--allow-forgotten",
        action="store_true",
        help="let items taken down with `minutes forget` in again (their take-down records are dropped)",
    )
    p.add_argument("--workers", type=positive_int(256), default=None, help="parser processes (default: up to 2)")
    p.add_argument(
        "--batch-size",
        type=positive_int(1_000_000),
        default=default_batch_size(),
        help=f"items per committed batch (default: $MINUTES_BATCH_SIZE or {DEFAULT_BATCH_SIZE}); a crash loses at most one batch",
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("harvest", help="fetch a FirstAgenda portal's meetings and index them (incremental)")
    p.add_argument("url", help="the portal, e.g. https://dagsordener.greve.dk")
    index_option(p)
    p.add_argument("--since", type=iso_date, help="only meetings on or after this date (YYYY-MM-DD)")
    p.add_argument("--committee", action="append", help="only this committee (repeatable)")
    p.add_argument("--municipality", help="municipality (default: from the portal's host name)")
    p.add_argument(
        "--state",
        type=Path,
        help="folder for the harvest's documents and attachments (default: the index folder; "
        "required with a postgresql:// index, whose harvest state is kept in the database)",
    )
    p.add_argument("--contact", help=f"operator contact for the User-Agent (default: ${ENV_CONTACT})")
    p.add_argument(
        "--rate",
        type=_rate,
        default=1.0,
        help="requests per second at most (default 1; 0 = no limit, for your own server)",
    )
    p.add_argument("--concurrency", type=int, choices=[1, 2], default=2, help="requests in flight at most (default 2)")
    p.add_argument("--retries", type=int, default=4, help="retries of a 5xx or timed-out request (default 4)")
    p.add_argument("--no-attachments", action="store_true", help="do not download attachments")
    p.add_argument("--no-text", action="store_true", help="do not extract attachment text")
    p.add_argument(
        "--batch-size",
        type=positive_int(1_000_000),
        default=1000,
        help="items per committed batch (default 1000); a kill loses at most one",
    )
    p.set_defaults(func=cmd_harvest)

    p = sub.add_parser("search", help="search the index")
    p.add_argument("query", nargs="*")
    index_option(p)
    p.add_argument("--committee", action="append")
    p.add_argument("--topic", action="append")
    p.add_argument("--municipality", action="append")
    # Checked as /api/search checks its parameters (indexer.search.params), not by argparse: the
    # same values are refused with the same words, and a reversed range is swapped with a notice.
    p.add_argument("--type", action="append", help="dagsorden or referat")
    p.add_argument("--year", action="append", help="meeting year, four digits")
    p.add_argument("--from", dest="date_from", help="meetings on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="meetings on or before YYYY-MM-DD")
    p.add_argument("--sort", help="relevance, newest or oldest")
    p.add_argument("--limit", type=positive_int(100), default=10, help="results per page, 1-100 (default 10)")
    p.add_argument("--page", help="page number from 1 (past the last: the last page, with a notice)")
    p.add_argument("--literal", action="store_true", help="search only what was typed, never its correction")
    p.add_argument(
        "--every-treatment",
        action="store_true",
        help="list each treatment of a case as its own hit, not under the case's first",
    )
    p.add_argument("--json", action="store_true")

    p.add_argument("--read-replica", help="postgresql:// URL of a read replica to search (PostgreSQL engine)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", help="what the index holds")
    index_option(p)
    p.add_argument("--read-replica", help="postgresql:// URL of a read replica (PostgreSQL engine)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("forget", help="take items or meetings down everywhere, and keep them out")
    p.add_argument("ids", nargs="+", metavar="ITEM_ID|MEETING_ID")
    p.add_argument("--reason", required=True, help="why (recorded with the id and time; never any content)")
    index_option(p)
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("reindex", help="rebuild the index from the recorded sources and swap it in")
    index_option(p)
    p.add_argument(
        "--drop-source",
        action="append",
        type=Path,
        metavar="PATH",
        help="rebuild without this recorded source, and forget it (repeatable)",
    )
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser(
        "optimize",
        help="merge the index's segments into fewer (an ingest does it when it ends); on PostgreSQL, rewrite "
        "the content tables (VACUUM FULL) so rows of closed, withdrawn or forgotten items leave the files",
    )
    index_option(p)
    p.add_argument(
        "--factor",
        type=merge_factor,
        default=None,
        help=f"segments merged at once, per size level (default {MERGE_FACTOR}; the embedded index only)",
    )
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser("topics", help="KLE topics: load a KLE file, re-classify the index")
    p.add_argument("action", choices=["load", "rebuild"])
    p.add_argument("file", nargs="?", type=Path)
    index_option(p)
    p.set_defaults(func=cmd_topics)

    for name, helptext in (
        ("serve", "serve the web UI and JSON API"),
        ("demo", "build the demo index from data/ and serve it"),
    ):
        p = sub.add_parser(name, help=helptext)
        index_option(p, Path(DEMO_INDEX) if name == "demo" else None)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=positive_int(65535), default=8080)
        p.add_argument(
            "--threads",
            type=positive_int(1024),
            default=4,
            help="server threads (default 4: searches are CPU-bound, more threads only queue)",
        )
        p.add_argument("--read-replica", help="postgresql:// URL of a read replica to answer searches")
        p.add_argument(
            "--no-query-log",
            action="store_true",
            help="log paths without query strings (searches can carry personal data)",
        )
        p.add_argument(
            "--workers",
            type=positive_int(256),
            default=1,
            help="server processes sharing one socket and the memory-mapped index (default 1; up to one per core)",
        )
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="build and print a sample search, then stop")
        p.set_defaults(func=cmd_demo if name == "demo" else cmd_serve)
    from indexer.engines.postgres.cli import add_db_commands

    add_db_commands(sub, index_option)
    return parser


def _demo_hint(args: argparse.Namespace) -> str:
    """After `minutes demo` the index is var/demo-index, not the default: say so."""
    demo = Path(DEMO_INDEX)
    if args.command == "demo" or Path(getattr(args, "index", "")).resolve() == demo.resolve():
        return ""
    if not MinutesIndex.exists(demo):
        return ""
    return f"hint: the demo index is in {demo}; add --index {demo}, e.g. minutes {args.command} --index {demo} …\n"


# Commands that write the index: SIGTERM to them cancels as Ctrl-C does (``stop_on_sigterm``).
STOPPED_BY_SIGTERM = frozenset({"ingest", "harvest", "reindex", "optimize", "topics", "forget"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # psycopg logs a warning when a connection cannot roll back, as when a Ctrl-C or SIGTERM
    # cuts a statement short; with no logging set up, Python printed it beside the command's
    # own one line ("error ignored in rollback …"). Where logging is set up (`serve`), it still
    # reaches the configured handlers.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    try:
        with stop_on_sigterm() if args.command in STOPPED_BY_SIGTERM else contextlib.nullcontext():
            return int(args.func(args))
    except BrokenPipeError:
        # `minutes search … | head -1`: the reader has all it wanted; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (IndexError_, FormatError, *DATABASE_ERRORS) as exc:
        sys.stderr.write(f"error: {printable(database_error_text(exc, getattr(args, 'index', '')))}\n")
        hint = _demo_hint(args)
        if isinstance(exc, IndexMissing) and hint:
            sys.stderr.write(hint)
        return 2
    except OSError as exc:  # disk full, read-only folder: the batch in flight was not committed
        where = redact(str(exc.filename or getattr(args, "index", "")))
        sys.stderr.write(
            f"error: {where}: {exc.strerror or exc}; batches committed before this are kept and the index is usable\n"
        )
        return 2
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM to a command that writes
        stop = stop_of(interrupt)
        sys.stderr.write(f"{stop.word}: batches committed so far are kept; nothing half-written was committed\n")
        return stop.status


if __name__ == "__main__":
    sys.exit(main())
