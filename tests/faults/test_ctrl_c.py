"""Ctrl-C on an ingest with worker processes: the terminal sends SIGINT to the whole process
group, the parsing workers and the forked Whoosh writers included.  Only the parent acts on it:
one line, exit 130, no worker's traceback, no worker left behind, nothing half-written.

Each test runs the real ``minutes ingest`` in its own process group, as a shell runs a command,
and signals the group as the terminal does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate_corpus import write_corpus
from indexer.engines.whoosh.index import MinutesIndex
from tests.conftest import CORPUS_CSV, REPO
from tests.helpers import quiet_ingest

INTERRUPTED = "interrupted: batches committed so far are kept; nothing half-written was committed"
PER_FILE = 100  # items a generated file holds


def group_members(group: int) -> list[int]:
    """The processes of a process group (Linux: from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def ids(root: Path) -> list[str]:
    with MinutesIndex.open(root).ix.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def start_ingest(folder: Path, root: Path, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "ingest", str(folder), "--index", str(root), *options],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a command
        env={**os.environ, "MINUTES_WRITER_PROCS": "2"},
    )


def press_ctrl_c(process: subprocess.Popen[bytes], ready: int, settle: float = 0.0) -> str:
    """SIGINT to the whole group (what Ctrl-C in its terminal sends) once it holds ``ready``
    processes; the command's stderr."""
    return signal_when_ready(process, ready, signal.SIGINT, whole_group=True, settle=settle)


def signal_when_ready(
    process: subprocess.Popen[bytes], ready: int, signum: int, whole_group: bool, settle: float = 0.0
) -> str:
    """``signum`` to the whole group or to the command alone, once the group holds ``ready``
    processes; the command's stderr.  Fails (and kills the group, workers left behind
    included) if it is not done 60 s later."""
    try:
        deadline = time.monotonic() + 180
        while process.poll() is None and len(group_members(process.pid)) < ready and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(settle)
        assert process.poll() is None, "the ingest ended before its workers were seen"
        assert len(group_members(process.pid)) >= ready
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the command or a worker left behind (holding stderr) hangs
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        raise
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return err.decode()


def assert_one_line_and_no_worker_left(process: subprocess.Popen[bytes], err: str) -> None:
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == [INTERRUPTED], err
    time.sleep(0.2)
    assert group_members(process.pid) == [], "a worker outlived the command"


def test_ctrl_c_with_parsing_workers_and_forked_writers_in_flight(tmp_path: Path) -> None:
    """Signalled while two parsing workers and two forked writers run (a batch of 1,000 items
    is written by forked writers): every commit is of whole files, nothing of a half batch."""
    root = tmp_path / "ix"
    before = write_corpus(tmp_path / "before", 200, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=11)
    quiet_ingest(before, root)
    held = ids(root)
    write_corpus(tmp_path / "in", 6000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=12)
    process = start_ingest(tmp_path / "in", root, "--workers", "2", "--batch-size", "1000")
    err = press_ctrl_c(process, ready=1 + 2 + 2)  # the command, its two parsers, two writers
    assert_one_line_and_no_worker_left(process, err)
    after = ids(root)
    assert set(held) <= set(after) and len(after) == len(set(after))
    added = len(after) - len(held)
    assert added % PER_FILE == 0 and added < 6000, added  # whole files of committed batches


def test_ctrl_c_ends_a_worker_stuck_on_its_file(tmp_path: Path) -> None:
    """A worker blocked in reading its file (a named pipe no one writes to) does not hold the
    command up: the parent ends it.  Results are taken in order, so nothing after it was
    committed and the index is as it was."""
    root = tmp_path / "ix"
    before = write_corpus(tmp_path / "before", 200, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=11)
    quiet_ingest(before, root)
    held = ids(root)
    folder = tmp_path / "in"
    write_corpus(folder, 1000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=13)
    os.mkfifo(folder / "part-0.jsonl")  # sorts first: the first file a worker takes
    process = start_ingest(folder, root, "--workers", "2", "--format", "jsonl")
    started = time.monotonic()
    err = press_ctrl_c(process, ready=1 + 2, settle=1.5)  # the other worker has parsed its share meanwhile
    assert time.monotonic() - started < 60
    assert_one_line_and_no_worker_left(process, err)
    assert ids(root) == held


def start_reindex(root: Path) -> subprocess.Popen[bytes]:
    """``minutes reindex`` in its own process group with two parsing workers and two forked
    writers (5 processes once all are up)."""
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "reindex", "--index", str(root)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "MINUTES_WRITER_PROCS": "2", "MINUTES_BATCH_SIZE": "1000"},
    )


def test_ctrl_c_on_a_reindex_with_workers_in_flight_leaves_the_live_index(tmp_path: Path) -> None:
    """The reindex reads its sources with the same parsing workers and forked writers: one line,
    exit 130, no worker left, and the live generation is the one served before, unchanged."""
    folder = tmp_path / "in"
    write_corpus(folder, 6000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=14)
    root = tmp_path / "ix"
    quiet_ingest([folder], root)
    live = MinutesIndex.live_dir(root).resolve()
    held = ids(root)
    process = start_reindex(root)
    err = press_ctrl_c(process, ready=1 + 2 + 2)  # the command, its two parsers, two writers
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == ["reindex interrupted: nothing changed, the old index is still served"]
    time.sleep(0.2)
    assert group_members(process.pid) == [], "a worker outlived the command"
    assert MinutesIndex.live_dir(root).resolve() == live
    assert [g for g in root.glob("gen-*") if g != live] == []
    assert ids(root) == held
