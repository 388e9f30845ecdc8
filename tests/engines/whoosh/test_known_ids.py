"""Existence checks during ingest: only ids the index may hold are looked up in Whoosh."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.searching import Searcher

from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, quiet_ingest, seed_meeting, variant, write_jsonl


def test_new_items_skip_the_per_segment_lookup_and_known_ones_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ix"
    first = quiet_ingest([CORPUS_CSV], root, batch_size=100)  # several segments
    assert first.items_added > 300
    lookups: list[str] = []
    original = Searcher.document_number

    def counting(self: Searcher, **kw: str) -> int | None:
        lookups.append(kw.get("id", ""))
        return original(self, **kw)

    monkeypatch.setattr(Searcher, "document_number", counting)

    added = quiet_ingest([SEED], root, context=NORDDJURS)
    assert added.items_added == 1
    assert lookups == [], "a new id is known to be new without asking every segment"

    again = quiet_ingest([CORPUS_CSV], root, batch_size=100)
    assert again.items_added == 0 and again.items_skipped == first.items_added + first.items_skipped
    assert len(lookups) == first.items_added, "every indexed id is looked up, once"


def test_updates_and_referat_rules_still_see_existing_items(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    seed = seed_meeting()
    quiet_ingest([write_jsonl(tmp_path / "a.jsonl", [seed])], root)
    changed = variant(seed)
    changed.items[0].sections[0].text += " Tilføjet efter mødet."
    changed.finalise()
    summary = quiet_ingest([write_jsonl(tmp_path / "b.jsonl", [changed])], root)
    assert summary.items_updated == 1 and summary.items_added == 0
