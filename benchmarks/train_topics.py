"""Train the topic model shipped in indexer/resources/topics-model.json.gz.

    .venv/bin/python benchmarks/train_topics.py            # choose on dev, train, write the model
    .venv/bin/python benchmarks/train_topics.py --check    # retrain and compare with the shipped file

Training data, all from the repository:

- corpus rows filed under a KLE journal number ("J.nr.: 05.01.08"): they label
  themselves; the number is hidden from the text before features are taken;
- the dev part of the hand labels (corpus rows, format samples, Greve items),
  "" (no subject) as a class of its own, so the model learns to abstain.

The test part of the hand labels is never read here except by ``--report``, which
prints its figures once the choice is made.  The choice — regularisation, whether
the hand keyword table's evidence is an input per group, the weight it gets shared by
every group, the probability under which an item gets no topic — is made on the dev
labels alone, two ways: 5-fold cross-validation (the KLE rows always train) and
*unseen municipality*: each municipality's dev labels (the format samples and the Greve
items each as one) predicted by a model trained without any of its items, which is how
the classifier meets minutes of a municipality nobody labelled.  The choice is the best
unseen-municipality accuracy with at least 95 % coverage both ways, then the best
cross-validated one.

scikit-learn's multinomial logistic regression fits the weights; the runtime only
reads the JSON (numpy), so scikit-learn is needed for training, not for ingest.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.topics_eval import CORPUS_CSV, Evaluation, Example, kle_examples, labelled_examples  # noqa: E402
from indexer import topics  # noqa: E402

COMMAND = "benchmarks/train_topics.py"
C_VALUES = (4.0, 16.0, 64.0, 256.0)
KEYWORD_WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
MIN_COVERAGE = 0.95
FOLDS = 5


@dataclass(frozen=True)
class Choice:
    c: float
    keywords: bool
    keyword_weight: float
    threshold: float

    @classmethod
    def of(cls, model: topics.TopicModel) -> Choice:
        """The choice a trained model was made with."""
        return cls(float(str(model.trained_on["c"])), model.uses_keywords, model.keyword_weight, model.threshold)


@dataclass(frozen=True)
class Figures:
    """A choice's accuracy and coverage on dev: cross-validated, and on unseen municipalities."""

    folds: tuple[float, float]
    unseen: tuple[float, float]


def keyword_totals(examples: Sequence[Example]) -> list[dict[str, float]]:
    """The keyword table's evidence per group of each example, as the classifier reads it."""
    classifier = topics.TopicClassifier(use_model=False)
    return [classifier.evidence(topics.ItemWords.of(e.item)).totals() for e in examples]


@functools.cache
def _corpus_municipalities() -> dict[str, str]:
    """Corpus row identifier → its meeting's municipality, as the digst reader finds it."""
    from indexer.formats import IngestContext, digst

    found = {}
    for meeting in digst.parse(CORPUS_CSV, IngestContext()):
        for item in meeting.items:
            found[item.source_key or ""] = meeting.municipality or "?"
    return found


def municipality_group(example: Example) -> str:
    """What is held out together in the unseen-municipality figures: a corpus row's
    municipality; the format samples as one, the Greve items as one."""
    if example.source in ("corpus", "kle"):
        return _corpus_municipalities().get(example.identifier.rsplit("_", 1)[-1], "?")
    return example.source


def features_of(examples: Sequence[Example], keywords: bool) -> list[dict[str, float]]:
    classifier = topics.TopicClassifier(use_model=False)
    out = []
    for example in examples:
        words = topics.ItemWords.of(example.item)
        scores = classifier.evidence(words).totals() if keywords else None
        out.append(topics.model_features(words, example.committee, scores))
    return out


def fit(features: list[dict[str, float]], labels: list[str], c: float):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(features)
    model = LogisticRegression(C=c, max_iter=1000, tol=1e-4)
    model.fit(matrix, labels)
    return vectorizer, model


