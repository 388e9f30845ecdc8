"""How well does the topic classifier place real agenda items?

Two independent measures on real items:

1. Hand-labelled set: corpus rows (tests/topics/labels.jsonl) and every open
   item of the format samples (tests/topics/sample_labels.jsonl), each read and
   given its KLE main group by a person ("" = no subject can be told).  We report
   top-1 accuracy of the text classifier, its coverage (share of items given a
   topic) and its precision on the items it does cover, for both sources
   together and for the samples alone.
2. Items that carry a KLE journal number ("J.nr.: 05.01.08"): the number is
   hidden, the item is classified from its text alone, and the main group is
   compared with the one the municipality filed it under.

Run:  .venv/bin/python benchmarks/topics_eval.py
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access, Item, Section, SectionKind
from indexer.topics import MARKED_KLE, TopicClassifier, kle_numbers_in_text

REPO = Path(__file__).resolve().parents[1]
CORPUS_CSV = REPO / "tests" / "fixtures" / "corpus" / "digst-sample.csv"
SAMPLES = REPO / "data" / "samples"
LABELS = REPO / "tests" / "topics" / "labels.jsonl"
SAMPLE_LABELS = REPO / "tests" / "topics" / "sample_labels.jsonl"

csv.field_size_limit(1 << 30)


# --------------------------------------------------------------------------
# A minimal reader for the corpus rows (one agenda item per row).  It only
# needs to find the title, the decision and the rest of the text.

_DECISION_HEADINGS = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?(BESLUTNING|Beslutning)\b.*$", re.MULTILINE)
_NEXT_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?:\*\*)?(?:Sagens forløb|RESUMÉ|Resumé|INDSTILLING|Indstilling|SAGENS INDHOLD|Sagsfremstilling)\b",
    re.MULTILINE,
)


def row_title(text: str) -> str:
    """The item's title as the row prints it; for rows that open with the decision,
    the one-line purpose that precedes the summary."""
    stripped = text.lstrip()
    m = re.match(r"###\s*\|.*?\|\s*\d+\.\s+(.+?)\s+-\s+(?:Åbent|Lukket)", stripped, re.S)
    if m:
        return " ".join(m.group(1).split())
    m = re.match(r"###\s*\d+\.\s+(.+)", stripped)
    if m:
        return m.group(1).replace("**Åbent**", "").strip()
    if stripped.startswith("### Beslutning"):
        head = stripped.split("### Resumé")[0] if "### Resumé" in stripped else ""
        paragraphs = [p.strip() for p in head.splitlines() if p.strip() and not p.startswith("#")]
        return paragraphs[-1] if len(paragraphs) > 1 else ""
    lines: list[str] = []
    for line in stripped.splitlines():
        if line.strip() in ("BESLUTNING", "Sagsfremstilling") or len(lines) > 2:
            break
        lines.append(line.strip())
    return " ".join(lines)


def row_item(identifier: str, text: str) -> Item:
    """One corpus row as an Item: title, decision section, body section."""
    title = row_title(text)
    decision = ""
    body = text
    m = _DECISION_HEADINGS.search(text)
    if m:
        rest = text[m.end() :]
        end = _NEXT_HEADING.search(rest)
        decision = rest[: end.start()] if end else rest
        body = text[: m.start()] + (rest[end.start() :] if end else "")
    body = body.split("Sagens forløb")[0]  # case history repeats earlier decisions
    sections = [Section(heading="Sagsfremstilling", text=body)]
    if decision.strip():
        sections.append(Section(heading="Beslutning", text=decision, kind=SectionKind.DECISION))
    return Item(number="", title=title, access=Access.OPEN, sections=sections, source_key=identifier)


def corpus_rows(path: Path = CORPUS_CSV) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row["identifikator"], row["indhold"]


def hide_kle_numbers(item: Item) -> Item:
    """The same item with every KLE journal number blanked out of its text."""

    def blank(text: str) -> str:
        text = MARKED_KLE.sub(" ", text)
        for number in kle_numbers_in_text(text):
            text = text.replace(number, " ")
        return text

    return Item(
        number=item.number,
        title=blank(item.title),
        access=item.access,
        sections=[Section(s.heading, blank(s.text), kind=s.kind) for s in item.sections],
        source_key=item.source_key,
    )


# --------------------------------------------------------------------------
# Measures


@dataclass
class Evaluation:
    name: str
    total: int = 0  # items with a label (a main group)
    unlabelled: int = 0  # items labelled "no subject"
    covered: int = 0  # labelled items given a topic
    correct: int = 0  # labelled items whose top topic is the label
    abstained_on_unlabelled: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # title, label, predicted

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def coverage(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.covered if self.covered else 0.0

    def add(self, title: str, label: str, predicted: list[str]) -> None:
        if not label:
            self.unlabelled += 1
            self.abstained_on_unlabelled += not predicted
            return
        self.total += 1
        if predicted:
            self.covered += 1
        if predicted and predicted[0] == label:
            self.correct += 1
        else:
            guess = predicted[0] if predicted else "--"
            self.confusions[(label, guess)] += 1
            self.misses.append((title, label, guess))

    def report(self) -> str:
        lines = [
            f"{self.name}: {self.total} items with a main group",
            f"  top-1 accuracy  {self.accuracy:6.1%}  ({self.correct}/{self.total}; no topic counts as wrong)",
            f"  coverage        {self.coverage:6.1%}  ({self.covered}/{self.total} given a topic)",
            f"  precision       {self.precision:6.1%}  (correct among covered)",
        ]
        if self.unlabelled:
            lines.append(f"  no-subject items left without topic: {self.abstained_on_unlabelled}/{self.unlabelled}")
        return "\n".join(lines)


def load_labels(path: Path = LABELS) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_items(root: Path = SAMPLES) -> dict[str, tuple[Item, str]]:
    """Every open item of the format samples, parsed as ingest parses them: id → (item, committee)."""
    found: dict[str, tuple[Item, str]] = {}
    for path, module in iter_inputs([root]):
        # Items split out of whole-meeting documents (the Aarhus referat PDF) have no hand labels yet.
        if module is None or module.NAME == "document":
            continue
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            for item in meeting.items:
                if item.access == Access.OPEN:
                    found[item.id] = (item, meeting.committee)
    return found


def evaluate_samples(classifier: TopicClassifier | None = None) -> Evaluation:
    """Text classifier against the hand labels of the format samples' items."""
    classifier = classifier or TopicClassifier()
    items = sample_items()
    result = Evaluation("hand-labelled format samples")
    for label in load_labels(SAMPLE_LABELS):
        item, committee = items[label["id"]]
        topics = classifier.classify(hide_kle_numbers(item), committee=committee, use_case_number=False)
        result.add(item.title, label["label"], [t.code for t in topics])
    return result


