"""How many statements one search through ``SearchService`` sends to PostgreSQL (each is one
round trip and one pool checkout), counted by the server itself (``pg_stat_statements``, on a
server of its own that preloads it), on the format samples.

A search reads the generation once (with the learnt tables in the same statement when a write
committed since), the terms' statistics once and answers the rest in one statement; "Mente du"
answers a word the search already looked up from what the search read.  So a search that finds
something is three statements, and a write by another process is seen by the next search
without a fourth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from indexer.cli import main
from indexer.engines.postgres.server import TEST_SETTINGS, temporary_server
from indexer.search.service import SearchRequest, SearchResponse, SearchService
from tests.conftest import DATA, SAMPLES
from tests.helpers import closed_copy, seed_meeting, variant, write_jsonl

SECRET = "hemmeligordxyz"
COUNTING = {**TEST_SETTINGS, "shared_preload_libraries": "pg_stat_statements"}
NEW_COMMITTEE = "Klimatilpasningsudvalget"


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("round-trips")
    with temporary_server(COUNTING, prefix="minutes-pg-count-") as server:
        url = server.create_database("counted")
        closed = write_jsonl(work / "closed.jsonl", [closed_copy(seed_meeting(), SECRET)])
        assert main(["db", "init", "--index", url]) == 0
        paths = [str(SAMPLES), str(DATA / "seed"), str(closed)]
        assert main(["ingest", *paths, "--index", url, "--workers", "1"]) in (0, 1)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        yield url


def statements(url: str, action: Callable[[], object]) -> dict[str, int]:
    """The statements ``action`` sent to this database: text → calls (BEGIN and COMMIT count too)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")
    action()
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT query, calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'"
        ).fetchall()
    sent: dict[str, int] = {}
    for query, calls in rows:
        sent[" ".join(str(query).split())] = sent.get(" ".join(str(query).split()), 0) + int(calls)
    return sent


def _generation_reads(sent: dict[str, int]) -> int:
    return sum(n for q, n in sent.items() if "FROM state" in q)


@pytest.fixture(scope="module")
def service(counted: str) -> Iterator[SearchService]:
    opened = SearchService(counted)
    opened.search(SearchRequest(q="bugdet"))  # the learnt tables and the server's extensions, read once
    opened.search(SearchRequest(q="sociale medier"))  # how common these words are, weighed once (below)
    opened.search(SearchRequest(q="Teknisk Udvalg"))
    yield opened
    opened.close()


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(q="budget"),
        # literally: fewer than ten items hold both words, and a search then lists those holding
        # one of them after them (one more search statement: test below)
        SearchRequest(q="sociale medier", literal=True),
        SearchRequest(q='"sociale medier"'),
        SearchRequest(q="kommune", sort="newest", page=2, per_page=5),
        SearchRequest(q="Teknisk Udvalg", literal=True),
    ],
    ids=["1 word", "2 words", "phrase", "newest page 2", "a committee"],
)
def test_a_search_that_finds_something_is_three_statements(
    counted: str, service: SearchService, request_: SearchRequest
) -> None:
    found: list[int] = []
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(**request_.__dict__)).total))
    assert found[0] > 0
    assert sum(sent.values()) == 3, sent
    assert _generation_reads(sent) == 1, sent
    assert not any(q in ("BEGIN", "COMMIT") for q in sent), sent


def test_a_facet_filtered_search_counts_the_query_without_its_facets_once_more(
    counted: str, service: SearchService
) -> None:
    """Whether the list holds near answers is decided without the facet filters (a facet's count
    is what clicking it lists): one count of the query unfiltered, then the search within them."""
    found: list[int] = []
    request = SearchRequest(q="kommune", year=["2013"])
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(**request.__dict__)).total))
    assert found[0] > 0
    assert sum(sent.values()) == 4, sent
    assert _generation_reads(sent) == 1, sent


