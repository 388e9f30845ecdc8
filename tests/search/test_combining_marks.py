"""A letter written as a base letter and a combining mark is the same letter.

Unicode can write "å" as one character or as "a" followed by a combining ring, and "ø" or "é"
likewise.  Texts saved on some systems, names of files and text taken from PDFs come decomposed;
so do queries pasted from them.  Both kinds must find the same items: the tokeniser keeps a
combining mark inside its word, the analysis composes the word (NFC), and the search composes
the query before anything reads it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest

from indexer.analysis.danish import analyse
from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import DATA

DEMO = DATA / "digst" / "digst-demo.csv"
ROWS = 60  # the demo's first rows: enough Danish letters, a quick index


def decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_decomposed_letter_stays_inside_its_word() -> None:
    for word in ("Gåsetårnet", "børneområdet", "Århus", "komitéen"):
        assert decomposed(word) != word  # really written another way
        assert analyse(decomposed(word)) == analyse(word), word
    # in running text too, with the words around it
    sentence = "Indsatsplan for Stautrupåbo og Gåsetårnet"
    assert analyse(decomposed(sentence)) == analyse(sentence)


def _demo_rows(tmp: Path, name: str, written: str) -> Path:
    """The demo's first rows as a CSV whose texts are written composed or decomposed."""
    with DEMO.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        rows = [row for _, row in zip(range(ROWS), reader, strict=False)]
        fields = reader.fieldnames
    assert fields
    path = tmp / name
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"indhold": unicodedata.normalize(written, row["indhold"])})
    return path


def _service(tmp: Path, written: str) -> SearchService:
    root = tmp / f"ix-{written}"
    MinutesIndex.create(root, profile="danish")
    assert ingest([_demo_rows(tmp, f"rows-{written}.csv", written)], root, workers=1, stream=io.StringIO()).items_added
    return SearchService(root)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchService, SearchService]:
    tmp = tmp_path_factory.mktemp("marks")
    return _service(tmp, "NFC"), _service(tmp, "NFD")


def _ids(service: SearchService, q: str) -> list[str]:
    return [result["id"] for result in service.search(SearchRequest(q=q, per_page=10)).results]


def _queries(service: SearchService) -> list[str]:
    """Words with å (or an accent) from the titles of the items, as a reader would type them: the
    letters a combining mark can write (æ and ø have no such second spelling)."""
    words: list[str] = []
    for result in service.search(SearchRequest(q="", per_page=ROWS)).results:
        words += [w for w in result["title"].lower().split() if decomposed(w) != w and w.isalpha()]
    return sorted(set(words))[:12]


def test_minutes_written_decomposed_are_found_as_the_composed_ones(
    both: tuple[SearchService, SearchService],
) -> None:
    composed, written_apart = both
    queries = _queries(composed)
    assert len(queries) >= 5
    for q in queries:
        found = _ids(composed, q)
        assert found, q
        assert _ids(written_apart, q) == found, q


def test_a_query_typed_decomposed_finds_what_the_composed_one_finds(
    both: tuple[SearchService, SearchService],
) -> None:
    composed, _ = both
    for q in _queries(composed):
        assert _ids(composed, decomposed(q)) == _ids(composed, q), q
        assert composed.search(SearchRequest(q=decomposed(q))).request.q == q