def to_topic_model(
    vectorizer, model, threshold: float, keywords: bool, trained_on: dict[str, object]
) -> topics.TopicModel:  # type: ignore[no-untyped-def]
    """The fitted model as the runtime reads it, every KLE main group a class: a group no
    training label shows gets no word weights and the median intercept of the groups that
    have labels, so its keyword evidence (the shared weight) can still name it; and "no
    subject" a class, where an item without evidence goes (``TopicModel._without_evidence``)."""
    names = vectorizer.get_feature_names_out()
    classes = [str(c) for c in model.classes_]
    weights = np.asarray(model.coef_.T, dtype=np.float32)  # (features, classes)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    unlabelled = [group for group in topics.TOPIC_NAMES if group not in classes]
    labelled = [value for code, value in zip(classes, intercept.tolist(), strict=True) if code]
    priors = [float(np.median(labelled))] * len(unlabelled)
    if "" not in classes:
        # No label said "no subject" (the KLE rows alone): the class is still there for an item
        # without evidence, and never wins on its prior.
        unlabelled.append("")
        priors.append(min(labelled))
    if unlabelled:
        classes += unlabelled
        weights = np.hstack([weights, np.zeros((len(names), len(unlabelled)), dtype=np.float32)])
        intercept = np.concatenate([intercept, np.asarray(priors, dtype=np.float32)])
    return topics.TopicModel(
        classes=classes,
        features={str(name): i for i, name in enumerate(names)},
        weights=weights,
        intercept=intercept,
        threshold=threshold,
        uses_keywords=keywords,
        trained_on=trained_on,
    )


def predictions(
    model: topics.TopicModel, features: list[dict[str, float]], totals: list[dict[str, float]]
) -> list[tuple[str, float]]:
    out = []
    for row, scores in zip(features, totals, strict=True):
        p = model.probabilities(row, scores)
        best = int(np.argmax(p))
        out.append((model.classes[best], float(p[best])))
    return out


def score(predicted: list[tuple[str, float]], labels: list[str], threshold: float) -> tuple[float, float]:
    """Accuracy and coverage over the items that have a main group."""
    total = correct = covered = 0
    for (code, p), label in zip(predicted, labels, strict=True):
        if not label:
            continue
        total += 1
        given = code != "" and p >= threshold
        covered += given
        correct += given and code == label
    return (correct / total, covered / total) if total else (0.0, 0.0)


def fold_of(example: Example) -> int:
    return int(topics_hash(example.identifier), 16) % FOLDS


def topics_hash(identifier: str) -> str:
    import hashlib

    return hashlib.sha256(("fold:" + identifier).encode()).hexdigest()[:8]


def held_out_models(
    kle: list[Example],
    dev: list[Example],
    features: tuple[list[dict[str, float]], list[dict[str, float]]],
    keywords: bool,
    c: float,
) -> Iterator[tuple[str, list[int], topics.TopicModel]]:
    """(how, dev indexes held out, a model trained without them): the five folds, then each
    municipality unseen (its KLE rows left out of training too). ``features``: of the KLE rows
    and of the dev labels, as ``features_of(..., keywords)`` gives them."""
    kle_features, dev_features = features
    splits: list[tuple[str, list[bool], list[bool]]] = []
    for fold in range(FOLDS):
        splits.append(("folds", [fold_of(e) == fold for e in dev], [False] * len(kle)))
    for group in sorted({municipality_group(e) for e in dev}):
        splits.append(
            ("unseen", [municipality_group(e) == group for e in dev], [municipality_group(e) == group for e in kle])
        )
    for how, held_dev, held_kle in splits:
        train_kle = [i for i, held in enumerate(held_kle) if not held]
        train_dev = [i for i, held in enumerate(held_dev) if not held]
        vectorizer, model = fit(
            [kle_features[i] for i in train_kle] + [dev_features[i] for i in train_dev],
            [kle[i].label for i in train_kle] + [dev[i].label for i in train_dev],
            c,
        )
        yield how, [i for i, held in enumerate(held_dev) if held], to_topic_model(vectorizer, model, 0.0, keywords, {})


def cross_validate(kle: list[Example], dev: list[Example]) -> dict[Choice, Figures]:
    results: dict[Choice, Figures] = {}
    labels = [e.label for e in dev]
    totals = keyword_totals(dev)
    for keywords in (False, True):
        kle_features, dev_features = features_of(kle, keywords), features_of(dev, keywords)
        for c in C_VALUES:
            predicted: dict[tuple[str, float], list[tuple[str, float]]] = {}
            for how, held, model in held_out_models(kle, dev, (kle_features, dev_features), keywords, c):
                for weight in KEYWORD_WEIGHTS:
                    model.keyword_weight = weight
                    found = predicted.setdefault((how, weight), [("", 0.0)] * len(dev))
                    for i, p in zip(
                        held,
                        predictions(model, [dev_features[i] for i in held], [totals[i] for i in held]),
                        strict=True,
                    ):
                        found[i] = p
            for weight, threshold in itertools.product(KEYWORD_WEIGHTS, THRESHOLDS):
                results[Choice(c, keywords, weight, threshold)] = Figures(
                    score(predicted["folds", weight], labels, threshold),
                    score(predicted["unseen", weight], labels, threshold),
                )
            sys.stderr.write(f"cross-validated keywords={keywords} C={c}\n")
    return results


