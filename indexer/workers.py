"""Ctrl-C, SIGTERM and the worker processes of an ingest (the parsing pool, Whoosh's forked writers).

A terminal sends Ctrl-C's SIGINT to its whole process group, so every worker used to raise
KeyboardInterrupt too and print a traceback over the parent's one-line message.  Workers now
leave the interrupt to the parent, which cancels its batch and terminates them (SIGTERM, whose
default action workers keep, so a worker stuck in a read or a long parse dies as well).

SIGTERM is how a service manager stops a command (``kill PID``, ``docker stop``, ``systemctl
stop``), and often to the parent alone: by its default action the parent died on the spot and
left its workers running.  While a command that writes runs, the parent raises it as
``Terminated``, a KeyboardInterrupt, so it takes Ctrl-C's cancel path; only the word said and
the exit status (143) differ.  Sent to the whole group, it ends each worker by its default
action (no traceback: nothing runs in it) and the parent cancels as before.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from indexer.sanitize import printable


def _disregard(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing.  Not SIG_IGN: an ignored signal stays ignored across exec, so
    a program a worker runs (tesseract) would outlive Ctrl-C; a handler is reset by exec."""


def _in_a_forked_child(owner: int, signum: int) -> bool:
    """For a handler the parent set: in a worker forked while it was in place (until the worker's
    ``leave_interrupts_to_parent``), SIGTERM takes its default action and ends the worker, and
    Ctrl-C is left to the parent.  Held there instead, the parent's terminate of a just-forked
    writer was lost: the cancel waited 5 s to kill it (2 of 10 runs)."""
    if os.getpid() == owner:
        return False
    if signum == signal.SIGTERM:
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)
    return True


def leave_interrupts_to_parent() -> None:
    """In a worker, first thing: Ctrl-C is the parent's to handle (see ``forking_workers``), and
    SIGTERM ends the worker.  A forked worker inherits the parent's handler of it, which would
    raise ``Terminated`` in the worker (a traceback, and a worker that lives on in its pool)."""
    signal.signal(signal.SIGINT, _disregard)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """In a worker, first thing: end it when the process that started it ends, however that
    ended.  A ``kill -9`` of the ingest alone (not its group) used to leave its workers running,
    re-parented to PID 1, and one of them held the index's lock file open (a descriptor inherited
    at the fork), so the next ingest waited two minutes and failed "the index is locked".

    Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) is sent when the thread that forked
    the worker ends: workers are started from the thread that runs the ingest, which outlives
    them.  A parent that died before the call was made is seen by ``getppid``.  Elsewhere this
    does nothing: the parent's own ending of its workers is all there is."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent is already gone
        os._exit(1)


def holders_of(path: Path | str) -> str:
    """Who holds a lock file open, for the error saying it is locked: " (held by process 1234:
    python -m indexer.cli ingest …)", or "" where that is not known (not Linux, another user's
    process).  A lock taken with ``flock`` is held as long as any process has the file open: a
    worker that inherited it holds it after its parent is gone, and that is the process to name."""
    try:
        target = os.stat(path)
    except OSError:
        return ""
    named: list[str] = []
    for entry in Path("/proc").glob("[0-9]*"):
        if int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                opened = os.stat(fd)
            except OSError:
                continue
            if (opened.st_dev, opened.st_ino) == (target.st_dev, target.st_ino):
                named.append(f"{entry.name}: {_command_of(entry)}")
                break
    if not named:
        return ""
    return f" (held by process {', '.join(named)})"


def _command_of(process: Path) -> str:
    try:
        words = (process / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    command = printable(" ".join(word.decode(errors="replace") for word in words))
    return command if len(command) <= 80 else command[:79] + "…"


def start_worker(parent: int) -> None:
    """A parsing pool's initializer: dies with ``parent``, and leaves interrupts to it."""
    die_with_parent(parent)
    leave_interrupts_to_parent()


