"""``minutes db init`` creates or upgrades the schema; nothing else ever does."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import psycopg
import pytest
from psycopg.types.json import Jsonb

from indexer.analysis import ANALYSIS_VERSION, UNSTAMPED_ANALYSIS
from indexer.cli import main
from indexer.engines.base import Filters, SearchSpec
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database
from indexer.engines.postgres.server import free_port
from indexer.formats import IngestContext
from indexer.formats.digst import parse as parse_digst
from tests.conftest import CORPUS_CSV, REPO, SEED
from tests.helpers import Opened, date_rule_order

# Migration 12 undone: what a database of schema version 11 holds (migration 12 changes content only,
# see test_closed_titles_migration.py).
BACK_TO_11 = f"DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 12;"
# Migration 11 undone: what a database of schema version 10 holds (no date precision column).
BACK_TO_10 = (
    BACK_TO_11
    + f"""
ALTER TABLE items DROP COLUMN date_precision;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 11;
"""
)
# Migration 10 undone too: what a database of schema version 9 holds (items' agenda positions in
# their stored documents only, as version 9 wrote them).
BACK_TO_9 = (
    BACK_TO_10
    + f"""
ALTER TABLE items DROP COLUMN position;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 10;
"""
)
# Migrations 10 and 9 undone: what a database of schema version 8 (before analysis stamps) holds.
BACK_TO_8 = (
    BACK_TO_9
    + f"""
ALTER TABLE state DROP COLUMN analysis;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 9;
"""
)


def test_commands_on_an_uninitialised_database_say_to_run_db_init(
    pg_empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["search", "budget"], ["stats"], ["ingest", "data/seed"]):
        assert main([*argv, "--index", pg_empty_url]) == 2
        err = capsys.readouterr().err
        assert "minutes db init --index" in err and "not initialised" in err
    with psycopg.connect(pg_empty_url) as conn:
        assert schema.current_version(conn) is None  # nothing was created behind the user's back


def test_a_database_password_is_never_printed(
    pg_empty_url: str, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The URL is named in errors and in the serving line, its password masked as ``stats`` masks it."""
    secret = "s3cret-pw"
    uninitialised = pg_empty_url.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
    ready = pg_url.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
    assert uninitialised != pg_empty_url and ready != pg_url  # trust authentication: it is not checked
    for argv in (["search", "budget"], ["ingest", "data/seed"]):
        assert main([*argv, "--index", uninitialised]) == 2
        err = capsys.readouterr().err
        assert "not initialised" in err and "postgres:***@" in err and secret not in err
    assert main(["optimize", "--index", ready]) == 0
    said = capsys.readouterr()
    assert "postgres:***@" in said.out and secret not in said.out + said.err
    serving = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--index", ready, "--port", str(free_port())],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert serving.stdout is not None
        line = serving.stdout.readline()
    finally:
        serving.terminate()
        _, err = serving.communicate(timeout=60)
    assert line.startswith("minutes-search: serving postgresql://postgres:***@") and secret not in line + err


def test_db_init_creates_then_finds_nothing_to_do(pg_empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init", "--index", pg_empty_url]) == 0
    assert f"to version {schema.LATEST}" in capsys.readouterr().out
    assert main(["db", "init", "--index", pg_empty_url]) == 0
    assert "up to date" in capsys.readouterr().out
    with psycopg.connect(pg_empty_url) as conn:
        assert schema.current_version(conn) == schema.LATEST
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"items", "postings", "term_stats", "field_stats", "attachments", "municipalities"} <= tables


def test_an_outdated_schema_is_refused_until_upgraded(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(f"DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = %s", (schema.LATEST,))
        conn.execute(f"INSERT INTO {schema.SCHEMA_VERSION_TABLE} (version, what) VALUES (0, 'older')")
    assert main(["stats", "--index", pg_url]) == 2
    assert "needs" in capsys.readouterr().err


def test_every_table_carries_the_municipality(pg_url: str) -> None:
    """The Citus distribution column: one municipality's rows can live on one shard."""
    with psycopg.connect(pg_url) as conn:
        for table in schema.DISTRIBUTED:
            columns = {
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
                )
            }
            assert "muni" in columns, table
            keys = conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisunique",
                (table,),
            ).fetchall()
            assert ("muni",) in keys, f"{table}: unique keys must include the distribution column"