def choose(results: dict[Choice, Figures]) -> Choice:
    eligible = {
        k: v for k, v in results.items() if v.folds[1] >= MIN_COVERAGE and v.unseen[1] >= MIN_COVERAGE
    } or results
    # Best on unseen municipalities, then cross-validated; on a tie the simpler model (no
    # keyword features per group), the stronger regularisation, the smaller shared weight.
    return max(
        eligible,
        key=lambda k: (
            round(eligible[k].unseen[0], 4),
            round(eligible[k].folds[0], 4),
            not k.keywords,
            -k.c,
            -k.keyword_weight,
            k.threshold,
        ),
    )


# The choice shipped before the shared weight: the keyword evidence as features per group only.
ROUND_25_CHOICE = Choice(c=64.0, keywords=True, keyword_weight=0.0, threshold=0.2)


def unseen_municipality_figures(
    choice: Choice, kle: list[Example], dev: list[Example], test: list[Example]
) -> tuple[float, float]:
    """The test part as a municipality nobody labelled meets the classifier: each municipality's
    test items predicted by the choice trained without any of its items (dev or KLE rows)."""
    predicted: list[tuple[str, float]] = [("", 0.0)] * len(test)
    totals = keyword_totals(test)
    for group in sorted({municipality_group(e) for e in test}):
        model = train(
            choice,
            [e for e in kle if municipality_group(e) != group],
            [e for e in dev if municipality_group(e) != group],
        )
        held = [i for i, e in enumerate(test) if municipality_group(e) == group]
        features = features_of([test[i] for i in held], model.uses_keywords)
        for i, p in zip(held, predictions(model, features, [totals[i] for i in held]), strict=True):
            predicted[i] = p
    return score(predicted, [e.label for e in test], choice.threshold)


def train(choice: Choice, kle: list[Example], dev: list[Example]) -> topics.TopicModel:
    examples = kle + dev
    vectorizer, model = fit(features_of(examples, choice.keywords), [e.label for e in examples], choice.c)
    trained_on = {
        "command": COMMAND,
        "kle_rows": len(kle),
        "dev_labels": len(dev),
        "c": choice.c,
    }
    topic_model = to_topic_model(vectorizer, model, choice.threshold, choice.keywords, trained_on)
    topic_model.keyword_weight = choice.keyword_weight
    return topic_model


def check(path: Path, kle: list[Example], dev: list[Example]) -> int:
    """Retrain with the shipped model's own choice; the file must come out byte for byte."""
    shipped = topics.TopicModel.load(path)
    choice = Choice.of(shipped)
    fresh = path.with_suffix(".check.json")
    train(choice, kle, dev).save(fresh)
    same = topics.model_text(fresh) == topics.model_text(path)  # the JSON, whatever compresses it
    fresh.unlink()
    print("shipped model reproduced" if same else "shipped model differs from a fresh training")
    return 0 if same else 1


SECOND_READER = REPO / "tests" / "topics" / "second_reader.jsonl"


