"""The demo rows indexed once for the search tests that only read them."""

from __future__ import annotations

import io

import pytest

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchService
from tests.conftest import DATA, REPO, SEED
from tests.helpers import NORDDJURS, quiet_ingest

DEMO = DATA / "digst" / "digst-demo.csv"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """A Whoosh index of ``data/digst/digst-demo.csv``; tests must not write to it."""
    root = tmp_path_factory.mktemp("demo") / "ix"
    MinutesIndex.create(root, profile="danish")
    assert ingest([DEMO], root, workers=1, stream=io.StringIO()).items_added
    return SearchService(root)


@pytest.fixture(scope="session")
def seed_and_ballerup(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """The seed (Norddjurs: "Sociale medier i arbejdsmæssig sammenhæng") beside the demo rows and
    Ballerup's eDoc sample, whose long item on KL's health process writes "ansatte", "opføre" and
    "medier" in passing, and whose text read from a PDF holds the slip "Lændsforening"; tests must
    not write to it."""
    root = tmp_path_factory.mktemp("question") / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    quiet_ingest([REPO / "data" / "samples" / "edoc", REPO / "data" / "digst" / "digst-demo.csv"], root)
    return SearchService(root)
