"""What opens a database's connection pool closes it: the CLI's search and stats, the web app
(``close_app``), a harvest.  Left to the garbage collector, the pool's ``__del__`` ran in one of
its own worker threads and failed ("cannot join current thread"), and its connections stayed
open on the server until then.  The garbage collector is off in these tests, so a pool nobody
closed is still connected when they look.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.cli import main
from tests.helpers import quiet_ingest
from tests.postgres import other_sessions

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def seeded_url(pg_url: str) -> str:
    quiet_ingest([SEED], pg_url)
    assert other_sessions(pg_url) == 0
    return pg_url


def test_cli_search_and_stats_close_their_pool(
    seeded_url: str, no_gc: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "budget", "--index", seeded_url]) == 0
    assert other_sessions(seeded_url) == 0
    assert main(["stats", "--index", seeded_url]) == 0
    assert other_sessions(seeded_url) == 0
    assert "items:" in capsys.readouterr().out


def test_the_web_app_closes_its_pool_when_closed(seeded_url: str, no_gc: None) -> None:
    from webui import close_app, create_app

    app = create_app({"INDEX_DIR": seeded_url, "TESTING": True})
    assert app.test_client().get("/api/search?q=budget").status_code == 200
    deadline = time.monotonic() + 5
    while other_sessions(seeded_url, settle=False) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other_sessions(seeded_url, settle=False) >= 1  # the pool is there while the app serves
    close_app(app)
    assert other_sessions(seeded_url) == 0
