"""The embedded default engine: a Whoosh index with our own bulk matching over its posting lists."""

from indexer.engines.whoosh.andnot import correct_and_not_first
from indexer.engines.whoosh.pruning import correct_boosted_pruning

correct_boosted_pruning()  # before any search: Whoosh's pruning dropped boosted terms (pruning.py)
correct_and_not_first()  # and its AND NOT kept the first document of a (andnot.py)

from indexer.engines.whoosh.engine import WhooshEngine  # noqa: E402

__all__ = ["WhooshEngine"]
