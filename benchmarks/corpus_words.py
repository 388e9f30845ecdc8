"""Shared helper: the words of real minutes text.

The corpus sample (``tests/fixtures/corpus/digst-sample.csv``, 474 open-dataset rows) holds the
demo's 290 rows and the 184 held-out rows the relevance benchmark's test part was written on, so
it serves speed benchmarks; a benchmark whose lists are read to write analysis rules
(``conflation.py``) reads ``demo_words``: the open items of the demo data (``data/``) without
the folder that is test text, so no rule is drawn from text the test queries were written on.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access, Item

REPO = Path(__file__).resolve().parents[1]
CORPUS_CSV = REPO / "tests" / "fixtures" / "corpus" / "digst-sample.csv"
DEMO = REPO / "data"
# Demo data that is test text (the relevance benchmark's README names it): left out of demo_words.
TEST_TEXT = (DEMO / "samples" / "firstagenda" / "aarhus-2025",)
WORD = re.compile(r"[^\W\d_]+")


def corpus_texts(path: Path = CORPUS_CSV) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["indhold"] for row in csv.DictReader(handle)]


def corpus_words(path: Path = CORPUS_CSV, min_length: int = 3) -> Counter[str]:
    """Lower-case alphabetic words with their frequencies."""
    words: Counter[str] = Counter()
    for text in corpus_texts(path):
        words.update(w for w in WORD.findall(text.lower()) if len(w) >= min_length)
    return words


def demo_words(min_length: int = 3) -> Counter[str]:
    """The words of the demo's open items (titles, open sections, decisions, open attachments'
    titles and text) with their frequencies, test text left out."""
    words: Counter[str] = Counter()
    for path, module in iter_inputs([DEMO]):
        if module is None or any(path.resolve().is_relative_to(folder.resolve()) for folder in TEST_TEXT):
            continue
        for meeting in module.parse(path, IngestContext()):
            for item in meeting.items:
                if item.is_open:
                    for text in _open_texts(item):
                        words.update(w for w in WORD.findall(text.lower()) if len(w) >= min_length)
    return words


def _open_texts(item: Item) -> Iterator[str]:
    yield item.title
    yield from (section.text for section in item.sections if section.access == Access.OPEN)
    yield from (decision.text for decision in item.decisions)
    for attachment in item.attachments:
        if attachment.is_open:
            yield attachment.title
            yield attachment.text or ""
