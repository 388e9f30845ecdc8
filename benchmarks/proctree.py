"""A process and all its descendants (forked ingest writers, pre-forked server workers, a
database server's backends): their CPU time and memory, through psutil.

One helper for every benchmark that measures a command or a server as a whole; psutil reads
/proc for us (and tolerates processes that end while we look).
"""

from __future__ import annotations

import psutil


def processes(root_pid: int) -> list[psutil.Process]:
    """The process and its live descendants; empty when it is gone."""
    try:
        root = psutil.Process(root_pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def tree_cpu_s(root_pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (workers that already
    ended are not counted: measure a long-lived tree, such as a server, before and after)."""
    total = 0.0
    for process in processes(root_pid):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue  # ended between listing and reading
        total += times.user + times.system
    return total


def tree_memory_kb(root_pid: int) -> tuple[int, int]:
    """(resident, proportional) memory in kB of a process and its live descendants.

    Resident memory counts pages that forked workers share with their parent once per
    process; the proportional figure (PSS) splits shared pages between them, so it is what
    the tree really occupies.  PSS is 0 where the kernel does not give it.
    """
    resident = proportional = 0
    for process in processes(root_pid):
        try:
            memory = process.memory_full_info()
        except psutil.Error:
            continue
        resident += memory.rss // 1024
        proportional += getattr(memory, "pss", 0) // 1024
    return resident, proportional
