""" "Mente du" candidates filtered on the server (fuzzystrmatch, migration 6) are exactly the
ones today's path finds in Python, word by word over real vocabulary; a database without the
extension (a role that may not create it, or the extension dropped under a running service)
answers the same through the Python path; closed items' words never come back."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database, _edit_distance
from indexer.engines.postgres.query import TEXT_FIELDS
from indexer.model import Access
from tests.conftest import CORPUS_CSV, DATA, SAMPLES
from tests.helpers import closed_copy, seed_meeting, write_jsonl

SECRET = "hemmeligordxyz"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("near")
    closed = write_jsonl(work / "closed.jsonl", [closed_copy(seed_meeting(), SECRET)])
    url = pg_server.create_database("near")
    assert main(["db", "init", "--index", url]) == 0
    paths = [str(p) for p in (SAMPLES, DATA / "seed", CORPUS_CSV, closed)]
    assert main(["ingest", *paths, "--index", url, "--workers", "1"]) in (0, 1)
    yield url


_opened: list[Database] = []


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def _database(url: str) -> Database:
    _opened.append(Database(url))
    return _opened[-1]


def _python_path(url: str) -> Database:
    """Today's path on the same database: the extension taken as absent."""
    database = _database(url)
    database._levenshtein_function = None
    return database


def _typos(word: str, rng: random.Random) -> list[str]:
    """The word itself, and slips that keep its first letter: a letter dropped, added, replaced,
    two neighbours swapped, two pairs swapped (plain Levenshtein 4), and two unlike edits."""
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    out = [word]
    if len(word) < 3:
        return out
    i = rng.randrange(1, len(word))
    out.append(word[:i] + word[i + 1 :])
    out.append(word[:i] + rng.choice(letters) + word[i:])
    out.append(word[:i] + rng.choice(letters) + word[i + 1 :])
    j = rng.randrange(1, len(word) - 1)
    out.append(word[:j] + word[j + 1] + word[j] + word[j + 2 :])
    if len(word) >= 6:
        a, b = 1, len(word) - 2
        out.append(word[:a] + word[a + 1] + word[a] + word[a + 2 : b] + word[b + 1] + word[b] + word[b + 2 :])
        out.append(out[1][:-1] + rng.choice(letters))
    return out


def test_migration_6_creates_fuzzystrmatch_in_a_schema_of_its_own(loaded: str) -> None:
    with psycopg.connect(loaded) as conn:
        row = conn.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'fuzzystrmatch'"
        ).fetchone()
        assert schema.current_version(conn) == schema.LATEST >= 6
    assert row == (schema.EXTENSION_SCHEMA,)
    assert _database(loaded)._levenshtein() is not None


@pytest.mark.parametrize("fieldname", ["exact", "body", "parts"])
def test_the_server_filter_returns_what_python_found_word_by_word(loaded: str, fieldname: str) -> None:
    server, python = _database(loaded), _python_path(loaded)
    assert server._levenshtein() is not None
    with psycopg.connect(loaded) as conn:
        words = [
            str(r[0])
            for r in conn.execute(
                "SELECT term FROM term_stats WHERE field = %s GROUP BY term HAVING sum(df) > 0 ORDER BY term",
                (TEXT_FIELDS[fieldname],),
            ).fetchall()
        ]
    assert len(words) > 1000
    rng = random.Random(f"near-{fieldname}")
    typed = sorted({t for w in rng.sample(words, 150) for t in _typos(w, rng)})
    found_any = 0
    for word in typed:
        expected = python.near_terms(fieldname, word)
        assert server.near_terms(fieldname, word) == expected, word
        found_any += bool(expected)
    assert found_any > len(typed) // 3


def test_two_swapped_pairs_are_found_though_plain_levenshtein_counts_four(loaded: str) -> None:
    server = _database(loaded)
    # "arbejdsmæssig" with r/b and i/g swapped: one swap away twice, four substitutions.
    typed = "abrejdsmæssgi"
    assert _edit_distance(typed, "arbejdsmæssig", 2, swaps=True) == 2
    assert _edit_distance(typed, "arbejdsmæssig", 4) == 4
    near = dict(server.near_terms("exact", typed))
    assert "arbejdsmæssig" in near
    assert near == dict(_python_path(loaded).near_terms("exact", typed))


def test_closed_words_never_come_back_on_either_path(loaded: str) -> None:
    for database in (_database(loaded), _python_path(loaded)):
        for typed in ("hemmeligordxy", "hemmeligrodxyz", SECRET):
            assert SECRET not in dict(database.near_terms("exact", typed))
        # The control: an open word of the same item is found from its slip.
        assert "arbejdsmæssig" in dict(database.near_terms("exact", "arbejdsmæsisg"))


