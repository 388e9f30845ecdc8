"""A meeting known only to its year is held by a date range that meets that year, on every engine.

The open dataset's rows name only the year (``skabt``) of two 2016 meetings of Teknik- og
Miljøudvalget whose text prints no date (40 items of tests/fixtures/corpus/digst-sample.csv, the
same rows as data/digst/digst-demo.csv).  Such a meeting is dated 1 January for sorting and
shown as "2016"; the date filters read it as that 1 January: ``from=2016-06-01&to=2016-12-31``
left all 40 out and ``to=2016-01-01`` listed them.  Now a range holds such a meeting when it
meets its year (``engines.base.Filters``), as the year facet 2016 does.
"""

from __future__ import annotations

from datetime import date

import pytest

from indexer.engines.base import Filters, SearchSpec
from indexer.search.service import SearchRequest, SearchService

EVERYTHING = 10**6


def _ids(service: SearchService, filters: Filters) -> set[str]:
    found = service.engine.search(SearchSpec(filters=filters, limit=EVERYTHING, with_facets=False))
    return {hit.item.id for hit in found.hits}


def _by_precision(service: SearchService) -> tuple[set[str], dict[str, date]]:
    """The open items known only to their year, and the others' meeting days."""
    year_only: set[str] = set()
    days: dict[str, date] = {}
    for item in service.engine.iter_items():
        meeting = item.doc.get("meeting") or {}
        if not item.is_open or not meeting.get("start"):
            continue
        if meeting.get("date_precision") == "year":
            year_only.add(item.id)
        else:
            days[item.id] = date.fromisoformat(str(meeting["start"])[:10])
    return year_only, days


@pytest.mark.parametrize(
    ("date_from", "date_to", "held"),
    [
        (date(2016, 6, 1), date(2016, 12, 31), True),  # left out before: read as 1 January
        (date(2016, 2, 1), None, True),
        (date(2016, 12, 31), date(2016, 12, 31), True),
        (None, date(2016, 1, 1), True),
        (date(2015, 7, 1), date(2016, 3, 31), True),
        (date(2015, 1, 1), date(2015, 12, 31), False),
        (date(2017, 1, 1), None, False),
        (None, date(2015, 12, 31), False),
    ],
)
def test_a_range_holds_a_year_only_meeting_when_it_meets_that_year(
    browsed: SearchService, date_from: date | None, date_to: date | None, held: bool
) -> None:
    year_only, days = _by_precision(browsed)
    assert len(year_only) == 40  # the two undated 2016 meetings of the open-dataset rows
    found = _ids(browsed, Filters(date_from=date_from, date_to=date_to))
    assert (year_only <= found) is held and (not year_only & found) is (not held)
    # an item dated to the day is held by its day alone, as before
    expected = {i for i, day in days.items() if (not date_from or day >= date_from) and (not date_to or day <= date_to)}
    assert found - year_only == expected


def test_a_whole_year_range_is_the_year_facet(browsed: SearchService) -> None:
    year_only, _ = _by_precision(browsed)
    whole_year = _ids(browsed, Filters(date_from=date(2016, 1, 1), date_to=date(2016, 12, 31)))
    assert year_only <= whole_year == _ids(browsed, Filters(year=("2016",)))


def test_the_search_page_counts_them_in_a_range_and_shows_the_year(browsed: SearchService) -> None:
    year_only, days = _by_precision(browsed)
    request = SearchRequest(q="", date_from=date(2016, 6, 1), date_to=date(2016, 12, 31), per_page=100, sort="oldest")
    response = browsed.search(request)
    in_range = {i for i, day in days.items() if date(2016, 6, 1) <= day <= date(2016, 12, 31)}
    assert response.total == len(in_range) + len(year_only)
    assert sum(v["count"] for v in response.facets["year"]) == response.total
    # oldest first, they come first (their year's start), shown as the year alone
    first = response.results[: len(year_only)]
    assert {r["id"] for r in first} == year_only
    assert {(r["meeting_date"], r["date_precision"]) for r in first} == {("2016", "year")}
