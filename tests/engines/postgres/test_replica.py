"""Search on a streaming replica while ingest writes to the primary (both on loopback ports)."""

from __future__ import annotations

import time

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres.server import LocalServer
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA, SAMPLES


def test_search_reads_the_replica_and_sees_what_the_primary_committed(
    pg_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.create_database("replicated")
    assert main(["db", "init", "--index", url]) == 0
    assert main(["ingest", str(DATA / "seed"), "--index", url]) == 0
    replica = pg_server.start_replica(pg_server.root.parent / "standby")  # beside the primary, readable by its account
    try:
        replica_url = replica.url("replicated")
        with psycopg.connect(replica_url) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("INSERT INTO sources (source) VALUES ('{}')")
        service = SearchService(url, read_replica=replica_url)
        before = service.search(SearchRequest(q="")).total
        assert before > 0
        # Ingest more into the primary; the replica's readers see it once streamed.
        assert main(["ingest", str(SAMPLES / "publication"), "--index", url]) in (0, 1)
        with psycopg.connect(url) as conn:
            wanted = conn.execute("SELECT count(*) FROM items WHERE access = 'open'").fetchone()
        deadline = time.monotonic() + 30
        total = before
        while time.monotonic() < deadline:
            total = service.search(SearchRequest(q="")).total
            if wanted and total == wanted[0]:
                break
            time.sleep(0.2)
        assert wanted and total == wanted[0] > before
        # The CLI's --read-replica goes the same way.
        capsys.readouterr()
        assert main(["search", "--index", url, "--read-replica", replica_url, "--json"]) == 0
        assert f'"total": {total}' in capsys.readouterr().out
        service.close()
    finally:
        replica.destroy()
