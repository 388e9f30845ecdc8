"""The PostgreSQL search statement on the format samples: what migration 8 and the statement's
shape (statistics read first, every facet in one pass) must keep exactly as it was.

- scores are BM25F of the stored statistics, recomputed here in Python from the rows, and an OR
  of field terms read in one scan sums them to the same doubles as one scan per term;
- the total and facet counts are the plain counts of the matching open items;
- a term's postings and the matches' facet columns can be read from the indexes alone;
- a database of schema version 7 upgrades to 8 (and 9) in place and answers every request as before;
- a batch writes each term's postings together (a phrase reads their positions from few pages).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import Database, Filters
from indexer.engines.postgres.query import (
    K1,
    TEXT_FIELDS,
    AllQ,
    B,
    Node,
    NothingQ,
    OrQ,
    PhraseQ,
    TermQ,
    follows,
    within_slop,
)
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA, SAMPLES
from tests.engines.postgres.test_engine import REQUESTS
from tests.engines.postgres.test_schema_and_cli import BACK_TO_8
from tests.helpers import closed_copy, seed_meeting, write_jsonl

SECRET = "hemmeligordxyz"
# Migrations 9 and 8 undone: what a database of schema version 7 holds.
BACK_TO_7 = (
    BACK_TO_8
    + f"""
