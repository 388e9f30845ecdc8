"""Where ingest spends its time: parse, tokens, analysis, topics, document, write, commit.

    python benchmarks/ingest_stages.py --greve --generated 20000 --with-kle --work /tmp/stages
    python benchmarks/ingest_stages.py PATH... --work /tmp/stages      # any inputs

Corpora: the real Greve FirstAgenda API documents (tests/fixtures/firstagenda-api/greve:
2,991 items, case numbers like 21-014420, no KLE code, so every topic comes from the
text), and generated corpora (``generate_corpus.py``) with and without KLE journal
numbers.  For each corpus two measurements:

1. **Stages**, in one process with one writer, so the stages do not overlap and each is
   timed on its own, in CPU seconds of this process (the machine may be shared; CPU time
   does not count the waits for other people's work): *parse* (format reader), *tokens* (texts as
   word ids, ``indexer.analysis.tokens``: each distinct line once, read by the classifier and
   the writer alike), *topics* (the classifier, case number and text, a whole batch at once as
   ingest does, less its tokens), *document* (building the stored and indexed fields, topics excluded),
   *analysis* (the Danish analysis: of each new surface word in the bulk writer, of whole
   fields where a writer still analyses them; timed inside the writer),
   *write* (add_document less the tokens and analysis), *commit*
   (segments written, batches of ``--batch-size``) and *full gc* (Python's full garbage
   collections, wherever they ran: see ``Clock``).  Shares are of their sum.
2. **Whole process**: ``minutes ingest`` as users run it (parse workers and forked
   writers on both cores), wall time and items/s, beside the stage run.

Results print as a Markdown table and go to ``WORK/stages.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import write_corpus  # noqa: E402
from indexer.analysis import fastterms, tokens  # noqa: E402
from indexer.engines.whoosh import index as whoosh_index  # noqa: E402
from indexer.formats import IngestContext, iter_inputs  # noqa: E402
from indexer.model import Meeting  # noqa: E402

GREVE = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
STAGES = ("parse", "tokens", "analysis", "topics", "document", "write", "commit", "full gc")


@dataclass
class StageRun:
    corpus: str
    items: int
    seconds: dict[str, float] = field(default_factory=dict)
    topic_sources: dict[str, int] = field(default_factory=dict)
    full_gc_in: dict[str, float] = field(default_factory=dict)
    process_seconds: float | None = None

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def share(self, stage: str) -> float:
        return self.seconds.get(stage, 0.0) / self.total if self.total else 0.0

    @property
    def items_per_s(self) -> float:
        return self.items / self.total if self.total else 0.0

    @property
    def process_items_per_s(self) -> float | None:
        return self.items / self.process_seconds if self.process_seconds else None


class Clock:
    """Accumulated seconds per stage.  ``wrap`` times every call of a function, ``timing`` a
    block; time spent inside another timed function counts for that one only (the writer's
    analysis and tokens are not write time).  Python's full garbage collections (generation
    2) count as a stage of their own, *full gc*: one traverses every object the process holds
    (here every parsed item of the corpus), and runs in whichever stage happens to allocate
    when enough objects have outlived younger collections since the last one — mostly the
    first stage of a batch, paying for the write and commit of the batch before."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._stack: list[str] = []
        self._gc_started = 0.0
        self.full_gc_in: dict[str, float] = {}  # full collections by the stage they ran in

    def collecting(self, phase: str, info: dict[str, int]) -> None:
        """A ``gc.callbacks`` hook: a full collection inside a timed stage is *full gc* time."""
        if info.get("generation") != 2 or not self._stack:
            return
        if phase == "start":
            self._gc_started = time.process_time()
        else:
            spent = time.process_time() - self._gc_started
            self.seconds["full gc"] += spent
            self.full_gc_in[self._stack[-1]] = self.full_gc_in.get(self._stack[-1], 0.0) + spent

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.timing(stage):
                return function(*args, **kwargs)

        return timed

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        before = sum(self.seconds.values())
        start = time.process_time()
        self._stack.append(stage)
        try:
            yield
        finally:
            self._stack.pop()
            spent = time.process_time() - start
            self.seconds[stage] += spent - (sum(self.seconds.values()) - before)


