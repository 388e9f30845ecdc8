"""One ingest, harvest, forget or reindex per database at a time, as on the embedded engine.

The run lock is a session-level advisory lock on a connection of its own: a second writer
waits, then fails in one line naming the holder; the holder's end, however it ends (a
``kill -9`` too), lets go of it.  Before, each batch only locked its own transaction, so a
``minutes forget`` ran in the middle of a ``minutes harvest`` into the same database.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.base import EngineError
from indexer.engines.postgres.engine import Database, lock_session
from indexer.engines.postgres.index import PostgresIndex
from tests.conftest import SEED

PYTHON = sys.executable
REPO = Path(__file__).resolve().parents[3]

# Holds the run lock as an ingest does, until its standard input ends.
HOLD = """
import sys
from indexer.engines.base import EngineError
from indexer.engines.postgres.engine import Database, lock_session
from indexer.engines.postgres.index import PostgresIndex
index = PostgresIndex(Database(sys.argv[1]))
with index.ingest_lock(wait_s=0):
    print("held", flush=True)
    sys.stdin.read()
"""


def _holder(url: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _open_ids(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [str(r[0]) for r in conn.execute("SELECT id FROM items WHERE access = 'open' ORDER BY id").fetchall()]


@pytest.fixture
def ingested(pg_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["ingest", str(SEED), "--index", pg_url]) == 0
    capsys.readouterr()
    assert _open_ids(pg_url)
    return pg_url


def test_forget_ingest_and_reindex_wait_then_fail_clearly_while_a_writer_holds_the_database(
    ingested: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = ingested
    before = _open_ids(url)
    holder = _holder(url)
    try:
        monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 0.5)
        assert main(["forget", before[0], "--reason", "test", "--index", url]) == 2
        waiting, err = capsys.readouterr().err.split("\n", 1)  # the waiting line, then the failure's one line
        assert waiting.startswith(
            f"warning: waiting for another ingest to finish (held by minutes-search writer, pid {holder.pid} on "
        )
        assert waiting.endswith("; giving up after 0.5 s")
        assert "another ingest is writing to this index" in err
        assert f"minutes-search writer, pid {holder.pid} on " in err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert main(["ingest", str(SEED), "--index", url]) == 2
        assert "another ingest is writing to this index" in capsys.readouterr().err
        assert main(["reindex", "--index", url]) == 1
        err = capsys.readouterr().err.split("\n", 1)[1]
        assert err.startswith("reindex failed (") and "another ingest is writing" in err
        assert "nothing changed, the old index is still served" in err
        assert main(["optimize", "--index", url]) == 2
        assert "another ingest is writing to this index" in capsys.readouterr().err
        assert _open_ids(url) == before  # the forget did not run
    finally:
        holder.kill()  # SIGKILL: no chance to let go of anything itself
        holder.wait()
    assert holder.returncode == -signal.SIGKILL
    # The server ends the dead client's session and its lock with it.
    monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 30.0)
    assert main(["forget", before[0], "--reason", "test", "--index", url]) == 0
    assert _open_ids(url) == before[1:]


def test_a_second_writer_waits_for_the_first_to_finish(
    ingested: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = ingested
    before = _open_ids(url)
    monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 60.0)
    assert main(["ingest", str(SEED), "--index", url]) == 0
    assert "waiting for" not in capsys.readouterr().err  # the lock free: not a word about waiting
    holder = _holder(url)
    codes: list[int] = []
    forget = threading.Thread(target=lambda: codes.append(main(["forget", before[0], "--reason", "t", "--index", url])))
    seen: list[str] = []
    try:
        forget.start()
        time.sleep(1.0)  # not a timing assertion: without the lock the forget has run by now, or soon after
        assert forget.is_alive() and _open_ids(url) == before
        # Said at once, while it waits (before, two minutes of silence): one line, the holder, the limit.
        deadline = time.monotonic() + 60
        while "giving up after 60 s\n" not in "".join(seen) and time.monotonic() < deadline:
            seen.append(capsys.readouterr().err)
            time.sleep(0.1)
        line = "".join(seen)
        assert line.startswith(
            f"warning: waiting for another ingest to finish (held by minutes-search writer, pid {holder.pid} on "
        )
        assert line.endswith("; giving up after 60 s\n") and line.count("\n") == 1
        assert forget.is_alive()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # the holder's block ends
        holder.wait()
        forget.join(timeout=60)
    assert codes == [0]
    assert _open_ids(url) == before[1:]
    assert "waiting for" not in capsys.readouterr().err  # said once, not per poll


def test_a_runs_own_batches_write_under_its_lock(ingested: str) -> None:
    """The batches' transaction lock is another key: a run's own batches, on other connections
    of the same process, are not held up by the run lock (the same key would wait for ever)."""
    index = PostgresIndex(Database(ingested))
    try:
        with index.ingest_lock(wait_s=0), index.ingest_lock(wait_s=0):  # nested: held once
            found, _ = index.engine.forget([_open_ids(ingested)[0]])
            assert sum(n for _, n in found.values()) == 1
    finally:
        index.engine.close()


def test_a_harvest_waits_for_the_writer_then_fails_clearly_before_fetching_anything(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race found in round 33: a forget during a harvest into one database.  Whichever runs
    second now waits for the first, then fails without touching the portal or the harvest state."""
    import io

    from indexer.engines.base import EngineBusy
    from indexer.harvest.firstagenda import HarvestOptions, harvest
    from tests.harvest.helpers import documents, fast
    from tests.harvest.portal import Portal

    portal = Portal(documents("Kultur- og Fritidsudvalget_2022-03-21"))
    base = portal.start()
    options = HarvestOptions(attachments=False)
    try:
        holder = _holder(pg_url)
        try:
            monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 0.5)
            with pytest.raises(EngineBusy, match=f"another ingest is writing to this index .*pid {holder.pid} on "):
                harvest(base, pg_url, fast(), options, stream=io.StringIO(), state_root=tmp_path / "state")
            assert not portal.hits
            with psycopg.connect(pg_url) as conn:
                assert conn.execute("SELECT count(*) FROM harvest_state").fetchone() == (0,)
        finally:
            holder.kill()
            holder.wait()
        monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 30.0)
        done = harvest(base, pg_url, fast(), options, stream=io.StringIO(), state_root=tmp_path / "state")
        assert (done.new, done.failed) == (1, 0)
    finally:
        portal.stop()


