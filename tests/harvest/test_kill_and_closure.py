"""A harvest killed with SIGKILL at any point, and meetings whose items are closed or withdrawn
between runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import REPO
from tests.harvest.helpers import CONTACT, dump, ingest_directly, meeting_id_of, run, subset
from tests.harvest.portal import Portal

SUBSET = subset()


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("direct") / "ix"
    ingest_directly(SUBSET, root)
    return dump(root)


@pytest.fixture()
def portal() -> Iterator[Portal]:
    served = Portal(SUBSET)
    served.start()
    yield served
    served.stop()


def _slow_harvest(portal: Portal, root: Path, stderr: int) -> subprocess.Popen[bytes]:
    """A harvest in its own process group, committing every few items (``--batch-size 8``), each
    meeting answer slowed so a signal lands among fetches, commits and state writes."""
    for path in SUBSET:
        portal.fault(f"/api/agenda/dagsorden/{meeting_id_of(path)}", "slow:0.15")
    command = [
        sys.executable, "-m", "indexer.cli", "harvest", portal.url, "--index", str(root),
        "--contact", CONTACT, "--rate", "0", "--no-attachments", "--batch-size", "8",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)


def _wait_for_fetches(portal: Portal, process: subprocess.Popen[bytes], fetched: int) -> None:
    deadline = time.monotonic() + 120
    while portal.served_so_far("/api/agenda/dagsorden/") < fetched and process.poll() is None:
        assert time.monotonic() < deadline, "the harvest never got going"
        time.sleep(0.01)


@pytest.mark.parametrize("kill_after", [2, 5, 9])
def test_kill_9_mid_harvest_then_a_run_loses_and_duplicates_nothing(
    portal: Portal, direct: dict[str, dict], tmp_path: Path, kill_after: int
) -> None:
    """The harvest commits every few items (``--batch-size 8``) and each meeting answer is slowed,
    so the kill lands among fetches, commits and state writes; which one varies with the count."""
    root = tmp_path / "ix"
    process = _slow_harvest(portal, root, subprocess.DEVNULL)
    try:
        _wait_for_fetches(portal, process, kill_after)
        assert process.poll() is None, "the harvest finished before the kill"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    summary = run(portal.url, root)
    assert summary.failed == 0
    assert summary.new + summary.changed + summary.unchanged == 11
    assert MinutesIndex.open(root).doc_count() == 62  # no item twice
    assert dump(root) == direct
    again = run(portal.url, root)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 11)


def test_sigterm_mid_harvest_is_one_line_and_the_next_run_loses_and_duplicates_nothing(
    portal: Portal, direct: dict[str, dict], tmp_path: Path
) -> None:
    """SIGTERM to the harvest alone (``kill PID``, a service manager's stop) among its fetches and
    commits: Ctrl-C's cancel, one line and exit 143; the next run finishes the job."""
    root = tmp_path / "ix"
    process = _slow_harvest(portal, root, subprocess.PIPE)
    try:
        _wait_for_fetches(portal, process, 5)
        assert process.poll() is None, "the harvest finished before the signal"
        os.kill(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 143, err.decode()
    assert err.decode().splitlines() == [
        "stopped (SIGTERM): batches committed so far are kept; nothing half-written was committed"
    ]
    summary = run(portal.url, root)
    assert summary.failed == 0
    assert summary.new + summary.changed + summary.unchanged == 11
    assert MinutesIndex.open(root).doc_count() == 62  # no item twice
    assert dump(root) == direct


OEKONOMI = next(p for p in SUBSET if p.name.startswith("Økonomiudvalget_2024-04-10"))


def test_an_item_turned_closed_disappears_everywhere(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    run(portal.url, root)
    before = dump(root)
    word = "Befolkningsprognose"
    hits = SearchService(root).search(SearchRequest(q=word))
    assert hits.total >= 1

    def close(document: dict) -> None:
        for point in document["Dagsordenpunkter"]:
            if point["Caption"] == "Befolkningsprognose 2024":
                point["Caption"] = point["Navn"] = "Lukket: Befolkningsprognose 2024"

    portal.change(meeting_id_of(OEKONOMI), close)
    summary = run(portal.url, root)
    assert (summary.changed, summary.unchanged) == (1, 10)
    after = dump(root)
    [turned] = [k for k in after if after[k] != before[k]]
    assert after[turned]["access"] == "closed" and after[turned]["title"] == "Lukket punkt"
    assert SearchService(root).search(SearchRequest(q=word)).total == 0
    for path in (root / "harvest").rglob("*.json"):
        assert word not in path.read_text("utf-8"), path


def test_a_withdrawn_item_disappears(portal: Portal, tmp_path: Path) -> None:
    """A meeting's newest version defines its items (the ingest rule of the closed-content work)."""
    root = tmp_path / "ix"
    run(portal.url, root)
    assert SearchService(root).search(SearchRequest(q="Befolkningsprognose")).total >= 1

    def withdraw(document: dict) -> None:
        document["Dagsordenpunkter"] = [
            p for p in document["Dagsordenpunkter"] if p["Caption"] != "Befolkningsprognose 2024"
        ]

    portal.change(meeting_id_of(OEKONOMI), withdraw)
    summary = run(portal.url, root)
    assert summary.changed == 1
    assert MinutesIndex.open(root).doc_count() == 61
    assert SearchService(root).search(SearchRequest(q="Befolkningsprognose")).total == 0
