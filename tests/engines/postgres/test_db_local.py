"""``minutes db local`` stopped by SIGTERM, as Ctrl-C stops it, on real processes.

pg_ctl puts the postmaster in a session of its own, so a signal to the command or to its
process group never reaches the server: the command must stop it.  By SIGTERM's default
action it died and left a postmaster running with the data folder locked.  Now: one line,
exit 143, no traceback, no process of the command's group and no postmaster left, and the
same folder starts again with what was written (and Ctrl-C there stops it too, exit 0).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from indexer.engines.postgres.server import LocalServer, free_port
from tests.conftest import REPO
from tests.faults.test_ctrl_c import group_members

WHO = {False: "command-alone", True: "whole-group"}


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the server's account reaches (as root it runs as ``nobody``); any server left
    in it by a failed test is stopped."""
    root = Path(tempfile.mkdtemp(prefix="minutes-dblocal-"))
    os.chmod(root, 0o755)
    try:
        yield root / "pg"
    finally:
        with contextlib.suppress(Exception):
            LocalServer(root / "pg").stop()
        shutil.rmtree(root, ignore_errors=True)


def start_db_local(root: Path) -> tuple[subprocess.Popen[str], str]:
    """``minutes db local ROOT`` in its own process group, once it says it is listening; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "db", "local", str(root), "--port", str(free_port())],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    out = ""
    deadline = time.monotonic() + 120
    # A selector, not select.select: a test process may hold more than 1,024 descriptors by now
    # (select's limit), as a worker running many test files in turn does.
    with selectors.DefaultSelector() as waiting:
        waiting.register(process.stdout, selectors.EVENT_READ)
        while "Ctrl-C stops it" not in out:
            if process.poll() is not None or time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                raise AssertionError(f"db local did not start: {out}{process.communicate()[1]}")
            if waiting.select(0.5):  # unbuffered: the selector sees all that is left
                out += os.read(process.stdout.fileno(), 65536).decode()
    url = next(word for word in out.split() if word.startswith("MINUTES_INDEX="))
    return process, url.removeprefix("MINUTES_INDEX=")


def stop(process: subprocess.Popen[str], signum: int, whole_group: bool) -> str:
    """``signum`` to the command alone or to its group; its stderr once it ended."""
    try:
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return err


def postmaster(root: Path) -> int:
    return int((root / "data" / "postmaster.pid").read_text().split()[0])


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("whole_group", [False, True], ids=WHO.get)
def test_sigterm_stops_the_server_and_the_folder_starts_again(folder: Path, whole_group: bool) -> None:
    process, url = start_db_local(folder)
    server = postmaster(folder)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (word text)")
        conn.execute("INSERT INTO kept VALUES ('dagsorden')")
    err = stop(process, signal.SIGTERM, whole_group)
    assert process.returncode == 143, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == [
        f"stopped (SIGTERM): PostgreSQL {folder} is stopped; the data stays in the folder"
    ]
    assert group_members(process.pid) == []
    assert gone(server), "the postmaster outlived the command"
    assert not (folder / "data" / "postmaster.pid").exists()

    again, url = start_db_local(folder)  # the folder is free: it starts, with what was written
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT word FROM kept").fetchall() == [("dagsorden",)]
    server = postmaster(folder)
    err = stop(again, signal.SIGINT, whole_group=True)  # Ctrl-C, as a terminal sends it
    assert again.returncode == 0, err
    assert err.strip().splitlines() == [f"interrupted: PostgreSQL {folder} is stopped; the data stays in the folder"]
    assert group_members(again.pid) == [] and gone(server)


def test_a_second_db_local_on_a_running_folder_leaves_it_running(folder: Path) -> None:
    """It tried to start, failed, and its clean-up stopped the first command's server (the pid file
    was there), which went on as if it had one."""
    process, url = start_db_local(folder)
    try:
        server = postmaster(folder)
        second = subprocess.run(
            [sys.executable, "-m", "indexer.cli", "db", "local", str(folder), "--port", str(free_port())],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 2
        assert second.stderr.strip() == f"error: PostgreSQL {folder} is already running; stop it there first (Ctrl-C)"
        assert not gone(server) and postmaster(folder) == server
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop(process, signal.SIGINT, whole_group=True)


def test_a_port_in_use_is_named_with_the_servers_log(folder: Path, tmp_path: Path) -> None:
    """pg_ctl says only "Examine the log output"; the command says what the log says, and where it is."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "indexer.cli", "db", "local", str(folder), "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "pg_ctl failed" in line and "Address already in use" in line and str(folder / "server.log") in line