def test_browsing_is_one_statement(counted: str, service: SearchService) -> None:
    """No query: no body names to resolve (no generation read) and no terms to weigh."""
    found: list[int] = []
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(q="", sort="newest")).total))
    assert found[0] > 0 and sum(sent.values()) == 1, sent


def test_a_municipality_filter_looks_its_code_up_once(counted: str, service: SearchService) -> None:
    request = SearchRequest(q="kommune", municipality=["Norddjurs"])
    first = statements(counted, lambda: service.search(SearchRequest(**request.__dict__)))
    again = statements(counted, lambda: service.search(SearchRequest(**request.__dict__)))
    # the code once; beside the search, the count without the facet filter (a municipality is one)
    assert sum(first.values()) == 5 and sum(again.values()) == 4, (first, again)


def test_a_typo_with_mente_du_reads_the_generation_once(counted: str, service: SearchService) -> None:
    """Nothing found for "bugdet": "Mente du" checks the word (known from the search), finds near
    words, counts the correction's hits and searches it: three searches, one generation read,
    and the correction's statistics read once for both of its searches."""
    responses = []
    sent = statements(counted, lambda: responses.append(service.search(SearchRequest(q="bugdet"))))
    response = responses[0]
    assert response.corrected_from == "bugdet" and response.request.q == "budget" and response.total > 0
    assert _generation_reads(sent) == 1, sent
    assert sum(sent.values()) == 7, sent


def test_a_few_whole_answers_followed_by_those_holding_most_words_cost_one_search_more(
    counted: str, service: SearchService
) -> None:
    found = []
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(q="sociale medier"))))
    assert found[0].partial is not None and found[0].partial.whole > 0
    assert sum(sent.values()) == 4 and _generation_reads(sent) == 1, sent


def test_a_short_list_of_those_holding_most_words_goes_on_to_fewer_words_one_search_a_tier(
    counted: str, service: SearchService
) -> None:
    """No item holds all four words and one holds three: a page is ten, so the items holding two
    follow, one search more.  Each tier stays one search: the words its choices lack weigh them
    in the query (``Scaled``), from the shares the search of every word weighed."""
    query = SearchRequest(q="sociale medier budget vindmøller")
    service.search(SearchRequest(**query.__dict__))  # the new words weighed once (test above)
    found = []
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(**query.__dict__))))
    response = found[0]
    assert response.partial is not None and (response.partial.least, response.partial.whole) == (2, 0)
    assert [len(hit["missing"]) for hit in response.results][:2] == [1, 2]
    # the generation; then the whole search, each of the two tiers: the statistics of the terms it
    # adds (its choices set words side by side that were not typed so: new compounds to join) and
    # its search.  Only one tier was searched before a short one went on (5).
    searches = [n for q, n in sent.items() if q.startswith("WITH")]
    assert sum(sent.values()) == 7 and sum(searches) == 3 and _generation_reads(sent) == 1, sent


def test_a_correction_finding_a_few_followed_by_those_holding_most_words_costs_one_search_more(
    counted: str, service: SearchService
) -> None:
    """ "socale medier" finds nothing and runs as "sociale medier", which two items hold: those
    holding one of the words follow, as after the words typed right (test above), one search more.
    The generation; the typed words' statistics and search; "Mente du" (its near words, two checks
    of them, the correction's statistics and count); the correction's search; the tier's search (its
    terms the correction's): ten statements, nine when a correction was shown alone."""
    service.search(SearchRequest(q="socale medier"))  # "socale" weighed once
    found: list[SearchResponse] = []
    sent = statements(counted, lambda: found.append(service.search(SearchRequest(q="socale medier"))))
    assert (found[0].corrected_from, found[0].request.q) == ("socale medier", "sociale medier")
    assert found[0].partial is not None and found[0].partial.whole == 2 and found[0].total > 10
    searches = [n for q, n in sent.items() if q.startswith("WITH")]
    assert sum(sent.values()) == 10 and sum(searches) == 4 and _generation_reads(sent) == 1, sent


