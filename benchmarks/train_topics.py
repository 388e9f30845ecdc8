"""Train the topic model shipped in indexer/resources/topics-model.json.

    .venv/bin/python benchmarks/train_topics.py            # choose on dev, train, write the model
    .venv/bin/python benchmarks/train_topics.py --check    # retrain and compare with the shipped file

Training data, all from the repository:

- corpus rows filed under a KLE journal number ("J.nr.: 05.01.08"): they label
  themselves; the number is hidden from the text before features are taken;
- the dev part of the hand labels (corpus rows, format samples, Greve items),
  "" (no subject) as a class of its own, so the model learns to abstain.

The test part of the hand labels is never read here except by ``--report``, which
prints its figures once the choice is made.  The choice — regularisation, whether
the hand keyword table's evidence is an input, the probability under which an item
gets no topic — is made by 5-fold cross-validation over the dev labels (the KLE rows
always train), aiming at the best accuracy with at least 95 % coverage.

scikit-learn's multinomial logistic regression fits the weights; the runtime only
reads the JSON (numpy), so scikit-learn is needed for training, not for ingest.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.topics_eval import Example, kle_examples, labelled_examples  # noqa: E402
from indexer import topics  # noqa: E402

COMMAND = "benchmarks/train_topics.py"
C_VALUES = (16.0, 64.0)
THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
MIN_COVERAGE = 0.95
FOLDS = 5


@dataclass(frozen=True)
class Choice:
    c: float
    keywords: bool
    threshold: float


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
    names = vectorizer.get_feature_names_out()
    weights = np.asarray(model.coef_.T, dtype=np.float32)  # (features, classes)
    return topics.TopicModel(
        classes=[str(c) for c in model.classes_],
        features={str(name): i for i, name in enumerate(names)},
        weights=weights,
        intercept=np.asarray(model.intercept_, dtype=np.float32),
        threshold=threshold,
        uses_keywords=keywords,
        trained_on=trained_on,
    )


def predictions(model: topics.TopicModel, features: list[dict[str, float]]) -> list[tuple[str, float]]:
    out = []
    for row in features:
        p = model.probabilities(row)
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


def cross_validate(kle: list[Example], dev: list[Example]) -> dict[Choice, tuple[float, float]]:
    results: dict[Choice, tuple[float, float]] = {}
    for keywords in (False, True):
        kle_features = features_of(kle, keywords)
        dev_features = features_of(dev, keywords)
        for c in C_VALUES:
            predicted: list[tuple[str, float]] = [("", 0.0)] * len(dev)
            for fold in range(FOLDS):
                train = [i for i, e in enumerate(dev) if fold_of(e) != fold]
                held = [i for i, e in enumerate(dev) if fold_of(e) == fold]
                vectorizer, model = fit(
                    kle_features + [dev_features[i] for i in train],
                    [e.label for e in kle] + [dev[i].label for i in train],
                    c,
                )
                topic_model = to_topic_model(vectorizer, model, 0.0, keywords, {})
                for i, p in zip(held, predictions(topic_model, [dev_features[i] for i in held]), strict=True):
                    predicted[i] = p
            for threshold in THRESHOLDS:
                results[Choice(c, keywords, threshold)] = score(predicted, [e.label for e in dev], threshold)
            sys.stderr.write(f"cross-validated keywords={keywords} C={c}\n")
    return results


def choose(results: dict[Choice, tuple[float, float]]) -> Choice:
    eligible = {k: v for k, v in results.items() if v[1] >= MIN_COVERAGE} or results
    # Best accuracy; on a tie the simpler model (no keyword table), then the stronger regularisation.
    return max(eligible, key=lambda k: (round(eligible[k][0], 4), not k.keywords, -k.c, k.threshold))


def train(choice: Choice, kle: list[Example], dev: list[Example]) -> topics.TopicModel:
    examples = kle + dev
    vectorizer, model = fit(features_of(examples, choice.keywords), [e.label for e in examples], choice.c)
    trained_on = {
        "command": COMMAND,
        "kle_rows": len(kle),
        "dev_labels": len(dev),
        "c": choice.c,
    }
    return to_topic_model(vectorizer, model, choice.threshold, choice.keywords, trained_on)


def check(path: Path, kle: list[Example], dev: list[Example]) -> int:
    """Retrain with the shipped model's own choice; the file must come out byte for byte."""
    shipped = topics.TopicModel.load(path)
    choice = Choice(float(str(shipped.trained_on["c"])), shipped.uses_keywords, shipped.threshold)
    fresh = path.with_suffix(".check.json")
    train(choice, kle, dev).save(fresh)
    same = fresh.read_bytes() == path.read_bytes()
    fresh.unlink()
    print("shipped model reproduced" if same else "shipped model differs from a fresh training")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=topics.MODEL_FILE)
    parser.add_argument("--check", action="store_true", help="retrain the shipped choice; fail if the file differs")
    parser.add_argument("--report", action="store_true", help="print the test-part figures of the choices")
    args = parser.parse_args(argv)

    kle = kle_examples()
    labelled = labelled_examples()
    dev = [e for e in labelled if e.split == "dev"]
    test_ids = {e.identifier for e in labelled if e.split == "test"}
    kle = [e for e in kle if e.identifier not in test_ids]  # a test item never trains
    if args.check:
        return check(args.out, kle, dev)
    results = cross_validate(kle, dev)
    for keywords, c in itertools.product((False, True), C_VALUES):
        line = "  ".join(
            f"t={t:.2f} {results[Choice(c, keywords, t)][0]:.1%}/{results[Choice(c, keywords, t)][1]:.0%}"
            for t in THRESHOLDS
        )
        print(f"dev CV, keywords={keywords!s:5} C={c:<5}: {line}")
    choice = choose(results)
    accuracy, coverage = results[choice]
    print(f"chosen: {choice} — dev cross-validated accuracy {accuracy:.1%}, coverage {coverage:.1%}")
    model = train(choice, kle, dev)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(model.features)} features)")
    if args.report:
        test = [e for e in labelled if e.split == "test"]
        for name, candidate in (
            ("shipped choice", model),
            ("same, trained on KLE rows only", train(choice, kle, [])),
            (
                "same, keyword evidence as input" if not choice.keywords else "same, without keyword evidence",
                train(Choice(choice.c, not choice.keywords, choice.threshold), kle, dev),
            ),
        ):
            feats = features_of(test, candidate.uses_keywords)
            acc, cov = score(predictions(candidate, feats), [e.label for e in test], candidate.threshold)
            print(f"test part, {name}: accuracy {acc:.1%}, coverage {cov:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
