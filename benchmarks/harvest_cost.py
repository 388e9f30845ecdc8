"""What a harvest costs a portal: requests and bytes of a first run, a run with nothing new, and a
run after one meeting changed, measured at the local portal the tests use (loopback only).

    python benchmarks/harvest_cost.py [--no-attachments] [--work DIR]

The portal serves the 189 recorded Greve documents; attachment answers are real sample PDFs
(15–220 KB), not Greve's own files, so attachment bytes are indicative only — their count is exact.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.harvest.firstagenda import HarvestOptions, harvest
from tests.harvest.helpers import documents, fast, meeting_id_of
from tests.harvest.portal import Portal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-attachments", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="harvest-cost-"))
    root = work / "ix"
    shutil.rmtree(root, ignore_errors=True)
    paths = documents()
    portal = Portal(paths)
    base = portal.start()
    changed = meeting_id_of(next(p for p in paths if p.name.startswith("Økonomiudvalget_2024-04-10")))

    def amend(document: dict) -> None:
        document["Moede"]["Sted"] = "Byrådssalen"

    print(
        "| run | requests | documents (200) | 304s | attachments | bytes | wall time (no rate limit) | at 1 request/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    try:
        for label, edit in (
            ("first", None),
            ("second, nothing changed", None),
            ("third, one meeting changed", amend),
        ):
            if edit is not None:
                portal.change(changed, edit)
            before = len(portal.hits)
            started = time.monotonic()
            summary = harvest(
                base, root, fast(), HarvestOptions(attachments=not args.no_attachments), stream=io.StringIO()
            )
            seconds = time.monotonic() - started
            hits = portal.hits[before:]
            docs = [h for h in hits if h.path.startswith("/api/agenda/dagsorden/") and h.status == 200]
            bilag = [h for h in hits if h.path.startswith("/vis/pdf/bilag/") and h.status == 200]
            print(
                f"| {label} | {len(hits):,} | {len(docs):,} ({sum(h.bytes for h in docs):,} bytes) | "
                f"{sum(1 for h in hits if h.status == 304):,} | {len(bilag):,} ({sum(h.bytes for h in bilag):,} bytes) | "
                f"{sum(h.bytes for h in hits):,} | {seconds:.1f} s | ≥ {len(hits):,} s |"
            )
            if summary.failed or summary.problems:
                print(f"  problems: {summary.problems[:3]}", file=sys.stderr)
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
