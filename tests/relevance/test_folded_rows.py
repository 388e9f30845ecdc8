"""How the benchmark scores a row with a case's other treatments listed under it (``also_treated``).

A page lists one case's same-text treatments as one row, the others linked under it: the row's
rank counts with the best grade among them, as the reader finds the judged treatment in that row;
nDCG reads the page in reading order, each row and then the treatments under it.
"""

from __future__ import annotations

from types import ModuleType


def _result(bench: ModuleType, folded: dict[str, list[str]]) -> object:
    query = bench.Query("udviklingsplan aarhus ø", "inflection", {"answer": 2}, source="queries.jsonl")
    return bench.QueryResult(query, ["other", "twin", "more"], {"answer": 2, "more": 1}, None, folded)


def test_a_row_counts_with_the_judged_treatment_listed_under_it(bench: ModuleType) -> None:
    under = _result(bench, {"twin": ["answer"]})
    assert under.reciprocal_rank == 0.5 and under.recall == 1.0
    assert under.grade("twin") == 2 and under.grade("other") == 0
    # the same page scored by its rows' own items alone (``--rows-only``): the answer is not listed
    alone = _result(bench, {})
    assert alone.reciprocal_rank == 1 / 3 and alone.recall == 0.5
    assert under.ndcg > alone.ndcg


def test_ndcg_reads_the_page_in_reading_order(bench: ModuleType) -> None:
    """Both treatments judged: the row and the one under it are the first two items read, as two
    rows would be, so folding them costs nDCG nothing."""
    query = bench.Query("udviklingsplan aarhus ø", "inflection", {"a": 2, "b": 2}, source="queries.jsonl")
    folded = bench.QueryResult(query, ["a", "other"], {"a": 2, "b": 2}, None, {"a": ["b"]})
    apart = bench.QueryResult(query, ["a", "b", "other"], {"a": 2, "b": 2})
    assert folded.ndcg == apart.ndcg == 1.0
    assert folded.reciprocal_rank == apart.reciprocal_rank == 1.0 and folded.recall == 1.0
