"""How well does the topic classifier place real agenda items?

Hand labels (each item read and given its KLE main group by a person; "" = no
subject can be told), in three sets:

- corpus rows (tests/topics/labels.jsonl),
- every open item of the format samples (tests/topics/sample_labels.jsonl),
- Greve FirstAgenda items (tests/topics/greve_labels.jsonl): text nobody tuned on.

Every label carries ``split``: "dev" (may be looked at, trained and tuned on) or
"test" (never looked at while tuning), fixed before any tuning by the item id's
hash (``label_split``).  Figures: top-1 accuracy of the text classifier with case
numbers not used and KLE journal numbers hidden ("no topic" counts as wrong),
coverage (share given a topic), precision on the covered.  Also: the corpus rows
filed under a KLE journal number, number hidden (the learned model trains on these,
so for it this is a training-set figure).

Run:  .venv/bin/python benchmarks/topics_eval.py [--keywords] [-v]
      (--keywords: the hand keyword table alone, without the learned model)
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access, Item, Section, SectionKind
from indexer.topics import MARKED_KLE, TopicClassifier, kle_numbers_in_text

REPO = Path(__file__).resolve().parents[1]
CORPUS_CSV = REPO / "tests" / "fixtures" / "corpus" / "digst-sample.csv"
SAMPLES = REPO / "data" / "samples"
LABELS = REPO / "tests" / "topics" / "labels.jsonl"
SAMPLE_LABELS = REPO / "tests" / "topics" / "sample_labels.jsonl"
GREVE_LABELS = REPO / "tests" / "topics" / "greve_labels.jsonl"
GREVE = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
SPLITS = ("dev", "test")
# The accuracy's bootstrap: as many resamples as the search figures' (benchmarks/relevance.py), a fixed seed.
RESAMPLES = 10_000
SEED = 20261205

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
    sections = [Section(heading="Sagsfremstilling", text=body, access=Access.OPEN)]
    if decision.strip():
        sections.append(Section(heading="Beslutning", text=decision, kind=SectionKind.DECISION, access=Access.OPEN))
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
        sections=[Section(s.heading, blank(s.text), kind=s.kind, access=s.access) for s in item.sections],
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
    outcomes: list[bool] = field(default_factory=list)  # per labelled item, in order: right or not

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
        right = bool(predicted) and predicted[0] == label
        self.outcomes.append(right)
        if right:
            self.correct += 1
        else:
            guess = predicted[0] if predicted else "--"
            self.confusions[(label, guess)] += 1
            self.misses.append((title, label, guess))

    def interval(self, resamples: int = RESAMPLES, seed: int = SEED) -> tuple[float, float]:
        """A 95 % percentile bootstrap interval of the accuracy: the labelled items drawn again
        with replacement ``resamples`` times (how far a figure on a few hundred items may be off)."""
        if not self.outcomes:
            return (0.0, 0.0)
        rng = np.random.default_rng(seed)
        right = np.asarray(self.outcomes, dtype=np.float64)
        means = right[rng.integers(0, len(right), size=(resamples, len(right)))].mean(axis=1)
        low, high = np.percentile(means, [2.5, 97.5])
        return float(low), float(high)

    def report(self) -> str:
        low, high = self.interval()
        lines = [
            f"{self.name}: {self.total} items with a main group",
            f"  top-1 accuracy  {self.accuracy:6.1%}  ({self.correct}/{self.total}; no topic counts as wrong)",
            f"  95% interval    [{low:.1%}, {high:.1%}]  (bootstrap of the items, {RESAMPLES:,} resamples)",
            f"  coverage        {self.coverage:6.1%}  ({self.covered}/{self.total} given a topic)",
            f"  precision       {self.precision:6.1%}  (correct among covered)",
        ]
        if self.unlabelled:
            lines.append(f"  no-subject items left without topic: {self.abstained_on_unlabelled}/{self.unlabelled}")
        return "\n".join(lines)


def label_split(identifier: str) -> str:
    """The part a label belongs to, fixed by its id when labelled (a label's ``labelled_id`` where the
    item's id changed since): even first 32 bits of sha256 → test."""
    return "test" if int(hashlib.sha256(identifier.encode()).hexdigest()[:8], 16) % 2 == 0 else "dev"


def load_labels(path: Path = LABELS) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def parsed_items(root: Path, key: str = "id") -> dict[str, tuple[Item, str]]:
    """Every open item under ``root``, parsed as ingest parses it: key → (item, committee)."""
    found: dict[str, tuple[Item, str]] = {}
    for path, module in iter_inputs([root]):
        # Items split out of whole-meeting documents (the Aarhus referat PDF) have no hand labels yet.
        if module is None or module.NAME == "document":
            continue
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            for item in meeting.items:
                if item.access == Access.OPEN:
                    found[str(getattr(item, key))] = (item, meeting.committee)
    return found


def sample_items(root: Path = SAMPLES) -> dict[str, tuple[Item, str]]:
    """Every open item of the format samples: id → (item, committee)."""
    return parsed_items(root)


def greve_items(root: Path = GREVE) -> dict[str, tuple[Item, str]]:
    """Every open Greve item: FirstAgenda item id (the API's ``Id``) → (item, committee)."""
    return parsed_items(root, key="source_key")


@dataclass
class Example:
    """One hand-labelled item, KLE journal numbers hidden."""

    source: str  # "corpus", "samples", "greve" or "kle" (filed under a journal number)
    identifier: str
    item: Item
    committee: str
    label: str
    split: str


def labelled_examples() -> list[Example]:
    """Every hand label with its item (numbers hidden), in file order."""
    examples: list[Example] = []
    rows = dict(corpus_rows())
    for label in load_labels(LABELS):
        item = hide_kle_numbers(row_item(label["id"], rows[label["id"]]))
        examples.append(Example("corpus", label["id"], item, "", label["label"], label["split"]))
    samples = sample_items()
    for label in load_labels(SAMPLE_LABELS):
        item, committee = samples[label["id"]]
        examples.append(
            Example("samples", label["id"], hide_kle_numbers(item), committee, label["label"], label["split"])
        )
    greve = greve_items()
    for label in load_labels(GREVE_LABELS):
        item, committee = greve[label["id"]]
        examples.append(
            Example("greve", label["id"], hide_kle_numbers(item), committee, label["label"], label["split"])
        )
    return examples


def kle_examples() -> list[Example]:
    """Corpus rows filed under a KLE journal number: the number is the label, then hidden."""
    examples = []
    for identifier, text in corpus_rows():
        numbers = kle_numbers_in_text(text)
        if numbers:
            hidden = hide_kle_numbers(row_item(identifier, text))
            assert not any(kle_numbers_in_text(s.text) for s in hidden.sections)
            examples.append(Example("kle", identifier, hidden, "", numbers[0][:2], "train"))
    return examples


def evaluate(classifier: TopicClassifier, examples: list[Example], name: str, predict: object = None) -> Evaluation:
    """Top-1 of the classifier on the examples (case numbers not used)."""
    result = Evaluation(name)
    for example in examples:
        if callable(predict):
            codes = predict(example)
        else:
            topics = classifier.classify(example.item, committee=example.committee, use_case_number=False)
            codes = [t.code for t in topics]
        result.add(example.item.title, example.label, codes)
    return result


SETS = {"corpus": "corpus rows", "samples": "format samples", "greve": "Greve FirstAgenda items"}


def evaluate_split(classifier: TopicClassifier | None = None, split: str = "test") -> dict[str, Evaluation]:
    """Figures per set and for all sets together, on one part of the hand labels."""
    classifier = classifier or TopicClassifier()
    examples = [e for e in labelled_examples() if e.split == split]
    results = {
        key: evaluate(classifier, [e for e in examples if e.source == key], f"{name}, {split}")
        for key, name in SETS.items()
    }
    results["all"] = evaluate(classifier, examples, f"all hand labels, {split}")
    return results


def evaluate_hidden_kle(classifier: TopicClassifier | None = None) -> Evaluation:
    """Items filed under a KLE number: hide it, classify the text, compare main groups."""
    classifier = classifier or TopicClassifier()
    return evaluate(classifier, kle_examples(), "items with a KLE journal number (number hidden)")


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    classifier = TopicClassifier(use_model="--keywords" not in argv)
    model = classifier.model
    print(
        f"classifier: {'learned model ' + str(model.trained_on.get('command', '')) if model else 'hand keyword table'}"
    )
    evaluations = []
    if model is not None:
        print("(the model is trained on the dev part: its dev figures here are training figures;")
        print(" benchmarks/train_topics.py prints the cross-validated dev figures)")
    for split in SPLITS:
        results = evaluate_split(classifier, split)
        evaluations += [results["all"], results["corpus"], results["samples"], results["greve"]]
    evaluations.append(evaluate_hidden_kle(classifier))
    for evaluation in evaluations:
        print(evaluation.report())
        if verbose and "test" not in evaluation.name:  # the test part's failures stay unread
            for (label, guess), n in evaluation.confusions.most_common(15):
                print(f"    {label} → {guess}: {n}")
            for title, label, guess in evaluation.misses:
                print(f"    miss {label}→{guess}: {title[:90]}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