def test_the_extension_dropped_under_a_running_service_falls_back_with_one_log_line(
    loaded: str, pg_server, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS near_copy")
        conn.execute("CREATE DATABASE near_copy TEMPLATE near")
    copy = pg_server.url("near_copy")
    database = _database(copy)
    before = database.near_terms("exact", "arbejdsmæsisg")
    assert "arbejdsmæssig" in dict(before)
    with psycopg.connect(copy, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema.EXTENSION_SCHEMA} CASCADE")
    with caplog.at_level(logging.WARNING, logger="indexer.engines.postgres.engine"):
        after = [database.near_terms("exact", w) for w in ("arbejdsmæsisg", "skloe", "vetser")]
        fresh = _database(copy)
        assert fresh._levenshtein() is None
        again = [fresh.near_terms("exact", w) for w in ("arbejdsmæsisg", "skloe", "vetser")]
    assert after[0] == before
    assert after == again == [_python_path(loaded).near_terms("exact", w) for w in ("arbejdsmæsisg", "skloe", "vetser")]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and all("in Python" in line for line in lines)  # one per Database, not per call


def test_a_role_that_may_not_create_the_extension_still_initialises_and_finds_near_words(pg_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'near_plain'").fetchone():
            conn.execute("CREATE ROLE near_plain LOGIN PASSWORD 'near'")
        conn.execute("DROP DATABASE IF EXISTS near_plain")
        conn.execute("CREATE DATABASE near_plain")
    with psycopg.connect(pg_server.url("near_plain"), autocommit=True) as conn:
        conn.execute("GRANT ALL ON SCHEMA public TO near_plain")  # tables, but no CREATE on the database
    url = f"postgresql://near_plain:near@127.0.0.1:{pg_server.port}/near_plain"
    assert main(["db", "init", "--index", url]) == 0
    with psycopg.connect(url) as conn:
        assert schema.current_version(conn) == schema.LATEST
        assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'fuzzystrmatch'").fetchone() is None
    assert main(["ingest", str(DATA / "seed"), "--index", url, "--workers", "1"]) == 0
    database = _database(url)
    assert database._levenshtein() is None
    near = dict(database.near_terms("exact", "arbejdsmæsisg"))
    assert "arbejdsmæssig" in near


def test_reindex_replays_migration_6_and_keeps_the_server_filter(pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create_database("near_reindex")
    assert main(["db", "init", "--index", url]) == 0
    assert main(["ingest", str(DATA / "seed"), "--index", url, "--workers", "1"]) == 0
    before = _database(url).near_terms("exact", "arbejdsmæsisg")
    assert main(["reindex", "--index", url]) == 0
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'fuzzystrmatch'"
        ).fetchone()
        leftovers = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname IN ('minutes_rebuild', 'minutes_previous')"
        ).fetchall()
    assert found == (schema.EXTENSION_SCHEMA,) and leftovers == []
    after = _database(url)
    assert after._levenshtein() is not None
    assert (
        after.near_terms("exact", "arbejdsmæsisg") == before == _python_path(url).near_terms("exact", "arbejdsmæsisg")
    )
    assert "arbejdsmæssig" in dict(before)


def test_a_word_whose_only_item_is_closed_later_leaves_the_near_words(pg_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """term_stats keeps a row at df 0 when the last open item holding a term closes: neither
    path may offer it (``sum(df) > 0``)."""
    url = pg_server.create_database("near_closing")
    assert main(["db", "init", "--index", url]) == 0
    opened = closed_copy(seed_meeting(), "lukkeordqvx")
    for item in opened.items:
        item.access = Access.OPEN
        for section in item.sections:
            section.access = Access.OPEN
    assert main(["ingest", str(write_jsonl(tmp_path / "open.jsonl", [opened.finalise()])), "--index", url]) == 0
    for database in (_database(url), _python_path(url)):
        assert "lukkeordqvx" in dict(database.near_terms("exact", "lukkeordqx"))  # the controls
        assert "arbejdsmæssig" in dict(database.near_terms("exact", "arbejdsmæsisg"))
    closed = closed_copy(seed_meeting(), "lukkeordqvx")
    assert main(["ingest", str(write_jsonl(tmp_path / "closed.jsonl", [closed])), "--index", url]) == 0
    with psycopg.connect(url) as conn:
        held = conn.execute("SELECT sum(df) FROM term_stats WHERE term = 'lukkeordqvx'").fetchone()
    assert held in ((0,), (None,))
    for database in (_database(url), _python_path(url)):
        near = dict(database.near_terms("exact", "lukkeordqx"))
        assert "lukkeordqvx" not in near
        assert "arbejdsmæssig" not in dict(database.near_terms("exact", "arbejdsmæsisg"))  # nor the rest of it