# A Ctrl-C or SIGTERM that arrives while a finaliser runs (a ``__del__``, called whenever an object
# is collected: Python prints an exception raised there and goes on) would be lost, and a reindex
# told to stop would swap its rebuild in after all.  ``stop_on_sigterm``'s handlers keep such a
# signal here instead, and ``raise_if_stopped`` raises it at the next point that can still turn back.
_deferred: list[int] = []


def _in_finaliser(frame: FrameType | None) -> bool:
    return frame is not None and frame.f_code.co_name == "__del__"


def raise_if_stopped() -> None:
    """Before a step that cannot be undone (a rebuild's swap, an ingest batch's commit): a Ctrl-C or
    SIGTERM kept while a finaliser ran is raised now, as it would have been then."""
    if _deferred:
        signum = _deferred[0]
        _deferred.clear()
        raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


class Terminated(KeyboardInterrupt):
    """SIGTERM to the parent, raised on its main thread by ``stop_on_sigterm``.  A
    KeyboardInterrupt, so every cancel of Ctrl-C (the batch dropped, the workers ended, a
    rebuild abandoned) is SIGTERM's too, with no second path to keep in step."""


@dataclass(frozen=True)
class Stop:
    """How a command stopped by a signal says so: its word and exit status (128 + the signal)."""

    word: str
    status: int


def stop_of(interrupt: KeyboardInterrupt) -> Stop:
    """Ctrl-C's or SIGTERM's word and exit status, for the one line a stopped command prints."""
    if isinstance(interrupt, Terminated):
        return Stop("stopped (SIGTERM)", 128 + signal.SIGTERM)
    return Stop("interrupted", 128 + signal.SIGINT)


def interrupt_behind(error: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM an error was raised while handling, if any: a stop can cut a read
    short and the cleanup after it fail ("I/O operation on closed file"); the command must then
    say it was stopped, not that its input was bad."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """For the run of a command that writes: SIGTERM raises ``Terminated`` on the main thread
    instead of ending the process where it stands; the previous handler is back after.

    Raised once: a second SIGTERM during the cancel (an impatient ``kill``, a manager that sends
    it again) is disregarded, or it would cut short the ending of the workers and leave them
    behind.  SIGKILL is what stops a cancel that hangs.  Only the main thread sets handlers:
    in another thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False
    owner = os.getpid()
    _deferred.clear()

    def terminate(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised and not _in_a_forked_child(owner, signum):
            raised = True
            if _in_finaliser(frame):
                _deferred.append(signum)
                return
            raise Terminated

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if _in_finaliser(frame) and not _in_a_forked_child(owner, signum):
            _deferred.append(signum)
            return
        signal.default_int_handler(signum, frame)

    previous = signal.signal(signal.SIGTERM, terminate)
    previous_interrupt = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        signal.signal(signal.SIGINT, signal.default_int_handler if previous_interrupt is None else previous_interrupt)
        _deferred.clear()


@contextmanager
def forking_workers() -> Iterator[None]:
    """Around starting workers: a Ctrl-C or SIGTERM is held until they are started and known to
    their owner, then acted on here as the handler before would have (KeyboardInterrupt,
    ``Terminated``, or the signal's default action).  Raised between the fork and the owner's
    note of the child, it left a worker nothing would end (it waited for jobs after the command
    was gone); and a child forked in between ignores it.  Only the main thread sets handlers: in
    another thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    owner = os.getpid()

    def hold(signum: int, frame: FrameType | None) -> None:
        if not _in_a_forked_child(owner, signum):
            held.append(signum)

    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.signal(signum, hold) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    for signum in signals:
        if signum in held:
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)  # the default action, now the handler is back


def end_processes(processes: Iterable[Any]) -> None:
    """Terminate started worker processes (``multiprocessing.Process``) and wait for each; one
    still there after 5 s is killed: a cancel must not wait on a worker stuck in its work."""
    started = [process for process in processes if process.pid is not None]
    for process in started:
        process.terminate()
    for process in started:
        process.join(5)
        if process.exitcode is None:  # still there: no second chance
            process.kill()
            process.join(5)
