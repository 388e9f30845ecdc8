"""The near-limit reference: tantivy-py (Rust) over the same corpus files.

The same fields as the naive Whoosh baseline (title and text, Danish Snowball
stemming; committee, municipality, year and access as exact fast fields for
filters and facet counts), one writer, one commit.  Only a benchmark extra
(``pip install -e '.[bench]'``), never part of the product.

    python benchmarks/tantivy_ingest.py CORPUS_DIR INDEX_DIR
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import tantivy

ANALYZER = "danish_stem"


def tantivy_schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=False, tokenizer_name=ANALYZER)
    for name in ("committee", "municipality", "year", "access"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    builder.add_date_field("date", stored=True, fast=True)
    return builder.build()


def open_index(path: Path, create: bool = False) -> Any:
    index = tantivy.Index(tantivy_schema(), path=str(path), reuse=not create)
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("danish"))
        .build()
    )
    index.register_tokenizer(ANALYZER, analyzer)
    return index


def build(corpus: Path, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    index = open_index(target, create=True)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
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
                        tantivy.Document(
                            id=f"{meeting['start']}/{meeting['committee']}/{item['number']}/{item.get('source_key')}",
                            title=item["title"],
                            body=body,
                            committee=meeting["committee"],
                            municipality=meeting["municipality"],
                            year=str(start.year),
                            date=start.replace(tzinfo=None),
                            access=item["access"],
                        )
                    )
                    count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        sys.stderr.write("usage: tantivy_ingest.py CORPUS_DIR INDEX_DIR\n")
        return 2
    count = build(Path(args[0]), Path(args[1]))
    sys.stdout.write(f"tantivy: {count} items indexed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
