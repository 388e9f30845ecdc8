"""Relevance floor: the judged queries must not get worse, and must beat every baseline.

The evaluation is the benchmark's own (benchmarks/relevance.py), so CI measures exactly
what the README table reports.  The floors hold the **test part** (queries written on
held-out text before tuning, never tuned on); they are its measured scores minus a
small margin.  The ``bench`` and ``evaluations`` fixtures are in this folder's conftest.py
(the parity test shares the product's index).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from indexer.search.service import SearchService

# Test part (280 queries, three files), measured 0.930 / 0.973 / 0.928 at the end of round 27, when its third file
# (100 queries on Greve's items, 0.915 / 0.960 / 0.922 alone) joined the 180 of the first two (0.939 / 0.980 / 0.932,
# as in round 26).  Before: 180 queries, 0.921 / 0.975 / 0.931 at the end of round 11 (PostgreSQL 0.917 /
# 0.975 / 0.928)
# (0.918 / 0.973 / 0.928 after round 10, 0.901 / 0.967 / 0.916 after round 9, 0.910 / 0.943 / 0.912 after
# round 8, 0.913 / 0.943 / 0.915 after round 7, 0.902 / 0.932 / 0.904 after round 6, 0.890 / 0.915 / 0.889
# before it; floors were 0.87 / 0.89 / 0.87, then 0.89 / 0.92 / 0.89, then 0.90 / 0.93 / 0.90, then
# 0.89 / 0.95 / 0.90, then 0.905 / 0.96 / 0.915). Each floor is about 0.01 under the measure, as two builds
# can swap items of equal score (since round 27: 0.91 / 0.965 / 0.92 before).
FLOOR = {"mrr": 0.92, "recall": 0.963, "ndcg": 0.918}


def test_query_set_is_large_and_covers_every_category(bench: ModuleType) -> None:
    queries = bench.load_queries()
    assert len(queries) >= 200
    for part in ("dev", "test"):
        in_part = [q for q in queries if q.part == part]
        assert len(in_part) >= 80, part
        assert {q.category for q in in_part} == set(bench.CATEGORIES), part
    assert all(q.grades and set(q.grades.values()) <= {1, 2} for q in queries)
    assert all(2 in q.grades.values() for q in queries), "every query has at least one answer"


def test_an_unknown_judged_item_fails_loudly(bench: ModuleType) -> None:
    names = bench.item_names()
    query = bench.Query("badebro", "inflection", {"digst:00000000-not-there": 2})
    with pytest.raises(bench.JudgementError, match="names 0 items"):
        bench.resolve([query], names)
    shared_title = bench.Query("eventuelt", "inflection", {"digst-demo.csv|Eventuelt": 2})
    with pytest.raises(bench.JudgementError, match=r"names [2-9]\d* items"):
        bench.resolve([shared_title], names)


def test_minutes_search_stays_above_its_floor_on_the_test_part(evaluations: dict[str, object]) -> None:
    scores = evaluations["minutes-search"].part("test").overall()  # type: ignore[attr-defined]
    assert scores.mrr >= FLOOR["mrr"], scores
    assert scores.recall >= FLOOR["recall"], scores
    assert scores.ndcg >= FLOOR["ndcg"], scores


@pytest.mark.parametrize(
    ("part", "baselines"),
    [
        ("dev", ("snowball-plain",)),  # the service's baselines rank the test part alone (conftest)
        ("test", ("snowball", "standard", "snowball-plain")),
    ],
)
def test_minutes_search_beats_every_baseline(
    evaluations: dict[str, object], part: str, baselines: tuple[str, ...]
) -> None:
    ours = evaluations["minutes-search"].part(part).overall()  # type: ignore[attr-defined]
    for baseline in baselines:
        theirs = evaluations[baseline].part(part).overall()  # type: ignore[attr-defined]
        assert theirs.queries == ours.queries, baseline
        assert ours.ndcg > theirs.ndcg, baseline
        assert ours.mrr > theirs.mrr, baseline


def test_the_test_part_stands_well_above_plain_whoosh_with_danish_snowball(evaluations: dict[str, object]) -> None:
    """Issue 16's "0.12 above Snowball-only", held against the plain Whoosh setup (measured at the
    end of round 9: 0.140 MRR and 0.175 recall above it; round 8: 0.149 and 0.151)."""
    ours = evaluations["minutes-search"].part("test").overall()  # type: ignore[attr-defined]
    plain = evaluations["snowball-plain"].part("test").overall()  # type: ignore[attr-defined]
    assert ours.mrr - plain.mrr >= 0.12, (ours, plain)
    assert ours.recall - plain.recall >= 0.12, (ours, plain)


def test_abbreviations_and_council_names_find_the_committee(evaluations: dict[str, object]) -> None:
    by_category = evaluations["minutes-search"].part("dev").by_category()  # type: ignore[attr-defined]
    # 80 dev abbreviation queries since round 8 added 40 harder ones (full names typed for written
    # abbreviations and back): measured 0.913 nDCG (the first 40 alone: 0.958); 0.889 since round 9
    # ranks dev over the demo texts alone (the Greve test documents had defined KL and KOL).
    assert by_category["abbreviation"].ndcg >= 0.88
    results = {r.query.text: r for r in evaluations["minutes-search"].results}  # type: ignore[attr-defined]
    for text in ("TMU vintertjeneste", "byrådet låneoptagelse", "udvalg:kommunalbestyrelsen Trige"):
        assert results[text].reciprocal_rank == 1.0, text


def test_the_plain_baseline_is_whoosh_out_of_the_box(
    bench: ModuleType, evaluations: dict[str, object], relevance_workdir: Path
) -> None:
    """``snowball-plain`` searches the Snowball index through Whoosh's own parser: a misspelt word
    finds nothing there (no "Mente du"), while the Snowball system, sharing our service over the same
    index, shows the correction's results; a query whose words are all written finds its answer."""
    plain = {r.query.text: r for r in evaluations["snowball-plain"].results}  # type: ignore[attr-defined]
    typo = plain["spildevandsplaan"]
    assert typo.query.part == "dev" and typo.ranked == [] and typo.used_suggestion is None
    service = SearchService(relevance_workdir / "dev" / "snowball")  # the index plain Whoosh searched
    try:
        shared = bench.evaluate(service, "snowball", [typo.query], [typo.grades]).results[0]
    finally:
        service.close()
    assert shared.used_suggestion and shared.reciprocal_rank > 0
    assert plain["indsatsprogrammet for vandløb"].reciprocal_rank == 1.0  # every word written: found
