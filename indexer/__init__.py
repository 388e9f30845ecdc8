"""minutes-search: search and archive for Danish municipal committee minutes."""

__version__ = "0.1.0"
