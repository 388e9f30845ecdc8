"""``minutes topics``: load a municipality's KLE file, re-classify the index in place.

Topics are derived data: re-running the classifier reads each stored item,
classifies it again and writes back only the items whose topics changed, in
batches, with no re-ingest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from indexer import topics
from indexer.engines.whoosh.index import MinutesIndex
from indexer.model import Access, Decision, Item, Section, SectionKind


def item_from_doc(doc: dict[str, Any]) -> Item:
    """Enough of the canonical item to classify it again."""
    # A stored document holds only what passed the closed-content boundary: its access is the item's.
    access = Access.OPEN if doc.get("access") == "open" else Access.CLOSED
    return Item(
        number=doc.get("number", ""),
        title=doc.get("title", ""),
        access=access,
        case_number=doc.get("case_number"),
        sections=[
            Section(
                heading=s.get("heading", ""),
                text=s.get("text", ""),
                kind=SectionKind(s.get("kind", "body")),
                access=access,
            )
            for s in doc.get("sections", [])
        ],
        decisions=[
            Decision(body=d.get("body", ""), date=None, text=d.get("text", "")) for d in doc.get("decisions", [])
        ],
    )


def rebuild_topics(index: MinutesIndex) -> int:
    """Re-classify every open item; returns how many changed."""
    topics.set_default_kle_terms(topics.load_kle_terms(index.root))

    def update(fields: dict[str, Any]) -> dict[str, Any] | None:
        if fields.get("access") != "open":
            return None
        doc = json.loads(fields["doc"])
        found = [t.to_dict() for t in topics.classify_item(item_from_doc(doc), committee=fields.get("committee", ""))]
        if found == doc.get("topics", []):
            return None
        doc["topics"] = found
        fields["doc"] = json.dumps(doc, ensure_ascii=False)
        fields["topic"] = ",".join(dict.fromkeys(str(t["code"]) for t in found))
        return index.with_derived_fields(fields)

    with index.ingest_lock():
        return index.rewrite_documents(update)


def run(args: argparse.Namespace) -> int:
    if "://" in str(args.index):
        sys.stderr.write(f"error: {args.index}: `minutes topics` works on an index folder (the embedded engine) only\n")
        return 2
    index = MinutesIndex.open(Path(args.index))
    if args.action == "load":
        if args.file is None:
            sys.stderr.write("error: `minutes topics load` needs the KLE XML file\n")
            return 2
        terms = topics.load_kle_file(args.file)
        saved = topics.save_kle_terms(terms, index.root)
        print(f"KLE subject words saved to {saved}")
    changed = rebuild_topics(index)
    print(f"topics re-classified: {changed} item(s) changed")
    return 0
