"""``minutes serve --workers 2``: two processes answer on one socket over one index.

Real server processes on loopback over an index of the seed: the parent forks two
workers that accept on the socket it bound; every answer is the same search; a
worker that dies is replaced; stopping the parent stops them all.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, SEED
from tests.helpers import NORDDJURS, quiet_ingest


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.add(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _wait_for(check, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_two_workers_answer_on_one_socket_and_stop_together(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "indexer.cli", "serve", "--index", str(root), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", "2"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(lambda: len(_children(process.pid)) == 2)
        url = f"http://127.0.0.1:{port}/api/search?q=sociale+medier"

        def answer() -> dict[str, object]:
            with urllib.request.urlopen(url, timeout=30) as response:
                return dict(json.loads(response.read()))

        def answers() -> bool:
            try:
                return answer()["total"] == 1
            except OSError:
                return False

        _wait_for(answers)
        totals = {answer()["total"] for _ in range(12)}
        assert totals == {1}
        victim = min(_children(process.pid))
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: victim not in _children(process.pid) and len(_children(process.pid)) == 2)
        _wait_for(answers)
    finally:
        workers = _children(process.pid)
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
    time.sleep(0.5)
    assert all(not Path(f"/proc/{pid}").exists() or _is_zombie(pid) for pid in workers)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
