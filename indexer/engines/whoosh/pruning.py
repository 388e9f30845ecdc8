"""Whoosh's top-N pruning, corrected for boosted sub-queries.

While collecting the top N, Whoosh's collector asks the matcher tree every few
documents to ``replace`` itself given the lowest score still in the top N: a
sub-matcher whose best possible score cannot lift a document above it is dropped
(a union becomes an intersection or an AndMaybe, a term matcher becomes empty).
A boosted term (``title:vej^3``) is a ``WrappingMatcher`` around the term's own
matcher; its ``max_quality`` and its scores are the child's times the boost, but
its ``replace`` handed the child the threshold unscaled.  A title or decision
term whose unboosted best is below the threshold was then dropped although,
boosted, it could still carry a document into the top N: that document lost
those fields' score and with them its place (issue 14; it showed on some segment
layouts only, because the threshold a segment meets depends on the segments
searched before it).  ``skip_to_quality`` of the same class already divides by
the boost; ``replace`` now does too.  Without pruning (``replace=0``) Whoosh's
results were always right, and bulk matching agrees with those.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import wrappers

_whoosh_replace = wrappers.WrappingMatcher.replace


def _replace_scaled(self: Any, minquality: float = 0) -> Any:
    """``WrappingMatcher.replace`` with the threshold in the child's units: a child
    scoring ``s`` contributes ``s * boost``. Subclasses keep their own behaviour."""
    if type(self) is wrappers.WrappingMatcher and minquality and self.boost > 0:
        minquality = minquality / self.boost
    return _whoosh_replace(self, minquality)


def correct_boosted_pruning() -> None:
    """Install the corrected ``replace`` (idempotent; every searcher in the process uses it)."""
    wrappers.WrappingMatcher.replace = _replace_scaled  # type: ignore[method-assign]
