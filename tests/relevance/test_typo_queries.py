"""The generated dev typo set: reproducible, dev only, one real slip per query."""

from __future__ import annotations

import json
import random
from types import ModuleType

import pytest

from tests.conftest import REPO, load_benchmark


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_benchmark("typo_queries.py", "typo_queries")


def test_the_committed_file_is_what_the_generator_writes(gen: ModuleType) -> None:
    written = [json.loads(line) for line in gen.OUTPUT.read_text("utf-8").splitlines()]
    assert written == gen.generate()
    assert 80 <= len(written) <= 120


def test_every_query_is_one_slip_of_a_dev_source(gen: ModuleType) -> None:
    sources: dict[str, list[dict[str, object]]] = {}
    for path in (REPO / "tests" / "relevance").glob("queries*.jsonl"):
        if "test" in path.name or "typo" in path.name:
            continue
        for line in path.read_text("utf-8").splitlines():
            data = json.loads(line)
            sources[data["q"]] = data["relevant"]
    rules: set[str] = set()
    for query in gen.generate():
        note = query["note"]
        rule = note.split("(", 1)[1].split(")", 1)[0]
        original = note.split("from '", 1)[1].split("'", 1)[0]
        rules.add(rule)
        assert query["q"] != original
        typed, meant = query["q"].split(), original.split()
        assert len(typed) == len(meant)
        changed = [(t, m) for t, m in zip(typed, meant, strict=True) if t != m]
        assert len(changed) == 1, query
        slip, word = changed[0]
        assert slip[0] == word[0] or rule == "danish"
        # The rule gives this slip (double/undouble and ae/a are a seeded choice: any seed).
        assert any(slip in gen.slips(word, rule, random.Random(seed)) for seed in range(20)), (rule, word, slip)
        if "title word" not in note:  # judged as the dev query it was made from
            assert query["relevant"] == sources[original]
        assert "queries-test" not in note
    assert rules == set(gen.RULES)


def test_rules_on_real_words(gen: ModuleType) -> None:
    rng = random.Random(1)
    assert "klimatilpasing" in gen.slips("klimatilpasning", "drop", rng)
    assert "trafiksikkerhedplan" in gen.slips("trafiksikkerhedsplan", "linking-s", rng)
    assert "kolonhiave" in gen.slips("kolonihave", "swap", rng)
    assert "rengøringan" in gen.slips("rengøringen", "vowel", rng)
    assert gen.slips("sejerø", "danish", rng)[0] in ("sejeroe", "sejero")
    assert "budgwt" in gen.slips("budget", "key", rng)  # e and w are neighbours
    assert not any(s[0] != "k" for rule in gen.RULES for s in gen.slips("kommune", rule, rng))


def test_no_query_is_judged_on_test_texts(gen: ModuleType) -> None:
    for query in gen.generate():
        for judged in query["relevant"]:
            assert "Aarhus_Byråd" not in judged["item"]