def parse_all(paths: list[Path], clock: Clock) -> list[Meeting]:
    meetings: list[Meeting] = []
    for path, module in iter_inputs(paths):
        if module is None:
            continue
        with clock.timing("parse"):
            try:
                meetings += list(module.parse(path, IngestContext(extract_text=False)))
            except Exception as exc:  # a rejected input is reported, as ingest does
                sys.stderr.write(f"{path}: {exc}\n")
    return meetings


def batches(meetings: list[Meeting], size: int) -> Iterator[list[Meeting]]:
    batch: list[Meeting] = []
    items = 0
    for meeting in meetings:
        batch.append(meeting)
        items += len(meeting.items)
        if items >= size:
            yield batch
            batch, items = [], 0
    if batch:
        yield batch


def measure_stages(name: str, paths: list[Path], work: Path, batch_size: int) -> StageRun:
    """Ingest ``paths`` into a fresh index in this process, each stage timed apart."""
    clock = Clock()
    gc.callbacks.append(clock.collecting)
    try:
        return _measure_stages(clock, name, paths, work, batch_size)
    finally:
        gc.callbacks.remove(clock.collecting)


def _measure_stages(clock: Clock, name: str, paths: list[Path], work: Path, batch_size: int) -> StageRun:
    meetings = parse_all(paths, clock)
    root = work / f"index-{name}"
    shutil.rmtree(root, ignore_errors=True)
    index = whoosh_index.MinutesIndex.create(root)
    sources: dict[str, int] = {}

    original_topics = whoosh_index.topics_for
    original_positions = fastterms.term_positions
    original_term_of = fastterms.term_of
    original_word_ids = tokens.word_ids
    original_many_word_ids = tokens.many_word_ids
    timed_topics = clock.wrap("topics", original_topics)
    timed_batch_topics = clock.wrap("topics", whoosh_index.topics_for_items)

    def count(found: list[dict[str, Any]]) -> None:
        key = str(found[0]["source"]) if found else "none"
        sources[key] = sources.get(key, 0) + 1

    def topics_for(item: Any, committee: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = timed_topics(item, committee)
        count(found)
        return found

    whoosh_index.topics_for = topics_for  # type: ignore[assignment]
    fastterms.term_positions = clock.wrap("analysis", original_positions)  # type: ignore[assignment]
    # The bulk writer analyses each new surface word once (``term_of``), inside add_document.
    fastterms.term_of = clock.wrap("analysis", original_term_of)
    # Texts become word ids once, for the classifier and the writer alike.
    tokens.word_ids = clock.wrap("tokens", original_word_ids)
    tokens.many_word_ids = clock.wrap("tokens", original_many_word_ids)
    items = 0
    try:
        for batch in batches(meetings, batch_size):
            writer = index._writer(procs=1)
            summary = whoosh_index.IngestSummary()
            # As ingest does: the batch's topics at once, then a document per item.
            batch_topics = timed_batch_topics([(meeting, item) for meeting in batch for item in meeting.items])
            for found in batch_topics.values():
                count(found)
            for meeting in batch:
                for position, item in enumerate(meeting.items):
                    with clock.timing("document"):
                        document = index.document_for(meeting, item, position, summary, batch_topics.get(id(item)))
                    with clock.timing("write"):
                        writer.add_document(**document)
                    items += 1
            with clock.timing("commit"):
                writer.commit(merge=False)
    finally:
        whoosh_index.topics_for = original_topics  # type: ignore[assignment]
        fastterms.term_positions = original_positions  # type: ignore[assignment]
        fastterms.term_of = original_term_of
        tokens.word_ids = original_word_ids
        tokens.many_word_ids = original_many_word_ids
    shutil.rmtree(root, ignore_errors=True)
    return StageRun(name, items, clock.seconds, sources, full_gc_in=clock.full_gc_in)


def measure_process(name: str, paths: list[Path], work: Path) -> float:
    """Wall seconds of ``minutes ingest`` over the inputs, as a user runs it."""
    # (wall time, not CPU: parse workers and writers run in several processes)
    root = work / f"process-{name}"
    shutil.rmtree(root, ignore_errors=True)
    command = [sys.executable, "-m", "indexer.cli", "ingest", *map(str, paths), "--index", str(root)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"minutes ingest failed for {name}: {done.stderr.strip()[-500:]}")
    shutil.rmtree(root, ignore_errors=True)
    return seconds


def table(runs: list[StageRun]) -> str:
    head = "| | " + " | ".join(f"{r.corpus} ({r.items:,} items)" for r in runs) + " |"
    lines = [head, "|---" * (len(runs) + 1) + "|"]
    for stage in STAGES:
        cells = [f"{r.seconds[stage]:.1f} s ({r.share(stage):.1%})" for r in runs]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append("| all stages, one process | " + " | ".join(f"{r.total:.1f} s" for r in runs) + " |")
    lines.append("| items/s, one process | " + " | ".join(f"{r.items_per_s:.1f}" for r in runs) + " |")
    lines.append(
        "| topics per item | "
        + " | ".join(f"{r.seconds['topics'] / max(r.items, 1) * 1e3:.3f} ms" for r in runs)
        + " |"
    )
    lines.append(
        "| `minutes ingest`, whole process | "
        + " | ".join(
            f"{r.process_seconds:.1f} s, {r.process_items_per_s:.1f} items/s" if r.process_seconds else "–"
            for r in runs
        )
        + " |"
    )
    lines.append(
        "| full gc, by the stage it ran in | "
        + " | ".join(", ".join(f"{k} {v:.2f} s" for k, v in sorted(r.full_gc_in.items())) or "–" for r in runs)
        + " |"
    )
    lines.append(
        "| topic found by | "
        + " | ".join(", ".join(f"{k} {v}" for k, v in sorted(r.topic_sources.items())) for r in runs)
        + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="other inputs, measured as one corpus")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--greve", action="store_true", help="the Greve FirstAgenda API documents")
    parser.add_argument("--generated", type=int, default=0, help="a generated corpus of N items without KLE numbers")
    parser.add_argument("--with-kle", action="store_true", help="and the same corpus with KLE journal numbers")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--no-process", action="store_true", help="skip the whole-process `minutes ingest` runs")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)

    corpora: list[tuple[str, list[Path]]] = []
    if args.greve:
        corpora.append(("Greve API documents", [GREVE]))
    if args.generated:
        for kle in (False, True) if args.with_kle else (False,):
            out = args.work / f"generated-{args.generated}-{'kle' if kle else 'nokle'}"
            if not out.exists():
                write_corpus(out, args.generated, kle=kle)
            corpora.append((f"generated, {'with' if kle else 'no'} KLE numbers", [out]))
    if args.paths:
        corpora.append(("inputs", args.paths))
    if not corpora:
        parser.error("nothing to measure: give PATHs, --greve or --generated N")

    runs: list[StageRun] = []
    for name, paths in corpora:
        slug = "".join(c if c.isalnum() else "-" for c in name.lower())
        run = measure_stages(slug, paths, args.work, args.batch_size)
        run.corpus = name
        if not args.no_process:
            run.process_seconds = measure_process(slug, paths, args.work)
        runs.append(run)
        sys.stderr.write(f"{name}: {run.items} items, topics {run.share('topics'):.1%} of the stages\n")
    print(table(runs))
    (args.work / "stages.json").write_text(
        json.dumps([asdict(r) for r in runs], indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
