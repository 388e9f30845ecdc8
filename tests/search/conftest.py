"""The demo rows indexed once for the search tests that only read them."""

from __future__ import annotations

import io

import pytest

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchService
from tests.conftest import DATA

DEMO = DATA / "digst" / "digst-demo.csv"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """A Whoosh index of ``data/digst/digst-demo.csv``; tests must not write to it."""
    root = tmp_path_factory.mktemp("demo") / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([DEMO], root, workers=1, stream=io.StringIO()).items_added
    return SearchService(root)
