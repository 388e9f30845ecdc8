"""Ctrl-C and the worker processes of an ingest (the parsing pool, Whoosh's forked writers).

A terminal sends Ctrl-C's SIGINT to its whole process group, so every worker used to raise
KeyboardInterrupt too and print a traceback over the parent's one-line message.  Workers now
leave the interrupt to the parent, which cancels its batch and terminates them (SIGTERM, whose
default action is untouched, so a worker stuck in a read or a long parse dies as well).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def _disregard(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing.  Not SIG_IGN: an ignored signal stays ignored across exec, so
    a program a worker runs (tesseract) would outlive Ctrl-C; a handler is reset by exec."""


def leave_interrupts_to_parent() -> None:
    """In a worker, first thing: Ctrl-C is the parent's to handle (see ``forking_workers``)."""
    signal.signal(signal.SIGINT, _disregard)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def forking_workers() -> Iterator[None]:
    """Around starting workers: SIGINT is held back, so a Ctrl-C between the fork and the worker's
    ``leave_interrupts_to_parent`` cannot reach the worker's default handler; the parent gets
    it as KeyboardInterrupt once the workers are started."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
