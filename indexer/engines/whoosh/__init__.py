"""The embedded default engine: a Whoosh index with our own bulk matching over its posting lists."""

from indexer.engines.whoosh.engine import WhooshEngine

__all__ = ["WhooshEngine"]
