"""``minutes serve --workers 2``: two processes answer on one socket over one index.

Real server processes on loopback over an index of the seed: the parent forks two
workers that accept on the socket it bound; every answer is the same search; a
worker that dies is replaced; stopping the parent stops them all, and SIGTERM (to the
parent or to the group, one process or two) answers the request in flight first.
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

import pytest

from tests.conftest import REPO, SEED
from tests.faults.test_ctrl_c import group_members
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


SERVE = [sys.executable, "-m", "indexer.cli", "serve"]
REQUEST = b"GET /api/search?q=sociale+medier HTTP/1.1\r\nHost: minutes\r\n"
STOPPED = "stopped (SIGTERM): minutes-search took no new requests and answered those in flight"


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("whole_group", [False, True], ids={False: "command-alone", True: "whole-group"}.get)
def test_sigterm_answers_the_request_in_flight_and_stops_every_process(
    tmp_path: Path, workers: int, whole_group: bool
) -> None:
    """SIGTERM as a service manager sends it, to the parent alone or to its process group: a
    request half-sent before it, on a connection a server holds, is answered in full, no new connection is taken, one line,
    exit 0 (stopping is how a service ends), and no process of the server is left.  Before,
    the request got an empty reply and one process died by the signal (status -15)."""
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*SERVE, "--index", str(root), "--port", str(port), "--workers", str(workers)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a service manager starts it
    )
    try:
        _wait_for(lambda: _answers(port))
        workers_seen = _children(process.pid) if workers > 1 else set()
        assert len(workers_seen) == (workers if workers > 1 else 0)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(REQUEST + b"\r\n")  # answered: the connection is a server's, kept alive
            assert _read_response(client).startswith(b"HTTP/1.1 200")
            client.sendall(REQUEST)  # the next request, not yet ended: in flight
            time.sleep(0.3)
            if whole_group:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                os.kill(process.pid, signal.SIGTERM)
            time.sleep(0.2)
            client.sendall(b"\r\n")
            reply = _read_all(client)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), reply[:200]
    assert json.loads(body)["total"] == 1
    assert process.returncode == 0, err
    lines = err.decode().strip().splitlines()
    assert "Traceback" not in err.decode()
    said = [line for line in lines if not line.startswith(("127.0.0.1 - -", "warning: Task queue depth"))]
    assert said == [STOPPED], lines
    assert group_members(process.pid) == []
    assert all(_is_zombie(pid) for pid in workers_seen)  # gone (a zombie at most, until reaped)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def _answers(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/api/search?q=sociale+medier"
        with urllib.request.urlopen(url, timeout=30) as response:
            return bool(json.loads(response.read())["total"] == 1)
    except OSError:
        return False


def _read_response(client: socket.socket) -> bytes:
    """One response on a kept-alive connection: its head, then as many bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in head.lower().split(b"\r\n")[1:])
    while len(body) < int(fields[b"content-length"]):
        body += client.recv(65536)
    return head + b"\r\n\r\n" + body


def _read_all(client: socket.socket) -> bytes:
    """The reply until the server closes the connection (it does once the request is answered)."""
    data = b""
    while chunk := client.recv(65536):
        data += chunk
    return data
