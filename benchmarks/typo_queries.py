"""Generate the dev typo set: known-item dev queries and distinctive title words, misspelt.

    .venv/bin/python benchmarks/typo_queries.py [--check]

Writes ``tests/relevance/queries-dev-typo.jsonl`` (``--check``: fails when the file is not
what this script writes).  Seeded and deterministic: the same repository gives the same file.

The queries are **dev only**: their sources are the dev query files (never a test file) whose
judged items are all demo items (``data/``), and the titles of demo items.  Each query is one
source with one typing slip in one of its words, keeping the source's judgements:

* ``drop``        a letter left out (klimatilpasning → klimatilpasing)
* ``double``      a consonant doubled or a double one typed single (budget → buddget, kommune → komune)
* ``swap``        two neighbouring letters swapped (kolonihave → kolonhiave)
* ``key``         a letter replaced by its left or right neighbour on a Danish keyboard
* ``danish``      æ/ø/å typed as ae/oe/aa or as a/o/a (Sejerø → sejeroe, sejero)
* ``linking-s``   a compound's linking -s- left out (trafiksikkerhedsplan → trafiksikkerhedplan)
* ``vowel``       e typed as a in an unstressed (not the first) syllable (rengøringen → rengøringan)

The first letter is never changed (people rarely slip there, and it is what a reader
recognises a word by).  A slip that gives a Danish word form, or a word the demo texts hold,
is not used: that is another word, not a misspelling to correct.  The sources are taken in a
seeded order and each tries the rules from a rotating start, so every rule is used about as
often; a multi-word query gets its slip in one word, the others stay as typed.

Title words: for demo items, a title word of six letters or more that at most two items hold
anywhere (a distinctive word; names the dictionary does not know count as rare names), asked
alone or with a second, common word of the same title; the items whose title holds it are
the answer (grade 2).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from indexer.analysis.compounds import split_compound
from indexer.analysis.lexicon import is_known
from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access

REPO = Path(__file__).resolve().parents[1]
RELEVANCE = REPO / "tests" / "relevance"
OUTPUT = RELEVANCE / "queries-dev-typo.jsonl"
DEMO = REPO / "data"
# The Aarhus byråd's whole-meeting PDF is the test part's text (queries-test-documents.jsonl).
TEST_TEXTS = (DEMO / "samples" / "firstagenda" / "aarhus-2025",)
SEED = 20261204
SOURCE_QUERIES = 70  # from the dev query files
TITLE_QUERIES = 40  # from demo item titles
SOURCE_CATEGORIES = ("inflection", "compound")  # known-item queries typed as words
RULES = ("drop", "double", "swap", "key", "danish", "vowel", "linking-s")
# The order the rules are tried in, from a rotating start: the rules that fit few words
# (æ/ø/å, a linking -s-) come round more often, so each is tried on enough queries.
ROTATION = ("drop", "danish", "double", "linking-s", "swap", "key", "danish", "vowel", "linking-s")
KEY_ROWS = ("qwertyuiopå", "asdfghjklæø", "zxcvbnm")
VOWELS = set("aeiouyæøå")
WORD = re.compile(r"[^\W\d_]+")


def _neighbours() -> dict[str, str]:
    found: dict[str, str] = {}
    for row in KEY_ROWS:
        for n, letter in enumerate(row):
            found[letter] = row[max(n - 1, 0) : n] + row[n + 1 : n + 2]
    return found


NEIGHBOURS = _neighbours()


def slips(word: str, rule: str, rng: random.Random) -> list[str]:
    """Every misspelling of ``word`` (lower case) one application of ``rule`` gives, in a
    seeded order; the first letter stays."""
    w = word
    out: list[str] = []
    if rule == "drop":
        out = [w[:i] + w[i + 1 :] for i in range(1, len(w)) if w[i] != w[i - 1]]
    elif rule == "double":
        undoubled = [w[:i] + w[i + 1 :] for i in range(1, len(w)) if w[i] == w[i - 1] and w[i] not in VOWELS]
        doubled = [
            w[: i + 1] + w[i] + w[i + 1 :]
            for i in range(1, len(w) - 1)
            if w[i] not in VOWELS and w[i] != w[i - 1] and w[i] != w[i + 1] and w[i - 1] in VOWELS
        ]
        out = undoubled if undoubled and rng.random() < 0.6 else doubled
    elif rule == "swap":
        out = [w[:i] + w[i + 1] + w[i] + w[i + 2 :] for i in range(1, len(w) - 1) if w[i] != w[i + 1]]
    elif rule == "key":
        out = [w[:i] + k + w[i + 1 :] for i in range(1, len(w)) for k in NEIGHBOURS.get(w[i], "")]
    elif rule == "danish":
        spelt = {"æ": ("ae", "a"), "ø": ("oe", "o"), "å": ("aa", "a")}
        places = [i for i, c in enumerate(w) if c in spelt]
        if places:
            way = 0 if rng.random() < 0.5 else 1  # ae/oe/aa, or a/o/a
            # Every æ/ø/å of the word typed one way (a keyboard without them): "soenderborg".
            out = [re.sub("[æøå]", lambda m: spelt[m.group()][way], w)]
    elif rule == "vowel":
        first_vowel = next((i for i, c in enumerate(w) if c in VOWELS), len(w))
        first_syllable_end = next((i for i in range(first_vowel, len(w)) if w[i] not in VOWELS), len(w))
        out = [w[:i] + "a" + w[i + 1 :] for i in range(first_syllable_end + 1, len(w)) if w[i] == "e"]
    elif rule == "linking-s":
        out = [
            w[:i] + w[i + 1 :]
            for i in range(4, len(w) - 3)
            if w[i] == "s" and w[i - 1] != "s" and is_known(w[:i]) and (is_known(w[i + 1 :]) or len(w) - i > 6)
        ]
    rng.shuffle(out)
    return out


def misspell(text: str, start: int, rng: random.Random, taken: set[str]) -> tuple[str, str, str] | None:
    """(misspelt query, rule, word) — one slip in one word, rules tried from ``start`` on."""
    words = WORD.findall(text)
    targets = [w for w in words if len(w) >= 5]
    rng.shuffle(targets)
    for k in range(len(ROTATION)):
        rule = ROTATION[(start + k) % len(ROTATION)]
        for target in targets:
            for slip in slips(target.lower(), rule, rng):
                if is_known(slip) or slip in taken or slip == target.lower():
                    continue
                query = re.sub(rf"(?<!\w){re.escape(target)}(?!\w)", slip, text, count=1)
                return query, rule, target
    return None


def demo_items() -> list[tuple[str, str, str]]:
    """(judgement name, title, open text) of every open demo item."""
    found = []
    for path, module in iter_inputs([DEMO], None):
        if module is None or any(path.resolve().is_relative_to(t.resolve()) for t in TEST_TEXTS):
            continue
        for meeting in module.parse(path, IngestContext()):
            for item in meeting.items:
                if item.access != Access.OPEN:  # a closed item's words are no query's to ask
                    continue
                text = " ".join(
                    [item.title]
                    + [s.text for s in item.sections if s.access == Access.OPEN]
                    + [d.text for d in item.decisions]
                    + [a.title for a in item.attachments if a.access == Access.OPEN]
                )
                name = f"digst:{item.source_key}" if module.NAME == "digst" else f"{path.name}|{item.title}"
                found.append((name, item.title, text))
    return found


def generate() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    items = demo_items()
    vocabulary: set[str] = set()
    holders: dict[str, set[str]] = defaultdict(set)
    for name, _, text in items:
        for word in WORD.findall(text.lower()):
            vocabulary.add(word)
            holders[word].add(name)
    demo_names = {name for name, _, _ in items}
    taken = set(vocabulary)

    def demo(judged: str) -> bool:
        if judged.startswith("digst:"):
            return sum(1 for n in demo_names if n.startswith(judged)) == 1
        return judged in demo_names

    sources = []
    for path in (RELEVANCE / "queries.jsonl", RELEVANCE / "queries-dev-inflection.jsonl",
                 RELEVANCE / "queries-dev-compound.jsonl"):  # fmt: skip
        assert "test" not in path.name
        for line in path.read_text("utf-8").splitlines():
            data = json.loads(line)
            q = data["q"]
            if data["category"] not in SOURCE_CATEGORIES or not re.fullmatch(r"[^\W\d_]+( [^\W\d_]+)*", q):
                continue
            if all(demo(r["item"]) for r in data["relevant"]):
                sources.append((q, data["relevant"], f"{path.name}: {data['category']}"))
    rng.shuffle(sources)

    title_words = {name: set(WORD.findall(title.lower())) for name, title, _ in items}
    titles = []
    for name, title, _ in items:
        words = WORD.findall(title)
        for word in words:
            low = word.lower()
            if len(low) < 6 or len(holders[low]) > 2:
                continue
            answers = sorted(n for n in holders[low] if low in title_words[n])
            if name not in answers:
                continue
            kind = "rare name" if not is_known(low) and not split_compound(low) else "distinctive word"
            common = [w.lower() for w in words if len(w) >= 5 and is_known(w.lower()) and w.lower() != low]
            titles.append((low, common, answers, kind))
    rng.shuffle(titles)
    # Rare names and distinctive words in turn: names are fewer and the harder kind to correct.
    names = [t for t in titles if t[3] == "rare name"]
    others = [t for t in titles if t[3] != "rare name"]
    titles = [t for pair in zip(names, others, strict=False) for t in pair] + others[len(names) :]

    out: list[dict[str, object]] = []
    seen: set[str] = set()
    n = 0
    for q, relevant, origin in sources:
        if len(out) >= SOURCE_QUERIES:
            break
        made = misspell(q, n, rng, taken)
        if made is None or made[0] in seen:
            continue
        n += 1
        seen.add(made[0])
        out.append(_query(made[0], relevant, made[1], q, origin))
    names_used: set[str] = set()
    for word, common, answers, kind in titles:
        if len(out) >= SOURCE_QUERIES + TITLE_QUERIES:
            break
        if word in names_used:
            continue
        q = word
        if common and rng.random() < 0.4:  # with a second, common title word
            q = f"{word} {rng.choice(common)}" if rng.random() < 0.5 else f"{rng.choice(common)} {word}"
        made = misspell(q, n, rng, taken)
        if made is None or made[0] in seen:
            continue
        n += 1
        names_used.add(word)
        seen.add(made[0])
        relevant = [{"item": a, "grade": 2} for a in answers]
        out.append(_query(made[0], relevant, made[1], q, f"title word ({kind})"))
    return out


def _query(q: str, relevant: object, rule: str, original: str, origin: str) -> dict[str, object]:
    return {
        "q": q,
        "category": "typo",
        "relevant": relevant,
        "note": f"generated ({rule}) from {original!r}, {origin}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when the committed file differs")
    args = parser.parse_args()
    text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in generate())
    if args.check:
        if OUTPUT.read_text("utf-8") != text:
            sys.exit(f"{OUTPUT} is not what benchmarks/typo_queries.py writes")
        return
    OUTPUT.write_text(text, "utf-8")
    print(f"{OUTPUT}: {text.count(chr(10))} queries")


if __name__ == "__main__":
    main()