def test_a_few_hits_followed_by_the_corrections_cost_one_statement_more(counted: str, service: SearchService) -> None:
    """ "indsatts" finds one item through its stem and is offered "indsats": searched literally it
    is offered the correction only; else the correction's other items follow, one statement more.
    (Whether open items write the word with æ/ø/å is asked once per index state, before.)"""
    service.search(SearchRequest(q="indsatts"))
    found: list[SearchResponse] = []
    literal = statements(counted, lambda: found.append(service.search(SearchRequest(q="indsatts", literal=True))))
    filled = statements(counted, lambda: found.append(service.search(SearchRequest(q="indsatts"))))
    assert (found[0].total, found[0].suggestion, found[0].also_corrected) == (1, "indsats", None)
    assert (found[1].typed_total, found[1].also_corrected) == (1, "indsats") and found[1].total > 10
    assert sum(filled.values()) == sum(literal.values()) + 1 and _generation_reads(filled) == 1, (literal, filled)


def test_a_write_by_another_process_is_seen_by_the_next_search(
    counted: str, service: SearchService, tmp_path: Path
) -> None:
    """The cached tables are of the generation the search reads: a commit by another writer is in
    the next search (its committees are the new generation's), in the same three statements and the
    one that weighs its words for the new state."""
    seed = seed_meeting()
    meeting = variant(seed, committee=NEW_COMMITTEE, start=seed.start.replace(year=2024))
    before = service.search(SearchRequest(q="sociale medier", literal=True))
    assert NEW_COMMITTEE not in service.committees()
    assert main(["ingest", str(write_jsonl(tmp_path / "new.jsonl", [meeting])), "--index", counted]) in (0, 1)
    responses = []
    sent = statements(
        counted, lambda: responses.append(service.search(SearchRequest(q="sociale medier", literal=True)))
    )
    # and one more: how common the words are is weighed again for the new state
    assert sum(sent.values()) == 4 and _generation_reads(sent) == 1, sent
    assert sum("max(held)" in q for q in sent) == 1, sent
    assert responses[0].total == before.total + 1
    assert NEW_COMMITTEE in {r["committee"] for r in responses[0].results}
    assert NEW_COMMITTEE in service.committees()


def test_closed_text_is_found_by_no_search_nor_word_check(counted: str, service: SearchService) -> None:
    assert service.search(SearchRequest(q=SECRET)).total == 0
    assert not service.engine.has_word(SECRET)
    assert SECRET not in service.engine.has_words([SECRET, "budget"])


def test_the_words_of_a_query_are_weighed_once_in_one_statement(counted: str, service: SearchService) -> None:
    """Whether a typed word is common (most items hold it, so it only raises beside rarer words)
    is asked of the server for all the query's new words at once, and not again for them; so is,
    once per index state, how many open items there are ("kommune" is over the share, and a
    share of fewer than four items says nothing: ``MIN_ITEMS_FOR_COMMON``)."""
    request = SearchRequest(q="vandløb regulativ kommune", literal=True)
    first = statements(counted, lambda: service.search(SearchRequest(**request.__dict__)))
    again = statements(counted, lambda: service.search(SearchRequest(**request.__dict__)))
    weighing = [q for q in first if "max(held)" in q]
    assert len(weighing) == 1 and first[weighing[0]] == 1, first
    assert sum(again.values()) == sum(first.values()) - 2 and not any("max(held)" in q for q in again), again


def test_a_word_typed_without_its_danish_letter_is_asked_about_once(counted: str, service: SearchService) -> None:
    """Whether open items write "oekonomi" as typed or with ø is one statement (the word and its
    respellings at once), asked once per index state: the search of it as written is then three."""
    found: list[SearchResponse] = []
    first = statements(counted, lambda: found.append(service.search(SearchRequest(q="oekonomi"))))
    again = statements(counted, lambda: found.append(service.search(SearchRequest(q="oekonomi"))))
    assert [r.request.q for r in found] == ["økonomi", "økonomi"] and found[0].total > 0
    assert sum(first.values()) == 4 and sum(again.values()) == 3, (first, again)
