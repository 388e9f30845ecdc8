"""The embedded default engine: a Whoosh index with our own bulk matching over its posting lists."""
