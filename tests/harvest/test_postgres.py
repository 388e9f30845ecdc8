"""A harvest into the PostgreSQL engine: the same walk; what it knows of each meeting is kept in
the database (``harvest_state``), the documents and attachments it fetched in a folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from indexer.engines.postgres.engine import Database
from indexer.search.service import SearchRequest, SearchService
from tests.harvest.helpers import documents, fast
from tests.harvest.portal import Portal

SMALL = documents(
    "Kultur- og Fritidsudvalget_2022-03-21",
    "Sundheds- og Omsorgsudvalget_2022-05-23",
    "Klima-, Teknik- og Miljøudvalget_2022-12-12",
)


def _recorded(init: Callable[..., None], opened: list[Database]) -> Callable[..., None]:
    def record(self: Database, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        opened.append(self)

    return record


def test_harvest_into_postgres_matches_the_embedded_engine(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from indexer.harvest.firstagenda import HarvestOptions, harvest

    portal = Portal(SMALL)
    base = portal.start()
    try:
        options = HarvestOptions(attachments=False)
        with pytest.raises(ValueError, match="--state"):
            harvest(base, pg_url, fast(), options, stream=io.StringIO())
        opened: list[Database] = []
        monkeypatch.setattr(Database, "__init__", _recorded(Database.__init__, opened))
        first = harvest(base, pg_url, fast(), options, stream=io.StringIO(), state_root=tmp_path / "state")
        monkeypatch.undo()
        # The harvest closed the database's pool itself (not left to the garbage collector).
        assert opened and all(database._pool.closed for database in opened)
        assert (first.new, first.failed) == (3, 0)
        harvest(base, tmp_path / "ix", fast(), options, stream=io.StringIO())
        postgres, whoosh = SearchService(pg_url), SearchService(tmp_path / "ix")
        try:
            for q in ("", "vinterberedskab", "budget"):
                got, expected = postgres.search(SearchRequest(q=q)), whoosh.search(SearchRequest(q=q))
                assert (got.total, [h["id"] for h in got.results]) == (
                    expected.total,
                    [h["id"] for h in expected.results],
                )
            assert postgres.search(SearchRequest(q="")).total == 8  # nine items, one closed
        finally:
            postgres.close()
        # The state is a row of the database, not a file.
        assert not list((tmp_path / "state").rglob("state.json"))
        assert len(list((tmp_path / "state").rglob("meetings/*.json"))) == 3
        with psycopg.connect(pg_url) as conn:
            rows = conn.execute("SELECT portal, state FROM harvest_state").fetchall()
        assert [portal for portal, _ in rows] == [base.split("://", 1)[1]]
        assert len(rows[0][1]["meetings"]) == 3
        assert all(m["etag"] and m["digest"] for m in rows[0][1]["meetings"].values())
        before = len(portal.hits)
        second = harvest(base, pg_url, fast(), options, stream=io.StringIO(), state_root=tmp_path / "state")
        assert (second.unchanged, second.new, second.changed) == (3, 0, 0)
        assert not [h for h in portal.hits[before:] if h.status == 200 and "/dagsorden/" in h.path]
        assert sum(1 for h in portal.hits[before:] if h.status == 304) == 3
    finally:
        portal.stop()


def test_forget_on_postgres_cleans_the_state_folder_at_once(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documents of a harvest into a database live in its ``--state`` folder, recorded as the
    source; a take-down leaves them at once and is marked in the database's harvest state."""
    import io

    from indexer.cli import main
    from indexer.harvest.firstagenda import HarvestOptions, harvest

    portal = Portal(SMALL[:1])
    base = portal.start()
    try:
        state = tmp_path / "state"
        harvest(base, pg_url, fast(), HarvestOptions(attachments=True), stream=io.StringIO(), state_root=state)
        [stored] = list(state.rglob("meetings/*.json"))
        assert list(state.rglob("bilag/*.pdf"))
        with psycopg.connect(pg_url) as conn:
            [meeting_id] = {row[0] for row in conn.execute("SELECT DISTINCT meeting_id FROM items")}
        capsys.readouterr()
        assert main(["forget", meeting_id, "--reason", "test", "--index", pg_url]) == 0
        assert "1 meeting document(s) deleted" in capsys.readouterr().out
        assert not [p for p in state.rglob("*") if p.is_file() and p.parent.name in ("meetings", "bilag")]
        with psycopg.connect(pg_url) as conn:
            [(kept,)] = conn.execute("SELECT state FROM harvest_state").fetchall()
        assert kept["meetings"][stored.stem]["forgotten"] == meeting_id
        assert meeting_id in kept["takedowns_seen"]
        fetched = portal.served_so_far("/api/agenda/dagsorden/")
        harvest(base, pg_url, fast(), HarvestOptions(attachments=True), stream=io.StringIO(), state_root=state)
        assert portal.served_so_far("/api/agenda/dagsorden/") == fetched, "not fetched while the take-down stands"
        assert not stored.exists()
    finally:
        portal.stop()
