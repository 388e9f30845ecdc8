"""The database goes away under a running server: every page says so with a 503 (asked again
shortly, never stored by a cache) instead of blaming the query, listing nothing or hanging for
half a minute into a 500; once the database is back, the same server answers again."""

from __future__ import annotations

import time

import psycopg
import pytest

from indexer.engines.postgres import engine, schema
from indexer.engines.postgres.server import TEST_SETTINGS, temporary_server
from tests.conftest import SEED
from tests.helpers import NORDDJURS, quiet_ingest
from webui import close_app, create_app


def test_pages_answer_503_while_the_database_is_down_and_recover(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "POOL_WAIT_S", 1.0)  # the wait for a connection, shortened for the test
    with temporary_server(TEST_SETTINGS) as server:
        url = server.create_database("outage")
        with psycopg.connect(url) as conn:
            schema.init(conn)
        quiet_ingest([SEED], url, context=NORDDJURS)
        app = create_app({"INDEX_DIR": url, "TESTING": True})
        try:
            client = app.test_client()
            [hit] = client.get("/api/search?q=sociale+medier").get_json()["results"][:1]
            pages = [
                "/api/search?q=budget", "/?q=budget", "/", "/feed.atom", "/export.csv", "/api/suggest?q=soc",
                f"/items/{hit['id']}", f"/api/items/{hit['id']}",
            ]  # fmt: skip
            server.stop()
            for page in pages:
                response = client.get(page)
                assert response.status_code == 503, (page, response.status_code, response.data[:200])
                assert response.headers["Retry-After"] == "30" and response.headers["Cache-Control"] == "no-store"
                assert "Databasen svarer ikke" in response.get_data(as_text=True), page
                assert "skrive den enklere" not in response.get_data(as_text=True)
            server.start()
            deadline = time.monotonic() + 30
            while client.get("/api/search?q=sociale+medier").status_code != 200:  # a broken connection or two
                assert time.monotonic() < deadline, "the server did not answer again once the database was back"
            assert client.get("/api/search?q=sociale+medier").get_json()["total"] >= 1
        finally:
            close_app(app)