def evaluate_corpus(classifier: TopicClassifier | None = None) -> Evaluation:
    """Text classifier against the hand labels of corpus rows (case numbers not used)."""
    classifier = classifier or TopicClassifier()
    rows = dict(corpus_rows())
    result = Evaluation("hand-labelled corpus rows")
    for label in load_labels():
        item = row_item(label["id"], rows[label["id"]])
        topics = classifier.classify(hide_kle_numbers(item), committee="", use_case_number=False)
        result.add(item.title, label["label"], [t.code for t in topics])
    return result


def evaluate_labelled(classifier: TopicClassifier | None = None) -> Evaluation:
    """The whole hand-labelled set: corpus rows and format samples together."""
    classifier = classifier or TopicClassifier()
    result = Evaluation("hand-labelled set (corpus rows and format samples)")
    for part in (evaluate_corpus(classifier), evaluate_samples(classifier)):
        result.total += part.total
        result.unlabelled += part.unlabelled
        result.covered += part.covered
        result.correct += part.correct
        result.abstained_on_unlabelled += part.abstained_on_unlabelled
        result.confusions.update(part.confusions)
        result.misses += part.misses
    return result


def evaluate_hidden_kle(classifier: TopicClassifier | None = None) -> Evaluation:
    """Items filed under a KLE number: hide it, classify the text, compare main groups."""
    classifier = classifier or TopicClassifier()
    result = Evaluation("items with a KLE journal number (number hidden)")
    for identifier, text in corpus_rows():
        numbers = kle_numbers_in_text(text)
        if not numbers:
            continue
        item = row_item(identifier, text)
        hidden = hide_kle_numbers(item)
        assert not any(kle_numbers_in_text(s.text) for s in hidden.sections)
        topics = classifier.classify(hidden, committee="", use_case_number=False)
        result.add(item.title, numbers[0][:2], [t.code for t in topics])
    return result


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    for evaluation in (evaluate_labelled(), evaluate_samples(), evaluate_hidden_kle()):
        print(evaluation.report())
        if verbose:
            for (label, guess), n in evaluation.confusions.most_common(15):
                print(f"    {label} → {guess}: {n}")
            for title, label, guess in evaluation.misses:
                print(f"    miss {label}→{guess}: {title[:90]}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
