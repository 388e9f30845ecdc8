"""Shared helper: the words of the real minutes corpus (tests/fixtures/corpus/digst-sample.csv)."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

CORPUS_CSV = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus" / "digst-sample.csv"


def corpus_texts(path: Path = CORPUS_CSV) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["indhold"] for row in csv.DictReader(handle)]


def corpus_words(path: Path = CORPUS_CSV, min_length: int = 3) -> Counter[str]:
    """Lower-case alphabetic words with their frequencies."""
    words: Counter[str] = Counter()
    for text in corpus_texts(path):
        words.update(w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) >= min_length)
    return words
