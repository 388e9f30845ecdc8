"""The benchmark's bootstrap intervals: seeded, around the figure they qualify, paired by query.

The evaluations here are made by hand from the dev queries' own texts (no index, no test part):
each query's ranking is a list of item ids scored by the benchmark's own MRR, recall and nDCG.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest


def _evaluation(bench: ModuleType, system: str, ranks: list[int | None]) -> object:
    """One result per rank: the judged item ("a", grade 2) at that rank of ten, or nowhere (None);
    a related item ("b", grade 1) is listed after it, last of ten."""
    evaluation = bench.Evaluation(system)
    for n, rank in enumerate(ranks):
        query = bench.Query(f"forespørgsel {n}", "inflection", {"a": 2, "b": 1}, source="queries.jsonl")
        ranked = [f"other-{i}" for i in range(8)]
        if rank is not None:
            ranked.insert(rank - 1, "a")
        ranked.append("b")
        evaluation.results.append(bench.QueryResult(query, ranked, {"a": 2, "b": 1}))
    return evaluation


RANKS = [1, 1, 2, None, 1, 3, 1, 1, 5, None, 1, 2, 1, 1, 1, 4, 1, None, 2, 1] * 3
# One query in ten loses its answer from first to second place.
WORSE = [2 if r == 1 and n % 5 == 0 else r for n, r in enumerate(RANKS)]


def test_intervals_are_seeded_and_hold_the_figure(bench: ModuleType) -> None:
    evaluation = _evaluation(bench, "minutes-search", RANKS)
    first = bench.bootstrap(evaluation, resamples=2000)
    assert first == bench.bootstrap(evaluation, resamples=2000), "the same seed draws the same resamples"
    assert first != bench.bootstrap(evaluation, resamples=2000, seed=bench.SEED + 1)
    scores = evaluation.overall()
    assert first["mrr"].estimate == pytest.approx(scores.mrr)
    assert first["recall"].estimate == pytest.approx(scores.recall)
    assert first["ndcg"].estimate == pytest.approx(scores.ndcg)
    for interval in first.values():
        assert 0.0 <= interval.low < interval.estimate < interval.high <= 1.0
    # Sixty queries: the MRR could move by about a tenth either way on another sixty like them.
    assert 0.1 < first["mrr"].high - first["mrr"].low < 0.35


def test_more_queries_narrow_the_interval(bench: ModuleType) -> None:
    few = bench.bootstrap(_evaluation(bench, "s", RANKS), resamples=2000)["mrr"]
    many = bench.bootstrap(_evaluation(bench, "s", RANKS * 4), resamples=2000)["mrr"]
    assert many.estimate == pytest.approx(few.estimate)
    assert (many.high - many.low) < 0.7 * (few.high - few.low)  # about half: the width goes as 1/√n


def test_a_system_less_itself_is_exactly_zero(bench: ModuleType) -> None:
    evaluation = _evaluation(bench, "minutes-search", RANKS)
    same = _evaluation(bench, "again", RANKS)
    for paired in (bench.paired_bootstrap(evaluation, evaluation), bench.paired_bootstrap(evaluation, same)):
        assert all((i.estimate, i.low, i.high) == (0.0, 0.0, 0.0) for i in paired.values())


def test_a_paired_difference_is_read_on_the_same_queries(bench: ModuleType) -> None:
    better, worse = _evaluation(bench, "better", RANKS), _evaluation(bench, "worse", WORSE)
    paired = bench.paired_bootstrap(better, worse, resamples=2000)
    own = bench.bootstrap(better, resamples=2000)["mrr"], bench.bootstrap(worse, resamples=2000)["mrr"]
    assert paired["mrr"].estimate == pytest.approx(own[0].estimate - own[1].estimate)
    # Better or equal on every query: the paired interval stays above zero, though the two
    # systems' own intervals overlap.
    assert paired["mrr"].low > 0 and own[1].high > own[0].low
    assert paired["recall"] == bench.Interval(0.0, 0.0, 0.0), "both find the same items"
    with pytest.raises(ValueError, match="same queries"):
        bench.paired_bootstrap(better, _evaluation(bench, "shorter", RANKS[:-1]))


def test_the_table_lists_each_system_and_each_difference(bench: ModuleType) -> None:
    evaluations = [_evaluation(bench, "minutes-search", RANKS), _evaluation(bench, "snowball", WORSE)]
    lines = bench.interval_table(evaluations, resamples=500).splitlines()
    assert lines[0] == "| system | MRR@10 | recall@10 | nDCG@10 |"
    assert [line.split(" | ")[0] for line in lines[2:]] == [
        "| minutes-search",
        "| snowball",
        "| minutes-search − snowball",
    ]
    estimate = bench.bootstrap(evaluations[0], resamples=500)["mrr"]
    assert lines[2].split(" | ")[1] == f"{estimate.estimate:.3f} [{estimate.low:.3f}, {estimate.high:.3f}]"
    assert lines[4].split(" | ")[2] == "+0.000 [+0.000, +0.000]"
    weights = bench.resample_weights(len(RANKS), 500)
    assert weights.shape == (500, len(RANKS)) and set(weights.sum(axis=1)) == {float(len(RANKS))}


def test_a_saved_run_pairs_with_a_later_one_query_by_query(bench: ModuleType, tmp_path: Path) -> None:
    """``--save`` then ``--paired-with``: the same rankings differ by exactly 0; a run that lost one
    answer in ten from first to second place is below the saved one, its interval clear of zero."""
    path = tmp_path / "run.json"
    before = _evaluation(bench, "minutes-search", RANKS)
    bench.save_run([before], path)
    saved = bench.load_run(path)[("minutes-search", "dev")]
    n, same = bench.paired_with_saved(_evaluation(bench, "minutes-search", RANKS), saved, resamples=2000)
    assert n == len(RANKS)
    assert all((i.estimate, i.low, i.high) == (0.0, 0.0, 0.0) for i in same.values())
    _, worse = bench.paired_with_saved(_evaluation(bench, "minutes-search", WORSE), saved, resamples=2000)
    assert worse["mrr"].estimate < 0 and worse["mrr"].high < 0


def test_a_file_that_is_no_saved_run_is_refused(bench: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"results": []}', "utf-8")
    with pytest.raises(ValueError, match="not a saved relevance run"):
        bench.load_run(path)
