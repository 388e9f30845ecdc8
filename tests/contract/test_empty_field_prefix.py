"""A field prefix with no value ("udvalg:", "sag:", "titel:") is nothing to search in that field.

"udvalg:" and "sag:" were searched as the words "udvalg" and "sag:" (229 items on the demo) while
"titel:" found nothing; each is now left out, as empty quotes are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.search.service import NOTHING_TO_SEARCH, SearchRequest, SearchService


@pytest.fixture(scope="module")
def service(seeded: str) -> Iterator[SearchService]:
    service = SearchService(seeded)
    yield service
    service.close()


@pytest.mark.parametrize("prefix", ["udvalg:", "sag:", "titel:", "emne:", "kommune:"])
def test_a_field_prefix_with_no_value_is_nothing_to_search(service: SearchService, prefix: str) -> None:
    assert service.search(SearchRequest(q=prefix)).error == NOTHING_TO_SEARCH
    # beside other words it is left out, whichever field it names
    assert service.search(SearchRequest(q=f"sociale medier {prefix}")).total == 2
