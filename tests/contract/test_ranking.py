"""How a raised clause scores, and what a body abbreviation does, the same on every engine.

``Prefer(required, optional)`` (Whoosh's AndMaybe) matches what ``required`` matches; an
item that also matches ``optional`` as a whole scores the two scores added, any other item
its required score alone. Each engine is held to that rule over real exports, so both rank
a body abbreviation's raised items alike (the engine parity test measures the rest).
"""

from __future__ import annotations

import pytest

from indexer.engines.base import SearchSpec
from indexer.search.query import Node, Prefer, parse
from indexer.search.service import SearchService

EVERYTHING = 10**6


def _scores(service: SearchService, node: Node) -> dict[str, float]:
    found = service.engine.search(SearchSpec(query=node, limit=EVERYTHING, with_facets=False))
    return {hit.item.id: float(hit.score or 0.0) for hit in found.hits}


@pytest.mark.parametrize(
    ("required", "optional"),
    [
        ("vej", "budget trafik"),  # many items match one word of the optional group, fewer both
        ("budget", "udvalg:kommunalbestyrelsen"),  # the raised body of an abbreviation
        ("vej", "budget ELLER skole"),
        ("trafik", '"kollektiv trafik"'),
    ],
)
def test_a_raised_clause_adds_its_score_only_where_it_matches_as_a_whole(
    browsed: SearchService, required: str, optional: str
) -> None:
    required_node, optional_node = parse(required), parse(optional)
    assert required_node is not None and optional_node is not None
    alone = _scores(browsed, required_node)
    raised_by = _scores(browsed, optional_node)
    both = _scores(browsed, Prefer(required_node, optional_node))
    assert set(both) == set(alone) and alone, "the optional part neither adds nor removes items"
    assert set(alone) & set(raised_by) and set(alone) - set(raised_by), "a real mix of raised and not"
    for item_id, score in both.items():
        expected = alone[item_id] + raised_by.get(item_id, 0.0)
        assert score == pytest.approx(expected, rel=1e-6, abs=1e-6), item_id