ALTER TABLE postings DROP CONSTRAINT postings_pkey;
ALTER TABLE postings ADD CONSTRAINT postings_pkey PRIMARY KEY (field, term, muni, docno);
DROP INDEX items_open_facets;
DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 8;
"""
)


def _ingest(url: str, work: Path) -> None:
    closed = write_jsonl(work / "closed.jsonl", [closed_copy(seed_meeting(), SECRET)])
    assert main(["db", "init", "--index", url]) == 0
    assert main(["ingest", str(SAMPLES), str(DATA / "seed"), str(closed), "--index", url, "--workers", "1"]) in (0, 1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, pg_server) -> str:  # type: ignore[no-untyped-def]
    url = pg_server.create_database("statement")
    _ingest(url, tmp_path_factory.mktemp("statement"))
    return url


def _common_terms(url: str, fieldname: str, count: int) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT term FROM term_stats WHERE field = %s GROUP BY term ORDER BY sum(df) DESC, term LIMIT %s",
            (TEXT_FIELDS[fieldname], count),
        ).fetchall()
    return [str(r[0]) for r in rows]


def _expected_scores(url: str, fieldname: str, term: str) -> dict[str, float]:
    """BM25F of one field term for every item holding it, from the rows the engine keeps."""
    with psycopg.connect(url) as conn:
        items = conn.execute("SELECT sum(docs) FROM field_stats WHERE field = 0").fetchone()[0]  # type: ignore[index]
        length = conn.execute(
            "SELECT sum(total_length) FROM field_stats WHERE field = %s", (TEXT_FIELDS[fieldname],)
        ).fetchone()[0]  # type: ignore[index]
        frequencies = [TEXT_FIELDS[fieldname]] + ([TEXT_FIELDS["body"]] if fieldname == "parts" else [])
        df = max(
            int(
                conn.execute(
                    "SELECT coalesce(sum(df), 0) FROM term_stats WHERE field = %s AND term = %s", (f, term)
                ).fetchone()[0]  # type: ignore[index]
            )
            for f in frequencies
        )
        rows = conn.execute(
            "SELECT i.id, p.tf, p.len FROM postings p JOIN items i USING (muni, docno) WHERE p.field = %s AND p.term = %s",
            (TEXT_FIELDS[fieldname], term),
        ).fetchall()
    idf = math.log(float(items) / (df + 1)) + 1
    average = float(length) / float(items)
    return {
        str(item): idf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * length_ / average)) for item, tf, length_ in rows
    }


@pytest.mark.parametrize("fieldname", ["body", "title", "parts"])
def test_scores_are_bm25f_of_the_stored_statistics(loaded: str, fieldname: str) -> None:
    """The IDF and average length now come from a statement before the search: the same numbers."""
    database = Database(loaded)
    try:
        for term in _common_terms(loaded, fieldname, 5):
            expected = _expected_scores(loaded, fieldname, term)
            found = database.search(TermQ(fieldname, term), Filters(), limit=1000, facets=False, highlight=False)
            assert found.total == len(expected) > 0
            got = {str(hit.stored["id"]): hit.score for hit in found.hits}
            assert got == pytest.approx(expected, rel=1e-12), term
    finally:
        database.close()


def test_a_word_in_every_field_is_scored_as_the_sum_of_its_fields(loaded: str) -> None:
    """An OR of field terms is read in one scan of the postings: each item's score is still the
    boosted sum of its fields' BM25F, and the very same doubles as the OR of one scan per term
    (the path an OR with any other kind of child takes)."""
    database = Database(loaded)
    try:
        for term in _common_terms(loaded, "body", 5):
            fields = {"body": 1.0, "title": 3.0, "decision": 2.0}
            expected: Counter[str] = Counter()
            for fieldname, boost in fields.items():
                for item, score in _expected_scores(loaded, fieldname, term).items():
                    expected[item] += boost * score
            children: list[Node] = [TermQ(f, term, boost=b) for f, b in fields.items()]
            one_scan = database.search(OrQ(children), Filters(), limit=1000, facets=False, highlight=False)
            per_term = database.search(
                OrQ([*children, NothingQ()]), Filters(), limit=1000, facets=False, highlight=False
            )
            got = {str(hit.stored["id"]): hit.score for hit in one_scan.hits}
            assert got == pytest.approx(dict(expected), rel=1e-12), term
            assert [(h.stored["id"], h.score) for h in one_scan.hits] == [
                (h.stored["id"], h.score) for h in per_term.hits
            ]
    finally:
        database.close()


def _plain_counts(url: str, where: str, params: tuple[object, ...]) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and facet counts of the open items matching ``where``, counted one facet at a time."""
    counts: dict[str, dict[str, int]] = {}
    with psycopg.connect(url) as conn:
        matched = f"SELECT * FROM items i WHERE i.access = 'open' AND {where}"
        total = int(conn.execute(f"SELECT count(*) FROM ({matched}) m", params).fetchone()[0])  # type: ignore[index]
        for name, column in (("committee", "committee"), ("year", "year"), ("kind", "kind")):
            rows = conn.execute(f"SELECT {column}, count(*) FROM ({matched}) m GROUP BY 1", params).fetchall()
            counts[name] = {str(v): int(n) for v, n in rows if v}
        rows = conn.execute(
            f"SELECT x.name, count(*) FROM ({matched}) m JOIN municipalities x USING (muni) GROUP BY 1", params
        ).fetchall()
        counts["municipality"] = {str(v): int(n) for v, n in rows}
        topics: Counter[str] = Counter()
        for (listed,) in conn.execute(f"SELECT topics FROM ({matched}) m", params).fetchall():
            topics.update(listed)
        counts["topic"] = {t: n for t, n in topics.items() if t}
    return total, counts


@pytest.mark.parametrize(
    ("tree", "filters", "where", "params"),
    [
        (AllQ(), Filters(), "true", ()),
        (AllQ(), Filters(year=["2013", "2014"]), "i.year IN ('2013', '2014')", ()),
        (
            TermQ("body", "kommun"),
            Filters(),
            "EXISTS (SELECT 1 FROM postings p WHERE p.muni = i.muni AND p.docno = i.docno AND p.field = 3 AND p.term = %s)",
            ("kommun",),
        ),
        (
            OrQ([TermQ("body", "skol"), TermQ("title", "budget")]),
            Filters(kind=["referat"]),
            "i.kind = 'referat' AND EXISTS (SELECT 1 FROM postings p WHERE p.muni = i.muni AND p.docno = i.docno "
            "AND ((p.field = 3 AND p.term = %s) OR (p.field = 1 AND p.term = %s)))",
            ("skol", "budget"),
        ),
    ],
    ids=["all", "years", "term", "or-kind"],
)
def test_facet_counts_are_the_plain_counts_of_the_matches(
    loaded: str, tree: Node, filters: Filters, where: str, params: tuple[object, ...]
) -> None:
    """Every facet and the total come from one grouping-sets pass: the same as counting each alone."""
    total, counts = _plain_counts(loaded, where, params)
    assert total > 0 and all(counts[name] for name in ("committee", "year", "municipality"))
    database = Database(loaded)
    try:
        found = database.search(tree, filters, limit=0, highlight=False)
    finally:
        database.close()
    assert found.total == total
    assert found.counts == counts


