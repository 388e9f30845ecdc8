"""What it costs that closed content leaves the disk: segments rewritten when content closes.

    python benchmarks/closing_cost.py --items 10000 --work /tmp/closing

Deleting or replacing a document in Whoosh only marks it deleted: its postings, stored
fields and words stay in the segment files until the segment is merged.  Ingest (and
``minutes forget``) therefore rewrites every segment that held a closed, withdrawn or
forgotten item in the same commit (``_purging`` in ``indexer/engines/whoosh/index.py``).
This measures that rewrite against the mark-only commit Whoosh would make, on copies of
one index built from a generated corpus (``generate_corpus.py``):

* **close** — a newer version of one meeting closes one of its open items;
* **withdraw** — a newer version of one meeting lacks one of its items;
* **forget** — ``minutes forget`` of one item.

For each: wall and CPU seconds of the operation (in this process, one writer), the
documents in the segments rewritten, the bytes of segment files written, and whether the
old item's stored text is still in the files afterwards.  Results print as Markdown and
go to ``WORK/closing.json``.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate_corpus import write_corpus
from indexer.cli import ingest
from indexer.engines.whoosh import index as index_module
from indexer.engines.whoosh.index import MinutesIndex

MARKER = "qzvbenchlukket"


def segments(root: Path) -> dict[str, int]:
    """Segment id → documents (deleted ones included) of the live generation."""
    ix = MinutesIndex.open(root).ix
    with ix.reader() as reader:
        return {leaf.segment().segment_id(): leaf.doc_count_all() for leaf, _ in reader.leaf_readers()}


def files(root: Path) -> dict[str, int]:
    live = (root / "current").resolve()
    return {p.name: p.stat().st_size for p in live.iterdir() if p.is_file()}


def holds_marker(root: Path) -> bool:
    """The item's word anywhere in the live generation: raw, inflated, vocabulary, stored fields."""
    from tests.leak.disk import hits_on_disk

    return bool(hits_on_disk((root / "current").resolve(), [MARKER]))


def mark_only(merge: bool) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh's own commit of a deletion: the documents only marked, no segment merged."""
    from whoosh.writing import NO_MERGE

    return NO_MERGE  # type: ignore[no-any-return]


def _cpu() -> float:
    """User + system seconds of this process and its finished children (forked writers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(root: Path, operation: Callable[[], None], purge: bool) -> dict[str, Any]:
    before_segments, before_files = segments(root), files(root)
    original = index_module._purging
    if not purge:
        index_module._purging = mark_only  # type: ignore[assignment]
    try:
        wall, cpu = time.perf_counter(), _cpu()
        operation()
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    finally:
        index_module._purging = original  # type: ignore[assignment]
    after_segments, after_files = segments(root), files(root)
    rewritten = {s: n for s, n in before_segments.items() if s not in after_segments}
    written = sum(size for name, size in after_files.items() if name not in before_files)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "segments_before": len(before_segments),
        "segments_rewritten": len(rewritten),
        "documents_rewritten": sum(rewritten.values()),
        "bytes_written": written,
        "old_text_on_disk": holds_marker(root),
    }


def build(work: Path, items: int) -> tuple[Path, dict[str, Any], Path]:
    """The corpus and its index; one meeting (the marked one) is kept apart for the versions."""
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    parts = write_corpus(corpus, items, items_per_file=500)
    middle = parts[len(parts) // 2]
    lines = middle.read_text("utf-8").splitlines()
    meeting = next(
        json.loads(line) for line in lines if sum(i["access"] == "open" for i in json.loads(line)["items"]) >= 3
    )
    meeting["kind"] = "referat"
    opened = [i for i in meeting["items"] if i["access"] == "open"]
    opened[0]["title"] = f"{opened[0]['title']} {MARKER}"
    (middle).write_text(
        "\n".join(
            line
            if json.loads(line)["start"] != meeting["start"] or json.loads(line)["committee"] != meeting["committee"]
            else json.dumps(meeting, ensure_ascii=False)
            for line in lines
        )
        + "\n",
        "utf-8",
    )
    root = work / "index"
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    ingest(parts, root, workers=2, stream=io.StringIO())
    print(f"built {items} items in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root, meeting, corpus


def version_file(work: Path, meeting: dict[str, Any], name: str, change: str) -> Path:
    changed = copy.deepcopy(meeting)
    target = next(i for i in changed["items"] if MARKER in i["title"])
    if change == "close":
        target["access"] = "closed"
    else:
        changed["items"].remove(target)
    path = work / f"{name}.jsonl"
    path.write_text(json.dumps(changed, ensure_ascii=False) + "\n", "utf-8")
    return path


def run(items: int, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    root, meeting, _ = build(work, items)
    with MinutesIndex.open(root).ix.searcher() as searcher:
        [item_id] = [f["id"] for f in searcher.all_stored_fields() if MARKER in f.get("title", "")]
    size = sum(files(root).values())
    results: dict[str, Any] = {"items": items, "index_mb": round(size / 1e6, 1), "rows": {}}
    operations: dict[str, Callable[[Path], Callable[[], None]]] = {
        "close": lambda r: (
            lambda: ingest([version_file(work, meeting, "close", "close")], r, workers=1, stream=io.StringIO())
        ),
        "withdraw": lambda r: (
            lambda: ingest([version_file(work, meeting, "withdraw", "withdraw")], r, workers=1, stream=io.StringIO())
        ),
        "forget": lambda r: lambda: MinutesIndex.open(r).remove([item_id]) and None,
    }
    for name, make in operations.items():
        for purge in (True, False):
            copy_root = work / f"copy-{name}-{'purge' if purge else 'mark'}"
            if copy_root.exists():
                shutil.rmtree(copy_root)
            shutil.copytree(root, copy_root, symlinks=True)
            results["rows"][f"{name} ({'rewrite' if purge else 'mark only'})"] = measure(
                copy_root, make(copy_root), purge
            )
            shutil.rmtree(copy_root)
    (work / "closing.json").write_text(json.dumps(results, indent=2), "utf-8")
    return results


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"{results['items']:,} items, index {results['index_mb']} MB",
        "",
        "| operation | wall s | CPU s | segments rewritten (of) | documents rewritten | MB written | old text on disk |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in results["rows"].items():
        lines.append(
            f"| {name} | {row['wall_s']} | {row['cpu_s']} | {row['segments_rewritten']} ({row['segments_before']}) | "
            f"{row['documents_rewritten']:,} | {row['bytes_written'] / 1e6:.1f} | {'yes' if row['old_text_on_disk'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    print(markdown(run(args.items, args.work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
