"""Whoosh's AND NOT, with its first document checked.

``AndNotMatcher`` (``a`` without what ``b`` matches) looked at ``b`` only when ``b`` already
stood on ``a``'s first document: when ``b`` started before it (a document ``a`` does not match),
``b`` was not moved on, and ``a``'s first document was kept although ``b`` matched it too.  Every
later document was checked (``next`` and ``skip_to`` move ``b`` on).  So "motorvejen råstoffer
IKKE rundkørslen" kept the one item holding all three when an item holding "rundkørslen" came
before it, and the near answers of a search (the items holding most of the words, without those
already listed: ``And(..., Not(...))``) listed an item a second time.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import binary


def _find_first(self: Any) -> None:
    """Move ``b`` to ``a``'s first document, and ``a`` past every document ``b`` matches
    (``_find_next`` does both; it returns at once when ``b`` is done)."""
    if self.a.is_active():
        self._find_next()


def correct_and_not_first() -> None:
    """Install the corrected first step (idempotent; every searcher in the process uses it)."""
    binary.AndNotMatcher._find_first = _find_first  # type: ignore[method-assign]
