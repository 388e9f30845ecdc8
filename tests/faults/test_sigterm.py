"""SIGTERM on an ingest or reindex with worker processes, as Ctrl-C (``test_ctrl_c.py``).

A service manager stops a command with SIGTERM, to the command alone (``kill PID``, ``docker
stop``, systemd's KillMode=mixed) or to its whole process group (KillMode=control-group).  The
command used to die where it stood and leave its workers running.  Now either way: one line,
exit 143, no worker's traceback, no process of the group left, nothing committed after the
signal, and the index answers as it did.

Each test runs the real command in its own process group, as a service manager starts one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest

from benchmarks.generate_corpus import write_corpus
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV
from tests.faults.test_ctrl_c import PER_FILE, group_members, ids, signal_when_ready, start_ingest, start_reindex
from tests.helpers import quiet_ingest

STOPPED = "stopped (SIGTERM): batches committed so far are kept; nothing half-written was committed"
REINDEX_STOPPED = "reindex stopped (SIGTERM): nothing changed, the old index is still served"
WHO = {False: "command-alone", True: "whole-group"}


def answers(location: Path | str) -> list[tuple[int, list[str]]]:
    """What searches and a browse answer: the total and the first page's ids of each."""
    found = []
    with closing(SearchService(location)) as service:
        for q in ("kommune", "budget skole", ""):
            response = service.search(SearchRequest(q=q, per_page=20))
            assert response.error is None, response.error
            found.append((response.total, [hit["id"] for hit in response.results]))
    return found


def assert_stopped_cleanly(process: subprocess.Popen[bytes], err: str, line: str) -> None:
    assert process.returncode == 143, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == [line], err
    time.sleep(0.2)
    assert group_members(process.pid) == [], "a worker outlived the command"


@pytest.mark.parametrize("whole_group", [False, True], ids=WHO.get)
def test_sigterm_with_parsing_workers_and_forked_writers_in_flight(tmp_path: Path, whole_group: bool) -> None:
    """Signalled while two parsing workers and two forked writers run (batches of 1,000 items
    are written by forked writers): every commit is of whole files, and the index answers."""
    root = tmp_path / "ix"
    before = write_corpus(tmp_path / "before", 200, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=11)
    quiet_ingest(before, root)
    held, browsed = ids(root), answers(root)[2][0]
    write_corpus(tmp_path / "in", 6000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=12)
    process = start_ingest(tmp_path / "in", root, "--workers", "2", "--batch-size", "1000")
    err = signal_when_ready(process, 1 + 2 + 2, signal.SIGTERM, whole_group)  # the command, two parsers, two writers
    assert_stopped_cleanly(process, err, STOPPED)
    after = ids(root)
    assert set(held) <= set(after) and len(after) == len(set(after))
    added = len(after) - len(held)
    assert added % PER_FILE == 0 and added < 6000, added  # whole files of committed batches
    assert browsed <= answers(root)[2][0] <= browsed + added  # it answers, with what was committed


def test_sigterm_to_the_command_alone_ends_a_worker_stuck_on_its_file(tmp_path: Path) -> None:
    """The worker blocked in reading its file (a named pipe no one writes to) is the one that
    outlived a SIGTERMed command for good; now the command ends it, and as nothing after that
    file was committed, the index answers as before."""
    root = tmp_path / "ix"
    before = write_corpus(tmp_path / "before", 200, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=11)
    quiet_ingest(before, root)
    held, answered = ids(root), answers(root)
    folder = tmp_path / "in"
    write_corpus(folder, 1000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=13)
    os.mkfifo(folder / "part-0.jsonl")  # sorts first: the first file a worker takes
    process = start_ingest(folder, root, "--workers", "2", "--format", "jsonl")
    err = signal_when_ready(process, 1 + 2, signal.SIGTERM, whole_group=False, settle=1.5)
    assert_stopped_cleanly(process, err, STOPPED)
    assert ids(root) == held
    assert answers(root) == answered


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 6,000 generated items with its recorded source, built once; tests copy it."""
    tmp = tmp_path_factory.mktemp("sigterm-reindex")
    folder = tmp / "in"
    write_corpus(folder, 6000, items_per_file=PER_FILE, csv_path=CORPUS_CSV, seed=14)
    quiet_ingest([folder], tmp / "ix")
    return tmp / "ix"


@pytest.mark.parametrize("whole_group", [False, True], ids=WHO.get)
def test_sigterm_on_a_reindex_with_workers_in_flight_leaves_the_live_index(
    recorded: Path, tmp_path: Path, whole_group: bool
) -> None:
    """The reindex reads its sources with the same parsing workers and forked writers: one line,
    exit 143, no worker left, and the live generation is the one served before, unchanged."""
    root = tmp_path / "ix"
    shutil.copytree(recorded, root, symlinks=True)  # `current` is a relative link
    live = MinutesIndex.live_dir(root).resolve()
    held, answered = ids(root), answers(root)
    process = start_reindex(root)
    err = signal_when_ready(process, 1 + 2 + 2, signal.SIGTERM, whole_group)
    assert_stopped_cleanly(process, err, REINDEX_STOPPED)
    assert MinutesIndex.live_dir(root).resolve() == live
    assert [g for g in root.glob("gen-*") if g != live] == []
    assert ids(root) == held
    assert answers(root) == answered
