"""The learnt route table beside a Whoosh index: used only for the commit it describes."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.engines.whoosh.routes import ROUTES_FILE
from indexer.search.service import SearchService
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, quiet_ingest


def test_a_table_of_another_commit_teaches_nothing_and_the_next_write_recounts(tmp_path: Path) -> None:
    root = tmp_path / "index"
    quiet_ingest([SEED], root, context=NORDDJURS)
    routes = root / "current" / ROUTES_FILE
    learnt = json.loads(routes.read_text("utf-8"))
    assert learnt["table"]["Norddjurs Kommune"]["OA"] == ["Områdeudvalget for Administrationen"]
    learnt["generation"] -= 1  # as if the process died between the commit and the file
    routes.write_text(json.dumps(learnt), "utf-8")
    service = SearchService(str(root))
    try:
        assert service.route_table() == {}, "default deny: a table of another state is not used"
        quiet_ingest([CORPUS_CSV], root)  # the next write finds no evidence to update: recounts
        table = service.route_table()
        assert table["Norddjurs Kommune"]["OA"] == ["Områdeudvalget for Administrationen"]
        assert table["Favrskov Kommune"]["TMU"] == ["Teknik- og Miljøudvalget"]
    finally:
        service.close()
