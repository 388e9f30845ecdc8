"""Crash safety: kill -9 mid-ingest, searching during an ingest, two ingests at once, disk full.

Each test ingests a small corpus resampled from the real minutes text
(``benchmarks/generate_corpus.py``) through the real ``minutes`` command.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import whoosh.multiproc
import whoosh.writing

from benchmarks.generate_corpus import write_corpus
from indexer import cli
from indexer.engines.whoosh.index import WRITER_TIMEOUT_S, IndexBusy, MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV

PYTHON = sys.executable


def make_corpus(folder: Path, items: int, seed: int, per_file: int = 100) -> Path:
    write_corpus(folder, items, items_per_file=per_file, csv_path=CORPUS_CSV, seed=seed)
    return folder


def ingest_command(corpus: Path, index: Path, batch_size: int) -> list[str]:
    return [PYTHON, "-m", "indexer.cli", "ingest", str(corpus), "--index", str(index), "--batch-size", str(batch_size)]


def all_ids(index_dir: Path) -> list[str]:
    index = MinutesIndex.open(index_dir)
    with index.ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def committed_count(index_dir: Path) -> int:
    try:
        return MinutesIndex.open(index_dir).doc_count()
    except Exception:
        return 0


@pytest.mark.parametrize("batch_size", [150, 450], ids=["one-writer", "forked-writers"])
def test_kill_9_mid_ingest_keeps_committed_batches_and_rerun_has_no_duplicates(tmp_path: Path, batch_size: int) -> None:
    items = 4000  # enough batches that the kill lands mid-ingest on a fast or busy machine
    corpus = make_corpus(tmp_path / "corpus", items, seed=3)
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        ingest_command(corpus, index_dir, batch_size),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while committed_count(index_dir) < batch_size and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    seen_before_kill = set(all_ids(index_dir)) if committed_count(index_dir) else set()
    still_running = process.poll() is None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the forked writers die with it
    process.wait()
    assert still_running, "the ingest finished before it could be killed; use a larger corpus"
    assert len(seen_before_kill) >= batch_size

    after_kill = all_ids(index_dir)  # opens cleanly
    assert seen_before_kill <= set(after_kill)
    assert len(after_kill) == len(set(after_kill))
    assert len(after_kill) < items

    rerun = subprocess.run(ingest_command(corpus, index_dir, batch_size), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    final = all_ids(index_dir)
    assert len(final) == len(set(final)) == items
    response = SearchService(index_dir).search(SearchRequest(q="udvalget"))
    assert response.error is None and response.total > 0


def test_searches_keep_answering_while_an_ingest_writes(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = make_corpus(tmp_path / "first", 300, seed=5)
    assert cli.main(["ingest", str(first), "--index", str(index_dir), "--batch-size", "100"]) == 0
    service = SearchService(index_dir)
    baseline = service.search(SearchRequest(q="udvalget")).total
    assert baseline > 0

    second = make_corpus(tmp_path / "second", 1500, seed=6)
    process = subprocess.Popen(
        ingest_command(second, index_dir, 200), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    totals: list[int] = []
    errors: list[str] = []

    def search_loop() -> None:
        while process.poll() is None:
            try:
                response = service.search(SearchRequest(q="udvalget"))
                if response.error:
                    errors.append(response.error)
                totals.append(response.total)
            except Exception as exc:  # any exception here is the failure we look for
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert process.wait() == 0
    assert errors == []
    assert len(totals) >= 10
    assert min(totals) >= baseline  # never a half-written view with fewer hits
    assert service.search(SearchRequest(q="udvalget")).total > baseline  # readers see the new commits


def test_two_ingests_at_once_queue_or_fail_clearly(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpora = [make_corpus(tmp_path / f"c{n}", 600, seed=10 + n) for n in range(2)]
    processes = [
        subprocess.Popen(
            ingest_command(corpus, index_dir, 200), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for corpus in corpora
    ]
    outcomes = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in processes]
    for code, stderr in outcomes:
        assert code == 0 or ("another ingest" in stderr or "locked" in stderr), stderr
        assert "Traceback" not in stderr
    ids = all_ids(index_dir)
    assert len(ids) == len(set(ids))
    succeeded = sum(1 for code, _ in outcomes if code == 0)
    assert succeeded >= 1
    assert len(ids) == 600 * succeeded


def test_disk_full_during_commit_is_a_clear_error_and_the_old_index_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    first = make_corpus(tmp_path / "first", 200, seed=21)
    assert cli.main(["ingest", str(first), "--index", str(index_dir)]) == 0
    before = sorted(all_ids(index_dir))

    def no_space(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(index_dir))

    monkeypatch.setattr(whoosh.writing.SegmentWriter, "commit", no_space)
    monkeypatch.setattr(whoosh.multiproc.MpWriter, "commit", no_space)
    second = make_corpus(tmp_path / "second", 300, seed=22)
    capsys.readouterr()
    code = cli.main(["ingest", str(second), "--index", str(index_dir), "--batch-size", "100", "--workers", "1"])
    err = capsys.readouterr().err
    assert code != 0
    assert "No space left on device" in err
    assert "Traceback" not in err
    monkeypatch.undo()

    assert sorted(all_ids(index_dir)) == before
    response = SearchService(index_dir).search(SearchRequest(q="udvalget"))
    assert response.error is None and response.total > 0


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions, so a read-only folder cannot be simulated"
)
def test_read_only_index_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "index"
    first = make_corpus(tmp_path / "first", 100, seed=31)
    assert cli.main(["ingest", str(first), "--index", str(index_dir)]) == 0
    before = sorted(all_ids(index_dir))
    live = (index_dir / "current").resolve()
    modes = {path: path.stat().st_mode for path in [index_dir, live]}
    try:
        for path in modes:
            path.chmod(0o555)
        code = cli.main(["ingest", str(make_corpus(tmp_path / "second", 100, seed=32)), "--index", str(index_dir)])
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert code != 0
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(all_ids(index_dir)) == before


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started and still has (Linux's list of each thread's children)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    """A process still running (a zombie nobody reaped yet has ended: it holds no files)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_kill_9_of_the_ingest_alone_takes_its_workers_with_it_and_the_next_ingest_runs(tmp_path: Path) -> None:
    """``kill -9`` of the ingest process alone (not its group: a service manager's or an
    operator's kill of one PID) used to leave its parsing workers and forked writers running,
    re-parented to PID 1, and one of them kept the index's lock file open (an inherited file
    descriptor), so the next ingest waited two minutes and failed "the index is locked".
    Every worker now dies with the process that started it."""
    corpus = make_corpus(tmp_path / "corpus", 3000, seed=21)
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        ingest_command(corpus, index_dir, 450),  # batches big enough for the forked writers
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 180
    while len(workers) < 3 and process.poll() is None and time.monotonic() < deadline:
        workers |= _children(process.pid)  # two parsing workers, then the forked writers
        time.sleep(0.05)
    still_running = process.poll() is None
    try:
        process.send_signal(signal.SIGKILL)  # the ingest alone
        process.wait()
        assert still_running, "the ingest finished before it could be killed; use a larger corpus"
        assert len(workers) >= 3
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in workers if _alive(pid)] == []
    finally:
        for pid in workers:  # never leave them behind, even when the test fails
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    started = time.monotonic()
    rerun = subprocess.run(ingest_command(corpus, index_dir, 450), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert time.monotonic() - started < WRITER_TIMEOUT_S  # it never waited on a lock
    final = all_ids(index_dir)
    assert len(final) == len(set(final)) == 3000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's /proc")
def test_the_locked_index_error_names_the_process_holding_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock left held (a worker of a killed ingest, an ingest still running) is found by the
    operator from the error itself: it names the process that has the lock file open."""
    index = MinutesIndex.open_or_create(tmp_path / "index")
    lock_file = Path(index.ix.storage.folder) / f"{index.ix.indexname}_WRITELOCK"
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLD_LOCK, str(lock_file)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr("indexer.engines.whoosh.index.WRITER_TIMEOUT_S", 0.3)
        with pytest.raises(IndexBusy) as busy:
            index._writer()
    finally:
        holder.kill()
        holder.wait()
    assert "locked by another writer" in str(busy.value)
    assert f"held by process {holder.pid}: " in str(busy.value)
    assert "\n" not in str(busy.value)


HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def _wait_for_line(capsys: pytest.CaptureFixture[str], seen: list[str], text: str, within_s: float = 60.0) -> bool:
    """Collect stderr (into ``seen``) until ``text`` shows up; False when it has not within ``within_s``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        seen.append(capsys.readouterr().err)
        if text in "".join(seen):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's /proc")
def test_a_second_ingest_says_at_once_that_it_waits_and_for_whom(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a second ingest waited two minutes without a word.  While another holds the index
    it says so in one line naming the holder and the limit, goes on when the first has finished,
    and says nothing when the index is free."""
    from tests.conftest import SEED

    index_dir = tmp_path / "index"
    assert cli.main(["ingest", str(SEED), "--index", str(index_dir)]) == 0
    assert "waiting for" not in capsys.readouterr().err  # free: not a word about waiting
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLD_LOCK, str(index_dir / "ingest.lock")],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    codes: list[int] = []
    second = threading.Thread(target=lambda: codes.append(cli.main(["ingest", str(SEED), "--index", str(index_dir)])))
    seen: list[str] = []
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr("indexer.engines.whoosh.index.WRITER_TIMEOUT_S", 60.0)
        second.start()
        assert _wait_for_line(capsys, seen, "giving up after 60 s\n")
        assert second.is_alive()  # said while it waits, not with the failure
        line = "".join(seen).strip()
        assert line.startswith(f"warning: waiting for another ingest to finish (held by process {holder.pid}: ")
        assert "\n" not in line
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # the holder lets go
        holder.wait()
        second.join(timeout=120)
    assert codes == [0]
    assert "waiting for" not in capsys.readouterr().err  # said once, not per poll
    # Giving up: the waiting line, then the one-line failure.
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLD_LOCK, str(index_dir / "ingest.lock")],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr("indexer.engines.whoosh.index.WRITER_TIMEOUT_S", 0.5)
        assert cli.main(["ingest", str(SEED), "--index", str(index_dir)]) == 2
    finally:
        holder.kill()
        holder.wait()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("warning: waiting for another ingest to finish (held by process ")
    assert lines[0].endswith("; giving up after 0.5 s")
    assert "another ingest is writing to this index" in lines[1]
