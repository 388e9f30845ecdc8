""" "Lignende sager" on the embedded engine reads the stored records of the candidates it may list.

Whoosh keeps a document's stored fields as one compressed pickle, its whole text with them; the
similar list read that record for each of its ~60 candidates, most of them weighed by their
matched terms alone and passed over.  Now a candidate's record is read only when it is a
neighbour by its words or of the item's case (``SearchSpec.lazy``, ``Engine.same_case``).  That
the lists stay the same is ``tests/contract/test_similar_parity.py`` (PostgreSQL reads every hit
whole) and ``benchmarks/similar_cost.py``'s checksum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import whoosh.reading

from indexer.engines.base import SearchSpec
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV
from tests.contract.conftest import ACADRE
from tests.helpers import Opened, quiet_ingest


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    location = str(tmp_path_factory.mktemp("similar") / "ix")
    assert not quiet_ingest([ACADRE, CORPUS_CSV], location).rejected
    opened = Opened()
    yield opened.service(location)
    opened.close()


def test_a_similar_list_reads_only_the_candidates_it_may_list(
    service: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = service.engine
    items = [i for i in engine.iter_items() if i.is_open]
    with_case = [i for i in items if i.case_key]
    assert len(items) > 250 and with_case, "items with and without a case"
    read: Counter[str] = Counter()
    candidates: Counter[str] = Counter()
    stored_fields = whoosh.reading.SegmentReader.stored_fields
    search = engine.search

    def counting_read(reader: Any, docnum: int) -> dict[str, Any]:
        fields: dict[str, Any] = stored_fields(reader, docnum)
        read["records"] += 1
        return fields

    def counting_search(spec: SearchSpec) -> Any:
        found = search(spec)
        candidates["hits"] += len(found.hits)
        return found

    monkeypatch.setattr(whoosh.reading.SegmentReader, "stored_fields", counting_read)
    monkeypatch.setattr(engine, "search", counting_search)
    listed = 0
    for item in items:
        listed += len(service.similar(item.id))
    assert listed > 100 and candidates["hits"] > 20 * len(items)
    # Before: every candidate's record and the item's own, every time (hits + items).
    assert read["records"] < candidates["hits"] / 3, (read, candidates)
    assert read["records"] >= len(items) + listed
