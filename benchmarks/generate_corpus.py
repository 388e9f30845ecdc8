"""Build benchmark corpora of any size by resampling the real minutes text.

Every item's text comes from the open DIGST sample (CC0); what varies is the
frame around it: municipality, committee, meeting date, item number, case
number, a second paragraph borrowed from another row, and a small share of
closed items.  The output is JSON Lines in the canonical model (one meeting a
line, files of ``--items-per-file`` items), the same files a user's script
would hand to ``minutes ingest``.

    python benchmarks/generate_corpus.py --items 100000 --out /tmp/corpus-100k
    python benchmarks/generate_corpus.py --items 20000 --out /tmp/corpus-20k-nokle --no-kle

``--no-kle`` makes items as portals mostly publish them: no KLE journal number
anywhere (case numbers never carry one here; "J.nr.: 05.01.08" lines and faceted
numbers are blanked out of the text and no journal-number section is added), so
every item's topic comes from the text classifier.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO / "tests" / "fixtures" / "corpus" / "digst-sample.csv"

COMMITTEES = [
    "Teknik- og Miljøudvalget",
    "Teknisk Udvalg",
    "Byrådet",
    "Kommunalbestyrelsen",
    "Økonomiudvalget",
    "Børne- og Ungeudvalget",
    "Social- og Sundhedsudvalget",
    "Kultur- og Fritidsudvalget",
    "Beskæftigelsesudvalget",
    "Plan- og Boligudvalget",
    "Klima- og Miljøudvalget",
    "Magistraten",
]
MUNICIPALITIES = [
    ("751", "Aarhus"),
    ("710", "Favrskov"),
    ("326", "Kalundborg"),
    ("101", "København"),
    ("461", "Odense"),
    ("851", "Aalborg"),
    ("730", "Randers"),
    ("621", "Kolding"),
    ("657", "Herning"),
    ("265", "Roskilde"),
    ("540", "Sønderborg"),
    ("791", "Viborg"),
]
KLE_GROUPS = [
    "00.01",
    "01.02",
    "02.34",
    "05.01",
    "06.00",
    "07.00",
    "09.02",
    "13.06",
    "17.01",
    "27.12",
    "81.01",
    "85.02",
]
CLOSED_SHARE = 0.04


@dataclass(frozen=True)
class SourceRow:
    title: str
    paragraphs: list[str]


def load_rows(csv_path: Path) -> list[SourceRow]:
    """The sample's items as (first line, paragraphs of the rest)."""
    rows: list[SourceRow] = []
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            lines = [line.strip() for line in (record.get("indhold") or "").splitlines()]
            lines = [line for line in lines if line]
            if len(lines) < 2:
                continue
            paragraphs: list[str] = []
            current: list[str] = []
            for line in lines[1:]:
                current.append(line)
                if len(" ".join(current)) > 400 or line.isupper():
                    paragraphs.append(" ".join(current))
                    current = []
            if current:
                paragraphs.append(" ".join(current))
            rows.append(SourceRow(title=lines[0][:200], paragraphs=paragraphs))
    if not rows:
        raise SystemExit(f"{csv_path}: no usable rows")
    return rows


def strip_kle(text: str) -> str:
    """The text with every KLE journal number blanked out."""
    from indexer.topics import FACETED_KLE, MARKED_KLE

    return FACETED_KLE.sub(" ", MARKED_KLE.sub(" ", text))


def without_kle(rows: list[SourceRow]) -> list[SourceRow]:
    return [SourceRow(strip_kle(r.title), [strip_kle(p) for p in r.paragraphs]) for r in rows]


def generate_meetings(
    rows: list[SourceRow], items: int, seed: int = 1, kle: bool = True
) -> Iterator[dict[str, object]]:
    """Meetings in the canonical JSON shape, ``items`` agenda items in all; ``kle=False``
    leaves every KLE journal number out."""
    rng = random.Random(seed)
    if not kle:
        rows = without_kle(rows)
    start_day = datetime(2008, 1, 1, 16, 0)
    made = 0
    meeting_no = 0
    taken: set[tuple[str, str, object]] = set()
    while made < items:
        meeting_no += 1
        code, municipality = MUNICIPALITIES[meeting_no % len(MUNICIPALITIES)]
        # One committee meets once a day: a second meeting drawn on a taken day would be the
        # same meeting (same id) with other items, and the newer version replaces the older.
        while True:
            committee = rng.choice(COMMITTEES)
            start = start_day + timedelta(days=rng.randrange(0, 17 * 365), hours=rng.choice([0, 1, 2]))
            if (municipality, committee, start.date()) not in taken:
                taken.add((municipality, committee, start.date()))
                break
        count = min(items - made, rng.randint(6, 18))
        meeting_items = []
        for number in range(1, count + 1):
            row = rng.choice(rows)
            other = rng.choice(rows)
            body = list(row.paragraphs)
            if other.paragraphs:
                body.insert(rng.randrange(0, len(body) + 1), rng.choice(other.paragraphs))
            split = max(1, len(body) - 1)
            decision = " ".join(body[split:]) if len(body) > 1 else ""
            closed = rng.random() < CLOSED_SHARE
            case = f"{code}-{start.year}-{rng.randrange(1000, 99999)}"
            journal = rng.choice(KLE_GROUPS)
            meeting_items.append(
                {
                    "number": str(number),
                    "title": row.title,
                    "access": "closed" if closed else "open",
                    "case_number": case,
                    "source_key": f"m{meeting_no}-{number}",
                    "sections": [
                        {
                            "heading": "Sagsfremstilling",
                            "text": "\n".join(body[:split]),
                            "kind": "body",
                            "access": "open",
                        },
                        {
                            "heading": "Indstilling",
                            "text": f"J.nr.: {journal}.00",
                            "kind": "recommendation",
                            "access": "open",
                        },
                    ][: 2 if kle else 1],
                    "decisions": [{"body": committee, "date": start.date().isoformat(), "text": decision}]
                    if decision
                    else [],
                    "attachments": [],
                }
            )
        made += count
        yield {
            "municipality": municipality,
            "committee": committee,
            "start": start.isoformat(),
            "kind": "referat" if rng.random() < 0.7 else "dagsorden",
            "items": meeting_items,
            "source_format": "jsonl",
            "access": "open",
        }


def write_corpus(
    out: Path, items: int, items_per_file: int = 500, csv_path: Path = DEFAULT_CSV, seed: int = 1, kle: bool = True
) -> list[Path]:
    """Write the corpus as numbered .jsonl files; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    rows = load_rows(csv_path)
    files: list[Path] = []
    handle = None
    in_file = 0
    try:
        for meeting in generate_meetings(rows, items, seed, kle):
            if handle is None or in_file >= items_per_file:
                if handle is not None:
                    handle.close()
                files.append(out / f"part-{len(files):05d}.jsonl")
                handle = files[-1].open("w", encoding="utf-8")
                in_file = 0
            handle.write(json.dumps(meeting, ensure_ascii=False) + "\n")
            in_file += len(meeting["items"])  # type: ignore[arg-type]
    finally:
        if handle is not None:
            handle.close()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, required=True, help="agenda items in all (10000, 100000, 1000000)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--items-per-file", type=int, default=500)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-kle", action="store_true", help="no KLE journal numbers anywhere (as portals publish)")
    args = parser.parse_args(argv)
    files = write_corpus(args.out, args.items, args.items_per_file, args.csv, args.seed, kle=not args.no_kle)
    size = sum(f.stat().st_size for f in files)
    sys.stdout.write(f"{args.items} items in {len(files)} files, {size / 1e6:.1f} MB, in {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