def test_an_ingest_of_nothing_that_exists_says_so_at_once_while_a_writer_holds_the_database(
    ingested: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped path while a harvest runs: the ingest waited for the writer (two minutes), then
    said another ingest was writing, never that the path does not exist.  With nothing to read it
    takes no lock and names the path."""
    url = ingested
    monkeypatch.setattr("indexer.engines.postgres.engine.WRITER_WAIT_S", 0.5)
    holder = _holder(url)
    try:
        assert main(["ingest", str(tmp_path / "no-such-export"), "--index", url]) == 1
        err = capsys.readouterr().err
        assert f"rejected: {tmp_path / 'no-such-export'}: no such file or folder" in err
        assert "another ingest is writing" not in err
        assert main(["ingest", str(SEED), "--index", url]) == 2  # something to read still waits, then fails
        assert "another ingest is writing to this index" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_a_run_whose_lock_session_the_server_ended_stops_before_its_next_batch_writes(ingested: str) -> None:
    """A server restart or an administrator's ``pg_terminate_backend`` ends the session holding the
    run lock, and the lock with it; the run's batches, on other connections, would go on writing
    beside whichever writer came in.  The next batch finds the lock gone and stops, writing nothing."""
    index = PostgresIndex(Database(ingested))
    target = _open_ids(ingested)[0]
    try:
        with index.ingest_lock(wait_s=0):
            run = index.engine._run
            assert run is not None
            with psycopg.connect(ingested, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (run.info.backend_pid,))
            with pytest.raises(EngineError, match="ended the session holding this run's writers' lock"):
                index.engine.forget([target])
        assert target in _open_ids(ingested)
    finally:
        index.engine.close()


def test_the_run_locks_session_outlives_a_server_that_ends_idle_sessions(
    ingested: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock's session is idle for the whole run; with ``idle_session_timeout`` set for the
    database's sessions (here through libpq's PGOPTIONS) the server would end it, lock and all."""
    monkeypatch.setenv("PGOPTIONS", "-c idle_session_timeout=300")
    session = lock_session(ingested)
    try:
        time.sleep(1.0)
        assert session.execute("SELECT 1").fetchone() == (1,)
    finally:
        session.close()
