"""One case's treatments with the same text, listed as one result.

A case goes from committee to committee with its case text unchanged ("Rottebekæmpelsesgebyr -
2025" in the Økonomiudvalg, then the Byråd), and a postponed item comes back at the next meeting
("Sagens behandling udsat", then the decision).  Each treatment is an item of its own, and each
matches a query alike, so a page listed them one under the other, pushing every other case down.
A page lists the first (the best ranked) once, with the others under it as ``also_treated``.

Two items are treatments of one case when the same municipality put them on its agendas under the
same title with the same case text: the words of their bodies agree almost wholly (the open
dataset replaces each person's name with another name per document, so the texts are rarely
equal letter for letter), and neither has a case number the other lacks.  A short text
("Dagsordenen godkendes") is no evidence: every meeting's "Godkendelse af dagsorden" holds it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from indexer.engines.base import StoredItem

# The least case text (in words) two items must share to count as one case's treatments, and how
# much of the words of either they must share (the open dataset's replaced names differ).
MIN_CASE_WORDS = 40
SAME_TEXT = 0.9
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CaseText:
    """What says whether two items are treatments of one case."""

    municipality: str
    title: str
    case_key: str
    words: frozenset[str]

    @classmethod
    def of(cls, item: StoredItem) -> CaseText | None:
        """None for an item whose case text is too short to tell (or a closed item, which has none)."""
        if not item.is_open:
            return None
        words = _WORD.findall((item.texts.get("body") or "").casefold())
        if len(words) < MIN_CASE_WORDS:
            return None
        meeting = item.doc.get("meeting") or {}
        return cls(
            municipality=meeting.get("municipality", ""),
            title=_normal(item.title),
            case_key=item.case_key,
            words=frozenset(words),
        )

    def same_case(self, other: CaseText) -> bool:
        if (self.municipality, self.title) != (other.municipality, other.title):
            return False
        if self.case_key and other.case_key and self.case_key != other.case_key:
            return False
        shared = len(self.words & other.words)
        return shared >= SAME_TEXT * max(len(self.words), len(other.words))


def fold_treatments(rows: list[dict[str, Any]], items: Mapping[str, StoredItem]) -> list[dict[str, Any]]:
    """``rows`` with each later treatment of a listed row's case moved under it, as
    ``also_treated`` (its meeting, date and decision): the rows keep their order.  Only rows
    sharing a municipality and a title with another row have their texts compared (``items``:
    each row's stored item), so a page of distinct titles costs no text reading."""
    titled = Counter(_title_key(row) for row in rows)
    texts: dict[str, CaseText | None] = {}

    def text_of(row: dict[str, Any]) -> CaseText | None:
        if row["id"] not in texts:
            item = items.get(row["id"])
            texts[row["id"]] = CaseText.of(item) if item is not None else None
        return texts[row["id"]]

    kept: list[dict[str, Any]] = []
    for row in rows:
        text = text_of(row) if titled[_title_key(row)] > 1 else None
        first = next((k for k in kept if text and _title_key(k) == _title_key(row) and _same(text_of(k), text)), None)
        if first is None:
            kept.append(row)
        else:
            first.setdefault("also_treated", []).append(treatment(row))
    return kept


def _title_key(row: dict[str, Any]) -> tuple[str, str]:
    return row.get("municipality", ""), _normal(row.get("title") or "")


def _normal(title: str) -> str:
    """A title as two treatments' titles are compared: case and spacing aside."""
    return " ".join(title.casefold().split())


def _same(first: CaseText | None, other: CaseText) -> bool:
    return first is not None and first.same_case(other)


# What a treatment listed under another row says: where and when the case was treated, and what was decided.
TREATMENT_FIELDS = (
    "id",
    "committee",
    "meeting_id",
    "meeting_date",
    "date_precision",
    "type",
    "item_number",
    "decision",
)


def treatment(row: dict[str, Any]) -> dict[str, Any]:
    """A folded row as its first row lists it (``TREATMENT_FIELDS`` of its summary)."""
    return {key: row.get(key) for key in TREATMENT_FIELDS}
