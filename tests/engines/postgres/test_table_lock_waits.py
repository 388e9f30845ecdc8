"""The waits for a table's ACCESS EXCLUSIVE lock end, and the searches go on meanwhile.

``minutes optimize`` rewrites each content table (VACUUM FULL) and a migration alters tables
(``ALTER TABLE`` in ``minutes db init``): both need the table alone.  Behind a long transaction
reading it (a slow search, an open psql session, a pg_dump) they waited for ever, and every new
reader of the table queued behind that wait: a public site stopped answering searches.  Now each
try waits ``TABLE_LOCK_WAIT`` (200 ms) for its lock, the queued readers go on between tries, and
after ``WRITER_WAIT_S`` (shortened here) the command fails in one line naming the holder, having
changed nothing half-way.

Every session's ``lock_timeout`` is 20 s here (libpq's PGOPTIONS, as in ``test_lock_waits``), and
the new reader's 5 s: behind the old code's wait, that read fails rather than waits 20 s.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from indexer.cli import main
from indexer.engines.postgres import schema
from tests.conftest import SEED


@pytest.fixture
def ingested(pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    assert main(["ingest", str(SEED), "--index", pg_url]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=20s")
    monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 2.0)
    return pg_url


def _long_reader(url: str, table: str) -> psycopg.Connection:
    """A transaction that has read ``table`` and stays open: it holds the table's ACCESS SHARE lock."""
    conn = psycopg.connect(url)
    conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    return conn


class NewReader:
    """Reads ``table`` over and over, each read in a session whose lock waits end after 5 s with
    an error, while the command under test runs: a read queued behind its wait fails."""

    def __init__(self, url: str, table: str) -> None:
        self.url, self.table = url, table
        self.reads = 0
        self.failed: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '5s'")
            while not self.stop.is_set():
                try:
                    conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.table))).fetchone()
                except psycopg.errors.LockNotAvailable as exc:
                    self.failed.append(str(exc).strip())
                self.reads += 1
                time.sleep(0.05)

    def __enter__(self) -> NewReader:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(30)


def _file_of(url: str, table: str) -> int:
    """The table's file number: a rewrite gives it a new one."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_relation_filenode(%s)", (table,)).fetchone()
    assert row is not None
    return int(row[0])


def _two_lines(err: str, pid: int, waiting_for: str) -> str:
    """The waiting line said at once (checked), then the failure's one line (returned)."""
    waiting, failure = err.split("\n", 1)
    assert (
        waiting == f"warning: waiting for {waiting_for} to finish (held by database session {pid}); giving up after 2 s"
    )
    assert failure.count("\n") == 1 and "Traceback" not in failure
    return failure


def test_optimize_behind_a_long_reader_fails_in_one_line_and_the_searches_go_on(
    ingested: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = _long_reader(ingested, "postings")
    try:
        items, postings = _file_of(ingested, "items"), _file_of(ingested, "postings")
        with NewReader(ingested, "postings") as new_reader:
            assert main(["optimize", "--index", ingested]) == 2
        assert new_reader.failed == [] and new_reader.reads > 0
        failure = _two_lines(
            capsys.readouterr().err, reader.info.backend_pid, "a transaction reading the postings table"
        )
        assert failure == (
            f"error: {ingested}: a transaction reading the postings table (held by database session "
            f"{reader.info.backend_pid}) kept optimize from rewriting it (rewritten before: items); "
            "run optimize again when it has finished\n"
        )
        # items was rewritten before, as said; postings is as it was
        assert _file_of(ingested, "items") != items and _file_of(ingested, "postings") == postings
    finally:
        reader.close()
    assert main(["optimize", "--index", ingested]) == 0
    assert "content tables rewritten" in capsys.readouterr().out


# Back to version 10: migration 11's column gone, 11 and 12 to apply again.
BACK_TO_10 = f"""
ALTER TABLE items DROP COLUMN date_precision;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version > 10;
"""


def _columns(url: str) -> tuple[int | None, list[str]]:
    with psycopg.connect(url) as conn:
        names = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY column_name"
        ).fetchall()
        return schema.current_version(conn), [str(n[0]) for n in names]


def test_a_migration_behind_a_long_reader_fails_in_one_line_changes_nothing_and_the_searches_go_on(
    ingested: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with psycopg.connect(ingested) as conn:
        conn.execute(BACK_TO_10)  # type: ignore[arg-type]
    before = _columns(ingested)
    assert before[0] == 10 and "date_precision" not in before[1]
    reader = _long_reader(ingested, "items")
    try:
        with NewReader(ingested, "items") as new_reader:
            assert main(["db", "init", "--index", ingested]) == 2
        assert new_reader.failed == [] and new_reader.reads > 0
        failure = _two_lines(
            capsys.readouterr().err,
            reader.info.backend_pid,
            "a transaction using the tables the migrations alter",
        )
        assert failure == (
            f"error: {ingested}: a transaction using this database's tables (held by database session "
            f"{reader.info.backend_pid}) kept db init from altering them: nothing was changed; "
            "run db init again when it has finished\n"
        )
        assert _columns(ingested) == before  # the migration's transaction rolled back
    finally:
        reader.close()
    assert main(["db", "init", "--index", ingested]) == 0
    assert "(applied 11, 12)" in capsys.readouterr().out
    assert "date_precision" in _columns(ingested)[1]
