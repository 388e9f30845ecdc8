"""A meeting's versions on the PostgreSQL engine: the same fold as the embedded engine.

The real Ballerup Publication export, edited into versions of one meeting (the builder of
tests/leak/test_versions.py): closure by a dagsorden after its referat wins, an item missing
from a newer version leaves the database, an item once closed stays closed on re-import — and
whatever leaves takes its postings, its stored document and its archived file with it.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from indexer.search.service import SearchRequest, SearchService
from tests.helpers import quiet_ingest
from tests.leak.test_versions import BILAG_WORD, ITEM_WORD, version
from tests.postgres import postgres_location


def searchable(url: str, word: str) -> int:
    service = SearchService(url)
    try:
        return service.search(SearchRequest(q=word)).total
    finally:
        service.close()


def traces(url: str) -> dict[str, int]:
    """Where the planted words are in the database: postings, stored documents, archived files."""
    with psycopg.connect(url) as conn:
        return {
            "postings": conn.execute("SELECT count(*) FROM postings WHERE term LIKE 'qzvversion%'").fetchone()[0],  # type: ignore[index]
            "items": conn.execute("SELECT count(*) FROM items WHERE stored::text LIKE '%qzvversion%'").fetchone()[0],  # type: ignore[index]
            "files": conn.execute(
                "SELECT count(*) FROM attachments WHERE position(%s IN content) > 0", (BILAG_WORD.encode(),)
            ).fetchone()[0],  # type: ignore[index]
        }


def test_the_planted_version_is_in_every_table_so_the_checks_can_fail(tmp_path: Path) -> None:
    url = postgres_location()
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], url)  # type: ignore[arg-type]
    assert searchable(url, ITEM_WORD) == 1 and searchable(url, BILAG_WORD) == 1
    assert all(traces(url).values()), traces(url)


def test_a_dagsorden_that_closes_an_item_wins_over_its_referat(tmp_path: Path) -> None:
    url = postgres_location()
    quiet_ingest([version(tmp_path, "referat", "referat", "open")], url)  # type: ignore[arg-type]
    summary = quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "closed")], url)  # type: ignore[arg-type]
    assert summary.closed_by_older == 1
    assert searchable(url, ITEM_WORD) == 0 and searchable(url, BILAG_WORD) == 0
    assert traces(url) == {"postings": 0, "items": 0, "files": 0}
    assert searchable(url, "standard it-arbejdsplads") >= 1  # the rest of the referat stands


def test_an_item_missing_from_the_newer_version_leaves_the_database(tmp_path: Path) -> None:
    url = postgres_location()
    quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "open")], url)  # type: ignore[arg-type]
    summary = quiet_ingest([version(tmp_path, "referat", "referat", "gone")], url)  # type: ignore[arg-type]
    assert summary.items_removed == 1
    assert traces(url) == {"postings": 0, "items": 0, "files": 0}


def test_open_closed_open_again_stays_closed_and_a_lower_rank_changes_nothing_else(tmp_path: Path) -> None:
    url = postgres_location()
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], url)  # type: ignore[arg-type]
    quiet_ingest([version(tmp_path, "v2", "referat", "closed")], url)  # type: ignore[arg-type]
    again = quiet_ingest([version(tmp_path, "v3", "referat", "open")], url)  # type: ignore[arg-type]
    assert again.kept_closed == 1 and any("stays closed" in w for w in again.warnings)
    assert traces(url) == {"postings": 0, "items": 0, "files": 0}
    reopened = quiet_ingest([version(tmp_path, "v4", "referat", "open")], url, allow_reopen=True)  # type: ignore[arg-type]
    assert reopened.kept_closed == 0 and searchable(url, ITEM_WORD) == 1
    lower = quiet_ingest([version(tmp_path, "v5", "dagsorden", "gone")], url)  # type: ignore[arg-type]
    assert lower.items_removed == 0 and searchable(url, ITEM_WORD) == 1
