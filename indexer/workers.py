"""Ctrl-C and the worker processes of an ingest (the parsing pool, Whoosh's forked writers).

A terminal sends Ctrl-C's SIGINT to its whole process group, so every worker used to raise
KeyboardInterrupt too and print a traceback over the parent's one-line message.  Workers now
leave the interrupt to the parent, which cancels its batch and terminates them (SIGTERM, whose
default action is untouched, so a worker stuck in a read or a long parse dies as well).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


def _disregard(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing.  Not SIG_IGN: an ignored signal stays ignored across exec, so
    a program a worker runs (tesseract) would outlive Ctrl-C; a handler is reset by exec."""


def leave_interrupts_to_parent() -> None:
    """In a worker, first thing: Ctrl-C is the parent's to handle (see ``forking_workers``)."""
    signal.signal(signal.SIGINT, _disregard)


@contextmanager
def forking_workers() -> Iterator[None]:
    """Around starting workers: a Ctrl-C is held until they are started and known to their
    owner, then raised here as KeyboardInterrupt.  Raised between the fork and the owner's note
    of the child, it left a worker nothing would end (it waited for jobs after the command was
    gone); and a child forked in between ignores it.  Only the main thread sets handlers: in
    another thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and callable(previous):
        previous(signal.SIGINT, None)


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