def test_citus_is_refused_clearly_where_it_is_not_installed(
    pg_empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "init", "--citus", "--index", pg_empty_url]) == 2
    assert "citus extension is not installed" in capsys.readouterr().err


def test_a_version_8_database_upgrades_in_place_and_reads_as_written_before_stamps(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["ingest", str(SEED), "--index", pg_url, "--municipality", "Norddjurs Kommune", "--workers", "1"]
    assert main(argv) == 0
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_8)  # type: ignore[arg-type]
    capsys.readouterr()
    assert main(["search", "sociale", "--index", pg_url]) == 2
    assert f"needs {schema.LATEST}" in capsys.readouterr().err
    with psycopg.connect(pg_url) as conn:
        report = schema.init(conn)
    assert (report.before, report.applied) == (8, [9, 10, 11, 12])
    database = Database(pg_url)
    try:
        assert database.analysis_version() == UNSTAMPED_ANALYSIS  # its terms are the older analysis's
    finally:
        database.close()
    assert main(["search", "sociale", "medier", "--index", pg_url]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 resultat")
    assert [line for line in err.splitlines() if "older text analysis" in line and "minutes reindex" in line]


def test_an_empty_version_8_database_upgrades_to_this_analysis(pg_url: str) -> None:
    """Nothing written before the upgrade: what gets written is this analysis's."""
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_8)  # type: ignore[arg-type]
        assert schema.init(conn).applied == [9, 10, 11, 12]
    database = Database(pg_url)
    try:
        assert database.analysis_version() == ANALYSIS_VERSION
    finally:
        database.close()


