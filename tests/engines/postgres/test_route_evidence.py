"""Route evidence an older program counted (another ``ROUTES_VERSION``) is recounted from the
municipality's open items at its next write, so definitions learnt by this version reach a
database written before it, and the routes learnt there stay learnt."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from indexer.search.service import SearchService
from tests.conftest import SEED
from tests.contract.test_definitions import DN, KALUNDBORG, _sentence, _with_text
from tests.helpers import NORDDJURS, quiet_ingest, seed_meeting, variant, write_jsonl
from tests.postgres import postgres_location


def test_evidence_of_an_older_version_is_recounted_at_the_next_write(tmp_path: Path) -> None:
    url = postgres_location()
    quiet_ingest([SEED], url, context=NORDDJURS)
    seed = seed_meeting()
    defining = _with_text(
        variant(seed, municipality=KALUNDBORG, start=seed.start.replace(year=2023, month=1)),
        "Fredning af overdrev",
        _sentence("Danmarks Naturfredningsforening (DN) har"),
    )
    quiet_ingest([write_jsonl(tmp_path / "dn.jsonl", [defining])], url)
    with psycopg.connect(url) as conn:  # as the program before definitions left it
        conn.execute(
            "UPDATE route_evidence SET evidence = jsonb_set(evidence, '{version}', '1') - 'definitions', "
            "definitions = %s",
            (Jsonb({}),),
        )
    service = SearchService(url)
    try:
        assert service.definition_table() == {}
        routes_before = service.route_table()
        assert routes_before.get("Norddjurs Kommune", {}).get("OA")
        later = _with_text(
            variant(seed, municipality=KALUNDBORG, start=seed.start.replace(year=2023, month=2)),
            "Vandløb",
            _sentence("vandplanernes retningslinjer"),
        )
        quiet_ingest([write_jsonl(tmp_path / "later.jsonl", [later])], url)
        assert service.definition_table() == {KALUNDBORG: {"DN": [DN]}}, "recounted from the stored items"
        quiet_ingest([write_jsonl(tmp_path / "again.jsonl", [variant(seed, start=seed.start.replace(year=2024))])], url)
        assert service.route_table()["Norddjurs Kommune"] == routes_before["Norddjurs Kommune"]
    finally:
        service.close()
