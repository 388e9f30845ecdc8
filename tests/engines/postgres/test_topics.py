"""The PostgreSQL engine stores the topics the embedded engine does: the batch's items are
classified at once (``topics_for_items``), each getting what it gets alone."""

from __future__ import annotations

import json

import psycopg

from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access
from indexer.topics import classify_item
from tests.conftest import CORPUS_CSV
from tests.helpers import quiet_ingest
from tests.postgres import postgres_location

GREVE = CORPUS_CSV.parents[1] / "firstagenda-api" / "greve"


def test_stored_topics_are_each_items_own() -> None:
    paths = [path for path, _ in list(iter_inputs([GREVE]))[:10]]
    url = postgres_location()
    quiet_ingest(paths, url)  # type: ignore[arg-type]
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, stored->>'doc' FROM items WHERE access = 'open'").fetchall()
    stored = {row[0]: json.loads(row[1])["topics"] for row in rows}
    items = []
    for path in paths:
        module = dict(iter_inputs([path]))[path]
        assert module is not None
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            items += [(i, meeting.committee) for i in meeting.items if i.access == Access.OPEN]
    assert len(items) > 50 and len(stored) == len(items)
    for item, committee in items:
        assert stored[item.id] == [t.to_dict() for t in classify_item(item, committee)], item.title
    assert sum(bool(t) for t in stored.values()) > len(stored) // 2