def test_a_version_9_database_upgrades_and_lists_a_meetings_items_in_agenda_order(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Version 10 orders date sorts by an ``items.position`` column: ``db init`` fills it for the
    items a version 9 wrote from their stored documents, and a meeting's items then come in
    agenda order (by id, not agenda, had they all been given 0)."""
    assert main(["ingest", str(CORPUS_CSV), "--index", pg_url, "--workers", "1"]) == 0
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_9)  # type: ignore[arg-type]
    capsys.readouterr()
    assert main(["search", "budget", "--index", pg_url]) == 2
    assert f"needs {schema.LATEST}" in capsys.readouterr().err
    assert main(["db", "init", "--index", pg_url]) == 0
    assert f"from version 9 to version {schema.LATEST} (applied 10, 11, 12)" in capsys.readouterr().out
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT position, (stored->>'position')::int FROM items").fetchall()
        visible = conn.execute("SELECT relallvisible > 0 FROM pg_class WHERE oid = 'items'::regclass").fetchone()
    assert len(rows) > 100 and all(column == stored for column, stored in rows)
    assert visible == (True,), "the rewritten table was vacuumed (index-only scans read no heap)"
    meeting = max(parse_digst(CORPUS_CSV, IngestContext()), key=lambda m: len(m.items))
    agenda = [item.id for item in meeting.items if item.is_open]
    assert len(agenda) >= 3 and agenda != sorted(agenda), "a meeting whose ids are not in agenda order"
    opened = Opened()
    try:
        service = opened.service(pg_url)
        for sort in ("newest", "oldest"):
            hits = service.engine.search(SearchSpec(query=None, sort=sort, limit=10**6, with_facets=False)).hits
            ids = [hit.item.id for hit in hits]
            assert ids == date_rule_order(hits, newest_first=sort == "newest")
            first = ids.index(agenda[0])
            assert ids[first : first + len(agenda)] == agenda
    finally:
        opened.close()


def test_writing_to_a_read_only_database_is_one_line(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A replica (here a database whose transactions are read-only, as a hot standby's are): an
    ingest or a take-down printed a traceback ending in ReadOnlySqlTransaction."""
    assert main(["ingest", str(SEED), "--index", pg_url]) == 0
    capsys.readouterr()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    expected = f"error: {pg_url}: the database is read-only (a replica?); write to the primary"
    for argv in (["ingest", str(CORPUS_CSV)], ["forget", "no-such-item", "--reason", "test"]):
        assert main([*argv, "--index", pg_url]) == 2, argv
        assert capsys.readouterr().err.strip() == expected, argv


def test_a_version_10_database_upgrades_and_holds_a_year_only_meeting_by_its_year(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Version 11 keeps each item's date precision as a column: ``db init`` marks the items a
    version 10 wrote of the corpus's two meetings known only to their year (2016), and a date
    range over June-December 2016 then holds them (it read them as 1 January)."""
    assert main(["ingest", str(CORPUS_CSV), "--index", pg_url, "--workers", "1"]) == 0
    with psycopg.connect(pg_url) as conn:
        conn.execute(BACK_TO_10)  # type: ignore[arg-type]
    assert main(["db", "init", "--index", pg_url]) == 0
    assert f"from version 10 to version {schema.LATEST} (applied 11, 12)" in capsys.readouterr().out
    with psycopg.connect(pg_url) as conn:
        marked = conn.execute(
            "SELECT id FROM items WHERE date_precision = 'year' ORDER BY id",
        ).fetchall()
        stored = conn.execute(
            "SELECT id FROM items WHERE (stored->>'doc')::jsonb #>> '{meeting,date_precision}' = 'year' ORDER BY id",
        ).fetchall()
    assert len(marked) == 40 and marked == stored
    opened = Opened()
    try:
        engine = opened.service(pg_url).engine
        filters = Filters(date_from=date(2016, 6, 1), date_to=date(2016, 12, 31))
        found = {hit.item.id for hit in engine.search(SearchSpec(filters=filters, limit=10**6)).hits}
        assert {row[0] for row in marked} <= found
    finally:
        opened.close()


def test_a_server_that_does_not_answer_is_one_line_naming_the_database(capsys: pytest.CaptureFixture[str]) -> None:
    """libpq's message runs over two lines ("Connection refused", a tab, "Is the server running …?"):
    printed as it came it read ``refused\\n\\tIs the server``, and named no database."""
    url = f"postgresql://postgres:s3cret-pw@127.0.0.1:{free_port()}/minutes"  # nothing listens there
    for argv in (["stats"], ["search", "budget"], ["ingest", "data/seed"], ["db", "init"]):
        assert main([*argv, "--index", url]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "\\n" not in err and "\\t" not in err, err
        assert err.startswith("error: postgresql://postgres:***@127.0.0.1:") and "s3cret-pw" not in err, err
        assert "Connection refused Is the server running" in err, err


def _as_written_before_2026_12_04(url: str) -> int:
    """Make the items' rows what an ingest before 2026-12-04 wrote: no date precision in the stored
    document (nor the column's 'year', which migration 11 sets from it), a year-only meeting's start
    its 1 January.  Returns how many items were year-only."""
    year_only = 0
    with psycopg.connect(url) as conn:
        for muni, docno, stored in conn.execute("SELECT muni, docno, stored FROM items").fetchall():
            fields = dict(stored)
            doc = json.loads(fields["doc"])
            meeting = doc["meeting"]
            if meeting.pop("date_precision") == "year":
                year_only += 1
                meeting["start"] = f"{meeting['start']}-01-01T00:00:00+01:00"
            fields["doc"] = json.dumps(doc, ensure_ascii=False)
            conn.execute(
                "UPDATE items SET stored = %s, date_precision = 'day' WHERE muni = %s AND docno = %s",
                (Jsonb(fields), muni, docno),
            )
    return year_only


def test_db_init_says_a_reindex_reads_again_the_year_only_meetings_written_before_their_precision_was_kept(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before 2026-12-04 a meeting whose source gave only its year was stored as held on 1 January,
    its precision nowhere, and its id made without the source's own id: nothing in the database
    tells it from a meeting held that day, so ``db init`` cannot mend it and says so, in one line."""
    assert main(["ingest", str(CORPUS_CSV), "--index", pg_url, "--workers", "1"]) == 0
    assert main(["db", "init", "--index", pg_url]) == 0
    assert "1 January" not in capsys.readouterr().out  # written now: the precision is stored
    assert _as_written_before_2026_12_04(pg_url) == 40  # the corpus's two meetings of 2016
    assert main(["db", "init", "--index", pg_url]) == 0
    out = capsys.readouterr().out.splitlines()
    said = [line for line in out if "1 January" in line]
    assert said == [
        "2 meeting(s) written before 2026-12-04 are dated 1 January, and nothing stored tells whether that is "
        "their day or all their source gave (the year alone, then kept apart by the source's own id): "
        f"run `minutes reindex --index {pg_url}` to read them again"
    ]
    assert main(["reindex", "--index", pg_url]) == 0
    capsys.readouterr()
    assert main(["db", "init", "--index", pg_url]) == 0
    assert "1 January" not in capsys.readouterr().out
