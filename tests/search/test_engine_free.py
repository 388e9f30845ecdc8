"""The search service and the web UI import no engine's library: an engine is chosen by location."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

ENGINE_LIBRARIES = {"whoosh", "psycopg", "psycopg2", "psycopg_pool", "sqlalchemy"}
ENGINE_FREE = [p for p in (REPO / "webui").glob("*.py") if p.name != "__init__.py"] + [REPO / "indexer" / "search"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_service_and_web_views_import_no_engine_library_nor_an_engine() -> None:
    files = [f for place in ENGINE_FREE for f in ([place] if place.is_file() else sorted(place.rglob("*.py")))]
    assert len(files) > 8
    for path in files:
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top not in ENGINE_LIBRARIES, f"{path.relative_to(REPO)} imports {module}"
            # Only the interface and the factory: never one engine's package.
            assert not module.startswith(("indexer.engines.whoosh", "indexer.engines.postgres")), (
                f"{path.relative_to(REPO)} imports {module}"
            )


def test_the_check_sees_an_engine_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import whoosh.query\nfrom indexer.engines.whoosh.index import MinutesIndex\n", "utf-8")
    assert imported_modules(sample) == {"whoosh.query", "indexer.engines.whoosh.index"}
