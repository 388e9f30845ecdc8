"""Which segments an ingest merges when it ends: a logarithmic (tiered) policy.

An ingest writes a segment per writer process per batch (two per 5,000 items), and a
query looks every word up in every field of every segment, so search slows with the
segment count (360 segments at a million items).  Whoosh's small-segment policy merges
few of them.  This policy sorts segments into levels by size — a level is a factor
``factor`` (10) wider than the one below, counted from ``base`` documents — and merges
``factor`` neighbouring segments of one level into one of the next, until no level holds
``factor`` of them side by side; at most ``max_segments`` remain in any case.  A million
items written as 400 segments of 2,500 end as 4 segments of 250,000.

The merges are planned on sizes first and then flattened: a segment that would be merged
twice on the way up (10 small ones into one, ten of those into one) is read once into its
final segment, so an item is rewritten once per ingest, not once per level.  Only
neighbours are merged and the merged segment takes their place in the list, so documents
keep their order (and searches their order among equal scores).
"""

from __future__ import annotations

from dataclasses import dataclass

MERGE_FACTOR = 10  # segments of one level merged at once; a level is this much larger than the one below
MERGE_BASE = 1_000  # segments smaller than this many documents all count as the lowest level
MAX_SEGMENTS = 40  # whatever the levels, never more than this many segments after an ingest


@dataclass
class _Run:
    """A run of neighbouring original segments that the plan has made one segment."""

    first: int  # index of its first original segment
    last: int  # index of its last (inclusive)
    size: int


def level(size: int, factor: int = MERGE_FACTOR, base: int = MERGE_BASE) -> int:
    """A segment's level: 0 below ``base`` documents, then one more per factor ``factor``."""
    found, bound = 0, max(1, base)
    while size >= bound:
        found, bound = found + 1, bound * factor
    return found


def plan_merges(
    sizes: list[int], factor: int = MERGE_FACTOR, base: int = MERGE_BASE, max_segments: int = MAX_SEGMENTS
) -> list[tuple[int, int]]:
    """The merges to make, as (first, last) index ranges (inclusive) of ``sizes``, each of
    at least two neighbouring segments; ``sizes`` are live document counts in index order."""
    if factor < 2:
        raise ValueError("merge factor: at least 2")
    runs = [_Run(i, i, size) for i, size in enumerate(sizes)]
    while True:
        window = _level_window(runs, factor, base)
        if window is None and len(runs) > max_segments:
            window = _smallest_window(runs, min(factor, len(runs) - max_segments + 1))
        if window is None:
            break
        start, end = window
        merged = runs[start:end]
        runs[start:end] = [_Run(merged[0].first, merged[-1].last, sum(r.size for r in merged))]
    return [(r.first, r.last) for r in runs if r.last > r.first]


def _level_window(runs: list[_Run], factor: int, base: int) -> tuple[int, int] | None:
    """The first ``factor`` neighbouring runs of one level, lowest level first."""
    levels = [level(r.size, factor, base) for r in runs]
    for wanted in sorted(set(levels)):
        count = 0
        for index, found in enumerate(levels):
            count = count + 1 if found == wanted else 0
            if count == factor:
                return index - factor + 1, index + 1
    return None


def _smallest_window(runs: list[_Run], width: int) -> tuple[int, int]:
    """The ``width`` neighbouring runs with the fewest documents between them."""
    width = max(2, width)
    totals = [sum(r.size for r in runs[i : i + width]) for i in range(len(runs) - width + 1)]
    start = totals.index(min(totals))
    return start, start + width
