"""The engine contract: every behavioural test here runs once per engine (see ``engines.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV, SAMPLES, SEED
from tests.contract.engines import ENGINES, EngineFactory
from tests.helpers import NORDDJURS, Opened, quiet_ingest, seed_meeting, variant, write_jsonl


@pytest.fixture
def opened() -> Iterator[Opened]:
    """Open services, engines and web apps through this; they are closed when the test ends."""
    things = Opened()
    yield things
    things.close()


@pytest.fixture(params=ENGINES)
def engine_factory(request: pytest.FixtureRequest) -> EngineFactory:
    factory: EngineFactory = request.param
    return factory


@pytest.fixture()
def location(engine_factory: EngineFactory, tmp_path: Path) -> str:
    """A fresh, empty index location of each engine kind, for one test."""
    return engine_factory(tmp_path)


@pytest.fixture(scope="module", params=ENGINES)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Per engine, read-only: the seed, plus the same case at a later meeting of another committee."""
    tmp = tmp_path_factory.mktemp("seeded")
    root = request.param(tmp)
    quiet_ingest([SEED], root, context=NORDDJURS)
    seed = seed_meeting()
    later = variant(seed, committee="Økonomiudvalget", start=seed.start.replace(year=2023, month=1, day=16))
    for item in later.items:
        item.case_number = "81.00.00-A00-1-22"
    seed.items[0].case_number = "81.00.00-A00-1-22"
    seed.finalise()
    quiet_ingest([write_jsonl(tmp / "extra.jsonl", [seed, later])], root)
    return root


ACADRE = SAMPLES / "acadre" / "syddjurs-puk-2013"  # a real export with its attachment files


@pytest.fixture(scope="package", params=ENGINES)
def browsed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    """Per engine, read-only: a real Acadre export (with attachments) and the corpus rows."""
    location = request.param(tmp_path_factory.mktemp("browse"))
    summary = quiet_ingest([ACADRE, CORPUS_CSV], location)
    assert not summary.rejected and summary.attachments_archived > 0
    service = SearchService(location)
    yield service
    service.close()
