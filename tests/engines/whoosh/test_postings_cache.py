"""The decoded-postings cache (cachetools' LRU weighed in bytes): bounded, least recently used out first."""

from __future__ import annotations

import numpy as np

from indexer.engines.whoosh.bulkmatch import PostingsCache


def lists(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n, dtype=np.int64), np.ones(n, dtype=np.float32)


def test_bounded_by_bytes_least_recently_used_out_first() -> None:
    cache = PostingsCache(max_mb=0.05)  # 52,428 bytes; an entry of 1,000 postings weighs 12,100
    for key in range(4):
        cache.put(("seg", key), *lists(1000))
    assert cache.get(("seg", 0)) is not None  # now the most recently used
    cache.put(("seg", 4), *lists(1000))  # over the bound: the oldest unused entry goes
    assert cache.get(("seg", 1)) is None
    assert cache.get(("seg", 0)) is not None and cache.get(("seg", 4)) is not None
    assert cache.size_bytes <= cache.max_bytes
    ids, _ = cache.get(("seg", 4)) or lists(0)
    assert not ids.flags.writeable  # shared between threads: read-only


def test_a_list_larger_than_a_quarter_is_not_kept_and_zero_turns_it_off() -> None:
    cache = PostingsCache(max_mb=0.05)
    cache.put(("big",), *lists(2000))
    assert cache.get(("big",)) is None
    off = PostingsCache(max_mb=0)
    off.put(("x",), *lists(10))
    assert off.get(("x",)) is None and off.size_bytes == 0
