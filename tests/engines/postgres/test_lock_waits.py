"""Every lock wait of the PostgreSQL engine's writers and of ``db init`` ends: it waits up to
``WRITER_WAIT_S`` (shortened here), says at once for whom, then fails in one line naming the
holder and writes nothing.

The run lock bounded a second ingest's wait (``test_writer_lock.py``); the writers' lock behind
it did not.  A writer of an older version takes only that lock, batch by batch (an older
reindex holds it for its whole run), and a batch can be stuck: a reindex (which takes it for its
run), a batch of a run, and ``db init`` (its migrations' content upgrade) waited there for ever;
``db init`` waited for ever, too, behind a reindex (which holds its lock shared until the swap).

Each test also sets ``lock_timeout`` for every session (libpq's PGOPTIONS): without the bound,
the server's own wait ends after 20 s with another message and the test fails, never hangs.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import INGEST_LOCK, Database
from indexer.engines.postgres.rebuild import BUILD
from tests.conftest import SEED


def _content(url: str) -> tuple[object, ...]:
    """What a write would change: every item's id, access and document, the generation and the
    analysis stamp, the withdrawn ids, the schema version, and any rebuild schema left."""
    with psycopg.connect(url) as conn:
        items = conn.execute("SELECT id, access, stored::text FROM items ORDER BY id").fetchall()
        state = conn.execute("SELECT generation, analysis FROM state").fetchall()
        withdrawn = conn.execute("SELECT id FROM withdrawn ORDER BY id").fetchall()
        version = schema.current_version(conn)
        build = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s", (BUILD,)).fetchall()
    return items, state, withdrawn, version, build


@pytest.fixture
def ingested(pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    assert main(["ingest", str(SEED), "--index", pg_url]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=20s")
    monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 0.5)
    return pg_url


@pytest.fixture
def batch(ingested: str) -> Iterator[psycopg.Connection]:
    """A batch of an older version's writer (or a stuck one): a transaction holding the writers' lock."""
    with psycopg.connect(ingested) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INGEST_LOCK,))
        yield conn
        conn.rollback()


def _two_lines(err: str, pid: int, waiting_for: str = "another ingest") -> str:
    """The waiting line said at once (checked), then the failure's one line (returned)."""
    waiting, failure = err.split("\n", 1)
    assert waiting == (
        f"warning: waiting for {waiting_for} to finish (held by database session {pid}); giving up after 0.5 s"
    )
    assert failure.count("\n") == 1 and "Traceback" not in failure
    return failure


def test_a_reindex_behind_a_batch_holding_the_writers_lock_fails_in_one_line_and_writes_nothing(
    ingested: str, batch: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _content(ingested)
    assert main(["reindex", "--index", ingested]) == 1  # as behind the run lock
    failure = _two_lines(capsys.readouterr().err, batch.info.backend_pid)
    assert failure == (
        f"reindex failed ({ingested}: another ingest is writing to this index (held by database session "
        f"{batch.info.backend_pid}); try again when it has finished): nothing changed, the old index is still served\n"
    )
    assert _content(ingested) == before


def test_a_runs_batch_behind_an_older_versions_batch_fails_in_one_line_and_writes_nothing(
    ingested: str, batch: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _content(ingested)
    target = str(before[0][0][0])  # type: ignore[index]
    assert main(["forget", target, "--reason", "test", "--index", ingested]) == 2
    failure = _two_lines(capsys.readouterr().err, batch.info.backend_pid)
    assert failure.startswith(f"error: {ingested}: another ingest is writing to this index (held by database session ")
    assert _content(ingested) == before


def test_db_init_behind_a_reindex_fails_in_one_line(ingested: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A reindex holds the ``db init`` lock shared until its swap, for hours on a large archive."""
    with psycopg.connect(ingested, autocommit=True) as reindex:
        reindex.execute("SELECT pg_advisory_lock_shared(%s)", (schema.INIT_LOCK,))
        assert main(["db", "init", "--index", ingested]) == 2
        failure = _two_lines(capsys.readouterr().err, reindex.info.backend_pid, "a reindex or another minutes db init")
        assert failure == (
            f"error: {ingested}: a reindex or another minutes db init holds this database (held by database session "
            f"{reindex.info.backend_pid}); run db init again when it has finished\n"
        )
    assert main(["db", "init", "--index", ingested]) == 0


def test_db_init_upgrading_content_behind_a_batch_fails_in_one_line_and_upgrades_nothing(
    ingested: str, batch: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """Migration 12 rewrites items as an ingest does, under the writers' lock."""
    with psycopg.connect(ingested) as conn:
        conn.execute(f"DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 12")
    before = _content(ingested)
    assert main(["db", "init", "--index", ingested]) == 2
    failure = _two_lines(capsys.readouterr().err, batch.info.backend_pid)
    assert failure.startswith(f"error: {ingested}: another ingest is writing to this index (held by database session ")
    assert _content(ingested) == before and before[3] == 11
    batch.rollback()
    assert main(["db", "init", "--index", ingested]) == 0
    assert "applied 12" in capsys.readouterr().out


def test_a_writer_that_opened_the_database_before_an_upgrade_stops_at_its_next_batch(ingested: str) -> None:
    """The schema version was read once, when the process opened the database: a harvest running
    across a later version's ``db init`` went on writing by its own version's rules (an older
    version's process writes, for instance, attachments that migration 12 closed).  Each batch
    now reads the version under the writers' lock, which ``db init`` holds while it migrates."""
    database = Database(ingested)  # opened: the schema checked now
    with psycopg.connect(ingested) as conn:
        target = str(conn.execute("SELECT id FROM items WHERE access = 'open' ORDER BY id LIMIT 1").fetchone()[0])  # type: ignore[index]
    try:
        with psycopg.connect(ingested) as conn:  # a later version's db init, meanwhile
            conn.execute(
                f"INSERT INTO {schema.SCHEMA_VERSION_TABLE} (version, what) VALUES (%s, 'a later version')",
                (schema.LATEST + 1,),
            )
        before = _content(ingested)
        with (
            database.run_lock(wait_s=0),
            pytest.raises(schema.SchemaError, match=rf"newer than this program \({schema.LATEST}\); upgrade it$"),
        ):
            database.forget([target])
        assert _content(ingested) == before
    finally:
        database.close()
