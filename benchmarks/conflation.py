"""Where the analysis and plain Snowball disagree on which words are one, on the demo's words.

    .venv/bin/python benchmarks/conflation.py [--show N] [--corpus FILE]

For every distinct word of the demo's open items (``corpus_words.demo_words``: not the corpus
sample, which holds the held-out rows the test queries were written on; ``--corpus`` reads a
digst CSV instead), compute its term under Snowball and under the new pipeline (``stem_term``),
and list both ways they part:

* a "new merge" is a new term that joins words Snowball kept apart (a verb with its noun in
  -ering, a compound with its head's lemma);
* a "split" is a Snowball stem whose words the new pipeline gives two or more terms (udvalg and
  udvalgt, rightly; the forms of one noun whose dictionary lemmas differ, wrongly).

Each list is ordered by frequency: a merge by its words' occurrences, a split by the occurrences
outside its most frequent term (what a search on that term's words would miss, were they one
word).  Which merges are false and which splits part one word is judged by reading the lists.
Also counts how many words get compound parts.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from corpus_words import corpus_words, demo_words

from indexer.analysis.danish import compound_parts, snowball_stem, stem_term
from indexer.analysis.lexicon import normalise_variant


@dataclass(frozen=True)
class Parting:
    """One term's words that Snowball gives several stems (a merge), or one Snowball stem's
    words that the analysis gives several terms (a split): the key and its classes, each a
    term or stem with its words, most frequent class first."""

    weight: int  # a merge: all its words' occurrences; a split: those outside its largest class
    total: int
    key: str
    classes: tuple[tuple[str, tuple[str, ...]], ...]


def partings(words: Counter[str], by: dict[str, str], within: dict[str, str], *, split: bool) -> list[Parting]:
    """Groups of words sharing a key under ``by`` that ``within`` gives more than one value."""
    groups: dict[str, set[str]] = defaultdict(set)
    for word, key in by.items():
        groups[key].add(word)
    found = []
    for key, members in groups.items():
        classes: dict[str, list[str]] = defaultdict(list)
        for word in members:
            classes[within[word]].append(word)
        if len(classes) < 2:
            continue
        weighed = sorted(
            (
                (sum(words[w] for w in c), value, tuple(sorted(c, key=lambda w: (-words[w], w))))
                for value, c in classes.items()
            ),
            reverse=True,
        )
        total = sum(weight for weight, _, _ in weighed)
        weight = total - weighed[0][0] if split else total
        found.append(Parting(weight, total, key, tuple((value, c) for _, value, c in weighed)))
    return sorted(found, key=lambda p: (-p.weight, p.key))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", type=int, default=40, help="how many of each list to print")
    parser.add_argument("--corpus", type=Path, help="a digst CSV to read instead of the demo's open items")
    args = parser.parse_args()
    words = corpus_words(args.corpus) if args.corpus else demo_words()
    old = {w: snowball_stem(w) for w in words}
    new = {w: stem_term(w) for w in words}
    merges = partings(words, new, old, split=False)
    splits = partings(words, old, new, split=True)
    split_words = [w for w in words if len(w) > 5 and compound_parts(normalise_variant(w))]
    print(f"distinct words: {len(words)} ({args.corpus.name if args.corpus else 'the demo'})")
    print(f"snowball terms: {len(set(old.values()))}")
    print(f"new terms:      {len(set(new.values()))}")
    print(f"new terms joining >1 snowball class (merges): {len(merges)}")
    print(
        f"snowball stems parted into >1 new term (splits): {len(splits)}, "
        f"{sum(p.weight for p in splits)} occurrences outside each one's largest term"
    )
    print(f"words (>5 letters) with compound parts: {len(split_words)} of {sum(1 for w in words if len(w) > 5)}")
    print("merges (occurrences, new term: the Snowball classes it joins):")
    for p in merges[: args.show]:
        joined = " | ".join(",".join(sorted(c)[:4]) for _, c in p.classes)
        print(f"  {p.weight:5d} {p.key:18s} {joined}")
    print("splits (occurrences parted / all, Snowball stem: each new term with its words):")
    for p in splits[: args.show]:
        parted = " | ".join(f"{term}: {','.join(f'{w}({words[w]})' for w in c[:5])}" for term, c in p.classes)
        print(f"  {p.weight:5d}/{p.total:<5d} {p.key:16s} {parted}")


if __name__ == "__main__":
    main()