def agreement(kle: list[Example], dev: list[Example], choice: Choice) -> None:
    """How often two readers agree, on 150 dev items read again blind by a second reader (who
    saw the other dev labels for the conventions, none of these items' labels, nothing of the
    model): the ceiling a label set can show a classifier's accuracy against.  Beside it the
    model's cross-validated accuracy (``choice``, 5 folds) on the same items, against each reader."""
    import json

    second = {
        row["id"]: row["label"] for row in map(json.loads, SECOND_READER.read_text(encoding="utf-8").splitlines())
    }
    labels = [e.label for e in dev]
    totals = keyword_totals(dev)
    features = features_of(kle, choice.keywords), features_of(dev, choice.keywords)
    predicted: list[str] = [""] * len(dev)
    for how, held, model in held_out_models(kle, dev, features, choice.keywords, choice.c):
        if how != "folds":
            continue
        model.keyword_weight = choice.keyword_weight
        found = predictions(model, [features[1][i] for i in held], [totals[i] for i in held])
        for i, (code, p) in zip(held, found, strict=True):
            predicted[i] = code if p >= choice.threshold else ""
    read_twice = [i for i, e in enumerate(dev) if e.identifier in second]
    figures = {
        "second reader against the first": [(labels[i], second[dev[i].identifier]) for i in read_twice],
        "model against the first reader": [(labels[i], predicted[i]) for i in read_twice],
        "model against the second reader": [(second[dev[i].identifier], predicted[i]) for i in read_twice],
        "model where the two readers agree": [
            (labels[i], predicted[i]) for i in read_twice if labels[i] == second[dev[i].identifier]
        ],
    }
    print(f"{len(read_twice)} dev items read twice")
    for name, pairs in figures.items():
        evaluation = Evaluation(name)
        for label, guess in pairs:
            evaluation.add("", label, [guess] if guess else [])
        low, high = evaluation.interval()
        print(
            f"{name}: {evaluation.accuracy:.1%} of {evaluation.total} items with a main group [{low:.1%}, {high:.1%}]"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=topics.MODEL_FILE)
    parser.add_argument("--check", action="store_true", help="retrain the shipped choice; fail if the file differs")
    parser.add_argument("--report", action="store_true", help="print the test-part figures of the choices")
    parser.add_argument("--agreement", action="store_true", help="two readers' agreement on dev, and the model's")
    args = parser.parse_args(argv)

    kle = kle_examples()
    labelled = labelled_examples()
    dev = [e for e in labelled if e.split == "dev"]
    test_ids = {e.identifier for e in labelled if e.split == "test"}
    kle = [e for e in kle if e.identifier not in test_ids]  # a test item never trains
    if args.check:
        return check(args.out, kle, dev)
    if args.agreement:
        agreement(kle, dev, Choice.of(topics.TopicModel.load(args.out)))
        return 0
    results = cross_validate(kle, dev)
    for keywords, c, weight in itertools.product((False, True), C_VALUES, KEYWORD_WEIGHTS):
        line = "  ".join(
            f"t={t:.2f} {fig.folds[0]:.1%}/{fig.folds[1]:.0%} {fig.unseen[0]:.1%}/{fig.unseen[1]:.0%}"
            for t in THRESHOLDS
            for fig in [results[Choice(c, keywords, weight, t)]]
        )
        print(f"dev (folds, unseen), keywords={keywords!s:5} C={c:<4} weight={weight}: {line}")
    choice = choose(results)
    chosen = results[choice]
    print(
        f"chosen: {choice} — dev cross-validated {chosen.folds[0]:.1%} (coverage {chosen.folds[1]:.1%}), "
        f"unseen municipalities {chosen.unseen[0]:.1%} (coverage {chosen.unseen[1]:.1%})"
    )
    model = train(choice, kle, dev)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(model.features)} features)")
    if args.report:
        test = [e for e in labelled if e.split == "test"]
        totals = keyword_totals(test)
        variants = [
            ("shipped choice", choice, dev),
            ("same, trained on KLE rows only", choice, []),
            ("same, no shared keyword weight", replace(choice, keyword_weight=0.0), dev),
            ("same, keyword evidence per group " + ("off" if choice.keywords else "on"),
             replace(choice, keywords=not choice.keywords), dev),
            ("same, no keyword evidence at all", replace(choice, keywords=False, keyword_weight=0.0), dev),
        ]  # fmt: skip
        for name, variant, trained_with in variants:
            candidate = model if variant == choice and trained_with is dev else train(variant, kle, trained_with)
            feats = features_of(test, candidate.uses_keywords)
            acc, cov = score(predictions(candidate, feats, totals), [e.label for e in test], candidate.threshold)
            print(f"test part, {name}: accuracy {acc:.1%}, coverage {cov:.1%}")
        for name, variant in (("shipped choice", choice), ("round 25's choice", ROUND_25_CHOICE)):
            acc, cov = unseen_municipality_figures(variant, kle, dev, test)
            print(f"test part, each municipality unseen, {name}: accuracy {acc:.1%}, coverage {cov:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
