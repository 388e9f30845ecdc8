"""Readers during an ingest, for every engine: a reader sees whole batches or none of one."""

from __future__ import annotations

import threading
from pathlib import Path

from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from indexer.model import Access
from indexer.search.service import SearchRequest
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, Opened, quiet_ingest

BATCHES = 6


def test_readers_never_see_half_a_batch(location: str, tmp_path: Path, opened: Opened) -> None:
    quiet_ingest([SEED], location, context=NORDDJURS)  # an index exists before the readers start
    # One version of each meeting: a later version of a meeting defines its items (it may
    # withdraw some), which would make a batch's count depend on the batches before it.
    meetings = list({m.id: m for m in reversed(list(parse_digst(CORPUS_CSV, IngestContext()))[:60])}.values())
    step = max(1, len(meetings) // BATCHES)
    batches = [meetings[n : n + step] for n in range(0, len(meetings), step)]
    open_counts = [sum(1 for m in b for i in m.items if i.access == Access.OPEN == m.access) for b in batches]
    possible = {1 + sum(open_counts[:n]) for n in range(len(batches) + 1)}
    assert len(possible) > 3, "the batches must differ in what they add"

    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()
    service = opened.service(location)

    def read() -> None:
        try:
            while not done.is_set():
                service.engine.refresh()
                seen.append(service.search(SearchRequest(q="", per_page=5)).total)
        except BaseException as exc:  # reported below; a reader must never fail
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        writer = opened.engine(location, create=True)
        with writer.writing():
            for batch in batches:
                writer.write(batch)
            writer.finish()
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)
    assert not errors, errors
    assert seen and set(seen) <= possible, sorted(set(seen) - possible)
    service.engine.refresh()
    assert service.search(SearchRequest(q="")).total == max(possible)
