"""What a long-running search service holds open while ingests commit beside it.

    .venv/bin/python benchmarks/open_files.py [--commits 12] [--rows 19] [--in-process]

One ``SearchService`` over a fresh index; each round ingests the next ``--rows`` rows of the demo
data (``data/digst/digst-demo.csv``) as a commit of its own — by default through ``minutes ingest`` in
another process, as a harvest beside a server does; ``--in-process`` in this one — and then searches.
After each round it prints the descriptors the process holds, how many are segment column files, and
how many name files already deleted (segments merged away).  A service that keeps no deleted file open
holds about as many as its live segments have files, however many commits went before.  Linux only
(``/proc/self/fd``).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from indexer.cli import ingest
from indexer.search.service import SearchRequest, SearchService

DEMO = Path(__file__).resolve().parents[1] / "data" / "digst" / "digst-demo.csv"
PROC_FDS = Path("/proc/self/fd")


def batches(source: Path, folder: Path, files: int, rows: int) -> list[Path]:
    """The rows of an open-dataset CSV (``source``), ``rows`` to a file, ``files`` files in ``folder``:
    the first for the index to start with, each other one commit."""
    csv.field_size_limit(1 << 30)
    with source.open(encoding="utf-8", newline="") as handle:
        header, *body = list(csv.reader(handle))
    if len(body) < files * rows:
        raise SystemExit(f"{source}: {files} files of {rows} rows wanted, only {len(body)} rows")
    paths = []
    for n in range(files):
        path = folder / f"batch-{n:03}" / "digst.csv"
        path.parent.mkdir(parents=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(body[n * rows : (n + 1) * rows])
        paths.append(path)
    return paths


def open_files(under: Path | None = None) -> list[str]:
    """What this process's descriptors name (inside ``under`` only, when given); a deleted file's
    name ends in " (deleted)"."""
    gc.collect()  # an ingest in this process leaves cyclic garbage that may hold a file a while
    names = []
    for fd in os.listdir(PROC_FDS):
        try:
            names.append(os.readlink(PROC_FDS / fd))
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return [name for name in names if under is None or name.startswith(str(under.resolve()))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=12)
    parser.add_argument("--rows", type=int, default=19)
    parser.add_argument("--in-process", action="store_true", help="ingest in this process, not through the CLI")
    args = parser.parse_args()
    if not PROC_FDS.is_dir():
        raise SystemExit("counts descriptors through /proc/self/fd: Linux only")
    work = Path(tempfile.mkdtemp(prefix="open-files-"))
    try:
        paths = batches(DEMO, work / "in", args.commits + 1, args.rows)
        root = work / "ix"

        def commit(batch: Path) -> None:
            if args.in_process:
                ingest([batch], root, workers=1, stream=io.StringIO())
            else:
                command = [sys.executable, "-m", "indexer.cli", "ingest", str(batch), "--index", str(root)]
                subprocess.run(command, check=True, capture_output=True)

        commit(paths[0])
        service = SearchService(root)
        service.search(SearchRequest(q="byrådet"))
        print(f"start: {len(open_files())} descriptors")
        print("commit  open  columns  deleted")
        for n, batch in enumerate(paths[1:], start=1):
            commit(batch)
            service.search(SearchRequest(q="byrådet"))
            names = open_files()
            columns = sum(1 for name in names if name.endswith(".col"))
            deleted = sum(1 for name in names if name.endswith(" (deleted)"))
            print(f"{n:>6}  {len(names):>4}  {columns:>7}  {deleted:>7}")
        service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
