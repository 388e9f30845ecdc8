"""`minutes topics load KLE.xml` and `minutes topics rebuild`.

Loading reads the municipality's KLE-Emneplan file into ``kle-terms.json``
beside the index (KL's data stays with the deployment, never in the
repository).  Rebuilding re-classifies every stored item from its stored
public text, so new keyword lists or a new KLE file take effect without
re-ingesting the sources.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from indexer.formats import FormatError
from indexer.model import Access, Decision, Item, Section, SectionKind
from indexer.topics import (
    TopicClassifier,
    load_kle_file,
    load_kle_terms,
    save_kle_terms,
    set_default_kle_terms,
    topic_codes,
)


def load_kle_into_index(kle_file: Path, index_root: Path) -> tuple[int, Path]:
    """Read a KLE XML file and save its terms beside the index; returns (groups, path)."""
    terms = load_kle_file(kle_file)
    path = save_kle_terms(terms, index_root)
    set_default_kle_terms(terms)
    return len(terms.titles), path


def item_from_stored_doc(doc: dict[str, Any]) -> Item:
    """The public part of an item as stored in the index, enough to classify it again."""
    sections = []
    for s in doc.get("sections", []):
        try:
            kind = SectionKind(s.get("kind", "body"))
        except ValueError:
            kind = SectionKind.BODY
        sections.append(Section(heading=s.get("heading", ""), text=s.get("text", ""), kind=kind))
    decisions = [Decision(body=d.get("body", ""), date=None, text=d.get("text", "")) for d in doc.get("decisions", [])]
    return Item(
        number=str(doc.get("number", "")),
        title=doc.get("title", ""),
        access=Access.OPEN if doc.get("access") == "open" else Access.CLOSED,
        case_number=doc.get("case_number"),
        sections=sections,
        decisions=decisions,
    )


def rebuild_topics(index_root: Path) -> int:
    """Re-classify every open item in the index; returns how many changed."""
    from indexer.index import MinutesIndex

    classifier = TopicClassifier(load_kle_terms(index_root))
    index = MinutesIndex.open(index_root)

    def update(fields: dict[str, Any]) -> dict[str, Any] | None:
        if fields.get("access") != Access.OPEN.value or not fields.get("doc"):
            return None  # closed items keep no text and get no topic
        doc = json.loads(fields["doc"])
        committee = (doc.get("meeting") or {}).get("committee", "")
        topics = classifier.classify(item_from_stored_doc(doc), committee)
        new_dicts = [t.to_dict() for t in topics]
        if doc.get("topics") == new_dicts:
            return None
        doc["topics"] = new_dicts
        fields["doc"] = json.dumps(doc, ensure_ascii=False)
        fields["topic"] = topic_codes(topics)
        return fields

    return index.rewrite_documents(update)


def run(args: argparse.Namespace) -> int:
    index_root = Path(args.index)
    if args.action == "load":
        if not args.file:
            print("minutes topics load: give the KLE XML file", file=sys.stderr)
            return 2
        try:
            groups, path = load_kle_into_index(Path(args.file), index_root)
        except FormatError as exc:
            print(f"minutes topics load: {exc}", file=sys.stderr)
            return 1
        print(f"loaded {groups} KLE groups and subjects into {path}")
        if not (index_root / "current").exists():
            return 0
    changed = rebuild_topics(index_root)
    print(f"topics re-derived: {changed} items changed")
    return 0
