"""The baseline: naive Whoosh over the same corpus files.

StandardAnalyzer, one process, one ``add_document`` per item and one commit
at the end — what a first attempt with Whoosh looks like.  It indexes only
title, text and a few facets, so it does less work per item than
``minutes ingest``; the ratio between the two is the figure we report.

    python benchmarks/naive_ingest.py CORPUS_DIR INDEX_DIR
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from whoosh import index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import DATETIME, ID, TEXT, Schema


def naive_schema() -> Schema:
    analyzer = StandardAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        committee=ID(stored=True, sortable=True),
        municipality=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        access=ID(stored=True),
    )


def build(corpus: Path, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(target), naive_schema())
    writer = ix.writer()
    count = 0
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                meeting = json.loads(line)
                start = datetime.fromisoformat(meeting["start"])
                for item in meeting["items"]:
                    body = "\n".join(s["text"] for s in item["sections"])
                    body += "\n" + "\n".join(d["text"] for d in item["decisions"])
                    writer.add_document(
                        id=f"{meeting['start']}/{meeting['committee']}/{item['number']}/{item.get('source_key')}",
                        title=item["title"],
                        body=body,
                        committee=meeting["committee"],
                        municipality=meeting["municipality"],
                        year=str(start.year),
                        date=start,
                        access=item["access"],
                    )
                    count += 1
    writer.commit()
    return count


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        sys.stderr.write("usage: naive_ingest.py CORPUS_DIR INDEX_DIR\n")
        return 2
    count = build(Path(args[0]), Path(args[1]))
    sys.stdout.write(f"naive: {count} items indexed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