def _plan(url: str, tree: Node) -> str:
    database = Database(url)
    try:
        with database._pool.connection() as conn, conn.transaction():
            sql, params = database.statement(conn, tree, Filters(), "relevance", 0, 10, True)
            # The samples are small enough for scanning whole tables to win: ask whether the
            # indexes *can* answer alone, matches looked up one by one as on a large index.
            for method in ("seqscan", "bitmapscan", "hashjoin", "mergejoin"):
                conn.execute(f"SET LOCAL enable_{method} = off")
            rows = conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params).fetchall()  # type: ignore[arg-type]
    finally:
        database.close()
    return "\n".join(str(r[0]) for r in rows)


def test_postings_and_facet_columns_are_read_from_the_indexes_alone(loaded: str) -> None:
    # The test server commits asynchronously (TEST_SETTINGS): until the WAL holding the ingest's
    # commit is flushed, VACUUM may not set the rows' hint bits nor mark a page all-visible, and an
    # index-only scan of a page not all-visible costs as much as the heap. A checkpoint flushes it.
    database = Database(loaded)
    database.vacuum()  # as an ingest ends (other tests' sessions may have held it back)
    database.close()
    # Once more, without ANALYZE: a commit's status counts as flushed only with the latest
    # asynchronous commit of its group of 32 transactions, and that VACUUM's own ANALYZE commits
    # (asynchronous, unflushed) may share the ingest's group; whether they do depends on how many
    # transactions came before (on these samples they did once the analysis wrote more postings).
    with psycopg.connect(loaded, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        conn.execute("VACUUM items, postings")
    plan = _plan(loaded, OrQ([TermQ("body", "kommun"), TermQ("title", "kommun")]))
    assert "Index Only Scan using postings_pkey on postings" in plan, plan
    assert "Index Only Scan using items_open_facets on items" in plan, plan
    assert "Heap Fetches: 0" in plan and all(
        line.strip() == "Heap Fetches: 0" for line in plan.splitlines() if "Heap Fetches" in line
    ), plan


def _answers(url: str) -> list[dict[str, object]]:
    service = SearchService(url)
    try:
        return [service.search(SearchRequest(**r.__dict__)).to_dict() for r in REQUESTS]
    finally:
        service.close()


def test_a_version_7_database_upgrades_in_place_and_answers_as_before(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create_database("upgrade8")
    _ingest(url, tmp_path)
    before = _answers(url)
    with psycopg.connect(url) as conn:
        conn.execute(BACK_TO_7)  # type: ignore[arg-type]
    with pytest.raises(schema.SchemaError, match=f"needs {schema.LATEST}"):
        Database(url)
    with psycopg.connect(url) as conn:
        report = schema.init(conn)
    assert (report.before, report.applied) == (7, [8, 9, 10, 11, 12])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) postings, items")
    assert _answers(url) == before
    assert "Index Only Scan using postings_pkey" in _plan(url, TermQ("body", "kommun"))


def test_a_batch_writes_each_terms_postings_together(loaded: str) -> None:
    """The postings of a batch are written grouped by (field, term): a common term's rows share a
    few heap pages, so a phrase reads its words' positions from pages read once, not a page a row."""
    with psycopg.connect(loaded) as conn:
        rows = conn.execute(
            "SELECT p.field, p.term, count(*), count(DISTINCT (p.ctid::text::point)[0]) FROM postings p "
            "JOIN (SELECT field, term FROM term_stats GROUP BY field, term ORDER BY sum(df) DESC, field, term LIMIT 20) t "
            "USING (field, term) GROUP BY p.field, p.term"
        ).fetchall()
    assert len(rows) == 20
    for field, term, postings, pages in rows:
        assert postings >= 30, (field, term, postings)
        assert pages <= postings / 5, (field, term, postings, pages)


def _phrase_items(conn: psycopg.Connection, phrase: PhraseQ, condition: str) -> set[tuple[int, int]]:
    froms = ", ".join(f"postings p{n}" for n in range(len(phrase.words)))
    wheres = [f"p{n}.field = %s AND p{n}.term = %s" for n in range(len(phrase.words))]
    wheres += [f"p{n}.muni = p0.muni AND p{n}.docno = p0.docno" for n in range(1, len(phrase.words))]
    params = [v for word in phrase.words for v in (TEXT_FIELDS[phrase.field], word)]
    rows = conn.execute(f"SELECT p0.muni, p0.docno FROM {froms} WHERE {' AND '.join(wheres)} AND {condition}", params)
    return {(int(m), int(d)) for m, d in rows.fetchall()}


def test_an_adjacent_phrase_is_found_where_every_pair_of_positions_finds_it(loaded: str) -> None:
    """A quoted phrase (slop 1) looks each of the first word's positions up in the next words'
    arrays (``follows``): the same items as comparing every choice of positions (``within_slop``),
    for phrases of two and three words the samples hold, and for word pairs they hold apart."""
    with psycopg.connect(loaded) as conn:
        adjacent = conn.execute(
            "SELECT DISTINCT a.term, b.term, c.term FROM postings a "
            "JOIN postings b ON b.field = a.field AND b.muni = a.muni AND b.docno = a.docno "
            "JOIN postings c ON c.field = a.field AND c.muni = a.muni AND c.docno = a.docno "
            "WHERE a.field = 3 AND a.term < b.term AND EXISTS (SELECT 1 FROM unnest(a.positions) x "
            "WHERE x + 1 = ANY(b.positions) AND x + 2 = ANY(c.positions)) ORDER BY 1, 2, 3 LIMIT 30"
        ).fetchall()
        apart = conn.execute(
            "SELECT a.term, b.term FROM postings a JOIN postings b ON b.field = a.field AND b.muni = a.muni "
            "AND b.docno = a.docno WHERE a.field = 3 AND a.term <> b.term AND a.tf > 1 AND b.tf > 1 "
            "GROUP BY a.term, b.term ORDER BY count(*) DESC, 1, 2 LIMIT 30"
        ).fetchall()
        # A stop word's place between the first two (the index keeps it: a gap of 2).
        gapped = conn.execute(
            "SELECT DISTINCT a.term, b.term, c.term FROM postings a "
            "JOIN postings b ON b.field = a.field AND b.muni = a.muni AND b.docno = a.docno "
            "JOIN postings c ON c.field = a.field AND c.muni = a.muni AND c.docno = a.docno "
            "WHERE a.field = 3 AND a.term < b.term AND EXISTS (SELECT 1 FROM unnest(a.positions) x "
            "WHERE x + 2 = ANY(b.positions) AND x + 3 = ANY(c.positions)) ORDER BY 1, 2, 3 LIMIT 30"
        ).fetchall()
        phrases = [PhraseQ("body", [str(a), str(b)]) for a, b, _ in adjacent]
        phrases += [PhraseQ("body", [str(a), str(b), str(c)]) for a, b, c in adjacent]
        phrases += [PhraseQ("body", [str(a), str(b)]) for a, b in apart]
        at_gaps = [PhraseQ("body", [str(a), str(b), str(c)], bounds=[(2, 2), (1, 1)]) for a, b, c in gapped]
        at_gaps += [PhraseQ("body", [str(a), str(b)], bounds=[(2, 2)]) for a, b, _ in adjacent]
        found = found_at_gaps = 0
        for phrase in phrases + at_gaps:
            quick = _phrase_items(conn, phrase, follows(phrase, "p"))
            assert quick == _phrase_items(conn, phrase, within_slop(phrase, "p")), phrase
            if phrase in at_gaps:
                found_at_gaps += bool(quick)
            else:
                found += bool(quick)
    assert len(phrases) == 90 and 60 <= found < 90, found
    assert len(at_gaps) == 60 and 30 <= found_at_gaps < 60, found_at_gaps
