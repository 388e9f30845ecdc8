"""The PostgreSQL engine answers as the embedded one does, on the same real inputs.

Both engines ingest the format samples and the seed item through ``minutes ingest``;
then the same requests (words, phrases, field prefixes, filters, date ranges, date
sort, paging, attachment text) must give the same totals, facet counts and hits,
and the vocabulary (did-you-mean, autocomplete) must come from open items only.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres.engine import Database
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA, SAMPLES
from tests.helpers import closed_copy, seed_meeting, write_jsonl

INPUTS = [SAMPLES, DATA / "seed"]
SECRET = "hemmeligordxyz"

REQUESTS = [
    SearchRequest(q="budget"),
    SearchRequest(q="skole"),
    SearchRequest(q="lokalplan"),
    SearchRequest(q="vej trafik"),
    SearchRequest(q="sociale medier"),
    SearchRequest(q='"sociale medier"'),
    # Phrases whose words stand at the distances their stop words give them (both engines keep a
    # stop word's place): inflected, side by side, with a slop, in a field, loose inside a rewrite.
    SearchRequest(q='"kommissoriet og guiden"'),
    SearchRequest(q='"medier tryghed"'),
    SearchRequest(q='"kommissorium guide"'),
    SearchRequest(q='"guides om socialt medie"'),
    SearchRequest(q='"sociale medier og tryghed"~2'),
    SearchRequest(q='tekst:"kommissorium for arbejdsgruppen"'),
    SearchRequest(q="arbejdsgruppekommissorium"),
    SearchRequest(q="budget OR skole"),
    SearchRequest(q="budget IKKE skole"),
    SearchRequest(q="titel:budget"),
    SearchRequest(q="bilag:regnskab"),
    SearchRequest(q="udvalg"),
    SearchRequest(q="", sort="newest"),
    SearchRequest(q="", sort="oldest", page=2),
    SearchRequest(q="kommune", sort="newest"),
    SearchRequest(q="kommune", page=2, per_page=5),
    SearchRequest(q="kommune", year=["2013"]),
    SearchRequest(q="", date_from=date(2013, 1, 1), date_to=date(2016, 12, 31)),
    SearchRequest(q="", kind=["referat"]),
]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_server) -> tuple[SearchService, SearchService, str]:  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("engines")
    closed = write_jsonl(work / "closed.jsonl", [closed_copy(seed_meeting(), SECRET)])
    url = pg_server.create_database("parity")
    assert main(["db", "init", "--index", url]) == 0
    paths = [str(p) for p in [*INPUTS, closed]]
    assert main(["ingest", *paths, "--index", str(work / "whoosh"), "--workers", "1"]) in (0, 1)
    assert main(["ingest", *paths, "--index", url, "--workers", "1"]) in (0, 1)
    whoosh = SearchService(work / "whoosh")
    postgres = SearchService(url)  # the same service: the engine is chosen by the location
    yield whoosh, postgres, url
    postgres.close()


def _ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["id"] for hit in response.results]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"{r.q or '*'}|{r.sort}|p{r.page}")
def test_same_answers_as_the_embedded_engine(both, request_: SearchRequest) -> None:  # type: ignore[no-untyped-def]
    whoosh, postgres, _ = both
    expected = whoosh.search(SearchRequest(**request_.__dict__))
    got = postgres.search(SearchRequest(**request_.__dict__))
    assert got.total == expected.total
    assert got.facets == expected.facets
    if request_.sort in ("newest", "oldest") or not request_.q:
        assert _ids(got) == _ids(expected)
    else:  # relevance: the same hits; order may differ only where Whoosh's one-byte field lengths tie scores
        assert set(_ids(got)) == set(_ids(expected)) or got.total > request_.per_page * request_.page
        assert _ids(got)[:1] == _ids(expected)[:1]
    snippets = {hit["id"]: hit["snippet"] for hit in expected.results}
    for hit in got.results:
        if hit["id"] in snippets:
            assert hit["snippet"] == snippets[hit["id"]]


def test_items_meetings_cases_and_stats_match(both) -> None:  # type: ignore[no-untyped-def]
    whoosh, postgres, _ = both
    some = whoosh.search(SearchRequest(q="", per_page=30)).results
    assert some
    for hit in some:
        assert postgres.get_item(hit["id"]) == whoosh.get_item(hit["id"])
        assert postgres.meeting_items(hit["meeting_id"]) == whoosh.meeting_items(hit["meeting_id"])
        assert [h["id"] for h in postgres.case_history(hit["id"])] == [h["id"] for h in whoosh.case_history(hit["id"])]
    expected, got = whoosh.stats(), postgres.stats()
    for key in ("items", "open_items", "closed_items", "meetings", "first_meeting", "last_meeting", "facets"):
        assert got[key] == expected[key], key
    assert postgres.committees() == whoosh.committees()


def test_vocabulary_and_suggestions_from_open_items_only(both) -> None:  # type: ignore[no-untyped-def]
    whoosh, postgres, url = both
    assert postgres.did_you_mean("budgettt") == whoosh.did_you_mean("budgettt")
    assert postgres.did_you_mean("budgettt")
    assert [s["value"] for s in postgres.suggest("bud")] == [s["value"] for s in whoosh.suggest("bud")]
    for service in (whoosh, postgres):
        assert service.search(SearchRequest(q=SECRET)).total == 0
        assert not service.suggest(SECRET[:5])
        assert service.did_you_mean(SECRET[:-1]) is None
    # Nowhere in the database: not in a term, a stored document or a statistic.
    with psycopg.connect(url) as conn:
        for table in ("items", "postings", "term_stats", "attachments", "sources"):
            found = conn.execute(f"SELECT count(*) FROM {table} t WHERE t::text ILIKE %s", (f"%{SECRET}%",)).fetchone()
            assert found == (0,), table


def test_attachment_text_is_searched_and_files_come_from_the_database(both, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    from webui import close_app, create_app

    whoosh, postgres, url = both
    with psycopg.connect(url) as conn:
        archived = conn.execute("SELECT count(*) FROM attachments").fetchone()
    assert archived and archived[0] > 0
    hit = next(h for h in whoosh.search(SearchRequest(q="", per_page=100)).results if h["attachments"])
    app = create_app({"INDEX_DIR": url, "TESTING": True})
    request.addfinalizer(lambda: close_app(app))
    client = app.test_client()
    page = client.get(f"/items/{hit['id']}")
    assert page.status_code == 200
    item = postgres.get_item(hit["id"])
    assert item is not None
    for n in range(1, len(item["attachments"]) + 1):
        response = client.get(f"/items/{hit['id']}/bilag/{n}")
        stored = postgres.engine.item(hit["id"])
        assert stored is not None
        archived_name = stored.doc["attachments"][n - 1].get("archive_name")
        if archived_name:
            assert response.status_code == 200
            local = whoosh.engine.archive.local_path(archived_name)
            assert local is not None and response.data == Path(local).read_bytes()
    api = client.get("/api/search?q=kommune&per_page=3").get_json()
    assert api["total"] == whoosh.search(SearchRequest(q="kommune")).total


def test_a_failed_batch_leaves_nothing_and_earlier_batches_stay(pg_url: str, tmp_path: Path) -> None:
    engine = Database(pg_url)
    meeting = seed_meeting()
    from indexer.engines.postgres.index import PostgresIndex

    target = PostgresIndex(engine)
    target.add_meetings([meeting])
    before = engine.stats()
    assert before["items"] == len(meeting.items)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    engine._archive = broken  # type: ignore[method-assign]
    other = closed_copy(meeting, SECRET)
    other.id = "another-meeting"
    for item in other.items:
        item.id = f"other-{item.id}"
        item.access = meeting.items[0].access
    with pytest.raises(OSError):
        engine.write(
            [{"id": "x", "municipality": "Testkommune", "access": "open", "kind": "referat", "title": "budget"}],
            {"f": (tmp_path / "f", None)},
        )
    after = engine.stats()
    assert after["items"] == before["items"] and after["counts"] == before["counts"]
    engine.close()


def test_reingest_is_idempotent_and_forget_by_reindex(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(DATA / "seed"), "--index", pg_url]) == 0
    first = capsys.readouterr().out
    assert main(["ingest", str(DATA / "seed"), "--index", pg_url]) == 0
    second = capsys.readouterr().out
    assert "items added: 0" in second and "items added: 0" not in first
    assert main(["reindex", "--index", pg_url]) == 0
    assert main(["stats", "--index", pg_url, "--json"]) == 0
    out = capsys.readouterr().out
    stats = json.loads(out[out.index("{") :])
    assert stats["items"] > 0 and "postgresql://" in stats["index"]


def test_cli_search_reads_the_database(both, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    whoosh, _, url = both
    assert main(["search", "budget", "--index", url, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["total"] == whoosh.search(SearchRequest(q="budget")).total


def test_whole_meeting_documents_come_from_the_database(both, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    from webui import close_app, create_app

    whoosh, _, url = both
    app = create_app({"INDEX_DIR": url, "TESTING": True})
    request.addfinalizer(lambda: close_app(app))
    client = app.test_client()
    served = 0
    for hit in whoosh.search(SearchRequest(q="", per_page=100)).results:
        path, _, source = whoosh.source_document_file(hit["id"])
        if not source or path is None:
            continue
        response = client.get(f"/items/{hit['id']}/dokument")
        assert response.status_code == 200
        assert response.data == Path(path).read_bytes()
        served += 1
    assert served, "the samples hold an item read from a whole-meeting document"


def test_the_engine_interface_answers_as_the_embedded_engine(both) -> None:  # type: ignore[no-untyped-def]
    """``open_engine("postgresql://…")`` (base.Engine over our query AST) gives the embedded engine's hits."""
    from indexer.engines import open_engine
    from indexer.engines.base import Filters, SearchSpec
    from indexer.search.query import parse

    whoosh, postgres, url = both
    engine = open_engine(url)
    assert type(engine) is type(postgres.engine) and type(engine) is not type(whoosh.engine)
    for text in ("budget", "vej trafik", '"sociale medier"', "budget ELLER skole", "titel:budget", "budg*"):
        expected = whoosh.engine.search(SearchSpec(query=parse(text)))
        got = engine.search(SearchSpec(query=parse(text)))
        assert got.total == expected.total, text
        assert [h.item.id for h in got.hits][:1] == [h.item.id for h in expected.hits][:1], text
    spec = SearchSpec(filters=Filters(kind=("referat",)), sort="oldest")
    listed = engine.search(spec)
    assert [h.item.id for h in listed.hits] == [h.item.id for h in whoosh.engine.search(spec).hits]
    assert engine.committees() == whoosh.engine.committees()
    assert engine.stats().items == whoosh.engine.stats().items
    assert engine.has_word("budget") and "budget" in dict(engine.near_words("budgettt"))
    first = listed.hits[0].item
    assert engine.item(first.id) == first
    engine.close()
