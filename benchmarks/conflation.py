"""Over-conflation of the new analysis compared with plain Snowball, on the corpus.

    .venv/bin/python benchmarks/conflation.py [--show N]

For every distinct corpus word, compute its term under Snowball and under the new
pipeline.  A "new merge" is a new term that joins words Snowball kept apart; the
script counts them and lists the most frequent for inspection (the judgement of
which merges are false is made by reading the list).  Also counts how many words
get compound parts.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from corpus_words import corpus_words

from indexer.analysis.danish import compound_parts, snowball_stem, stem_term
from indexer.analysis.lexicon import normalise_variant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", type=int, default=40)
    args = parser.parse_args()
    words = corpus_words()
    old = {w: snowball_stem(w) for w in words}
    new = {w: stem_term(w) for w in words}
    groups: dict[str, set[str]] = defaultdict(set)
    for word, term in new.items():
        groups[term].add(word)
    merges = []
    for term, members in groups.items():
        classes: dict[str, list[str]] = defaultdict(list)
        for word in members:
            classes[old[word]].append(word)
        if len(classes) > 1:
            weight = sum(words[w] for w in members)
            merges.append((weight, term, sorted(classes.values(), key=lambda c: -sum(words[w] for w in c))))
    split_words = [w for w in words if len(w) > 5 and compound_parts(normalise_variant(w))]
    print(f"distinct words: {len(words)}")
    print(f"snowball terms: {len(set(old.values()))}")
    print(f"new terms:      {len(set(new.values()))}")
    print(f"new terms joining >1 snowball class: {len(merges)}")
    print(f"words (>5 letters) with compound parts: {len(split_words)} of {sum(1 for w in words if len(w) > 5)}")
    for weight, term, classes in sorted(merges, reverse=True)[: args.show]:
        joined = " | ".join(",".join(sorted(c)[:4]) for c in classes)
        print(f"  {weight:5d} {term:18s} {joined}")


if __name__ == "__main__":
    main()
